"""Stage: validate decoded posts against pantau's rules beyond the schema."""
from __future__ import annotations

import time
from typing import Any, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.decode import SourcedPost
from transforms.deadletter import DEAD_LETTER_TAG, DeadLetterCounter, dead_letter, guard_outputs
from transforms.metrics import instrument

STAGE = "validate"
DAY_MS = 24 * 3600 * 1000
EARLIEST_MS = 946684800000  # 2000-01-01T00:00:00Z: older posts are bad data
MAX_ID_BYTES = 512  # Elasticsearch refuses longer _id values


def validation_errors(post: dict[str, Any], max_text_chars: int, max_future_ms: int = DAY_MS,
                      now_ms: int | None = None) -> list[tuple[str, str]]:
    """(kind, message) for every rule a RawPost breaks; empty when it is valid."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    errors: list[tuple[str, str]] = []
    if not post.get("platform", "").strip():
        errors.append(("missing_field", "platform is empty"))
    if not post.get("post_id", "").strip():
        errors.append(("missing_field", "post_id is empty"))
    if not post.get("author", {}).get("id", "").strip():
        errors.append(("missing_field", "author.id is empty"))
    id_bytes = len(post.get("platform", "").encode("utf-8")) + 1 + len(post.get("post_id", "").encode("utf-8"))
    if id_bytes > MAX_ID_BYTES:
        errors.append(("id_too_long", f"the document id platform:post_id has {id_bytes} bytes; "
                                      f"Elasticsearch allows {MAX_ID_BYTES}"))
    text = post.get("text") or ""
    if not text.strip() and not (post.get("title") or "").strip():
        errors.append(("empty_text", "post has neither text nor title"))
    if len(text) > max_text_chars:
        errors.append(("text_too_long", f"text has {len(text)} characters, the limit is {max_text_chars}"))
    for field in ("created_at", "collected_at"):
        ts = post.get(field)
        if ts is None:
            errors.append(("missing_field", f"{field} is missing"))
        elif ts < EARLIEST_MS:
            errors.append(("timestamp_out_of_range", f"{field}={ts} is before 2000-01-01"))
        elif ts > now_ms + max_future_ms:
            errors.append(("timestamp_out_of_range",
                           f"{field}={ts} is more than {max_future_ms // 1000}s in the future"))
    return errors


class ValidatePostFn(beam.DoFn):
    """Passes valid SourcedPosts on; the others become dead letters naming every broken rule."""

    def __init__(self, max_text_chars: int = 20000):
        self.max_text_chars = max_text_chars
        self.valid = Metrics.counter("pantau.validate", "records_out")
        self.dead = DeadLetterCounter(STAGE)

    @instrument(STAGE)
    @guard_outputs(STAGE)
    def process(self, item: SourcedPost) -> Iterator[Any]:
        errors = validation_errors(item.post, self.max_text_chars)
        if not errors:
            self.valid.inc()
            yield item
            return
        kind = errors[0][0]
        self.dead.inc(kind)
        yield pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter(
            item.payload, item.key, kind, "; ".join(m for _, m in errors), STAGE,
            item.topic, item.partition, item.offset))


class ValidatePosts(beam.PTransform):
    """Applies :func:`validation_errors` to every post."""

    def __init__(self, max_text_chars: int = 20000):
        super().__init__()
        self.fn = ValidatePostFn(max_text_chars)

    def expand(self, posts):
        return posts | "Validate" >> beam.ParDo(self.fn).with_outputs(DEAD_LETTER_TAG, main="posts")
