"""Stage: decode Kafka messages (Confluent Avro or JSON) into RawPost records."""
from __future__ import annotations

from typing import Any, NamedTuple

import schemas
from transforms.core.codec import (
    DecodeError,
    SchemaResolver,
    decode_confluent,
    decode_json,
    is_confluent_avro,
    may_hold_surrogates,
    parsed_schema,
    repair_text,
    timestamps_from_avro,
)
from transforms.core.stage import Stage, StageError, StageFn
from transforms.io.clients import registry_fetcher
from transforms.io.kafka_source import UNREADABLE_HEADER, KafkaRecord

STAGE = "decode"
UTF8_BOM = b"\xef\xbb\xbf"


def geo_repairs(post: dict[str, Any]) -> list[str]:
    """Drops a ``geo`` whose coordinates are not a place on Earth (NaN, infinite, |lat| > 90,
    |lon| > 180): the post is kept, Elasticsearch would refuse the whole document otherwise."""
    geo = post.get("geo")
    if not geo:
        return []
    lat, lon = geo.get("lat"), geo.get("lon")
    if (isinstance(lat, (int, float)) and isinstance(lon, (int, float))
            and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return []
    post["geo"] = None
    return ["dropped_invalid_geo:geo"]


class SourcedPost(NamedTuple):
    """A decoded RawPost with the message it came from (for dead letters and lineage)."""
    post: dict[str, Any]
    payload: bytes
    key: bytes | None
    topic: str | None
    partition: int | None
    offset: int | None
    wire_format: str  # avro | json
    repairs: tuple[str, ...] = ()  # what decoding repaired: lone_surrogate:text, ...


def decode_payload(payload: bytes | None, resolver: SchemaResolver, reader_schema: Any,
                   max_message_bytes: int) -> tuple[dict[str, Any], str, list[str]]:
    """(RawPost record, wire format, repaired fields) of one message value; DecodeError when it
    is not a post.

    Every string of the record is valid Unicode afterwards (see ``codec.repair_text``): Avro
    strings are read as strict UTF-8 (invalid bytes: ``invalid_utf8``), and JSON's escaped lone
    surrogates become U+FFFD outside the identity fields (inside them: ``invalid_unicode``).
    """
    if payload is None or len(payload) == 0:
        raise DecodeError("empty_message", "message value is empty (or a tombstone)")
    if len(payload) > max_message_bytes:
        raise DecodeError("message_too_large",
                          f"message of {len(payload)} bytes exceeds the limit of {max_message_bytes}")
    if is_confluent_avro(payload):
        post = timestamps_from_avro(decode_confluent(payload, resolver, reader_schema))
        return post, "avro", geo_repairs(post)
    if payload.startswith(UTF8_BOM):  # some exporters write one; JSON itself forbids it
        payload = payload[len(UTF8_BOM):]
    if payload.lstrip()[:1] == b"{":
        post = decode_json(payload)
        repairs: list[str] = []
        if may_hold_surrogates(payload):
            post, fields = repair_text(post)
            repairs = [f"lone_surrogate:{field}" for field in fields]
        return post, "json", repairs + geo_repairs(post)
    raise DecodeError("unknown_format",
                      "neither Confluent-framed Avro (magic byte 0) nor a JSON object")


class DecodePostFn(StageFn):
    """KafkaRecord -> SourcedPost."""

    STAGE = STAGE

    def __init__(self, schema_dir: str | None = None, registry_url: str | None = None,
                 max_message_bytes: int = 1024 * 1024, registry_tls: tuple[tuple[str, str], ...] = ()):
        self.schema_dir = schema_dir
        self.registry_url = registry_url
        self.max_message_bytes = max_message_bytes
        self.registry_tls = registry_tls  # CA and client certificate files; credentials: env, read in setup

    def setup(self) -> None:
        fetch = registry_fetcher(self.registry_tls) if self.registry_url else None
        self._resolver = SchemaResolver(self.schema_dir, self.registry_url, fetch=fetch)
        _, self._reader = parsed_schema(schemas.RAW_POST_SUBJECT, self.schema_dir)

    def apply(self, record: KafkaRecord) -> SourcedPost:
        if record.value is None and record.headers and record.headers[0][0] == UNREADABLE_HEADER:
            raise StageError("unreadable_record", record.headers[0][1].decode("utf-8", "replace"))
        try:
            post, fmt, repairs = decode_payload(record.value, self._resolver, self._reader,
                                                self.max_message_bytes)
        except DecodeError:
            raise
        except Exception as e:  # a decoder bug is a dead letter of its own kind
            raise StageError("decoder_error", f"{type(e).__name__}: {e}") from e
        return SourcedPost(post, record.value, record.key, record.topic, record.partition,
                           record.offset, fmt, tuple(repairs))


class DecodePosts(Stage):
    """Decodes KafkaRecords; returns (posts, dead letters)."""

    def __init__(self, schema_dir: str | None = None, registry_url: str | None = None,
                 max_message_bytes: int = 1024 * 1024, registry_tls: tuple[tuple[str, str], ...] = ()):
        super().__init__(DecodePostFn(schema_dir, registry_url, max_message_bytes, registry_tls), "Decode")
