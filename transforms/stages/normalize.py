"""Stage: normalize a decoded RawPost into the EnrichedPost document shape.

The original text is kept as it came; ``text_clean`` is its NFKC form with control characters
removed and white space folded. URLs, @mentions, #hashtags and emoji found in the text are
merged with what the platform gave (hashtags and mentions lower-cased, without the sigil).
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import schemas
from transforms.core.deadletter import raw_payload_text
from transforms.core.stage import Stage, StageFn
from transforms.logic.text import clean_text, extract_emojis, extract_hashtags, extract_mentions, extract_urls
from transforms.stages.decode import SourcedPost

STAGE = "normalize"
_DEFAULTS = schemas.enriched_post_defaults()

def _merge(given: Iterable[str], extracted: Iterable[str], sigil: str = "") -> list[str]:
    seen: dict[str, None] = {}
    for item in list(given) + list(extracted):
        item = item.strip()
        if sigil:
            item = item.lstrip(sigil).lower()
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def doc_id(platform: str, post_id: str) -> str:
    """The document id: ``platform:post_id``, platform lower-cased."""
    return f"{platform.strip().lower()}:{post_id.strip()}"


def normalize_post(post: dict[str, Any], payload: bytes, topic: str | None = None,
                   partition: int | None = None, offset: int | None = None,
                   now_ms: int | None = None, repairs: Iterable[str] = ()) -> dict[str, Any]:
    """The EnrichedPost document for a valid RawPost, before enrichment.

    ``repairs`` is what the decoder repaired (``lone_surrogate:text``, ``dropped_invalid_geo:geo``),
    recorded on the document."""
    text = post["text"]
    clean = clean_text(text)
    platform = post["platform"].strip().lower()
    author = dict(post["author"])
    if author.get("handle"):
        author["handle"] = author["handle"].lstrip("@")
    # every field of the document, those set later (enrichment, tagging) at their Avro default
    doc = {k: v.copy() if isinstance(v, (list, dict)) else v for k, v in _DEFAULTS.items()}
    doc.update({
        "doc_id": doc_id(platform, post["post_id"]),
        "platform": platform,
        "post_id": post["post_id"].strip(),
        "author": author,
        "text": text,
        "text_clean": clean,
        "title": clean_text(post["title"]) if post.get("title") else None,
        "created_at": post["created_at"],
        "collected_at": post["collected_at"],
        "processed_at": int(time.time() * 1000) if now_ms is None else now_ms,
        "url": post.get("url"),
        "reply_to": post.get("reply_to"),
        "repost_of": post.get("repost_of"),
        "quote_of": post.get("quote_of"),
        "engagement": dict(post["engagement"]),
        "hashtags": _merge(post.get("hashtags") or [], extract_hashtags(clean), "#"),
        "mentions": _merge(post.get("mentions") or [], extract_mentions(clean), "@"),
        "urls": _merge(post.get("urls") or [], extract_urls(clean)),
        "emojis": extract_emojis(clean),
        "geo": post.get("geo"),
        "lang_hint": (post.get("lang_hint") or None),
        "repairs": list(repairs),
        "extras": dict(post.get("extras") or {}),
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "raw": raw_payload_text(payload),
    })
    return doc


class NormalizePostFn(StageFn):
    """SourcedPost -> EnrichedPost dict (not yet enriched)."""

    STAGE = STAGE

    def apply(self, item: SourcedPost) -> dict[str, Any]:
        return normalize_post(item.post, item.payload, item.topic, item.partition, item.offset,
                              repairs=item.repairs)


class NormalizePosts(Stage):
    """Normalizes SourcedPosts into documents; returns (documents, dead letters)."""

    def __init__(self):
        super().__init__(NormalizePostFn(), "Normalize")
