"""Decoders: Confluent-framed Avro and JSON into RawPost, with precise error kinds."""
import json
import struct

import fastavro
import pytest

import schemas
from tests.factories import POST_V2
from transforms.core.codec import DecodeError, SchemaResolver, coerce_raw_post, to_epoch_millis
from transforms.io.publish import encode_post
from transforms.stages.decode import decode_payload

RESOLVER = SchemaResolver()
READER = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))


def decode(payload, limit=1024 * 1024):
    return decode_payload(payload, RESOLVER, READER, limit)[:2]


def kind_of(payload, limit=1024 * 1024):
    with pytest.raises(DecodeError) as e:
        decode(payload, limit)
    return e.value.kind


def json_post(**changes):
    post = {"platform": "x", "post_id": "9", "author": {"id": "a"}, "text": "halo",
            "created_at": "2026-11-24T10:00:00.500Z", "collected_at": 1764000000000}
    post.update(changes)
    return json.dumps(post).encode()


def test_json_post_decodes_with_defaults():
    post, fmt = decode(json_post())
    assert fmt == "json"
    assert post["created_at"] == 1795514400500
    assert post["engagement"] == {"likes": 0, "replies": 0, "reposts": 0, "quotes": 0, "views": None}
    assert post["hashtags"] == [] and post["title"] is None and post["author"]["verified"] is False


def test_avro_and_json_of_one_post_decode_alike():
    from_avro, fmt = decode(encode_post(POST_V2, "avro"))
    from_json, _ = decode(encode_post(POST_V2, "json"))
    assert fmt == "avro"
    assert from_avro == from_json


def test_v1_avro_message_gets_v2_defaults():
    post, _ = decode(encode_post(POST_V2, "avro", schema_id=1))
    assert post["title"] is None and post["text"] == POST_V2["text"]


@pytest.mark.parametrize("payload,kind", [
    (b"", "empty_message"),
    (b"\x00\x00\x00", "avro_truncated"),
    (struct.pack(">bI", 0, 4242) + b"\x02", "avro_unknown_schema_id"),
    (b"hello", "unknown_format"),
    (b"{not json", "invalid_json"),
    (b'{"text": "\xff\xfe"}', "invalid_utf8"),
    (b"[" * 100 + b"]" * 100, "unknown_format"),
    (b'{"a":' * 100 + b"1" + b"}" * 100, "json_too_deep"),
    (json_post(text=None), "missing_field"),
    (json_post(text=["a"]), "wrong_type"),
    (json_post(author={"id": "a", "verified": "yes"}), "wrong_type"),
    (json_post(created_at="kemarin"), "invalid_timestamp"),
    (json_post(hashtags="#a"), "wrong_type"),
])
def test_bad_messages_name_their_reason(payload, kind):
    assert kind_of(payload) == kind


def test_numbers_are_accepted_as_text():
    assert decode(json_post(text=5.5))[0]["text"] == "5.5"


def test_truncated_avro_body():
    good = encode_post(POST_V2, "avro")
    assert kind_of(good[:-7]) in ("avro_truncated", "avro_corrupt")


def test_trailing_bytes_after_avro_record():
    assert kind_of(encode_post(POST_V2, "avro") + b"xyz") == "avro_trailing_bytes"


def test_message_size_limit():
    assert kind_of(json_post(text="a" * 5000), limit=1000) == "message_too_large"


def test_timestamps_in_seconds_millis_and_iso():
    assert to_epoch_millis(1764000000, "t") == 1764000000000
    assert to_epoch_millis(1764000000123, "t") == 1764000000123
    assert to_epoch_millis("2026-11-24T17:00:00+07:00", "t") == to_epoch_millis("2026-11-24T10:00:00Z", "t")


def test_batch_style_post_with_only_id_and_text():
    post = coerce_raw_post({"id": 7, "text": "mantul"}, now_ms=1764000000000)
    assert post["post_id"] == "7" and post["platform"] == "unknown" and post["created_at"] == 1764000000000


@pytest.mark.parametrize("changes,kind", [
    ({"author": {"id": "a", "followers": float("inf")}}, "wrong_type"),
    ({"engagement": {"likes": 2 ** 64}}, "wrong_type"),
    ({"created_at": float("inf")}, "invalid_timestamp"),
    ({"created_at": -(2 ** 70)}, "invalid_timestamp"),
])
def test_non_finite_and_out_of_range_numbers(changes, kind):
    assert kind_of(json.dumps(dict(json.loads(json_post()), **changes)).encode()) == kind
