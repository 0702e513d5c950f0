"""Three-way sentiment (positive / neutral / negative) for Indonesian, English and the NusaX
regional languages.

The main model is a word + character n-gram logistic regression trained on SmSA and all twelve
NusaX-senti languages together (``train.py``), applied to :func:`textnorm.normalize` output.
An optional second model (``sentiment_word.npz``: word 1-3-grams over negation-marked text,
see :func:`mark_negation`) is blended in by probability averaging, with a per-language
weight stored in its metadata (``blend``).
A post in a NusaX regional language is also translated word by word into Indonesian
(:mod:`translate`, ``data/nusax_dict.tsv``) and scored as Indonesian; the two predictions are
averaged with weight :data:`TRANSLATE_BLEND` on the translated one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .linear import LinearTextModel
from .textnorm import NEGATORS, mark_negation, normalize
from .translate import load_dictionaries, translate
from .valence import VALENCE_FEATURES, ValenceFeatures
from .wordvec import WORDVEC_FILE, WordVectors

__all__ = ["SentimentResult", "SentimentModel", "LABELS", "SUPPORTED", "load_emoji_lexicon", "mark_negation", "NEGATORS",
           "load_dense_features"]

_DATA_DIR = Path(__file__).resolve().parent / "data"
_EMOJI_CAP = 3.0  # largest total log-odds shift the emoji cues may add
#: Weight of the translated-to-Indonesian prediction for a regional post (picked by 5-fold CV from
#: 0, 0.1, ..., 1: see the README section "Regional posts through Indonesian").
TRANSLATE_BLEND = 0.7

LABELS: tuple[str, str, str] = ("positive", "neutral", "negative")
#: Languages with sentiment training data (Malay is close enough to Indonesian to share it).
SUPPORTED: frozenset[str] = frozenset(
    {"id", "ms", "en", "jv", "su", "ace", "ban", "bjn", "bug", "mad", "min", "nij", "bbc", "und"}
)

def load_dense_features(model: LinearTextModel, model_dir: str | Path) -> WordVectors | ValenceFeatures | None:
    """The dense features ``model`` was fitted with (``meta["dense"]``; older models say ``wordvec``)."""
    if model.dense_weights is None:
        return None
    if model.meta.get("dense") == VALENCE_FEATURES:
        return ValenceFeatures.load(float(model.meta.get("dense_scale", 1.0)))
    return WordVectors.load(Path(model_dir) / WORDVEC_FILE)


@dataclass(frozen=True)
class SentimentResult:
    """Sentiment of one text (maps onto the Avro ``Sentiment`` record)."""

    label: str
    score: float
    positive: float
    neutral: float
    negative: float

    def as_dict(self) -> dict:
        """The Avro-shaped dict."""
        return {
            "label": self.label,
            "score": self.score,
            "positive": self.positive,
            "neutral": self.neutral,
            "negative": self.negative,
        }


def load_emoji_lexicon(path: str | Path | None = None) -> dict[str, tuple[int, float]]:
    """Read ``token<TAB>positive|negative<TAB>weight``; returns token -> (label index, weight)."""
    file = Path(path) if path else _DATA_DIR / "emoji_sentiment.tsv"
    table: dict[str, tuple[int, float]] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tok, label, weight = line.split("\t")
        table[tok] = (LABELS.index(label), float(weight))
    return table


class SentimentModel:
    """Wraps the trained n-gram model; input is text already normalized by ``textnorm``.

    Emoji and emoticons from ``data/emoji_sentiment.tsv`` shift the model's log-odds (capped),
    because the training corpora contain almost no emoji.
    """

    def __init__(
        self,
        model: LinearTextModel,
        emoji: dict[str, tuple[int, float]] | None = None,
        word_model: LinearTextModel | None = None,
        vectors: WordVectors | ValenceFeatures | None = None,
        translations: dict[str, dict[str, str]] | None = None,
        translate_blend: float = TRANSLATE_BLEND,
    ):
        for m in (model, word_model):
            if m is not None and sorted(m.labels) != sorted(LABELS):
                raise ValueError(f"sentiment model has labels {m.labels}, expected {LABELS}")
        self.model = model
        self._index = [model.labels.index(l) for l in LABELS]
        self.word_model = word_model
        self._word_index = [word_model.labels.index(l) for l in LABELS] if word_model is not None else None
        #: language -> weight of the word model in the probability average ("default" for the rest)
        self.blend: dict[str, float] = dict((word_model.meta.get("blend") or {}) if word_model is not None else {})
        self.emoji = load_emoji_lexicon() if emoji is None else emoji
        #: the models' dense features, when they were fitted with some: the English valence lexicon
        #: (``valence.py``) or static word vectors (``wordvec.py``, experiments)
        self.vectors = vectors
        #: language -> regional word -> Indonesian word (none: regional posts are scored directly)
        self.translations = dict(translations or {})
        self.translate_blend = translate_blend
        for m in (model, word_model):
            if m is not None and m.dense_weights is not None and vectors is None:
                raise ValueError(f"sentiment model needs dense features ({m.meta.get('dense', 'wordvec')})")

    @classmethod
    def load(cls, model_dir: str | Path) -> SentimentModel:
        """Load ``sentiment.npz`` (and ``sentiment_word.npz`` when present) from ``model_dir``, with
        the shipped regional dictionaries (``data/nusax_dict.tsv``)."""
        word = Path(model_dir) / "sentiment_word.npz"
        main = LinearTextModel.load(Path(model_dir) / "sentiment.npz")
        word_model = LinearTextModel.load(word) if word.exists() else None
        return cls(main, word_model=word_model, vectors=load_dense_features(main, model_dir),
                   translations=load_dictionaries())

    def _dense(self, m: LinearTextModel, texts: list[str]) -> np.ndarray | None:
        return self.vectors.doc_vectors(texts) if m.dense_weights is not None and self.vectors is not None else None

    def _decision(self, texts: list[str], langs: Sequence[str] | None) -> np.ndarray:
        """Class log-scores in ``LABELS`` order (:meth:`_direct`); a text in a language with a
        dictionary gets the log of ``(1 - w) * direct + w * translated`` probabilities, where
        ``translated`` scores its word-by-word Indonesian translation and ``w`` is ``translate_blend``."""
        z = self._direct(texts, langs)
        todo = [i for i, l in enumerate(langs or ()) if l in self.translations] if self.translate_blend > 0 else []
        if todo:
            sub = [translate(texts[i], self.translations[langs[i]]) for i in todo]
            pt = self.model.softmax(self._direct(sub, ["id"] * len(sub)))
            w = self.translate_blend
            p = (1.0 - w) * self.model.softmax(z[todo]) + w * pt
            z[todo] = np.log(np.maximum(p, 1e-9))
        return z

    def _direct(self, texts: list[str], langs: Sequence[str] | None) -> np.ndarray:
        """Class log-scores in ``LABELS`` order: main-model logits where a text's blend weight is 0,
        log of the probability average elsewhere (each model only runs on the texts it is needed for)."""
        if self.word_model is None:
            return self.model.decision(texts, self._dense(self.model, texts))[:, self._index]
        default = self.blend.get("default", 0.0)
        w = np.array([self.blend.get(l, default) for l in langs] if langs is not None else [default] * len(texts),
                     dtype=np.float32)
        z = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        main = np.flatnonzero(w < 1.0)
        word = np.flatnonzero(w > 0.0)
        if main.size:
            sub = [texts[i] for i in main]
            z[main] = self.model.decision(sub, self._dense(self.model, sub))[:, self._index]
        if word.size:
            sub = [texts[i] for i in word]
            pw = self.word_model.softmax(
                self.word_model.decision([mark_negation(t) for t in sub], self._dense(self.word_model, sub))[
                    :, self._word_index])
            ww = w[word][:, None]
            p = ww * pw + (1.0 - ww) * (self.model.softmax(z[word].copy()) if (ww < 1.0).any() else 0.0)
            z[word] = np.log(np.maximum(p, 1e-9))
        return z

    def predict_normalized(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[SentimentResult]:
        """Classify texts that are already normalized (``langs``: their language codes, for the blend)."""
        if not texts:
            return []
        z = self._decision(list(texts), langs)
        emoji = self.emoji
        for i, text in enumerate(texts):
            shift = [0.0, 0.0, 0.0]
            has_words = False
            for tok in text.split():
                hit = emoji.get(tok)
                if hit is not None:
                    shift[hit[0]] += hit[1]
                elif tok[:1].isalnum():
                    has_words = True
            if not has_words:
                # emoji / punctuation only: the n-gram model has no evidence, the cues decide
                z[i] = (min(shift[0], _EMOJI_CAP), 0.75, min(shift[2], _EMOJI_CAP))
            elif shift[0] or shift[2]:
                for j in (0, 2):
                    z[i, j] += min(shift[j], _EMOJI_CAP)
        probs = self.model.softmax(z)
        out = []
        for row in probs:
            j = int(row.argmax())
            p = [round(float(v), 6) for v in row]
            out.append(SentimentResult(LABELS[j], p[j], p[0], p[1], p[2]))
        return out

    def predict(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[SentimentResult]:
        """Normalize (per language, default Indonesian) and classify raw texts."""
        langs = list(langs) if langs is not None else ["id"] * len(texts)
        return self.predict_normalized([normalize(t, l) for t, l in zip(texts, langs)], langs)
