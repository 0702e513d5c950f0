"""Facade used by both the streaming stage and ``pantau enrich``: one call enriches a batch.

>>> enricher = Enricher.load()            # loads every model once
>>> out = enricher.enrich_batch([{"text": "Kominfo blokir situs judi, mantap!"}])
>>> sorted(out[0])
['enrichment_skipped', 'entities', 'language', 'sentiment', 'text_normalized']

Each output dict maps onto the Avro ``EnrichedPost`` fields of the same names.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .entities import NER_LANGUAGES, EntityExtractor
from .langid import UNCERTAIN_CONF, LanguageIdentifier, LanguageResult
from .places import default_table
from .sentiment import SUPPORTED as SENTIMENT_LANGUAGES
from .sentiment import SentimentModel, SentimentResult
from .textnorm import SLANG_LANGUAGES, apply_slang, clean_tokens

__all__ = ["Enricher", "DEFAULT_MODEL_DIR", "MAX_MODEL_CHARS", "NER_SKIP_CONF", "latin_script"]

#: Where ``train.py`` writes and ``Enricher.load`` reads models (env PANTAU_NLP_MODELS overrides).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models"
#: A Latin-script post skips the NER model only when its language is outside the model's training
#: languages *and* identified with at least this confidence.
NER_SKIP_CONF = 0.8
#: Longer texts are cut to this many characters before any model sees them.
MAX_MODEL_CHARS = 2000

T = TypeVar("T")


def _safe_batch(fn: Callable[[list], list[T]], items: list, fallback: Callable[[Any, Exception], T]) -> list[T]:
    """Run ``fn`` on the batch; if it fails, run item by item and use ``fallback`` for failures."""
    try:
        return fn(items)
    except Exception:  # noqa: BLE001 - enrichment must never take the pipeline down
        out = []
        for item in items:
            try:
                out.append(fn([item])[0])
            except Exception as exc:  # noqa: BLE001
                out.append(fallback(item, exc))
        return out


def latin_script(text: str) -> bool:
    """True when at least half of the text's letters are Latin (basic, supplement and extended A/B)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(1 for ch in letters if ch < "\u0250") * 2 >= len(letters)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


class Enricher:
    """Normalization + language ID + sentiment + entities for batches of posts."""

    def __init__(
        self,
        langid: LanguageIdentifier,
        sentiment: SentimentModel,
        entities: EntityExtractor,
        max_chars: int = MAX_MODEL_CHARS,
    ):
        self.langid = langid
        self.sentiment = sentiment
        self.entities = entities
        self.max_chars = max_chars

    @classmethod
    def load(cls, model_dir: str | None = None) -> Enricher:
        """Load all models once from ``model_dir`` (default: the packaged ``models/``)."""
        path = Path(model_dir or os.environ.get("PANTAU_NLP_MODELS") or DEFAULT_MODEL_DIR)
        if not path.is_dir():
            raise FileNotFoundError(f"NLP model directory not found: {path} (run `pantau train`)")
        return cls(LanguageIdentifier.load(path), SentimentModel.load(path), EntityExtractor.load(path))

    def enrich(self, post: dict) -> dict:
        """Enrich one post (convenience wrapper around :meth:`enrich_batch`)."""
        return self.enrich_batch([post])[0]

    def enrich_batch(self, posts: Sequence[dict]) -> list[dict]:
        """Enrich a batch; returns one dict per post, in order, never raising for odd input.

        Keys: ``text_normalized``, ``language``, ``sentiment``, ``entities``, ``places_mentioned``
        (located LOC entities, :mod:`transforms.nlp.places`), ``enrichment_skipped``.
        """
        n = len(posts)
        skipped: list[list[str]] = [[] for _ in range(n)]
        texts: list[str] = []
        hints: list[str | None] = []
        for i, post in enumerate(posts):
            if not isinstance(post, dict):
                post = {}
                skipped[i].append("input:not_an_object")
            raw = post.get("text")
            if raw is not None and not isinstance(raw, str):
                skipped[i].append("input:text_not_string")
            text = _as_text(raw)
            if len(text) > self.max_chars:
                skipped[i].append(f"truncated:model_input:{self.max_chars}")
                text = text[: self.max_chars]
            texts.append(text)
            hint = post.get("lang_hint")
            hints.append(hint.strip().lower() if isinstance(hint, str) and hint.strip() else None)

        tokens = [clean_tokens(t) for t in texts]
        languages: list[LanguageResult] = _safe_batch(
            lambda idx: self.langid.identify_batch([texts[i] for i in idx], [tokens[i] for i in idx],
                                                   [hints[i] for i in idx]),
            list(range(n)),
            lambda i, exc: LanguageResult("und", 0.0),
        )
        normalized = [
            " ".join(apply_slang(toks) if lang.code in SLANG_LANGUAGES else toks)
            for toks, lang in zip(tokens, languages)
        ]
        # Fail safe: a language guess never silently removes sentiment or entities from a Latin-script
        # post; when the guess is weak or outside a model's training languages, a note says so.
        latin = [latin_script(t) for t in texts]
        for i in range(n):
            if languages[i].code != "und" and languages[i].confidence < UNCERTAIN_CONF:
                skipped[i].append("language:uncertain")

        # sentiment
        sentiments: list[SentimentResult | None] = [None] * n
        senti_idx = []
        for i in range(n):
            if not normalized[i]:
                skipped[i].append("sentiment:empty_text")
            elif languages[i].code not in SENTIMENT_LANGUAGES:
                if latin[i]:
                    skipped[i].append(f"sentiment:untrained_language:{languages[i].code}")
                    senti_idx.append(i)
                else:
                    skipped[i].append(f"sentiment:unsupported_language:{languages[i].code}")
            else:
                senti_idx.append(i)
        if senti_idx:
            results = _safe_batch(
                lambda idx: self.sentiment.predict_normalized([normalized[i] for i in idx],
                                                         [languages[i].code for i in idx]),
                senti_idx,
                lambda i, exc: None,
            )
            for i, r in zip(senti_idx, results):
                sentiments[i] = r
                if r is None:
                    skipped[i].append("sentiment:error")

        # entities: the gazetteer for every non-empty text; the model for its training languages and for
        # every Latin-script text whose language guess is not confident (noted), so only a confident
        # guess of another language skips it
        use_model = []
        for i in range(n):
            if not texts[i].strip():
                skipped[i].append("ner:empty_text")
                use_model.append(False)
            elif languages[i].code not in NER_LANGUAGES:
                if latin[i] and languages[i].confidence < NER_SKIP_CONF:
                    skipped[i].append(f"ner:untrained_language:{languages[i].code}")
                    use_model.append(True)
                else:
                    skipped[i].append(f"ner:unsupported_language:{languages[i].code}")
                    use_model.append(False)
            else:
                use_model.append(True)
        entity_lists = _safe_batch(
            lambda idx: self.entities.extract_batch([texts[i] for i in idx], [use_model[i] for i in idx],
                                                    skipped=[skipped[i] for i in idx]),
            list(range(n)),
            lambda i, exc: None,
        )

        places = default_table()
        out = []
        for i in range(n):
            ents = entity_lists[i]
            if ents is None:
                skipped[i].append("ner:error")
                ents = []
            out.append(
                {
                    "text_normalized": normalized[i],
                    "language": languages[i].as_dict(),
                    "sentiment": sentiments[i].as_dict() if sentiments[i] is not None else None,
                    "entities": [e.as_dict() for e in ents],
                    "places_mentioned": places.places_mentioned(e.as_dict() for e in ents),
                    "enrichment_skipped": skipped[i],
                }
            )
        return out
