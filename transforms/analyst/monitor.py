"""The alert monitor's engine: spike, crisis and coordination alerts from Elasticsearch aggregations.

``pantau monitor`` (``pipelines/monitor.py``) runs it as a job; ``pantau run --monitor`` as a
thread next to a local pipeline.

Design: detection runs on a short schedule over Elasticsearch, not inside the Beam pipeline.
Every ``interval_s`` (15 s) one cycle

1. reads the alert state back from the alerts index (active alerts, when each key last alerted),
2. asks Elasticsearch, in one request, for the post counts of every issue (terms over
   ``issues``) and of all posts, in the current window and the baseline windows before it
   (``range`` buckets on ``created_at`` ending now, each with a ``negative`` filter count),
3. asks for near-duplicate bands over the coordination window (terms over ``near_dup.bands``
   with ``min_doc_count``, a ``cardinality`` of ``author.id`` and the band's posts as top_hits),
4. decides with the pure functions of :mod:`transforms.logic.alerts` (thresholds, dedup, cooldown),
5. explains each new alert (top posts by influence/engagement, top authors by summed
   influence, top hashtags) and writes it to the alerts index, then the Kafka alerts topic
   (JSON, key = issue), then the Prometheus metrics; clusters go to the coordination index and,
   optionally, onto their member posts (bulk partial ``update``: ``near_dup.cluster``,
   ``coordination``).
6. with ``alertmanager_url``, posts every active alert (and each recently resolved one, with its
   ``endsAt``) to Alertmanager's API v2 with stable labels and texts for people
   (``transforms.analyst.alert_text``, Indonesian by default): Alertmanager's grouping and
   notification log turn the repeated posts of every cycle, and of a restarted monitor, into one
   notification per alert (Telegram, e-mail, webhooks: ``deploy/alertmanager``).

Why not Beam windows: on the local runner (FnApiRunner) event-time windows, triggers and timers
fire only when the pipeline shuts down, so an alert computed in the pipeline would come after
the crisis. The monitor depends on nothing but the index, so it behaves identically whatever
runs the pipeline: locally it is a thread next to ``pantau run`` (:func:`start_monitor_thread`);
on Flink or Dataflow it is a separate small process (one replica of a Deployment running
``pantau monitor``) next to the job. All state lives in Elasticsearch, so a restarted monitor
neither re-alerts nor forgets active alerts; a Kafka publish that failed is retried from the
``published`` flag of the alert document (an outbox). Run exactly one monitor per alerts index.

Windows are in event time (``created_at``) ending at ``now - lag_s``: posts that are collected
late only count once indexed, so ``lag_s`` (default 0) trades freshness for completeness. The
windows are ``range`` buckets ending at now rather than ``date_histogram`` buckets: histogram
buckets are aligned to the clock, so the current one would be partly empty most of the time.

Tagging member posts of a coordinated cluster uses bulk ``update`` with a partial document
(supported by Elasticsearch and noida-db). An update bumps the document's version by one: a
replay of the same post (external version = ``collected_at``) is still refused, and a newer
collection of the post replaces the document and drops the tags until the next cycle sets them
again (``--no_coord_update_docs`` leaves posts untouched; the clusters index has everything).

Elasticsearch features used are those the ES-API server noida-db also supports (terms, range,
filter, cardinality, sum/min/max, top_hits). Two noida quirks are avoided on purpose: top posts
come from a search-level sort (noida's top_hits sort ignores ``missing``) and authors ordered
by summed influence are re-sorted client-side (noida ignores terms ``order`` by a sub-agg).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import schemas
from transforms.analyst import alert_text
from transforms.core import metrics
from transforms.io import alertmanager
from transforms.io.es_sink import EsConfig
from transforms.logic.alerts import (
    ALL_POSTS,
    COORDINATION,
    ActiveAlert,
    AlertState,
    Cluster,
    CoordinationThresholds,
    Detection,
    Member,
    SpikeThresholds,
    WindowCounts,
    alert_id,
    cluster_detection,
    evaluate,
    find_clusters,
    reconcile,
    summary,
)

LOG = logging.getLogger(__name__)
FUTURE_SLACK_MS = 60_000  # posts up to 1 min "in the future" (clock skew) count in the current window
POST_FIELDS = ["doc_id", "platform", "text", "url", "created_at", "author.id", "author.handle",
               "author.followers", "influence.score", "engagement", "sentiment.label", "hashtags",
               "issues"]


@dataclass(frozen=True)
class MonitorConfig:
    """Everything the monitor needs (picklable, no clients)."""
    es: EsConfig
    alerts_index: str = "pantau-alerts"
    coordination_index: str = "pantau-coordination"
    kafka_bootstrap: str | None = None          # None or "": no Kafka sink
    alerts_topic: str = "pantau.alerts"
    kafka_security: tuple[tuple[str, Any], ...] = ()
    interval_s: float = 15.0
    lag_s: float = 0.0
    spike: SpikeThresholds = field(default_factory=SpikeThresholds)
    coordination: CoordinationThresholds = field(default_factory=CoordinationThresholds)
    coordination_enabled: bool = True
    update_member_docs: bool = True
    top_n: int = 5
    max_issues: int = 500
    metrics_port: int = 0
    alertmanager_url: str | None = None         # None or "": no Alertmanager delivery
    alert_language: str = alert_text.DEFAULT_LANGUAGE
    kibana_url: str | None = None               # links in alert texts
    alertmanager_resolved_s: int = 900          # resolved alerts are re-sent this long


@dataclass
class CycleReport:
    """What one cycle did (for logs, ``--once`` and tests)."""
    now_ms: int
    raised: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    continuing: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    windows: int = 0
    delivered: int = 0                          # alerts posted to Alertmanager this cycle
    delivery_error: str | None = None


# ---- Prometheus -------------------------------------------------------------------------------

_METRICS: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()
_METRICS_LOCK = threading.Lock()


def default_registry():
    """The pipeline's registry (``transforms.core.metrics.REGISTRY``): one endpoint serves both."""
    return metrics.REGISTRY


