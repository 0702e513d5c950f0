"""The n-gram linear classifier: training, caching consistency, persistence."""
from __future__ import annotations

import numpy as np

from transforms.nlp.linear import FeatureConfig, LinearTextModel, item_features, item_keys


def test_item_keys_and_features() -> None:
    cfg = FeatureConfig(char_min=1, char_max=3, word_min=1, word_max=2)
    assert item_keys(["a", "b", "c"], cfg) == ["a", "b", "c", "a b", "b c"]
    feats = item_features("ab", cfg)
    assert "w:ab" in feats and " a" in feats and "ab " in feats and " ab" in feats
    assert item_features("a b", cfg) == ["w:a b"]


def _toy():
    pos = ["bagus sekali", "enak banget", "sangat bagus enak", "mantap bagus", "suka sekali enak"]
    neg = ["jelek sekali", "tidak enak", "buruk jelek", "sangat buruk", "kecewa jelek"]
    return pos + neg, ["pos"] * 5 + ["neg"] * 5


def test_fit_predict_and_roundtrip(tmp_path) -> None:
    texts, labels = _toy()
    cfg = FeatureConfig(char_min=2, char_max=4, word_min=1, word_max=2)
    model = LinearTextModel.fit(texts, labels, cfg, c=10.0, min_df=1)
    assert model.predict(["bagus enak", "jelek buruk"]) == ["pos", "neg"]
    p = model.predict_proba(["bagus", "", "zzzz qqq"])
    assert p.shape == (3, 2) and np.allclose(p.sum(axis=1), 1.0)
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = LinearTextModel.load(path)
    assert loaded.labels == model.labels and loaded.cfg == cfg
    assert np.allclose(loaded.predict_proba(["bagus enak"]), model.predict_proba(["bagus enak"]), atol=1e-2)


def test_cached_scores_equal_uncached() -> None:
    texts, labels = _toy()
    model = LinearTextModel.fit(texts, labels, FeatureConfig(1, 4, 1, 2), min_df=1)
    first = model.decision(["bagus sekali enak", "tidak enak"])
    model._reset_cache()
    again = model.decision(["tidak enak", "bagus sekali enak"])
    assert np.allclose(first, again[::-1], atol=1e-6)
    # batch composition must not change a document's score
    alone = model.decision(["bagus sekali enak"])
    assert np.allclose(alone[0], first[0], atol=1e-6)
