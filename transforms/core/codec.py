"""Wire formats of posts and dead letters: Confluent-framed Avro and JSON.

Kafka messages carrying posts may be

* Avro in the Confluent wire format: one magic byte ``0``, a 4-byte big-endian schema id, then
  the Avro binary body written with that schema. The writer schema is resolved by id from a
  local schema folder (``schemas/avro/registry.json``) or from a Schema Registry URL, and the
  body is read into the newest ``RawPost`` schema (Avro schema resolution fills defaults for
  fields an older writer did not know);
* a JSON object with the same field names, where timestamps may be epoch milliseconds or
  ISO-8601 strings and any optional field may be missing.

Every failure raises :class:`DecodeError` with a short machine-readable ``kind`` that becomes
the dead letter's ``error_kind``.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import struct
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

import fastavro

import schemas
from transforms.core.errors import StageError

MAGIC_BYTE = 0
LOG = logging.getLogger(__name__)
WIRE_HEADER = struct.Struct(">bI")
_MAX_JSON_DEPTH = 64
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE_RE = re.compile(rb"\\u[dD][89a-fA-F]")  # JSON's only way to carry one
#: Fields that make the document id or name the author: a lone surrogate there is a dead letter
#: (replacing it could merge two different posts or accounts); anywhere else it becomes U+FFFD.
IDENTITY_FIELDS = ("platform", "post_id", "author.id")


class DecodeError(StageError):
    """A message that cannot become a valid post; ``kind`` names the reason."""


class SchemaResolver:
    """Finds writer schemas by id, in a local schema folder or a Confluent Schema Registry."""

    def __init__(self, schema_dir: str | None = None, registry_url: str | None = None,
                 fetch: Callable[[str], bytes] | None = None):
        self.schema_dir = schema_dir or str(schemas.AVRO_DIR)
        self.registry_url = registry_url.rstrip("/") if registry_url else None
        self._fetch = fetch or _http_get
        self._parsed: dict[int, Any] = {}
        self._lock = threading.Lock()

    def writer_schema(self, schema_id: int) -> Any:
        """The parsed schema registered under ``schema_id``; DecodeError if unknown."""
        parsed = self._parsed.get(schema_id)
        if parsed is not None:
            return parsed
        with self._lock:
            if schema_id not in self._parsed:
                self._parsed[schema_id] = fastavro.parse_schema(self._lookup(schema_id))
            return self._parsed[schema_id]

    def _lookup(self, schema_id: int) -> dict[str, Any]:
        if self.registry_url:
            return self._lookup_registry(schema_id)
        try:
            return schemas.schema_by_id(schema_id, self.schema_dir)
        except KeyError:
            raise DecodeError("avro_unknown_schema_id",
                              f"schema id {schema_id} is not in {self.schema_dir}/registry.json")

    def _lookup_registry(self, schema_id: int, max_wait_s: float = 300.0) -> dict[str, Any]:
        """A 404 means the id is unknown (a dead letter); an unreachable registry is waited for
        with capped backoff, blocking the stream rather than dead-lettering good messages."""
        import urllib.error
        url = f"{self.registry_url}/schemas/ids/{schema_id}"
        delay, deadline = 0.5, time.monotonic() + max_wait_s
        while True:
            try:
                return json.loads(json.loads(self._fetch(url))["schema"])
            except urllib.error.HTTPError as e:
                if e.code in (401, 403):  # credentials refused: wait (they may be rotated), never dead-letter
                    LOG.error("schema registry %s refused the credentials (%d); retrying", self.registry_url, e.code)
                elif 400 <= e.code < 500:
                    raise DecodeError("avro_unknown_schema_id",
                                      f"schema id {schema_id} not found in the registry ({e.code})") from e
                failure: Exception = e
            except (KeyError, TypeError, ValueError) as e:
                raise DecodeError("avro_unknown_schema_id",
                                  f"registry answer for schema id {schema_id} is malformed: {e}") from e
            except OSError as e:
                failure = e
            if time.monotonic() > deadline:
                raise RuntimeError(f"schema registry {self.registry_url} unreachable: {failure}")
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def _http_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (configured URL)
        return resp.read()


def parsed_schema(subject: str, schema_dir: str | None = None) -> tuple[int, Any]:
    """(id, parsed schema) of the newest version of a subject in a local schema folder."""
    folder = schema_dir or str(schemas.AVRO_DIR)
    schema_id = schemas.latest_id(subject, folder)
    return schema_id, fastavro.parse_schema(schemas.schema_by_id(schema_id, folder))


def encode_confluent(record: Mapping[str, Any], schema: Any, schema_id: int) -> bytes:
    """Avro-encode ``record`` behind the Confluent wire header."""
    buf = io.BytesIO()
    buf.write(WIRE_HEADER.pack(MAGIC_BYTE, schema_id))
    fastavro.schemaless_writer(buf, schema, dict(record))
    return buf.getvalue()


def is_confluent_avro(payload: bytes) -> bool:
    """True when the payload starts with the Confluent magic byte (JSON never does)."""
    return len(payload) > 0 and payload[0] == MAGIC_BYTE


def decode_confluent(payload: bytes, resolver: SchemaResolver, reader_schema: Any) -> dict[str, Any]:
    """Decode a Confluent-framed Avro message into a record of ``reader_schema``."""
    if len(payload) <= WIRE_HEADER.size:
        raise DecodeError("avro_truncated", f"message of {len(payload)} bytes has no Avro body")
    _, schema_id = WIRE_HEADER.unpack_from(payload)
    writer = resolver.writer_schema(schema_id)
    body = io.BytesIO(payload[WIRE_HEADER.size:])
    try:
        record = fastavro.schemaless_reader(body, writer, reader_schema)
    except EOFError as e:
        raise DecodeError("avro_truncated", f"Avro body ends early (schema id {schema_id})") from e
    except UnicodeDecodeError as e:
        raise DecodeError("invalid_utf8", f"an Avro string is not valid UTF-8 (schema id {schema_id}): "
                                          f"{e.reason} at byte {e.start}") from e
    except fastavro.read.SchemaResolutionError as e:
        raise DecodeError("avro_incompatible_schema",
                          f"schema id {schema_id} cannot be read as {reader_schema['name']}: {e}") from e
    except Exception as e:  # corrupt varints, bad union index, invalid UTF-8 in a string
        raise DecodeError("avro_corrupt", f"cannot decode Avro body (schema id {schema_id}): {e}") from e
    if body.tell() != len(payload) - WIRE_HEADER.size:
        raise DecodeError("avro_trailing_bytes",
                          f"{len(payload) - WIRE_HEADER.size - body.tell()} bytes left after the record")
    return record


def _json_depth_ok(payload: bytes) -> bool:
    depth = deepest = 0
    in_str = escaped = False
    for ch in payload:
        if in_str:
            if escaped:
                escaped = False
            elif ch == 0x5C:
                escaped = True
            elif ch == 0x22:
                in_str = False
        elif ch == 0x22:
            in_str = True
        elif ch in (0x7B, 0x5B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > _MAX_JSON_DEPTH:
                return False
        elif ch in (0x7D, 0x5D):
            depth -= 1
    return True


def may_hold_surrogates(payload: bytes) -> bool:
    """Whether a JSON payload has a ``\\uD800``-``\\uDFFF`` escape (cheap pre-check)."""
    return _ESCAPED_SURROGATE_RE.search(payload) is not None


def decode_json(payload: bytes) -> dict[str, Any]:
    """Parse a JSON post and coerce it to the newest RawPost record shape."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("invalid_utf8", f"JSON message is not valid UTF-8 at byte {e.start}") from e
    if not _json_depth_ok(payload):
        raise DecodeError("json_too_deep", f"JSON nests deeper than {_MAX_JSON_DEPTH} levels")
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise DecodeError("invalid_json", f"not valid JSON: {e}") from e
    if not isinstance(obj, dict):
        raise DecodeError("invalid_json", f"expected a JSON object, got {type(obj).__name__}")
    return coerce_raw_post(obj)


