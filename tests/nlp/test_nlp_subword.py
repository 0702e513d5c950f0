"""Character n-gram vectors for words outside the NER vector table (``transforms/nlp/subword.py``)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from transforms.nlp.entities import NER_VECTORS_FILE, OOV_CACHE_ROWS, EntityExtractor
from transforms.nlp.subword import SUBWORD_FILE, OovVectorCache, SubwordVectors, ngram_buckets
from transforms.nlp.wordvec import WordVectors

ROOT = Path(__file__).resolve().parents[2]
N_TEST_BUCKETS = 1_000


def test_ngram_hashing_is_stable_across_processes() -> None:
    # fixed ids: a changed hash or n-gram scheme would silently scramble the shipped matrix
    assert ngram_buckets("kà") == [18000, 7430, 2617, 32257, 9877, 31715]
    assert ngram_buckets("Jakarta") == ngram_buckets("jakarta")
    assert len(ngram_buckets("jakarta")) == 8 + 7 + 6 + 5  # 2..5-grams of "<jakarta>"
    code = "from transforms.nlp.subword import ngram_buckets; print(ngram_buckets('Jakarta'))"
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 0, run.stderr
        outs.add(run.stdout.strip())
    assert outs == {str(ngram_buckets("Jakarta"))}


def test_fit_save_load_roundtrip(tmp_path) -> None:
    rng = np.random.default_rng(0)
    words = ["makan", "makanan", "minum", "minuman", "jalan", "jalanan", "kota", "kotak"]
    y = rng.normal(size=(len(words), 8)).astype(np.float32)
    model = SubwordVectors.fit(words, y, n_buckets=997, l2=1e-4, iters=500)
    pred = model.predict(words)
    assert np.abs(pred - y).max() < 0.05  # more buckets than words: the fit can be exact
    model.save(tmp_path / "sub.npz")
    again = SubwordVectors.load(tmp_path / "sub.npz")
    assert np.allclose(again.predict(words), pred, atol=0.02)  # float16 on disk
    assert again.predict([]).shape == (0, 8)


def test_table_words_are_predicted_close_to_their_rows(model_dir) -> None:
    table = WordVectors.load(model_dir / NER_VECTORS_FILE)
    sub = SubwordVectors.load(model_dir / SUBWORD_FILE)
    idx = np.random.default_rng(1).choice(len(table.words), 500, replace=False)
    pred = sub.predict([table.words[i] for i in idx])
    rows = table.vectors[idx]
    cos = (pred * rows).sum(1) / (np.linalg.norm(pred, axis=1) * np.linalg.norm(rows, axis=1))
    assert cos.mean() > 0.8
    assert np.median(cos) > 0.8


def _small_cache(capacity: int, n_base: int = 3, dim: int = 4):
    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    strings = StringStore()
    data = np.zeros((n_base + capacity, dim), dtype=np.float32)
    data[:n_base] = np.arange(1, n_base + 1)[:, None]
    table = Vectors(strings=strings, data=data)
    for row, w in enumerate(["satu", "dua", "tiga"][:n_base]):
        table.add(strings.add(w), row=row)
    sub = SubwordVectors(np.random.default_rng(2).normal(size=(N_TEST_BUCKETS, dim)).astype(np.float32))
    return table, strings, OovVectorCache(table, sub, n_base, capacity)


def _tokens(strings, words):
    return [(strings.add(w), strings.add(w.lower()), w) for w in words]


def test_cache_stays_bounded_and_reuses_oldest_rows() -> None:
    table, strings, cache = _small_cache(capacity=5)
    assert cache.add_tokens(_tokens(strings, ["Satu", "satu"])) == 1  # "satu" is a key already
    assert np.array_equal(table.data[table.key2row[strings["Satu"]]], table.data[0])  # its lower-case row
    words = [f"kata{i}" for i in range(20)]
    for w in words:
        cache.add_tokens(_tokens(strings, [w, w]))
    assert len(cache) == 5
    assert len(table.key2row) == 3 + 5
    assert set(table.key2row.values()) == set(range(8))
    for w in words[-5:]:
        row = table.key2row[strings[w]]
        assert row >= 3 and np.linalg.norm(table.data[row]) > 0
    for w in words[:-5] + ["Satu"]:
        assert strings[w] not in table.key2row
    # one call with more new words than rows keeps the last ``capacity`` of them
    many = [f"banyak{i}" for i in range(12)]
    assert cache.add_tokens(_tokens(strings, many)) == 5
    assert all(strings[w] in table.key2row for w in many[-5:])
    assert len(table.key2row) == 8


def test_cache_thread_safety_smoke() -> None:
    table, strings, cache = _small_cache(capacity=64)
    toks = [_tokens(strings, [f"w{t}_{i}" for i in range(400)]) for t in range(8)]
    errors = []

    def work(batch):
        try:
            for i in range(0, len(batch), 7):
                cache.add_tokens(batch[i:i + 7])
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(b,)) for b in toks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(cache) == 64
    slot_rows = list(cache._slots.values())
    assert sorted(slot_rows) == list(range(3, 3 + 64))
    assert all(table.key2row[k] == r for k, r in cache._slots.items())
    assert len(table.key2row) == 3 + 64


def test_oov_words_get_nonzero_vectors_in_the_ner_pipeline(extractor) -> None:
    assert extractor.oov is not None
    word = "Xylofantorowski"
    doc = extractor.nlp.make_doc(f"Bupati {word} meresmikan jembatan di Kabupaten Qwertyan")
    assert doc.vocab.vectors.find(key=doc[1].orth) == -1
    extractor.extract_docs([doc])
    rows = doc.vocab.vectors.find(keys=[t.orth for t in doc])
    assert all(r >= 0 for r in rows)
    assert np.linalg.norm(doc.vocab.vectors.data[rows[1]]) > 0
    assert len(extractor.oov) <= OOV_CACHE_ROWS


def test_load_without_subword_file_falls_back_to_zero_vectors(model_dir, tmp_path, caplog) -> None:
    for item in model_dir.iterdir():
        if item.name != SUBWORD_FILE:
            (tmp_path / item.name).symlink_to(item)
    with caplog.at_level(logging.INFO, logger="transforms.nlp.entities"):
        ext = EntityExtractor.load(tmp_path)
    assert ext.oov is None
    assert any(SUBWORD_FILE in r.getMessage() for r in caplog.records)
    ents = ext.extract_batch(["Presiden Joko Widodo berkunjung ke Surabaya"])[0]
    assert {e.label for e in ents} >= {"PER", "LOC"}
    doc = ext.nlp.make_doc("Xylofantorowski")
    ext.extract_docs([doc])
    assert doc.vocab.vectors.find(key=doc[0].orth) == -1


def test_models_dir_stays_small(model_dir) -> None:
    total = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
    assert total < 80 * 1024 * 1024
    assert (model_dir / SUBWORD_FILE).stat().st_size < 16 * 1024 * 1024
