"""The generated regencies/cities gazetteer: builder rules, the shipped file, and matching."""
from __future__ import annotations

import json

import pytest

from transforms.nlp.entities import Gazetteer
from transforms.nlp.training import gazetteer_build as gb


def test_split_regency_names() -> None:
    assert gb.split_regency("Kabupaten Aceh Selatan") == ("Kabupaten", "Aceh Selatan")
    assert gb.split_regency("Kota Administrasi Jakarta Pusat") == ("Kota", "Jakarta Pusat")
    assert gb.split_regency("Kota  Batu") == ("Kota", "Batu")
    with pytest.raises(ValueError, match="not a regency"):
        gb.split_regency("Provinsi Jawa Tengah")


def test_region_entries_rules(tmp_path) -> None:
    csv_file = tmp_path / "regencies.csv"
    csv_file.write_text(
        "code,province_code,name\n33.18,33,Kabupaten Pati\n32.16,32,Kabupaten Bekasi\n"
        "32.75,32,Kota Bekasi\n19.71,19,Kota Pangkal Pinang\n35.78,35,Kota Surabaya\n"
    )
    regencies = gb.read_regencies(csv_file)
    known = {"surabaya": "Surabaya", "pangkalpinang": "Pangkalpinang"}
    entries = gb.region_entries(regencies, known)
    by = {e["canonical"]: e for e in entries}
    assert set(by) == {"Pati", "Bekasi", "Pangkalpinang"}  # Surabaya: the hand list has it
    assert gb.hand_covered(regencies, known) == ["Kota Surabaya"]
    assert by["Bekasi"]["official"] == ["Kabupaten Bekasi", "Kota Bekasi"]
    assert by["Pangkalpinang"]["aliases"] == ["Pangkal Pinang"]  # the hand list's spelling stays canonical
    assert all(e["label"] == "LOC" and e["exact"] == e["aliases"] for e in entries)
    assert by["Bekasi"]["lower_after_cue"] == ["Bekasi"]
    assert "lower_after_cue" not in by["Pati"]  # "pati" (starch) is an ordinary word
    out = tmp_path / "g.jsonl"
    gb.write_entries(entries, out, "a test", ["Kota Surabaya"])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "_comment" in json.loads(lines[0]) and len(lines) == 1 + len(entries)


def test_shipped_regions_file_covers_all_regencies() -> None:
    lines = gb.REGIONS_FILE.read_text(encoding="utf-8").splitlines()
    head, entries = json.loads(lines[0]), [json.loads(l) for l in lines[1:]]
    official = {name for e in entries for name in e["official"]}
    covered = set(head["covered_by_hand_list"])
    assert len(official | covered) == 514  # 416 regencies + 98 cities
    assert {"Kabupaten Pati", "Kabupaten Wakatobi", "Kota Bau Bau", "Kabupaten Mahakam Ulu"} <= official
    known = gb.hand_lookup()
    assert not any(a.lower() in known for e in entries for a in e["aliases"])
    assert all(e["exact"] == e["aliases"] for e in entries)
    cued = {a.lower() for e in entries for a in e.get("lower_after_cue", ())}
    assert cued <= {a.lower() for e in entries for a in e["aliases"]}
    assert not cued & gb.ORDINARY_WORDS and len(cued) > 400


def test_regions_match_lower_case_after_a_place_word(extractor) -> None:
    gaz = extractor.gazetteer  # the default files, already loaded
    found = lambda text: [s.kb_id_ for s in gaz.spans(extractor.nlp.make_doc(text))]  # noqa: E731
    assert found("banjir di jombang, otw wonosobo, pemkab gayo lues") == ["jombang", "wonosobo", "gayo lues"]
    assert found("pemkab. wakatobi") == ["wakatobi"]
    assert found("jombang wonosobo, ya. sumenep") == []  # no place word before them
    assert found("duduk di batang pohon, otw pati") == []  # ordinary words stay Capitalized-only
    assert found("Banjir di Jombang") == ["jombang"]  # once, from the exact matcher


def test_regions_match_capitalized_only(extractor) -> None:
    gaz = extractor.gazetteer  # the default files, already loaded
    doc = extractor.nlp.make_doc("Banjir di Pati dan WAKATOBI, batu besar jatuh; pati singkong murah")
    found = {(doc[s.start:s.end].text, s.label_) for s in gaz.spans(doc)}
    assert ("Pati", "LOC") in found and ("WAKATOBI", "LOC") in found
    assert not {t for t, _ in found} & {"batu", "pati"}
    assert gaz.canonical("Pangkal Pinang") == ("LOC", "Pangkalpinang")
    assert gaz.canonical("Bau Bau") == gaz.canonical("Baubau") == ("LOC", "Bau Bau")


def test_build_command_writes_loadable_file(tmp_path, extractor) -> None:
    csv_file = tmp_path / "regencies.csv"
    csv_file.write_text("code,province_code,name\n74.05,74,Kabupaten Konawe\n35.78,35,Kota Surabaya\n")
    out = tmp_path / "regions.jsonl"
    assert gb.main(["--regencies", str(csv_file), "--out", str(out)]) == 0
    head = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert head["covered_by_hand_list"] == ["Kota Surabaya"]
    gaz = Gazetteer.load(extractor.nlp, [gb.HAND_FILE, out])
    assert gaz.canonical("Konawe") == ("LOC", "Konawe")
    doc = extractor.nlp.make_doc("Banjir melanda Konawe sejak pagi")
    assert [doc[s.start:s.end].text for s in gaz.spans(doc)] == ["Konawe"]
