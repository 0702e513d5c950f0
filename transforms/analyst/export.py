"""Exporting indexed posts as JSONL: the unlabelled stream text the sentiment teacher labels.

:func:`export_posts` walks the posts created in ``[start, end)`` (``search_after`` pages sorted by
``created_at``, ``doc_id``, like the re-tag), optionally of some languages only, skips reposts
(their text is their parent's) and posts without text, and writes one JSON object a line:
``doc_id``, ``created_at``, ``platform``, ``text`` and ``language`` (``{"code": ...}``). That is the
input ``pantau train --only teacher,sentiment --unlabelled FILE`` expects (``transforms/nlp/README.md``,
"News sentences labelled by the teacher").
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

EXPORT_FIELDS = ["doc_id", "created_at", "platform", "text", "language"]


@dataclass
class ExportReport:
    """What an export did."""
    checked: int = 0
    written: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """One progress line."""
        return f"export: {self.checked} posts read, {self.written} written ({self.seconds:.1f}s)"


def export_query(start_ms: int, end_ms: int, languages: Sequence[str] = ()) -> dict[str, Any]:
    """The posts of ``[start_ms, end_ms)`` that are not reposts, of ``languages`` when given."""
    must: list[dict[str, Any]] = [{"range": {"created_at": {"gte": start_ms, "lt": end_ms}}}]
    if languages:
        must.append({"terms": {"language.code": list(languages)}})
    return {"bool": {"filter": must, "must_not": [{"exists": {"field": "repost_of"}}]}}


def export_row(source: dict[str, Any]) -> dict[str, Any] | None:
    """The exported line of one indexed post, or None when it has no text."""
    text = source.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    language = source.get("language") if isinstance(source.get("language"), dict) else {}
    return {"doc_id": source.get("doc_id"), "created_at": source.get("created_at"),
            "platform": source.get("platform"), "text": text, "language": {"code": language.get("code")}}


def post_pages(client, alias: str, query: dict[str, Any], fields: Sequence[str], batch_size: int = 500,
               **search: Any) -> Iterator[list[dict[str, Any]]]:
    """The hits of ``query`` on ``alias`` page by page (``search_after`` on ``created_at``, ``doc_id``:
    stable while the pipeline writes); ``search`` passes on to ``client.search``."""
    after: list[Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"search_after": after} if after else {}
        response = client.search(index=alias, size=batch_size, query=query,
                                 sort=[{"created_at": "asc"}, {"doc_id": "asc"}], source_includes=list(fields),
                                 ignore_unavailable=True, allow_no_indices=True, **search, **kwargs)
        hits = response["hits"]["hits"]
        if not hits:
            return
        yield hits
        if len(hits) < batch_size:
            return
        after = hits[-1]["sort"]


def export_posts(client, alias: str, start_ms: int, end_ms: int, out: IO[str], *,
                 languages: Sequence[str] = (), limit: int | None = None, batch_size: int = 500,
                 progress: Callable[[ExportReport], None] | None = None) -> ExportReport:
    """Writes the posts of ``alias`` created in ``[start_ms, end_ms)`` to ``out`` as JSONL (at most
    ``limit``); ``progress`` is called after every page."""
    t0 = time.monotonic()
    report = ExportReport()
    for hits in post_pages(client, alias, export_query(start_ms, end_ms, languages), EXPORT_FIELDS, batch_size):
        for hit in hits:
            report.checked += 1
            row = export_row(hit["_source"])
            if row is not None and (limit is None or report.written < limit):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                report.written += 1
        report.seconds = time.monotonic() - t0
        if progress is not None:
            progress(report)
        if limit is not None and report.written >= limit:
            break
    report.seconds = time.monotonic() - t0
    return report
