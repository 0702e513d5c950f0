"""Prometheus metrics of the pantau pipeline: one process-wide registry and its exporter.

Every pantau metric lives in :data:`REGISTRY` (plus the process collector: CPU, memory, open
files). Names start with ``pantau_``, counters end in ``_total``, durations are histograms in
seconds, and labels are bounded: ``stage``, ``reason`` (an error kind from the code or an
Elasticsearch error type), ``topic``, ``partition``, ``platform`` (mapped onto a fixed set) and
``error_type``. Post ids, authors or texts never become labels.

The Beam ``Metrics`` counters stay where they were (runner-side aggregation, used by the tests);
these metrics are for operations: they are scraped while the pipeline runs.

Exporting
---------
* **Local runs (FnApiRunner).** Beam runs every DoFn in the launching process (threads), so the
  module-level registry sees the whole pipeline. ``pipelines.ingest.run`` calls
  :func:`ensure_exporter` with ``--metrics_port`` (default 9464, 0 disables) and
  ``--metrics_addr`` (default 127.0.0.1) before the pipeline starts; scrape
  ``http://<addr>:<port>/metrics``.
* **Flink / Dataflow.** Each SDK worker process has its own registry. Set
  ``PANTAU_METRICS_PORT`` (and optionally ``PANTAU_METRICS_ADDR``) in the worker environment
  (the SDK harness container): the first instrumented stage in each worker process then serves
  one endpoint per worker (:func:`export_from_environment`); let Prometheus discover the worker
  pods (e.g. a Kubernetes PodMonitor on that port) and aggregate with ``sum by (...)``. Where workers cannot be scraped (Dataflow),
  push instead, per worker with a distinct grouping key so workers do not overwrite each
  other::

      from prometheus_client import push_to_gateway
      push_to_gateway("pushgateway:9091", job="pantau-ingest", registry=REGISTRY,
                      grouping_key={"instance": socket.gethostname()})

  every few seconds from a daemon thread, and once more at teardown. A pushgateway keeps the
  last value after a worker dies, so alert on ``push_time_seconds`` too.

Kafka lag
---------
``pantau_kafka_consumer_lag`` is the partition's end offset (the high watermark returned by the
broker with every fetch, or an ``end_offsets`` request at most every few seconds when no fetch
told it yet) minus the reader's position: the next offset the source will emit. It is measured
after every poll, so it is not the committed-offset lag that ``kafka-consumer-groups`` shows
(that one trails by up to ``--commit_interval_s`` and the bundle in flight). On Tansu the end
offset counts record batches rather than records, so there the lag is approximate (it still
reaches 0 when the reader has caught up).
"""
from __future__ import annotations

import logging
import platform as _platform
import threading
import time
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
    disable_created_metrics,
    start_http_server,
)

LOG = logging.getLogger(__name__)

disable_created_metrics()  # no *_created series: half the series count, nothing lost for rate()

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

#: Platforms that get their own label value; anything else is counted as ``other``.
KNOWN_PLATFORMS = frozenset({"x", "twitter", "facebook", "instagram", "tiktok", "youtube", "news",
                             "forum", "threads", "reddit", "linkedin", "blog", "kaskus"})

STAGE_LATENCY_BUCKETS = (0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                         0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BULK_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                        120.0)
# 0.1 s .. 1 year: live posts arrive within seconds, backfills carry created_at of months ago
FRESHNESS_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
                     3600.0, 3 * 3600.0, 6 * 3600.0, 12 * 3600.0, 86400.0, 2 * 86400.0, 7 * 86400.0,
                     30 * 86400.0, 90 * 86400.0, 365 * 86400.0)

BUILD_INFO = Info("pantau_build", "Version of pantau and of its runtime", registry=REGISTRY)

STAGE_RECORDS_IN = Counter("pantau_stage_records_in_total",
                           "Records a stage received", ["stage"], registry=REGISTRY)
STAGE_RECORDS_OUT = Counter("pantau_stage_records_out_total",
                            "Records a stage passed on (index: indexed or already indexed)",
                            ["stage"], registry=REGISTRY)
STAGE_DEAD_LETTERS = Counter("pantau_stage_dead_letters_total",
                             "Records a stage sent to the dead-letter output, by reason",
                             ["stage", "reason"], registry=REGISTRY)
