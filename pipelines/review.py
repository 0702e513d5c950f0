"""``pantau review``: the review page for analysts' corrections, their export, and
``pantau evaluate --reviews`` (``transforms.analyst.review``)."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from pipelines.options import add_es_connection, es_auth
from transforms.analyst import review
from transforms.core.settings import SettingsParser
from transforms.io.es_sink import EsConfig


def _client(args: argparse.Namespace):
    return EsConfig(url=args.es_url, alias=args.es_alias, auth=es_auth(args)).client()


def _common(parser: argparse.ArgumentParser) -> None:
    add_es_connection(parser)
    parser.add_argument("--es_alias", default="pantau-posts", help="posts index or alias")
    parser.add_argument("--reviews_index", default=review.REVIEWS_INDEX)


def main(argv: Sequence[str] | None = None) -> int:
    """``pantau review``: serve the review page (or ``--export FILE``: write the corrections)."""
    parser = SettingsParser(prog="pantau review", description="a page where analysts "
                                     "correct the sentiment and language of uncertain posts")
    _common(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address of the page (loopback by default)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--size", type=int, default=20, help="posts per page")
    parser.add_argument("--export", default=None,
                        help="write the sentiment corrections as JSONL (pantau evaluate / train --reviews) and exit")
    parser.add_argument("--export_entities", default=None,
                        help="write the entity corrections as NER JSONL (pantau evaluate --task ner) and exit")
    args = parser.parse_args(list(argv or []))
    client = _client(args)
    try:
        if args.export or args.export_entities:
            docs = list(review.reviews(client, args.reviews_index))
            for path, rows in ((args.export, review.export_rows(docs)),
                               (args.export_entities, review.export_ner_rows(docs))):
                if path:
                    rows = list(rows)
                    with open(path, "w", encoding="utf-8") as f:
                        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                    print(f"wrote {len(rows)} corrections to {path}")
            return 0
        server = review.ReviewServer((args.host, args.port), client, args.es_alias, args.size,
                                     args.reviews_index)
        print(f"pantau review: http://{args.host}:{server.server_address[1]}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        client.close()


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    """``pantau evaluate``: with ``--reviews``, the models' accuracy on the posts analysts
    reviewed (as indexed, and by the current models); otherwise the NLP evaluation."""
    argv = list(argv or [])
    if "--reviews" not in argv:
        from transforms.nlp.training.evaluate import main as nlp_evaluate
        return nlp_evaluate(argv)
    parser = SettingsParser(prog="pantau evaluate --reviews", command="evaluate")
    parser.add_argument("--reviews", action="store_true",
                        help="score the models on the posts analysts reviewed (pantau review)")
    _common(parser)
    parser.add_argument("--model_dir", default=None, help="NLP model folder (default: bundled)")
    args = parser.parse_args(argv)
    client = _client(args)
    try:
        docs = list(review.reviews(client, args.reviews_index))
    finally:
        client.close()
    out: dict = {"reviews": len(docs), "as_indexed": review.indexed_accuracy(docs)}
    rows = list(review.export_rows(docs))
    if rows:
        from transforms.nlp.training.data_io import LabelledText
        from transforms.nlp.training.evaluate import evaluate_sentiment
        labelled = [LabelledText(r["text"], r["label"], r["lang"], r["doc_id"], r.get("register", ""))
                    for r in rows]
        current = evaluate_sentiment(labelled, args.model_dir)
        preds_ok = sum(v["accuracy"] * v["n"] for v in current["per_language"].values())
        out["current_models"] = {"sentiment": {
            "n": current["n"], "accuracy": round(preds_ok / current["n"], 4),
            "macro_f1": round(current["macro_f1"], 4),
            # per language and per platform (the register): where the models need more corrections
            "per_language": _group_scores(current["per_language"]),
            "per_register": _group_scores(current.get("per_register", {}))}}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _group_scores(groups: dict) -> dict:
    """n, accuracy and macro-F1 (rounded) of each group of an ``evaluate_sentiment`` breakdown."""
    return {name: {"n": v["n"], "accuracy": round(v["accuracy"], 4), "macro_f1": round(v["macro_f1"], 4)}
            for name, v in groups.items()}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
