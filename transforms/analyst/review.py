"""Analysts' corrections of the models: the review store, the queue of uncertain posts, and the
review page served by ``pantau review``.

* The queue: posts of an issue whose sentiment the model is least sure about (lowest
  ``sentiment.score`` first), without those already reviewed.
* A correction (sentiment, language, entity labels and entities the model missed; who and when) is written twice: to the reviews index
  (``pantau-reviews``, id = the post's ``doc_id``, the latest correction wins), which is the
  durable store that exports and evaluation read, and onto the post document as ``review``
  (partial update, optimistic concurrency) so readers of the index see it. A replay of the same
  collection cannot remove it (external versioning refuses it); a newer collection of the post
  replaces the document, and the reviews index still has the correction.
* :func:`export_rows` gives the corrections in the labelled JSONL format of ``pantau evaluate``.

The page is plain HTML forms (no JavaScript), served by the standard library's HTTP server on
loopback by default; put it behind the organisation's authenticating proxy to open it wider
(the reviewer's name then comes from the ``X-Forwarded-User`` header).
"""
from __future__ import annotations

import html
import json
import logging
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from transforms.nlp.places import PlaceTable, default_table

LOG = logging.getLogger(__name__)
REVIEWS_INDEX = "pantau-reviews"
SENTIMENTS = ("negative", "neutral", "positive")
SENTIMENT_ID = {"negative": "Negatif", "neutral": "Netral", "positive": "Positif"}
ENTITY_LABELS = ("PER", "ORG", "LOC")
ENTITY_ID = {"PER": "Orang", "ORG": "Organisasi", "LOC": "Tempat", "none": "Bukan entitas"}
POST_FIELDS = ["doc_id", "text", "author.handle", "platform", "language.code", "sentiment.label",
               "sentiment.score", "issues", "created_at", "url", "entities"]
REVIEWS_MAPPING = {"dynamic": False, "properties": {
    "doc_id": {"type": "keyword"}, "post_index": {"type": "keyword"}, "issue": {"type": "keyword"},
    "reviewer": {"type": "keyword"}, "reviewed_at": {"type": "date", "format": "epoch_millis"},
    "text": {"type": "text"}, "platform": {"type": "keyword"},
    "model": {"properties": {"sentiment": {"type": "keyword"}, "score": {"type": "float"},
                             "language": {"type": "keyword"}}},
    "corrected": {"properties": {"sentiment": {"type": "keyword"}, "language": {"type": "keyword"},
                                 "entities": {"type": "object", "enabled": False}}}}}


class ReviewError(ValueError):
    """A correction that cannot be stored (unknown post, bad label)."""


@dataclass(frozen=True)
class Correction:
    """One analyst's judgement of one post (None: not judged)."""
    doc_id: str
    reviewer: str
    sentiment: str | None = None
    language: str | None = None
    issue: str | None = None
    entity_labels: tuple[tuple[int, str], ...] = ()  # (index in the post's entities, label or "none")
    added_entities: tuple[tuple[str, str], ...] = ()  # (span as written in the post, PER/ORG/LOC): missed ones


def ensure_index(client, index: str = REVIEWS_INDEX) -> None:
    """Creates the reviews index if it is missing."""
    if not client.indices.exists(index=index):
        try:
            client.indices.create(index=index, mappings=REVIEWS_MAPPING)
        except Exception as e:  # created concurrently
            if "exists" not in str(e):
                raise


def reviewed_ids(client, index: str = REVIEWS_INDEX) -> set[str]:
    """doc_ids of every reviewed post."""
    client.indices.refresh(index=index)
    hits = client.search(index=index, size=10000, query={"match_all": {}},
                         source_includes=["doc_id"])["hits"]["hits"]
    return {h["_source"]["doc_id"] for h in hits}


def issues(client, alias: str) -> list[str]:
    """Issue names present in the index, most posts first."""
    response = client.search(index=alias, size=0, ignore_unavailable=True, allow_no_indices=True,
                             aggs={"issues": {"terms": {"field": "issues", "size": 500}}})
    return [b["key"] for b in ((response.get("aggregations") or {}).get("issues") or {}).get("buckets", [])]


def queue(client, alias: str, issue: str | None, size: int = 20,
          index: str = REVIEWS_INDEX) -> list[dict[str, Any]]:
    """The posts of ``issue`` (all posts when None) the sentiment model is least sure about,
    not yet reviewed."""
    done = sorted(reviewed_ids(client, index))
    query: dict[str, Any] = {"bool": {"filter": [{"exists": {"field": "sentiment.score"}}],
                                      "must_not": [{"terms": {"doc_id": done}}] if done else []}}
    if issue:
        query["bool"]["filter"].append({"term": {"issues": issue}})
    hits = client.search(index=alias, size=size, query=query, source_includes=POST_FIELDS,
                         sort=[{"sentiment.score": {"order": "asc"}}, {"doc_id": {"order": "asc"}}],
                         ignore_unavailable=True, allow_no_indices=True)["hits"]["hits"]
    return [h["_source"] for h in hits]


