"""The decode, validate and normalize stages in a TestPipeline (no servers needed)."""
import json

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.factories import POST_V2
from transforms.io.kafka_source import KafkaRecord
from transforms.io.publish import encode_post
from transforms.stages.decode import DecodePosts
from transforms.stages.enrich import apply_enrichment, model_input
from transforms.stages.normalize import NormalizePosts
from transforms.stages.validate import ValidatePosts


def record(offset, value):
    return KafkaRecord("posts", 0, offset, b"k", value, 1764000000000)


def fresh(post_id, **changes):
    import time
    now = int(time.time() * 1000)
    return dict(POST_V2, post_id=str(post_id), created_at=now - 60000, collected_at=now, **changes)


def test_good_and_bad_messages_split_into_documents_and_dead_letters():
    records = [
        record(0, encode_post(fresh(1), "json")),
        record(1, encode_post(fresh(2), "avro")),
        record(2, encode_post(fresh(3), "avro", schema_id=1)),
        record(3, b"\x00\x00\x00\x10\x00garbage"),  # unknown schema id 4096
        record(4, json.dumps(fresh(5, text="x" * 50)).encode()),  # too long for the limit below
        record(5, b"\xff\xfe not a post"),
    ]
    with TestPipeline() as p:
        posts, decode_dead = p | beam.Create(records) | "DecodePosts" >> DecodePosts()
        posts, validate_dead = posts | "ValidatePosts" >> ValidatePosts(max_text_chars=40)
        docs, normalize_dead = posts | "NormalizePosts" >> NormalizePosts()
        assert_that(docs | beam.Map(lambda d: (d["doc_id"], d["source_offset"])),
                    equal_to([("x:1", 0), ("x:2", 1), ("x:3", 2)]), label="Docs")
        letters = ((decode_dead, validate_dead) | beam.Flatten()
                   | beam.Map(lambda d: (d["offset"], d["stage"], d["error_kind"])))
        assert_that(letters, equal_to([(3, "decode", "avro_unknown_schema_id"),
                                       (4, "validate", "text_too_long"),
                                       (5, "decode", "unknown_format")]), label="DeadLetters")
        assert_that(normalize_dead, equal_to([]), label="NoNormalizeFailures")


def test_dead_letter_keeps_the_original_bytes():
    bad = b"\x00\x00\x00\x00\x63\x01\x02"
    with TestPipeline() as p:
        _, dead = p | beam.Create([record(7, bad)]) | DecodePosts()
        assert_that(dead | beam.Map(lambda d: (d["payload"], d["key"], d["topic"])),
                    equal_to([(bad, b"k", "posts")]))


def test_model_input_and_apply_enrichment():
    doc = {"text_clean": "banjir lagi", "title": "Jakarta", "lang_hint": "id", "language": None}
    assert model_input(doc) == {"text": "Jakarta\nbanjir lagi", "lang_hint": "id"}
    out = apply_enrichment(doc, {"language": {"code": "id"}, "unrelated": 1})
    assert out["language"] == {"code": "id"} and "unrelated" not in out and doc["language"] is None
