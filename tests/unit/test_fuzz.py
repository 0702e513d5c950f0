"""Property-based fuzzing: no input makes a decoder or normalizer raise anything but DecodeError."""
import json

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas
from tests.factories import POST_V2
from transforms.core.codec import DecodeError, SchemaResolver, coerce_raw_post
from transforms.core.deadletter import unencodable_reason
from transforms.io.publish import encode_post
from transforms.stages.decode import decode_payload
from transforms.stages.normalize import (
    clean_text,
    extract_emojis,
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalize_post,
)
from transforms.stages.validate import validation_errors

RESOLVER = SchemaResolver()
READER = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))
AVRO = encode_post(POST_V2, "avro")
pytestmark = pytest.mark.slow
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# hypothesis' default text never holds surrogates; collectors' output does (half an emoji), and
# control, format and combining characters, non-Latin scripts and noncharacters too
WILD_CHARS = (st.characters(exclude_categories=())  # every category, surrogates (Cs) included
              | st.sampled_from(["\ud83d", "\ude22", "\x00", "\x85", "\u202e", "\u200d", "\ufeff",
                                 "\u0301", "\uffff", "\ua9a7", "\u1b98", "\u0628"]))
wild_text = st.text(WILD_CHARS, max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | wild_text
    | st.sampled_from([float("inf"), -float("inf"), 2 ** 64, -(2 ** 70), 1e300]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


def decode_or_decode_error(payload: bytes):
    try:
        post, _, _ = decode_payload(payload, RESOLVER, READER, 1 << 20)
    except DecodeError as e:
        assert e.kind and e.message
        return None
    validation_errors(post, 20000)
    doc = normalize_post(post, payload)
    assert unencodable_reason(doc) is None  # Beam's coder takes it
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # and so does the ES client
    return post


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(payload):
    decode_or_decode_error(payload)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bodies_behind_a_valid_avro_header(body):
    decode_or_decode_error(AVRO[:5] + body)


@FUZZ
@given(st.integers(0, len(AVRO)), st.integers(0, 255))
def test_flipped_and_truncated_avro(cut, byte):
    mutated = bytearray(AVRO)
    if cut < len(mutated):
        mutated[cut] = byte
    decode_or_decode_error(bytes(mutated[: max(cut, 6)]))


@FUZZ
@given(st.dictionaries(st.sampled_from(list(POST_V2) + ["id", "junk"]), json_values, max_size=12))
def test_arbitrary_json_objects(obj):
    decode_or_decode_error(json.dumps(obj).encode())


@FUZZ
@given(st.dictionaries(st.sampled_from(list(POST_V2)), json_values, max_size=6))
def test_valid_post_with_fields_replaced(changes):
    post = dict(json.loads(encode_post(POST_V2, "json")), **changes)
    decode_or_decode_error(json.dumps(post).encode())


@FUZZ
@given(st.text(max_size=300))
def test_text_functions_never_raise(text):
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    for extract in (extract_urls, extract_mentions, extract_hashtags, extract_emojis):
        assert isinstance(extract(text), list)


@FUZZ
@given(st.text(max_size=200), st.text(max_size=40))
def test_batch_posts_with_any_text_and_id(text, post_id):
    try:
        post = coerce_raw_post({"id": post_id, "text": text}, now_ms=1795514400000)
    except DecodeError:
        return
    normalize_post(post, text.encode("utf-8", "surrogatepass"))


nested = st.fixed_dictionaries({}, optional={
    "author": st.dictionaries(st.sampled_from(["id", "handle", "display_name", "followers", "verified"]),
                              json_values, max_size=5),
    "engagement": st.dictionaries(st.sampled_from(["likes", "replies", "reposts", "quotes", "views"]),
                                  json_values, max_size=5),
    "geo": st.dictionaries(st.sampled_from(["lat", "lon", "place", "country_code"]), json_values, max_size=4),
    "created_at": json_values, "collected_at": json_values, "hashtags": json_values, "extras": json_values,
})


@FUZZ
@given(nested)
def test_nested_fields_of_any_type(changes):
    post = dict(json.loads(encode_post(POST_V2, "json")), **changes)
    decode_or_decode_error(json.dumps(post).encode())


string_fields = st.fixed_dictionaries({}, optional={
    "text": wild_text, "title": wild_text, "url": wild_text, "reply_to": wild_text, "lang_hint": wild_text,
    "post_id": wild_text, "platform": wild_text,
    "author": st.fixed_dictionaries({"id": wild_text}, optional={"handle": wild_text, "display_name": wild_text}),
    "hashtags": st.lists(wild_text, max_size=3), "mentions": st.lists(wild_text, max_size=3),
    "extras": st.dictionaries(wild_text, wild_text, max_size=3),
})


@FUZZ
@given(string_fields, st.booleans())
def test_any_unicode_in_any_string_field(changes, ascii_escaped):
    """Escaped (``\\ud83d``) or raw UTF-8, every string of a post decodes to valid Unicode or is
    a DecodeError; raw UTF-8 cannot carry a surrogate, so those lines encode with surrogatepass."""
    post = dict(json.loads(encode_post(POST_V2, "json")), **changes)
    text = json.dumps(post, ensure_ascii=ascii_escaped)
    decode_or_decode_error(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(wild_text)
def test_text_functions_take_wild_text(text):
    for extract in (extract_urls, extract_mentions, extract_hashtags, extract_emojis):
        assert isinstance(extract(text), list)
    clean_text(text)