STAGE_LATENCY = Histogram("pantau_stage_processing_seconds",
                          "Time a stage spent on one unit of work, downstream stages excluded: a "
                          "record (decode, validate, normalize), a batch (enrich), a flush (index)",
                          ["stage"], buckets=STAGE_LATENCY_BUCKETS, registry=REGISTRY)
DEAD_LETTERS_PUBLISHED = Counter("pantau_dead_letters_published_total",
                                 "Dead letters acknowledged by the dead-letter topic",
                                 registry=REGISTRY)

KAFKA_RECORDS_READ = Counter("pantau_kafka_records_read_total",
                             "Records the source read from Kafka", ["topic", "partition"],
                             registry=REGISTRY)
KAFKA_LAG = Gauge("pantau_kafka_consumer_lag",
                  "Broker end offset minus the reader's position (records not yet read)",
                  ["topic", "partition"], registry=REGISTRY)
KAFKA_LAST_POLL = Gauge("pantau_kafka_last_poll_timestamp_seconds",
                        "Unix time the source last polled the partition (and updated its lag)",
                        ["topic", "partition"], registry=REGISTRY)

KAFKA_QUARANTINED = Counter("pantau_kafka_quarantined_messages_total",
                            "Messages quarantined as crash_loop dead letters: the process died "
                            "repeatedly while each was the only message in flight",
                            ["topic", "partition"], registry=REGISTRY)
KAFKA_LAST_QUARANTINE = Gauge("pantau_kafka_last_quarantine_timestamp_seconds",
                              "Unix time this process last quarantined a message (a gauge, so that "
                              "an alert sees it although the process restarted just before)",
                              ["topic"], registry=REGISTRY)
KAFKA_RECOVERY_MODE = Gauge("pantau_kafka_recovery_mode",
                            "1 while the source reads a partition carefully after a death "
                            "(one chunk in flight at a time, to find a message that kills the process)",
                            ["topic", "partition"], registry=REGISTRY)

ES_BULK_LATENCY = Histogram("pantau_es_bulk_request_duration_seconds",
                            "Duration of one Elasticsearch bulk request",
                            buckets=BULK_LATENCY_BUCKETS, registry=REGISTRY)
ES_DOCS_INDEXED = Counter("pantau_es_docs_indexed_total",
                          "Documents Elasticsearch indexed (created or updated)", registry=REGISTRY)
ES_VERSION_CONFLICTS = Counter("pantau_es_docs_version_conflict_total",
                               "Documents refused with 409: a replay or an older version",
                               registry=REGISTRY)
ES_ITEM_ERRORS = Counter("pantau_es_item_errors_total",
                         "Bulk items that failed, by Elasticsearch error type (connection_error "
                         "when nothing answered); retryable ones are retried, others dead-lettered",
                         ["error_type", "retryable"], registry=REGISTRY)
ES_RETRIES = Counter("pantau_es_item_retries_total",
                     "Bulk items sent again after a 429, 5xx or connection error", registry=REGISTRY)
ES_BACKPRESSURE = Counter("pantau_es_backpressure_seconds_total",
                          "Seconds the sink blocked the stream backing off before a retry",
                          registry=REGISTRY)

FRESHNESS_CREATED = Histogram("pantau_freshness_created_to_indexed_seconds",
                              "From a post's created_at to its successful indexing",
                              ["platform"], buckets=FRESHNESS_BUCKETS, registry=REGISTRY)
FRESHNESS_COLLECTED = Histogram("pantau_freshness_collected_to_indexed_seconds",
                                "From a post's collected_at to its successful indexing",
                                ["platform"], buckets=FRESHNESS_BUCKETS, registry=REGISTRY)


def _build_info() -> dict[str, str]:
    from importlib import metadata

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "unknown"

    return {"version": version("pantau"), "beam": version("apache-beam"),
            "python": _platform.python_version()}


BUILD_INFO.info(_build_info())


def platform_label(platform: Any) -> str:
    """The ``platform`` label value: a known platform or ``other`` (keeps the label bounded)."""
    value = str(platform or "").strip().lower()
    return value if value in KNOWN_PLATFORMS else "other"


class StageMetrics:
    """The bound series of one stage; picklable (it travels as the stage name only)."""

    def __init__(self, stage: str):
        self.stage = stage
        self.records_in = STAGE_RECORDS_IN.labels(stage)
        self.records_out = STAGE_RECORDS_OUT.labels(stage)
        self.latency = STAGE_LATENCY.labels(stage)

    def __reduce__(self):
        return (StageMetrics, (self.stage,))


_STAGES: dict[str, StageMetrics] = {}


