"""Dead letters: the envelope every failed record leaves in, and the Kafka sink for them.

A stage that cannot handle a record emits a ``DeadLetter`` dict on its tagged output
``DEAD_LETTER_TAG`` and counts it under ``pantau.<stage>/dead_letter_<kind>``. The records go to
the dead-letter topic as Avro in the Confluent wire format (schema ``pantau.DeadLetter``), keyed
like the original message, so they can be inspected with any Avro-aware tool and replayed.
"""
from __future__ import annotations

import base64
import functools
import logging
import threading
import time
from typing import Any, Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import coders
from apache_beam.metrics import Metrics

import schemas
from transforms.codec import encode_confluent, parsed_schema, safe_text
from transforms.credentials import kafka_client_settings
from transforms.metrics import DEAD_LETTERS_PUBLISHED, STAGE_DEAD_LETTERS

LOG = logging.getLogger(__name__)
DEAD_LETTER_TAG = "dead_letter"
_MAX_MESSAGE_CHARS = 2000


def dead_letter(payload: bytes | None, key: bytes | None, kind: str, message: str, stage: str,
                topic: str | None = None, partition: int | None = None,
                offset: int | None = None) -> dict[str, Any]:
    """A DeadLetter record (see ``schemas/avro/dead_letter.avsc``). The message may quote the bad
    input: it is cut and its lone surrogates replaced, so the letter itself always encodes."""
    return {
        "payload": bytes(payload or b""),
        "key": bytes(key) if key is not None else None,
        "error_kind": kind,
        "message": safe_text(message[:_MAX_MESSAGE_CHARS]),
        "stage": stage,
        "topic": safe_text(topic) if topic is not None else None,
        "partition": partition,
        "offset": offset,
        "failed_at": int(time.time() * 1000),
    }


def raw_payload_text(payload: bytes) -> str:
    """How a raw message is kept in a document: UTF-8 text, or ``base64:`` for binary (Avro)."""
    if payload[:1] != b"\x00":
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return "base64:" + base64.b64encode(payload).decode("ascii")


def raw_payload_bytes(raw: str) -> bytes:
    """The inverse of :func:`raw_payload_text`."""
    if raw.startswith("base64:"):
        return base64.b64decode(raw[len("base64:"):])
    return raw.encode("utf-8")


def dead_letter_for_post(post: dict[str, Any], kind: str, message: str, stage: str) -> dict[str, Any]:
    """A DeadLetter for a post that failed after decoding (it carries its raw payload)."""
    return dead_letter(raw_payload_bytes(safe_text(post.get("raw") or "")),
                       safe_text(post.get("doc_id") or "").encode(), kind, message, stage,
                       post.get("source_topic"), post.get("source_partition"), post.get("source_offset"))


def dead_letter_for_element(element: Any, kind: str, message: str, stage: str) -> dict[str, Any]:
    """A DeadLetter for any element a stage handles: a decoded ``SourcedPost`` (or a Kafka
    record: both carry the message), a document, or anything else (kept as its ``repr``)."""
    if hasattr(element, "partition") and hasattr(element, "offset"):
        payload = getattr(element, "payload", None) or getattr(element, "value", None)
        return dead_letter(payload, element.key, kind, message, stage, element.topic,
                           element.partition, element.offset)
    if isinstance(element, dict) and "doc_id" in element:
        return dead_letter_for_post(element, kind, message, stage)
    return dead_letter(safe_text(repr(element)[:4096]).encode(), None, kind, message, stage)


class DeadLetterCounter:
    """Beam counters per stage and error kind, created on first use."""

    def __init__(self, stage: str):
        self.stage = stage
        self._counters: dict[str, Any] = {}

    def inc(self, kind: str) -> None:
        counter = self._counters.get(kind)
        if counter is None:
            counter = self._counters[kind] = Metrics.counter(f"pantau.{self.stage}", f"dead_letter_{kind}")
        counter.inc()
        STAGE_DEAD_LETTERS.labels(self.stage, kind).inc()  # Prometheus (kinds are a fixed set)


