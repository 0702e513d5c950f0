"""Word vectors predicted from hashed character n-grams, for words outside the NER vector table.

The NER model's static vectors (``models/ner_vectors.npz``) cover 44,844 lower-case words; any
other word used to get a zero vector. :class:`SubwordVectors` predicts a vector for any word as
the mean of the rows of its character 2-5-grams (of ``"<word>"``, lower-cased, with boundary
marks), each n-gram hashed with ``zlib.crc32`` into ``n_buckets`` rows. The bucket matrix is fitted
at build time by ridge regression so that the predicted vectors of the table's words match their
table rows (``train.py --only ner_subword``, saved as ``models/ner_subword.npz``, float16).

:class:`OovVectorCache` puts predicted vectors into a spaCy ``Vectors`` table for the words of
incoming docs that the table lacks, in a bounded block of extra rows that is reused oldest-first
when full. Inference needs numpy only (scipy is imported by :meth:`SubwordVectors.fit` alone).
"""
from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["SubwordVectors", "OovVectorCache", "SUBWORD_FILE", "ngram_buckets", "N_BUCKETS", "MIN_N", "MAX_N"]

#: File (in the model dir) holding the fitted bucket matrix.
SUBWORD_FILE = "ner_subword.npz"
N_BUCKETS = 50_000
MIN_N, MAX_N = 2, 5


def ngram_buckets(word: str, n_buckets: int = N_BUCKETS, min_n: int = MIN_N, max_n: int = MAX_N) -> list[int]:
    """Bucket ids of the character ``min_n``-``max_n``-grams of ``"<" + word.lower() + ">"``.

    The hash is CRC-32 of the UTF-8 bytes, so ids are the same in every process and release."""
    s = f"<{word.lower()}>"
    out = []
    for n in range(min_n, max_n + 1):
        for i in range(len(s) - n + 1):
            out.append(zlib.crc32(s[i:i + n].encode("utf-8")) % n_buckets)
    return out