def save(client, alias: str, correction: Correction, now_ms: int | None = None,
         index: str = REVIEWS_INDEX) -> dict[str, Any]:
    """Stores a correction in the reviews index and on the post; returns the review document."""
    if correction.sentiment is not None and correction.sentiment not in SENTIMENTS:
        raise ReviewError(f"sentiment must be one of {SENTIMENTS}, not {correction.sentiment!r}")
    if not correction.reviewer.strip():
        raise ReviewError("a correction needs the reviewer's name")
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=1, seq_no_primary_term=True,
                         query={"term": {"doc_id": correction.doc_id}})["hits"]["hits"]
    if not hits:
        raise ReviewError(f"no post {correction.doc_id!r} in {alias}")
    hit, post = hits[0], hits[0]["_source"]
    corrected: dict[str, Any] = {k: v for k, v in (("sentiment", correction.sentiment),
                                                   ("language", correction.language)) if v}
    entities = corrected_entities(post.get("entities") or [], dict(correction.entity_labels),
                                  correction.added_entities, post.get("text") or "")
    if entities is not None:
        corrected["entities"] = entities
    review = {"doc_id": correction.doc_id, "post_index": hit["_index"], "issue": correction.issue,
              "reviewer": correction.reviewer.strip(), "reviewed_at": now_ms, "text": post.get("text"),
              "platform": post.get("platform"),
              "model": {"sentiment": (post.get("sentiment") or {}).get("label"),
                        "score": (post.get("sentiment") or {}).get("score"),
                        "language": (post.get("language") or {}).get("code"),
                        "entities": [_span(e, e.get("label")) for e in post.get("entities") or []]},
              "corrected": corrected}
    ensure_index(client, index)
    client.index(index=index, id=correction.doc_id, document=review, refresh=True)
    on_post = {**corrected, "reviewer": review["reviewer"], "reviewed_at": now_ms}
    update: dict[str, Any] = {"review": on_post}
    if entities is not None:  # the map follows the correction
        places = corrected_places(post.get("entities") or [], entities)
        update["places_mentioned"] = places
        update["mention_location"] = [{"lat": p["lat"], "lon": p["lon"]} for p in places]
    for _ in range(3):  # a newer write between read and update: read again
        try:
            client.update(index=hit["_index"], id=hit["_id"], doc=update,
                          if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"], refresh=True)
            break
        except Exception as e:
            if "version_conflict" not in str(e) and "409" not in str(e):
                raise
            fresh = client.get(index=hit["_index"], id=hit["_id"])
            hit = {**hit, "_seq_no": fresh["_seq_no"], "_primary_term": fresh["_primary_term"]}
    return review


def corrected_entities(model: list[dict[str, Any]], labels: dict[int, str],
                       added: tuple[tuple[str, str], ...] = (), text: str = "") -> list[dict[str, Any]] | None:
    """The post's entities with the reviewer's labels ("none": not an entity, dropped) and the
    entities the reviewer added, in text order; None when the reviewer changed no label and added
    nothing (unexamined model labels are not gold data)."""
    for i, label in labels.items():
        if label not in (*ENTITY_LABELS, "none") or not 0 <= i < len(model):
            raise ReviewError(f"entity {i}: label must be one of {ENTITY_LABELS} or none, not {label!r}")
    if not added and all(labels.get(i, e.get("label")) == e.get("label") for i, e in enumerate(model)):
        return None
    kept = [_span(e, labels.get(i, e.get("label"))) for i, e in enumerate(model)
            if labels.get(i, e.get("label")) != "none"]
    for span, label in added:
        kept.append(locate_span(text, span, label, kept))
    return sorted(kept, key=lambda e: (e["start"] if e["start"] is not None else -1, e["end"] or 0))


def corrected_places(model: list[dict[str, Any]], corrected: list[dict[str, Any]],
                     table: PlaceTable | None = None) -> list[dict[str, Any]]:
    """``places_mentioned`` after a correction: the located LOC spans of ``corrected``, named by
    the model's canonical name where the span is the model's, else by its text."""
    canonical = {(e.get("start"), e.get("end")): e.get("canonical") for e in model}
    return (table or default_table()).places_mentioned(
        {"label": e.get("label"), "text": e.get("text"), "canonical": canonical.get((e.get("start"), e.get("end")))}
        for e in corrected)


def locate_span(text: str, span: str, label: str, taken: list[dict[str, Any]]) -> dict[str, Any]:
    """An added entity: the first occurrence of ``span`` in ``text`` (as written, else ignoring
    case, on word boundaries) that overlaps no entity in ``taken``."""
    span = " ".join(span.split())
    if label not in ENTITY_LABELS:
        raise ReviewError(f"added entity {span!r}: label must be one of {ENTITY_LABELS}, not {label!r}")
    if not span:
        raise ReviewError("an added entity needs its text")
    busy = [(e["start"], e["end"]) for e in taken if e.get("start") is not None and e.get("end") is not None]
    for haystack, needle in ((text, span), (text.lower(), span.lower())):
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            bounded = (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if bounded and all(end <= s or start >= e for s, e in busy):
                return {"start": start, "end": end, "text": text[start:end], "label": label}
            start = haystack.find(needle, start + 1)
    raise ReviewError(f"added entity {span!r} is not in the post's text (or overlaps an entity)")


def _span(entity: dict[str, Any], label: Any) -> dict[str, Any]:
    return {"start": entity.get("start"), "end": entity.get("end"), "text": entity.get("text"), "label": label}


def reviews(client, index: str = REVIEWS_INDEX) -> Iterator[dict[str, Any]]:
    """Every stored review (oldest first)."""
    if not client.indices.exists(index=index):
        return
    client.indices.refresh(index=index)
    yield from (h["_source"] for h in client.search(
        index=index, size=10000, query={"match_all": {}},
        sort=[{"reviewed_at": {"order": "asc"}}])["hits"]["hits"])


def export_rows(docs) -> Iterator[dict[str, Any]]:
    """Reviews with a corrected sentiment as ``pantau evaluate`` / training JSONL rows; the post's
    platform is its ``register`` (tweets, comments, news ...), so the evaluation reports per platform."""
    for r in docs:
        corrected = r.get("corrected") or {}
        if corrected.get("sentiment") and r.get("text"):
            row = {"text": r["text"], "label": corrected["sentiment"],
                   "lang": corrected.get("language") or (r.get("model") or {}).get("language") or "id",
                   "doc_id": r["doc_id"], "reviewer": r.get("reviewer")}
            if r.get("platform"):  # reviews stored before the platform was kept have none
                row["register"] = r["platform"]
            yield row


def export_ner_rows(docs) -> Iterator[dict[str, Any]]:
    """Reviews with corrected entity labels as ``pantau evaluate --task ner`` JSONL rows."""
    for r in docs:
        entities = (r.get("corrected") or {}).get("entities")
        if entities is not None and r.get("text"):
            yield {"text": r["text"], "entities": [{"start": e["start"], "end": e["end"], "label": e["label"]}
                                                   for e in entities], "doc_id": r["doc_id"]}


def indexed_accuracy(docs) -> dict[str, Any]:
    """How often the labels in the index (at review time) agreed with the analysts."""
    out: dict[str, Any] = {}
    for task in ("sentiment", "language"):
        pairs = [((r.get("model") or {}).get(task), (r.get("corrected") or {}).get(task)) for r in docs]
        pairs = [(m, c) for m, c in pairs if c]
        out[task] = {"n": len(pairs),
                     "accuracy": round(sum(m == c for m, c in pairs) / len(pairs), 4) if pairs else None}
    # entities: of the model's entities in posts whose entities a reviewer relabelled, how many
    # kept their span and label
    pairs = [(e, {(c["start"], c["end"], c["label"]) for c in r["corrected"]["entities"]})
             for r in docs if (r.get("corrected") or {}).get("entities") is not None
             for e in (r.get("model") or {}).get("entities") or []]
    out["entities"] = {"n": len(pairs), "accuracy": round(sum(
        (e["start"], e["end"], e["label"]) in gold for e, gold in pairs) / len(pairs), 4) if pairs else None}
    return out


# ---- the page ---------------------------------------------------------------------------------

def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def render_page(issue_names: list[str], posts: list[dict[str, Any]], issue: str | None,
                reviewer: str, message: str = "") -> str:
    """The review page: an issue picker, then one form per uncertain post."""
    options = "".join(f'<option value="{_e(i)}"{" selected" if i == issue else ""}>{_e(i)}</option>'
                      for i in issue_names)
    adder = ('<p class="add">Entitas yang terlewat: <input name="add_text" size="24" '
             'placeholder="tulis persis seperti di teks"> <select name="add_label">'
             + "".join(f'<option value="{k}">{ENTITY_ID[k]}</option>' for k in ENTITY_LABELS)
             + "</select></p>")
    rows = []
    for p in posts:
        s = p.get("sentiment") or {}
        radios = "".join(
            f'<label><input type="radio" name="sentiment" value="{k}"'
            f'{" checked" if k == s.get("label") else ""}> {SENTIMENT_ID[k]}</label> '
            for k in SENTIMENTS)
        language = (p.get("language") or {}).get("code") or ""
        entities = "".join(
            f'<label class="entity">{_e(e.get("text"))} <select name="entity_{i}">' + "".join(
                f'<option value="{k}"{" selected" if k == e.get("label") else ""}>{ENTITY_ID[k]}</option>'
                for k in (*ENTITY_LABELS, "none")) + "</select></label> "
            for i, e in enumerate(p.get("entities") or []))
        rows.append(
            f'<form class="post" method="post" action="/review" data-doc="{_e(p["doc_id"])}">'
            f'<p class="text">{_e(p.get("text"))}</p>'
            f'<p class="meta">{_e((p.get("author") or {}).get("handle"))} · {_e(p.get("platform"))} · '
            f'model: {_e(SENTIMENT_ID.get(s.get("label"), s.get("label")))} '
            f'(yakin {float(s.get("score") or 0):.0%})</p>'
            f'<input type="hidden" name="doc_id" value="{_e(p["doc_id"])}">'
            f'<input type="hidden" name="issue" value="{_e(issue or "")}">'
            f'<input type="hidden" name="reviewer" value="{_e(reviewer)}">'
            f'{radios}<label>Bahasa <input name="language" size="4" value="{_e(language)}"></label> '
            f'{f"<p>Entitas: {entities}</p>" if entities else ""}'
            f'{adder}'
            f'<button type="submit" name="save">Simpan</button></form>')
    body = "".join(rows) or "<p>Tidak ada unggahan yang perlu ditinjau.</p>"
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>pantau: tinjau</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:auto}}.post{{border-bottom:1px solid #ccc;
padding:.5em 0}}.meta{{color:#555;font-size:.9em}}.msg{{background:#e8f5e9;padding:.5em}}</style></head>
<body><h1>Tinjau sentimen</h1>
<form method="get" action="/"><label>Isu <select name="issue"><option value="">(semua)</option>{options}
</select></label> <label>Nama peninjau <input name="reviewer" value="{_e(reviewer)}" required></label>
<button type="submit" id="pick">Tampilkan</button></form>
{f'<p class="msg" id="message">{_e(message)}</p>' if message else ''}
<p>Unggahan yang paling diragukan model (yakin terendah dulu).</p>{body}</body></html>"""


class ReviewServer(ThreadingHTTPServer):
    """``GET /?issue=&reviewer=`` the page; ``POST /review`` stores a correction and redirects
    back; ``GET /export.jsonl`` the corrections as JSONL."""

    def __init__(self, address: tuple[str, int], client, alias: str, size: int = 20,
                 index: str = REVIEWS_INDEX) -> None:
        self.client, self.alias, self.size, self.index = client, alias, size, index
        ensure_index(client, index)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8",
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/export.jsonl":
                    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                    for r in export_rows(reviews(server.client, server.index)))
                    self._send(200, lines.encode(), "application/x-ndjson")
                    return
                if url.path != "/":
                    self._send(404, b"not found", "text/plain")
                    return
                reviewer = self.headers.get("X-Forwarded-User") or q.get("reviewer", "")
                issue = q.get("issue") or None
                page = render_page(issues(server.client, server.alias),
                                   queue(server.client, server.alias, issue, server.size, server.index)
                                   if reviewer else [], issue, reviewer, q.get("message", ""))
                self._send(200, page.encode("utf-8"))

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8")))
                reviewer = self.headers.get("X-Forwarded-User") or form.get("reviewer", "")
                try:
                    save(server.client, server.alias, Correction(
                        form.get("doc_id", ""), reviewer, form.get("sentiment") or None,
                        (form.get("language") or "").strip().lower() or None,
                        form.get("issue") or None,
                        tuple((int(k[7:]), v) for k, v in form.items()
                              if k.startswith("entity_") and k[7:].isdigit()),
                        ((form["add_text"], form.get("add_label", "")),) if form.get("add_text", "").strip()
                        else ()), index=server.index)
                    message = f"Tersimpan: {form.get('doc_id')}"
                except ReviewError as e:
                    message = f"Tidak tersimpan: {e}"
                back = urllib.parse.urlencode({"issue": form.get("issue", ""), "reviewer": reviewer,
                                               "message": message})
                self._send(303, b"", "text/plain", {"Location": f"/?{back}"})

            def log_message(self, fmt: str, *args) -> None:
                LOG.info("review page: " + fmt, *args)

        super().__init__(address, Handler)
