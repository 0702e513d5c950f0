"""The enrich / evaluate / train command mains on small temp files."""
from __future__ import annotations

import json

from transforms.nlp import commands
from transforms.nlp.training import evaluate


def test_enrich_main(tmp_path, model_dir) -> None:
    src = tmp_path / "posts.jsonl"
    src.write_text(
        "\n".join([
            json.dumps({"id": "a1", "text": "Gak nyangka Kominfo cepet bgt 👍"}),
            "{not json",
            json.dumps({"id": "a2"}),
            json.dumps(["list"]),
            "",
            json.dumps({"id": "a3", "text": "The food in Bandung was great!", "extra": 1}),
        ]) + "\n",
        encoding="utf-8",
    )
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    rc = commands.enrich_main(["--input", str(src), "--output", str(out), "--errors", str(err),
                               "--model-dir", str(model_dir), "--batch-size", "2"])
    assert rc == 1  # some lines failed
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a3"]
    assert rows[0]["language"]["code"] == "id"
    assert rows[0]["sentiment"]["label"] in {"positive", "neutral", "negative"}
    assert all({"text", "label"} <= set(e) for e in rows[0]["entities"])
    assert rows[1]["extra"] == 1 and rows[1]["language"]["code"] == "en"
    errors = [json.loads(l) for l in err.read_text().splitlines()]
    assert [(e["line"], e["kind"]) for e in errors] == [(2, "invalid_json"), (3, "missing_field"),
                                                         (4, "not_an_object")]


