"""Publishing RawPosts to Kafka, as JSON or Confluent-framed Avro (demo, tests, benchmarks)."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import schemas
from transforms.core.codec import coerce_raw_post, encode_confluent, parsed_schema
from transforms.io.clients import create_topic  # noqa: F401 (re-exported for the tools)


def encode_post(post: dict[str, Any], wire_format: str, schema_id: int | None = None) -> bytes:
    """A RawPost (JSON-like, ISO or epoch timestamps) as message bytes: ``json`` or ``avro``."""
    if wire_format == "json":
        return json.dumps(post, ensure_ascii=False).encode("utf-8")
    if wire_format == "avro":
        record = coerce_raw_post(post)
        if schema_id is None:
            schema_id, schema = parsed_schema(schemas.RAW_POST_SUBJECT)
        else:
            import fastavro
            schema = fastavro.parse_schema(schemas.schema_by_id(schema_id))
            if schema_id == 1:
                record.pop("title", None)
        return encode_confluent(record, schema, schema_id)
    raise ValueError(f"unknown wire format {wire_format!r}")


def message_key(post: dict[str, Any]) -> bytes:
    """Messages are keyed by platform:post_id, so updates of a post stay in one partition."""
    return f"{post.get('platform', '')}:{post.get('post_id', post.get('id', ''))}".encode()


def produce(bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]],
            security: dict[str, Any] | None = None) -> int:
    """Sends (key, value) messages and waits until all are acknowledged; returns the count."""
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", linger_ms=10,
                             max_request_size=16 * 1024 * 1024, **(security or {}))
    try:
        futures = [producer.send(topic, key=k, value=v) for k, v in messages]
        producer.flush()
        for f in futures:
            f.get(timeout=30)
        return len(futures)
    finally:
        producer.close()
