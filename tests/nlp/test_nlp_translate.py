"""Word-by-word regional -> Indonesian translation and its use by the sentiment model."""
from __future__ import annotations

import numpy as np

from transforms.nlp.linear import FeatureConfig, LinearTextModel
from transforms.nlp.sentiment import LABELS, SentimentModel
from transforms.nlp.training.data_io import LabelledText
from transforms.nlp.training.translate_build import dictionaries_from_rows, parallel_pairs
from transforms.nlp.translate import learn_dictionary, load_dictionaries, translate, write_dictionaries

# A tiny self-written Javanese-like / Indonesian parallel set.
PARALLEL = [
    ("aku seneng banget", "saya suka sekali"),
    ("aku ora seneng", "saya tidak suka"),
    ("panganane enak banget", "makanannya enak sekali"),
    ("panganane ora enak", "makanannya tidak enak"),
    ("aku mangan sate", "saya makan sate"),
    ("sate enak banget", "sate enak sekali"),
]


def _pairs() -> list[tuple[list[str], list[str]]]:
    return [(a.split(), b.split()) for a, b in PARALLEL]


def test_learn_dictionary_aligns_words() -> None:
    table = learn_dictionary(_pairs())
    assert table["aku"] == "saya"
    assert table["ora"] == "tidak"
    assert table["banget"] == "sekali"
    assert table["panganane"] == "makanannya"
    # shared words map to themselves, so they get no entry
    assert "enak" not in table and "sate" not in table


def test_learn_dictionary_thresholds_and_punctuation() -> None:
    pairs = _pairs() + [(["!", "mangan", "?"], ["!", "makan", "?"])]
    table = learn_dictionary(pairs)
    assert "!" not in table and "?" not in table
    strict = learn_dictionary(pairs, min_count=3)
    assert "aku" in strict and "mangan" not in strict  # "mangan" occurs twice
    assert learn_dictionary(pairs) == learn_dictionary(list(reversed(pairs)))  # order does not matter


def test_translate_keeps_unknown_words() -> None:
    table = {"aku": "saya", "ora": "tidak"}
    assert translate("aku ora weruh !", table) == "saya tidak weruh !"
    assert translate("", table) == ""


def test_dictionary_file_roundtrip(tmp_path) -> None:
    path = tmp_path / "d.tsv"
    n = write_dictionaries({"jv": {"aku": "saya", "sate": "sate"}, "su": {"abdi": "saya"}}, path, "# header\n")
    assert n == 2  # the identity entry is not written
    assert load_dictionaries(path) == {"jv": {"aku": "saya"}, "su": {"abdi": "saya"}}
    assert load_dictionaries(tmp_path / "missing.tsv") == {}


def test_parallel_pairs_group_by_sentence() -> None:
    rows = [LabelledText("Aku seneng", "positive", "jv", "n:train:1"),
            LabelledText("Saya suka", "positive", "id", "n:train:1"),
            LabelledText("Abdi resep", "positive", "su", "n:train:2"),  # no Indonesian row: skipped
            LabelledText("Ora enak", "negative", "jv", "n:train:3"),
            LabelledText("Tidak enak", "negative", "id", "n:train:3")]
    pairs = parallel_pairs(rows, ["jv", "su"])
    assert pairs["jv"] == [(["aku", "seneng"], ["saya", "suka"]), (["ora", "enak"], ["tidak", "enak"])]
    assert pairs["su"] == []
    assert dictionaries_from_rows(rows, ["jv"])["jv"]["ora"] == "tidak"


def _toy_model() -> LinearTextModel:
    """Word model that only knows Indonesian polarity words."""
    texts = ["suka sekali", "bagus", "tidak suka", "buruk", "biasa", "ada"] * 3
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 3
    return LinearTextModel.fit(texts, labels, FeatureConfig(char_min=0, char_max=0, word_min=1, word_max=1),
                               c=10.0, label_order=list(LABELS))


def test_regional_post_uses_translated_path() -> None:
    model = _toy_model()
    plain = SentimentModel(model, emoji={})
    trans = SentimentModel(model, emoji={}, translations={"jv": {"seneng": "suka", "banget": "sekali"}},
                           translate_blend=1.0)
    text = "aku seneng banget"
    # unknown regional words: the direct model has no evidence; the translation makes it positive
    assert plain.predict_normalized([text], ["jv"])[0].label != "positive"
    assert trans.predict_normalized([text], ["jv"])[0].label == "positive"
    # same as scoring the translation as Indonesian; other languages are untouched
    assert trans.predict_normalized([text], ["jv"]) == plain.predict_normalized(["aku suka sekali"], ["id"])
    assert trans.predict_normalized([text], ["id"]) == plain.predict_normalized([text], ["id"])
    half = SentimentModel(model, emoji={}, translations=trans.translations, translate_blend=0.5)
    p = [half.predict_normalized([text], ["jv"])[0], plain.predict_normalized([text], ["jv"])[0],
         trans.predict_normalized([text], ["jv"])[0]]
    assert np.isclose(p[0].positive, 0.5 * (p[1].positive + p[2].positive), atol=1e-5)


def test_shipped_dictionaries_load() -> None:
    tables = load_dictionaries()
    assert set(tables) == {"ace", "ban", "bbc", "bjn", "bug", "jv", "mad", "min", "nij", "su"}
    assert tables["jv"].get("aku") == "saya"
    assert all(len(t) > 100 for t in tables.values())
