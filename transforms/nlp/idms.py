"""Indonesian vs Malay: a dedicated binary decision for text the main language model calls Indonesian.

The 12-language n-gram model (``langid.npz``) has no Malay, so :mod:`langid` asks this module
whether an "Indonesian" text is in fact Malay. Five inputs are stacked by a small logistic
regression whose weights live in the model file's metadata:

* ``z``: the score (ms minus id) of a binary word-unigram logistic regression (``models/idms.npz``;
  a ``LinearTextModel``: 5-fold CV found char n-grams and word bigrams no better, README),
  trained on DSLCC v2 news sentences (Indonesian and Malay) plus Indonesian informal text
  (SmSA, EmoT, NusaX-MT Indonesian), so that informal Indonesian is not taken for Malay;
* ``wf``: the mean over the text's words of the difference between the word's Zipf frequency
  in wordfreq's Malay and Indonesian lists (``data/ms_id_wordfreq.tsv``; 0 for unlisted words),
  shrunk towards 0 by ``WORDFREQ_PRIOR_WORDS`` neutral pseudo-words;
* ``vote``: Malay minus Indonesian hand-made markers (``data/ms_id_markers.tsv``), clipped to +-3;
* ``cld_ms``: 1 when pycld2's top language is Malay;
* ``news``: 1 for edited prose (``langid._news_like``: a capitalized sentence of 10+ words with
  final punctuation), so that informal text needs more evidence than news before it is Malay.

The stacker's weights were fitted on out-of-fold scores (``training/idms_build.py``). A text is
Malay when its probability exceeds 0.5, or ``SHORT_THRESHOLD`` for texts of fewer than
``SHORT_WORDS`` words.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .linear import LinearTextModel, item_keys

__all__ = ["IDMS_FILE", "WORDFREQ_FILE", "STACK_FEATURES", "SHORT_WORDS", "SHORT_THRESHOLD", "MalayDecider",
           "load_wordfreq_diff", "stack_proba", "wordfreq_score"]

IDMS_FILE = "idms.npz"
WORDFREQ_FILE = Path(__file__).resolve().parent / "data" / "ms_id_wordfreq.tsv"
#: order of the stacker's inputs (weights in ``meta["stack"]``, plus ``bias``)
STACK_FEATURES = ("z", "wf", "vote", "cld_ms", "news")
VOTE_CLIP = 3
#: texts with fewer words than this need a Malay probability above SHORT_THRESHOLD (else 0.5): on 3-8-word
#: snippets in CV, 0.8 is the lowest threshold that calls no more informal Indonesian Malay than the old rule
SHORT_WORDS = 10
SHORT_THRESHOLD = 0.8
#: neutral pseudo-words added to the wordfreq mean's denominator (short texts need stronger evidence)
WORDFREQ_PRIOR_WORDS = 3


def load_wordfreq_diff(path: str | Path | None = None) -> dict[str, float]:
    """Read ``word<TAB>zipf_ms-zipf_id`` lines (``#`` comments)."""
    out: dict[str, float] = {}
    for line in Path(path or WORDFREQ_FILE).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        out[word] = float(value)
    return out


def wordfreq_score(words: Sequence[str], table: dict[str, float]) -> float:
    """Malay-minus-Indonesian Zipf difference summed over ``words`` (unlisted words count 0), divided by
    the word count plus ``WORDFREQ_PRIOR_WORDS``: a shrunken mean, so two or three words weigh less."""
    if not words:
        return 0.0
    get = table.get
    return sum(get(w, 0.0) for w in words) / (len(words) + WORDFREQ_PRIOR_WORDS)


class MalayDecider:
    """Binary word model + wordfreq difference + markers + cld2 + news-like flag, stacked."""

    def __init__(self, model: LinearTextModel, wordfreq: dict[str, float] | None = None):
        self.model = model
        self.wordfreq = load_wordfreq_diff() if wordfreq is None else wordfreq
        stack = model.meta.get("stack") or {}
        self.weights = np.array([float(stack.get(f, 0.0)) for f in STACK_FEATURES], dtype=np.float64)
        self.bias = float(stack.get("bias", 0.0))
        self._ms = model.labels.index("ms")
        self._id = model.labels.index("id")

    @classmethod
    def load(cls, model_dir: str | Path) -> MalayDecider | None:
        """``model_dir/idms.npz``, or ``None`` when the file is absent (then markers + cld2 decide)."""
        path = Path(model_dir) / IDMS_FILE
        return cls(LinearTextModel.load(path)) if path.exists() else None

    def ngram_scores(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """The binary model's ms-minus-id score per document (word lists)."""
        z = self.model.decision_items([item_keys(d, self.model.cfg) for d in docs])
        return (z[:, self._ms] - z[:, self._id]).astype(np.float64)

    def features(self, docs: Sequence[Sequence[str]], votes: Sequence[int], cld_ms: Sequence[bool],
                 news: Sequence[bool], z: np.ndarray | None = None) -> np.ndarray:
        """Stacker inputs, shape (len(docs), len(STACK_FEATURES)); ``z``: precomputed n-gram scores."""
        if not docs:
            return np.zeros((0, len(STACK_FEATURES)))
        z = self.ngram_scores(docs) if z is None else z
        wf = [wordfreq_score(d, self.wordfreq) for d in docs]
        vote = np.clip(np.asarray(votes, dtype=np.float64), -VOTE_CLIP, VOTE_CLIP)
        return np.column_stack([z, wf, vote, np.asarray(cld_ms, dtype=np.float64), np.asarray(news, dtype=np.float64)])

    def malay_proba(self, docs: Sequence[Sequence[str]], votes: Sequence[int], cld_ms: Sequence[bool],
                    news: Sequence[bool]) -> np.ndarray:
        """Probability that each document (a word list) is Malay rather than Indonesian."""
        return self.malay_proba_from(self.features(docs, votes, cld_ms, news))

    def malay_proba_one(self, words: Sequence[str], vote: int, cld_ms: bool, news: bool, z: float | None = None) -> float:
        """:meth:`malay_proba` of one document without numpy overhead; ``z``: its precomputed n-gram score."""
        if z is None:
            z = float(self.ngram_scores([words])[0])
        w = self.weights
        s = (self.bias + w[0] * z + w[1] * wordfreq_score(words, self.wordfreq)
             + w[2] * max(-VOTE_CLIP, min(VOTE_CLIP, vote)) + w[3] * float(cld_ms) + w[4] * float(news))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))

    @staticmethod
    def threshold(n_words: int) -> float:
        """Malay probability a text of ``n_words`` words must exceed to be called Malay."""
        return SHORT_THRESHOLD if n_words < SHORT_WORDS else 0.5

    def is_malay(self, words: Sequence[str], vote: int, cld_ms: bool, news: bool,
                 z: float | None = None) -> tuple[bool, float]:
        """(Malay?, Malay probability) of one document."""
        p = self.malay_proba_one(words, vote, cld_ms, news, z)
        return p > self.threshold(len(words)), p

    def malay_proba_from(self, x: np.ndarray) -> np.ndarray:
        """Malay probability from stacker inputs (:meth:`features`)."""
        return stack_proba(x, self.weights, self.bias)


def stack_proba(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """Logistic function of ``x @ weights + bias``."""
    s = np.clip(x @ weights + bias, -30.0, 30.0)
    return 1.0 / (1.0 + np.exp(-s))
