"""train.main on a tiny fabricated data layout (sentiment + langid), and its argument checks."""
from __future__ import annotations

import csv
import json

from transforms.nlp.linear import LinearTextModel
from transforms.nlp.training import train
from transforms.nlp.training.data_io import NUSAX_LANGS

POS = ["makanannya enak sekali", "pelayanan ramah dan cepat", "tempatnya bersih nyaman", "harga murah puas"]
NEG = ["makanannya tidak enak", "pelayanan lambat dan kasar", "tempatnya kotor bau", "mahal kecewa sekali"]
NEU = ["saya makan di sini kemarin", "restoran ini buka jam sembilan", "lokasinya di jalan utama", "menu ada tiga"]


def _layout(root) -> None:
    smsa = root / "sentiment" / "smsa"
    smsa.mkdir(parents=True)
    rows = [(t, "positive") for t in POS] + [(t, "negative") for t in NEG] + [(t, "neutral") for t in NEU]
    for split in ("train", "valid"):
        (smsa / f"{split}.tsv").write_text("".join(f"{t}\t{l}\n" for t, l in rows))
        for name in NUSAX_LANGS:
            d = root / "sentiment" / "nusax" / name
            d.mkdir(parents=True, exist_ok=True)
            with (d / f"{split}.csv").open("w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "text", "label"])
                for i, (t, l) in enumerate(rows):
                    w.writerow([i, f"{name[:3]} {t}", l])
    emot = root / "sentiment" / "emot"
    emot.mkdir(parents=True)
    for split in ("train", "valid"):
        with (emot / f"{split}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["label", "tweet"])
            w.writerows([("happy", f"{t} wkwk") for t in POS] + [("anger", f"{t} anjir") for t in NEG])
    mt = root / "langid" / "nusax_mt"
    mt.mkdir(parents=True)
    for split in ("train", "valid"):
        with (mt / f"{split}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([""] + list(NUSAX_LANGS))
            for i, t in enumerate(POS + NEG):
                w.writerow([i] + [f"{name[:4]}{name[-3:]} {t} {name}" for name in NUSAX_LANGS])


def test_train_main_small(tmp_path) -> None:
    data, out = tmp_path / "data", tmp_path / "models"
    _layout(data)
    assert train.main(["--data-dir", str(data), "--out", str(out), "--only", "sentiment,langid", "--holdout_valid"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) == {"sentiment", "langid"} and manifest["sentiment"]["include_valid"] is False
    assert manifest["sentiment"]["n_emot"] == len(POS) + len(NEG)  # EmoT train only (valid held out)
    senti = LinearTextModel.load(out / "sentiment.npz")
    assert set(senti.labels) == {"positive", "neutral", "negative"}
    lid = LinearTextModel.load(out / "langid.npz")
    assert set(lid.labels) == set(NUSAX_LANGS.values())


def test_train_gate_word_lists(tmp_path) -> None:
    data, out = tmp_path / "data", tmp_path / "models"
    _layout(data)
    corpora = {
        "nergrit": ["Warga\tO", "Bekasi\tB-PLACE", "mengeluh\tO", ""],
        "nerp": ["warga\tO", "bekasi\tB-PLC", "protes\tO", ""],
    }
    for name, rows in corpora.items():
        d = data / "ner" / name
        d.mkdir(parents=True)
        (d / "train.txt").write_text("\n".join(rows) + "\n")
    assert train.main(["--data-dir", str(data), "--out", str(out), "--only", "gate"]) == 0
    words = json.loads((out / "ner_words.json").read_text())
    assert words["entity_words"] == ["bekasi"]
    assert words["common_words"] == ["warga"]
    assert json.loads((out / "manifest.json").read_text())["gate"]["n_entity_words"] == 1


def test_train_main_rejects_bad_args(tmp_path) -> None:
    assert train.main(["--data-dir", str(tmp_path)]) == 2
    _layout(tmp_path / "d")
    assert train.main(["--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "o"), "--only", "bogus"]) == 2


def test_train_folds_in_exported_reviews(tmp_path) -> None:
    data, out = tmp_path / "data", tmp_path / "models"
    _layout(data)
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text("".join(json.dumps(r) + "\n" for r in [
        {"text": "mantap banjir lagi", "label": "negative", "lang": "id", "doc_id": "x:1", "reviewer": "ani"},
        {"text": "tanpa label", "label": "bogus", "lang": "id", "doc_id": "x:2"}]))
    assert train.main(["--data-dir", str(data), "--out", str(out), "--only", "sentiment", "--holdout_valid",
                       "--reviews", str(reviews)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sentiment"]["n_reviews"] == 1