def alert_metrics(registry) -> tuple[Any, Any]:
    """(``pantau_alerts_total{issue,kind}`` counter, ``pantau_alert_active{issue,kind}`` gauge),
    created once per registry."""
    from prometheus_client import Counter, Gauge
    with _METRICS_LOCK:
        if registry not in _METRICS:
            _METRICS[registry] = (
                Counter("pantau_alerts", "Alerts raised by the pantau monitor", ["issue", "kind"],
                        registry=registry),
                Gauge("pantau_alert_active", "Alerts currently active", ["issue", "kind"],
                      registry=registry))
        return _METRICS[registry]


# ---- templates --------------------------------------------------------------------------------

def _template(name: str) -> dict[str, Any]:
    return schemas.load_schema_file(str(schemas.ES_DIR / name))


def install_templates(client, config: MonitorConfig) -> None:
    """Index templates of the alerts and coordination indices (exact names, idempotent), and
    the indices themselves."""
    for index, file in ((config.alerts_index, "alerts_template.json"),
                        (config.coordination_index, "coordination_template.json")):
        template = json.loads(json.dumps(_template(file)))
        template["settings"]["number_of_replicas"] = config.es.number_of_replicas
        client.indices.put_index_template(name=index, index_patterns=[index], priority=210,
                                          template=template, meta={"owner": "pantau"})
        if not client.indices.exists(index=index):
            try:
                client.indices.create(index=index)
            except Exception as e:  # created concurrently
                if "already_exists" not in str(e) and "exists" not in str(e):
                    raise


# ---- the monitor ------------------------------------------------------------------------------

