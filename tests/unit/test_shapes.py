"""One definition of the EnrichedPost shape (schemas/avro/enriched_post.avsc): the document the
stages build, the Elasticsearch mapping and the Avro schema agree field by field."""
import json

import schemas
from tests.factories import POST_V2
from transforms.core.codec import coerce_raw_post
from transforms.io.es_sink import es_document
from transforms.stages.enrich import ENRICHED_FIELDS
from transforms.stages.normalize import normalize_post


def test_the_normalized_document_has_exactly_the_avro_fields():
    doc = normalize_post(coerce_raw_post(POST_V2), b"{}", "t", 0, 1, now_ms=5)
    assert set(doc) == set(schemas.enriched_post_defaults())


def test_defaults_are_not_shared_between_documents():
    a = normalize_post(coerce_raw_post(POST_V2), b"{}", now_ms=5)
    a["entities"].append("x")
    assert normalize_post(coerce_raw_post(POST_V2), b"{}", now_ms=5)["entities"] == []


def test_the_elasticsearch_mapping_covers_every_indexed_field():
    template = json.loads((schemas.ES_DIR / "posts_template.json").read_text())
    mapped = set(template.get("mappings", template.get("template", {}).get("mappings", {}))["properties"])
    doc = es_document(normalize_post(coerce_raw_post(POST_V2), b"{}", "t", 0, 1, now_ms=5))
    assert set(doc) <= mapped
    # derived: location from geo when the post has coordinates, mention_location from places_mentioned
    assert mapped - set(doc) <= {"location", "mention_location"}


def test_enrichment_sets_only_avro_fields():
    assert set(ENRICHED_FIELDS) <= set(schemas.enriched_post_defaults())
