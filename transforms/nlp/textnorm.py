"""Normalization of Indonesian social-media text for use as model input.

Every function here is pure: it takes a string and returns a new string (or
list of tokens); the caller's original text is never modified.

The pipeline (:func:`normalize`) is:

1. Unicode NFKC (full-width letters, ligatures, superscript digits ...).
2. URLs dropped (or replaced by ``url_token``), ``@mentions`` dropped (or
   replaced by ``mention_token``), ``#hashtags`` split into words
   (``#BanjirJakarta`` -> ``banjir jakarta``).
3. Tokenization into words, emoji (kept: they carry sentiment) and punctuation.
4. Lower-casing, elongation collapse (``bangeeet`` -> ``banget``), repeated
   laughter (``wkwkwkwk`` -> ``wkwk``), reduplication (``anak2`` -> ``anak-anak``).
5. For Indonesian / Malay / undetermined text only: the project's slang and
   abbreviation list (``data/slang_id.tsv``), e.g. ``gak`` -> ``tidak``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = [
    "SLANG_LANGUAGES",
    "load_slang",
    "nfkc",
    "split_hashtag",
    "collapse_elongation",
    "expand_reduplication",
    "tokenize",
    "clean_tokens",
    "apply_slang",
    "normalize",
    "NEGATORS",
    "mark_negation",
    "is_emoji",
]

_DATA_DIR = Path(__file__).resolve().parent / "data"

#: Languages the Indonesian slang list is applied to.
SLANG_LANGUAGES: frozenset[str] = frozenset({"id", "ms", "und"})

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9.-]*\.(?:com|id|net|org|ly|io|co|me|tv|info|gov|ac|sch)(?:\.[a-z]{2})?(?:/\S*)?",
    re.IGNORECASE,
)
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Emoji and pictographs: each becomes its own token.
_EMOJI_CLASS = (
    "\U0001F000-\U0001FAFF"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27BF"  # misc symbols, dingbats
    "\u2B00-\u2BFF"  # arrows, stars
    "\u2300-\u23FF"  # misc technical (hourglass, watch)
    "\u3030\u303D\u3297\u3299"
)
_EMOJI_RE = re.compile(f"[{_EMOJI_CLASS}]")
_TOKEN_RE = re.compile(
    # emoticons first, then emoji, words (with inner hyphen / apostrophe), punctuation runs
    r"(?::-?[()DPp]|;-?\)|<3)"
    f"|[{_EMOJI_CLASS}]"
    r"|[^\W_]+(?:[-'][^\W_]+)*"
    r"|([^\w\s])\1*",
)
_ELONG_RE = re.compile(r"([^\W\d_])\1{2,}")
_REPEAT_SYLLABLE_RE = re.compile(r"([^\W\d_]{2})\1{2,}")
_REDUP_RE = re.compile(r"^([^\W\d_]{2,})2$")
_SKIN_AND_JOINERS = re.compile("[\u200d\ufe0f\ufe0e\U0001F3FB-\U0001F3FF]")

# Words that legitimately keep a double letter after an elongation is collapsed.
_DOUBLE_WORDS: frozenset[str] = frozenset(
    """maaf saat taat manfaat jumaat sejumlaah kaaba saad
    good food cool free need feel see too look book soon all will well still full call happy sorry
    little off miss boss pass less kiss coffee sweet meet keep week three agree guarantee
    allah too zoom google apple hello""".split()
)


@lru_cache(maxsize=1)
def load_slang(path: str | None = None) -> dict[str, str]:
    """Load the slang list (``informal<TAB>normal`` lines, ``#`` comments)."""
    file = Path(path) if path else _DATA_DIR / "slang_id.tsv"
    table: dict[str, str] = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        key, value = key.strip().lower(), value.strip()
        if key and value and key not in table:
            table[key] = value
    return table


def nfkc(text: str) -> str:
    """Return the NFKC form of ``text`` with zero-width joiners / skin tones removed."""
    return _SKIN_AND_JOINERS.sub("", unicodedata.normalize("NFKC", text))


def is_emoji(token: str) -> bool:
    """True when ``token`` is a single emoji / pictograph character."""
    return len(token) == 1 and _EMOJI_RE.match(token) is not None


def split_hashtag(tag: str) -> str:
    """Split a hashtag body into lower-case words.

    ``"BanjirJakarta"`` -> ``"banjir jakarta"``, ``"Pilpres2024"`` -> ``"pilpres 2024"``,
    ``"KPK"`` -> ``"kpk"``; an all-lower-case tag is returned lower-cased as one word.
    """
    tag = tag.lstrip("#").replace("_", " ")
    parts = []
    for chunk in tag.split():
        pieces = _CAMEL_RE.findall(chunk)
        parts.extend(pieces if pieces else [chunk])
    return " ".join(p.lower() for p in parts)


def collapse_elongation(word: str) -> str:
    """Collapse letters repeated three or more times (``bangeeet`` -> ``banget``).

    A double letter is kept where the word needs it (``maaaaf`` -> ``maaf``,
    ``kebersamaaan`` -> ``kebersamaan``). Repeated laughter syllables are cut to two
    (``wkwkwkwk`` -> ``wkwk``).
    """
    if len(word) < 3:
        return word
    word = _REPEAT_SYLLABLE_RE.sub(r"\1\1", word)
    if not _ELONG_RE.search(word):
        return word
    double = _ELONG_RE.sub(r"\1\1", word)
    lower = double.lower()
    if lower in _DOUBLE_WORDS or (len(lower) >= 7 and lower.endswith("aan")):
        return double
    return _ELONG_RE.sub(r"\1", word)


def expand_reduplication(word: str) -> str:
    """Expand number-2 reduplication: ``anak2`` -> ``anak-anak`` (``k212``, ``ke2`` untouched)."""
    m = _REDUP_RE.match(word)
    if m and len(m.group(1)) >= 3:
        base = m.group(1)
        return f"{base}-{base}"
    return word


def tokenize(text: str) -> list[str]:
    """Split already-cleaned text into word, emoji, emoticon and punctuation tokens."""
    return [m.group(0) for m in _TOKEN_RE.finditer(text)]


_URL_SENTINEL = "qqurlqq"
_MENTION_SENTINEL = "qqmentionqq"


def _strip_markup(text: str, url_token: str, mention_token: str) -> str:
    text = _URL_RE.sub(f" {_URL_SENTINEL} " if url_token else " ", text)
    text = _MENTION_RE.sub(f" {_MENTION_SENTINEL} " if mention_token else " ", text)
    return _HASHTAG_RE.sub(lambda m: " " + split_hashtag(m.group(1)) + " ", text)


def clean_tokens(
    text: str,
    *,
    url_token: str = "",
    mention_token: str = "",
    lowercase: bool = True,
    max_chars: int | None = None,
) -> list[str]:
    """Language-independent normalization (steps 1-4), returned as tokens.

    ``max_chars`` truncates the input before any processing (for very long posts).
    """
    if not text:
        return []
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    text = _strip_markup(nfkc(text), url_token, mention_token)
    out: list[str] = []
    cache = _TOKEN_CACHE if lowercase else {}
    if len(cache) > 200_000:
        cache.clear()
    for tok in tokenize(text):
        done = cache.get(tok)
        if done is None:
            done = _clean_token(tok, lowercase)
            cache[tok] = done
        if done == _URL_SENTINEL:
            if url_token:
                out.append(url_token)
        elif done == _MENTION_SENTINEL:
            if mention_token:
                out.append(mention_token)
        else:
            out.append(done)
    return out


_TOKEN_CACHE: dict[str, str] = {}  # raw token -> cleaned lower-case token (pure function, bounded)


def _clean_token(tok: str, lowercase: bool) -> str:
    if lowercase:
        tok = tok.lower()
    if tok[0].isalpha():
        return expand_reduplication(collapse_elongation(tok))
    if len(tok) > 1 and not tok[0].isalnum() and len(set(tok)) == 1:
        return tok[0]  # "!!!!" -> "!"
    return tok


def apply_slang(tokens: list[str], table: dict[str, str] | None = None) -> list[str]:
    """Replace informal tokens by their normal form (also inside ``x-y`` words)."""
    table = load_slang() if table is None else table
    out: list[str] = []
    for tok in tokens:
        rep = table.get(tok)
        if rep is not None:
            out.append(rep)
        elif "-" in tok:
            out.append("-".join(table.get(p, p) for p in tok.split("-")))
        else:
            out.append(tok)
    return out


def normalize(
    text: str,
    lang: str = "id",
    *,
    url_token: str = "",
    mention_token: str = "",
    lowercase: bool = True,
    max_chars: int | None = None,
) -> str:
    """Return the normalized form of ``text`` used as model input.

    The slang list is applied only when ``lang`` is in :data:`SLANG_LANGUAGES`.

    >>> normalize("Gak nyangka bangeeet, anak2 pada seneng 😍 #LiburanSekolah https://t.co/x")
    'tidak nyangka banget , anak-anak pada senang 😍 liburan sekolah'
    """
    tokens = clean_tokens(
        text, url_token=url_token, mention_token=mention_token, lowercase=lowercase, max_chars=max_chars
    )
    if lang in SLANG_LANGUAGES:
        tokens = apply_slang(tokens)
    return " ".join(tokens)


#: Negators whose scope (the next ``_NEG_SCOPE`` word tokens) is marked ``neg_<word>``.
NEGATORS: frozenset[str] = frozenset(
    "tidak tak bukan belum jangan kurang tdk gak ga nggak enggak not no never".split()
)
_NEG_SCOPE = 2


def mark_negation(text: str) -> str:
    """Prefix the two word tokens after a negator with ``neg_`` (punctuation ends the scope)."""
    out: list[str] = []
    k = 0
    for w in text.split():
        if w in NEGATORS:
            out.append(w)
            k = _NEG_SCOPE
        elif k and w[:1].isalnum():
            out.append("neg_" + w)
            k -= 1
        else:
            out.append(w)
            if not w[:1].isalnum():
                k = 0
    return " ".join(out)
