"""Watchlists: issues defined by boolean queries in a YAML file, compiled into one matcher.

File format (``deploy/watchlists/issues.yaml``)::

    issues:
      - name: Semen Rembang                      # required, unique
        query: '("semen" AND rembang) OR #SaveKendeng OR "pabrik semen"'   # required
        languages: [id, jv]                      # optional: language.code must be one of these
        platforms: [x, tiktok]                   # optional: platform must be one of these
        description: free text                   # optional

Query language (case-insensitive, accent-folded: ``kafe`` matches ``Kafé``):

* ``word`` matches a whole token of the text; ``word*`` any token starting with ``word``
  (at least 2 characters before the ``*``). A bare term that the tokenizer splits
  (``covid-19``, ``12%``) is treated as the phrase of its tokens.
* ``"quoted phrase"`` matches consecutive tokens.
* ``#hashtag`` (``#hashtag*`` for a prefix) matches the post's hashtags (the platform's and
  those found in the text).
* ``@account`` matches the post's mentions or its author's handle.
* ``AND``, ``OR``, ``NOT`` (upper case; lower-case ``and``/``or``/``not`` are plain words),
  ``-term`` (= ``NOT term``), parentheses. Adjacent terms are joined by AND. Precedence:
  NOT binds tighter than AND, AND tighter than OR: ``a b OR c -d`` = ``(a AND b) OR (c AND NOT d)``.
* A query must need at least one of its terms to be present (``NOT spam`` alone is refused).

Text tokens come from the title, ``text_clean`` and (when enrichment ran) ``text_normalized``
(slang expanded, hashtags split into words): a term found in any of them counts. URLs and
@mentions are not words; the word of a ``#hashtag`` in the text is (``banjir`` matches "#banjir").

Matching cost does not grow with the number of issues: all terms of all issues are compiled
into dictionaries (token -> atom, n-gram -> atom, prefix -> atom, hashtag -> atom, handle ->
atom), the post's tokens are scanned once, and only the issues that own an atom that fired are
evaluated (inverted index atom -> issues). Because no query can match without one of its
atoms, skipping the others is exact.

Errors (:class:`WatchlistError`) name the file, the line of the offending value, the issue and
the position in the query. The file is data: editing it and restarting (or waiting for the tag
stage's periodic reload) changes the tagging without a code change.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from transforms.logic.text import MENTION_RE, URL_RE

__all__ = ["WatchlistError", "Issue", "Watchlist", "load_watchlist", "parse_query", "fold",
           "tokenize", "KNOWN_LANGUAGES"]

# ISO 639-1, the 639-3 codes of regional languages pantau's language id emits, and 'und'.
_ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu")
_REGIONAL = "ace ban bbc bjn bug mad min nij sas mak bew gor fil und"
KNOWN_LANGUAGES: frozenset[str] = frozenset((_ISO_639_1 + " " + _REGIONAL).split())
_LANGUAGE_ALIASES = {"in": "id", "jw": "jv", "iw": "he"}  # deprecated codes some platforms send
_ISSUE_KEYS = {"name", "query", "languages", "platforms", "description"}
_PLATFORM_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
_TOKEN_RE = re.compile(r"[^\W_]+")
_MIN_PREFIX = 2


class WatchlistError(ValueError):
    """An invalid watchlist: the message names the file, line, issue and the problem."""


class QueryError(ValueError):
    """An invalid query; ``position`` is the 1-based character where the problem is."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message if position is None else f"{message} (at character {position})")
        self.position = position


# ---------------------------------------------------------------- text

def fold(text: str) -> str:
    """Case- and accent-folded text: NFKC, case folding, combining marks removed."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[str]:
    """Folded word tokens of a text; URLs and @mentions are dropped, ``#tag`` gives ``tag``."""
    if "@" in text:
        text = MENTION_RE.sub(" ", text)
    if "://" in text or "www." in text:
        text = URL_RE.sub(" ", text)
    return _TOKEN_RE.findall(fold(text))


