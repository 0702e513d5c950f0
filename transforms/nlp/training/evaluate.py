"""Evaluate the shipped models on labelled files (``pantau evaluate``).

Usage::

    pantau evaluate --task sentiment|langid|ner --input FILE [--format auto] [--lang CODE]
    pantau evaluate --data-dir ../shared/data [--split valid]   # every task, every corpus

Input formats (``--format auto`` picks by extension / header):

* ``jsonl`` -- one object per line.
  sentiment: ``{"text": str, "label": "positive|neutral|negative", "lang": optional code,
  "register": optional}``; langid: ``{"text": str, "lang": code, "register": optional}``
  (``label`` accepted too); ``register`` is any name of the text's register (``formal`` /
  ``informal``, ``tweet`` / ``review`` / ``news`` ...), and results are also given per register;
  ner: ``{"tokens": [str], "tags": [BIO tag]}`` or
  ``{"text": str, "entities": [{"start": int, "end": int, "label": "PER|ORG|LOC"}]}``.
* ``smsa`` -- ``text<TAB>label`` (SmSA ``*.tsv``), language ``id``.
* ``nusax`` -- CSV ``id,text,label`` (NusaX-senti); language from ``--lang`` or the folder name.
* ``nusax_mt`` -- CSV whose header names languages (NusaX-MT); every cell is one sample.
* ``bio`` -- ``token<TAB>tag`` lines, blank line between sentences (NERGrit / NERP / NER-UI);
  corpus tags are mapped to PER / ORG / LOC (NERP EVT / FNB dropped).

Metrics: sentiment -> macro-F1 and per-class P/R/F1, per language and per register; langid ->
accuracy and per-language recall / F1, accuracy per register; ner -> exact-match entity P/R/F1
(micro) and per type. In ``--data-dir`` mode each corpus is one register (SmSA and NusaX:
reviews and comments; EmoT: tweets) and is reported on its own.
Results go to stdout as a table; ``--json FILE`` also writes them as JSON.
"""
from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from transforms.core.settings import SettingsParser

from .data_io import (
    NUSAX_LANGS,
    LabelledText,
    apply_label_convention,
    map_ner_tag,
    read_bio,
    read_emot,
    read_jsonl,
    read_nusax_mt,
    read_nusax_senti,
    read_smsa,
)

__all__ = ["main", "prf", "macro_f1", "entity_prf", "bio_spans", "evaluate_sentiment", "evaluate_langid",
           "evaluate_ner"]

SENTIMENT_LABELS = ("positive", "neutral", "negative")


# ------------------------------------------------------------------------------ metrics
def prf(gold: Sequence[str], pred: Sequence[str], label: str) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and support of one class."""
    tp = sum(1 for g, p in zip(gold, pred) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, pred) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, pred) if g == label and p != label)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, tp + fn


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean F1 over ``labels``."""
    return sum(prf(gold, pred, l)[2] for l in labels) / len(labels) if labels else 0.0


def bio_spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """Token spans (start, end, type) of a BIO tag sequence."""
    spans, start, kind = set(), None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag.startswith("B-") or tag == "O" or (tag.startswith("I-") and tag[2:] != kind):
            if start is not None:
                spans.add((start, i, kind))
                start, kind = None, None
            if tag.startswith(("B-", "I-")):
                start, kind = i, tag[2:]
    return spans


