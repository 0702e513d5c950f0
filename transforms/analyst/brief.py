"""``pantau report``: a self-contained HTML brief on one issue for leaders who never open Kibana.

    pantau report --issue banjir-jakarta --since 24h [--until 2026-11-26T00:00+07:00]
                  [--es_url URL] [--out brief.html] [--lang id|en]

The brief (Bahasa Indonesia by default, ``--lang en`` for English) has headline numbers against
the previous period of the same length (posts, unique authors, reach, negative share), volume and
sentiment over time, language mix and top hashtags as charts, the most influential posts, the top
KOLs, the most mentioned entities, the monitor's alerts and coordinated clusters. Everything is in
one HTML file: inline CSS, charts as base64 PNG (matplotlib, Agg backend), no external resources,
so it can be mailed or opened offline. Times are in WIB (UTC+7).

The numbers come from the same panel specs as the Kibana dashboards (``pipelines.kibana``), so
the brief and the dashboards agree. Elasticsearch credentials come from the environment
(PANTAU_ES_API_KEY or PANTAU_ES_USERNAME/PASSWORD, or their *_FILE variants).
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import logging
import re
import time
from typing import Any

from transforms.analyst.kibana import TIME_ZONE, panel

LOG = logging.getLogger(__name__)
WIB = dt.timezone(dt.timedelta(hours=7))
SENTIMENT_COLORS = {"negative": "#d64541", "neutral": "#a0a7b4", "positive": "#2e9e6b"}

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "title": "Ringkasan Isu", "period": "Periode", "generated": "Dibuat", "prev": "periode sebelumnya",
        "posts": "Unggahan", "authors": "Akun unik", "reach": "Jangkauan", "negative": "Sentimen negatif",
        "key_points": "Poin utama", "volume": "Volume unggahan", "sentiment": "Sentimen dari waktu ke waktu",
        "languages": "Komposisi bahasa", "hashtags": "Tagar teratas", "entities": "Entitas paling disebut",
        "top_posts": "Unggahan paling berpengaruh", "kols": "Akun paling berpengaruh (KOL)",
        "alerts": "Peringatan", "coordination": "Indikasi aktivitas terkoordinasi",
        "no_data": "Tidak ada unggahan tentang isu ini pada periode ini.",
        "none": "Tidak ada.", "handle": "Akun", "influence": "Skor pengaruh", "followers": "Pengikut",
        "mentions": "Sebutan", "entity": "Entitas", "interactions": "interaksi", "kind": "Jenis", "time": "Waktu", "ratio": "Rasio thd. normal",
        "cluster": "Klaster", "accounts": "Akun", "score": "Skor", "sample": "Contoh teks",
        "members": "Anggota", "count": "Jumlah", "vs": "vs", "points": "poin", "same": "sama",
        "hours": "jam", "days": "hari", "minutes": "menit", "weeks": "minggu", "last": "terakhir",
        "kp_volume": "Volume {dir} {pct} dibanding {prev} ({n} unggahan).",
        "kp_volume_new": "{n} unggahan; tidak ada pada {prev}.",
        "kp_up": "naik", "kp_down": "turun", "kp_flat": "stabil",
        "kp_negative": "Sentimen negatif {share} dari unggahan bersentimen ({delta}).",
        "kp_alerts": "{n} peringatan dari sistem pemantau: {kinds}.",
        "kp_coord": "{n} klaster unggahan serupa dari beberapa akun (indikasi koordinasi), terbesar {accounts} akun.",
        "kp_kol": "Akun paling berpengaruh: @{handle}.",
        "footer": "Dibuat otomatis oleh pantau dari data Elasticsearch. Angka sentimen dan bahasa berasal "
                  "dari model otomatis dan dapat keliru pada unggahan tertentu. Jangkauan = jumlah "
                  "perkiraan jangkauan per unggahan (bukan orang unik).",
        "volume_spike": "Lonjakan volume", "negative_surge": "Lonjakan sentimen negatif",
        "coordination_kind": "Indikasi koordinasi",
        "negative_l": "negatif", "neutral_l": "netral", "positive_l": "positif", "unknown_l": "tidak diketahui",
    },
    "en": {
        "title": "Issue Brief", "period": "Period", "generated": "Generated", "prev": "the previous period",
        "posts": "Posts", "authors": "Unique authors", "reach": "Reach", "negative": "Negative sentiment",
        "key_points": "Key points", "volume": "Post volume", "sentiment": "Sentiment over time",
        "languages": "Language mix", "hashtags": "Top hashtags", "entities": "Most mentioned entities",
        "top_posts": "Most influential posts", "kols": "Most influential accounts (KOLs)",
        "alerts": "Alerts", "coordination": "Signs of coordinated activity",
        "no_data": "No posts about this issue in this period.",
        "none": "None.", "handle": "Account", "influence": "Influence score", "followers": "Followers",
        "mentions": "Mentions", "entity": "Entity", "interactions": "interactions", "kind": "Kind", "time": "Time", "ratio": "Ratio to normal",
        "cluster": "Cluster", "accounts": "Accounts", "score": "Score", "sample": "Sample text",
        "members": "Members", "count": "Count", "vs": "vs", "points": "points", "same": "same",
        "hours": "hours", "days": "days", "minutes": "minutes", "weeks": "weeks", "last": "last",
        "kp_volume": "Volume {dir} {pct} compared with {prev} ({n} posts).",
        "kp_volume_new": "{n} posts; none in {prev}.",
        "kp_up": "up", "kp_down": "down", "kp_flat": "flat",
        "kp_negative": "Negative sentiment in {share} of posts with a sentiment ({delta}).",
        "kp_alerts": "{n} alerts from the monitor: {kinds}.",
        "kp_coord": "{n} cluster(s) of similar posts from several accounts (possible coordination), largest {accounts} accounts.",
        "kp_kol": "Most influential account: @{handle}.",
        "footer": "Generated automatically by pantau from Elasticsearch. Sentiment and language come from "
                  "automatic models and can be wrong on individual posts. Reach = sum of the estimated "
                  "reach of each post (not unique people).",
        "volume_spike": "Volume spike", "negative_surge": "Negative surge", "coordination_kind": "Coordination",
        "negative_l": "negative", "neutral_l": "neutral", "positive_l": "positive", "unknown_l": "unknown",
    },
}
LANGUAGES = {"id": {"id": "Indonesia", "jv": "Jawa", "su": "Sunda", "ms": "Melayu", "en": "Inggris",
                    "mixed": "Campuran", "und": "Tidak diketahui"},
             "en": {"id": "Indonesian", "jv": "Javanese", "su": "Sundanese", "ms": "Malay", "en": "English",
                    "mixed": "Mixed", "und": "Unknown"}}
MONTHS = {"id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
          "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()}


# ---- formatting ---------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """``90m``, ``24h``, ``7d``, ``2w`` -> milliseconds."""
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration like 24h, 7d, 90m: {text!r}")
    return int(m.group(1)) * {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}[m.group(2)]


def parse_time(text: str) -> int:
    """ISO-8601 (naive = WIB) or epoch milliseconds -> epoch milliseconds."""
    if re.fullmatch(r"\d{10,}", text):
        return int(text)
    t = dt.datetime.fromisoformat(text)
    return int((t if t.tzinfo else t.replace(tzinfo=WIB)).timestamp() * 1000)


def fmt_num(value: float | int | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "id" else s


def fmt_pct(share: float | None, lang: str) -> str:
    return "–" if share is None else fmt_num(share * 100, lang, 1) + "%"


def fmt_time(ms: int, lang: str, with_time: bool = True) -> str:
    t = dt.datetime.fromtimestamp(ms / 1000, tz=WIB)
    day = f"{t.day} {MONTHS[lang][t.month - 1]} {t.year}"
    return f"{day} {t:%H:%M}" if with_time else day


def fmt_since(ms: int, lang: str) -> str:
    T = TEXT[lang]
    for unit, size in (("weeks", 604_800_000), ("days", 86_400_000), ("hours", 3_600_000), ("minutes", 60_000)):
        if ms % size == 0 and not (unit == "days" and ms <= 172_800_000):  # 24h reads "24 jam"
            n = ms // size
            return f"{n} {T[unit]} {T['last']}" if lang == "id" else f"{T['last']} {n} {T[unit]}"
    return f"{ms // 60_000} {T['minutes']}"


def change(current: float | None, previous: float | None, lang: str, percent_points: bool = False) -> tuple[str, str]:
    """(text, css class) of the change from previous to current."""
    T = TEXT[lang]
    if current is None or previous is None:
        return "", "flat"
    if percent_points:
        delta = (current - previous) * 100
        if abs(delta) < 0.05:
            return f"{T['same']} {T['vs']} {fmt_pct(previous, lang)}", "flat"
        arrow = "▲" if delta > 0 else "▼"
        return f"{arrow} {fmt_num(abs(delta), lang, 1)} {T['points']} {T['vs']} {fmt_pct(previous, lang)}", \
            "up" if delta > 0 else "down"
    if previous == 0:
        return (f"{T['vs']} 0", "up" if current else "flat")
    ratio = (current - previous) / previous
    if abs(ratio) < 0.0005:
        return f"{T['same']} {T['vs']} {fmt_num(previous, lang)}", "flat"
    arrow = "▲" if ratio > 0 else "▼"
    return f"{arrow} {fmt_num(abs(ratio) * 100, lang, 0)}% {T['vs']} {fmt_num(previous, lang)}", \
        "up" if ratio > 0 else "down"


def interval_for(span_ms: int) -> str:
    """A chart interval giving roughly 12-60 buckets."""
    for interval, size in (("10m", 600_000), ("30m", 1_800_000), ("1h", 3_600_000), ("3h", 10_800_000),
                           ("12h", 43_200_000), ("1d", 86_400_000)):
        if span_ms / size <= 60:
            return interval
    return "1w"


# ---- data ---------------------------------------------------------------------------------------


class Brief:
    """Collects the brief's data for one issue and period from Elasticsearch."""

    def __init__(self, client, issue: str, start: int, end: int, alias: str = "pantau-posts",
                 alerts_index: str = "pantau-alerts", coordination_index: str = "pantau-coordination"):
        self.client, self.issue, self.start, self.end = client, issue, start, end
        self.prev = (start - (end - start), start)
        self.indices = {"posts": alias, "alerts": alerts_index, "coordination": coordination_index}
        self.issue_filter = {"term": {"issues": issue}}

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.client.search(index=index, body=body, ignore_unavailable=True,
                                  allow_no_indices=True).body

    def _panel(self, short: str, time_range: tuple[int, int] | None = None, **kwargs) -> list[dict[str, Any]]:
        p = panel(short)
        body = p.search_body(time_range or (self.start, self.end), filters=[self.issue_filter], **kwargs)
        return p.rows(self._search(self.indices[p.view], body))

    def headline(self, time_range: tuple[int, int]) -> dict[str, Any]:
        body = {"size": 0, "track_total_hits": True,
                "query": {"bool": {"filter": [self.issue_filter, {"range": {"created_at": {
                    "gte": time_range[0], "lt": time_range[1], "format": "epoch_millis"}}}]}},
                "aggs": {"authors": {"cardinality": {"field": "author.id"}},
                         "reach": {"sum": {"field": "influence.reach"}},
                         "sentiment": {"terms": {"field": "sentiment.label", "size": 5}}}}
        r = self._search(self.indices["posts"], body)
        aggs = r.get("aggregations") or {}
        sentiments = {b["key"]: b["doc_count"] for b in (aggs.get("sentiment") or {}).get("buckets", [])}
        labelled = sum(sentiments.values())
        total = r["hits"]["total"]
        return {"posts": total["value"] if isinstance(total, dict) else int(total),
                "authors": int((aggs.get("authors") or {}).get("value") or 0),
                "reach": float((aggs.get("reach") or {}).get("value") or 0.0),
                "negative_share": sentiments.get("negative", 0) / labelled if labelled else None}

    def top_posts(self, size: int = 5) -> list[dict[str, Any]]:
        body = {"size": size, "query": {"bool": {"filter": [self.issue_filter, {"range": {"created_at": {
            "gte": self.start, "lt": self.end, "format": "epoch_millis"}}}]}},
                "sort": [{"influence.score": {"order": "desc", "unmapped_type": "float"}},
                         {"created_at": {"order": "desc"}}],
                "_source": ["author", "platform", "text", "created_at", "url", "sentiment.label",
                            "influence.score", "influence.reach", "engagement"]}
        return [h["_source"] for h in self._search(self.indices["posts"], body)["hits"]["hits"]]

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts of the monitor for the issue in the period; [] if the index is missing or odd."""
        body = {"size": 50, "sort": [{"window_start": {"order": "desc", "unmapped_type": "date"}}],
                "query": {"bool": {"filter": [
                    {"bool": {"should": [{"term": {"issue": self.issue}},
                                         {"match_phrase": {"issue": self.issue}}], "minimum_should_match": 1}},
                    {"range": {"window_start": {"gte": self.start, "lt": self.end, "format": "epoch_millis"}}}]}}}
        try:
            hits = self._search(self.indices["alerts"], body)["hits"]["hits"]
        except Exception as e:  # the alert index belongs to the monitor: never fail the brief for it
            LOG.warning("alerts unavailable (%s): %s", self.indices["alerts"], e)
            return []
        return [h["_source"] for h in hits]

    def coordination(self) -> list[dict[str, Any]]:
        """Coordinated clusters among the issue's posts, with the monitor's cluster details if any."""
        clusters = self._panel("coordinated-posts")
        if not clusters:
            return []
        details: dict[str, dict[str, Any]] = {}
        try:
            ids = [c["cluster"] for c in clusters]  # the monitor's cluster_id is the near_dup.cluster
            body = {"size": 100, "query": {"bool": {"should": [{"terms": {"cluster_id": ids}},
                                                               {"terms": {"cluster": ids}}]}},
                    "sort": [{"window_start": {"order": "desc", "unmapped_type": "date"}}]}
            for hit in self._search(self.indices["coordination"], body)["hits"]["hits"]:
                source = hit["_source"]
                details.setdefault(str(source.get("cluster_id", source.get("cluster"))), source)
        except Exception as e:
            LOG.warning("coordination clusters unavailable (%s): %s", self.indices["coordination"], e)
        return [dict(c, detail=details.get(str(c["cluster"]), {})) for c in clusters]

    def collect(self) -> dict[str, Any]:
        span = self.end - self.start
        interval = interval_for(span)
        series = dict(interval=interval, extended_bounds=(self.start, self.end), time_zone=TIME_ZONE)
        data: dict[str, Any] = {"issue": self.issue, "start": self.start, "end": self.end,
                                "interval": interval, "now": self.headline((self.start, self.end)),
                                "prev": self.headline(self.prev)}
        # a post about several issues also makes buckets for the other issues: keep ours
        data["volume"] = [r for r in self._panel("volume-by-issue", **series) if r["issue"] == self.issue]
        data["sentiment"] = self._panel("sentiment-trend", **series)
        data["languages"] = self._panel("language-mix")
        data["hashtags"] = self._panel("top-hashtags")[:10]
        data["entities"] = self._panel("top-entities")[:10]
        data["kols"] = self._panel("kol-table", size_factor=5)[:10]
        data["top_posts"] = self.top_posts()
        data["alerts"] = self.alerts()
        data["coordination"] = self.coordination()
        return data


# ---- charts -------------------------------------------------------------------------------------


def _figure(width: float = 8.0, height: float = 3.0):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    return plt, fig, ax


def _png(plt, fig) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _time_axis(ax, times: list[int], lang: str, interval: str) -> None:
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m" if interval in ("1d", "1w") else "%d/%m\n%H:%M",
                                                      tz=WIB))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8, tz=WIB))


def _dates(times: list[int]) -> list[dt.datetime]:
    return [dt.datetime.fromtimestamp(t / 1000, tz=WIB) for t in times]


def volume_chart(rows: list[dict[str, Any]], interval: str, lang: str) -> str:
    plt, fig, ax = _figure()
    times = [r["time"] for r in rows]
    width = parse_duration(interval) / 86_400_000 * 0.85
    ax.bar(_dates(times), [r["posts"] for r in rows], width=width, color="#2563eb", align="edge")
    ax.set_ylabel(TEXT[lang]["posts"])
    _time_axis(ax, times, lang, interval)
    return _png(plt, fig)


def sentiment_chart(rows: list[dict[str, Any]], interval: str, lang: str) -> str:
    plt, fig, ax = _figure()
    times = sorted({r["time"] for r in rows})
    counts = {(r["time"], r["sentiment"]): r["posts"] for r in rows}
    labels = [s for s in ("negative", "neutral", "positive") if any(k[1] == s for k in counts)]
    labels += sorted({k[1] for k in counts} - set(labels))
    width = parse_duration(interval) / 86_400_000 * 0.85
    bottom = [0] * len(times)
    for s in labels:
        values = [counts.get((t, s), 0) for t in times]
        ax.bar(_dates(times), values, width=width, bottom=bottom, align="edge",
               color=SENTIMENT_COLORS.get(s, "#6b7280"), label=TEXT[lang].get(f"{s}_l", s))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel(TEXT[lang]["posts"])
    if labels:  # posts indexed without enrichment have no sentiment
        ax.legend(loc="upper left", frameon=False, ncol=len(labels), fontsize=9)
    _time_axis(ax, times, lang, interval)
    return _png(plt, fig)


def bar_chart(labels: list[str], values: list[float], color: str, xlabel: str) -> str:
    plt, fig, ax = _figure(5.2, 0.45 * max(len(labels), 3) + 0.8)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    ax.barh(list(reversed(labels)), list(reversed(values)), color=color)
    ax.set_xlabel(xlabel)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(plt, fig)


# ---- HTML ---------------------------------------------------------------------------------------

CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2937;
 background:#f3f4f6;margin:0;padding:24px;line-height:1.45}
main{max-width:960px;margin:0 auto;background:#fff;padding:32px 40px;border-radius:10px;
 box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:26px;margin:0 0 4px}h1 .issue{color:#1d4ed8}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #e5e7eb}
.meta{color:#6b7280;font-size:14px;margin:0}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-top:20px}
.card{background:#f9fafb;border:1px solid #e5e7eb;border-radius:8px;padding:12px 14px}
.card .label{font-size:13px;color:#6b7280}.card .value{font-size:28px;font-weight:700;margin:2px 0}
.card .delta{font-size:12.5px}.up{color:#b45309}.down{color:#047857}.flat{color:#6b7280}
.card.neg .up{color:#b91c1c}.card.neg .down{color:#047857}
.points{background:#eff6ff;border-left:4px solid #2563eb;padding:10px 18px;margin-top:20px;border-radius:4px}
.points li{margin:4px 0}
.nodata{background:#fef3c7;border-left:4px solid #d97706;padding:12px 18px;margin-top:20px;border-radius:4px}
img.chart{width:100%;height:auto}
.two{display:grid;grid-template-columns:1fr 1fr;gap:20px}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;color:#6b7280;font-weight:600;border-bottom:1px solid #e5e7eb;padding:6px 8px}
td{border-bottom:1px solid #f3f4f6;padding:6px 8px;vertical-align:top}.n{text-align:right;white-space:nowrap}
.post{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;margin:8px 0}
.post .who{font-weight:600}.post .when{color:#6b7280;font-size:13px}
.post .text{margin:6px 0}.post .src{color:#9ca3af;font-size:12px;word-break:break-all}
.tag{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;color:#fff}
.tag.negative{background:#d64541}.tag.neutral{background:#8b93a1}.tag.positive{background:#2e9e6b}
.tag.kind{background:#7c3aed}
footer{color:#9ca3af;font-size:12px;margin-top:32px;border-top:1px solid #e5e7eb;padding-top:10px}
@media print{body{background:#fff;padding:0}main{box-shadow:none}}
"""


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _img(b64: str, alt: str) -> str:
    return f'<img class="chart" alt="{e(alt)}" src="data:image/png;base64,{b64}">'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th class="n">{e(h)}</th>' if i in numeric else f"<th>{e(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def key_points(data: dict[str, Any], lang: str) -> list[str]:
    T, now, prev = TEXT[lang], data["now"], data["prev"]
    points = []
    if prev["posts"]:
        ratio = (now["posts"] - prev["posts"]) / prev["posts"]
        direction = T["kp_up"] if ratio > 0.0005 else T["kp_down"] if ratio < -0.0005 else T["kp_flat"]
        points.append(T["kp_volume"].format(dir=direction, pct=fmt_num(abs(ratio) * 100, lang) + "%",
                                            prev=T["prev"], n=fmt_num(now["posts"], lang)))
    else:
        points.append(T["kp_volume_new"].format(n=fmt_num(now["posts"], lang), prev=T["prev"]))
    if now["negative_share"] is not None:
        delta, _ = change(now["negative_share"], prev["negative_share"], lang, percent_points=True)
        points.append(T["kp_negative"].format(share=fmt_pct(now["negative_share"], lang),
                                              delta=delta or "–"))
    if data["alerts"]:
        kinds: dict[str, int] = {}
        for a in data["alerts"]:
            kinds[kind_name(a.get("kind"), lang)] = kinds.get(kind_name(a.get("kind"), lang), 0) + 1
        points.append(T["kp_alerts"].format(n=len(data["alerts"]),
                                            kinds=", ".join(f"{k} ({n})" for k, n in kinds.items())))
    if data["coordination"]:
        largest = max(int(c["accounts"] or 0) for c in data["coordination"])
        points.append(T["kp_coord"].format(n=len(data["coordination"]), accounts=largest))
    if data["kols"]:
        points.append(T["kp_kol"].format(handle=data["kols"][0]["handle"]))
    return points