def test_enrich_main_missing_models(tmp_path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_text('{"id": 1, "text": "halo"}\n')
    assert commands.enrich_main(["--input", str(src), "--output", str(tmp_path / "o"),
                                 "--model-dir", str(tmp_path / "nope")]) == 2


def _evaluate_jsonl(tmp_path, model_dir, task: str, rows: list[dict]) -> dict:
    """Run ``pantau evaluate --task TASK`` on ``rows`` written as JSONL; the JSON results."""
    f, out_json = tmp_path / f"{task}.jsonl", tmp_path / f"{task}.json"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert evaluate.main(["--task", task, "--input", str(f), "--model-dir", str(model_dir),
                          "--json", str(out_json)]) == 0
    return json.loads(out_json.read_text())


def test_evaluate_sentiment_jsonl(tmp_path, model_dir, capsys) -> None:
    rows = [
        {"text": "makanannya enak sekali, saya puas", "label": "positive", "lang": "id"},
        {"text": "pelayanannya buruk dan mahal, kecewa", "label": "negative", "lang": "id"},
        {"text": "The food was great, I loved it", "label": "positive", "lang": "en"},
    ]
    res = _evaluate_jsonl(tmp_path, model_dir, "sentiment", rows)
    assert set(res["per_language"]) == {"id", "en"}
    assert "macro-F1" in capsys.readouterr().out


def test_evaluate_per_register(tmp_path, model_dir, capsys) -> None:
    """Rows that name their register are also scored per register (sentiment and langid)."""
    rows = [
        {"text": "makanannya enak sekali, saya puas", "label": "positive", "lang": "id", "register": "informal"},
        {"text": "pelayanannya buruk dan mahal, kecewa", "label": "negative", "lang": "id", "register": "informal"},
        {"text": "Pemerintah Kota Semarang meluncurkan kanal aduan warga yang bisa diakses 24 jam.",
         "label": "neutral", "lang": "id", "register": "formal"},
        {"text": "The food was great, I loved it", "label": "positive", "lang": "en"},
    ]
    reg = _evaluate_jsonl(tmp_path, model_dir, "sentiment", rows)["per_register"]
    assert {k: v["n"] for k, v in reg.items()} == {"informal": 2, "formal": 1, "unknown": 1}
    assert reg["informal"]["per_class"]["positive"]["support"] == 1
    assert reg["informal"]["binary_macro_f1"] is not None and reg["formal"]["binary_macro_f1"] is None
    assert "register" in capsys.readouterr().out
    lres = _evaluate_jsonl(tmp_path, model_dir, "langid", rows)
    assert {k: v["n"] for k, v in lres["per_register"].items()} == {"informal": 2, "formal": 1, "unknown": 1}
    # a file without registers gets no per-register breakdown
    assert "per_register" not in _evaluate_jsonl(tmp_path, model_dir, "sentiment", [rows[0] | {"register": ""}])


def test_evaluate_native_formats(tmp_path, model_dir) -> None:
    smsa = tmp_path / "valid.tsv"
    smsa.write_text("makanannya enak sekali\tpositive\ntempatnya kotor dan bau\tnegative\n")
    assert evaluate.main(["--task", "sentiment", "--input", str(smsa), "--model-dir", str(model_dir)]) == 0
    mt = tmp_path / "mt.csv"
    mt.write_text(",indonesian,english\n0,Saya suka makan nasi goreng setiap pagi,I like eating fried rice every morning\n")
    js = tmp_path / "l.json"
    assert evaluate.main(["--task", "langid", "--input", str(mt), "--model-dir", str(model_dir), "--json", str(js)]) == 0
    assert json.loads(js.read_text())["accuracy"] == 1.0
    bio = tmp_path / "ner.txt"
    bio.write_text("Presiden\tO\nJoko\tB-PERSON\nWidodo\tI-PERSON\ntiba\tO\ndi\tO\nMedan\tB-PLACE\n.\tO\n\n")
    js2 = tmp_path / "n.json"
    assert evaluate.main(["--task", "ner", "--input", str(bio), "--model-dir", str(model_dir), "--json", str(js2)]) == 0
    res = json.loads(js2.read_text())
    assert res["n_entities"] == 2 and 0.0 <= res["f1"] <= 1.0


def test_evaluate_metrics() -> None:
    assert evaluate.bio_spans(["B-PER", "I-PER", "O", "B-LOC", "I-ORG"]) == {(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG")}
    p, r, f, n = evaluate.entity_prf([{(0, 2, "PER")}], [{(0, 2, "PER"), (3, 4, "LOC")}])
    assert (p, r, n) == (0.5, 1.0, 1) and abs(f - 2 / 3) < 1e-9
    assert evaluate.macro_f1(["a", "b"], ["a", "a"], ["a", "b"]) == (2 / 3 + 0) / 2


def test_evaluate_bad_input(tmp_path, model_dir) -> None:
    assert evaluate.main(["--task", "sentiment", "--input", str(tmp_path / "missing.jsonl")]) == 2


def test_enrich_survives_every_line_of_the_adversarial_corpus(tmp_path, model_dir, capsys) -> None:
    from tests.adversarial import load_cases
    cases = load_cases()
    src = tmp_path / "corpus.jsonl"
    lines = [c.value.replace(b"\n", b" ") for c in cases if c.value and c.value.strip()]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    rc = commands.enrich_main(["--input", str(src), "--output", str(out), "--errors", str(err),
                               "--model-dir", str(model_dir), "--batch-size", "16"])
    assert rc == 1  # some lines are not posts
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(l) for l in err.read_text(encoding="utf-8").splitlines()]
    assert len(rows) + len(errors) == len(lines)
    told = capsys.readouterr().err
    for e in errors:
        assert e["kind"] and e["error"] and f"line {e['line']}: " in told
    by_id = {r.get("post_id"): r for r in rows}
    assert by_id["adv-surrogate_high_in_text"]["repairs"] == ["lone_surrogate:text"]
    assert "\ufffd" in by_id["adv-surrogate_in_author_handle"]["author"]["handle"]
    assert by_id["adv-javanese_script"]["language"] is not None
    kinds = {e["kind"] for e in errors}
    assert {"invalid_utf8", "invalid_json", "not_an_object"} <= kinds