# ---------------------------------------------------------------- query parsing
# Atoms are tuples: ("w", token), ("w*", prefix), ("p", (tok, tok, ...)), ("#", tag),
# ("#*", prefix), ("@", handle). Expressions: ("atom", atom) | ("and", [..]) | ("or", [..]) |
# ("not", expr).

_LEX_RE = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|(?P<phrase>"[^"]*")|(?P<quote>")'
                     r'|(?P<neg>-)(?=[^\s)])|(?P<term>[^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})


def _lex(query: str) -> list[tuple[str, str, int]]:
    """(kind, text, 1-based position) tokens of a query."""
    out, pos = [], 0
    while pos < len(query):
        m = _LEX_RE.match(query, pos)
        kind = m.lastgroup
        if kind == "quote":
            raise QueryError('unterminated quote: a phrase opened with " is never closed', pos + 1)
        if kind is not None:
            text = m.group(kind)
            if kind == "term" and text in _OPERATORS:
                kind = text
            out.append((kind, text, pos + 1))
        pos = m.end()
    return out


def _atom(kind: str, text: str, position: int) -> tuple:
    """The atom for one query term."""
    if text.startswith("#"):
        body, prefix = (text[1:-1], True) if text.endswith("*") else (text[1:], False)
        tag = fold(body)
        if not re.fullmatch(r"[^\W]+", tag or "-"):
            raise QueryError(f"invalid hashtag {text!r}", position)
        if prefix and len(tag) < _MIN_PREFIX:
            raise QueryError(f"hashtag prefix {text!r} is too short", position)
        return ("#*", tag) if prefix else ("#", tag)
    if text.startswith("@"):
        handle = fold(text[1:]).rstrip(".")
        if not re.fullmatch(r"[a-z0-9_.]{1,50}", handle or "-"):
            raise QueryError(f"invalid account {text!r} (prefixes are not supported for accounts)",
                             position)
        return ("@", handle)
    if kind == "phrase":
        tokens = tuple(tokenize(text[1:-1]))
        if not tokens:
            raise QueryError(f"empty phrase {text}", position)
        return ("p", tokens) if len(tokens) > 1 else ("w", tokens[0])
    if text.endswith("*"):
        tokens = tokenize(text[:-1])
        if len(tokens) != 1 or not fold(text[:-1]).isalnum():
            raise QueryError(f"prefix {text!r} must be a single word followed by *", position)
        if len(tokens[0]) < _MIN_PREFIX:
            raise QueryError(f"prefix {text!r} is too short (at least {_MIN_PREFIX} characters)",
                             position)
        return ("w*", tokens[0])
    tokens = tuple(tokenize(text))
    if not tokens:
        raise QueryError(f"term {text!r} has no letters or digits", position)
    return ("p", tokens) if len(tokens) > 1 else ("w", tokens[0])


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*;
    unary := NOT unary | -primary | primary; primary := ( or ) | term."""

    _STARTS = {"lp", "phrase", "term", "neg", "NOT"}

    def __init__(self, query: str):
        self.tokens = _lex(query.translate(_QUOTES))
        self.i = 0
        self.end = len(query) + 1

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> tuple:
        if not self.tokens:
            raise QueryError("empty query")
        expr = self.parse_or()
        tok = self.peek()
        if tok is not None:
            if tok[0] == "rp":
                raise QueryError("unbalanced parenthesis: ')' without a matching '('", tok[2])
            raise QueryError(f"unexpected {tok[1]!r}", tok[2])
        return expr

    def parse_or(self) -> tuple:
        parts = [self.parse_and()]
        while (tok := self.peek()) is not None and tok[0] == "OR":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt[0] not in self._STARTS:
                raise QueryError("dangling OR: it needs a term on both sides", tok[2])
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def parse_and(self) -> tuple:
        tok = self.peek()
        if tok is None or tok[0] not in self._STARTS:
            if tok is not None and tok[0] in ("AND", "OR"):
                raise QueryError(f"dangling {tok[0]}: it needs a term on both sides", tok[2])
            if tok is not None and tok[0] == "rp":
                raise QueryError("empty parentheses or unbalanced ')'", tok[2])
            raise QueryError("a term is missing", tok[2] if tok else self.end)
        parts = [self.parse_unary()]
        while (tok := self.peek()) is not None:
            if tok[0] == "AND":
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt[0] not in self._STARTS:
                    raise QueryError("dangling AND: it needs a term on both sides", tok[2])
            elif tok[0] not in self._STARTS:
                break
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def parse_unary(self) -> tuple:
        tok = self.peek()
        if tok[0] in ("NOT", "neg"):
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt[0] not in self._STARTS:
                raise QueryError(f"{tok[1]} without a term after it", tok[2])
            return ("not", self.parse_unary() if tok[0] == "NOT" else self.parse_primary())
        return self.parse_primary()

    def parse_primary(self) -> tuple:
        kind, text, pos = self.peek()
        self.i += 1
        if kind == "lp":
            if (nxt := self.peek()) is not None and nxt[0] == "rp":
                raise QueryError("empty parentheses", pos)
            expr = self.parse_or()
            close = self.peek()
            if close is None or close[0] != "rp":
                raise QueryError("unbalanced parenthesis: '(' is never closed", pos)
            self.i += 1
            return expr
        if kind in ("phrase", "term"):
            return ("atom", _atom(kind, text, pos))
        raise QueryError(f"unexpected {text!r}", pos)


def parse_query(query: str) -> tuple:
    """The expression tree of a query; raises :class:`QueryError` with the position."""
    if not isinstance(query, str):
        raise QueryError("the query must be a string")
    expr = _Parser(query).parse()
    if evaluate(expr, lambda atom: False):
        raise QueryError("the query matches posts that contain none of its terms: "
                         "NOT needs a positive term next to it (e.g. 'banjir -jakarta')")
    return expr


def evaluate(expr: tuple, present) -> bool:
    """Evaluates an expression; ``present(atom)`` says whether an atom occurs in the post."""
    op = expr[0]
    if op == "atom":
        return present(expr[1])
    if op == "and":
        return all(evaluate(e, present) for e in expr[1])
    if op == "or":
        return any(evaluate(e, present) for e in expr[1])
    return not evaluate(expr[1], present)


def atoms_of(expr: tuple) -> list[tuple]:
    """Every atom of an expression, in order."""
    if expr[0] == "atom":
        return [expr[1]]
    if expr[0] == "not":
        return atoms_of(expr[1])
    return [a for e in expr[1] for a in atoms_of(e)]


# ---------------------------------------------------------------- YAML with line numbers

class _LinedDict(dict):
    """A mapping from YAML that remembers its line and the line of each key's value."""
    line: int = 0
    value_lines: dict[str, int]
    plain: set[str]  # keys whose value is an unquoted scalar


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are :class:`_LinedDict`."""


def _construct_lined_map(loader: _LineLoader, node: yaml.MappingNode):
    data = _LinedDict()
    data.line = node.start_mark.line + 1
    data.value_lines = {}
    data.plain = set()
    yield data
    data.update(loader.construct_mapping(node, deep=True))
    for key_node, value_node in node.value:
        data.value_lines[str(key_node.value)] = value_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.style is None:
            data.plain.add(str(key_node.value))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_lined_map)


# ---------------------------------------------------------------- issues and the matcher

@dataclass(frozen=True)
class Issue:
    """One watchlist entry, compiled."""
    name: str
    query: str
    expr: tuple
    languages: frozenset[str] | None = None
    platforms: frozenset[str] | None = None
    description: str | None = None
    line: int = 0


def _string_list(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip()
                                                           for v in value):
        raise ValueError(f"{what} must be a non-empty list of strings")
    return [v.strip().lower() for v in value]


def _issue_from_mapping(entry: Any, source: str, line: int) -> Issue:
    """An :class:`Issue` from one YAML mapping; errors carry file, line and issue name."""
    if not isinstance(entry, dict):
        raise WatchlistError(f"{source}:{line}: each issue must be a mapping with name and query")
    lines = getattr(entry, "value_lines", {})
    start = getattr(entry, "line", line)
    name = entry.get("name")
    label = f"issue {name!r}" if isinstance(name, str) and name.strip() else "issue without a name"

    def fail(key: str, message: str) -> WatchlistError:
        return WatchlistError(f"{source}:{lines.get(key, start)}: {label}: {message}")

    unknown = sorted(set(map(str, entry)) - _ISSUE_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_ISSUE_KEYS))})")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "'name' is required and must be a non-empty string")
    query = entry.get("query")
    if query is None or (isinstance(query, str) and not query.strip()):
        raise fail("query", "empty query")
    if not isinstance(query, str):
        raise fail("query", "'query' must be a string (quote it in YAML)")
    try:
        expr = parse_query(query)
    except QueryError as e:
        hint = ""
        if "query" in getattr(entry, "plain", ()):
            hint = (" (the query is unquoted in YAML, where ' #' starts a comment and ': ' a "
                    "mapping: put it in single quotes or use '>-')")
        raise fail("query", f"invalid query {query.strip()!r}: {e}{hint}") from None
    languages = platforms = None
    if entry.get("languages") is not None:
        try:
            codes = [_LANGUAGE_ALIASES.get(c, c) for c in _string_list(entry["languages"], "languages")]
        except ValueError as e:
            raise fail("languages", str(e)) from None
        bad = [c for c in codes if c not in KNOWN_LANGUAGES]
        if bad:
            raise fail("languages", f"unknown language code {bad[0]!r} "
                                    "(use ISO 639 codes such as id, jv, su, ms, en, or 'und')")
        languages = frozenset(codes)
    if entry.get("platforms") is not None:
        try:
            names = _string_list(entry["platforms"], "platforms")
        except ValueError as e:
            raise fail("platforms", str(e)) from None
        bad = [p for p in names if not _PLATFORM_RE.match(p)]
        if bad:
            raise fail("platforms", f"invalid platform name {bad[0]!r}")
        platforms = frozenset(names)
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise fail("description", "'description' must be a string")
    return Issue(name.strip(), query, expr, languages, platforms, description, start)


def doc_language(doc: dict[str, Any]) -> str:
    """The language code an issue filter sees: ``language.code``, else the platform's hint
    (``in`` read as ``id``), else ``und``."""
    lang = doc.get("language") or {}
    code = lang.get("code") if isinstance(lang, dict) else None
    if not code:
        code = doc.get("lang_hint") or "und"
    code = str(code).strip().lower()
    return _LANGUAGE_ALIASES.get(code, code)


class Watchlist:
    """All issues compiled into one matcher (see the module docstring)."""

    def __init__(self, issues: Sequence[Issue], source: str = "<watchlist>"):
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.source = source
        atom_ids: dict[tuple, int] = {}
        atom_issues: list[list[int]] = []
        for index, issue in enumerate(self.issues):
            for atom in dict.fromkeys(atoms_of(issue.expr)):
                aid = atom_ids.setdefault(atom, len(atom_ids))
                if aid == len(atom_issues):
                    atom_issues.append([])
                if not atom_issues[aid] or atom_issues[aid][-1] != index:
                    atom_issues[aid].append(index)
        self._atom_ids = atom_ids
        self._atom_issues: list[tuple[int, ...]] = [tuple(v) for v in atom_issues]
        self._words: dict[str, int] = {}
        self._phrases: dict[tuple[str, ...], int] = {}
        self._phrase_heads: dict[str, int] = {}  # first token -> longest phrase starting with it
        self._word_prefixes: dict[str, int] = {}
        self._tags: dict[str, int] = {}
        self._tag_prefixes: dict[str, int] = {}
        self._handles: dict[str, int] = {}
        for (kind, value), aid in atom_ids.items():
            if kind == "w":
                self._words[value] = aid
            elif kind == "p":
                self._phrases[value] = aid
                self._phrase_heads[value[0]] = max(self._phrase_heads.get(value[0], 0), len(value))
            elif kind == "w*":
                self._word_prefixes[value] = aid
            elif kind == "#":
                self._tags[value] = aid
            elif kind == "#*":
                self._tag_prefixes[value] = aid
            else:
                self._handles[value] = aid
        self._word_prefix_index = self._prefix_index(self._word_prefixes)
        self._tag_prefix_index = self._prefix_index(self._tag_prefixes)
        self._exprs = [self._compile(issue.expr) for issue in self.issues]

    @staticmethod
    def _prefix_index(prefixes: dict[str, int]) -> dict[str, tuple[int, ...]]:
        """First two characters -> the sorted lengths of the prefixes starting with them: a
        token is looked up only at the lengths that exist for its first two characters."""
        index: dict[str, set[int]] = {}
        for p in prefixes:
            index.setdefault(p[:_MIN_PREFIX], set()).add(len(p))
        return {k: tuple(sorted(v)) for k, v in index.items()}

    def _compile(self, expr: tuple) -> tuple:
        """The expression with atoms replaced by their ids."""
        if expr[0] == "atom":
            return ("atom", self._atom_ids[expr[1]])
        if expr[0] == "not":
            return ("not", self._compile(expr[1]))
        return (expr[0], [self._compile(e) for e in expr[1]])

    def __len__(self) -> int:
        return len(self.issues)

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.issues]

    # -- construction
    @classmethod
    def from_yaml(cls, text: str, source: str = "<watchlist>") -> Watchlist:
        """Parses and compiles a watchlist document; raises :class:`WatchlistError`."""
        try:
            data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark is not None else source
            context = getattr(e, "context_mark", None)
            started = (f" (in what starts on line {context.line + 1})"
                       if context is not None and mark is not None and context.line != mark.line else "")
            raise WatchlistError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}{started}") from None
        if not isinstance(data, dict) or "issues" not in data:
            raise WatchlistError(f"{source}:1: a watchlist is a mapping with an 'issues' list")
        entries = data["issues"]
        if not isinstance(entries, list):
            raise WatchlistError(f"{source}:{data.value_lines.get('issues', 1)}: "
                                 "'issues' must be a list")
        issues: list[Issue] = []
        seen: dict[str, int] = {}
        for entry in entries:
            issue = _issue_from_mapping(entry, source, data.value_lines.get("issues", 1))
            key = issue.name.casefold()
            if key in seen:
                raise WatchlistError(f"{source}:{issue.line}: issue {issue.name!r}: duplicate name "
                                     f"(first defined on line {seen[key]})")
            seen[key] = issue.line
            issues.append(issue)
        return cls(issues, source)

    @classmethod
    def from_file(cls, path: str | Path) -> Watchlist:
        """Loads a watchlist file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise WatchlistError(f"{path}: cannot read the watchlist: {e}") from None
        return cls.from_yaml(text, str(path))

    # -- matching
    def fired_atoms(self, token_streams: Iterable[Sequence[str]], hashtags: Iterable[str] = (),
                    handles: Iterable[str] = ()) -> set[int]:
        """Ids of the atoms present: one pass over each token stream, dictionary look-ups."""
        fired: set[int] = set()
        words, heads, phrases = self._words, self._phrase_heads, self._phrases
        wp, wp_index = self._word_prefixes, self._word_prefix_index
        for tokens in token_streams:
            n = len(tokens)
            for i, tok in enumerate(tokens):
                aid = words.get(tok)
                if aid is not None:
                    fired.add(aid)
                if wp_index:
                    lengths = wp_index.get(tok[:_MIN_PREFIX])
                    if lengths:
                        for length in lengths:
                            if length > len(tok):
                                break
                            aid = wp.get(tok[:length])
                            if aid is not None:
                                fired.add(aid)
                longest = heads.get(tok)
                if longest:
                    for size in range(2, min(longest, n - i) + 1):
                        aid = phrases.get(tuple(tokens[i:i + size]))
                        if aid is not None:
                            fired.add(aid)
        if self._tags or self._tag_prefixes:
            for tag in hashtags:
                tag = fold(tag.lstrip("#"))
                aid = self._tags.get(tag)
                if aid is not None:
                    fired.add(aid)
                for length in self._tag_prefix_index.get(tag[:_MIN_PREFIX], ()):
                    if length > len(tag):
                        break
                    aid = self._tag_prefixes.get(tag[:length])
                    if aid is not None:
                        fired.add(aid)
        if self._handles:
            for handle in handles:
                aid = self._handles.get(fold(handle.lstrip("@")))
                if aid is not None:
                    fired.add(aid)
        return fired

    def match_tokens(self, token_streams: Iterable[Sequence[str]], hashtags: Iterable[str] = (),
                     handles: Iterable[str] = (), language: str | None = None,
                     platform: str | None = None) -> list[str]:
        """Names of the matching issues (file order) for pre-tokenized text."""
        fired = self.fired_atoms(token_streams, hashtags, handles)
        if not fired:
            return []
        candidates: set[int] = set()
        for aid in fired:
            candidates.update(self._atom_issues[aid])
        present = fired.__contains__
        out = []
        for index in sorted(candidates):
            issue = self.issues[index]
            if issue.languages is not None and (language or "und") not in issue.languages:
                continue
            if issue.platforms is not None and (platform or "") not in issue.platforms:
                continue
            if _eval_ids(self._exprs[index], present):
                out.append(issue.name)
        return out

    def match(self, text: str | Sequence[str], hashtags: Iterable[str] = (),
              mentions: Iterable[str] = (), author_handle: str | None = None,
              language: str | None = None, platform: str | None = None) -> list[str]:
        """Names of the issues a post matches. ``text`` may be several texts (title, body ...);
        hashtags found in the text are added to ``hashtags``."""
        texts = [text] if isinstance(text, str) else [t for t in text if t]
        tags = set(hashtags)
        for t in texts:
            if "#" in t:
                tags.update(fold(m) for m in _HASHTAG_RE.findall(t))
        handles = list(mentions) + ([author_handle] if author_handle else [])
        return self.match_tokens([tokenize(t) for t in texts], tags, handles,
                                 language, (platform or "").lower() or None)

    def match_doc(self, doc: dict[str, Any]) -> list[str]:
        """Issues of an EnrichedPost document (see the module docstring for the texts used)."""
        texts = [doc.get("title") or "", doc.get("text_clean") or doc.get("text") or ""]
        if doc.get("text_normalized"):
            texts.append(doc["text_normalized"])
        author = doc.get("author") or {}
        return self.match(texts, doc.get("hashtags") or (), doc.get("mentions") or (),
                          author.get("handle"), doc_language(doc), doc.get("platform"))


_HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w{1,100})")


def _eval_ids(expr: tuple, present) -> bool:
    op = expr[0]
    if op == "atom":
        return present(expr[1])
    if op == "and":
        for e in expr[1]:
            if not _eval_ids(e, present):
                return False
        return True
    if op == "or":
        for e in expr[1]:
            if _eval_ids(e, present):
                return True
        return False
    return not _eval_ids(expr[1], present)


def load_watchlist(path: str | Path) -> Watchlist:
    """Loads and compiles a watchlist file; raises :class:`WatchlistError`."""
    return Watchlist.from_file(path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m transforms.logic.watchlist FILE [TEXT ...]``: checks a watchlist file (exit 1 with
    the error on stderr) and prints the issues each TEXT matches."""
    import sys
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m transforms.logic.watchlist FILE [TEXT ...]", file=sys.stderr)
        return 2
    try:
        watchlist = load_watchlist(args[0])
    except WatchlistError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"{args[0]}: {len(watchlist)} issues, {len(watchlist._atom_ids)} distinct terms: OK")
    for text in args[1:]:
        print(f"{text!r}: {watchlist.match(text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
