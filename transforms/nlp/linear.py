"""Small n-gram linear text classifiers (numpy at inference, scipy only for training).

A text (already normalized, space-separated tokens) is decomposed into *items*: each token
and, when the config asks for them, each word n-gram (n >= 2). An item's features are

* a token: its word feature ``w:<token>`` and the character n-grams of `` <token> ``;
* a word n-gram: the single feature ``w:<a b>``.

The document vector is the sum of its items' IDF-weighted count vectors divided by
``sqrt(sum of the items' squared norms)`` (an L2-style length normalization that ignores
overlap between items). Because of that decomposition the model's score is a sum of
per-item scores, which are cached per distinct item: scoring a post costs a few dict
look-ups per token. Model: multinomial logistic regression with an L2 penalty, fitted
with L-BFGS. A model is stored as one ``.npz`` (vocabulary, IDF, float16 weights, config).
"""
from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["FeatureConfig", "LinearTextModel", "item_keys", "item_features"]

_CACHE_LIMIT = 300_000  # distinct cached items before the cache is reset


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams to extract from a whitespace-tokenized text."""

    char_min: int = 1
    char_max: int = 5
    word_min: int = 1
    word_max: int = 2
    max_word_chars: int = 40  # longer tokens are cut before char n-grams


def item_keys(words: Sequence[str], cfg: FeatureConfig) -> list[str]:
    """Tokens plus word n-grams (joined by a space) of a token list."""
    keys = list(words)
    for n in range(max(cfg.word_min, 2), cfg.word_max + 1):
        keys.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return keys


def item_features(key: str, cfg: FeatureConfig) -> list[str]:
    """Feature strings of one item (see module doc)."""
    if " " in key:
        return ["w:" + key]
    feats = ["w:" + key] if cfg.word_min <= 1 <= cfg.word_max else []
    if cfg.char_max >= 1:
        padded = " " + key[: cfg.max_word_chars] + " "
        length = len(padded)
        for n in range(max(cfg.char_min, 2), min(cfg.char_max, length) + 1):
            feats.extend(padded[i : i + n] for i in range(length - n + 1))
        if cfg.char_min <= 1:  # single characters, without the padding spaces
            feats.extend(key[: cfg.max_word_chars])
    return feats


@dataclass
class LinearTextModel:
    """A vocabulary + IDF + multinomial logistic-regression classifier over item sums."""

    labels: list[str]
    cfg: FeatureConfig
    vocab: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray  # (n_features, n_labels)
    bias: np.ndarray  # (n_labels,)
    meta: dict = field(default_factory=dict)
    #: weights of optional dense document features (e.g. averaged word vectors), (n_dense, n_labels)
    dense_weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._reset_cache()

    # -------------------------------------------------------------------- items
    def _reset_cache(self) -> None:
        if not hasattr(self, "_lock"):
            self._lock = threading.Lock()  # the item cache is shared by threads (e.g. Beam bundles)
        k = len(self.labels)
        self._ids: dict[str, int] = {}
        self._scores = np.zeros((1024, k), dtype=np.float32)  # row 0 is the zero item
        self._sq = np.zeros(1024, dtype=np.float32)
        self._n = 1

    def item_vector(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, IDF-weighted counts) of one item."""
        counts: dict[int, int] = {}
        get = self.vocab.get
        for f in item_features(key, self.cfg):
            j = get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float32, count=len(counts)) * self.idf[idx]
        return idx, vals

    def _item_id(self, key: str) -> int:
        j = self._ids.get(key)
        if j is not None:
            return j
        if self._n >= len(self._sq):
            self._scores = np.concatenate([self._scores, np.zeros_like(self._scores)])
            self._sq = np.concatenate([self._sq, np.zeros_like(self._sq)])
        j = self._n
        if " " in key or self.cfg.char_max < 1:  # one feature (word or word n-gram): no vector needed
            f = self.vocab.get("w:" + key) if (" " in key or self.cfg.word_min <= 1 <= self.cfg.word_max) else None
            if f is not None:
                v = self.idf[f]
                self._scores[j] = self.weights[f] * v
                self._sq[j] = float(v * v)
        else:
            idx, vals = self.item_vector(key)
            if idx.size:
                self._scores[j] = vals @ self.weights[idx]
                self._sq[j] = float(vals @ vals)
        self._ids[key] = j
        self._n += 1
        return j

    # ---------------------------------------------------------------- inference
    def decision_items(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Raw class scores for documents given as item-key lists, shape (len(docs), n_labels)."""
        if not docs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        with self._lock:
            if self._n > _CACHE_LIMIT:
                self._reset_cache()
            flat: list[int] = []
            offsets: list[int] = []
            item_id = self._item_id
            cached = self._ids.get  # ids start at 1 (row 0 is the zero item), so `or` falls through on a miss
            for keys in docs:
                offsets.append(len(flat))
                flat.append(0)
                flat.extend([cached(k) or item_id(k) for k in keys])
            ids = np.asarray(flat, dtype=np.int64)
            off = np.asarray(offsets, dtype=np.int64)
            s = np.add.reduceat(self._scores[ids], off, axis=0)
            sq = np.add.reduceat(self._sq[ids], off)
        norm = np.sqrt(np.maximum(sq, 1e-12))[:, None]
        return (s / norm + self.bias).astype(np.float32)

    def decision(self, texts: Sequence[str], dense: np.ndarray | None = None) -> np.ndarray:
        """Raw class scores, shape (len(texts), n_labels); ``dense``: the texts' dense features
        (required when the model was fitted with them)."""
        z = self.decision_items([item_keys(t.split(), self.cfg) for t in texts])
        if self.dense_weights is not None:
            if dense is None:
                raise ValueError("this model needs dense features")
            z += (dense @ self.dense_weights).astype(np.float32)
        return z

    @staticmethod
    def softmax(z: np.ndarray) -> np.ndarray:
        """Row-wise softmax (new array)."""
        z = z - z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def predict_proba(self, texts: Sequence[str], dense: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, shape (len(texts), n_labels), rows sum to 1."""
        return self.softmax(self.decision(texts, dense))

    def predict(self, texts: Sequence[str], dense: np.ndarray | None = None) -> list[str]:
        """Most probable label per text."""
        return [self.labels[i] for i in self.decision(texts, dense).argmax(axis=1)]

    # -------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the model as a compressed ``.npz`` (float16 weights)."""
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        extra = {} if self.dense_weights is None else {"dense_weights": self.dense_weights.astype(np.float32)}
        np.savez_compressed(
            path,
            terms=np.array("\x00".join(terms)),
            idf=self.idf.astype(np.float16),
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            header=np.array(json.dumps({"labels": self.labels, "cfg": asdict(self.cfg), "meta": self.meta})),
            **extra,
        )

    @classmethod
    def load(cls, path: str | Path) -> LinearTextModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            joined = str(z["terms"])
            terms = joined.split("\x00") if joined else []
            return cls(
                labels=list(header["labels"]),
                cfg=FeatureConfig(**header["cfg"]),
                vocab={t: i for i, t in enumerate(terms)},
                idf=z["idf"].astype(np.float32),
                weights=z["weights"].astype(np.float32),
                bias=z["bias"].astype(np.float32),
                meta=header.get("meta", {}),
                dense_weights=z["dense_weights"].astype(np.float32) if "dense_weights" in z.files else None,
            )

    # ----------------------------------------------------------------- training
    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        cfg: FeatureConfig,
        *,
        c: float = 10.0,
        min_df: int = 2,
        max_features: int | None = 300_000,
        sample_weight: Sequence[float] | None = None,
        label_order: Iterable[str] | None = None,
        max_iter: int = 300,
        meta: dict | None = None,
        dense: np.ndarray | None = None,
        soft_targets: np.ndarray | None = None,
    ) -> LinearTextModel:
        """Fit vocabulary, IDF and an L2-regularized multinomial logistic regression.

        ``c`` is the inverse regularization strength (loss summed over samples, penalty
        ``0.5 * ||W||^2 / c``). Deterministic for the same inputs. ``dense`` (n_texts, n_dense):
        extra dense features fitted jointly (their weights become ``dense_weights``);
        ``soft_targets`` (n_texts, n_labels in ``label_order``): rows used instead of the one-hot
        labels (e.g. a teacher's probabilities), cross-entropy against them.
        """
        from scipy import sparse
        from scipy.optimize import minimize

        label_list = list(label_order) if label_order is not None else sorted(set(labels))
        y = np.array([label_list.index(l) for l in labels])
        docs = [item_keys(t.split(), cfg) for t in texts]
        feat_cache: dict[str, list[str]] = {}
        df: dict[str, int] = {}
        for keys in docs:
            seen: set[str] = set()
            for k in keys:
                fs = feat_cache.get(k)
                if fs is None:
                    fs = feat_cache[k] = item_features(k, cfg)
                seen.update(fs)
            for f in seen:
                df[f] = df.get(f, 0) + 1
        kept = [f for f, n in df.items() if n >= min_df]
        kept.sort(key=lambda f: (-df[f], f))
        if max_features is not None:
            kept = kept[:max_features]
        kept.sort()
        vocab = {f: i for i, f in enumerate(kept)}
        n_docs, n_cls = len(docs), len(label_list)
        idf = np.array([math.log((1 + n_docs) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32)
        model = cls(label_list, cfg, vocab, idf, np.zeros((len(kept), n_cls), np.float32),
                    np.zeros(n_cls, np.float32), dict(meta or {}))
        vec_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        rows, cols, vals = [], [], []
        for i, keys in enumerate(docs):
            parts = []
            for k in keys:
                v = vec_cache.get(k)
                if v is None:
                    v = vec_cache[k] = model.item_vector(k)
                parts.append(v)
            if not parts:
                continue
            idx = np.concatenate([p[0] for p in parts])
            val = np.concatenate([p[1] for p in parts]).astype(np.float64)
            sq = sum(float(p[1] @ p[1]) for p in parts)
            if sq <= 0:
                continue
            rows.append(np.full(idx.size, i))
            cols.append(idx)
            vals.append(val / math.sqrt(sq))
        x = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_docs, len(kept)), dtype=np.float64,
        )  # duplicate (row, col) entries are summed
        n_sparse = x.shape[1]
        if dense is not None:
            x = sparse.hstack([x, sparse.csr_matrix(np.asarray(dense, dtype=np.float64))], format="csr")
        onehot = np.zeros((n_docs, n_cls))
        onehot[np.arange(n_docs), y] = 1.0
        if soft_targets is not None:
            onehot = np.asarray(soft_targets, dtype=np.float64)
        sw = np.ones(n_docs) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        d = x.shape[1]
        xt = x.T.tocsr()

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w = theta[: d * n_cls].reshape(d, n_cls)
            b = theta[d * n_cls :]
            z = x @ w + b
            z -= z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -(sw * (onehot * logp).sum(axis=1)).sum() + 0.5 * (w * w).sum() / c
            g = (np.exp(logp) - onehot) * sw[:, None]
            gw = xt @ g + w / c
            return loss, np.concatenate([np.asarray(gw).ravel(), g.sum(axis=0)])

        res = minimize(objective, np.zeros(d * n_cls + n_cls), jac=True, method="L-BFGS-B",
                       options={"maxiter": max_iter})
        w = res.x[: d * n_cls].reshape(d, n_cls)
        model.weights = w[:n_sparse].astype(np.float32)
        model.dense_weights = w[n_sparse:].astype(np.float32) if dense is not None else None
        model.bias = res.x[d * n_cls :].astype(np.float32)
        model._reset_cache()
        return model
