"""Canonical schemas of pantau: Avro records and the Elasticsearch index template.

The folder ``avro/`` doubles as a local schema registry: ``registry.json`` maps the numeric
schema ids used in the Confluent wire format to schema files, and lists every version of
each subject in order, oldest first.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

AVRO_DIR = Path(__file__).parent / "avro"
ES_DIR = Path(__file__).parent / "elasticsearch"

RAW_POST_SUBJECT = "pantau.RawPost"
DEAD_LETTER_SUBJECT = "pantau.DeadLetter"
ENRICHED_POST_SUBJECT = "pantau.EnrichedPost"


@functools.cache
def registry(schema_dir: str = str(AVRO_DIR)) -> dict[str, Any]:
    """The local registry index of a schema folder."""
    with open(Path(schema_dir) / "registry.json", encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def load_schema_file(path: str) -> dict[str, Any]:
    """An Avro schema as JSON (not yet parsed by fastavro)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def schema_by_id(schema_id: int, schema_dir: str = str(AVRO_DIR)) -> dict[str, Any]:
    """The schema registered under ``schema_id`` in a local schema folder; KeyError if none."""
    name = registry(schema_dir)["ids"][str(schema_id)]
    return load_schema_file(str(Path(schema_dir) / name))


def subject_versions(subject: str, schema_dir: str = str(AVRO_DIR)) -> list[int]:
    """Schema ids of every version of a subject, oldest first."""
    return list(registry(schema_dir)["subjects"][subject])


def latest_id(subject: str, schema_dir: str = str(AVRO_DIR)) -> int:
    """The newest schema id of a subject."""
    return subject_versions(subject, schema_dir)[-1]


def index_template() -> dict[str, Any]:
    """The Elasticsearch composable index template body for post indices."""
    return load_schema_file(str(ES_DIR / "posts_template.json"))


def enriched_post_defaults() -> dict[str, Any]:
    """Every field of the EnrichedPost document with its Avro default (None where it has none):
    the one definition of the document's shape. ``normalize_post`` starts from it; the
    Elasticsearch template is checked against it in the tests."""
    import copy
    schema = schema_by_id(latest_id(ENRICHED_POST_SUBJECT))
    return {f["name"]: copy.deepcopy(f.get("default")) for f in schema["fields"]}