def kind_name(kind: Any, lang: str) -> str:
    T = TEXT[lang]
    return {"volume_spike": T["volume_spike"], "negative_surge": T["negative_surge"],
            "coordination": T["coordination_kind"]}.get(str(kind), str(kind))


def render(data: dict[str, Any], lang: str = "id", generated_ms: int | None = None) -> str:
    """The brief as one self-contained HTML document."""
    T, now, prev = TEXT[lang], data["now"], data["prev"]
    generated_ms = int(time.time() * 1000) if generated_ms is None else generated_ms
    span = data["end"] - data["start"]
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(T['title'])}: {e(data['issue'])}</title><style>{CSS}</style></head><body><main>",
           f'<h1>{e(T["title"])}: <span class="issue">{e(data["issue"])}</span></h1>',
           f'<p class="meta">{e(T["period"])}: {e(fmt_time(data["start"], lang))} – '
           f'{e(fmt_time(data["end"], lang))} WIB ({e(fmt_since(span, lang))}) · '
           f'{e(T["generated"])}: {e(fmt_time(generated_ms, lang))} WIB</p>']

    cards = [("posts", fmt_num(now["posts"], lang), change(now["posts"], prev["posts"], lang), ""),
             ("authors", fmt_num(now["authors"], lang), change(now["authors"], prev["authors"], lang), ""),
             ("reach", fmt_num(now["reach"], lang), change(now["reach"], prev["reach"], lang), ""),
             ("negative", fmt_pct(now["negative_share"], lang),
              change(now["negative_share"], prev["negative_share"], lang, percent_points=True), " neg")]
    out.append('<div class="cards">')
    for key, value, (delta, cls), extra in cards:
        out.append(f'<div class="card{extra}" data-metric="{key}"><div class="label">{e(T[key])}</div>'
                   f'<div class="value">{e(value)}</div><div class="delta {cls}">{e(delta)}</div></div>')
    out.append("</div>")

    if not now["posts"]:
        out.append(f'<div class="nodata">{e(T["no_data"])}</div>')
    else:
        out.append(f'<div class="points"><strong>{e(T["key_points"])}</strong><ul>'
                   + "".join(f"<li>{e(p)}</li>" for p in key_points(data, lang)) + "</ul></div>")
        out.append(f'<h2>{e(T["volume"])}</h2>' + _img(volume_chart(data["volume"], data["interval"], lang),
                                                         T["volume"]))
        out.append(f'<h2>{e(T["sentiment"])}</h2>'
                   + _img(sentiment_chart(data["sentiment"], data["interval"], lang), T["sentiment"]))

        out.append(f'<h2>{e(T["top_posts"])}</h2>')
        for p in data["top_posts"]:
            author, label = p.get("author") or {}, (p.get("sentiment") or {}).get("label") or "unknown"
            eng = p.get("engagement") or {}
            interactions = sum(int(eng.get(k) or 0) for k in ("likes", "replies", "reposts", "quotes"))
            text = (p.get("text") or "").strip()
            text = text if len(text) <= 320 else text[:317] + "…"
            out.append(
                f'<div class="post"><span class="who">@{e(author.get("handle") or author.get("id"))}</span> '
                f'<span class="when">· {e(p.get("platform"))} · {e(fmt_time(p["created_at"], lang))} WIB · '
                f'{e(T["followers"])} {e(fmt_num(author.get("followers"), lang))} · '
                f'{e(T["influence"])} {e(fmt_num((p.get("influence") or {}).get("score"), lang, 1))} · '
                f'{e(fmt_num(interactions, lang))} {e(T["interactions"])}</span> '
                f'<span class="tag {e(label)}">{e(T.get(label + "_l", label))}</span>'
                f'<div class="text">{e(text)}</div><div class="src">{e(p.get("url") or "")}</div></div>')

        out.append(f'<h2>{e(T["kols"])}</h2>')
        out.append(_table([T["handle"], T["influence"], T["posts"], T["reach"], T["followers"]], [
            [f"@{e(k['handle'])}", e(fmt_num(k["influence"], lang, 1)), e(fmt_num(k["posts"], lang)),
             e(fmt_num(k["reach"], lang)), e(fmt_num(k["followers"], lang))] for k in data["kols"]], {1, 2, 3, 4}))

        names = LANGUAGES[lang]
        lang_labels = [names.get(r["language"], r["language"]) for r in data["languages"]]
        total = sum(r["posts"] for r in data["languages"]) or 1
        charts = []
        if data["languages"]:
            charts.append(f'<div><h2>{e(T["languages"])}</h2>' + _img(bar_chart(
                [f"{l} ({fmt_pct(r['posts'] / total, lang)})" for l, r in zip(lang_labels, data["languages"])],
                [r["posts"] for r in data["languages"]], "#0891b2", T["posts"]), T["languages"]) + "</div>")
        if data["hashtags"]:
            charts.append(f'<div><h2>{e(T["hashtags"])}</h2>' + _img(bar_chart(
                [f"#{r['hashtag']}" for r in data["hashtags"]], [r["posts"] for r in data["hashtags"]],
                "#7c3aed", T["posts"]), T["hashtags"]) + "</div>")
        out.append('<div class="two">' + "".join(charts) + "</div>")

        out.append(f'<h2>{e(T["entities"])}</h2>')
        out.append(_table([T["entity"], T["mentions"]],
                          [[e(r["entity"]), e(fmt_num(r["mentions"], lang))] for r in data["entities"]], {1})
                   if data["entities"] else f"<p>{e(T['none'])}</p>")

    out.append(f'<h2>{e(T["alerts"])}</h2>')
    if data["alerts"]:
        out.append(_table([T["time"], T["kind"], T["count"], T["ratio"], T["negative"]], [
            [e(fmt_time(a["window_start"], lang) if isinstance(a.get("window_start"), (int, float))
               else a.get("window_start")),
             f'<span class="tag kind">{e(kind_name(a.get("kind"), lang))}</span>',
             e(fmt_num(a.get("count"), lang)),
             e(fmt_num(a.get("ratio"), lang, 1) + "×" if a.get("ratio") is not None else "–"),
             e(fmt_pct(a.get("negative_share"), lang))] for a in data["alerts"]], {2, 3, 4}))
    else:
        out.append(f"<p>{e(T['none'])}</p>")

    out.append(f'<h2>{e(T["coordination"])}</h2>')
    if data["coordination"]:
        rows = []
        for c in data["coordination"]:
            detail = c.get("detail") or {}
            members = detail.get("handles") or detail.get("members") or []
            sample = detail.get("sample_texts", detail.get("sample_text")) or ""
            sample = sample[0] if isinstance(sample, list) and sample else sample
            rows.append([e(c["cluster"]), e(fmt_num(c["accounts"], lang)), e(fmt_num(c["posts"], lang)),
                         e(fmt_num(c["coord_score"], lang, 2)),
                         e(", ".join(f"@{m}" for m in members[:8]) if isinstance(members, list) else members),
                         e(sample if isinstance(sample, str) else "")])
        out.append(_table([T["cluster"], T["accounts"], T["posts"], T["score"], T["members"], T["sample"]],
                          rows, {1, 2, 3}))
    else:
        out.append(f"<p>{e(T['none'])}</p>")

    out.append(f'<footer>{e(T["footer"])}</footer></main></body></html>')
    return "\n".join(out)