class Monitor:
    """One alerting monitor: call :meth:`setup` once, then :meth:`run_cycle` on a schedule."""

    def __init__(self, config: MonitorConfig, registry=None, client=None) -> None:
        self.config = config
        self.client = client or config.es.client()
        self.registry = registry if registry is not None else default_registry()
        self.alerts_total, self.alert_active = alert_metrics(self.registry)
        self._producer = None
        self._gauge_labels: set[tuple[str, str]] = set()

    # -- lifecycle --
    def setup(self) -> None:
        """Templates and indices; the Kafka topic; gauges from the active alerts read back."""
        install_templates(self.client, self.config)
        if self.config.kafka_bootstrap:
            from transforms.io.clients import create_topic
            try:
                create_topic(self.config.kafka_bootstrap, self.config.alerts_topic, 1,
                             self.config.kafka_security)
            except Exception as e:  # e.g. no admin rights: the topic may exist already
                LOG.warning("could not create topic %s: %s", self.config.alerts_topic, e)
        self._set_gauges(self.load_state(self._now_ms()))

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
        self.client.close()

    def _now_ms(self) -> int:
        return int((time.time() - self.config.lag_s) * 1000)

    # -- one cycle --
    def run_cycle(self, now_ms: int | None = None) -> CycleReport:
        """Queries, decides, writes. ``now_ms`` (default: now - lag_s) is the end of the window."""
        now_ms = self._now_ms() if now_ms is None else now_ms
        report = CycleReport(now_ms)
        state = self.load_state(now_ms)
        self._republish(state)
        windows = self.query_windows(now_ms)
        report.windows = len(windows)
        detections = evaluate(windows, self.config.spike)
        clusters: list[Cluster] = []
        if self.config.coordination_enabled:
            clusters = self.detect_coordination(now_ms)
            detections += [cluster_detection(c, now_ms, self.config.coordination.window_s)
                           for c in clusters]
        t = self.config.spike
        decision = reconcile(detections, state, now_ms, t.cooldown_s, t.resolve_after_s)
        by_cluster = {c.cluster_id: c for c in clusters}
        if clusters:
            self.write_clusters(clusters, now_ms)
        for d in decision.new:
            doc = self.raise_alert(d, now_ms, by_cluster.get(d.cluster_id or ""))
            report.raised.append(doc)
            state.active[d.key] = ActiveAlert(doc["alert_id"], d.key, d.issue, d.kind, now_ms, now_ms,
                                          doc["published"], d.count)
        for active, d in decision.continuing:
            self._touch(active, d, now_ms)
            report.continuing.append(active.key)
        for active in decision.resolved:
            self.resolve_alert(active, now_ms)
            state.active.pop(active.key, None)
            report.resolved.append(active.key)
        report.suppressed = [d.key for d in decision.suppressed]
        report.clusters = [{"cluster_id": c.cluster_id, "accounts": c.accounts,
                            "members": len(c.members), "score": c.score, "issue": c.issue}
                           for c in clusters]
        self._set_gauges(state)
        if self.config.alertmanager_url:
            self.deliver(now_ms, report)
        if report.raised or report.resolved:
            LOG.info("monitor: raised %s, resolved %s",
                     [r["key"] for r in report.raised], report.resolved)
        return report

    # -- state --
    def load_state(self, now_ms: int) -> AlertState:
        """Active alerts and the last start of each key, from the alerts index."""
        cooldown_ms = int(self.config.spike.cooldown_s * 1000)
        self.client.indices.refresh(index=self.config.alerts_index)
        hits = self.client.search(
            index=self.config.alerts_index, size=10000,
            query={"bool": {"should": [{"term": {"status": "active"}},
                                       {"range": {"detected_at": {"gte": now_ms - cooldown_ms}}}],
                            "minimum_should_match": 1}},
            source_includes=["alert_id", "key", "issue", "kind", "status", "detected_at",
                             "last_seen_at", "published", "peak_count"])["hits"]["hits"]
        state = AlertState()
        for h in hits:
            s = h["_source"]
            key, started = s["key"], int(s["detected_at"])
            state.last_started_ms[key] = max(started, state.last_started_ms.get(key, started))
            if s.get("status") == "active":
                state.active[key] = ActiveAlert(s.get("alert_id", h["_id"]), key, s["issue"],
                                                s["kind"], started,
                                                int(s.get("last_seen_at") or started),
                                                bool(s.get("published", True)),
                                                int(s.get("peak_count") or 0))
        return state

    # -- queries --
    def _search_posts(self, **kwargs) -> dict[str, Any]:
        return self.client.search(index=self.config.es.alias, ignore_unavailable=True,
                                  allow_no_indices=True, **kwargs)

    def query_windows(self, now_ms: int) -> list[WindowCounts]:
        """Current and baseline counts (and negative counts) of every issue and of all posts."""
        t = self.config.spike
        w = t.window_s * 1000
        start = now_ms - w * (t.baseline_windows + 1)
        # w0 is the current window; slightly-future timestamps (clock skew) count in it
        ranges = [{"key": "w0", "from": now_ms - w, "to": now_ms + FUTURE_SLACK_MS}] + [
            {"key": f"w{k}", "from": now_ms - (k + 1) * w, "to": now_ms - k * w}
            for k in range(1, t.baseline_windows + 1)]
        windows_agg = {"range": {"field": "created_at", "ranges": ranges},
                       "aggs": {"negative": {"filter": {"term": {"sentiment.label": "negative"}}}}}
        response = self._search_posts(
            size=0, query={"range": {"created_at": {"gte": start, "lt": now_ms + FUTURE_SLACK_MS}}},
            aggs={"issues": {"terms": {"field": "issues", "size": self.config.max_issues},
                             "aggs": {"windows": windows_agg}},
                  "all": windows_agg})
        aggs = response.get("aggregations") or {}
        if not aggs:
            return []
        out = [self._window_counts(ALL_POSTS, aggs["all"], now_ms)]
        for bucket in aggs["issues"]["buckets"]:
            out.append(self._window_counts(str(bucket["key"]), bucket["windows"], now_ms))
        return out

    def _window_counts(self, issue: str, agg: dict[str, Any], now_ms: int) -> WindowCounts:
        t = self.config.spike
        by_key = {b["key"]: b for b in agg["buckets"]}
        counts = [int(by_key.get(f"w{k}", {}).get("doc_count", 0)) for k in range(t.baseline_windows + 1)]
        negative = [int(by_key.get(f"w{k}", {}).get("negative", {}).get("doc_count", 0))
                    for k in range(t.baseline_windows + 1)]
        return WindowCounts(issue, now_ms - t.window_s * 1000, now_ms, counts[0], negative[0],
                            tuple(reversed(counts[1:])), tuple(reversed(negative[1:])))

    def explain(self, d: Detection) -> dict[str, Any]:
        """Top posts, authors and hashtags of a detection's issue in its window."""
        n = self.config.top_n
        filters: list[dict[str, Any]] = [{"range": {"created_at": {"gte": d.window_start_ms}}}]
        if d.issue != ALL_POSTS:
            filters.append({"term": {"issues": d.issue}})
        if d.kind == "negative_surge":
            filters.append({"term": {"sentiment.label": "negative"}})
        response = self._search_posts(
            size=n, query={"bool": {"filter": filters}}, source_includes=POST_FIELDS,
            sort=[{"influence.score": {"order": "desc", "missing": "_last"}},
                  {"engagement.reposts": {"order": "desc", "missing": "_last"}},
                  {"engagement.likes": {"order": "desc", "missing": "_last"}},
                  {"created_at": {"order": "desc"}}],
            aggs={"authors": {"terms": {"field": "author.handle", "size": 100,
                                        "order": {"influence": "desc"}},
                              "aggs": {"influence": {"sum": {"field": "influence.score"}}}},
                  "hashtags": {"terms": {"field": "hashtags", "size": n}}})
        posts = [_post_summary(h) for h in response["hits"]["hits"]]
        aggs = response.get("aggregations") or {}
        authors = [{"handle": b["key"], "posts": b["doc_count"],
                    "influence": round(float(b["influence"]["value"] or 0.0), 3)}
                   for b in (aggs.get("authors") or {}).get("buckets", [])]
        authors.sort(key=lambda a: (-a["influence"], -a["posts"], a["handle"]))
        tags = [{"tag": b["key"], "count": b["doc_count"]}
                for b in (aggs.get("hashtags") or {}).get("buckets", [])]
        return {"top_posts": posts, "top_authors": authors[:n], "top_hashtags": tags[:n]}

    def detect_coordination(self, now_ms: int) -> list[Cluster]:
        """Coordinated near-duplicate clusters over the coordination window."""
        t = self.config.coordination
        start = now_ms - t.window_s * 1000
        response = self._search_posts(
            size=0, query={"bool": {"filter": [
                {"range": {"created_at": {"gte": start, "lt": now_ms + FUTURE_SLACK_MS}}},
                {"exists": {"field": "near_dup.bands"}}]}},
            aggs={"bands": {"terms": {"field": "near_dup.bands", "size": t.max_bands,
                                      "min_doc_count": t.min_band_docs},
                            "aggs": {"accounts": {"cardinality": {"field": "author.id"}},
                                     "posts": {"top_hits": {
                                         "size": t.max_members,
                                         "_source": {"includes": POST_FIELDS + [
                                             "near_dup.simhash", "near_dup.cluster"]}}}}}})
        buckets = ((response.get("aggregations") or {}).get("bands") or {}).get("buckets", [])
        band_members: dict[str, list[Member]] = {}
        for b in buckets:
            if int(b["accounts"]["value"] or 0) < t.min_accounts:
                continue
            band_members[str(b["key"])] = [_member(h) for h in b["posts"]["hits"]["hits"]]
        if not band_members:
            return []
        return find_clusters(band_members, t, self._existing_cluster_ids(list(band_members), now_ms))

    def _existing_cluster_ids(self, bands: list[str], now_ms: int) -> dict[str, str]:
        """band -> id of a recent cluster holding it, so a growing cluster keeps its id."""
        since = now_ms - 2 * self.config.coordination.window_s * 1000
        self.client.indices.refresh(index=self.config.coordination_index)
        hits = self.client.search(
            index=self.config.coordination_index, size=1000,
            query={"bool": {"filter": [{"terms": {"bands": bands}},
                                       {"range": {"last_seen_at": {"gte": since}}}]}},
            sort=[{"last_seen_at": {"order": "desc"}}],
            source_includes=["cluster_id", "bands"])["hits"]["hits"]
        out: dict[str, str] = {}
        for h in hits:
            for band in h["_source"].get("bands", []):
                out.setdefault(band, h["_source"]["cluster_id"])
        return out

    # -- writes --
    def raise_alert(self, d: Detection, now_ms: int, cluster: Cluster | None = None) -> dict[str, Any]:
        """Writes a new alert to the index, then Kafka, then the metrics; returns the document."""
        doc = self.alert_document(d, now_ms, cluster)
        self.client.index(index=self.config.alerts_index, id=doc["alert_id"], document=doc,
                          refresh=True)
        if self._publish(doc, "raised"):
            self.client.update(index=self.config.alerts_index, id=doc["alert_id"],
                               doc={"published": True}, refresh=True)
            doc["published"] = True
        self.alerts_total.labels(issue=d.issue, kind=d.kind).inc()
        return doc

    def alert_document(self, d: Detection, now_ms: int, cluster: Cluster | None = None) -> dict[str, Any]:
        """The alert document: the detection, its explanation and the thresholds."""
        doc: dict[str, Any] = {
            "alert_id": alert_id(d.key, now_ms), "key": d.key, "issue": d.issue, "kind": d.kind,
            "status": "active", "published": False, "detected_at": now_ms, "last_seen_at": now_ms,
            "resolved_at": None, "window_start": d.window_start_ms, "window_end": d.window_end_ms,
            "window_s": (d.window_end_ms - d.window_start_ms) // 1000, "count": d.count,
            "peak_count": d.count, "baseline": round(d.baseline, 3),
            "baseline_median": round(d.baseline_median, 3), "spread": round(d.spread, 3),
            "ratio": round(d.ratio, 3), "z": round(d.z, 3), "negative_count": d.negative_count,
            "negative_share": round(d.negative_share, 4),
            "baseline_negative_share": round(d.baseline_negative_share, 4),
            "summary": summary(d),
            "language": self.config.alert_language,
        }
        if cluster is not None:
            doc.update(_cluster_explanation(cluster, self.config.top_n))
            doc["thresholds"] = dataclasses.asdict(self.config.coordination)
        else:
            doc.update(self.explain(d))
            doc["thresholds"] = dataclasses.asdict(self.config.spike)
        doc.update(_texts_for(doc, self.config))  # fixed when raised: Alertmanager sees one text
        return doc

    # -- Alertmanager --
    def deliver(self, now_ms: int, report: CycleReport | None = None) -> int:
        """Posts every active alert (firing, ``endsAt`` a few cycles ahead) and every recently
        resolved one (``endsAt`` = when it resolved) to Alertmanager; returns how many. A failure
        is logged and retried next cycle (the alerts index is the outbox)."""
        keep_ms = int(self.config.alertmanager_resolved_s * 1000)
        self.client.indices.refresh(index=self.config.alerts_index)
        hits = self.client.search(
            index=self.config.alerts_index, size=1000,
            query={"bool": {"should": [{"term": {"status": "active"}},
                                       {"range": {"resolved_at": {"gte": now_ms - keep_ms}}}],
                            "minimum_should_match": 1}},
            sort=[{"detected_at": {"order": "asc"}}])["hits"]["hits"]
        wall_ms = int(time.time() * 1000)
        ttl_ms = int(max(300.0, 4 * self.config.interval_s) * 1000)  # like Prometheus: 4 cycles, at least 5 min
        payload = [alertmanager_alert(h["_source"], wall_ms, ttl_ms, self.config) for h in hits]
        try:
            alertmanager.post_alerts(self.config.alertmanager_url or "", payload)
        except alertmanager.AlertmanagerError as e:
            LOG.warning("could not post %d alerts to Alertmanager: %s", len(payload), e)
            if report is not None:
                report.delivery_error = str(e)
            return 0
        if report is not None:
            report.delivered = len(payload)
        return len(payload)

    def _touch(self, active: ActiveAlert, d: Detection, now_ms: int) -> None:
        """Refreshes an active alert: last_seen_at, the current count and the peak count."""
        self.client.update(index=self.config.alerts_index, id=active.alert_id, refresh=True,
                           doc={"last_seen_at": now_ms, "count": d.count,
                                "peak_count": max(d.count, active.peak_count)})

    def resolve_alert(self, active: ActiveAlert, now_ms: int) -> None:
        """Marks an alert resolved and announces it on Kafka."""
        self.client.update(index=self.config.alerts_index, id=active.alert_id,
                           doc={"status": "resolved", "resolved_at": now_ms}, refresh=True)
        if active.kind == COORDINATION:
            self.client.options(ignore_status=404).update(
                index=self.config.coordination_index, id=active.key.split("|", 1)[1],
                doc={"status": "resolved"}, refresh=True)
        source = self.client.get(index=self.config.alerts_index, id=active.alert_id)["_source"]
        self._publish(source, "resolved")

    def _republish(self, state: AlertState) -> None:
        """Active alerts whose Kafka publish failed earlier are sent again (outbox)."""
        for active in state.active.values():
            if active.published or not self.config.kafka_bootstrap:
                continue
            source = self.client.get(index=self.config.alerts_index, id=active.alert_id)["_source"]
            if self._publish(source, "raised"):
                self.client.update(index=self.config.alerts_index, id=active.alert_id,
                                   doc={"published": True}, refresh=True)

    def _publish(self, doc: dict[str, Any], event: str) -> bool:
        """Sends the alert to the Kafka alerts topic (key = issue); False when it failed."""
        if not self.config.kafka_bootstrap:
            return True
        try:
            if self._producer is None:
                from transforms.io.clients import kafka_producer  # SASL secrets from env
                self._producer = kafka_producer(self.config.kafka_bootstrap, self.config.kafka_security,
                                                acks="all", linger_ms=0)
            value = json.dumps({**doc, "event": event}, ensure_ascii=False, default=str)
            self._producer.send(self.config.alerts_topic, key=str(doc["issue"]).encode(),
                                value=value.encode("utf-8")).get(timeout=30)
            return True
        except Exception as e:
            LOG.warning("could not publish alert %s to Kafka: %s", doc.get("alert_id"), e)
            return False

    def write_clusters(self, clusters: list[Cluster], now_ms: int) -> None:
        """Cluster documents to the coordination index; optionally tags the member posts."""
        from elasticsearch import helpers
        window_s = self.config.coordination.window_s
        actions: list[dict[str, Any]] = []
        for c in clusters:
            existing = self.client.options(ignore_status=404).get(
                index=self.config.coordination_index, id=c.cluster_id)
            first_seen = (existing.get("_source") or {}).get("first_seen_at", now_ms) \
                if existing.get("found") else now_ms
            texts = list(dict.fromkeys(m.text for m in c.members if m.text))[:3]
            actions.append({"_op_type": "index", "_index": self.config.coordination_index,
                            "_id": c.cluster_id, "_source": {
                                "cluster_id": c.cluster_id, "status": "active", "issue": c.issue,
                                "issues": sorted({i for m in c.members for i in m.issues}),
                                "first_seen_at": first_seen, "last_seen_at": now_ms,
                                "window_start": now_ms - window_s * 1000, "window_end": now_ms,
                                "window_s": window_s, "first_post_at": c.first_ms,
                                "last_post_at": c.last_ms, "span_s": c.span_s,
                                "accounts": c.accounts, "member_count": len(c.members),
                                "account_ids": sorted({m.author_id for m in c.members}),
                                "handles": sorted({m.handle for m in c.members if m.handle}),
                                "members": [m.doc_id for m in c.members], "bands": list(c.bands),
                                "hashtags": sorted({h for m in c.members for h in m.hashtags}),
                                "score": c.score, "components": dict(c.components),
                                "sample_texts": texts}})
            if self.config.update_member_docs:
                coordination = {"score": c.score, "accounts": c.accounts, "window_s": window_s}
                actions += [{"_op_type": "update", "_index": m.index, "_id": m.doc_id,
                             "doc": {"near_dup": {"cluster": c.cluster_id},
                                     "coordination": coordination}}
                            for m in c.members if m.index and m.cluster != c.cluster_id]
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh=True)
        for error in errors[:5]:
            LOG.warning("coordination write failed: %s", error)

    def _set_gauges(self, state: AlertState) -> None:
        counts: dict[tuple[str, str], int] = {}
        for active in state.active.values():
            counts[(active.issue, active.kind)] = counts.get((active.issue, active.kind), 0) + 1
        for labels in self._gauge_labels | set(counts):
            self.alert_active.labels(issue=labels[0], kind=labels[1]).set(counts.get(labels, 0))
        self._gauge_labels |= set(counts)


