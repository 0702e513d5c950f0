"""Stage: normalize a decoded RawPost into the EnrichedPost document shape.

The original text is kept as it came; ``text_clean`` is its NFKC form with control characters
removed and white space folded. URLs, @mentions, #hashtags and emoji found in the text are
merged with what the platform gave (hashtags and mentions lower-cased, without the sigil).
"""
from __future__ import annotations

import re
import time
import unicodedata
from typing import Any, Iterable, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.deadletter import (DEAD_LETTER_TAG, DeadLetterCounter, dead_letter,
                                   guard_outputs, raw_payload_text)
from transforms.decode import SourcedPost
from transforms.metrics import instrument

STAGE = "normalize"

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?)")
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w{1,100})", re.UNICODE)
_TRAILING_PUNCT = ".,;:!?)]}'\"…"
_SPACE_RE = re.compile(r"\s+")
_EMOJI_CLASS = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF"
# one emoji: a pictograph with its modifiers, joined by ZWJ to further pictographs
EMOJI_RE = re.compile(f"[{_EMOJI_CLASS}][\ufe0f\ufe0e\U0001F3FB-\U0001F3FF]*"
                      f"(?:\u200d[{_EMOJI_CLASS}][\ufe0f\ufe0e\U0001F3FB-\U0001F3FF]*)*")
# control (Cc) and format (Cf) characters, except tab/newline and the zero-width joiner of emoji
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e"
                         "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                         "\ufff9-\ufffb]")


def clean_text(text: str) -> str:
    """NFKC, no control characters, white space folded to single spaces, trimmed."""
    text = _CONTROL_RE.sub(" ", unicodedata.normalize("NFKC", text))
    return _SPACE_RE.sub(" ", text).strip()


def extract_urls(text: str) -> list[str]:
    """URLs in order of appearance, without trailing punctuation."""
    return [m.group(0).rstrip(_TRAILING_PUNCT) for m in URL_RE.finditer(text)]


def extract_mentions(text: str) -> list[str]:
    """@handles, lower-cased, without the @ (e-mail addresses are not mentions)."""
    return [m.group(1).lower().rstrip(".") for m in MENTION_RE.finditer(URL_RE.sub(" ", text))]


def extract_hashtags(text: str) -> list[str]:
    """#hashtags, lower-cased, without the #; pure numbers (#1) are not hashtags."""
    return [m.group(1).lower() for m in HASHTAG_RE.finditer(URL_RE.sub(" ", text))
            if not m.group(1).isdigit()]


def extract_emojis(text: str) -> list[str]:
    """Emoji in order, ZWJ sequences and skin-tone/variation modifiers kept together."""
    return EMOJI_RE.findall(text)


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
    return {
        "doc_id": doc_id(platform, post["post_id"]),
        "platform": platform,
        "post_id": post["post_id"].strip(),
        "author": author,
        "text": text,
        "text_clean": clean,
        "text_normalized": None,
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
        "language": None,
        "sentiment": None,
        "entities": [],
        "enrichment_skipped": [],
        "repairs": list(repairs),
        "issues": [],
        "influence": None,
        "near_dup": None,
        "coordination": None,
        "extras": dict(post.get("extras") or {}),
        "source_topic": topic,
        "source_partition": partition,
        "source_offset": offset,
        "raw": raw_payload_text(payload),
    }


class NormalizePostFn(beam.DoFn):
    """SourcedPost -> EnrichedPost dict (not yet enriched)."""

    def __init__(self):
        self.normalized = Metrics.counter("pantau.normalize", "records_out")
        self.dead = DeadLetterCounter(STAGE)

    @instrument(STAGE)
    @guard_outputs(STAGE)
    def process(self, item: SourcedPost) -> Iterator[Any]:
        try:
            doc = normalize_post(item.post, item.payload, item.topic, item.partition, item.offset,
                                 repairs=item.repairs)
        except Exception as e:  # unexpected input shape: dead letter, never a crash
            self.dead.inc("normalize_error")
            yield pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter(
                item.payload, item.key, "normalize_error", f"{type(e).__name__}: {e}", STAGE,
                item.topic, item.partition, item.offset))
            return
        self.normalized.inc()
        yield doc


class NormalizePosts(beam.PTransform):
    """Normalizes SourcedPosts into documents; main and ``dead_letter`` outputs."""

    def expand(self, posts):
        return posts | "Normalize" >> beam.ParDo(NormalizePostFn()).with_outputs(
            DEAD_LETTER_TAG, main="docs")
