"""Read from Kafka with a Python-native splittable DoFn on kafka-python.

Why not ``apache_beam.io.kafka.ReadFromKafka``: it is a cross-language transform that needs a
Java expansion service jar, fetched at pipeline construction. pantau must run offline and on
the Python-only FnApiRunner, so the source is written here.

Design
------
* **One restriction per partition.** ``DiscoverPartitionsFn`` asks the broker for the topic's
  partitions at run time (so the graph does not depend on the machine that built it) and
  resolves each partition's start offset: the consumer group's committed offset, or
  earliest/latest by option when the group has none (or when the option forces it). The
  restriction is ``[start, MAX)``: an unbounded partition.
* **Partitions added while running.** Kafka numbers partitions 0..n-1 and adds new ones at the
  end, so next to the n partitions it finds, an unbounded run also starts readers for the next
  ``partition_slots`` numbers this instance would own. Such a reader waits (listing the topic
  every ``partition_discovery_interval_s``) until its partition exists, then reads it from the
  start. Growing a topic so needs no restart, and no second splittable DoFn in front of the
  readers (the local runner would never get past an unbounded one). A topic grown beyond the
  slots is picked up at the next start.
* **Splitting.** A Kafka partition can only be read in order, so the tracker accepts only
  checkpoints (``try_split(0)``): the runner may pause a partition and resume it later, but it
  never cuts an offset range in two.
* **Progress.** ``ReadPartitionFn`` polls for at most ``max_records``/``max_poll_s`` per call,
  claims every offset it emits, and then ``defer_remainder``s: with a short delay when the
  partition is caught up, at once when there is more to read. Every return ends the bundle,
  which is what lets the runner commit progress often.
* **Freshness.** A call also returns as soon as the reader has reached the high watermark of
  its last fetch, and one poll waits at most ``poll_wait_s`` for records. The partitions of a
  worker are read one call after another, so a call that waited the whole ``max_poll_s`` on a
  trickle would hold back the others' records and the sink's flush at the end of the bundle.
  Under a backlog the calls stay long (``max_records``/``max_poll_s``), so bundles are large
  exactly when throughput matters.
* **Watermark.** A ``ManualWatermarkEstimator`` per partition follows the Kafka record
  timestamps (never moving backwards); when a partition is idle the watermark advances to
  wall-clock time minus ``idle_watermark_lag_s`` so that downstream windows can close.
* **Offsets are committed only after the bundle is durable.** The offsets claimed in a bundle
  become committable in the bundle finalizer and are committed for the consumer group from
  there, at most every ``commit_interval_s`` (and always when a bounded run finishes a
  partition, and at teardown). A runner calls it only after
  the whole bundle succeeded, which includes the ``finish_bundle`` of every fused downstream
  DoFn: the Elasticsearch sink and the dead-letter sink flush there. A crash before that point
  replays the bundle from the last committed offset, and the sink's external versioning makes
  the replay idempotent: at-least-once delivery with exactly-once results in the index.
  Nothing downstream of the source may break fusion (no Reshuffle/GroupByKey before the sinks).
* **Graceful stop.** Setting :data:`DRAIN` (``pantau run`` does on SIGTERM/SIGINT) makes every
  partition end its restriction at its next call, after the in-flight bundle is flushed and
  committed, so the pipeline ends cleanly. On Flink/Dataflow, use the runner's drain, which
  truncates the restrictions the same way (see ``truncate``).
* **Several instances.** Pipelines sharing a topic split its partitions explicitly
  (``partitions``, or ``instance_index``/``instance_count``: partition p goes to instance
  p mod count); they share the consumer group for commits, and since each partition has one
  reader, nothing is read twice.
* **Poison pills.** A message that kills the process (not just a stage) is found and
  quarantined across restarts with markers on a recovery topic; see ``transforms.io.recovery``.
  After a death, partitions are read carefully (one growing chunk in flight at a time) until
  the chunk that was in flight is known; a message alone in flight at ``crash_loop_restarts``
  deaths goes to the dead-letter topic as ``crash_loop`` and its partition moves on.
* **Bounded runs.** With ``stop_when_idle_s > 0`` a partition whose end offset has been
  reached and that produced nothing for that long finishes its restriction; when all
  partitions have, the pipeline ends. Backfills, the demo and the tests use this.

Measured here: kafka-python without the ``crc32c`` package consumes ~3.7k msg/s, with it
~20k msg/s, so ``crc32c`` is a dependency. Tansu needs ``session.timeout.ms`` near 6000 or a
group join takes ~23 s; group coordination is only used for commits here (no subscribe).
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.metrics import Metrics
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.utils.timestamp import Duration, Timestamp
from kafka.errors import CorruptRecordError

from transforms.core import metrics
from transforms.io.clients import kafka_client_settings, kafka_producer
from transforms.io.recovery import Marker, RecoveryLog, RecoveryPlan, marker_key, plan_recovery

LOG = logging.getLogger(__name__)
OPEN_END = sys.maxsize
#: Set to stop reading: each partition ends its restriction at its next call, so the pipeline
#: finishes its bundles (flushing the sinks, committing offsets) and ends (local runner).
DRAIN = threading.Event()


class KafkaRecord(NamedTuple):
    """One Kafka message as it leaves the source."""
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    headers: tuple[tuple[str, bytes], ...] = ()


class KafkaPartition(NamedTuple):
    """The element a partition reader runs on: where to read and where to start, and whether
    to read carefully (after the last run died; see ``transforms.io.recovery``)."""
    topic: str
    partition: int
    start_offset: int
    careful: bool = False
    single_until: int = -1  # offsets below this are read one per chunk
    crashes: int = 0  # deaths with the start offset's message alone in flight
    careful_group: tuple[int, ...] = ()  # the partitions of this instance read carefully
    future: bool = False  # a slot for a partition the topic may get later (see the design notes)


@dataclass(frozen=True)
class KafkaConfig:
    """Connection and consumer settings shared by the source's DoFns (picklable)."""
    bootstrap_servers: str
    topic: str
    group_id: str
    start_offset: str = "committed"  # committed | earliest | latest | an ISO-8601 time (start_time_ms)
    stop_when_idle_s: float = 0.0
    max_records: int = 2000
    max_poll_s: float = 0.5
    poll_wait_s: float = 0.1  # longest one poll waits for new records before the call returns
    idle_delay_s: float = 0.2
    idle_watermark_lag_s: float = 5.0
    session_timeout_ms: int = 6000
    max_message_bytes: int = 4 * 1024 * 1024
    commit_interval_s: float = 2.0
    partitions: tuple[int, ...] = ()  # read only these partitions (empty: all)
    instance_index: int = 0  # with instance_count > 1: read partitions p with p % count == index
    instance_count: int = 1
    security: tuple[tuple[str, Any], ...] = ()
    recovery_topic: str = ""  # markers of the poison-pill quarantine ("" disables it)
    crash_loop_restarts: int = 2  # deaths with one message alone in flight before it is quarantined
    dead_letter_topic: str = ""  # where quarantined messages go
    partition_discovery_interval_s: float = 30.0  # how often a slot checks whether its partition exists
    partition_slots: int = 64  # partition numbers past the current ones watched (0: none)

    def watches_new_partitions(self) -> bool:
        """Whether readers wait for partitions the topic does not have yet (unbounded runs)."""
        return self.stop_when_idle_s <= 0 and self.partition_discovery_interval_s > 0 and self.partition_slots > 0

    def owns(self, partition: int) -> bool:
        """Whether this pipeline instance reads ``partition`` (horizontal scaling on one host)."""
        if self.partitions and partition not in self.partitions:
            return False
        return partition % max(self.instance_count, 1) == self.instance_index

    def consumer_kwargs(self, with_group: bool) -> dict[str, Any]:
        """Keyword arguments for a kafka-python KafkaConsumer."""
        kwargs: dict[str, Any] = dict(
            bootstrap_servers=self.bootstrap_servers.split(","),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(1000, self.session_timeout_ms // 3),
            max_partition_fetch_bytes=max(self.max_message_bytes, 1024 * 1024),
            fetch_max_bytes=max(self.max_message_bytes, 50 * 1024 * 1024),
            consumer_timeout_ms=1000,
            client_id="pantau-source",
        )
        if with_group:
            kwargs["group_id"] = self.group_id
        kwargs.update(kafka_client_settings(self.security, "consumer"))
        return kwargs


def _new_consumer(config: KafkaConfig, with_group: bool):
    from kafka import KafkaConsumer
    return KafkaConsumer(**config.consumer_kwargs(with_group))


START_POLICIES = ("committed", "earliest", "latest")


def start_time_ms(value: str) -> int | None:
    """The time of a ``start_offset`` that is not a policy, in epoch milliseconds: an ISO-8601
    time (without a zone: UTC) or epoch milliseconds; None for a policy. ValueError otherwise."""
    from datetime import datetime, timezone
    if value in START_POLICIES:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"start offset {value!r}: expected {', '.join(START_POLICIES)}, an ISO-8601 time "
                         "(2026-12-01T08:00:00+07:00) or epoch milliseconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def resolve_start_offsets(consumer, config: KafkaConfig, partitions: list[int]) -> dict[int, int]:
    """The offset each partition starts at, by the ``start_offset`` policy; a time starts at the
    first message at or after it (the partition's end when there is none), whatever was committed."""
    from kafka import TopicPartition
    tps = [TopicPartition(config.topic, p) for p in partitions]
    earliest = consumer.beginning_offsets(tps)
    latest = consumer.end_offsets(tps)
    starts: dict[int, int] = {}
    at_ms = start_time_ms(config.start_offset)
    if at_ms is not None:
        try:
            return {tp.partition: offset_for_time(consumer, tp, at_ms, earliest[tp], latest[tp]) for tp in tps}
        finally:
            consumer.unsubscribe()  # drop the assignment the checks made
    for tp in tps:
        committed = consumer.committed(tp) if config.start_offset == "committed" else None
        if committed is not None and committed >= 0:
            start = min(max(committed, earliest[tp]), latest[tp])
        elif config.start_offset == "latest":
            start = latest[tp]
        else:
            start = earliest[tp]
        starts[tp.partition] = start
    return starts


def offset_for_time(consumer, tp, at_ms: int, earliest: int, latest: int) -> int:
    """The first offset of ``tp`` whose message is at or after ``at_ms`` (``latest`` if none):
    the broker's time index (ListOffsets), checked by reading the message at the answer and the
    one before it; when the answer does not hold (Tansu 0.6 answers offset 0 for every time), a
    search that reads one message per step (timestamps taken to grow with offsets)."""
    found = consumer.offsets_for_times({tp: at_ms}).get(tp)
    offset = found.offset if found is not None else latest
    if _time_offset_holds(consumer, tp, at_ms, offset, earliest, latest):
        return offset
    LOG.warning("%s-%d: the broker's offset for time %d (%d) does not hold; searching the partition",
                tp.topic, tp.partition, at_ms, offset)
    low, high, step = earliest, max(latest, earliest), 1
    while True:  # the end offset may be wrong too (Tansu 0.6 counts batches): go past it while older
        stamp = _timestamp_at(consumer, tp, high, wait_s=2.0)
        if stamp is None or stamp >= at_ms:
            break
        low, high, step = high + 1, high + step, step * 2
    while low < high:
        middle = (low + high) // 2
        stamp = _timestamp_at(consumer, tp, middle)
        if stamp is None or stamp >= at_ms:
            high = middle
        else:
            low = middle + 1
    return low


def _time_offset_holds(consumer, tp, at_ms: int, offset: int, earliest: int, latest: int) -> bool:
    """Whether the message at ``offset`` is at or after ``at_ms`` and the one before it is not."""
    if offset < latest:
        stamp = _timestamp_at(consumer, tp, offset)
        if stamp is None or stamp < at_ms:
            return False
    if offset > earliest:
        before = _timestamp_at(consumer, tp, offset - 1)
        if before is None or before >= at_ms:  # None: the message before could not be read
            return False
    return True


def _timestamp_at(consumer, tp, offset: int, wait_s: float = 10.0) -> int | None:
    """The timestamp of the first message at or after ``offset`` (None: none within ``wait_s``)."""
    consumer.assign([tp])
    consumer.seek(tp, offset)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        records = consumer.poll(timeout_ms=500, max_records=1).get(tp)
        if records:
            return int(records[0].timestamp)
    return None


class DiscoverPartitionsFn(beam.DoFn):
    """Lists the topic's partitions and the offset where reading starts in each."""

    def __init__(self, config: KafkaConfig):
        self.config = config

    def process(self, _unused: Any) -> Iterator[KafkaPartition]:
        consumer = _new_consumer(self.config, with_group=True)
        try:
            deadline = time.monotonic() + 30
            partitions = consumer.partitions_for_topic(self.config.topic)
            while not partitions and time.monotonic() < deadline:
                time.sleep(0.5)
                partitions = consumer.partitions_for_topic(self.config.topic)
            if not partitions:
                raise RuntimeError(f"Kafka topic {self.config.topic!r} does not exist on "
                                   f"{self.config.bootstrap_servers}")
            mine = sorted(p for p in partitions if self.config.owns(p))
            starts = resolve_start_offsets(consumer, self.config, mine)
            plans = self._recovery_plans(consumer, starts)
        finally:
            consumer.close()
        careful = tuple(sorted(p for p, plan in plans.items() if plan.careful))
        for partition, start in sorted(starts.items()):
            plan = plans.get(partition, RecoveryPlan())
            LOG.info("partition %s-%d starts at offset %d%s", self.config.topic, partition, start,
                     " (careful: the last run died)" if careful else "")
            metrics.KAFKA_RECOVERY_MODE.labels(self.config.topic, str(partition)).set(1 if careful else 0)
            yield KafkaPartition(self.config.topic, partition, start, bool(careful), plan.single_until,
                                 plan.crashes, careful)
        if self.config.watches_new_partitions():
            count = max(partitions) + 1
            for partition in range(count, count + self.config.partition_slots):
                if self.config.owns(partition):
                    yield KafkaPartition(self.config.topic, partition, 0, future=True)

    def _recovery_plans(self, consumer, starts: dict[int, int]) -> dict[int, RecoveryPlan]:
        """Reads the markers, quarantines crash-loop messages (moving ``starts`` past them) and
        marks every partition as running. After any death all partitions go careful."""
        config = self.config
        if not config.recovery_topic or config.crash_loop_restarts <= 0 or not starts:
            return {}
        log = RecoveryLog(config.bootstrap_servers, config.recovery_topic, config.security)
        try:
            log.ensure_topic()
            keys = {p: marker_key(config.group_id, config.topic, p) for p in starts}
            markers = log.read(keys.values())
            plans = {p: plan_recovery(starts[p], markers.get(keys[p]), config.crash_loop_restarts)
                     for p in starts}
            for p, plan in plans.items():
                if plan.quarantine:
                    quarantine_message(consumer, config, p, starts[p], plan.crashes)
                    starts[p] += 1
                    plans[p] = RecoveryPlan(careful=True)
            if any(plan.careful for plan in plans.values()):
                plans = {p: plan if plan.careful else RecoveryPlan(careful=True) for p, plan in plans.items()}
            for p in starts:
                log.write(keys[p], Marker("run", starts[p]))
            return plans
        finally:
            log.close()


def quarantine_message(consumer, config: KafkaConfig, partition: int, offset: int, crashes: int) -> None:
    """Publishes the message at ``offset`` to the dead-letter topic as ``crash_loop`` and commits
    the offset after it (in that order: a death in between only repeats the dead letter)."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    import schemas
    from transforms.core.codec import encode_confluent, parsed_schema
    from transforms.core.deadletter import dead_letter

    tp = TopicPartition(config.topic, partition)
    value = key = None
    problem = ""
    reader = _new_consumer(config, with_group=False)
    try:
        reader.assign([tp])
        reader.seek(tp, offset)
        deadline = time.monotonic() + 10
        while value is None and time.monotonic() < deadline:
            for rec in reader.poll(timeout_ms=500, max_records=1).get(tp, []):
                if rec.offset == offset:
                    value, key = rec.value, rec.key
    except Exception as e:  # noqa: BLE001 - a message that cannot even be fetched is quarantined too
        problem = f"; it could not be fetched again: {type(e).__name__}: {e}"
    finally:
        reader.close()
    if value is None and not problem:
        problem = "; it could not be fetched again (deleted by retention?)"
    letter = dead_letter(value, key, "crash_loop",
                         f"the pipeline died {crashes} times while this message was the only one in "
                         f"flight; quarantined so that partition {partition} moves on{problem}",
                         "source", config.topic, partition, offset)
    schema_id, schema = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    producer = kafka_producer(config.bootstrap_servers, config.security, acks="all",
                              max_request_size=16 * 1024 * 1024, client_id="pantau-quarantine")
    try:
        producer.send(config.dead_letter_topic, key=key, value=encode_confluent(letter, schema, schema_id)).get(timeout=30)
    finally:
        producer.close(timeout=10)
    consumer.commit({tp: OffsetAndMetadata(offset + 1, "", -1)})
    metrics.quarantined(config.topic, partition)
    LOG.error("quarantined %s-%d@%d: the pipeline died %d times with it alone in flight; it is in %s "
              "as a crash_loop dead letter", config.topic, partition, offset, crashes, config.dead_letter_topic)


class PartitionOffsetTracker(OffsetRestrictionTracker):
    """Offset tracker for one Kafka partition: it accepts checkpoints, never range splits."""

    def try_split(self, fraction_of_remainder: float):
        if fraction_of_remainder != 0:
            return None  # a partition is read in order: no dynamic splits
        return super().try_split(0)

    def is_bounded(self) -> bool:
        return self._range.stop != OPEN_END


class PartitionRestrictionProvider(RestrictionProvider):
    """Restriction ``[start_offset, OPEN_END)`` for a partition."""

    def initial_restriction(self, element: KafkaPartition) -> OffsetRange:
        return OffsetRange(element.start_offset, OPEN_END)

    def create_tracker(self, restriction: OffsetRange) -> PartitionOffsetTracker:
        return PartitionOffsetTracker(restriction)

    def split(self, element: KafkaPartition, restriction: OffsetRange) -> Iterable[OffsetRange]:
        yield restriction

    def restriction_size(self, element: KafkaPartition, restriction: OffsetRange) -> int:
        return 1 if restriction.stop == OPEN_END else restriction.size()

    def truncate(self, element: KafkaPartition, restriction: OffsetRange):
        return None  # on drain, stop reading: offsets not read stay uncommitted


#: Header of the placeholder the source emits for a record it cannot parse (decode dead-letters it).
UNREADABLE_HEADER = "pantau-unreadable"


def unreadable_record(topic: str, partition: int, offset: int, reason: str) -> KafkaRecord:
    """The placeholder of a record the Kafka client cannot parse: no key or value, the reason in
    the :data:`UNREADABLE_HEADER` header (the decode stage turns it into an ``unreadable_record``
    dead letter, so the offset is accounted for and the partition moves on without a crash)."""
    return KafkaRecord(topic, partition, offset, None, None, int(time.time() * 1000),
                       ((UNREADABLE_HEADER, reason.encode("utf-8")),))


def first_readable_offset(config: KafkaConfig, tp: Any, offset: int, max_probes: int = 100_000) -> int:
    """The first offset from ``offset`` on that the client can parse (or the end of the partition).

    kafka-python parses a record batch from its start and decodes header keys strictly: a record
    whose header key is not UTF-8 (written by a non-conforming producer) makes every later record
    of its batch unreadable to it, even after a seek past the broken one; and a consumer that hit
    the error does not fetch again. So probe forward, with a fresh consumer after each failure."""
    consumer = _new_consumer(config, with_group=False)
    try:
        consumer.assign([tp])
        end = consumer.end_offsets([tp])[tp]
        for probe in range(offset, min(end, offset + max_probes)):
            consumer.seek(tp, probe)
            try:
                for _ in range(3):
                    records = consumer.poll(timeout_ms=1000, max_records=1).get(tp, [])
                    if records:
                        return max(records[0].offset, probe)
                return probe  # nothing came back: nothing more to skip
            except CorruptRecordError:
                consumer.close()
                consumer = _new_consumer(config, with_group=False)
                consumer.assign([tp])
        return max(min(end, offset + max_probes), offset)
    finally:
        consumer.close()


class _PartitionState:
    """What one worker keeps per partition between bundles."""

    def __init__(self, consumer):
        self.consumer = consumer
        self.isolating = False  # reading one record per poll to find a record the client cannot parse
        self.next_offset: int | None = None
        self.last_record_at = time.monotonic()
        self.end_checked_at = 0.0  # last end_offsets request (lag when no fetch told the end)


class _CarefulState:
    """A partition's progress through careful reading after a death."""

    def __init__(self, single_until: int, crashes: int, crash_offset: int):
        self.single_until = single_until
        self.crashes = crashes
        self.crash_offset = crash_offset
        self.size = 1
        self.done = False


_CarefulState.PENDING = _CarefulState(-1, 0, -1)  # a partition not seen yet: not done


class ReadPartitionFn(beam.DoFn):
    """Reads one Kafka partition; commits offsets in the bundle finalizer."""

    def __init__(self, config: KafkaConfig):
        self.config = config
        self.records_read = Metrics.counter("pantau.source", "records_read")
        self.commits = Metrics.counter("pantau.source", "offset_commits")
        self.commit_failures = Metrics.counter("pantau.source", "offset_commit_failures")

    def setup(self) -> None:
        self._partitions: dict[int, _PartitionState] = {}
        self._committer = None
        self._durable: dict[int, int] = {}  # partition -> next offset, finalized by the runner
        self._committed: dict[int, int] = {}
        self._last_commit = 0.0
        self._recovery: RecoveryLog | None = None
        self._careful: dict[int, _CarefulState] = {}
        self._careful_over = False
        self._careful_started: float | None = None
        self._chunk_in_bundle = False
        self._partition_count = 0  # partitions the topic had at the last listing
        self._listed_at = -1e9

    def start_bundle(self) -> None:
        self._chunk_in_bundle = False

    def teardown(self) -> None:
        self._commit_due(force=True)  # offsets of finalized bundles are safe to commit
        for state in self._partitions.values():
            state.consumer.close()
        self._partitions.clear()
        if self._committer is not None:
            self._committer.close()
            self._committer = None
        if self._recovery is not None:
            self._recovery.close()
            self._recovery = None

    def _mark(self, partition: int, marker: Marker) -> None:
        if not self.config.recovery_topic or self.config.crash_loop_restarts <= 0:
            return
        if self._recovery is None:
            self._recovery = RecoveryLog(self.config.bootstrap_servers, self.config.recovery_topic,
                                         self.config.security)
        self._recovery.write(marker_key(self.config.group_id, self.config.topic, partition), marker)

    def _careful_chunk(self, element: KafkaPartition, start: int) -> int | None:
        """How many records this call may read while the instance recovers from a death: None
        when it is not recovering, 0 when this partition must wait (another chunk is in flight
        in this bundle, or it is done and waits for the others)."""
        if not element.careful or self._careful_over:
            return None
        state = self._careful.get(element.partition)
        if state is None:
            state = self._careful[element.partition] = _CarefulState(element.single_until, element.crashes, start)
        if self._careful_started is None:
            self._careful_started = time.monotonic()
        # over when every partition of the instance is done; partitions this worker never sees
        # (read by another worker of a parallel runner) are not waited for beyond a few seconds
        others_elsewhere = time.monotonic() - self._careful_started > 10.0
        if all(self._careful.get(p, _CarefulState.PENDING).done or (others_elsewhere and p not in self._careful)
               for p in element.careful_group):
            self._careful_over = True
            LOG.info("careful reading after a death is over: %s reads at full speed again", self.config.topic)
            for p in element.careful_group:
                metrics.KAFKA_RECOVERY_MODE.labels(self.config.topic, str(p)).set(0)
            return None
        if state.done or self._chunk_in_bundle:
            return 0
        size = 1 if start < state.single_until else state.size
        crashes = state.crashes if start == state.crash_offset else 0
        self._mark(element.partition, Marker("probe", start, start + size, crashes))
        self._chunk_in_bundle = True
        if start >= state.single_until:
            state.size = min(state.size * 2, self.config.max_records)
            state.done = size >= self.config.max_records
        return size

    def _advance_idle_watermark(self, watermark: ManualWatermarkEstimator) -> None:
        """An idle partition's watermark follows wall-clock time minus ``idle_watermark_lag_s``."""
        now = Timestamp.now() - Duration(seconds=self.config.idle_watermark_lag_s)
        current = watermark.current_watermark()
        if current is None or now > current:
            watermark.set_watermark(now)

    def _exists(self, partition: int) -> bool:
        """Whether the topic has this partition yet; lists the topic at most every
        ``partition_discovery_interval_s`` (with a fresh client: cached metadata would hide it)."""
        if partition < self._partition_count:
            return True
        if time.monotonic() - self._listed_at >= self.config.partition_discovery_interval_s:
            self._listed_at = time.monotonic()
            consumer = _new_consumer(self.config, with_group=False)
            try:
                self._partition_count = max(consumer.partitions_for_topic(self.config.topic) or [-1]) + 1
            except Exception:  # the broker is away: try again at the next listing
                LOG.debug("listing %s failed", self.config.topic, exc_info=True)
            finally:
                consumer.close()
        return partition < self._partition_count

    def _wait_for_partition(self, element: KafkaPartition, tracker, watermark) -> bool:
        """For a slot whose partition does not exist yet: keep waiting (True), or not (False:
        it exists now, and the reader starts)."""
        if DRAIN.is_set():
            tracker.try_claim(OPEN_END)
            return True
        if not self._exists(element.partition):
            self._advance_idle_watermark(watermark)
            tracker.defer_remainder(Duration(seconds=min(self.config.partition_discovery_interval_s, 5.0)))
            return True
        if element.partition not in self._partitions:
            LOG.info("partition %s-%d starts at offset %d (new partition)", element.topic, element.partition,
                     tracker.current_restriction().start)
            self._mark(element.partition, Marker("run", tracker.current_restriction().start))
        return False

    def _state(self, partition: int) -> _PartitionState:
        from kafka import TopicPartition
        state = self._partitions.get(partition)
        if state is None:
            consumer = _new_consumer(self.config, with_group=False)
            consumer.assign([TopicPartition(self.config.topic, partition)])
            state = self._partitions[partition] = _PartitionState(consumer)
        return state

    def _reopen(self, state: _PartitionState, tp: Any) -> None:
        """A fresh consumer for the partition, at the reader's position."""
        state.consumer.close()
        state.consumer = _new_consumer(self.config, with_group=False)
        state.consumer.assign([tp])
        state.consumer.seek(tp, state.next_offset)

    @staticmethod
    def _caught_up(state: _PartitionState, tp: Any) -> bool:
        """Whether the reader has every record the broker had at the last fetch (its high
        watermark). Ending the call then keeps bundles short when the stream is slower than
        the pipeline (fresh documents) and long when there is a backlog (cheap documents)."""
        end = state.consumer.highwater(tp)
        return end is not None and state.next_offset >= end

    def _observe_poll(self, state: _PartitionState, tp: Any, emitted: int) -> None:
        """Prometheus: records read, and lag = end offset - next offset to read. The end is the
        high watermark of the last fetch response (free), else ``end_offsets`` every 5 s at most."""
        end = state.consumer.highwater(tp)
        if end is None and time.monotonic() - state.end_checked_at >= 5.0:
            state.end_checked_at = time.monotonic()
            try:
                end = state.consumer.end_offsets([tp])[tp]
            except Exception:  # lag is best effort; reading goes on
                LOG.debug("end_offsets of %s failed", tp, exc_info=True)
        metrics.kafka_polled(tp.topic, tp.partition, emitted, end, state.next_offset)

    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        element: KafkaPartition,
        bundle_finalizer=beam.DoFn.BundleFinalizerParam,
        tracker: PartitionOffsetTracker = beam.DoFn.RestrictionParam(PartitionRestrictionProvider()),
        watermark: ManualWatermarkEstimator = beam.DoFn.WatermarkEstimatorParam(
            ManualWatermarkEstimator.default_provider()),
    ) -> Iterator[beam.window.TimestampedValue]:
        from kafka import TopicPartition
        if element.future and self._wait_for_partition(element, tracker, watermark):
            return
        tp = TopicPartition(element.topic, element.partition)
        state = self._state(element.partition)
        start = tracker.current_restriction().start
        if DRAIN.is_set():  # graceful stop: end the restriction; the runner finishes the bundle
            tracker.try_claim(OPEN_END)
            self._finalize_later(bundle_finalizer, element, None, force=True, clean=True)
            return
        if state.next_offset != start:
            state.consumer.seek(tp, start)
            state.next_offset = start
        limit = self._careful_chunk(element, start)
        if limit == 0:  # recovering: another chunk is in flight; wait for this partition's turn
            tracker.defer_remainder(Duration(seconds=0.01))
            return
        careful = limit is not None
        limit = limit or self.config.max_records

        emitted = 0
        last_offset = None
        deadline = time.monotonic() + self.config.max_poll_s
        while emitted < limit and time.monotonic() < deadline:
            try:
                wait_s = min(deadline - time.monotonic(), self.config.poll_wait_s)
                batch = state.consumer.poll(timeout_ms=max(1, int(wait_s * 1000)),
                                            max_records=1 if state.isolating else limit - emitted)
            except CorruptRecordError as e:
                self._reopen(state, tp)  # a consumer that hit the error fetches nothing more
                if not state.isolating:  # read one record at a time until the broken one is next
                    state.isolating = True
                    continue
                readable = first_readable_offset(self.config, tp, state.next_offset + 1)
                reason = (f"the Kafka client cannot parse this record or the rest of its record batch "
                          f"({e}); offsets {state.next_offset}..{readable - 1} are unreadable here: "
                          f"read them with another client (e.g. kcat -o {state.next_offset})")[:1000]
                LOG.error("%s-%d: %s", tp.topic, tp.partition, reason)
                for offset in range(state.next_offset, readable):
                    if not tracker.try_claim(offset):
                        self._finalize_later(bundle_finalizer, element, last_offset, force=careful)
                        return
                    yield beam.window.TimestampedValue(unreadable_record(tp.topic, tp.partition, offset, reason),
                                                       watermark.current_watermark() or Timestamp.now())
                    emitted += 1
                    last_offset = offset
                    state.next_offset = offset + 1
                state.consumer.seek(tp, readable)
                state.isolating = False
                continue
            records = batch.get(tp, [])
            self._observe_poll(state, tp, 0)  # lag before emitting: a blocked sink must not hide it
            if not records:
                break
            for rec in records:
                if rec.offset < start:
                    continue  # a fetch may return earlier offsets of a compressed batch
                if not tracker.try_claim(rec.offset):
                    self._observe_poll(state, tp, emitted)
                    self._finalize_later(bundle_finalizer, element, last_offset, force=careful)
                    return
                ts = Timestamp(micros=max(rec.timestamp, 0) * 1000)
                current = watermark.current_watermark()
                if current is None or ts > current:
                    watermark.set_watermark(ts)
                headers = tuple((k, v) for k, v in (rec.headers or ()))
                yield beam.window.TimestampedValue(
                    KafkaRecord(rec.topic, rec.partition, rec.offset, rec.key, rec.value,
                                rec.timestamp, headers), ts)
                emitted += 1
                last_offset = rec.offset
                state.next_offset = rec.offset + 1
            if not careful and self._caught_up(state, tp):
                break  # nothing more on the broker: end the bundle now rather than wait for more

        self.records_read.inc(emitted)
        self._observe_poll(state, tp, emitted)
        self._finalize_later(bundle_finalizer, element, last_offset, force=careful)
        if emitted:
            state.last_record_at = time.monotonic()
            tracker.defer_remainder()
            return
        if careful:  # caught up: nothing of this partition can be in flight any more
            self._careful[element.partition].done = True

        idle_for = time.monotonic() - state.last_record_at
        self._advance_idle_watermark(watermark)
        if self.config.stop_when_idle_s > 0 and idle_for >= self.config.stop_when_idle_s:
            end = state.consumer.end_offsets([tp])[tp]
            if state.next_offset >= end:
                LOG.info("partition %s-%d idle for %.1fs at offset %d: done",
                         element.topic, element.partition, idle_for, state.next_offset)
                tracker.try_claim(OPEN_END)  # claims past the end: the restriction is done
                self._finalize_later(bundle_finalizer, element, None, force=True, clean=True)
                return
        tracker.defer_remainder(Duration(seconds=self.config.idle_delay_s))

    def _finalize_later(self, bundle_finalizer, element: KafkaPartition, last_offset: int | None,
                        force: bool = False, clean: bool = False) -> None:
        """After the bundle is durable, mark its offsets committable (and commit if due); at a
        clean end, commit and mark the partition ``clean`` (no recovery at the next start)."""
        if last_offset is None and not force and self._durable == self._committed:
            return

        def finalize() -> None:
            if last_offset is not None:
                self._durable[element.partition] = last_offset + 1
            self._commit_due(force)
            if clean and self._committed.get(element.partition) == self._durable.get(element.partition):
                self._mark(element.partition, Marker("clean", self._durable.get(element.partition, -1)))

        bundle_finalizer.register(finalize)

    def _commit_due(self, force: bool = False) -> None:
        """Commits durable offsets not yet committed, at most every ``commit_interval_s``."""
        pending = {p: o for p, o in self._durable.items() if self._committed.get(p) != o}
        if not pending or (not force and time.monotonic() - self._last_commit < self.config.commit_interval_s):
            return
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata
        try:
            if self._committer is None:
                self._committer = _new_consumer(self.config, with_group=True)
            self._committer.commit({TopicPartition(self.config.topic, p): OffsetAndMetadata(o, "", -1)
                                    for p, o in pending.items()})
            self._committed.update(pending)
            self._last_commit = time.monotonic()
            self.commits.inc()
        except Exception:  # a failed commit only means a larger replay after a crash
            self.commit_failures.inc()
            LOG.warning("offset commit of %s %s failed", self.config.topic, pending, exc_info=True)
            if self._committer is not None:
                self._committer.close()
                self._committer = None


class ReadFromKafka(beam.PTransform):
    """Reads a topic into a PCollection of :class:`KafkaRecord`, one restriction per partition."""

    def __init__(self, config: KafkaConfig):
        super().__init__()
        self.config = config

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[KafkaRecord]:
        return (
            pbegin
            | "Start" >> beam.Impulse()
            | "DiscoverPartitions" >> beam.ParDo(DiscoverPartitionsFn(self.config))
            | "ReadPartitions" >> beam.ParDo(ReadPartitionFn(self.config))
        )
