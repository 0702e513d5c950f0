"""Alert texts for people: what happened in plain words, Indonesian by default (English on request).

Pure functions over an alert document of the monitor (``transforms.analyst.monitor``): a headline
("Lonjakan unggahan tentang isu Banjir: 10 dalam 5 menit, 6× biasanya"), a message with the top
example posts and accounts and the share of negative posts, a link to the Kibana dashboard
filtered to the issue and the window, and a severity. The statistics (z, baseline, spread) stay
in the alert's fields; the texts round them for readers.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

from transforms.logic.alerts import ALL_POSTS, COORDINATION, NEGATIVE_SURGE, VOLUME_SPIKE

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DASHBOARD_ID = "pantau-dashboard-overview"
ALERTS_DASHBOARD_ID = "pantau-dashboard-alerts"
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
SEVERITY = {VOLUME_SPIKE: "warning", NEGATIVE_SURGE: "critical", COORDINATION: "warning"}

_WORDS = {
    "id": {
        "all": "semua topik", "issue": "isu {issue}",
        VOLUME_SPIKE: "Lonjakan unggahan tentang {who}: {count} dalam {minutes} menit, {ratio} biasanya",
        NEGATIVE_SURGE: ("Sentimen negatif melonjak pada {who}: {share} dari {count} unggahan "
                         "dalam {minutes} menit bernada negatif (biasanya {usual})"),
        COORDINATION: ("Dugaan unggahan terkoordinasi pada {who}: {accounts} akun mengunggah teks "
                       "hampir sama ({count} unggahan) dalam {span} menit"),
        "when": "Waktu: {start}–{end}", "negative": "Unggahan negatif: {share} ({n} dari {count})",
        "posts": "Contoh unggahan teratas:", "accounts": "Akun paling berpengaruh:",
        "account_posts": "{n} unggahan", "hashtags": "Tagar: {tags}",
        "link": "Dasbor Kibana: {url}", "resolved": "Selesai: {headline}",
    },
    "en": {
        "all": "all topics", "issue": "the issue {issue}",
        VOLUME_SPIKE: "Surge of posts about {who}: {count} in {minutes} minutes, {ratio} the usual",
        NEGATIVE_SURGE: ("Negative sentiment surges on {who}: {share} of {count} posts in "
                         "{minutes} minutes are negative (usually {usual})"),
        COORDINATION: ("Suspected coordinated posting on {who}: {accounts} accounts posted "
                       "near-identical texts ({count} posts) within {span} minutes"),
        "when": "Time: {start}–{end}", "negative": "Negative posts: {share} ({n} of {count})",
        "posts": "Top example posts:", "accounts": "Most influential accounts:",
        "account_posts": "{n} posts", "hashtags": "Hashtags: {tags}",
        "link": "Kibana dashboard: {url}", "resolved": "Resolved: {headline}",
    },
}


def _lang(language: str) -> dict[str, str]:
    if language not in _WORDS:
        raise ValueError(f"alert language must be one of {LANGUAGES}, not {language!r}")
    return _WORDS[language]


def _times(ratio: float) -> str:
    """6.04 -> '6×', 2.5 -> '2,5×' (one decimal below ten, Indonesian-style comma in both)."""
    if ratio >= 10 or abs(ratio - round(ratio)) < 0.05:
        return f"{round(ratio):d}×"
    return f"{ratio:.1f}×".replace(".", ",")


def _percent(share: float) -> str:
    return f"{round(100 * share):d}%"


def _clock(ms: int | None) -> str:
    if not ms:
        return "?"
    return dt.datetime.fromtimestamp(int(ms) / 1000, WIB).strftime("%d-%m-%Y %H:%M WIB")


def who(issue: str, language: str = DEFAULT_LANGUAGE) -> str:
    """'isu Banjir' / 'semua topik' (the pseudo-issue of all posts)."""
    words = _lang(language)
    return words["all"] if issue == ALL_POSTS else words["issue"].format(issue=issue)


def severity(doc: dict[str, Any]) -> str:
    """The alert's severity label: negative surges are critical, spikes and clusters warnings."""
    return SEVERITY.get(str(doc.get("kind")), "warning")


