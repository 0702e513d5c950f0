"""Sink: publish DeadLetter records to the dead-letter topic (Avro, Confluent wire format)."""
from __future__ import annotations

import logging
import threading
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

import schemas
from transforms.core.codec import encode_confluent, parsed_schema
from transforms.core.deadletter import rebuilt_dead_letter
from transforms.core.metrics import DEAD_LETTERS_PUBLISHED
from transforms.io.clients import kafka_producer

LOG = logging.getLogger(__name__)


class _SharedProducers:
    """One KafkaProducer per worker process and configuration, shared by every dead-letter sink.

    Each stage has its own sink DoFn (to stay fused with the source); sharing the producer keeps
    one network thread instead of one per stage.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._producers: dict[tuple, list[Any]] = {}

    def acquire(self, key: tuple, factory) -> Any:
        with self._lock:
            entry = self._producers.get(key)
            if entry is None:
                entry = self._producers[key] = [factory(), 0]
            entry[1] += 1
            return entry[0]

    def release(self, key: tuple) -> None:
        with self._lock:
            entry = self._producers.get(key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del self._producers[key]
                entry[0].close(timeout=10)


_PRODUCERS = _SharedProducers()


class PublishDeadLettersFn(beam.DoFn):
    """Produces DeadLetter records to a Kafka topic; flushes in ``finish_bundle``.

    The flush must succeed before the bundle ends: the source commits offsets only after it, so a
    dead letter is never lost. Failures raise, which fails the bundle and makes it replay.
    """

    def __init__(self, bootstrap_servers: str, topic: str, security: tuple[tuple[str, Any], ...] = (),
                 max_request_size: int = 16 * 1024 * 1024, max_payload_bytes: int = 512 * 1024):
        self.bootstrap_servers = bootstrap_servers
        self.max_payload_bytes = max_payload_bytes
        self.topic = topic
        self.security = security
        self.max_request_size = max_request_size
        self.published = Metrics.counter("pantau.dead_letters", "published")

    def _key(self) -> tuple:
        return (self.bootstrap_servers, self.security, self.max_request_size)

    def _new_producer(self):
        return kafka_producer(self.bootstrap_servers, self.security, acks="all", linger_ms=20,
                              max_request_size=self.max_request_size, client_id="pantau-dead-letters")

    def setup(self) -> None:
        self._producer = _PRODUCERS.acquire(self._key(), self._new_producer)
        self._schema_id, self._schema = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
        self._pending: list[Any] = []

    def process(self, letter: dict[str, Any]) -> None:
        payload = letter["payload"]
        if len(payload) > self.max_payload_bytes:  # the dead-letter topic must accept it
            letter = dict(letter, payload=payload[: self.max_payload_bytes],
                          message=f"{letter['message']} (payload truncated from {len(payload)} bytes)")
        try:
            value = encode_confluent(letter, self._schema, self._schema_id)
        except Exception as e:  # noqa: BLE001 - a malformed letter must not stop the stream
            letter = rebuilt_dead_letter(letter, f"{type(e).__name__}: {e}", letter.get("stage", "?"))
            value = encode_confluent(letter, self._schema, self._schema_id)
        LOG.warning("dead letter from %s: %s %s (%s-%s@%s)", letter["stage"], letter["error_kind"],
                    letter["message"][:200], letter["topic"], letter["partition"], letter["offset"])
        self._pending.append(self._producer.send(self.topic, key=letter["key"], value=value))

    def finish_bundle(self) -> None:
        if not self._pending:
            return
        self._producer.flush()
        for future in self._pending:
            future.get(timeout=30)  # raises if the broker refused it: the bundle then replays
        self.published.inc(len(self._pending))
        DEAD_LETTERS_PUBLISHED.inc(len(self._pending))
        self._pending = []

    def teardown(self) -> None:
        if getattr(self, "_producer", None) is not None:
            self._producer = None
            _PRODUCERS.release(self._key())


class WriteDeadLetters(beam.PTransform):
    """Writes DeadLetter records to the dead-letter topic."""

    def __init__(self, bootstrap_servers: str, topic: str, security: tuple[tuple[str, Any], ...] = ()):
        super().__init__()
        self.fn = PublishDeadLettersFn(bootstrap_servers, topic, security)

    def expand(self, letters: beam.PCollection[dict]) -> beam.PCollection:
        return letters | "Publish" >> beam.ParDo(self.fn)
