"""Valid text at the boundary: lone surrogates, invalid UTF-8 and the last-resort output guard."""
import json

import apache_beam as beam
import fastavro
import pytest
from apache_beam import pvalue
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

import schemas
from tests.integration.helpers import make_post
from transforms.core.codec import DecodeError, SchemaResolver, encode_confluent, parsed_schema
from transforms.core.deadletter import dead_letter, rebuilt_dead_letter, unencodable_reason
from transforms.core.stage import Stage, StageFn
from transforms.io.publish import encode_post
from transforms.stages.decode import decode_payload

RESOLVER = SchemaResolver()
READER = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))


def escaped(post: dict) -> bytes:
    """JSON as a collector writes it: ASCII, non-ASCII as \\u escapes (lone surrogates too)."""
    return json.dumps(post, ensure_ascii=True).encode()


def decode(payload: bytes):
    return decode_payload(payload, RESOLVER, READER, 1 << 20)


@pytest.mark.parametrize("where", ["text", "title", "url", "author.handle", "author.display_name",
                                   "hashtags", "mentions", "geo.place", "extras.value", "extras.key",
                                   "reply_to", "lang_hint"])
def test_a_lone_surrogate_becomes_u_fffd_and_is_recorded(where):
    post = make_post(1)
    post["geo"] = {"lat": 1.0, "lon": 2.0, "place": "Semarang"}
    cut = "Semarang capek \ud83d"
    if where == "extras.value":
        post["extras"] = {"caption": cut}
    elif where == "extras.key":
        post["extras"] = {cut: "v"}
    elif where in ("hashtags", "mentions"):
        post[where] = [cut]
    elif "." in where:
        outer, inner = where.split(".")
        post[outer][inner] = cut
    else:
        post[where] = cut
    record, fmt, repairs = decode(escaped(post))
    assert fmt == "json"
    assert repairs == ["lone_surrogate:" + (where.split(".")[0] if where.startswith("extras") else where)]
    assert "\ufffd" in json.dumps(record, ensure_ascii=False)
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # encodes now
    assert unencodable_reason(record) is None


def test_a_valid_surrogate_pair_escape_is_an_emoji_not_a_repair():
    record, _, repairs = decode(b'{"platform":"x","post_id":"1","author":{"id":"a"},'
                                b'"text":"banjir \\ud83d\\ude22","created_at":1795514400000}')
    assert record["text"] == "banjir 😢" and repairs == []


@pytest.mark.parametrize("field", ["post_id", "platform", "author.id"])
def test_a_lone_surrogate_in_an_identity_field_is_a_dead_letter(field):
    post = make_post(2)
    if field == "author.id":
        post["author"]["id"] = "akun\udc00"
    else:
        post[field] = "x\ud800"
    with pytest.raises(DecodeError) as e:
        decode(escaped(post))
    assert e.value.kind == "invalid_unicode" and field in e.value.message


def test_invalid_utf8_in_an_avro_string_is_invalid_utf8():
    avro = encode_post(make_post(3, text="MARK teks"), "avro")
    broken = avro.replace(b"MARK", b"\xed\xa0\xbd\x28")  # a UTF-8-encoded surrogate: invalid
    with pytest.raises(DecodeError) as e:
        decode(broken)
    assert e.value.kind == "invalid_utf8"


def test_a_dead_letter_quoting_a_surrogate_still_encodes():
    letter = dead_letter(b"\x00raw", b"k", "decoder_error", "KeyError: 'x\ud83d'", "decode", "t\udc00", 0, 1)
    schema_id, schema = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    encode_confluent(letter, schema, schema_id)
    assert "\ufffd" in letter["message"]


def test_a_broken_dead_letter_is_rebuilt_with_what_can_be_kept():
    letter = rebuilt_dead_letter({"payload": b"p", "key": "not bytes", "error_kind": "x", "offset": 7,
                                  "message": "m\ud800"}, "bad key", "tag")
    schema_id, schema = parsed_schema(schemas.DEAD_LETTER_SUBJECT)
    encode_confluent(letter, schema, schema_id)
    assert letter["payload"] == b"p" and letter["key"] is None and letter["offset"] == 7


class LeakyFn(StageFn):
    """A stage with a bug: it emits a string the runner's coder cannot encode."""

    STAGE = "leaky"

    def apply(self, doc):
        return dict(doc, text=doc["text"] + "\ud83d") if doc["post_id"] == "bad" else doc


def test_the_guard_turns_an_unencodable_output_into_a_dead_letter():
    outs = list(LeakyFn().process({"doc_id": "x:bad", "post_id": "bad", "text": "t", "raw": "{}"}))
    assert len(outs) == 1 and isinstance(outs[0], pvalue.TaggedOutput)
    assert outs[0].value["error_kind"] == "unencodable_record"
    assert outs[0].value["stage"] == "leaky" and outs[0].value["key"] == b"x:bad"


def test_an_unencodable_element_does_not_fail_a_pipeline():
    docs = [{"doc_id": f"x:{i}", "post_id": i, "text": "t", "raw": "{}"} for i in ("a", "bad", "b")]
    with TestPipeline() as p:
        good, dead = p | beam.Create(docs) | Stage(LeakyFn())
        # a downstream step makes the runner encode (and size-sample) every element
        assert_that(good | "Ids" >> beam.Map(lambda d: d["post_id"]), equal_to(["a", "b"]), label="docs")
        assert_that(dead | beam.Map(lambda l: (l["key"], l["error_kind"])),
                    equal_to([(b"x:bad", "unencodable_record")]), label="dead")
