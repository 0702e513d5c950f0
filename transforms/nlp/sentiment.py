"""Three-way sentiment (positive / neutral / negative) for Indonesian, English and the NusaX
regional languages.

The model is a word + character n-gram logistic regression trained on SmSA and all twelve
NusaX-senti languages together (``train.py``), applied to :func:`textnorm.normalize` output.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .linear import LinearTextModel
from .textnorm import normalize

__all__ = ["SentimentResult", "SentimentModel", "LABELS", "SUPPORTED", "load_emoji_lexicon"]

_DATA_DIR = Path(__file__).resolve().parent / "data"
_EMOJI_CAP = 3.0  # largest total log-odds shift the emoji cues may add

LABELS: tuple[str, str, str] = ("positive", "neutral", "negative")
#: Languages with sentiment training data (Malay is close enough to Indonesian to share it).
SUPPORTED: frozenset[str] = frozenset(
    {"id", "ms", "en", "jv", "su", "ace", "ban", "bjn", "bug", "mad", "min", "nij", "bbc", "und"}
)


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

    def __init__(self, model: LinearTextModel, emoji: dict[str, tuple[int, float]] | None = None):
        if sorted(model.labels) != sorted(LABELS):
            raise ValueError(f"sentiment model has labels {model.labels}, expected {LABELS}")
        self.model = model
        self._index = [model.labels.index(l) for l in LABELS]
        self.emoji = load_emoji_lexicon() if emoji is None else emoji

    @classmethod
    def load(cls, model_dir: str | Path) -> "SentimentModel":
        """Load ``sentiment.npz`` from ``model_dir``."""
        return cls(LinearTextModel.load(Path(model_dir) / "sentiment.npz"))

    def predict_normalized(self, texts: Sequence[str]) -> list[SentimentResult]:
        """Classify texts that are already normalized."""
        if not texts:
            return []
        z = self.model.decision(list(texts))[:, self._index]
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
        return self.predict_normalized([normalize(t, l) for t, l in zip(texts, langs)])
