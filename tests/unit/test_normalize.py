"""Normalization of text and posts, and the rules of validation."""
from tests.factories import POST_V2
from transforms.stages.normalize import (
    clean_text,
    doc_id,
    extract_emojis,
    extract_hashtags,
    extract_mentions,
    extract_urls,
    normalize_post,
)
from transforms.stages.validate import validation_errors


def test_clean_text_nfkc_controls_and_spaces():
    assert clean_text("  Ｈａｒｇａ\u200b  BBM\n\n naik\x07 ") == "Harga BBM naik"


def test_extract_entities_from_text():
    text = "Cek https://kompas.id/a/b?x=1, kata @Kemenkeu_RI & @pln_123. #BBMNaik #1 email: a@b.co"
    assert extract_urls(text) == ["https://kompas.id/a/b?x=1"]
    assert extract_mentions(text) == ["kemenkeu_ri", "pln_123"]
    assert extract_hashtags(text) == ["bbmnaik"]


def test_extract_emojis_keeps_sequences():
    found = extract_emojis("mantul 👍🏽 parah 😡😡 keluarga 👨‍👩‍👧")
    assert found == ["👍🏽", "😡", "😡", "👨‍👩‍👧"]


def test_normalize_post_merges_platform_and_text_fields():
    post = dict(POST_V2, text="Cabai mahal #Cabai #Inflasi @BPS_Statistics", hashtags=["#cabai"],
                mentions=["@bps_statistics"])
    doc = normalize_post(post, b"{}", "t", 1, 42, now_ms=5)
    assert doc["doc_id"] == "x:1"
    assert doc["hashtags"] == ["cabai", "inflasi"]
    assert doc["mentions"] == ["bps_statistics"]
    assert doc["text"] == post["text"] and doc["raw"] == "{}"
    assert (doc["source_topic"], doc["source_partition"], doc["source_offset"]) == ("t", 1, 42)


def test_doc_id_is_stable():
    assert doc_id(" X ", " 123 ") == "x:123"


def test_validation_rules():
    now = 1764000000000
    assert validation_errors(POST_V2, 100, now_ms=now) == []
    kinds = [k for k, _ in validation_errors(dict(POST_V2, text="a" * 101), 100, now_ms=now)]
    assert kinds == ["text_too_long"]
    future = dict(POST_V2, created_at=now + 3 * 86400000)
    assert [k for k, _ in validation_errors(future, 100, now_ms=now)] == ["timestamp_out_of_range"]
    ancient = dict(POST_V2, collected_at=0)
    assert [k for k, _ in validation_errors(ancient, 100, now_ms=now)] == ["timestamp_out_of_range"]
    empty = dict(POST_V2, text=" ", title=None)
    assert [k for k, _ in validation_errors(empty, 100, now_ms=now)] == ["empty_text"]


def test_normalized_document_matches_the_enriched_post_schema():
    import fastavro
    from fastavro.validation import validate

    import schemas
    schema = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.ENRICHED_POST_SUBJECT)))
    doc = normalize_post(dict(POST_V2, text="Cabai mahal 😡 #Cabai"), b"{}", "t", 0, 1, now_ms=5)
    assert validate(doc, schema, raise_errors=True)
