"""Index naming, bulk actions and the item classification of the Elasticsearch sink."""
import pytest

from transforms.io.es_sink import EsConfig, bulk_action, classify_item, es_document, index_for, template_body

CONFIG = EsConfig(url="http://127.0.0.1:9200", index_prefix="posts", alias="posts-all")


def test_monthly_index_by_created_at_utc():
    assert index_for("posts", 1764547199000) == "posts-2025.11"  # 2025-11-30T23:59:59Z
    assert index_for("posts", 1764547200000) == "posts-2025.12"


def test_bulk_action_is_versioned_by_collected_at():
    doc = {"doc_id": "x:1", "created_at": 1764547200000, "collected_at": 1764547201234,
           "geo": {"lat": -6.2, "lon": 106.8}, "raw": "{}"}
    action = bulk_action(doc, CONFIG, now_ms=99)
    assert action["_id"] == "x:1" and action["_index"] == "posts-2025.12"
    assert action["version"] == 1764547201234 and action["version_type"] == "external"
    assert action["_source"]["location"] == {"lat": -6.2, "lon": 106.8}
    assert action["_source"]["indexed_at"] == 99
    assert "indexed_at" not in doc


def test_document_without_geo_has_no_location():
    assert "location" not in es_document({"geo": None})


@pytest.mark.parametrize("status,verdict", [
    (200, "ok"), (201, "ok"), (409, "duplicate"), (429, "retry"), (500, "retry"), (503, "retry"),
    ("N/A", "retry"), (None, "retry"), (400, "reject"), (404, "reject"), (413, "reject")])
def test_item_classification(status, verdict):
    assert classify_item(status) == verdict


def test_template_covers_prefix_and_alias():
    body = template_body(CONFIG)
    assert body["index_patterns"] == ["posts-*"]
    assert body["template"]["aliases"] == {"posts-all": {}}
    props = body["template"]["mappings"]["properties"]
    assert props["text"]["analyzer"] == "indonesian"
    assert props["entities"]["type"] == "nested" and props["location"]["type"] == "geo_point"
    assert props["raw"]["index"] is False
