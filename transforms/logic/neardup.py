"""Near-duplicate signatures: a 64-bit SimHash of the normalized text plus LSH band keys.

Coordinated amplification ("buzzer" campaigns) posts the same message from many accounts with
small edits: a typo, an emoji, two words swapped, a different @mention. The signature is built
so that such copies keep (almost) the same fingerprint while posts on the same topic written
independently do not.

* **Normalization** (:func:`normalize_for_signature`): case and accent folding; URLs, @mentions,
  digits, emoji and punctuation removed (the word of a #hashtag is kept); letters repeated three
  or more times collapsed to one (``bangeeet`` -> ``banget``, ``siiih`` -> ``sih``).
* **Features** (:func:`shingles`): the character trigrams of each word, with the word's
  boundaries marked (``<makan>`` -> ``<ma``, ``mak``, ``aka``, ``kan``, ``an>``), counted. A
  typo changes at most three of a word's trigrams, a swap of two words changes nothing, and
  emoji, numbers and @mentions are gone before: the edits buzzer copies use cost few bits.
  Word unigrams, word bigrams, trigrams and whole-text character n-grams were measured too: all
  were noisier for short posts (a 64-bit SimHash over ~20 features flips many bits per change).
* **SimHash** (:func:`simhash`): each feature is hashed to 64 bits (BLAKE2b: stable across
  processes and machines, unlike ``hash()``); bit *i* of the fingerprint is 1 when the weighted
  features with bit *i* set outweigh those without. Formatted as 16 lower-case hex digits.
* **Near-duplicate**: :func:`similar` with ``MAX_BITS`` = 8.
* **LSH bands** (:func:`bands`): the 64 bits cut into ``BANDS`` = 6 bands (11, 11, 11, 11, 10,
  10 bits). Two fingerprints at Hamming distance *d* <= 5 always share a band (pigeonhole);
  larger distances still often do. Band keys are ``"<band index>:<hex>"`` (e.g. ``"3:1a7"``) so
  equal bits at different positions stay different keys.

  Measured on the synthetic data of ``tests/unit/test_neardup.py`` (40 copies of one message
  with 1-3 edits each: typo, added emoji, swapped words, an @mention; 200 posts on the same topic
  from 10 templates with random fillers; campaign copies also carry the topic's hashtag)::

      bands x bits   campaign pairs     copies sharing   organic pairs    organic posts sharing
                     sharing a band     with the origin  sharing a band   a band with the campaign
      4 x 16         0.83               0.90             0.009            0.00
      6 x 10-11      0.99               1.00             0.060            0.085   <- chosen
      8 x 8          1.00               1.00             0.21             0.29

      distance <= MAX_BITS (8): campaign pairs 0.99, organic pairs 0.004 (identical fillers)
      Hamming distance: campaign pairs median 3, max 10; organic pairs 1st percentile 11, median 24

  6 bands keep almost the whole campaign under one band key (which is what the monitoring job
  groups on), and a band shared by chance is cheap to discard by checking the real distance
  with :func:`similar` on the few candidates.
* **Cluster**: ``near_dup.cluster`` is left ``None`` here. A cluster id needs the other posts
  (which band keys are shared, by how many distinct authors, in which window) and so cannot be
  computed per post without shared state; the monitoring job assigns it from Elasticsearch
  aggregations over ``near_dup.bands`` (one deterministic choice there: the smallest band key of
  the group).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from hashlib import blake2b
from typing import Any

import numpy as np

from transforms.logic.text import MENTION_RE, URL_RE

__all__ = ["BANDS", "MAX_BITS", "normalize_for_signature", "shingles", "simhash", "bands",
           "hamming", "similar", "signature", "near_dup_for_doc"]

BITS = 64
BANDS = 6
MAX_BITS = 8  # pairs within this many bits are near-duplicates (see the module docstring)

_WORD_RE = re.compile(r"[^\W\d_]+")
_REPEAT_RE = re.compile(r"([^\W\d_])\1{2,}")


def normalize_for_signature(text: str) -> list[str]:
    """The words a signature is built from (see the module docstring)."""
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _REPEAT_RE.sub(r"\1", text)
    return _WORD_RE.findall(text)  # letters only: digits, emoji, punctuation and '#' are gone


def shingles(words: Sequence[str]) -> Counter:
    """Weighted features: the boundary-marked character trigrams of every word."""
    return Counter([marked[i:i + 3] for word in words for marked in (f"<{word}>",)
                    for i in range(len(marked) - 2)])


@lru_cache(maxsize=1 << 16)
def _hash64(feature: str) -> int:
    return int.from_bytes(blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(features: Counter | Iterable[str]) -> int:
    """The 64-bit SimHash of weighted features (0 when there are none)."""
    if not isinstance(features, Counter):
        features = Counter(features)
    if not features:
        return 0
    hashes = np.fromiter(map(_hash64, features), dtype=np.uint64, count=len(features))
    weights = np.fromiter(features.values(), dtype=np.int64, count=len(features))
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8)).reshape(-1, BITS)  # most significant first
    totals = 2 * (weights @ bits) - weights.sum()  # per bit: weight of features with it set minus without
    return int(np.packbits(totals > 0).view(">u8")[0])


def _as_int(fingerprint: int | str) -> int:
    return int(fingerprint, 16) if isinstance(fingerprint, str) else fingerprint


def to_hex(fingerprint: int) -> str:
    """16 lower-case hex digits."""
    return f"{fingerprint:016x}"


def bands(fingerprint: int | str, n_bands: int = BANDS) -> list[str]:
    """LSH band keys ``"<index>:<hex>"``: the fingerprint cut into ``n_bands`` bit ranges
    (most significant first; widths differ by at most one bit when 64 is not a multiple)."""
    value = _as_int(fingerprint)
    keys, start = [], BITS
    for index in range(n_bands):
        width = BITS // n_bands + (1 if index < BITS % n_bands else 0)
        start -= width
        part = (value >> start) & ((1 << width) - 1)
        keys.append(f"{index}:{part:0{(width + 3) // 4}x}")
    return keys


def hamming(a: int | str, b: int | str) -> int:
    """Number of differing bits between two fingerprints (ints or hex strings)."""
    return (_as_int(a) ^ _as_int(b)).bit_count()


def similar(a: int | str, b: int | str, max_bits: int = MAX_BITS) -> bool:
    """Whether two fingerprints are within ``max_bits`` bits of each other."""
    return hamming(a, b) <= max_bits


def signature(text: str, n_bands: int = BANDS) -> dict[str, Any] | None:
    """``{"simhash", "bands", "cluster"}`` for a text, or None when it has no words."""
    words = normalize_for_signature(text)
    if not words:
        return None
    value = simhash(shingles(words))
    return {"simhash": to_hex(value), "bands": bands(value, n_bands), "cluster": None}


def near_dup_for_doc(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The ``near_dup`` field of a document, from ``text_clean`` (the title is not used: copies
    of a message rarely share one, and headlines would make news items about one event look
    alike)."""
    return signature(doc.get("text_clean") or doc.get("text") or "")
