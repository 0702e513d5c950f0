"""English word valences as two dense sentiment features (issue 12: English and code-mixed posts).

The sentiment corpora hold only ~500 English sentences (NusaX-en), so English words in posts
("best", "disappointed", "respect") carry little weight in the n-gram models. ``data/en_valence.tsv``
lists 7,000+ English words with a human-rated valence between -4 and +4: the VADER lexicon
(Hutto & Gilbert 2014, MIT licence; extracted by ``train.py --only en_valence``). A text's two
features are ``tanh(P / 4)`` and ``tanh(N / 4)``, where P and N are the summed positive and negative
valences of its words; a word in a negator's scope (``neg_`` after :func:`textnorm.mark_negation`)
counts with its valence times -0.74 (the damping VADER itself uses). The sentiment models learn
how much the two features weigh, jointly with their n-gram weights. A dict look-up per token.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .textnorm import mark_negation

__all__ = ["ValenceFeatures", "VALENCE_FEATURES", "VALENCE_FILE", "NEGATED_SCALE", "read_valences"]

#: Name of these features in a sentiment model's metadata (``meta["dense"]``).
VALENCE_FEATURES = "en_valence"
VALENCE_FILE = Path(__file__).resolve().parent / "data" / "en_valence.tsv"
#: A negated word's valence is multiplied by this (VADER's own negation damping).
NEGATED_SCALE = -0.74
_NEG = "neg_"


def read_valences(path: str | Path = VALENCE_FILE) -> dict[str, float]:
    """``word<TAB>valence`` lines (``#`` comments) -> dict."""
    out: dict[str, float] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            word, value = line.rstrip("\n").split("\t")[:2]
            out[word] = float(value)
    return out


class ValenceFeatures:
    """Summed positive / negative word valence of normalized texts, squashed and scaled."""

    name = VALENCE_FEATURES
    dim = 2

    def __init__(self, valences: Mapping[str, float], scale: float = 1.0):
        self.valences = dict(valences)
        self.scale = float(scale)

    @classmethod
    def load(cls, scale: float = 1.0, path: str | Path = VALENCE_FILE) -> ValenceFeatures:
        """The shipped lexicon at ``scale`` (the scale a model was fitted with: ``meta["dense_scale"]``)."""
        return cls(read_valences(path), scale)

    def text_valence(self, text: str) -> tuple[float, float]:
        """(summed positive, summed negative) valence of one normalized text, negation applied."""
        get = self.valences.get
        pos = neg = 0.0
        for tok in mark_negation(text).split():
            negated = tok.startswith(_NEG)
            v = get(tok[len(_NEG):] if negated else tok)
            if v is None:
                continue
            if negated:
                v *= NEGATED_SCALE
            if v > 0:
                pos += v
            else:
                neg -= v
        return pos, neg

    def doc_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 2) features of normalized texts."""
        out = np.array([self.text_valence(t) for t in texts], dtype=np.float32).reshape(len(texts), 2)
        return np.tanh(out / 4.0) * self.scale
