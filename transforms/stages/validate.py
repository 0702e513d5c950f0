"""Stage: validate decoded posts against pantau's rules beyond the schema."""
from __future__ import annotations

import time
from typing import Any

from transforms.core.stage import Stage, StageError, StageFn
from transforms.stages.decode import SourcedPost

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


def validate_post(item: SourcedPost, max_text_chars: int) -> SourcedPost:
    """The post when it breaks no rule; StageError naming every broken rule otherwise."""
    errors = validation_errors(item.post, max_text_chars)
    if errors:
        raise StageError(errors[0][0], "; ".join(m for _, m in errors))
    return item


class ValidatePostFn(StageFn):
    """Passes valid SourcedPosts on."""

    STAGE = STAGE

    def __init__(self, max_text_chars: int = 20000):
        self.max_text_chars = max_text_chars

    def apply(self, item: SourcedPost) -> SourcedPost:
        return validate_post(item, self.max_text_chars)


class ValidatePosts(Stage):
    """Applies :func:`validation_errors` to every post; returns (posts, dead letters)."""

    def __init__(self, max_text_chars: int = 20000):
        super().__init__(ValidatePostFn(max_text_chars), "Validate")
