"""NER label convention (issue 12) and the static word vectors of the NER model."""
from __future__ import annotations

import json

import numpy as np
import pytest

from transforms.nlp.entities import NER_VECTORS_FILE, attach_vectors
from transforms.nlp.training import train
from transforms.nlp.training.data_io import NerSentence, apply_label_convention, convention_label
from transforms.nlp.wordvec import WordVectors


@pytest.mark.parametrize(
    ("words", "label", "expected"),
    [
        (["Universitas", "Gadjah", "Mada"], "LOC", "ORG"),        # institutions are ORG
        (["SMA", "Negeri", "1", "Blora"], "LOC", "ORG"),
        (["Kejagung"], "LOC", "ORG"),
        (["YouTube"], "LOC", "ORG"),                              # a platform acting as a company
        (["Gedung", "Sate"], "ORG", "LOC"),                       # a building named as a venue
        (["Stadion", "Maguwoharjo"], "PER", "LOC"),
        (["Kantor"], "ORG", "ORG"),                               # a bare head word is left alone
        (["Jakarta"], "LOC", "LOC"),
        (["Bambang", "Susanto"], "PER", "PER"),
        (["Universitas"], "O", "O"),
    ],
)
def test_convention_label(words, label, expected) -> None:
    assert convention_label(words, label) == expected


def test_apply_label_convention_relabels_whole_spans() -> None:
    sent = NerSentence(["Kuliah", "di", "Universitas", "Cleveland", ",", "Ohio", "di", "Gedung", "Sate"],
                       ["O", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O", "B-ORG", "I-ORG"], "nergrit")
    changes = apply_label_convention(sent)
    assert sent.tags == ["O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O", "B-LOC", "I-LOC"]
    assert changes == [("Universitas Cleveland", "LOC", "ORG"), ("Gedung Sate", "ORG", "LOC")]
    assert apply_label_convention(sent) == []  # idempotent


def test_attach_vectors_ignores_case_and_survives_saving(tmp_path) -> None:
    import spacy

    vec = WordVectors(["jakarta", "banjir", "al-azhar"], np.eye(3, dtype=np.float32))
    vec.save(tmp_path / "v.npz")
    nlp = spacy.blank("id")
    assert attach_vectors(nlp, tmp_path / "v.npz") == 3 * 3 + 1  # + "Al-azhar" and "Al-Azhar"
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    from spacy.tokens import Doc

    doc = Doc(loaded.vocab, words="Banjir JAKARTA jakarta Jakarta hujan Al-Azhar".split())
    rows = [loaded.vocab.vectors.find(key=t.orth) for t in doc]
    assert rows == [1, 0, 0, 0, -1, 2]


def test_shipped_ner_model_uses_the_shipped_vectors(model_dir, extractor) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())["ner"]
    assert manifest["label_convention"] is True
    assert manifest["static_vectors"] == NER_VECTORS_FILE
    vectors = extractor.nlp.vocab.vectors
    assert vectors.shape[0] > 40_000 and vectors.shape[1] == train.NER_VECTORS_DIM
    # the pipeline on disk does not carry a second copy of the table
    assert (model_dir / "ner" / "vocab" / "vectors").stat().st_size < 10_000
    tok2vec = extractor.nlp.get_pipe("ner").model.get_ref("tok2vec")
    assert any(node.name == "static_vectors" for node in tok2vec.walk())


def test_shipped_model_follows_the_convention(extractor) -> None:
    texts = ["Mahasiswa Universitas Gadjah Mada berdemo di depan Gedung Sate , Bandung .".split()]
    ents = {(e.text, e.label) for e in extractor.extract_words(texts)[0]}
    assert ("Universitas Gadjah Mada", "ORG") in ents, ents
    assert ("Gedung Sate", "LOC") in ents, ents


def test_train_ner_needs_its_vectors(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="ner_vectors"):
        train.train_ner(tmp_path, tmp_path, max_steps=1, vectors=tmp_path / "missing.npz")
