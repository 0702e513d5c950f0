"""Poison-pill quarantine for the Kafka source: finding the message that kills the process.

A message that crashes the process itself (a segfault in a native library, memory exhaustion,
a bug that escapes every stage's guard) cannot become a dead letter in the stage that meets it:
the process is gone before any handler runs, the offset is never committed, and a restarted
pipeline reads the same message and dies again. The source breaks that loop with *markers*, one
per (consumer group, topic, partition), kept on a small recovery topic (compacted where the
broker supports it, as Kafka Connect keeps source offsets):

* ``run``   written when a partition starts reading; ``clean`` when it ends cleanly (drain or
  a bounded run's end). Finding ``run`` at start means the last run died.
* ``probe [start, end) crashes=k`` written, synchronously, before a *careful* chunk is read.

After a death the source reads every partition of the instance *carefully*: one chunk per
bundle in the whole process, so at any moment exactly one chunk is in flight, chunks growing
1, 2, 4 ... up to ``--poll_max_records`` per partition, each committed as soon as its bundle is
durable. Finding a ``probe`` whose start is still the committed offset at the next start names
the chunk that was in flight when the process died: its offsets are then read one at a time,
and a single message that was alone in flight at ``--crash_loop_restarts`` deaths is published
to the dead-letter topic with reason ``crash_loop`` and skipped (its offset committed).

So a poison message costs at most ``crash_loop_restarts + 2`` restarts; an unrelated death
(``kill -9``, node loss) costs one careful pass (a few dozen extra commits per partition) and
quarantines nothing unless the same single message is in flight at every one of those deaths.
If every message crashes the process (a broken deployment), every message is quarantined in
turn, slowly, and the ``PantauMessageQuarantined`` alert fires at the first: their payloads
stay in the dead-letter topic for a replay after the fix.

Plain Kafka commit metadata would be the natural home for markers, but Tansu drops it; a topic
works on every broker.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from transforms.io.clients import create_topic, kafka_consumer, kafka_producer

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Marker:
    """The recovery state of one partition, as last written."""
    state: str  # run | clean | probe
    start: int = -1
    end: int = -1
    crashes: int = 0

    def to_bytes(self) -> bytes:
        return json.dumps({"v": 1, "state": self.state, "start": self.start, "end": self.end,
                           "crashes": self.crashes}, separators=(",", ":")).encode()

    @staticmethod
    def from_bytes(value: bytes | None) -> Marker | None:
        """The marker in a recovery-topic value; None for anything unreadable (then nothing is
        known of the last run: the partition starts normally)."""
        try:
            obj = json.loads(value or b"")
            return Marker(str(obj["state"]), int(obj.get("start", -1)), int(obj.get("end", -1)),
                          int(obj.get("crashes", 0)))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class RecoveryPlan:
    """How a partition starts: normally, or carefully after a death."""
    careful: bool = False
    single_until: int = -1  # offsets below this are read one message per chunk
    crashes: int = 0  # deaths with the message at the start offset alone in flight
    quarantine: bool = False  # skip the message at the start offset (crash_loop dead letter)


def plan_recovery(committed: int, marker: Marker | None, max_crashes: int) -> RecoveryPlan:
    """The plan for a partition whose group has ``committed`` as its next offset."""
    if max_crashes <= 0 or marker is None or marker.state == "clean":
        return RecoveryPlan()
    if marker.state != "probe" or marker.start != committed:
        return RecoveryPlan(careful=True)  # died, with no chunk of this partition in flight
    if marker.end - marker.start > 1:  # this chunk was in flight: look at it one by one
        return RecoveryPlan(careful=True, single_until=marker.end)
    crashes = marker.crashes + 1
    if crashes >= max_crashes:
        return RecoveryPlan(careful=True, quarantine=True, crashes=crashes)
    return RecoveryPlan(careful=True, single_until=committed + 1, crashes=crashes)


def marker_key(group: str, topic: str, partition: int) -> bytes:
    return f"{group}|{topic}|{partition}".encode()


class RecoveryLog:
    """Reads and writes markers on the recovery topic (writes are acknowledged before they
    return: a marker must be durable before the chunk it describes is read)."""

    def __init__(self, bootstrap_servers: str, topic: str, security: tuple[tuple[str, Any], ...] = ()):
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.security = security
        self._producer = None

    def ensure_topic(self) -> None:
        """Creates the recovery topic (one partition, compacted where supported) if missing."""
        from kafka.errors import KafkaError
        try:
            create_topic(self.bootstrap_servers, self.topic, 1, self.security, {"cleanup.policy": "compact"})
        except KafkaError:  # a broker without topic configs: a plain topic works too
            create_topic(self.bootstrap_servers, self.topic, 1, self.security)

    def read(self, keys: Iterable[bytes], timeout_s: float = 30.0) -> dict[bytes, Marker]:
        """The newest marker of each key (keys without one are left out)."""
        from kafka import TopicPartition
        wanted = set(keys)
        consumer = kafka_consumer(self.bootstrap_servers, self.security, enable_auto_commit=False,
                                  consumer_timeout_ms=1000, client_id="pantau-recovery")
        found: dict[bytes, Marker] = {}
        try:
            parts = [TopicPartition(self.topic, p) for p in sorted(consumer.partitions_for_topic(self.topic) or [])]
            if not parts:
                return found
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            end = consumer.end_offsets(parts)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                batch = consumer.poll(timeout_ms=300)
                for records in batch.values():
                    for rec in records:
                        if rec.key in wanted:
                            marker = Marker.from_bytes(rec.value)
                            if marker is not None:
                                found[rec.key] = marker
                if not batch and all(consumer.position(tp) >= end[tp] for tp in parts):
                    break
            else:
                raise RuntimeError(f"recovery topic {self.topic} could not be read within {timeout_s}s")
            return found
        finally:
            consumer.close()

    def write(self, key: bytes, marker: Marker) -> None:
        if self._producer is None:
            self._producer = kafka_producer(self.bootstrap_servers, self.security, acks="all",
                                            client_id="pantau-recovery")
        self._producer.send(self.topic, key=key, value=marker.to_bytes()).get(timeout=30)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=10)
            self._producer = None