def alertmanager_alert(doc: dict[str, Any], wall_ms: int, ttl_ms: int,
                       config: MonitorConfig) -> dict[str, Any]:
    """An alert document as an Alertmanager alert: stable labels (issue, kind, severity, key),
    the texts as annotations; ``endsAt`` is ``ttl_ms`` after ``wall_ms`` while active (an alert
    whose monitor died ends by itself) and when it resolved (at the latest now) once resolved."""
    texts = doc if doc.get("headline") else {**doc, **_texts_for(doc, config)}
    resolved = doc.get("status") == "resolved" and doc.get("resolved_at")
    stats = (f"count={doc.get('count')} peak={doc.get('peak_count')} baseline={doc.get('baseline')} "
             f"ratio={doc.get('ratio')} z={doc.get('z')} negative_share={doc.get('negative_share')}")
    return alertmanager.alert_payload(
        alertmanager.labels(str(doc["issue"]), str(doc["kind"]),
                            str(texts.get("severity") or alert_text.severity(doc)), str(doc["key"])),
        {"summary": texts.get("headline") or "", "description": texts.get("message") or "",
         "dashboard": texts.get("dashboard_url") or "", "statistics": stats,
         "alert_id": str(doc.get("alert_id") or "")},
        int(doc["detected_at"]), min(int(doc["resolved_at"]), wall_ms) if resolved else wall_ms + ttl_ms,
        texts.get("dashboard_url") or None)


