"""``pantau enrich``: enrich a JSONL file of posts with the same code the streaming stage uses.

Usage::

    pantau enrich --input posts.jsonl --output enriched.jsonl [--errors errors.jsonl]
                  [--batch-size 256] [--model-dir DIR]

Each input line is one JSON object with at least ``text`` (``id`` and ``lang_hint`` are
optional; other fields are passed through). Each output line is the input object plus
``text_normalized``, ``language``, ``sentiment``, ``entities`` and ``enrichment_skipped``
(:meth:`Enricher.enrich_batch`). A line that is not a JSON object with a string ``text``
produces an error record ``{"line": n, "error": "...", "raw": "..."}`` on stderr (or in
``--errors``) and processing continues. ``-`` means stdin / stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import IO, Sequence

__all__ = ["enrich_main", "enrich_stream"]


def _open(stack: ExitStack, path: str | None, mode: str, default: IO[str]) -> IO[str]:
    if path is None or path == "-":
        return default
    return stack.enter_context(open(path, mode, encoding="utf-8"))


def enrich_stream(enricher, src: IO[str], dst: IO[str], errors: IO[str], batch_size: int = 256) -> tuple[int, int]:
    """Enrich JSONL from ``src`` into ``dst``; returns (posts written, error records)."""
    n_ok = n_err = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal n_ok
        if not batch:
            return
        for post, extra in zip(batch, enricher.enrich_batch(batch)):
            record = dict(post)
            record.update(extra)
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            n_ok += 1
        batch.clear()

    for lineno, line in enumerate(src, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("line is not a JSON object")
            if not isinstance(obj.get("text"), str):
                raise ValueError("missing or non-string 'text'")
        except (ValueError, json.JSONDecodeError) as exc:
            errors.write(json.dumps({"line": lineno, "error": str(exc), "raw": line.rstrip("\n")[:500]},
                                    ensure_ascii=False) + "\n")
            n_err += 1
            continue
        batch.append(obj)
        if len(batch) >= batch_size:
            flush()
    flush()
    return n_ok, n_err


def enrich_main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns 0 (even with bad lines, which are reported), 2 on usage errors."""
    ap = argparse.ArgumentParser(prog="pantau enrich", description="Enrich a JSONL file of posts.")
    ap.add_argument("--input", required=True, help="JSONL posts ('-' = stdin)")
    ap.add_argument("--output", required=True, help="JSONL output ('-' = stdout)")
    ap.add_argument("--errors", default=None, help="JSONL error records (default stderr)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--model-dir", default=None, help="model directory (default: packaged models)")
    args = ap.parse_args(argv)

    from .enricher import Enricher

    try:
        enricher = Enricher.load(args.model_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        try:
            src = _open(stack, args.input, "r", sys.stdin)
            dst = _open(stack, args.output, "w", sys.stdout)
            err = _open(stack, args.errors, "w", sys.stderr)
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        n_ok, n_err = enrich_stream(enricher, src, dst, err, max(1, args.batch_size))
    print(f"enriched {n_ok} posts, {n_err} bad lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(enrich_main())
