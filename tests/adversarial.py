"""The adversarial corpus (``tests/data/adversarial_posts.jsonl``) as Kafka messages.

Each line of the data file is one kind of bad, odd or hostile message: how to build it from a
valid post (fields to set or delete, the wire format, byte-level mutations of the JSON text or
the Avro body, or the raw bytes), and what it must become: ``indexed`` (with the ``repairs`` it
must carry) or ``dead:<error_kind>``.
"""
from __future__ import annotations

import codecs
import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.core.codec import WIRE_HEADER
from transforms.io.publish import encode_post

CORPUS = Path(__file__).parent / "data" / "adversarial_posts.jsonl"
BASE_MS = 1795514400000  # 2026-11-24T10:00:00Z


@dataclass
class Case:
    """One message of the corpus and its expected outcome."""
    kind: str
    expect: str  # indexed | dead:<error_kind>
    key: bytes
    value: bytes | None
    post_id: str | None  # the post_id of the document, when it is indexed
    repairs: list[str] = field(default_factory=list)

    @property
    def indexed(self) -> bool:
        return self.expect == "indexed"

    @property
    def dead_kind(self) -> str | None:
        return None if self.indexed else self.expect.split(":", 1)[1]


def base_post(kind: str) -> dict[str, Any]:
    return {
        "platform": "x", "post_id": f"adv-{kind}",
        "author": {"id": "a-adv", "handle": "@warga_semarang", "display_name": "Warga", "followers": 10,
                   "verified": False},
        "text": "Banjir lagi di Semarang, jalan Pemuda terendam #banjir", "created_at": BASE_MS,
        "collected_at": BASE_MS + 5000,
        "engagement": {"likes": 1, "replies": 0, "reposts": 0, "quotes": 0, "views": None},
    }


def _set(post: dict[str, Any], path: str, value: Any) -> None:
    target = post
    *outer, last = path.split(".")
    for name in outer:
        target = target.setdefault(name, {})
    target[last] = value


def _bytes(spec: str) -> bytes:
    """Text with ``\\xNN`` escapes as the bytes it stands for."""
    return codecs.escape_decode(spec.encode("utf-8"))[0]


def build(entry: dict[str, Any]) -> Case:
    kind = entry["kind"]
    post = base_post(kind)
    for path, value in (entry.get("set") or {}).items():
        _set(post, path, copy.deepcopy(value))
    for name in entry.get("delete") or []:
        post.pop(name, None)
    if "extras_keys" in entry:
        post["extras"] = {f"k{i}": "v" for i in range(entry["extras_keys"])}
    if "repeat" in entry:
        post[entry["repeat"]["field"]] = entry["repeat"]["unit"] * entry["repeat"]["times"]
    if "nest" in entry:
        post[entry["nest"]["field"]] = "NEST"
    wire = entry.get("wire", "json")
    value: bytes | None
    if wire == "tombstone":
        value = None
    elif wire == "raw":
        value = bytes.fromhex(entry["payload_hex"]) if "payload_hex" in entry else entry["payload_text"].encode()
    elif wire in ("avro", "avro_v1"):
        value = encode_post(post, "avro", 1 if wire == "avro_v1" else 2)
        mutation = entry.get("avro") or {}
        if mutation.get("truncate_to_half"):
            value = value[: len(value) // 2]
        if "schema_id" in mutation:
            value = WIRE_HEADER.pack(0, mutation["schema_id"]) + value[WIRE_HEADER.size:]
        if "append_hex" in mutation:
            value += bytes.fromhex(mutation["append_hex"])
        if "replace_hex" in mutation:
            old, new = (bytes.fromhex(h) for h in mutation["replace_hex"])
            assert old in value, kind
            value = value.replace(old, new, 1)
    else:
        value = json.dumps(post, ensure_ascii=True).encode()
        if wire == "json_bom":
            value = b"\xef\xbb\xbf" + value
        if wire == "json_raw_replace":
            old, new = entry["replace"]
            assert old.encode() in value, kind
            value = value.replace(old.encode(), _bytes(new), 1)
        if "nest" in entry:
            depth = entry["nest"]["depth"]
            value = value.replace(b'"NEST"', b'{"a":' * depth + b"1" + b"}" * depth)
    indexed_id = post.get("post_id") if entry["expect"] == "indexed" else None
    return Case(kind, entry["expect"], f"adv-{kind}".encode(), value, indexed_id, list(entry.get("repairs") or []))


def load_cases() -> list[Case]:
    with open(CORPUS, encoding="ascii") as f:
        return [build(json.loads(line)) for line in f if line.strip()]
