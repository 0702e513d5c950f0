"""Entities: spaCy model + gazetteer canonicalization."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.nlp.entities import NER_BEAM_WIDTH, NO_CANDIDATE, CandidateGate, Entity

GAZ = Path(__file__).resolve().parents[2] / "transforms" / "nlp" / "data" / "gazetteer_id.jsonl"


def _by_text(ents: list[Entity]) -> dict[str, Entity]:
    return {e.text: e for e in ents}


def test_gazetteer_file_is_complete() -> None:
    entries = [json.loads(l) for l in GAZ.read_text(encoding="utf-8").splitlines() if l.strip()]
    entries = [e for e in entries if "label" in e]
    assert {e["label"] for e in entries} == {"PER", "ORG", "LOC"}
    provinces = {"Aceh", "Sumatera Utara", "Papua Pegunungan", "Kalimantan Utara", "Daerah Istimewa Yogyakarta",
                 "DKI Jakarta", "Papua Barat Daya", "Nusa Tenggara Timur"}
    assert provinces <= {e["canonical"] for e in entries}
    assert len([e for e in entries if e["label"] == "LOC"]) >= 38 + 50
    assert all(e["canonical"] in e["aliases"] for e in entries)


def test_canonicalization(extractor) -> None:
    texts = [
        "Kemenkominfo memblokir situs judi online.",
        "Kominfo memblokir situs judi online.",
        "Kementerian Komunikasi dan Informatika memblokir situs judi online.",
    ]
    canon = set()
    for ents in extractor.extract_batch(texts):
        orgs = [e for e in ents if e.label == "ORG"]
        assert orgs, ents
        canon.add(orgs[0].canonical)
    assert canon == {"Kementerian Komunikasi dan Informatika"}


def test_gazetteer_source_and_offsets(extractor) -> None:
    text = "Banjir di Jawa Barat, BNPB dan PLN turun tangan. Kata Jokowi, bantuan segera dikirim."
    ents = _by_text(extractor.extract_batch([text])[0])
    assert ents["Jawa Barat"].label == "LOC" and ents["Jawa Barat"].source == "gazetteer"
    assert ents["BNPB"].canonical == "Badan Nasional Penanggulangan Bencana"
    assert ents["PLN"].label == "ORG"
    assert ents["Jokowi"].label == "PER" and ents["Jokowi"].canonical == "Joko Widodo"
    for e in ents.values():
        assert text[e.start : e.end] == e.text


def test_ambiguous_aliases_need_case(extractor) -> None:
    ents = extractor.extract_batch(["harga batu bata naik, nasi padang tetap murah"], [False])[0]
    assert not [e for e in ents if e.source == "gazetteer"]


@pytest.mark.slow
def test_exact_aliases_match_only_capitalized_or_upper() -> None:
    import spacy

    from transforms.nlp.entities import Gazetteer

    nlp = spacy.blank("id")
    gaz = Gazetteer([{"label": "LOC", "canonical": "Malang", "aliases": ["Malang"], "exact": ["Malang"]},
                     {"label": "LOC", "canonical": "Surabaya", "aliases": ["Surabaya"]}], nlp)
    found = lambda text: [s.text for s in gaz.spans(nlp.make_doc(text))]  # noqa: E731
    assert found("nasib malang di surabaya") == ["surabaya"]
    assert found("dari Malang ke MALANG") == ["Malang", "MALANG"]
    for line in GAZ.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        assert set(entry.get("exact", ())) <= set(entry.get("aliases", ())), entry


def test_hand_list_in_lower_case_posts(extractor) -> None:
    gaz = extractor.gazetteer  # the default files, already loaded
    found = lambda text: [s.kb_id_ for s in gaz.spans(extractor.nlp.make_doc(text))]  # noqa: E731
    assert found("jokowi sama prabowo, gojek error lagi") == ["jokowi", "prabowo", "gojek"]
    assert found("liburan ke bali, aku wis bali") == ["bali"]  # Javanese "bali" (back): place word needed
    assert found("rumahnya di serang maling, palu dan batu") == []  # "serang" (attack) stays Capitalized-only
    assert found("Rumahnya di Serang") == ["serang"]


def test_model_entities(extractor) -> None:
    text = "Menteri Keuangan Sri Mulyani bertemu Bambang Susanto di kantor Bank Mandiri di Surabaya."
    ents = extractor.extract_batch([text])[0]
    labels = {(e.text, e.label) for e in ents}
    assert ("Surabaya", "LOC") in labels
    assert any(e.label == "PER" and "Bambang" in e.text for e in ents), ents
    assert any(e.source == "model" for e in ents)


def test_model_decodes_with_the_inference_beam_width(extractor) -> None:
    # trained with beam width 4 (ner_config.cfg), decoded with NER_BEAM_WIDTH (faster, same valid F1)
    assert extractor.nlp.get_pipe("ner").cfg["beam_width"] == NER_BEAM_WIDTH < 4


def test_model_skipped_keeps_gazetteer(extractor) -> None:
    text = "Bambang Susanto lunga menyang Surabaya"
    with_model = extractor.extract_batch([text], [True])[0]
    gaz_only = extractor.extract_batch([text], [False])[0]
    assert all(e.source == "gazetteer" for e in gaz_only)
    assert {e.text for e in gaz_only} <= {e.text for e in with_model} | {"Surabaya"}


def test_empty_and_pretokenized(extractor) -> None:
    assert extractor.extract_batch(["", "   "]) == [[], []]
    out = extractor.extract_words([["Presiden", "Joko", "Widodo", "tiba", "di", "Medan", "."]])[0]
    assert any(e.label == "LOC" and e.text == "Medan" for e in out)


def test_candidate_gate_rules() -> None:
    gate = CandidateGate(entity_words={"jakarta", "jokowi"}, common_words={"banjir", "hari"})
    assert gate.admits(["banjir", "lagi", "di", "jakarta"])            # known entity word, lower-case
    assert gate.admits(["harga", "naik", ",", "KPK", "diam"])           # acronym
    assert gate.admits(["kemarin", "ketemu", "Budiman", "di", "pasar"])  # capitalized mid-sentence
    assert gate.admits(["Budiman", "datang"])                          # opener, but not a common word
    assert not gate.admits(["Banjir", "lagi", "hari", "ini", "."])      # opener that is a common word
    assert not gate.admits(["capek", ".", "Hari", "ini", "hujan"])      # common word after a full stop
    assert not gate.admits(["gak", "nyangka", "😡", "#banjir"])
    assert not gate.admits([])


def test_shipped_gate_lists(extractor) -> None:
    assert extractor.gate is not None
    assert {"jakarta", "indonesia"} <= extractor.gate.entity_words
    assert {"yang", "dan"} <= extractor.gate.common_words
    assert not extractor.gate.entity_words & extractor.gate.common_words


def test_gate_skips_model_and_records_reason(extractor) -> None:
    texts = ["harga cabe naik terus , ibu ibu pada ngeluh", "Menteri bertemu Bambang Susanto di Surabaya"]
    skipped: list[list[str]] = [[], []]
    ents = extractor.extract_batch(texts, skipped=skipped)
    assert skipped == [[NO_CANDIDATE], []]
    assert ents[0] == [] and any(e.source == "model" for e in ents[1])
