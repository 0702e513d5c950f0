"""Dead letters: the envelope every failed record leaves in (the sink is ``io.deadletter_sink``).

A stage that cannot handle a record emits a ``DeadLetter`` dict on its tagged output
``DEAD_LETTER_TAG`` (``transforms.core.stage`` does it for every stage). The records go to the
dead-letter topic as Avro in the Confluent wire format (schema ``pantau.DeadLetter``), keyed
like the original message, so they can be inspected with any Avro-aware tool and replayed.
"""
from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

from apache_beam.coders import coders

import schemas
from transforms.core.codec import parsed_schema, safe_text

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




def read_dead_letters(payloads: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    """Decodes dead-letter messages (Confluent-framed Avro) for tools and tests."""
    from transforms.core.codec import SchemaResolver, decode_confluent
    resolver = SchemaResolver()
    _, reader = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    for payload in payloads:
        letter = decode_confluent(payload, resolver, reader)
        if not isinstance(letter["failed_at"], int):  # fastavro gives timestamp-millis as datetime
            letter["failed_at"] = int(letter["failed_at"].timestamp() * 1000)
        yield letter