def _design(words: Sequence[str], n_buckets: int, min_n: int, max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat bucket ids of all ``words`` and the start offset of each word (len(words) + 1)."""
    ids: list[int] = []
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    for k, w in enumerate(words):
        ids.extend(ngram_buckets(w, n_buckets, min_n, max_n))
        offsets[k + 1] = len(ids)
    return np.asarray(ids, dtype=np.int64), offsets


class SubwordVectors:
    """A bucket matrix (``n_buckets`` x ``dim``): a word's vector is the mean of its n-gram rows.

    A loaded matrix stays float16 in memory (12.8 MB instead of 25.6); sums are taken in float32."""

    def __init__(self, matrix: np.ndarray, min_n: int = MIN_N, max_n: int = MAX_N, meta: dict | None = None):
        matrix = np.asarray(matrix)
        self.matrix = matrix if matrix.dtype in (np.float16, np.float32) else matrix.astype(np.float32)
        self.min_n, self.max_n = int(min_n), int(max_n)
        self.meta = dict(meta or {})

    @property
    def n_buckets(self) -> int:
        return self.matrix.shape[0]

    @property
    def dim(self) -> int:
        return self.matrix.shape[1]

    def predict(self, words: Sequence[str]) -> np.ndarray:
        """Predicted vectors (float32, one row per word)."""
        out = np.zeros((len(words), self.dim), dtype=np.float32)
        if not len(words):
            return out
        ids, offsets = _design(words, self.n_buckets, self.min_n, self.max_n)
        counts = np.diff(offsets)
        nonempty = counts > 0
        if ids.size:
            sums = np.add.reduceat(self.matrix[ids].astype(np.float32), offsets[:-1][nonempty], axis=0)
            out[nonempty] = sums / counts[nonempty, None]
        return out

    def save(self, path: str | Path) -> None:
        """Write the matrix as float16 with a JSON header."""
        header = {"min_n": self.min_n, "max_n": self.max_n, "hash": "crc32", **self.meta}
        np.savez_compressed(path, matrix=self.matrix.astype(np.float16), header=np.array(json.dumps(header)))

    @classmethod
    def load(cls, path: str | Path) -> SubwordVectors:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            return cls(z["matrix"], header.get("min_n", MIN_N), header.get("max_n", MAX_N), header)

    @classmethod
    def fit(cls, words: Sequence[str], vectors: np.ndarray, n_buckets: int = N_BUCKETS, l2: float = 1.0,
            min_n: int = MIN_N, max_n: int = MAX_N, iters: int = 300, tol: float = 1e-4) -> SubwordVectors:
        """Ridge regression of ``vectors`` on the mean n-gram indicators of ``words`` (build time;
        needs scipy): minimises ``|X M - Y|^2 + l2 |M|^2`` by conjugate gradients, all columns at once."""
        from scipy import sparse

        ids, offsets = _design(words, n_buckets, min_n, max_n)
        counts = np.diff(offsets)
        rows = np.repeat(np.arange(len(words)), counts)
        vals = np.repeat(1.0 / np.maximum(counts, 1), counts)
        x = sparse.csr_matrix((vals, (rows, ids)), shape=(len(words), n_buckets))
        xt = x.T.tocsr()
        y = np.asarray(vectors, dtype=np.float64)
        b = xt @ y
        m = np.zeros((n_buckets, y.shape[1]))
        r = b.copy()
        p = r.copy()
        rs = (r * r).sum(0)
        b_norm = np.sqrt((b * b).sum(0)) + 1e-12
        for _ in range(iters):
            ap = xt @ (x @ p) + l2 * p
            alpha = rs / np.maximum((p * ap).sum(0), 1e-30)
            m += p * alpha
            r -= ap * alpha
            rs_new = (r * r).sum(0)
            if np.all(np.sqrt(rs_new) / b_norm < tol):
                break
            p = r + p * (rs_new / np.maximum(rs, 1e-30))
            rs = rs_new
        return cls(m.astype(np.float32), min_n, max_n, {"n_buckets": n_buckets, "l2": l2, "n_words": len(words)})


class OovVectorCache:
    """Adds predicted vectors to a spaCy ``Vectors`` table for words it lacks.

    ``table`` must have ``capacity`` spare rows after ``base_rows`` (see
    ``entities.attach_vectors``). A token whose text is no key of the table gets a row: the row of
    its lower-case form when the table has that, otherwise :meth:`SubwordVectors.predict`. Rows
    are reused oldest-first once all ``capacity`` are taken. Thread-safe (one lock)."""

    def __init__(self, table, subword: SubwordVectors, base_rows: int, capacity: int):
        self.table = table
        self.subword = subword
        self.base_rows = int(base_rows)
        self.capacity = int(capacity)
        self._slots: OrderedDict[int, int] = OrderedDict()  # key -> row, oldest first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._slots)

    def add_tokens(self, tokens: Iterable[tuple[int, int, str]]) -> int:
        """Give a row to every ``(orth key, lower key, text)`` the table lacks; returns how many."""
        key2row = self.table.key2row
        with self._lock:
            todo: dict[int, tuple[int, str]] = {}
            for key, lower, text in tokens:
                if key not in key2row and key not in todo:
                    todo[key] = (lower, text)
            if not todo:
                return 0
            items = list(todo.items())[-self.capacity:]
            data = self.table.data
            predict = [(key, text) for key, (lower, text) in items if lower not in key2row]
            predicted = dict(zip((k for k, _ in predict), self.subword.predict([t for _, t in predict])))
            for key, (lower, _) in items:
                vec = predicted[key] if key in predicted else data[key2row[lower]]
                if len(self._slots) < self.capacity:
                    row = self.base_rows + len(self._slots)
                else:
                    old, row = self._slots.popitem(last=False)
                    key2row.pop(old, None)
                data[row] = vec
                key2row[key] = row
                self._slots[key] = row
            return len(items)

    def add_docs(self, docs: Iterable) -> int:
        """:meth:`add_tokens` for the tokens of spaCy docs."""
        return self.add_tokens((t.orth, t.lower, t.text) for doc in docs for t in doc)
