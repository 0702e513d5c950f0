"""English valence features: lexicon file, negation, model round trip, and the shipped models."""
from __future__ import annotations

import numpy as np
import pytest

from transforms.nlp.linear import FeatureConfig, LinearTextModel
from transforms.nlp.sentiment import SentimentModel
from transforms.nlp.valence import NEGATED_SCALE, VALENCE_FEATURES, ValenceFeatures, read_valences


def test_shipped_lexicon_is_english_valences() -> None:
    lex = read_valences()
    assert len(lex) > 7000
    assert lex["good"] > 1 and lex["best"] > 2 and lex["disappointed"] < -1 and lex["terrible"] < -2
    assert all(w.isalpha() and w == w.lower() and -4 <= v <= 4 for w, v in lex.items())


def test_features_sum_squash_and_scale() -> None:
    f = ValenceFeatures({"good": 2.0, "bad": -3.0, "great": 2.0}, scale=2.0)
    d = f.doc_vectors(["good great", "bad", "makanannya enak", ""])
    assert d.shape == (4, 2)
    assert np.allclose(d[0], [2.0 * np.tanh(1.0), 0.0])
    assert np.allclose(d[1], [0.0, 2.0 * np.tanh(0.75)])
    assert not d[2].any() and not d[3].any()  # no English valence word -> zero features


def test_negation_flips_and_damps() -> None:
    f = ValenceFeatures({"good": 2.0})
    pos, neg = f.text_valence("not good")
    assert pos == 0.0 and neg == pytest.approx(-2.0 * NEGATED_SCALE)
    assert f.text_valence("tidak good")[1] > 0  # Indonesian negators scope English words too (code-mixing)


def test_model_with_valence_round_trip(tmp_path) -> None:
    from transforms.nlp.sentiment import load_dense_features

    f = ValenceFeatures({"good": 2.0, "nice": 2.0, "bad": -2.5, "awful": -3.0}, scale=1.0)
    texts = ["makanan good", "tempat nice", "makanan bad", "tempat awful", "biasa saja", "ada di sana"] * 4
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 4
    m = LinearTextModel.fit(texts, labels, FeatureConfig(char_min=0, char_max=0, word_min=1, word_max=1), min_df=1,
                            dense=f.doc_vectors(texts), meta={"dense": VALENCE_FEATURES, "dense_scale": 1.0})
    assert m.dense_weights is not None and m.dense_weights.shape == (2, 3)
    pos, neg = (m.dense_weights[:, m.labels.index(lab)] for lab in ("positive", "negative"))
    assert pos[0] > neg[0] and neg[1] > pos[1]  # positive valence pushes positive, negative pushes negative
    m.save(tmp_path / "sentiment.npz")
    back = LinearTextModel.load(tmp_path / "sentiment.npz")
    dense = load_dense_features(back, tmp_path)
    assert isinstance(dense, ValenceFeatures) and dense.scale == 1.0
    # a word the n-grams never saw still counts through its valence (the shipped lexicon has "excellent")
    s = SentimentModel(back, emoji={}, vectors=dense)
    assert s.predict_normalized(["tempat excellent"])[0].positive > s.predict_normalized(["tempat itu"])[0].positive


def test_shipped_models_use_valence(sentiment) -> None:
    """The main model (English and regional posts) weighs the valences; the word model, which
    decides Indonesian and Malay posts, has none (they score exactly as without the lexicon)."""
    assert sentiment.model.meta.get("dense") == VALENCE_FEATURES and sentiment.model.dense_weights is not None
    assert sentiment.word_model.dense_weights is None
    assert isinstance(sentiment.vectors, ValenceFeatures)
    p = sentiment.model.dense_weights[:, [sentiment.model.labels.index(x) for x in ("positive", "negative")]]
    assert p[0, 0] > p[0, 1] and p[1, 1] > p[1, 0]


# Self-written English posts about Indonesian life (the kind NusaX-en's 500 sentences rarely cover),
# judged binary like the tweet sets. A sanity floor: the model before the lexicon passed them too
# (the gain is in the 3-class decision: README, "English words: a valence lexicon").
ENGLISH_POLAR = [
    ("Had the best nasi goreng of my life in Depok today", "positive"),
    ("Huge respect to the volunteers helping flood victims since dawn", "positive"),
    ("Honestly disappointed with the new toll road, it is already cracked", "negative"),
    ("The queue at the immigration office was a nightmare, such a waste of time", "negative"),
]


@pytest.mark.parametrize("text, gold", ENGLISH_POLAR)
def test_english_posts_polarity(sentiment, text: str, gold: str) -> None:
    r = sentiment.predict([text], ["en"])[0]
    assert ("positive" if r.positive >= r.negative else "negative") == gold, (text, r)
