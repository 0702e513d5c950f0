"""Readers for the labelled corpora in the shared data layout and for JSONL files.

Formats understood (see ``evaluate.py`` for how each is selected):

* SmSA: ``text<TAB>label`` lines, no header.
* NusaX-senti: CSV with header ``id,text,label``; the language comes from the folder name.
* NusaX-MT: CSV, first column the row id, one column per language (header = language names).
* NER (NERGrit / NERP / NER-UI): ``token<TAB>BIO-tag`` lines, blank line between sentences.
* JSONL: one JSON object per line (``text`` plus ``label`` / ``lang`` / ``tokens`` + ``tags``).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "NUSAX_LANGS",
    "LANG_NAMES",
    "LabelledText",
    "NerSentence",
    "read_smsa",
    "read_nusax_senti",
    "read_nusax_mt",
    "read_emot",
    "EMOT_POLARITY",
    "read_bio",
    "read_jsonl",
    "map_ner_tag",
    "NER_LABEL_MAP",
]

#: NusaX folder / column name -> ISO 639 code.
NUSAX_LANGS: dict[str, str] = {
    "indonesian": "id",
    "english": "en",
    "javanese": "jv",
    "sundanese": "su",
    "acehnese": "ace",
    "balinese": "ban",
    "banjarese": "bjn",
    "buginese": "bug",
    "madurese": "mad",
    "minangkabau": "min",
    "ngaju": "nij",
    "toba_batak": "bbc",
}
LANG_NAMES: dict[str, str] = {v: k for k, v in NUSAX_LANGS.items()} | {"ms": "malay", "und": "undetermined"}

#: Corpus label -> PER / ORG / LOC; labels not listed (NERP EVT, FNB) are dropped to O.
NER_LABEL_MAP: dict[str, str] = {
    "PERSON": "PER", "PER": "PER", "PPL": "PER",
    "PLACE": "LOC", "LOCATION": "LOC", "LOC": "LOC", "PLC": "LOC", "GPE": "LOC",
    "ORGANISATION": "ORG", "ORGANIZATION": "ORG", "ORG": "ORG", "IND": "ORG",
}


@dataclass
class LabelledText:
    """A text with a class label, a language code, a group key (same sentence = same group) and,
    where the source says so, its register (e.g. ``formal`` / ``informal``, ``tweet`` / ``review``)."""

    text: str
    label: str
    lang: str
    group: str
    register: str = ""


@dataclass
class NerSentence:
    """A tokenized sentence with BIO tags already mapped to PER / ORG / LOC."""

    tokens: list[str]
    tags: list[str]
    corpus: str


def read_smsa(path: str | Path) -> list[LabelledText]:
    """Read SmSA ``text<TAB>label`` lines."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text, _, label = line.rpartition("\t")
        if not text:
            continue
        out.append(LabelledText(text.strip(), label.strip(), "id", "s:" + text.strip().lower()))
    return out


def read_nusax_senti(path: str | Path, lang: str | None = None) -> list[LabelledText]:
    """Read a NusaX-senti CSV (``id,text,label``); ``lang`` defaults to the folder name."""
    path = Path(path)
    code = lang or NUSAX_LANGS.get(path.parent.name, path.parent.name)
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            LabelledText(r["text"].strip(), r["label"].strip(), code, f"n:{path.stem}:{r.get('id', '')}")
            for r in csv.DictReader(fh)
            if r.get("text")
        ]


#: EmoT emotion -> sentiment polarity (EmoT has no neutral class).
EMOT_POLARITY: dict[str, str] = {
    "happy": "positive", "love": "positive", "anger": "negative", "fear": "negative", "sadness": "negative",
}


