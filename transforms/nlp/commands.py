"""``pantau enrich``: enrich a JSONL file of posts with the same code the streaming stage uses.

Usage::

    pantau enrich --input posts.jsonl --output enriched.jsonl [--errors errors.jsonl]
                  [--batch-size 256] [--model-dir DIR]

Each input line is one JSON object with at least ``text`` (``id`` and ``lang_hint`` are
optional; other fields are passed through). Each output line is the input object plus
``text_normalized``, ``language``, ``sentiment``, ``entities`` and ``enrichment_skipped``
(:meth:`Enricher.enrich_batch`). ``-`` means stdin / stdout.

The file is read line by line as bytes, and no line can stop the run:

* a line that is not UTF-8, not JSON, not an object, or has no string ``text``, and a post the
  models fail on, becomes an error record ``{"line": n, "kind": ..., "error": ..., "raw": ...}``
  in ``--errors`` (JSONL) and a ``line n: ...`` message on stderr; the run goes on;
* lone surrogates (``"\\ud83d"``: half an emoji) anywhere in a line become U+FFFD, as in the
  pipeline, and the line's output lists them in ``repairs`` (``lone_surrogate:text``);
* output is flushed batch by batch, so the lines before a failure are never lost.

Exit status: 0 when every line was enriched, 1 when any line failed, 2 on usage errors.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import IO, Any, BinaryIO

from transforms.core.codec import safe_text
from transforms.core.settings import SettingsParser

__all__ = ["enrich_main", "enrich_stream"]


def _open(stack: ExitStack, path: str | None, mode: str, default: IO) -> IO:
    if path is None or path == "-":
        return default
    if "b" in mode:
        return stack.enter_context(open(path, mode))
    return stack.enter_context(open(path, mode, encoding="utf-8"))


def _repaired(value: Any, path: str, repairs: list[str]) -> Any:
    """``value`` with lone surrogates in its strings replaced; top-level fields noted."""
    if isinstance(value, str):
        fixed = safe_text(value)
        if fixed is not value and f"lone_surrogate:{path}" not in repairs:
            repairs.append(f"lone_surrogate:{path}")
        return fixed
    if isinstance(value, dict):
        return {_repaired(k, path, repairs): _repaired(v, path, repairs) for k, v in value.items()}
    if isinstance(value, list):
        return [_repaired(v, path, repairs) for v in value]
    return value


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _jsonl(record: dict[str, Any]) -> str:
    """One JSONL line: UTF-8 JSON whose only raw line break is the one at its end (NEL and the
    Unicode line separators, legal inside JSON strings, are escaped for line-splitting readers)."""
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS) + "\n"


class LineError(ValueError):
    """A line that cannot be enriched; ``kind`` names why."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def parse_line(raw: bytes) -> dict[str, Any]:
    """The post of one input line, its strings made valid; LineError when it is not one."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LineError("invalid_utf8", f"line is not UTF-8 ({e.reason} at byte {e.start})") from e
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as e:
        raise LineError("invalid_json", f"not valid JSON: {e}") from e
    if not isinstance(obj, dict):
        raise LineError("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    if not isinstance(obj.get("text"), str):
        raise LineError("missing_field", "missing or non-string 'text'")
    repairs: list[str] = []
    obj = {safe_text(k): _repaired(v, safe_text(k), repairs) for k, v in obj.items()}
    if repairs:
        obj["repairs"] = sorted(set(obj.get("repairs") or []) | set(repairs)) \
            if isinstance(obj.get("repairs"), list) else repairs
    return obj


def enrich_stream(enricher, src: BinaryIO, dst: IO[str], errors: IO[str] | None = None,
                  batch_size: int = 256, log: IO[str] | None = None) -> tuple[int, int]:
    """Enrich JSONL bytes from ``src`` into ``dst``; returns (posts written, failed lines).

    A failed line is written to ``errors`` (JSONL) and told on ``log`` (a human line)."""
    n_ok = n_err = 0
    batch: list[tuple[int, dict[str, Any]]] = []

    def fail(lineno: int, kind: str, message: str, raw: bytes | str) -> None:
        nonlocal n_err
        n_err += 1
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "backslashreplace")
        if errors is not None:
            errors.write(_jsonl({"line": lineno, "kind": kind, "error": safe_text(message),
                                 "raw": safe_text(text.rstrip("\r\n")[:500])}))
        if log is not None:
            log.write(f"pantau enrich: line {lineno}: {kind}: {safe_text(message)[:300]}\n")

    def results_of(posts: list[tuple[int, dict[str, Any]]]):
        """(lineno, post, extra or exception): a failing batch is redone post by post."""
        try:
            return list(zip(posts, enricher.enrich_batch([p for _, p in posts]), strict=True))
        except Exception:  # noqa: BLE001 - find the post that broke the batch
            out = []
            for item in posts:
                try:
                    out.append((item, enricher.enrich_batch([item[1]])[0]))
                except Exception as e:  # noqa: BLE001
                    out.append((item, e))
            return out

    def flush() -> None:
        nonlocal n_ok
        for (lineno, post), extra in results_of(batch):
            if isinstance(extra, Exception):
                fail(lineno, "enrich_error", f"{type(extra).__name__}: {extra}", json.dumps(post)[:500])
                continue
            record = dict(post)
            record.update(extra)
            try:
                line = _jsonl(record)
                line.encode("utf-8")
            except Exception as e:  # noqa: BLE001
                fail(lineno, "unwritable_output", f"{type(e).__name__}: {e}", json.dumps(post)[:500])
                continue
            dst.write(line)
            n_ok += 1
        batch.clear()
        dst.flush()

    for lineno, raw in enumerate(src, start=1):
        if not raw.strip():
            continue
        try:
            batch.append((lineno, parse_line(raw)))
        except LineError as e:
            fail(lineno, e.kind, str(e), raw)
            continue
        if len(batch) >= batch_size:
            flush()
    flush()
    return n_ok, n_err


def enrich_main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: 0 when every line was enriched, 1 when any failed, 2 on usage errors."""
    ap = SettingsParser(prog="pantau enrich", description="Enrich a JSONL file of posts.")
    ap.add_argument("--input", required=True, help="JSONL posts ('-' = stdin)")
    ap.add_argument("--output", required=True, help="JSONL output ('-' = stdout)")
    ap.add_argument("--errors", default=None, help="JSONL error records, one per failed line "
                    "(failed lines are also told on stderr)")
    ap.add_argument("--enrich_max_batch", "--batch_size", type=int, default=256, help="posts per model batch")
    ap.add_argument("--model_dir", default=None, help="model directory (default: packaged models)")
    args = ap.parse_args(argv)

    from .enricher import Enricher

    try:
        enricher = Enricher.load(args.model_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        try:
            src = _open(stack, args.input, "rb", sys.stdin.buffer)
            dst = _open(stack, args.output, "w", sys.stdout)
            err = _open(stack, args.errors, "w", None) if args.errors else None
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        n_ok, n_err = enrich_stream(enricher, src, dst, err, max(1, args.enrich_max_batch), log=sys.stderr)
    print(f"enriched {n_ok} posts, {n_err} failed lines", file=sys.stderr)
    return 1 if n_err else 0


if __name__ == "__main__":
    raise SystemExit(enrich_main())