# --- coercion of loosely typed input (JSON, the `pantau enrich` batch command) -------------

def _str(v: Any, field: str, required: bool = False) -> str | None:
    if v is None:
        if required:
            raise DecodeError("missing_field", f"required field '{field}' is missing")
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise DecodeError("wrong_type", f"field '{field}' must be a string, got {type(v).__name__}")
    return v


def _int(v: Any, field: str, default: int | None = 0) -> int | None:
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise DecodeError("wrong_type", f"field '{field}' must be an integer, got {type(v).__name__}")
    try:
        n = int(v)
    except (ValueError, OverflowError) as e:
        raise DecodeError("wrong_type", f"field '{field}' must be an integer, got {v!r}") from e
    if not -(2 ** 63) <= n < 2 ** 63:
        raise DecodeError("wrong_type", f"field '{field}' is out of the 64-bit integer range")
    return n


def to_epoch_millis(v: Any, field: str) -> int:
    """Epoch milliseconds from epoch ms/seconds (number) or an ISO-8601 string."""
    if isinstance(v, bool):
        raise DecodeError("wrong_type", f"field '{field}' must be a timestamp, got a boolean")
    if isinstance(v, (int, float)):
        if v != v or v in (float("inf"), float("-inf")) or abs(v) >= 2 ** 62:
            raise DecodeError("invalid_timestamp", f"field '{field}' is not a usable timestamp: {v!r}")
        # numbers below 10^11 are taken as seconds (10^11 ms is 1973; 10^11 s is year 5138)
        return int(v * 1000) if abs(v) < 1e11 else int(v)
    if isinstance(v, str):
        s = v.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            t = dt.datetime.fromisoformat(s)
        except ValueError as e:
            raise DecodeError("invalid_timestamp", f"field '{field}' is not ISO-8601: {v!r}") from e
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return int(t.timestamp() * 1000)
    if v is None:
        raise DecodeError("missing_field", f"required field '{field}' is missing")
    raise DecodeError("wrong_type", f"field '{field}' must be a timestamp, got {type(v).__name__}")