def read_emot(path: str | Path) -> list[LabelledText]:
    """Read EmoT (CSV ``label,tweet``) with the emotion mapped to polarity (``EMOT_POLARITY``)."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return [
            LabelledText(r["tweet"].strip(), EMOT_POLARITY[r["label"].strip()], "id", "e:" + r["tweet"].strip().lower())
            for r in csv.DictReader(fh)
            if r.get("tweet") and r.get("label", "").strip() in EMOT_POLARITY
        ]


def read_nusax_mt(path: str | Path) -> list[LabelledText]:
    """Read NusaX-MT as language-labelled texts (label = ISO code)."""
    path = Path(path)
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            for name, cell in zip(header[1:], row[1:]):
                code = NUSAX_LANGS.get(name.strip(), name.strip())
                if cell.strip():
                    out.append(LabelledText(cell.strip(), code, code, f"mt:{path.stem}:{row[0]}"))
    return out


def map_ner_tag(tag: str) -> str:
    """Map a corpus BIO tag to B-/I- PER/ORG/LOC, or ``O`` when the type is dropped."""
    tag = tag.strip()
    if tag in ("", "O") or "-" not in tag:
        return "O"
    prefix, _, kind = tag.partition("-")
    mapped = NER_LABEL_MAP.get(kind.upper())
    if mapped is None or prefix not in ("B", "I"):
        return "O"
    return f"{prefix}-{mapped}"


def read_bio(path: str | Path, corpus: str | None = None) -> list[NerSentence]:
    """Read ``token<TAB>tag`` sentences and repair I- tags that do not continue an entity."""
    path = Path(path)
    name = corpus or path.parent.name
    sents: list[NerSentence] = []
    tokens: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if tokens:
            fixed, prev = [], "O"
            for t in tags:
                if t.startswith("I-") and prev[2:] != t[2:]:
                    t = "B-" + t[2:]
                fixed.append(t)
                prev = t
            sents.append(NerSentence(list(tokens), fixed, name))
        tokens.clear()
        tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        parts = line.split("\t") if "\t" in line else line.split()
        tok = parts[0]
        tag = parts[-1] if len(parts) > 1 else "O"
        if not tok:
            continue
        tokens.append(tok)
        tags.append(map_ner_tag(tag))
    flush()
    return sents


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield the JSON objects of a JSONL file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# ------------------------------------------------------------------ label convention (issue 12)
#: First words of a name that make it an institution (ORG), whatever a corpus tagged it:
#: universities and schools, ministries and agencies, parties, companies, clubs.
CONVENTION_ORG_HEADS: frozenset[str] = frozenset(
    """universitas univ institut politeknik akademi sekolah sma sman sma-n smu smun smp smpn smk smkn sd sdn
    mi mts madrasah pesantren ponpes tk kementerian kementrian kemenko kemendagri kemenkes kemendikbud
    kemenkeu kemenag kemenhan kemenlu kemensos kemenpora departemen dinas badan lembaga komisi yayasan
    partai pt cv klub persatuan pemerintah pemkot pemkab pemprov polda polres polsek dpr dprd mpr kpu
    kpk bawaslu kejaksaan kejagung kejati kejari pengadilan mahkamah""".split()
)
#: Platforms and companies tagged as a whole name (one token) -> ORG.
CONVENTION_ORG_NAMES: frozenset[str] = frozenset(
    """youtube twitter facebook instagram google tiktok whatsapp netflix spotify gojek grab tokopedia
    shopee bukalapak traveloka""".split()
)
#: First words of a building named as a venue -> LOC ("di Gedung Sate", "Stadion Maguwoharjo").
CONVENTION_LOC_HEADS: frozenset[str] = frozenset(
    """gedung stadion stadium istana masjid gereja pura vihara klenteng candi monumen bandara pelabuhan
    stasiun terminal lapangan alun-alun kantor""".split()
)


def convention_label(words: Sequence[str], label: str) -> str:
    """The product owner's label for an entity span: institutions ORG, venues and places LOC."""
    if label not in ("PER", "ORG", "LOC") or not words:
        return label
    head = words[0].lower()
    if head in CONVENTION_ORG_HEADS or (len(words) == 1 and head in CONVENTION_ORG_NAMES):
        return "ORG"
    if head in CONVENTION_LOC_HEADS and len(words) > 1:
        return "LOC"
    return label


def apply_label_convention(sent: NerSentence) -> list[tuple[str, str, str]]:
    """Relabel ``sent``'s entity spans in place by :func:`convention_label`; returns the changes
    as (span text, old label, new label)."""
    changes = []
    i, n = 0, len(sent.tags)
    while i < n:
        if not sent.tags[i].startswith("B-"):
            i += 1
            continue
        j = i + 1
        while j < n and sent.tags[j] == "I-" + sent.tags[i][2:]:
            j += 1
        old = sent.tags[i][2:]
        new = convention_label(sent.tokens[i:j], old)
        if new != old:
            sent.tags[i:j] = [f"B-{new}"] + [f"I-{new}"] * (j - i - 1)
            changes.append((" ".join(sent.tokens[i:j]), old, new))
        i = j
    return changes