def _texts_for(doc: dict[str, Any], config: MonitorConfig) -> dict[str, Any]:
    """The texts for people (``alert_text``): severity, headline, message, dashboard link."""
    language = doc.get("language") or config.alert_language
    return {"severity": alert_text.severity(doc), "headline": alert_text.headline(doc, language),
            "message": alert_text.message(doc, language, config.kibana_url, min(3, config.top_n)),
            "dashboard_url": alert_text.kibana_link(doc, config.kibana_url)}


def _post_summary(hit: dict[str, Any]) -> dict[str, Any]:
    s = hit.get("_source") or {}
    author = s.get("author") or {}
    return {"doc_id": s.get("doc_id", hit.get("_id")), "platform": s.get("platform"),
            "author": author.get("handle") or author.get("id"), "url": s.get("url"),
            "created_at": s.get("created_at"),
            "influence": (s.get("influence") or {}).get("score"),
            "engagement": s.get("engagement"), "sentiment": (s.get("sentiment") or {}).get("label"),
            "text": (s.get("text") or "")[:500]}


def _member(hit: dict[str, Any]) -> Member:
    s = hit.get("_source") or {}
    author = s.get("author") or {}
    near_dup = s.get("near_dup") or {}
    return Member(doc_id=str(s.get("doc_id") or hit["_id"]), author_id=str(author.get("id")),
                  created_at_ms=int(s.get("created_at") or 0), index=hit.get("_index"),
                  handle=author.get("handle"), followers=author.get("followers"),
                  text=s.get("text") or "", simhash=near_dup.get("simhash"),
                  issues=tuple(s.get("issues") or ()), hashtags=tuple(s.get("hashtags") or ()),
                  cluster=near_dup.get("cluster"))


