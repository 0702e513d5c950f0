"""Stage: keyed pseudonymization of authors and mentioned accounts (UU PDP 2022 deployments).

With a secret key (env ``PANTAU_PSEUDONYM_KEY`` or the file named by
``PANTAU_PSEUDONYM_KEY_FILE``), every author id and handle, and every @mention in the text and the
mention list, is replaced by an HMAC-SHA256 pseudonym right before the document is written to
Elasticsearch (after enrichment and tagging, which run in memory on the clear text so that NER
and ``@account`` watchlist queries keep working):

* ``author.id``  -> ``pid_<16 hex>``, keyed on ``platform:id``;
* handles and mentions -> ``u_<12 hex>``, keyed on the lower-cased handle, so an account's
  mentions and its own posts share one pseudonym and KOL rankings, reply graphs and coordination
  detection keep working on pseudonyms;
* ``author.display_name`` is dropped; the raw payload kept in the document is dropped too (it
  holds the identifiers in clear).

Accounts in an allowlist (institutions, media, public officials' official accounts) keep their
handles. Trade-offs, documented for deployers: the same key must be used across the whole
deployment (rotating it splits every author's history in two); whoever holds the key can
re-identify by recomputing pseudonyms of known handles, so the key is a secret of the same rank
as the raw data; names of people written in the text (not as @mentions) are not pseudonymized,
and the dead-letter topic keeps raw payloads for replay, so it must be access-controlled and
kept only briefly, like the input topic.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from transforms.core.stage import Stage, StageFn
from transforms.io.clients import read_secret
from transforms.logic.text import MENTION_RE

STAGE = "pseudonymize"
KEY_ENV = "PANTAU_PSEUDONYM_KEY"


class Pseudonymizer:
    """Keyed, deterministic pseudonyms for account identifiers."""

    def __init__(self, key: bytes, allowlist: Iterable[str] = ()):
        if len(key) < 16:
            raise ValueError("the pseudonymization key must be at least 16 bytes")
        self._key = key
        self.allowlist = {h.lower().lstrip("@") for h in allowlist}

    def _digest(self, value: str, n: int) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:n]

    def author_id(self, platform: str, author_id: str) -> str:
        return f"pid_{self._digest(f'{platform}:{author_id}', 16)}"

    def handle(self, handle: str) -> str:
        bare = handle.lstrip("@").lower()
        if not bare or bare in self.allowlist:
            return bare
        return f"u_{self._digest(bare, 12)}"

    def text(self, text: str) -> str:
        """The text with every @mention replaced by its pseudonym."""
        return MENTION_RE.sub(lambda m: "@" + self.handle(m.group(1)), text)

    def document(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A copy of an EnrichedPost document with identifiers pseudonymized."""
        out = dict(doc)
        author = dict(doc["author"])
        allowed = (author.get("handle") or "").lower() in self.allowlist
        if not allowed:
            author["id"] = self.author_id(doc["platform"], author["id"])
            author["display_name"] = None
        if author.get("handle"):
            author["handle"] = self.handle(author["handle"])
        out["author"] = author
        out["mentions"] = [self.handle(m) for m in doc.get("mentions") or []]
        out["text"] = self.text(doc["text"])
        out["text_clean"] = self.text(doc["text_clean"])
        if doc.get("title"):
            out["title"] = self.text(doc["title"])
        out["raw"] = ""
        return out


class PseudonymizePostFn(StageFn):
    """Applies :class:`Pseudonymizer` to each document."""

    STAGE = STAGE

    def __init__(self, key_env: str = KEY_ENV, allowlist: tuple[str, ...] = ()):
        self.key_env = key_env  # the key itself never enters the pipeline graph
        self.allowlist = allowlist

    def setup(self) -> None:
        key = read_secret(self.key_env)
        if not key:
            raise RuntimeError(f"pseudonymization is on but {self.key_env} (or {self.key_env}_FILE) is not set")
        self._pseudonymizer = Pseudonymizer(key.encode("utf-8"), self.allowlist)

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self._pseudonymizer.document(doc)


class PseudonymizePosts(Stage):
    """Pseudonymizes documents; returns (documents, dead letters)."""

    def __init__(self, key_env: str = KEY_ENV, allowlist: tuple[str, ...] = ()):
        super().__init__(PseudonymizePostFn(key_env, allowlist), "Pseudonymize")
