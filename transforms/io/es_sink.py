"""Stage: index documents into Elasticsearch, idempotently and without losing any.

* ``_id`` is ``platform:post_id``; the version is ``collected_at`` with ``version_type=external``,
  so a replay (same version) or an older update (lower version) is refused by Elasticsearch with
  a 409 and never overwrites newer data. A 409 therefore counts as success.
* Documents are buffered in ``process`` and flushed when the buffer reaches ``bulk_max_docs``,
  ``bulk_max_bytes`` or ``bulk_max_age_s`` (by a sender thread, one request in flight while the
  next buffer fills), and always in ``finish_bundle``, which waits for everything: the source commits
  Kafka offsets only after the bundle, so everything committed is in Elasticsearch.
* Items that fail with 429, 5xx or a connection error are retried with capped exponential
  backoff, blocking the stream (backpressure) rather than dropping. ``max_retry_time_s`` (0 =
  forever) bounds the wait; past it the bundle fails and the runner replays it.
* Items refused with another 4xx (a mapping conflict, say) go to the dead-letter output.
* Indices are monthly by ``created_at`` (``<prefix>-YYYY.MM``) behind one alias, created from a
  composable index template that the sink installs at start.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

import schemas
from transforms.core import metrics
from transforms.core.deadletter import DEAD_LETTER_TAG, dead_letter_for_post
from transforms.core.stage import StageCounters
from transforms.io.clients import es_client

LOG = logging.getLogger(__name__)
STAGE = "index"


@dataclass(frozen=True)
class EsConfig:
    """Elasticsearch connection and bulk settings (picklable)."""
    url: str
    index_prefix: str = "pantau-posts"
    alias: str = "pantau-posts"
    bulk_max_docs: int = 500
    bulk_max_bytes: int = 5 * 1024 * 1024
    bulk_max_age_s: float = 1.0
    initial_backoff_s: float = 0.2
    max_backoff_s: float = 30.0
    max_retry_time_s: float = 0.0
    request_timeout_s: float = 30.0
    number_of_replicas: int = 0
    install_template: bool = True
    auth: tuple[tuple[str, Any], ...] = ()

    def client(self):
        """An elasticsearch client for this configuration."""
        return es_client(self.url, self.auth, self.request_timeout_s)


def index_for(prefix: str, created_at_ms: int) -> str:
    """Monthly index of a post: ``<prefix>-YYYY.MM`` by created_at (UTC)."""
    t = dt.datetime.fromtimestamp(created_at_ms / 1000, tz=dt.timezone.utc)
    return f"{prefix}-{t.year:04d}.{t.month:02d}"


def template_body(config: EsConfig) -> dict[str, Any]:
    """The composable index template for ``<prefix>-*`` with the alias."""
    template = copy.deepcopy(schemas.index_template())
    template["settings"]["number_of_replicas"] = config.number_of_replicas
    template["aliases"] = {config.alias: {}}
    return {"index_patterns": [f"{config.index_prefix}-*"], "priority": 200, "template": template,
            "_meta": {"owner": "pantau", "schema": "EnrichedPost"}}


def install_template(client, config: EsConfig) -> None:
    """Installs (or updates) the index template; idempotent.

    A template applies to indices created after it, so fields added by a newer pantau are also
    put on the existing monthly indices (adding fields is always allowed; a conflicting change
    is logged and left for a reindex)."""
    body = template_body(config)
    client.indices.put_index_template(name=config.index_prefix, index_patterns=body["index_patterns"],
                                      priority=body["priority"], template=body["template"],
                                      meta=body["_meta"])
    try:
        existing = list(client.indices.get(index=f"{config.index_prefix}-*", allow_no_indices=True))
    except Exception:
        existing = []
    if existing:
        try:
            client.indices.put_mapping(index=",".join(existing),
                                       properties=body["template"]["mappings"]["properties"])
        except Exception as e:  # e.g. a field whose type changed: needs a reindex
            LOG.warning("could not update the mappings of %s: %s", existing, e)


def es_document(doc: dict[str, Any], now_ms: int | None = None) -> dict[str, Any]:
    """The _source sent to Elasticsearch for an EnrichedPost."""
    source = dict(doc)
    source["indexed_at"] = int(time.time() * 1000) if now_ms is None else now_ms
    geo = doc.get("geo")
    if geo and geo.get("lat") is not None and geo.get("lon") is not None:
        source["location"] = {"lat": geo["lat"], "lon": geo["lon"]}
    points = [{"lat": p["lat"], "lon": p["lon"]} for p in doc.get("places_mentioned") or ()
              if isinstance(p, dict) and p.get("lat") is not None and p.get("lon") is not None]
    if points:
        source["mention_location"] = points
    return source


def bulk_action(doc: dict[str, Any], config: EsConfig, now_ms: int | None = None) -> dict[str, Any]:
    """An elasticsearch.helpers bulk action with external versioning by collected_at."""
    return {
        "_op_type": "index",
        "_index": index_for(config.index_prefix, doc["created_at"]),
        "_id": doc["doc_id"],
        "version": int(doc["collected_at"]),
        "version_type": "external",
        "_source": es_document(doc, now_ms),
    }


def classify_item(status: Any) -> str:
    """``ok``, ``duplicate`` (409: a replay or an older version), ``retry`` or ``reject``."""
    if not isinstance(status, int):
        return "retry"  # connection error, timeout: no HTTP status at all
    if 200 <= status < 300:
        return "ok"
    if status == 409:
        return "duplicate"
    if status == 429 or status >= 500:
        return "retry"
    return "reject"


@dataclass
class _Outcome:
    """What sending one buffer did."""
    letters: list[dict[str, Any]] = field(default_factory=list)
    dead_kinds: list[str] = field(default_factory=list)
    bulk_ms: list[int] = field(default_factory=list)
    indexed: int = 0
    duplicates: int = 0
    retries: int = 0
    backpressure_ms: int = 0


class IndexPostsFn(beam.DoFn):
    """Buffers documents and bulk-indexes them; dead letters for rejected items."""

    def __init__(self, config: EsConfig):
        self.config = config
        self.indexed = Metrics.counter("pantau.index", "docs_indexed")
        self.duplicates = Metrics.counter("pantau.index", "docs_version_conflict")
        self.retries = Metrics.counter("pantau.index", "item_retries")
        self.bulk_requests = Metrics.counter("pantau.index", "bulk_requests")
        self.backpressure_ms = Metrics.counter("pantau.index", "backpressure_ms")
        self.bulk_ms = Metrics.distribution("pantau.index", "bulk_latency_ms")
        self.counters = StageCounters(STAGE)

    def setup(self) -> None:
        self._client = self.config.client()
        if self.config.install_template:
            self._with_backoff(lambda: install_template(self._client, self.config), "install template")
        self._buffer: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._buffer_bytes = 0
        self._oldest = 0.0
        # one bulk request in flight while the next buffer fills: ES latency overlaps with the
        # upstream stages, and memory stays bounded (at most two buffers)
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pantau-bulk")
        self._in_flight: Future | None = None

    def teardown(self) -> None:
        sender = getattr(self, "_sender", None)
        if sender is not None:
            sender.shutdown(wait=True)
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()

    def start_bundle(self) -> None:
        if self._in_flight is not None:  # left by a failed bundle, which will be replayed
            self._in_flight.exception()
            self._in_flight = None
        self._buffer, self._buffer_bytes = [], 0

    def process(self, doc: dict[str, Any]) -> Iterator[Any]:
        metrics.stage(STAGE).records_in.inc()
        try:
            action = bulk_action(doc, self.config)
        except Exception as e:  # noqa: BLE001 - a document without the fields an action needs
            self.counters.dead_letter("index_error")
            yield pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter_for_post(
                doc if isinstance(doc, dict) else {}, "index_error", f"{type(e).__name__}: {e}", STAGE))
            return
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append((action, doc))
        self._buffer_bytes += len(doc.get("raw") or "") + len(doc.get("text") or "") * 2 + 1024
        if (len(self._buffer) >= self.config.bulk_max_docs
                or self._buffer_bytes >= self.config.bulk_max_bytes
                or time.monotonic() - self._oldest >= self.config.bulk_max_age_s):
            letters = self._wait_in_flight()
            self._in_flight = self._sender.submit(self._send, self._take_buffer())
            for letter in letters:
                yield pvalue.TaggedOutput(DEAD_LETTER_TAG, letter)

    def finish_bundle(self) -> Iterator[Any]:
        """Everything of the bundle is in Elasticsearch (or a dead letter) before it ends."""
        for letter in self._wait_in_flight() + self._applied(self._send(self._take_buffer())):
            yield pvalue.TaggedOutput(DEAD_LETTER_TAG, GlobalWindows.windowed_value(letter))

    def _take_buffer(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        pending, self._buffer, self._buffer_bytes = self._buffer, [], 0
        return pending

    def _wait_in_flight(self) -> list[dict[str, Any]]:
        """Dead letters of the bulk in flight, once it is done (its failure fails the bundle)."""
        future, self._in_flight = self._in_flight, None
        return self._applied(future.result()) if future is not None else []

    def _send(self, pending: list[tuple[dict[str, Any], dict[str, Any]]]) -> _Outcome:
        """Sends documents until every item is indexed, a duplicate, or rejected.

        It may run on the sender thread, where Beam metrics cannot be updated: their counts are
        returned and applied by :meth:`_applied` on the bundle's thread."""
        from elastic_transport import TransportError
        from elasticsearch import helpers
        out = _Outcome()
        if not pending:
            return out
        prom, flush_started = metrics.stage(STAGE), time.perf_counter()
        letters = out.letters
        attempt, waited_since = 0, None
        while pending:
            started = time.monotonic()
            try:
                results = list(helpers.streaming_bulk(
                    self._client, [a for a, _ in pending], chunk_size=len(pending),
                    max_chunk_bytes=max(self.config.bulk_max_bytes * 2, 10 * 1024 * 1024),
                    raise_on_error=False, raise_on_exception=False, max_retries=0))
            except TransportError as e:  # connection refused/reset, timeout: nothing was answered
                LOG.warning("Elasticsearch bulk request failed: %s", e)
                results = [(False, {"index": {"status": None, "error": str(e)}})] * len(pending)
            except Exception as e:  # noqa: BLE001 - a document the client cannot serialize
                pending = self._without_unserializable(pending, out, e)
                continue
            retry: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for (action, doc), (_, item) in zip(pending, results):
                result = next(iter(item.values()))
                status = result.get("status")
                verdict = classify_item(status)
                if verdict == "ok":
                    out.indexed += 1
                    prom.records_out.inc()
                    metrics.indexed(doc)  # docs indexed + freshness
                elif verdict == "duplicate":
                    out.duplicates += 1
                    prom.records_out.inc()
                    metrics.ES_VERSION_CONFLICTS.inc()
                elif verdict == "retry":
                    retry.append((action, doc))
                    metrics.es_item_error(status, result.get("error"), retryable=True)
                else:
                    error = result.get("error") or {}
                    metrics.es_item_error(status, error, retryable=False)
                    kind = error.get("type", "rejected") if isinstance(error, dict) else "rejected"
                    reason = error.get("reason", "") if isinstance(error, dict) else str(error)
                    out.dead_kinds.append(f"es_{kind}")
                    letters.append(dead_letter_for_post(
                        doc, f"es_{kind}", f"Elasticsearch refused the document ({status}): {reason}",
                        STAGE))
            out.bulk_ms.append(int((time.monotonic() - started) * 1000))
            metrics.ES_BULK_LATENCY.observe(time.monotonic() - started)
            if not retry:
                break
            pending = retry
            out.retries += len(retry)
            metrics.ES_RETRIES.inc(len(retry))
            waited_since = waited_since or time.monotonic()
            if self.config.max_retry_time_s and time.monotonic() - waited_since > self.config.max_retry_time_s:
                raise RuntimeError(f"Elasticsearch did not accept {len(retry)} documents within "
                                   f"{self.config.max_retry_time_s}s; the bundle will be retried")
            delay = min(self.config.initial_backoff_s * (2 ** attempt), self.config.max_backoff_s)
            attempt += 1
            LOG.warning("Elasticsearch: %d documents to retry, backing off %.1fs", len(retry), delay)
            time.sleep(delay)
            out.backpressure_ms += int(delay * 1000)
            metrics.ES_BACKPRESSURE.inc(delay)
        prom.latency.observe(time.perf_counter() - flush_started)
        return out

    def _without_unserializable(self, pending: list[tuple[dict[str, Any], dict[str, Any]]],
                                out: _Outcome, error: Exception) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The bulk failed before it was sent: the documents that serialize, and a dead letter
        (``unserializable_document``) for each one that does not. Raises when all serialize
        (then the failure was not the documents' and the bundle must be retried)."""
        serializer = self._client.transport.serializers.get_serializer("application/json")
        good = []
        for action, doc in pending:
            try:
                serializer.dumps(action["_source"])
                good.append((action, doc))
            except Exception as e:  # noqa: BLE001
                out.dead_kinds.append("unserializable_document")
                out.letters.append(dead_letter_for_post(
                    doc, "unserializable_document",
                    f"the Elasticsearch client cannot serialize the document: {type(e).__name__}: {e}", STAGE))
        if len(good) == len(pending):
            raise error
        return good

    def _applied(self, out: _Outcome) -> list[dict[str, Any]]:
        """Records an outcome in the Beam metrics (on the bundle's thread); its dead letters."""
        self.indexed.inc(out.indexed)
        self.duplicates.inc(out.duplicates)
        self.retries.inc(out.retries)
        self.backpressure_ms.inc(out.backpressure_ms)
        self.bulk_requests.inc(len(out.bulk_ms))
        for ms in out.bulk_ms:
            self.bulk_ms.update(ms)
        for kind in out.dead_kinds:
            self.counters.dead_letter(kind)
        return out.letters

    def _with_backoff(self, call, what: str) -> None:
        delay, deadline = self.config.initial_backoff_s, time.monotonic() + max(self.config.max_retry_time_s, 120)
        while True:
            try:
                call()
                return
            except Exception as e:
                status = getattr(e, "status_code", None) or getattr(getattr(e, "meta", None), "status", None)
                from elastic_transport import TlsError  # a certificate that fails verification
                if (isinstance(e, TlsError) or classify_item(status) != "retry"  # will not pass
                        or time.monotonic() > deadline):                        # on a retry
                    raise
                LOG.warning("Elasticsearch: %s failed (%s), retrying in %.1fs", what, e, delay)
                time.sleep(delay)
                delay = min(delay * 2, self.config.max_backoff_s)


class WriteToElasticsearch(beam.PTransform):
    """Indexes EnrichedPost documents; returns the dead letters of rejected ones."""

    def __init__(self, config: EsConfig):
        super().__init__()
        self.config = config

    def expand(self, docs):
        outputs = docs | "BulkIndex" >> beam.ParDo(IndexPostsFn(self.config)).with_outputs(
            DEAD_LETTER_TAG, main="indexed")
        return outputs[DEAD_LETTER_TAG]
