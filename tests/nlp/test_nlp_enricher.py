"""Enricher facade: output contract, offsets, odd input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

KEYS = {"text_normalized", "language", "sentiment", "entities", "places_mentioned", "enrichment_skipped"}
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "avro" / "enriched_post.avsc"


def _check(out: dict, text: str) -> None:
    assert set(out) == KEYS
    assert isinstance(out["text_normalized"], str)
    lang = out["language"]
    assert set(lang) == {"code", "confidence", "mixed", "secondary"}
    assert isinstance(lang["code"], str) and 0.0 <= lang["confidence"] <= 1.0
    assert isinstance(lang["mixed"], bool)
    if out["sentiment"] is not None:
        s = out["sentiment"]
        assert set(s) == {"label", "score", "positive", "neutral", "negative"}
        assert s["label"] in {"positive", "neutral", "negative"}
        assert abs(s["positive"] + s["neutral"] + s["negative"] - 1.0) < 1e-3
    for e in out["entities"]:
        assert set(e) == {"text", "label", "canonical", "start", "end", "source"}
        assert e["label"] in {"PER", "ORG", "LOC"} and e["source"] in {"model", "gazetteer"}
        assert text[e["start"] : e["end"]] == e["text"]
    for p in out["places_mentioned"]:
        assert set(p) == {"name", "level", "province", "lat", "lon"}
        assert any(e["label"] == "LOC" and e["canonical"] == p["name"] for e in out["entities"])
    assert all(isinstance(r, str) for r in out["enrichment_skipped"])
    json.dumps(out)  # serializable


def test_contract_and_offsets(enricher) -> None:
    posts = [
        {"text": "Gak nyangka pelayanan Kominfo cepet bgt 👍 #PelayananPublik, kata Pak Budi di Jakarta"},
        {"text": "  Banjir lagi di Bekasi!!! Pemkot ke mana aja?? @pemkotbekasi https://t.co/x", "lang_hint": "id"},
        {"text": "Just landed in Bali, the people in Denpasar are so friendly!"},
    ]
    outs = enricher.enrich_batch(posts)
    assert len(outs) == len(posts)
    for p, o in zip(posts, outs):
        _check(o, p["text"])
    assert outs[0]["language"]["code"] == "id"
    assert outs[0]["text_normalized"].startswith("tidak nyangka pelayanan kominfo cepat banget 👍")
    assert any(e["canonical"] == "Kementerian Komunikasi dan Informatika" for e in outs[0]["entities"])
    assert outs[2]["language"]["code"] == "en"


def test_schema_field_names_match(enricher) -> None:
    schema = json.loads(SCHEMA.read_text())
    names = {f["name"] for f in schema["fields"]}
    assert KEYS <= names


@pytest.mark.parametrize(
    "post, reason",
    [
        ({"text": ""}, "sentiment:empty_text"),
        ({"text": None}, "sentiment:empty_text"),
        ({}, "sentiment:empty_text"),
        ({"text": "😍😍😍"}, "ner:unsupported_language:und"),
        ({"text": "Aku wis tekan omah, sesuk arep lunga menyang pasar karo ibuku."}, "ner:unsupported_language:jv"),
        ({"text": 12345}, "input:text_not_string"),
        ({"text": "capek banget hari ini, kerjaan numpuk terus gak selesai selesai"}, "ner:no_entity_candidate"),
    ],
)
def test_odd_input(enricher, post: dict, reason: str) -> None:
    out = enricher.enrich_batch([post])[0]
    assert reason in out["enrichment_skipped"]
    _check(out, post.get("text") if isinstance(post.get("text"), str) else str(post.get("text") or ""))


def test_emoji_only_kept(enricher) -> None:
    out = enricher.enrich_batch([{"text": "😍😍😍"}])[0]
    assert "😍" in out["text_normalized"]
    assert out["sentiment"]["label"] == "positive"


def test_long_text_truncated(enricher) -> None:
    text = ("Presiden Joko Widodo meresmikan jalan tol di Medan hari ini. " * 400)[:10_000]
    out = enricher.enrich_batch([{"text": text}])[0]
    assert any(r.startswith("truncated:model_input:") for r in out["enrichment_skipped"])
    _check(out, text)
    assert all(e["end"] <= enricher.max_chars for e in out["entities"])


def test_non_dict_post(enricher) -> None:
    out = enricher.enrich_batch(["just a string"])[0]  # type: ignore[list-item]
    assert "input:not_an_object" in out["enrichment_skipped"]


def test_deterministic_and_batch_independent(enricher) -> None:
    posts = [{"text": t} for t in ["KPK periksa Bupati Bogor", "makanannya enak banget 😍", "", "ok"]]
    together = enricher.enrich_batch(posts)
    alone = [enricher.enrich_batch([p])[0] for p in posts]
    assert together == alone
    assert enricher.enrich_batch(posts) == together


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_random_text_never_raises(enricher, texts: list[str]) -> None:
    outs = enricher.enrich_batch([{"text": t} for t in texts])
    assert len(outs) == len(texts)
    for t, o in zip(texts, outs):
        _check(o, t[: enricher.max_chars])


def test_uncertain_language_does_not_skip_ner_or_sentiment(enricher) -> None:
    text = "Tiap tahun banjir, tiap tahun janji. Semarang capek 🙄"
    out = enricher.enrich_batch([{"text": text}])[0]
    assert out["language"]["code"] not in {"min", "bjn", "ban", "ace", "nij", "bbc", "mad", "bug"}
    assert out["sentiment"] is not None
    assert not any(r.startswith("ner:unsupported_language") for r in out["enrichment_skipped"])
    assert any(e["text"] == "Semarang" and e["label"] == "LOC" for e in out["entities"])
    _check(out, text)


def test_weak_regional_guess_still_gets_ner_model(enricher) -> None:
    # a Latin-script post whose language guess is weak runs the NER model, with a note
    posts = [{"text": "Sugeng enjing, monggo pinarak"}, {"text": "Kulo mboten ngertos"}]
    for out in enricher.enrich_batch(posts):
        lang = out["language"]
        if lang["code"] not in {"id", "en", "ms"} and lang["confidence"] < 0.8:
            assert f"ner:untrained_language:{lang['code']}" in out["enrichment_skipped"]
            assert not any(r.startswith("ner:unsupported_language") for r in out["enrichment_skipped"])
        if lang["confidence"] < 0.5:
            assert "language:uncertain" in out["enrichment_skipped"]
        assert out["sentiment"] is not None


def test_latin_script_other_language_gets_sentiment(enricher) -> None:
    out = enricher.enrich_batch([{"text": "Voici un texte en français pour tester la détection de la langue."}])[0]
    assert out["language"]["code"] == "fr"
    assert out["sentiment"] is not None
    assert "sentiment:untrained_language:fr" in out["enrichment_skipped"]
    zh = enricher.enrich_batch([{"text": "这是一个中文句子，用来测试语言识别。"}])[0]
    assert zh["sentiment"] is None and "sentiment:unsupported_language:zh" in zh["enrichment_skipped"]
