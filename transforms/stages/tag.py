"""Stage: tag documents with watchlist issues, influence and a near-duplicate signature.

Runs after ``EnrichPosts``: issue filters use ``language.code`` (the platform's hint when
enrichment is off) and queries also see ``text_normalized``. Sets three fields of the
EnrichedPost document:

* ``issues``    - names of the matching watchlist issues (``transforms.logic.watchlist``); empty when
  the stage has no watchlist;
* ``influence`` - reach, engagement, engagement rate, post score, author influence
  (``transforms.logic.influence``);
* ``near_dup``  - SimHash, LSH band keys, cluster (``transforms.logic.neardup``; None for a post
  without words).

The watchlist file is loaded in ``setup()`` and checked for changes every
``reload_interval_s`` seconds (at bundle start): an edited file takes effect without a restart;
an edited file that does not compile is logged and counted, and the previous watchlist stays in
use. A document that fails to tag becomes a dead letter (stage ``tag``); the stream goes on.
With ``retag_es`` and ``retag_window_s``, a reload also re-tags the posts of that window already in
the index (``transforms.analyst.retag``, in a background thread, once per process and file version,
``reload_interval_s`` + 5 s after the reload, when every other tagger has reloaded as well).
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

from apache_beam.metrics import Metrics

from transforms.core.stage import Stage, StageFn
from transforms.io.es_sink import EsConfig
from transforms.logic.influence import post_influence
from transforms.logic.neardup import near_dup_for_doc
from transforms.logic.watchlist import Watchlist, WatchlistError, load_watchlist

LOG = logging.getLogger(__name__)
STAGE = "tag"


def tag_document(doc: dict[str, Any], watchlist: Watchlist | None) -> dict[str, Any]:
    """The document with ``issues``, ``influence`` and ``near_dup`` set (a new dict)."""
    out = dict(doc)
    out["issues"] = watchlist.match_doc(doc) if watchlist is not None else []
    out["influence"] = post_influence(doc)
    out["near_dup"] = near_dup_for_doc(doc)
    return out


class TagPostFn(StageFn):
    """document -> tagged document."""

    STAGE = STAGE

    def __init__(self, watchlist_path: str | None = None, reload_interval_s: float = 60.0,
                 retag_es: EsConfig | None = None, retag_window_s: float = 0.0):
        self.watchlist_path = watchlist_path
        self.reload_interval_s = reload_interval_s
        self.retag_es = retag_es
        self.retag_window_s = retag_window_s
        self.with_issues = Metrics.counter("pantau.tag", "records_with_issues")
        self.reloads = Metrics.counter("pantau.tag", "watchlist_reloads")
        self.reload_failures = Metrics.counter("pantau.tag", "watchlist_reload_failures")

    def setup(self) -> None:
        self._watchlist: Watchlist | None = None
        self._mtime: float | None = None
        self._checked_at = time.monotonic()
        if self.watchlist_path:
            self._mtime = os.stat(self.watchlist_path).st_mtime
            self._watchlist = load_watchlist(self.watchlist_path)  # invalid at start: fail loudly
            LOG.info("watchlist %s: %d issues", self.watchlist_path, len(self._watchlist))

    def start_bundle(self) -> None:
        if not self.watchlist_path or time.monotonic() - self._checked_at < self.reload_interval_s:
            return
        self._checked_at = time.monotonic()
        try:
            mtime = os.stat(self.watchlist_path).st_mtime
            if mtime == self._mtime:
                return
            self._mtime = mtime
            self._watchlist = load_watchlist(self.watchlist_path)
            self.reloads.inc()
            LOG.info("watchlist reloaded: %s, %d issues", self.watchlist_path, len(self._watchlist))
            if self.retag_es is not None and self.retag_window_s > 0:
                from transforms.analyst.retag import retag_in_background
                retag_in_background(self.retag_es, self._watchlist, self.retag_window_s,
                                    (self.watchlist_path, mtime), self.reload_interval_s + 5.0)
        except (OSError, WatchlistError) as e:
            self.reload_failures.inc()
            LOG.error("watchlist not reloaded, keeping the previous one: %s", e)

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = tag_document(doc, self._watchlist)
        if out["issues"]:
            self.with_issues.inc()
        return out


class TagPosts(Stage):
    """Tags documents with issues, influence and near-duplicate signatures; returns
    (documents, dead letters).

    ``watchlist_path=None`` tags no issues (influence and near-duplicates are still computed).
    The file is compiled once here as well, so a broken watchlist fails at pipeline
    construction with its line number instead of on the workers.
    """

    def __init__(self, watchlist_path: str | None = None, reload_interval_s: float = 60.0,
                 retag_es: EsConfig | None = None, retag_window_s: float = 0.0):
        path = str(watchlist_path) if watchlist_path else None
        if path:
            load_watchlist(path)
        super().__init__(TagPostFn(path, reload_interval_s, retag_es, retag_window_s), "Tag")
