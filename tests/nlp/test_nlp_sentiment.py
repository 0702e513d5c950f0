"""Sentiment model: contract and sanity on clear examples in several languages."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from transforms.nlp.sentiment import LABELS, SentimentResult

CLEAR = [
    ("id", "Makanannya enak sekali, pelayanannya ramah dan harganya murah. Sangat puas!", "positive"),
    ("id", "Pelayanan buruk, makanan dingin dan mahal. Sangat kecewa, tidak akan datang lagi.", "negative"),
    ("id", "gak nyangka pelayanannya mantap bgt, puas deh", "positive"),
    ("en", "The food was delicious and the staff were very friendly. I love this place!", "positive"),
    ("en", "Terrible service, the room was dirty and the staff were rude. Very disappointed.", "negative"),
    ("jv", "Panganane enak banget lan regane murah, aku seneng banget.", "positive"),
    ("su", "Tuangeunana ngeunah pisan, pelayananana oge sae, abdi resep pisan.", "positive"),
]


@pytest.mark.parametrize("lang, text, label", CLEAR)
def test_clear_examples(sentiment, lang: str, text: str, label: str) -> None:
    res = sentiment.predict([text], [lang])[0]
    assert res.label == label, (text, res)


def test_probabilities_contract(sentiment) -> None:
    out = sentiment.predict(["biasa saja", "", "😡😡"], ["id", "id", "und"])
    for r in out:
        assert isinstance(r, SentimentResult)
        assert r.label in LABELS
        assert math.isclose(r.positive + r.neutral + r.negative, 1.0, abs_tol=1e-4)
        assert r.score == max(r.positive, r.neutral, r.negative)
    assert set(out[0].as_dict()) == {"label", "score", "positive", "neutral", "negative"}


def test_emoji_carries_sentiment(sentiment) -> None:
    pos = sentiment.predict_normalized(["😍 😍"])[0]
    neg = sentiment.predict_normalized(["😡 😡"])[0]
    assert pos.label == "positive" and neg.label == "negative"
    base = sentiment.predict_normalized(["makanannya"])[0]
    plus = sentiment.predict_normalized(["makanannya 😍"])[0]
    assert plus.positive > base.positive


def test_deterministic(sentiment) -> None:
    texts = [t for _, t, _ in CLEAR]
    assert sentiment.predict(texts) == sentiment.predict(texts)


def test_mark_negation() -> None:
    from transforms.nlp.sentiment import mark_negation

    assert mark_negation("makanannya tidak enak sama sekali") == "makanannya tidak neg_enak neg_sama sekali"
    assert mark_negation("gak bagus , tapi murah") == "gak neg_bagus , tapi murah"
    assert mark_negation("enak banget") == "enak banget"


# Self-written informal posts (not from any corpus); judged like the held-out tweet sets:
# positive vs negative probability. The model before EmoT called the first one negative (0.92).
INFORMAL_POLAR = [
    ("wkwk gokil sih ini, ngakak parah", "positive"),
    ("seneng bgt akhirnya lulus juga, makasih semuanya 😍", "positive"),
    ("love banget sama lagu barunya, auto repeat terus", "positive"),
    ("kangen bgt sama kalian, sehat2 ya", "positive"),
    ("sumpah nyesel bgt beli di sini, barangnya rusak", "negative"),
    ("takut bgt pulang malem lewat jalan itu, sepi", "negative"),
    ("kesel bgt antrian ga maju2 dari tadi", "negative"),
    ("Tiap tahun banjir, tiap tahun janji. Semarang capek 🙄", "negative"),
]


def test_informal_posts_polarity(enricher) -> None:
    outs = enricher.enrich_batch([{"text": t} for t, _ in INFORMAL_POLAR])
    for (text, gold), out in zip(INFORMAL_POLAR, outs):
        s = out["sentiment"]
        assert s is not None, text
        assert ("positive" if s["positive"] >= s["negative"] else "negative") == gold, (text, s)


def test_demo_sample_floor(model_dir) -> None:
    """Held-out check on text no model was trained on: the demo sample's own labels (synthetic
    template posts, devtools.sample). Shipped model: macro-F1 0.65 on its 900 Indonesian posts,
    binary (positive vs negative probability) 0.84 on all polar posts; the floors sit ~3 points below."""
    from devtools.sample.posts import generate_labelled
    from transforms.nlp.training.data_io import LabelledText
    from transforms.nlp.training.evaluate import evaluate_sentiment

    rows = [LabelledText(p["text"], lab["sentiment"], "id" if lab["lang"] == "id-en" else lab["lang"], "")
            for p, lab in generate_labelled() if p.get("text")]
    res = evaluate_sentiment(rows, str(model_dir))
    assert res["per_language"]["id"]["macro_f1"] >= 0.62, res["per_language"]["id"]
    assert res["binary_macro_f1"] >= 0.80, res["binary_macro_f1"]


# Self-written informal neutral questions / remarks (issue 12). With EmoT's hard polarity labels the
# model gave them a neutral probability of 0.001-0.045 (negative 0.99, 0.99, 0.61); EmoT rows now
# state polarity only (train.EMOT_NEUTRAL), which gave 0.14, 0.07, 0.33; with the teacher-labelled
# news sentences (sixth round) 0.09, 0.05, 0.32 (negative 0.90, 0.94, 0.44), a slight step back that
# the larger measurements do not show (CV demo neutral recall 0.564 -> 0.576). They are still called
# negative: this pins the direction against the hard labels, not a solved problem.
INFORMAL_NEUTRAL = [
    "Tarif KRL katanya mau pake NIK ya? ada yg udh baca aturannya?",
    "IKN sekarang progresnya udh sampe mana siiiih? ada yg baru dari sana?",
    "ngopi dulu biar waras, abis itu lanjut kerja 🙂",
]


def test_informal_neutral_posts_keep_some_neutral(sentiment) -> None:
    for text in INFORMAL_NEUTRAL:
        r = sentiment.predict([text], ["id"])[0]
        assert r.neutral >= 0.04, (text, r)
    assert sentiment.predict([INFORMAL_NEUTRAL[0]], ["id"])[0].negative < 0.95


def test_demo_sample_neutral_recall(model_dir) -> None:
    """The demo sample's Indonesian neutral posts: recall 0.35 with hard EmoT labels, 0.62 now
    (production path, language from langid); the floor sits ~5 points below."""
    from devtools.sample.posts import generate_labelled
    from transforms.nlp.training.data_io import LabelledText
    from transforms.nlp.training.evaluate import evaluate_sentiment

    rows = [LabelledText(p["text"], lab["sentiment"], "id" if lab["lang"] == "id-en" else lab["lang"], "")
            for p, lab in generate_labelled() if p.get("text")]
    res = evaluate_sentiment(rows, str(model_dir))
    assert res["per_language"]["id"]["per_class"]["neutral"]["r"] >= 0.57, res["per_language"]["id"]


def test_news_sentences_are_not_all_neutral(model_dir) -> None:
    """Self-written news sentences (tests/nlp/data/news_sentiment_check.jsonl): 0.387 macro-F1 before
    the teacher-labelled news rows, 0.447 with them (production path). News stays the weak register;
    this pins the direction."""
    from transforms.nlp.training.evaluate import evaluate_sentiment, load_labelled

    rows = load_labelled(Path(__file__).parent / "data" / "news_sentiment_check.jsonl", "jsonl", "sentiment", None)
    assert len(rows) == 73 and {r.register for r in rows} == {"news"}
    res = evaluate_sentiment(rows, str(model_dir))
    assert res["per_register"]["news"]["macro_f1"] >= 0.42, res["per_register"]["news"]
    assert res["per_register"]["news"]["per_class"]["negative"]["r"] >= 0.3