def entity_prf(gold: Sequence[set], pred: Sequence[set], label: str | None = None) -> tuple[float, float, float, int]:
    """Micro entity P/R/F1 over documents (exact span + type), optionally for one type."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred):
        if label is not None:
            g = {s for s in g if s[2] == label}
            p = {s for s in p if s[2] == label}
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, tp + fn


# ------------------------------------------------------------------------------ loading
def detect_format(path: Path, task: str) -> str:
    """Guess the input format from extension and first line."""
    if path.suffix == ".jsonl" or path.suffix == ".json":
        return "jsonl"
    first = path.open(encoding="utf-8").readline()
    if task == "ner":
        return "bio"
    if path.suffix == ".csv":
        header = [h.strip() for h in first.strip().split(",")]
        if any(h in NUSAX_LANGS for h in header):
            return "nusax_mt"
        return "nusax"
    return "smsa"


def load_labelled(path: Path, fmt: str, task: str, lang: str | None) -> list[LabelledText]:
    """Read sentiment / langid samples in any supported format."""
    if fmt == "smsa":
        rows = read_smsa(path)
    elif fmt == "nusax":
        rows = read_nusax_senti(path, lang)
    elif fmt == "nusax_mt":
        rows = read_nusax_mt(path)
    elif fmt == "jsonl":
        rows = []
        for i, obj in enumerate(read_jsonl(path)):
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                continue  # comment / malformed lines
            text, register = obj["text"], str(obj.get("register") or "")
            if task == "langid":
                code = obj.get("lang") or obj.get("label") or lang or "und"
                rows.append(LabelledText(text, code, code, str(i), register))
            else:
                rows.append(LabelledText(text, obj.get("label", ""), obj.get("lang") or lang or "", str(i), register))
    else:
        raise ValueError(f"format {fmt!r} is not valid for task {task}")
    if lang and fmt != "nusax_mt":
        for r in rows:
            r.lang = lang
            if task == "langid":
                r.label = lang
    return rows


def load_ner(path: Path, fmt: str, convention: bool = False) -> tuple[list[list[str]] | list[str], list[set], bool]:
    """Returns (inputs, gold span sets, tokenized?) for NER evaluation; ``convention`` relabels
    BIO gold by the product owner's label convention (``data_io.apply_label_convention``)."""
    if fmt == "bio":
        sents = read_bio(path)
        if convention:
            for s in sents:
                apply_label_convention(s)
        return [s.tokens for s in sents], [bio_spans(s.tags) for s in sents], True
    objs = list(read_jsonl(path))
    if objs and "tokens" in objs[0]:
        return ([o["tokens"] for o in objs],
                [bio_spans([map_ner_tag(t) for t in o["tags"]]) for o in objs], True)
    return ([o.get("text", "") for o in objs],
            [{(e["start"], e["end"], e["label"]) for e in o.get("entities", [])} for o in objs], False)


# ------------------------------------------------------------------------------ evaluation
def evaluate_sentiment(rows: Sequence[LabelledText], model_dir: str | None) -> dict:
    """Sentiment through the production path (langid -> normalization -> model)."""
    from ..enricher import DEFAULT_MODEL_DIR
    from ..langid import LanguageIdentifier
    from ..sentiment import SentimentModel
    from ..textnorm import SLANG_LANGUAGES, apply_slang, clean_tokens

    path = Path(model_dir or DEFAULT_MODEL_DIR)
    lid, senti = LanguageIdentifier.load(path), SentimentModel.load(path)
    tokens = [clean_tokens(r.text) for r in rows]
    langs = lid.identify_batch([r.text for r in rows], tokens)
    texts = [" ".join(apply_slang(t) if l.code in SLANG_LANGUAGES else t) for t, l in zip(tokens, langs)]
    results = senti.predict_normalized(texts, [l.code for l in langs])
    preds = [r.label for r in results]
    binary = ["positive" if r.positive >= r.negative else "negative" for r in results]
    out = {"n": len(rows), "macro_f1": macro_f1([r.label for r in rows], preds, SENTIMENT_LABELS),
           "per_language": _sentiment_groups(rows, preds, binary, lambda r: r.lang or "all")}
    if any(r.register for r in rows):
        out["per_register"] = _sentiment_groups(rows, preds, binary, lambda r: r.register or "unknown")
    polar = [i for i, r in enumerate(rows) if r.label != "neutral"]
    if polar:
        # binary judgement as the held-out tweet sets are scored: positive vs negative probability
        out["binary_macro_f1"] = macro_f1([rows[i].label for i in polar], [binary[i] for i in polar],
                                          ["positive", "negative"])
    return out


