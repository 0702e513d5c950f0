"""Static word vectors: document features and persistence; the shipped table when present."""
from __future__ import annotations

import numpy as np
import pytest

from transforms.nlp.linear import FeatureConfig, LinearTextModel
from transforms.nlp.wordvec import WORDVEC_FILE, WordVectors


def _toy() -> WordVectors:
    raw = np.random.default_rng(0).normal(size=(6, 16)).astype(np.float32)
    return WordVectors.from_raw(["bagus", "jelek", "mantap", "kecewa", "banjir", "macet"], raw, dim=4, scale=2.0)


def test_doc_vectors_mean_normalized_and_scaled() -> None:
    wv = _toy()
    d = wv.doc_vectors(["bagus mantap", "tidakada kata", "", "bagus"])
    assert d.shape == (4, 4)
    assert np.allclose(np.linalg.norm(d[0]), 2.0, atol=1e-5)
    assert not d[1].any() and not d[2].any()  # no known word -> zero features
    expected = wv.vectors[wv.index["bagus"]] + wv.vectors[wv.index["mantap"]]
    assert np.allclose(d[0], 2.0 * expected / np.linalg.norm(expected), atol=1e-5)


def test_save_load_roundtrip(tmp_path) -> None:
    wv = _toy()
    wv.save(tmp_path / WORDVEC_FILE)
    back = WordVectors.load(tmp_path / WORDVEC_FILE)
    assert back.words == wv.words and back.scale == wv.scale
    assert np.allclose(back.vectors, wv.vectors, atol=1e-3)  # float16 on disk


def test_linear_model_with_dense_features(tmp_path) -> None:
    wv = _toy()
    texts = ["bagus mantap", "mantap bagus sekali", "jelek kecewa", "kecewa jelek banget"] * 3
    labels = ["positive", "positive", "negative", "negative"] * 3
    m = LinearTextModel.fit(texts, labels, FeatureConfig(char_min=0, char_max=0, word_min=1, word_max=1),
                            min_df=1, dense=wv.doc_vectors(texts))
    assert m.dense_weights is not None and m.dense_weights.shape == (4, 2)
    m.save(tmp_path / "m.npz")
    back = LinearTextModel.load(tmp_path / "m.npz")
    assert np.allclose(back.dense_weights, m.dense_weights)
    with pytest.raises(ValueError):
        back.decision(["bagus"])  # dense features are required
    assert back.predict(["mantap"], wv.doc_vectors(["mantap"])) == ["positive"]


def test_shipped_sentiment_has_the_vectors_it_needs(sentiment) -> None:
    for m in (sentiment.model, sentiment.word_model):
        if m is not None and m.dense_weights is not None:
            assert sentiment.vectors is not None
            assert m.dense_weights.shape[0] == sentiment.vectors.dim
