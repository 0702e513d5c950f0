"""The adversarial corpus through the pure layers (decode, validate, normalize), no servers:
every kind ends as the document or the dead letter the data says, and every document can be
encoded by Beam's coder and serialized for Elasticsearch."""
import json
from collections import Counter

import fastavro
import pytest

import schemas
from tests.adversarial import load_cases
from transforms.core.codec import DecodeError, SchemaResolver
from transforms.core.deadletter import unencodable_reason
from transforms.io.es_sink import EsConfig, bulk_action
from transforms.stages.decode import decode_payload
from transforms.stages.normalize import normalize_post
from transforms.stages.validate import validation_errors

CASES = load_cases()
RESOLVER = SchemaResolver()
READER = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))


def outcome(case):
    """(indexed | dead:<kind>, the document or None)."""
    if case.value is None or len(case.value) == 0:
        return "dead:empty_message", None
    try:
        post, _, repairs = decode_payload(case.value, RESOLVER, READER, 1024 * 1024)
    except DecodeError as e:
        return f"dead:{e.kind}", None
    errors = validation_errors(post, 20000, now_ms=1795514400000 + 3600_000)
    if errors:
        return f"dead:{errors[0][0]}", None
    return "indexed", normalize_post(post, case.value, "t", 0, 1, repairs=repairs)


def test_the_corpus_is_large_and_covers_both_wire_formats_and_both_outcomes():
    assert len(CASES) >= 40 and len({c.kind for c in CASES}) == len(CASES)
    assert sum(c.indexed for c in CASES) >= 20 and sum(not c.indexed for c in CASES) >= 20
    assert Counter(c.kind.startswith("avro") for c in CASES)[True] >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_each_kind_ends_as_the_data_says(case):
    result, doc = outcome(case)
    assert result == case.expect
    if doc is not None:
        assert doc["post_id"] == case.post_id
        assert sorted(doc["repairs"]) == sorted(case.repairs)
        assert unencodable_reason(doc) is None
        json.dumps(bulk_action(doc, EsConfig(url="http://unused")), ensure_ascii=False).encode("utf-8")