def _sentiment_groups(rows: Sequence[LabelledText], preds: Sequence[str], binary: Sequence[str],
                      key: Callable[[LabelledText], str]) -> dict:
    """Sentiment metrics of each group of rows (by language, by register): n, macro-F1, accuracy,
    per-class P/R/F1 and, where the group has polar rows, the binary positive-vs-negative macro-F1."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[key(r)].append(i)
    out = {}
    for name, idx in sorted(groups.items()):
        g, p = [rows[i].label for i in idx], [preds[i] for i in idx]
        polar = [i for i in idx if rows[i].label != "neutral"]
        out[name] = {
            "n": len(idx),
            "macro_f1": macro_f1(g, p, SENTIMENT_LABELS),
            "accuracy": sum(a == b for a, b in zip(g, p)) / len(idx),
            "binary_macro_f1": macro_f1([rows[i].label for i in polar], [binary[i] for i in polar],
                                        ["positive", "negative"]) if polar else None,
            "per_class": {l: dict(zip(("p", "r", "f1", "support"), prf(g, p, l))) for l in SENTIMENT_LABELS},
        }
    return out


def evaluate_langid(rows: Sequence[LabelledText], model_dir: str | None) -> dict:
    """Accuracy and per-language recall / F1 of the language identifier."""
    from ..enricher import DEFAULT_MODEL_DIR
    from ..langid import LanguageIdentifier

    lid = LanguageIdentifier.load(Path(model_dir or DEFAULT_MODEL_DIR))
    preds = [r.code for r in lid.identify_batch([r.text for r in rows])]
    gold = [r.label for r in rows]
    labels = sorted(set(gold))
    confusion = Counter((g, p) for g, p in zip(gold, preds) if g != p)
    registers: dict[str, list[bool]] = defaultdict(list)
    if any(r.register for r in rows):
        for r, g, p in zip(rows, gold, preds):
            registers[r.register or "unknown"].append(g == p)
    return {
        "per_register": {k: {"n": len(v), "accuracy": sum(v) / len(v)} for k, v in sorted(registers.items())},
        "n": len(rows),
        "accuracy": sum(g == p for g, p in zip(gold, preds)) / max(len(rows), 1),
        "macro_f1": macro_f1(gold, preds, labels),
        "per_language": {
            l: dict(zip(("p", "r", "f1", "support"), prf(gold, preds, l))) for l in labels
        },
        "top_confusions": [f"{g}->{p}:{c}" for (g, p), c in confusion.most_common(8)],
    }


def evaluate_ner(inputs, gold: Sequence[set], tokenized: bool, model_dir: str | None,
                 use_gazetteer: bool = True) -> dict:
    """Exact-match entity P/R/F1 of the model (+ gazetteer)."""
    from ..enricher import DEFAULT_MODEL_DIR
    from ..entities import EntityExtractor

    ext = EntityExtractor.load(Path(model_dir or DEFAULT_MODEL_DIR))
    if tokenized:
        ents = ext.extract_words(inputs, use_gazetteer=use_gazetteer)
        pred = []
        for words, es in zip(inputs, ents):
            starts, ends, pos = {}, {}, 0
            for k, w in enumerate(words):
                starts[pos], ends[pos + len(w)] = k, k + 1
                pos += len(w) + 1
            pred.append({(starts[e.start], ends[e.end], e.label) for e in es if e.start in starts and e.end in ends})
    else:
        pred = [{(e.start, e.end, e.label) for e in es} for es in ext.extract_batch(inputs, use_gazetteer=use_gazetteer)]
    p, r, f, n = entity_prf(gold, pred)
    return {
        "n_docs": len(gold), "n_entities": n, "p": p, "r": r, "f1": f,
        "per_type": {t: dict(zip(("p", "r", "f1", "support"), entity_prf(gold, pred, t))) for t in ("PER", "ORG", "LOC")},
    }


# ------------------------------------------------------------------------------ printing
def _print_sentiment(name: str, res: dict) -> None:
    print(f"\n## sentiment: {name}  (n={res['n']}, macro-F1 {res['macro_f1']:.4f})")
    print(f"{'lang':<6} {'n':>5} {'macroF1':>8} {'acc':>6}  " + "  ".join(f"{l[:3]}-P  {l[:3]}-R  {l[:3]}-F1" for l in SENTIMENT_LABELS))
    for lang, r in res["per_language"].items():
        cells = "  ".join(f"{r['per_class'][l]['p']:.3f} {r['per_class'][l]['r']:.3f} {r['per_class'][l]['f1']:.3f}"
                          for l in SENTIMENT_LABELS)
        print(f"{lang:<6} {r['n']:>5} {r['macro_f1']:>8.4f} {r['accuracy']:>6.3f}  {cells}")
    if res.get("per_register"):
        print(f"{'register':<10} {'n':>5} {'macroF1':>8} {'acc':>6} {'binaryF1':>9}  "
              + "  ".join(f"{l[:3]}-R" for l in SENTIMENT_LABELS))
        for name, r in res["per_register"].items():
            b = "-" if r["binary_macro_f1"] is None else f"{r['binary_macro_f1']:.4f}"
            recalls = "  ".join(f"{r['per_class'][l]['r']:.3f}" for l in SENTIMENT_LABELS)
            print(f"{name:<10} {r['n']:>5} {r['macro_f1']:>8.4f} {r['accuracy']:>6.3f} {b:>9}  {recalls}")


def _print_langid(name: str, res: dict) -> None:
    print(f"\n## langid: {name}  (n={res['n']}, accuracy {res['accuracy']:.4f}, macro-F1 {res['macro_f1']:.4f})")
    print(f"{'lang':<6} {'n':>5} {'recall':>7} {'prec':>7} {'F1':>7}")
    for lang, r in res["per_language"].items():
        print(f"{lang:<6} {r['support']:>5} {r['r']:>7.4f} {r['p']:>7.4f} {r['f1']:>7.4f}")
    if res["top_confusions"]:
        print("confusions: " + ", ".join(res["top_confusions"]))
    for name, r in res.get("per_register", {}).items():
        print(f"register {name}: n={r['n']} accuracy {r['accuracy']:.4f}")


def _print_ner(name: str, res: dict) -> None:
    print(f"\n## ner: {name}  (docs={res['n_docs']}, entities={res['n_entities']}) "
          f"P {res['p']:.4f} R {res['r']:.4f} F1 {res['f1']:.4f}")
    for t, r in res["per_type"].items():
        print(f"  {t:<4} n={r['support']:>5}  P {r['p']:.4f}  R {r['r']:.4f}  F1 {r['f1']:.4f}")


def _snippet_rows(rows: Sequence[LabelledText], seed: int = 7, max_words: int = 5) -> list[LabelledText]:
    """Short (2..max_words words) windows of each sentence, to measure short-post accuracy."""
    rng = random.Random(seed)
    out = []
    for r in rows:
        words = r.text.split()
        if len(words) < 2:
            continue
        n = rng.randint(2, min(max_words, len(words)))
        i = rng.randint(0, len(words) - n)
        out.append(LabelledText(" ".join(words[i : i + n]), r.label, r.lang, r.group, r.register))
    return out


def run_data_dir(data_dir: Path, split: str, model_dir: str | None, tasks: Sequence[str]) -> dict:
    """Evaluate every task on every corpus split under ``data_dir``."""
    results: dict = {}
    if "sentiment" in tasks:
        rows: list[LabelledText] = []
        smsa = data_dir / "sentiment" / "smsa" / f"{split}.tsv"
        if smsa.exists():
            res = evaluate_sentiment(read_smsa(smsa), model_dir)
            results["sentiment/smsa"] = res
            _print_sentiment("smsa", res)
        for name in NUSAX_LANGS:
            f = data_dir / "sentiment" / "nusax" / name / f"{split}.csv"
            if f.exists():
                rows.extend(read_nusax_senti(f))
        if rows:
            res = evaluate_sentiment(rows, model_dir)
            res["mean_macro_f1_over_languages"] = sum(
                r["macro_f1"] for r in res["per_language"].values()) / len(res["per_language"])
            results["sentiment/nusax"] = res
            _print_sentiment("nusax", res)
            print(f"mean macro-F1 over {len(res['per_language'])} NusaX languages: "
                  f"{res['mean_macro_f1_over_languages']:.4f}")
        f = data_dir / "sentiment" / "emot" / f"{split}.csv"
        if f.exists():
            res = evaluate_sentiment(read_emot(f), model_dir)
            results["sentiment/emot_polarity"] = res
            _print_sentiment("emot (tweets, emotion -> polarity; no neutral gold)", res)
            print(f"EmoT polarity, binary macro-F1 (positive vs negative probability): {res['binary_macro_f1']:.4f}")
    if "langid" in tasks:
        f = data_dir / "langid" / "nusax_mt" / f"{split}.csv"
        if f.exists():
            rows = read_nusax_mt(f)
            results["langid/nusax_mt"] = res = evaluate_langid(rows, model_dir)
            _print_langid("nusax_mt sentences", res)
            results["langid/nusax_mt_short"] = res = evaluate_langid(_snippet_rows(rows), model_dir)
            _print_langid("nusax_mt 2-5 word snippets", res)
    if "ner" in tasks:
        for corpus, ext in (("nergrit", "txt"), ("nerp", "txt"), ("nerui", "tsv")):
            f = data_dir / "ner" / corpus / f"{split}.{ext}"
            if f.exists():
                inputs, gold, tok = load_ner(f, "bio")
                for gaz in (False, True):
                    key = f"ner/{corpus}" + ("+gazetteer" if gaz else "")
                    results[key] = res = evaluate_ner(inputs, gold, tok, model_dir, use_gazetteer=gaz)
                    _print_ner(key, res)
                # the same gold relabelled by the label convention, and a lower-cased copy of the text
                _, conv, _ = load_ner(f, "bio", convention=True)
                key = f"ner/{corpus}+gazetteer, gold relabelled by the convention"
                results[key] = res = evaluate_ner(inputs, conv, tok, model_dir)
                _print_ner(key, res)
                key = f"ner/{corpus}+gazetteer, text lower-cased"
                results[key] = res = evaluate_ner([[w.lower() for w in x] for x in inputs], gold, tok, model_dir)
                _print_ner(key, res)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    ap = SettingsParser(prog="pantau evaluate", description=(
        "Evaluate pantau's NLP models on labelled files or a data dir; with --reviews, on the posts "
        "analysts corrected in the review page (see `pantau evaluate --reviews --help`)."))
    ap.add_argument("--reviews", action="store_true",
                    help="score the models on the posts analysts reviewed (pantau review), read from "
                         "Elasticsearch; handled by `pantau evaluate`, whose --reviews --help lists the "
                         "connection options (--es_url, --es_alias, --reviews_index, ...)")
    ap.add_argument("--task", choices=["sentiment", "langid", "ner"])
    ap.add_argument("--input", help="labelled file")
    ap.add_argument("--format", default="auto", choices=["auto", "jsonl", "smsa", "nusax", "nusax_mt", "bio"])
    ap.add_argument("--lang", help="language code of every sample (overrides the file)")
    ap.add_argument("--data_dir", help="evaluate every corpus of this shared data layout")
    ap.add_argument("--split", default="valid", help="split name in --data-dir mode (default valid)")
    ap.add_argument("--tasks", default="sentiment,langid,ner", help="tasks in --data-dir mode")
    ap.add_argument("--model_dir", default=None, help="model directory (default: packaged models)")
    ap.add_argument("--no_gazetteer", action="store_true", help="ner: model only")
    ap.add_argument("--json", dest="json_out", help="also write the results as JSON here")
    args = ap.parse_args(argv)
    if args.reviews:  # `pantau evaluate --reviews` never gets here (pipelines/review.py takes it)
        ap.error("--reviews reads the index: pass it on the command line, `pantau evaluate --reviews ...` "
                 "(not through PANTAU_REVIEWS or a config file)")

    if args.data_dir:
        results = run_data_dir(Path(args.data_dir), args.split, args.model_dir, args.tasks.split(","))
    else:
        if not args.task or not args.input:
            ap.error("--task and --input are required unless --data-dir is given")
        path = Path(args.input)
        if not path.exists():
            print(f"error: {path} not found", file=sys.stderr)
            return 2
        fmt = detect_format(path, args.task) if args.format == "auto" else args.format
        try:
            if args.task == "ner":
                inputs, gold, tok = load_ner(path, fmt)
                results = evaluate_ner(inputs, gold, tok, args.model_dir, use_gazetteer=not args.no_gazetteer)
                _print_ner(path.name, results)
            else:
                rows = load_labelled(path, fmt, args.task, args.lang)
                if not rows:
                    print(f"error: no samples in {path}", file=sys.stderr)
                    return 2
                if args.task == "sentiment":
                    results = evaluate_sentiment(rows, args.model_dir)
                    _print_sentiment(path.name, results)
                else:
                    results = evaluate_langid(rows, args.model_dir)
                    _print_langid(path.name, results)
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            print(f"error: cannot read {path} as {fmt}: {exc}", file=sys.stderr)
            return 2
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