def _str_list(v: Any, field: str) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise DecodeError("wrong_type", f"field '{field}' must be a list of strings")
    return list(v)


def coerce_raw_post(obj: Mapping[str, Any], now_ms: int | None = None) -> dict[str, Any]:
    """A RawPost record (newest schema) from a JSON-like mapping, or DecodeError."""
    author = obj.get("author")
    if author is None:
        author = {}
    if not isinstance(author, dict):
        raise DecodeError("wrong_type", "field 'author' must be an object")
    eng = obj.get("engagement") or {}
    if not isinstance(eng, dict):
        raise DecodeError("wrong_type", "field 'engagement' must be an object")
    geo = obj.get("geo")
    if geo is not None:
        if not isinstance(geo, dict) or not all(isinstance(geo.get(k), (int, float)) for k in ("lat", "lon")):
            raise DecodeError("wrong_type", "field 'geo' must be an object with numeric lat and lon")
        geo = {"lat": float(geo["lat"]), "lon": float(geo["lon"]),
               "place": _str(geo.get("place"), "geo.place"),
               "country_code": _str(geo.get("country_code"), "geo.country_code")}
    extras = obj.get("extras") or {}
    if not isinstance(extras, dict):
        raise DecodeError("wrong_type", "field 'extras' must be an object")
    post_id = _str(obj.get("post_id", obj.get("id")), "post_id", required=True)
    created = obj.get("created_at")
    collected = obj.get("collected_at")
    if created is None and now_ms is None:
        raise DecodeError("missing_field", "required field 'created_at' is missing")
    created_ms = to_epoch_millis(created, "created_at") if created is not None else now_ms
    collected_ms = to_epoch_millis(collected, "collected_at") if collected is not None else (
        now_ms if now_ms is not None else created_ms)
    verified = author.get("verified", False)
    if not isinstance(verified, bool):
        raise DecodeError("wrong_type", "field 'author.verified' must be a boolean")
    return {
        "platform": _str(obj.get("platform"), "platform", required=now_ms is None) or "unknown",
        "post_id": post_id,
        "author": {
            "id": _str(author.get("id"), "author.id", required=now_ms is None) or "unknown",
            "handle": _str(author.get("handle"), "author.handle"),
            "display_name": _str(author.get("display_name"), "author.display_name"),
            "followers": _int(author.get("followers"), "author.followers", default=None),
            "verified": verified,
        },
        "text": _str(obj.get("text"), "text", required=True),
        "title": _str(obj.get("title"), "title"),
        "created_at": created_ms,
        "collected_at": collected_ms,
        "url": _str(obj.get("url"), "url"),
        "reply_to": _str(obj.get("reply_to"), "reply_to"),
        "repost_of": _str(obj.get("repost_of"), "repost_of"),
        "quote_of": _str(obj.get("quote_of"), "quote_of"),
        "engagement": {
            "likes": _int(eng.get("likes"), "engagement.likes"),
            "replies": _int(eng.get("replies"), "engagement.replies"),
            "reposts": _int(eng.get("reposts"), "engagement.reposts"),
            "quotes": _int(eng.get("quotes"), "engagement.quotes"),
            "views": _int(eng.get("views"), "engagement.views", default=None),
        },
        "hashtags": _str_list(obj.get("hashtags"), "hashtags"),
        "mentions": _str_list(obj.get("mentions"), "mentions"),
        "urls": _str_list(obj.get("urls"), "urls"),
        "geo": geo,
        "lang_hint": _str(obj.get("lang_hint"), "lang_hint"),
        "extras": {str(k): str(v) for k, v in extras.items()},
    }


