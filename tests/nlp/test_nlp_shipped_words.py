"""Licence guard: no word that only NER-UI (no redistribution licence) has ships in the NER files.

The vector table's keys may come from NERGrit / NERP train (Apache-2.0), wordfreq, the sentiment
train splits and the sample stream; a NER-UI train word is allowed only when one of those has it
too. Reads the shared data dir (``../shared/data`` next to the repository, as in CI).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.nlp.entities import NER_VECTORS_FILE
from transforms.nlp.training.data_io import read_bio
from transforms.nlp.wordvec import WordVectors

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT.parent / "shared" / "data"


def _train_words(corpus: str, ext: str) -> set[str]:
    return {w.lower() for s in read_bio(DATA_DIR / "ner" / corpus / f"train.{ext}", corpus=corpus)
            for w in s.tokens if any(ch.isalpha() for ch in w)}


@pytest.fixture(scope="module")
def nerui_only() -> set[str]:
    """NER-UI train words that no shippable source has (the NER corpora first, then the rest)."""
    if not (DATA_DIR / "ner" / "nerui" / "train.tsv").exists():
        pytest.skip(f"shared data not at {DATA_DIR}")
    from transforms.nlp.training.train import wordvec_vocabulary

    words = _train_words("nerui", "tsv") - _train_words("nergrit", "txt") - _train_words("nerp", "txt")
    return words - set(wordvec_vocabulary(DATA_DIR))


def test_vector_table_has_no_nerui_only_word(model_dir: Path, nerui_only: set[str]) -> None:
    assert len(nerui_only) > 500  # the check has something to find
    keys = set(WordVectors.load(model_dir / NER_VECTORS_FILE).words)
    leaked = sorted(keys & nerui_only)
    assert not leaked, f"{len(leaked)} NER-UI-only words are keys of {NER_VECTORS_FILE}, e.g. {leaked[:5]}"


def test_vocabulary_builder_leaves_nerui_out(nerui_only: set[str]) -> None:
    from transforms.nlp.training.train import ner_vector_vocabulary

    assert not set(ner_vector_vocabulary(DATA_DIR)) & nerui_only


def test_pipeline_strings_hold_only_the_labels(model_dir: Path) -> None:
    strings = json.loads((model_dir / "ner" / "vocab" / "strings.json").read_text(encoding="utf-8"))
    assert strings == ["LOC", "ORG", "PER"]
