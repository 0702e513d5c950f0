"""Avro schema compatibility checks (the registry's BACKWARD_TRANSITIVE rule).

BACKWARD_TRANSITIVE: the newest schema of a subject can read data written with *every* earlier
version. A reader can read a writer when each reader field exists in the writer with a
readable type or has a default, and every writer type can be promoted to the reader's.
"""
from __future__ import annotations

from typing import Any

import schemas

_PROMOTIONS = {
    "int": {"int", "long", "float", "double"},
    "long": {"long", "float", "double"},
    "float": {"float", "double"},
    "string": {"string", "bytes"},
    "bytes": {"bytes", "string"},
}


def _kind(t: Any) -> str:
    if isinstance(t, list):
        return "union"
    if isinstance(t, dict):
        return t["type"] if t["type"] in ("record", "enum", "array", "map", "fixed") else t["type"]
    return t


def incompatibilities(reader: Any, writer: Any, path: str = "") -> list[str]:
    """Reasons the reader schema cannot read data of the writer schema (empty if it can)."""
    if isinstance(writer, list):
        return [p for w in writer for p in incompatibilities(reader, w, path)]
    if isinstance(reader, list):
        options = [incompatibilities(r, writer, path) for r in reader]
        return [] if any(not o for o in options) else [f"{path or '/'}: no union branch reads {_kind(writer)}"]
    rk, wk = _kind(reader), _kind(writer)
    if rk == "record" and wk == "record":
        problems = []
        wfields = {f["name"]: f for f in writer["fields"]}
        for f in reader["fields"]:
            if f["name"] in wfields:
                problems += incompatibilities(f["type"], wfields[f["name"]]["type"], f"{path}/{f['name']}")
            elif "default" not in f:
                problems.append(f"{path}/{f['name']}: new field without a default")
        return problems
    if rk == "array" and wk == "array":
        return incompatibilities(reader["items"], writer["items"], f"{path}[]")
    if rk == "map" and wk == "map":
        return incompatibilities(reader["values"], writer["values"], f"{path}{{}}")
    if rk == "enum" and wk == "enum":
        missing = set(writer["symbols"]) - set(reader["symbols"])
        return [] if not missing or "default" in reader else [f"{path}: enum lost symbols {sorted(missing)}"]
    if isinstance(reader, dict) and isinstance(writer, dict) and rk == wk:
        return []  # logical types over the same primitive, fixed of the same kind
    rp = reader["type"] if isinstance(reader, dict) else reader
    wp = writer["type"] if isinstance(writer, dict) else writer
    if rp in _PROMOTIONS.get(wp, {wp}):
        return []
    return [f"{path or '/'}: {wp} cannot be read as {rp}"]


def check_backward_transitive(subject: str, schema_dir: str = str(schemas.AVRO_DIR)) -> list[str]:
    """Problems that break BACKWARD_TRANSITIVE for a subject; empty when it holds."""
    ids = schemas.subject_versions(subject, schema_dir)
    problems = []
    for i, newer in enumerate(ids):
        reader = schemas.schema_by_id(newer, schema_dir)
        for older in ids[:i]:
            problems += [f"v{newer} reading v{older}: {p}"
                         for p in incompatibilities(reader, schemas.schema_by_id(older, schema_dir))]
    return problems
