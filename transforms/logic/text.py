"""Text patterns shared by normalization, watchlists, near-duplicates and pseudonymization.

Pure functions, no Beam: URLs, @mentions, #hashtags and emoji as pantau recognises them in
posts, and the cleaned text (NFKC, no control characters, white space folded).
"""
from __future__ import annotations

import re
import unicodedata

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