def safe_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so that it encodes as UTF-8."""
    if text.isascii() or not _SURROGATE_RE.search(text):
        return text
    return _SURROGATE_RE.sub("\ufffd", text)


def _repair(value: Any, path: str, repaired: list[str]) -> Any:
    if isinstance(value, str):
        if value.isascii() or not _SURROGATE_RE.search(value):
            return value
        if path in IDENTITY_FIELDS:
            at = _SURROGATE_RE.search(value).start()
            raise DecodeError("invalid_unicode",
                              f"field '{path}' holds a lone surrogate U+{ord(value[at]):04X} at "
                              f"character {at} (an identity field is never altered)")
        if path not in repaired:
            repaired.append(path)
        return _SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_repair(k, path, repaired) if isinstance(k, str) else k:
                _repair(v, f"{path}.{k}" if path in ("author", "engagement", "geo") else path, repaired)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_repair(v, path, repaired) for v in value]
    return value


def repair_text(post: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(post, repaired fields): every string of a decoded RawPost made valid Unicode.

    JSON's ``\\ud83d`` escape (an emoji cut in half by a collector) and Avro strings read
    without strict UTF-8 checks can carry lone surrogates, which no UTF-8 encoder (Beam's
    coders, the Elasticsearch client, Kafka) accepts. They become U+FFFD and the field's path
    (``text``, ``author.handle``, ``extras``...) is returned, to be recorded in the document's
    ``repairs``; in an identity field (:data:`IDENTITY_FIELDS`) they raise ``invalid_unicode``.
    """
    repaired: list[str] = []
    out = {k: _repair(v, k, repaired) for k, v in post.items()}
    return out, repaired


def timestamps_from_avro(record: dict[str, Any]) -> dict[str, Any]:
    """fastavro returns timestamp-millis as datetimes; pantau keeps epoch milliseconds."""
    for field in ("created_at", "collected_at"):
        v = record.get(field)
        if isinstance(v, dt.datetime):
            record[field] = int(v.timestamp() * 1000)
    return record