def rebuilt_dead_letter(letter: Any, reason: str, stage: str) -> dict[str, Any]:
    """A well-formed DeadLetter from a broken one, keeping every field of the right type."""
    letter = letter if isinstance(letter, dict) else {}

    def typed(field: str, kind: type) -> Any:
        value = letter.get(field)
        return value if isinstance(value, kind) and not isinstance(value, bool) else None

    return dead_letter(typed("payload", bytes), typed("key", bytes),
                       safe_text(typed("error_kind", str) or "unencodable_record"),
                       f"{safe_text(typed('message', str) or '')} (dead letter rebuilt: {reason})",
                       safe_text(typed("stage", str) or stage), typed("topic", str),
                       typed("partition", int), typed("offset", int))


_ELEMENT_CODER = coders.FastPrimitivesCoder()


def unencodable_reason(element: Any) -> str | None:
    """Why the runner could not encode ``element`` between stages, or None when it can.

    This is the coder Beam uses for pantau's PCollections (dicts, tuples, strings, bytes); the
    runner also encodes samples of every PCollection to estimate their size, so an element it
    cannot encode fails the bundle wherever the sample falls, outside any stage's own code.
    """
    try:
        _ELEMENT_CODER.encode(element)
    except Exception as e:  # noqa: BLE001 - any failure of the coder is the answer
        return f"{type(e).__name__}: {e}"
    return None


def guard_outputs(stage: str):
    """Decorates a DoFn ``process`` generator: the last-resort guard of a stage's outputs.

    Every main-output element is checked with :func:`unencodable_reason` before it leaves the
    stage; one the runner could not encode leaves as an ``unencodable_record`` dead letter
    instead of failing the bundle (and the stream) in Beam's coder. Dead letters built by the
    stage are checked too and, if broken, rebuilt from what can be kept.
    """
    def decorate(process: Callable[..., Iterable[Any] | None]):
        @functools.wraps(process)
        def wrapper(self, element, *args, **kwargs) -> Iterator[Any]:
            result = process(self, element, *args, **kwargs)
            if result is None:
                return
            for item in result:
                if isinstance(item, pvalue.TaggedOutput):
                    reason = unencodable_reason(item.value)
                    if reason is not None:
                        item = pvalue.TaggedOutput(item.tag, rebuilt_dead_letter(item.value, reason, stage))
                    yield item
                    continue
                reason = unencodable_reason(item)
                if reason is None:
                    yield item
                    continue
                _GUARD_COUNTERS.inc(stage)
                yield pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter_for_element(
                    item, "unencodable_record", f"the runner cannot encode this record: {reason}", stage))
        return wrapper
    return decorate


class _GuardCounters:
    def __init__(self):
        self._by_stage: dict[str, DeadLetterCounter] = {}

    def inc(self, stage: str) -> None:
        counter = self._by_stage.get(stage)
        if counter is None:
            counter = self._by_stage[stage] = DeadLetterCounter(stage)
        counter.inc("unencodable_record")


_GUARD_COUNTERS = _GuardCounters()


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
        from kafka import KafkaProducer
        return KafkaProducer(
            bootstrap_servers=self.bootstrap_servers.split(","), acks="all", linger_ms=20,
            max_request_size=self.max_request_size, client_id="pantau-dead-letters",
            **kafka_client_settings(self.security))

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


def read_dead_letters(payloads: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    """Decodes dead-letter messages (Confluent-framed Avro) for tools and tests."""
    from transforms.codec import SchemaResolver, decode_confluent
    resolver = SchemaResolver()
    _, reader = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    for payload in payloads:
        letter = decode_confluent(payload, resolver, reader)
        if not isinstance(letter["failed_at"], int):  # fastavro gives timestamp-millis as datetime
            letter["failed_at"] = int(letter["failed_at"].timestamp() * 1000)
        yield letter
