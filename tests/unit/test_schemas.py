"""Avro schemas: parse, round-trip, and the BACKWARD_TRANSITIVE rule between versions."""
import copy
import json

import fastavro
import pytest

import schemas
from schemas.compat import check_backward_transitive, incompatibilities
from tests.factories import POST_V2
from transforms.core.codec import SchemaResolver, decode_confluent, encode_confluent, parsed_schema


@pytest.mark.parametrize("name", ["raw_post.v1", "raw_post.v2", "enriched_post", "dead_letter"])
def test_schema_files_parse(name):
    fastavro.parse_schema(json.loads((schemas.AVRO_DIR / f"{name}.avsc").read_text()))


def test_registry_ids_point_at_files():
    reg = schemas.registry()
    for schema_id in reg["ids"]:
        assert schemas.schema_by_id(int(schema_id))["type"] == "record"
    assert reg["compatibility"] == "BACKWARD_TRANSITIVE"


def test_raw_post_versions_are_backward_transitive():
    assert check_backward_transitive(schemas.RAW_POST_SUBJECT) == []


def test_checker_rejects_a_new_required_field():
    v2 = schemas.schema_by_id(2)
    v3 = copy.deepcopy(v2)
    v3["fields"].append({"name": "sentiment_hint", "type": "string"})
    assert incompatibilities(v3, v2) == ["/sentiment_hint: new field without a default"]


def test_checker_rejects_a_narrowed_type():
    v2 = schemas.schema_by_id(2)
    v3 = copy.deepcopy(v2)
    for f in v3["fields"]:
        if f["name"] == "text":
            f["type"] = "int"
    assert any("string cannot be read as int" in p for p in incompatibilities(v3, v2))


def test_v1_and_v2_producers_both_decode_with_the_newest_reader():
    resolver = SchemaResolver()
    _, reader = parsed_schema(schemas.RAW_POST_SUBJECT)
    v1 = fastavro.parse_schema(schemas.schema_by_id(1))
    v1_record = {k: v for k, v in POST_V2.items() if k != "title"}
    from_v1 = decode_confluent(encode_confluent(v1_record, v1, 1), resolver, reader)
    assert from_v1["title"] is None and from_v1["text"] == POST_V2["text"]
    v2 = fastavro.parse_schema(schemas.schema_by_id(2))
    from_v2 = decode_confluent(encode_confluent(POST_V2, v2, 2), resolver, reader)
    assert from_v2["title"] == "Pasar"
    assert from_v2["geo"]["place"] == "Jakarta"


def test_enriched_and_dead_letter_round_trip():
    import time
    _, dl_schema = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    letter = {"payload": b"\x00\x01", "key": None, "error_kind": "avro_truncated", "message": "m",
              "stage": "decode", "topic": "t", "partition": 0, "offset": 5, "failed_at": int(time.time() * 1000)}
    back = decode_confluent(encode_confluent(letter, dl_schema, 3), SchemaResolver(), dl_schema)
    assert back["payload"] == b"\x00\x01" and back["offset"] == 5