def _cluster_explanation(c: Cluster, n: int) -> dict[str, Any]:
    by_followers = sorted(c.members, key=lambda m: (-(m.followers or 0), m.created_at_ms))
    accounts: dict[str, int] = {}
    for m in c.members:
        accounts[m.handle or m.author_id] = accounts.get(m.handle or m.author_id, 0) + 1
    tags: dict[str, int] = {}
    for m in c.members:
        for t in m.hashtags:
            tags[t] = tags.get(t, 0) + 1
    return {
        "cluster": {"cluster_id": c.cluster_id, "accounts": c.accounts, "score": c.score,
                    "members": len(c.members), "span_s": c.span_s},
        "top_posts": [{"doc_id": m.doc_id, "author": m.handle or m.author_id,
                       "created_at": m.created_at_ms, "text": m.text[:500]} for m in by_followers[:n]],
        "top_authors": [{"handle": h, "posts": k, "influence": 0.0}
                        for h, k in sorted(accounts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]],
        "top_hashtags": [{"tag": t, "count": k}
                         for t, k in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:n]],
    }


# ---- loop, thread, CLI ------------------------------------------------------------------------

def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:
    """Serves the metrics registry on ``addr:port``."""
    metrics.ensure_exporter(port, addr)


def run_loop(config: MonitorConfig, stop: threading.Event, registry=None,
             on_cycle=None) -> None:
    """Runs cycles every ``interval_s`` until ``stop`` is set; never dies of one failed cycle."""
    monitor: Monitor | None = None
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                if monitor is None:
                    candidate = Monitor(config, registry)
                    try:
                        candidate.setup()
                    except Exception:
                        candidate.close()
                        raise
                    monitor = candidate
                report = monitor.run_cycle()
                if on_cycle is not None:
                    on_cycle(report)
            except Exception as e:
                LOG.warning("monitor cycle failed (retrying in %.0fs): %s", config.interval_s, e)
            stop.wait(max(0.0, config.interval_s - (time.monotonic() - started)))
    finally:
        if monitor is not None:
            monitor.close()


class MonitorThread(threading.Thread):
    """The monitor loop in a daemon thread; :meth:`stop` ends it after the current cycle."""

    def __init__(self, config: MonitorConfig, registry=None, stop_event: threading.Event | None = None,
                 on_cycle=None) -> None:
        super().__init__(name="pantau-monitor", daemon=True)
        self.config = config
        self.registry = registry
        self.stop_event = stop_event or threading.Event()
        self.on_cycle = on_cycle

    def run(self) -> None:
        run_loop(self.config, self.stop_event, self.registry, self.on_cycle)

    def stop(self, timeout_s: float | None = 30.0) -> None:
        self.stop_event.set()
        self.join(timeout_s)


def start_monitor_thread(config: MonitorConfig, registry=None,
                         stop_event: threading.Event | None = None, on_cycle=None) -> MonitorThread:
    """Starts the monitor next to a local pipeline; ``thread.stop()`` (or the event) ends it."""
    thread = MonitorThread(config, registry, stop_event, on_cycle)
    thread.start()
    return thread