def stage(name: str) -> StageMetrics:
    """The (cached) metrics of stage ``name``; the first call in a worker process also starts the
    exporter when ``PANTAU_METRICS_PORT`` is set (how Flink/Dataflow workers expose metrics)."""
    metrics = _STAGES.get(name)
    if metrics is None:
        export_from_environment()
        metrics = _STAGES.setdefault(name, StageMetrics(name))
    return metrics


def export_from_environment() -> int | None:
    """Starts the exporter on ``$PANTAU_METRICS_PORT`` (address ``$PANTAU_METRICS_ADDR``, default
    all interfaces, as a worker pod is scraped from outside) if that variable is set."""
    import os
    port = os.environ.get("PANTAU_METRICS_PORT", "").strip()
    if not port:
        return None
    return ensure_exporter(int(port), os.environ.get("PANTAU_METRICS_ADDR", "0.0.0.0"))


def quarantined(topic: str, partition: int) -> None:
    """A message of ``topic``/``partition`` was quarantined (crash_loop)."""
    KAFKA_QUARANTINED.labels(topic, str(partition)).inc()
    KAFKA_LAST_QUARANTINE.labels(topic).set(time.time())


def kafka_polled(topic: str, partition: int, records: int, end_offset: int | None,
                 position: int | None) -> None:
    """Records a source poll: records read, and the lag when the end offset is known."""
    labels = (topic, str(partition))
    KAFKA_RECORDS_READ.labels(*labels).inc(records)  # also with 0: the series exists for alerts
    if end_offset is not None and position is not None:
        KAFKA_LAG.labels(*labels).set(max(0, end_offset - position))
    KAFKA_LAST_POLL.labels(*labels).set(time.time())


def es_error_type(status: Any, error: Any) -> str:
    """The ``error_type`` label of a failed bulk item: Elasticsearch's error type (a fixed set,
    e.g. ``mapper_parsing_exception``), ``http_<status>``, or ``connection_error``."""
    if isinstance(error, dict) and isinstance(error.get("type"), str):
        return error["type"][:64]
    return f"http_{status}" if isinstance(status, int) else "connection_error"


def es_item_error(status: Any, error: Any, retryable: bool) -> None:
    """Counts one failed bulk item."""
    ES_ITEM_ERRORS.labels(es_error_type(status, error), "true" if retryable else "false").inc()


def indexed(doc: dict[str, Any], now_s: float | None = None) -> None:
    """Counts a successfully indexed document and observes its freshness."""
    now_s = time.time() if now_s is None else now_s
    ES_DOCS_INDEXED.inc()
    platform = platform_label(doc.get("platform"))
    for field, histogram in (("created_at", FRESHNESS_CREATED), ("collected_at", FRESHNESS_COLLECTED)):
        ts = doc.get(field)
        if isinstance(ts, (int, float)):
            histogram.labels(platform).observe(max(0.0, now_s - ts / 1000.0))


def metric_names() -> set[str]:
    """Every series name the registry exports (``_total``, ``_bucket``/``_sum``/``_count``,
    ``_info`` included), whether or not a labelled series has been created yet."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"),
                "summary": ("", "_sum", "_count"), "info": ("_info",), "gauge": ("",),
                "stateset": ("",), "gaugehistogram": ("_bucket", "_gsum", "_gcount")}
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + s for s in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


_exporter_lock = threading.Lock()
_exporter: tuple[str, int] | None = None


def ensure_exporter(port: int, addr: str = "127.0.0.1") -> int | None:
    """Serves :data:`REGISTRY` on ``http://addr:port/metrics``, once per process.

    Idempotent: later calls return the port already served. ``port=0`` disables the exporter
    (returns None). A port already taken is logged, not raised: metrics must not stop ingestion.
    """
    global _exporter
    if not port:
        return None
    with _exporter_lock:
        if _exporter is not None:
            if _exporter != (addr, port):
                LOG.warning("metrics exporter already serves %s:%d; not starting %s:%d",
                            *_exporter, addr, port)
            return _exporter[1]
        try:
            server, _ = start_http_server(port, addr=addr, registry=REGISTRY)
        except OSError as e:
            LOG.warning("metrics exporter could not listen on %s:%d (%s); metrics not exported",
                        addr, port, e)
            return None
        _exporter = (addr, int(server.server_port))
        LOG.info("Prometheus metrics on http://%s:%d/metrics", addr, _exporter[1])
        return _exporter[1]