def headline(doc: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """One plain sentence: what happened, how much, compared to what."""
    words = _lang(language)
    kind = str(doc.get("kind"))
    minutes = max(1, round(int(doc.get("window_s") or 0) / 60))
    count = int(doc.get("peak_count") or doc.get("count") or 0)
    subject = who(str(doc.get("issue")), language)
    if kind == VOLUME_SPIKE:
        return words[kind].format(who=subject, count=count, minutes=minutes,
                                  ratio=_times(float(doc.get("ratio") or 0.0)))
    if kind == NEGATIVE_SURGE:
        return words[kind].format(who=subject, count=count, minutes=minutes,
                                  share=_percent(float(doc.get("negative_share") or 0.0)),
                                  usual=_percent(float(doc.get("baseline_negative_share") or 0.0)))
    cluster = doc.get("cluster") or {}
    span = max(1, round(float(cluster.get("span_s") or 0.0) / 60))
    return words[COORDINATION].format(who=subject, count=count, span=span,
                                      accounts=int(cluster.get("accounts") or 0))


def _rison_string(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def kibana_link(doc: dict[str, Any], kibana_url: str | None) -> str | None:
    """The Kibana dashboard filtered to the alert's issue (query ``issues:"..."``) over its window
    (plus ten minutes either side); None without a Kibana URL."""
    if not kibana_url:
        return None
    pad = 10 * 60_000
    start = int(doc.get("window_start") or doc.get("detected_at") or 0) - pad
    end = int(doc.get("window_end") or doc.get("detected_at") or 0) + pad

    def iso(ms: int) -> str:
        return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    issue = str(doc.get("issue"))
    query = "" if issue == ALL_POSTS else 'issues:"' + issue.replace('"', '\\"') + '"'
    dashboard = ALERTS_DASHBOARD_ID if doc.get("kind") == COORDINATION else DASHBOARD_ID
    g = f"(time:(from:{_rison_string(iso(start))},to:{_rison_string(iso(end))}))"
    a = f"(query:(language:kuery,query:{_rison_string(query)}))"
    quote = lambda s: urllib.parse.quote(s, safe="(),:!'*-._~")  # noqa: E731 - rison stays legible
    return f"{kibana_url.rstrip('/')}/app/dashboards#/view/{dashboard}?_g={quote(g)}&_a={quote(a)}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def message(doc: dict[str, Any], language: str = DEFAULT_LANGUAGE, kibana_url: str | None = None,
            top_n: int = 3) -> str:
    """The alert as a short text for a chat or an e-mail: headline, time, negative share, top
    posts and accounts, hashtags and the Kibana link (plain text, one item per line)."""
    words = _lang(language)
    lines = [headline(doc, language),
             words["when"].format(start=_clock(doc.get("window_start")), end=_clock(doc.get("window_end")))]
    count = int(doc.get("count") or 0)
    if count and doc.get("kind") != COORDINATION:
        lines.append(words["negative"].format(share=_percent(float(doc.get("negative_share") or 0.0)),
                                              n=int(doc.get("negative_count") or 0), count=count))
    posts = list(doc.get("top_posts") or [])[:top_n]
    if posts:
        lines.append(words["posts"])
        for p in posts:
            author = p.get("author") or "?"
            url = f" {p['url']}" if p.get("url") else ""
            lines.append(f"- {author}: \"{_short(p.get('text') or '')}\"{url}")
    authors = list(doc.get("top_authors") or [])[:top_n]
    if authors:
        lines.append(words["accounts"] + " " + ", ".join(
            f"{a.get('handle')} ({words['account_posts'].format(n=int(a.get('posts') or 0))})"
            for a in authors))
    tags = [f"#{t['tag']}" for t in list(doc.get("top_hashtags") or [])[:top_n] if t.get("tag")]
    if tags:
        lines.append(words["hashtags"].format(tags=" ".join(tags)))
    link = kibana_link(doc, kibana_url)
    if link:
        lines.append(words["link"].format(url=link))
    return "\n".join(lines)


def resolved_headline(doc: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """'Selesai: <headline>' for a resolved alert."""
    return _lang(language)["resolved"].format(headline=headline(doc, language))
