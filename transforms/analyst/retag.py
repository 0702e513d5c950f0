"""Re-tagging indexed posts with the current watchlist: history for a new or edited issue.

:func:`retag` walks the posts created in ``[start, end)`` (``search_after`` pages sorted by
``created_at``, ``doc_id``), recomputes ``issues`` with the same matcher the tagging stage uses
(``Watchlist.match_doc``) and writes only the documents whose issues changed, as bulk partial
``update`` s. Running it twice changes nothing the second time (idempotent).

Safe while the pipeline writes: every update carries the ``_seq_no`` / ``_primary_term`` the
document had when it was read (optimistic concurrency). If the pipeline indexed a newer
collection of the post in between, Elasticsearch (and noida-db) refuse the update with 409 and
the re-tag reads the post again and recomputes, so it never overwrites a newer post with tags of
an older one. An update raises the document's internal version by one; the pipeline's external
version (``collected_at``) still refuses replays of the same collection and accepts newer ones.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transforms.analyst.export import post_pages
from transforms.io.es_sink import EsConfig
from transforms.logic.watchlist import Watchlist

LOG = logging.getLogger(__name__)
MATCH_FIELDS = ["doc_id", "created_at", "title", "text", "text_clean", "text_normalized", "hashtags",
                "mentions", "author.handle", "language", "lang_hint", "platform", "issues"]
MAX_ATTEMPTS = 3


@dataclass
class RetagReport:
    """What a re-tag did (printed as progress and at the end)."""
    start_ms: int
    end_ms: int
    checked: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0            # refused updates (a newer write came between read and update)
    failed: int = 0
    added: dict[str, int] = field(default_factory=dict)    # issue -> posts newly tagged
    removed: dict[str, int] = field(default_factory=dict)  # issue -> posts no longer tagged
    seconds: float = 0.0

    def line(self) -> str:
        """One progress line."""
        added = ", ".join(f"{k} +{v}" for k, v in sorted(self.added.items()))
        removed = ", ".join(f"{k} -{v}" for k, v in sorted(self.removed.items()))
        return (f"retag: {self.checked} posts checked, {self.changed} re-tagged, {self.conflicts} "
                f"conflicts retried, {self.failed} failed" + (f"; {added}" if added else "")
                + (f"; {removed}" if removed else "") + f" ({self.seconds:.1f}s)")


def new_issues(doc: dict[str, Any], watchlist: Watchlist) -> list[str] | None:
    """The document's issues under ``watchlist``, or None when they are already those."""
    issues = watchlist.match_doc(doc)
    return None if sorted(issues) == sorted(doc.get("issues") or []) else issues


def _count(report: RetagReport, old: list[str], new: list[str]) -> None:
    for issue in set(new) - set(old):
        report.added[issue] = report.added.get(issue, 0) + 1
    for issue in set(old) - set(new):
        report.removed[issue] = report.removed.get(issue, 0) + 1


def retag(client, alias: str, watchlist: Watchlist, start_ms: int, end_ms: int, *,
          batch_size: int = 500, dry_run: bool = False,
          progress: Callable[[RetagReport], None] | None = None) -> RetagReport:
    """Re-tags the posts of ``alias`` created in ``[start_ms, end_ms)``; ``progress`` is called
    after every page. ``dry_run`` counts what would change without writing."""
    from elasticsearch import helpers
    t0 = time.monotonic()
    report = RetagReport(start_ms, end_ms)
    query = {"range": {"created_at": {"gte": start_ms, "lt": end_ms}}}
    for hits in post_pages(client, alias, query, MATCH_FIELDS, batch_size, seq_no_primary_term=True):
        pending = {}
        for hit in hits:
            report.checked += 1
            issues = new_issues(hit["_source"], watchlist)
            if issues is None:
                report.unchanged += 1
            else:
                pending[(hit["_index"], hit["_id"])] = (hit, issues)
        for attempt in range(MAX_ATTEMPTS):
            if not pending or dry_run:
                break
            actions = [{"_op_type": "update", "_index": hit["_index"], "_id": hit["_id"],
                        "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"],
                        "doc": {"issues": issues}} for hit, issues in pending.values()]
            _, errors = helpers.bulk(client, actions, raise_on_error=False, raise_on_exception=False)
            refused = {(e["update"]["_index"], e["update"]["_id"]): e["update"] for e in errors}
            for key, (hit, issues) in pending.items():
                if key not in refused:
                    report.changed += 1
                    _count(report, hit["_source"].get("issues") or [], issues)
            retry = {}
            for key, error in refused.items():
                if error.get("status") != 409 or attempt == MAX_ATTEMPTS - 1:
                    report.failed += 1
                    LOG.warning("retag of %s failed: %s", key[1], error.get("error"))
                    continue
                report.conflicts += 1
                # a real-time get (a search may not see the newer write before a refresh)
                fresh = client.options(ignore_status=404).get(index=key[0], id=key[1],
                                                              source_includes=MATCH_FIELDS)
                issues = new_issues(fresh["_source"], watchlist) if fresh.get("found") else None
                if issues is not None:
                    retry[key] = ({**fresh, "_index": key[0], "_id": key[1]}, issues)
            pending = retry
        if dry_run:
            for hit, issues in pending.values():
                report.changed += 1
                _count(report, hit["_source"].get("issues") or [], issues)
        report.seconds = time.monotonic() - t0
        if progress is not None:
            progress(report)
    report.seconds = time.monotonic() - t0
    return report


def retag_recent(es: EsConfig, watchlist: Watchlist, window_s: float,
                 now_ms: int | None = None) -> RetagReport:
    """Re-tags the last ``window_s`` seconds of posts (what a watchlist reload does)."""
    end = int(time.time() * 1000) if now_ms is None else now_ms
    client = es.client()
    try:
        client.indices.refresh(index=es.alias, ignore_unavailable=True, allow_no_indices=True)
        return retag(client, es.alias, watchlist, end - int(window_s * 1000), end + 60_000,
                     progress=lambda r: LOG.info("%s", r.line()))
    finally:
        client.close()


_RELOAD_LOCK = threading.Lock()
_RELOAD_DONE: set[tuple[str, float]] = set()


def retag_in_background(es: EsConfig, watchlist: Watchlist, window_s: float,
                        version: tuple[str, float], delay_s: float = 0.0) -> threading.Thread | None:
    """Starts :func:`retag_recent` in a daemon thread once per watchlist ``version`` (path,
    mtime) in this process, however many tagging DoFn instances saw the reload; None if it
    already ran or runs. ``delay_s``: wait first, until every other tagger (other DoFn
    instances, other pipeline instances) has reloaded too, so none writes old tags after the
    re-tag went by."""
    with _RELOAD_LOCK:
        if version in _RELOAD_DONE:
            return None
        _RELOAD_DONE.add(version)

    def run() -> None:
        time.sleep(delay_s)
        try:
            report = retag_recent(es, watchlist, window_s)
            LOG.info("after the watchlist reload: %s", report.line())
        except Exception as e:  # the pipeline goes on; `pantau retag` can be run by hand
            LOG.error("re-tag after the watchlist reload failed: %s", e)

    thread = threading.Thread(target=run, name="pantau-retag", daemon=True)
    thread.start()
    return thread
