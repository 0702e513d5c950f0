"""Compile the regency / city part of pantau's gazetteer (``data/gazetteer_regions.jsonl``).

    python -m transforms.nlp.training.gazetteer_build --regencies regencies.csv

``regencies.csv`` is the official list of Indonesia's 514 regencies (*kabupaten*) and cities
(*kota*), columns ``code,province_code,name`` with names such as ``Kabupaten Aceh Selatan`` or
``Kota Administrasi Jakarta Pusat``; the names come from the Ministry of Home Affairs' area
code regulation, as republished in ``data/regencies.csv`` of the idn-area-data package (ODbL).

Every bare name ("Pati", "Bekasi", "Kepulauan Seribu") that the hand-written gazetteer
(``data/gazetteer_id.jsonl``) does not list yet becomes one ``LOC`` entry, canonical the bare
name as in the hand-written list (a two-word name also joined: "Pangkal Pinang" /
"Pangkalpinang"), with ``official`` holding the full names it stands for
("Kabupaten Bekasi", "Kota Bekasi"). The prefixes are not aliases: the NER corpora tag
"Surabaya" in "Kota Surabaya", and the model keeps a longer proper span such as
"Kabupaten Pati" when it finds one. Every alias is ``exact`` (matched Capitalized or UPPER
only): many of these names are ordinary words in lower case ("batu", "landak", "karo", "metro").
Informal posts are often all lower case ("banjir di jombang"), so an alias that is not an
ordinary word (:data:`ORDINARY_WORDS`) is also listed in ``lower_after_cue``: it matches in
lower case too, right after a place word such as "di" or "kabupaten" (``entities.PLACE_CUES``).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
REGIONS_FILE = _DATA_DIR / "gazetteer_regions.jsonl"
HAND_FILE = _DATA_DIR / "gazetteer_id.jsonl"

_KINDS = ("Kabupaten", "Kota")

#: Regency / city names (lower case) that are also everyday words or given names in Indonesian,
#: Javanese, Sundanese, Minang or English: "di batang pohon", "batu bara", "buru-buru", "karo"
#: (Javanese "with"), "walikota bima arya". They match only Capitalized or UPPER.
ORDINARY_WORDS = frozenset({
    "agam", "asahan", "badung", "banjar", "batang", "batu bara", "batubara", "bau bau", "bima",
    "bone", "bungo", "buru", "gunung mas", "karo", "kaur", "ketapang", "kuningan", "lahat",
    "landak", "lebak", "lima puluh kota", "lingga", "metro", "pati", "pulang pisau",
    "sungai penuh", "tanah bumbu", "tanah datar", "tanah laut", "tebing tinggi", "tebingtinggi",
})


def split_regency(name: str) -> tuple[str, str]:
    """``"Kota Administrasi Jakarta Pusat"`` -> ``("Kota", "Jakarta Pusat")``."""
    words = " ".join(name.split()).split(" ")
    if not words or words[0] not in _KINDS or len(words) < 2:
        raise ValueError(f"not a regency or city name: {name!r}")
    rest = words[1:]
    if rest[0] == "Administrasi" and len(rest) > 1:
        rest = rest[1:]
    return words[0], " ".join(rest)


def read_regencies(path: str | Path) -> list[tuple[str, str]]:
    """(kind, bare name) for every row of an idn-area-data style ``regencies.csv``."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return [split_regency(row["name"]) for row in csv.DictReader(fh) if row.get("name")]


def hand_lookup(path: str | Path = HAND_FILE) -> dict[str, str]:
    """Lower-cased alias -> canonical name for every entry of the hand-written gazetteer."""
    from ..entities import read_gazetteer_entries

    out: dict[str, str] = {}
    for entry in read_gazetteer_entries(path):
        for alias in entry.get("aliases") or [entry["canonical"]]:
            out.setdefault(alias.lower(), entry["canonical"])
    return out


def region_entries(regencies: Sequence[tuple[str, str]], known: dict[str, str]) -> list[dict]:
    """Gazetteer entries for ``(kind, bare)`` pairs, leaving out aliases ``known`` already has.

    A name the hand-written list spells otherwise ("Pangkalpinang") keeps its canonical there.
    """
    official: dict[str, list[str]] = {}
    for kind, bare in regencies:
        official.setdefault(bare, []).append(f"{kind} {bare}")
    entries = []
    for bare, names in official.items():
        forms = [bare]
        words = bare.split(" ")
        if len(words) == 2 and "-" not in bare:  # "Pangkal Pinang" is also written "Pangkalpinang"
            forms.append(words[0] + words[1].lower())
        aliases = [f for f in forms if f.lower() not in known]
        if not aliases:
            continue
        canonical = next((known[f.lower()] for f in forms if f.lower() in known), bare)
        entry = {"label": "LOC", "canonical": canonical, "aliases": aliases, "exact": aliases}
        cued = [a for a in aliases if a.lower() not in ORDINARY_WORDS]
        if cued:
            entry["lower_after_cue"] = cued
        entry["official"] = names
        entries.append(entry)
    return entries


def hand_covered(regencies: Sequence[tuple[str, str]], known: dict[str, str]) -> list[str]:
    """Official names whose bare name the hand-written list already has ("Kota Surabaya")."""
    return [f"{kind} {bare}" for kind, bare in regencies if bare.lower() in known]


def write_entries(entries: Sequence[dict], out: str | Path, source: str, covered: Sequence[str] = ()) -> None:
    """Write the JSONL file: a comment line (with ``covered``, see :func:`hand_covered`), then
    one entry per line."""
    head = {"_comment": "pantau gazetteer: Indonesia's regencies and cities, generated by "
                        f"transforms/nlp/training/gazetteer_build.py from {source}. Do not edit by hand.",
            "covered_by_hand_list": list(covered)}
    lines = [json.dumps(head, ensure_ascii=False)] + [json.dumps(e, ensure_ascii=False) for e in entries]
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    ap = argparse.ArgumentParser(prog="python -m transforms.nlp.training.gazetteer_build", description=__doc__.split("\n")[0])
    ap.add_argument("--regencies", required=True, help="regencies.csv (code,province_code,name)")
    ap.add_argument("--out", default=str(REGIONS_FILE))
    args = ap.parse_args(argv)
    regencies = read_regencies(args.regencies)
    known = hand_lookup()
    entries = region_entries(regencies, known)
    write_entries(entries, args.out, "the Kemendagri area-code list (via idn-area-data, ODbL)",
                  hand_covered(regencies, known))
    print(f"{len(regencies)} regencies/cities -> {len(entries)} entries in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
