"""A deterministic generator of the bundled demo sample (``deploy/sample/posts.jsonl``).

The sample is a synthetic two-day slice of Indonesian social media: seven platforms, posts in
Indonesian (formal and slang), English, Javanese, Sundanese, Malay and code-mixed
Indonesian-English about public issues, with replies, reposts and quotes, one coordinated
"buzzer" campaign and one organic spike (a flood in Semarang).  Every text comes from the
templates in ``devtools.sample.content*``; the generator fills their slots, adds platform
metadata and engagement, and knows the ground-truth labels of each post.

API::

    generate(n=1500, seed=20261125, start=datetime(2026, 11, 24, 12, tzinfo=timezone.utc))
        -> list[dict]                      # RawPost JSON dicts, sorted by created_at
    generate_labelled(...) -> list[tuple[dict, dict]]   # (post, labels)
    to_avro_record(post) -> dict           # ISO timestamps as epoch millis (raw_post.v2)

Regenerate the committed file with::

    python -m devtools.sample.posts --out deploy/sample/posts.jsonl

Stdlib only.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import random
import re
import string
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from devtools.sample import content as C
from devtools.sample import content_events as E
from devtools.sample.content_intl import EN_TEMPLATES, MIX_TEMPLATES, MS_TEMPLATES
from devtools.sample.content_regional import JV_TEMPLATES, SU_TEMPLATES

DEFAULT_N = 1500
DEFAULT_SEED = 20261125
DEFAULT_START = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
WINDOW = timedelta(hours=48)

#: share of each language (labels use ISO 639-1 codes, "id-en" for code-mixed).
LANG_SHARES: dict[str, float] = {"id": 0.55, "en": 0.15, "jv": 0.12, "su": 0.10, "ms": 0.03,
                                 "id-en": 0.05}
TEMPLATES: dict[str, dict[str, list[str]]] = {
    "id": C.ID_TEMPLATES, "en": EN_TEMPLATES, "jv": JV_TEMPLATES, "su": SU_TEMPLATES,
    "ms": MS_TEMPLATES, "id-en": MIX_TEMPLATES,
}
SENTIMENTS = {"pos": "positive", "neu": "neutral", "neg": "negative"}
PLATFORMS = ("x", "facebook", "instagram", "tiktok", "youtube", "news", "forum")

#: per 1,500 posts: size of the campaign and of the flood spike; regular authors per platform.
CAMPAIGN_POSTS, CAMPAIGN_ACCOUNTS, SPIKE_POSTS = 60, 40, 90
REGULAR_AUTHORS = {"x": 95, "facebook": 45, "instagram": 35, "tiktok": 35, "youtube": 20,
                   "forum": 25}
#: when, relative to ``start``, the campaign and the spike begin.
CAMPAIGN_AT = timedelta(hours=-10, minutes=-13)   # 08:47 WIB on the last morning
CAMPAIGN_SPAN = timedelta(minutes=9)
SPIKE_AT = timedelta(hours=-14, minutes=-52)      # 04:08 WIB, a levee breaks before dawn
SPIKE_SPAN = timedelta(minutes=58)

#: probability that a regular post is a reply / repost / quote, by platform.
INTERACTION: dict[str, tuple[float, float, float]] = {
    "x": (0.12, 0.07, 0.04), "facebook": (0.12, 0.05, 0.0), "instagram": (0.13, 0.0, 0.0),
    "tiktok": (0.13, 0.0, 0.0), "youtube": (0.5, 0.0, 0.0), "forum": (0.45, 0.0, 0.0),
    "news": (0.0, 0.0, 0.0),
}
#: probability of appending hashtags, and how many at most, by platform.
HASHTAG_RATE: dict[str, tuple[float, int]] = {
    "x": (0.35, 2), "facebook": (0.15, 1), "instagram": (0.75, 3), "tiktok": (0.7, 3),
    "youtube": (0.3, 2), "news": (0.0, 0), "forum": (0.0, 0),
}
GEO_RATE: dict[str, float] = {"x": 0.14, "facebook": 0.1, "instagram": 0.3, "tiktok": 0.12,
                              "youtube": 0.0, "news": 0.0, "forum": 0.0}
NEWS_SECTIONS = {"fuel_price": "ekonomi", "flood": "megapolitan", "traffic": "megapolitan",
                 "public_transport": "megapolitan", "free_meals": "nasional",
                 "power_outage": "nasional", "football": "bola", "rice_price": "ekonomi",
                 "online_gambling": "hukum", "kendeng": "daerah", "ikn": "nasional",
                 "tax": "ekonomi", "local_government": "daerah", "data_leak": "tekno",
                 "weather": "nasional"}
FORUM_HOST = "https://obrolanwarga.net"
FORUM_BOARDS = {"football": "Sepak Bola", "chatter": "Lounge", "customer_service": "Keluhan",
                "data_leak": "Teknologi", "online_gambling": "Berita & Politik"}

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?)")
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w{1,100})", re.UNICODE)
SLOT_RE = re.compile(r"\{([a-z_]+?)(\d*)\}")
B64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
X_EPOCH_MS = 1288834974657


@dataclass
class Author:
    """An account: where it posts, what it writes, how it behaves."""
    platform: str
    id: str
    handle: str
    display_name: str | None
    followers: int
    verified: bool
    langs: tuple[str, ...]
    home: str
    activity: float
    kind: str = "regular"          # regular | official | outlet | campaign
    domain: str | None = None      # outlets: web domain
    device: str = "android"

    def as_dict(self) -> dict[str, Any]:
        """The author record of a RawPost."""
        return {"id": self.id, "handle": self.handle, "display_name": self.display_name,
                "followers": self.followers, "verified": self.verified}


@dataclass
class Slot:
    """One planned post: when, in which language, in which scenario."""
    at_ms: int
    lang: str
    scenario: str                  # organic | campaign | flood_spike
    post: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    author: Author | None = None


def iso_ms(ms: int) -> str:
    """Epoch millis as ISO-8601 UTC with milliseconds: ``2026-11-24T08:15:30.123Z``."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso_ms(value: str) -> int:
    """ISO-8601 (``Z`` or offset) as epoch millis."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))


def to_epoch_ms(dt: datetime) -> int:
    """A timezone-aware datetime as epoch millis."""
    return int(round(dt.timestamp() * 1000))


def digits(rng: random.Random, k: int, first: str = "123456789") -> str:
    """k random digits, the first one from ``first`` (no leading zero by default)."""
    return rng.choice(first) + "".join(rng.choice(string.digits) for _ in range(k - 1))


def b64_id(rng: random.Random, k: int) -> str:
    """k random characters of the URL-safe base64 alphabet (YouTube-like ids)."""
    return "".join(rng.choice(B64) for _ in range(k))


def shortcode(media_id: int) -> str:
    """Instagram's shortcode of a numeric media id (base64 over its alphabet)."""
    out = ""
    while media_id:
        media_id, r = divmod(media_id, 64)
        out = B64[r] + out
    return out or "A"


def quotas(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Split n by shares with the largest-remainder method (deterministic order)."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(math.floor(v)) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[: n - sum(out.values())]:
        out[k] += 1
    return out


def weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    """One item drawn with the given weights."""
    return rng.choices(items, weights=weights, k=1)[0]


# --------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------

AUTHOR_LANG_SHARES = {"id": 0.52, "en": 0.13, "jv": 0.14, "su": 0.12, "ms": 0.03, "id-en": 0.06}


def _author_id(rng: random.Random, platform: str, new_account: bool = False) -> str:
    if platform == "x":
        return digits(rng, 19, "1") if new_account else digits(rng, rng.choice([8, 9, 10, 10, 19]))
    if platform == "facebook":
        return "1000" + digits(rng, 11, string.digits)
    if platform == "instagram":
        return digits(rng, rng.choice([8, 10, 11]))
    if platform == "tiktok":
        return rng.choice(["68", "69", "70", "72"]) + digits(rng, 17, string.digits)
    if platform == "youtube":
        return "UC" + b64_id(rng, 22)
    return digits(rng, rng.choice([4, 5, 6]))   # forum


def _handle(rng: random.Random, first: str, last: str, platform: str) -> str:
    f, l, w = first.lower(), last.lower(), rng.choice(E.HANDLE_WORDS)
    sep = "." if platform in ("instagram", "tiktok") and rng.random() < 0.5 else "_"
    style = rng.randrange(6)
    if style == 0:
        h = f + l[: rng.randint(2, 5)] + digits(rng, rng.randint(2, 4), string.digits)
    elif style == 1:
        h = w + sep + f
    elif style == 2:
        h = f + sep + w + str(rng.randint(1, 99))
    elif style == 3:
        h = f + l
    elif style == 4:
        h = f + sep + l + str(rng.choice([90, 95, 98, 99, 2000, 2001, 2003, 88, 17]))
    else:
        h = w + f.capitalize() + str(rng.randint(1, 999))
    return h[:15] if platform == "x" else h[:24]


def _display(rng: random.Random, first: str, last: str) -> str:
    style = rng.randrange(5)
    if style == 0:
        return first
    if style == 1:
        return f"{first} {rng.choice(['🌻', '✨', '🇮🇩', '☕', '🐈', '⚽'])}"
    if style == 2:
        return f"{first} {last[0]}."
    return f"{first} {last}"


def _regular_author(rng: random.Random, platform: str, taken: set[str]) -> Author:
    primary = weighted(rng, list(AUTHOR_LANG_SHARES), list(AUTHOR_LANG_SHARES.values()))
    langs = {primary}
    if primary in ("jv", "su", "id-en", "ms") and rng.random() < 0.6:
        langs.add("id")
    if primary == "id" and rng.random() < 0.15:
        langs.add(rng.choice(["id-en", "en", "jv"]))
    if primary == "en" and rng.random() < 0.3:
        langs.add("id-en")
    firsts = E.FIRST_NAMES + E.NAMES_BY_LANG.get(primary, []) * 3
    first, last = rng.choice(firsts), rng.choice(E.LAST_NAMES)
    handle = _handle(rng, first, last, platform)
    while handle.lower() in taken:
        handle = handle[:12] + str(rng.randint(10, 99))
    taken.add(handle.lower())
    followers = min(int(rng.lognormvariate(5.0, 1.45)), 180_000)
    if rng.random() < 0.03:
        followers = rng.randint(40_000, 900_000)   # an unverified influencer
    display = _display(rng, first, last)
    return Author(platform=platform, id=_author_id(rng, platform), handle=handle,
                  display_name=display if platform != "forum" else None, followers=followers, verified=False,
                  langs=tuple(sorted(langs)), home=rng.choice(C.HOME_CITIES[primary]),
                  activity=rng.paretovariate(1.6),
                  device=weighted(rng, ["android", "iphone", "web"], [0.7, 0.2, 0.1]))


def make_authors(rng: random.Random, scale: float = 1.0) -> list[Author]:
    """Outlets, verified accounts, regular users (heavy-tailed) and the campaign's accounts."""
    authors: list[Author] = []
    for name, handle, domain, followers, lang in E.OUTLETS:
        authors.append(Author("news", domain, handle, name, followers, True, (lang,), "Jakarta",
                              1.0, kind="outlet", domain=domain, device="web"))
    for platform, name, handle, followers, lang in E.VERIFIED:
        authors.append(Author(platform, _author_id(rng, platform), handle, name, followers, True,
                              (lang,), "Jakarta", 1.0, kind="official", device="web"))
    taken = {a.handle.lower() for a in authors}
    for platform, count in REGULAR_AUTHORS.items():
        for _ in range(max(2, round(count * scale))):
            authors.append(_regular_author(rng, platform, taken))
    for i in range(max(3, round(CAMPAIGN_ACCOUNTS * scale))):
        stem = E.CAMPAIGN_HANDLE_STEMS[i % len(E.CAMPAIGN_HANDLE_STEMS)]
        handle = f"{stem}{digits(rng, rng.randint(2, 4), string.digits)}"[:15]
        while handle.lower() in taken:
            handle = handle[:11] + digits(rng, 4, string.digits)
        taken.add(handle.lower())
        display = stem.replace("_", " ").title() + rng.choice(["", " 🇮🇩", " ID", " 45"])
        authors.append(Author("x", _author_id(rng, "x", new_account=True), handle, display,
                              rng.randint(0, 60), False, ("id",), "Jakarta", 1.0,
                              kind="campaign", device="web"))
    return authors


# --------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------

ELONGATE = ("bgt", "banget", "parah", "capek", "gila", "mantul", "enak", "keren", "lama",
            "panas", "tenan", "pisan", "seneng", "kesel", "lur", "euy", "deh", "sih", "amazing")
FORMAL_MARK = "!"


@dataclass
class Rendered:
    """A filled template: text, optional headline, the place it talks about."""
    text: str
    sentiment: str
    title: str | None = None
    city: str | None = None
    formal: bool = False


def split_template(raw: str) -> tuple[str, bool, str | None, str]:
    """``"neg!|Head||body"`` -> (sentiment, formal, headline, body)."""
    code, body = raw.split("|", 1)
    formal = code.endswith(FORMAL_MARK)
    head = None
    if "||" in body:
        head, body = body.split("||", 1)
    return SENTIMENTS[code.rstrip(FORMAL_MARK)], formal, head, body


def fill_slots(text: str, rng: random.Random, topic: str, values: dict[str, str]) -> str:
    """Replace ``{slot}`` names; one value per name and post, numbered copies differ."""
    def pick(m: re.Match[str]) -> str:
        base, num = m.group(1), m.group(2)
        key = base + num
        if key in values:
            return values[key]
        if base == "at_official":
            handles = C.TOPIC_MENTIONS.get(topic) or []
            if "jkt_area" in values or "smg_area" in values:   # the right city hall
                wrong = "humaspemkotsmg" if "jkt_area" in values else "DKIJakarta"
                handles = [h for h in handles if h != wrong] or handles
            value = "@" + rng.choice(handles) if handles else ""
        elif base == "tag":
            value = "#" + rng.choice(C.TOPIC_HASHTAGS[topic])
        elif base in C.LINKED_SLOTS:
            src = C.LINKED_SLOTS[base]
            if src not in values:
                values[src + "#raw"] = rng.choice(C.SLOTS[src])
                values[src] = values[src + "#raw"].split("|")[0]
            value = "@" + values[src + "#raw"].split("|")[1]
        else:
            options = [v for v in C.SLOTS[base] if v != values.get(base)] if num else C.SLOTS[base]
            value = rng.choice(options)
            if "|" in value:
                values[base + "#raw"] = value
                value = value.split("|")[0]
        values[key] = value
        return value
    return SLOT_RE.sub(pick, text)


def tidy(text: str) -> str:
    """Fold the spaces left by empty slots."""
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r" ([.,!?])", r"\1", text).strip()


def slangify(text: str, rng: random.Random, lang: str) -> str:
    """Informal noise: lower-casing, elongations ("parah bangeeet"), laughter, dropped emoji."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if w.lower().strip(".,!?") in ELONGATE]
    if candidates and rng.random() < 0.35:
        i = rng.choice(candidates)
        w = words[i].rstrip(".,!?")
        tail = words[i][len(w):]
        vowels = [j for j, ch in enumerate(w) if ch in "aeiou"]
        if vowels:
            j = vowels[-1]
            w = w[: j + 1] + w[j] * rng.randint(2, 4) + w[j + 1:]
        else:
            w = w + w[-1] * rng.randint(1, 3)
        words[i] = w + tail
    text = " ".join(words)
    if rng.random() < 0.25:
        text = text.lower()
    if lang in ("id", "jv", "su", "id-en") and rng.random() < 0.07 and "wkwk" not in text:
        text += " " + rng.choice(["wkwk", "wkwkwk", "😂", "🤣", "hadeh", "hmm"])
    if rng.random() < 0.15:
        text = re.sub(r"\s*[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F1E6-\U0001F1FF\uFE0F]+$", "",
                      text)
    return text


def render(raw: str, rng: random.Random, topic: str, lang: str,
           forced: dict[str, str] | None = None) -> Rendered:
    """Fill one template; informal ones get slang noise."""
    sentiment, formal, head, body = split_template(raw)
    values = dict(forced or {})
    text = tidy(fill_slots(body, rng, topic, values))
    title = tidy(fill_slots(head, rng, topic, values)) if head else None
    if not formal:
        text = slangify(text, rng, lang)
    city = values.get("city")
    if city is None:
        found = [(m.start(), c) for c in C.CITY_COORDS
                 for m in [re.search(rf"\b{c}\b", text, re.IGNORECASE)] if m]
        city = min(found)[1] if found else None
    if city is None and "smg_area" in values:
        city = "Semarang"
    elif city is None and "jkt_area" in values:
        city = "Jakarta"
    return Rendered(text=text, sentiment=sentiment, title=title, city=city, formal=formal)


def add_hashtags(text: str, rng: random.Random, topic: str, platform: str,
                 extra: Sequence[str] = ()) -> str:
    """Append a few topic hashtags the way people do on the platform."""
    rate, most = HASHTAG_RATE[platform]
    if rng.random() >= rate:
        return text
    present = {h.lower() for h in HASHTAG_RE.findall(text)}
    pool = list(extra) or list(C.TOPIC_HASHTAGS[topic])
    tags = [t for t in pool[: max(most, 2) + 2] if t.lower() not in present]
    rng.shuffle(tags)
    tags = tags[: rng.randint(1, most)] if tags else []
    return text + (" " + " ".join("#" + t for t in tags) if tags else "")


def title_from(text: str, platform: str, rng: random.Random, sentiment: str) -> str:
    """A video or thread title from the first clause of the text."""
    clauses = [c for c in re.split(r"[.,!?\n]| - ", URL_RE.sub("", text)) if c.strip()]
    clause = " ".join(clauses[:2]) if clauses and len(clauses[0].split()) < 3 else (
        clauses[0] if clauses else "")
    clause = re.sub(r"[@#]\w+", "", clause)
    clause = re.sub(r"[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F1E6-\U0001F1FF\uFE0F]", "", clause)
    words = clause.split()[:9]
    head = " ".join(words) or "Info"
    head = head[0].upper() + head[1:]
    if platform == "forum":
        tag = "[Tanya]" if "?" in text else rng.choice(
            {"negative": ["[Curhat]", "[Keluhan]"], "positive": ["[Info]", "[Share]"],
             "neutral": ["[Info]", "[Diskusi]"]}[sentiment])
        return f"{tag} {head}"
    return head + rng.choice(["", "", " | VLOG", " #shorts", " (LIVE)", " - vlog harian"])


# --------------------------------------------------------------------------------------------
# Planning: languages, scenarios and times
# --------------------------------------------------------------------------------------------

#: relative activity per hour of the day in WIB (UTC+7).
HOURLY_WIB = [0.25, 0.15, 0.1, 0.1, 0.25, 0.6, 0.9, 1.1, 1.0, 0.9, 0.9, 1.0, 1.2, 1.1, 0.9, 0.9,
              1.0, 1.1, 1.3, 1.5, 1.6, 1.5, 1.1, 0.6]
#: how often each topic comes up in organic posts.
TOPIC_WEIGHTS: dict[str, float] = {
    "fuel_price": 1.0, "flood": 1.1, "traffic": 1.0, "public_transport": 1.0, "free_meals": 0.9,
    "power_outage": 0.8, "football": 1.1, "rice_price": 0.8, "online_gambling": 0.7,
    "kendeng": 0.5, "ikn": 0.5, "tax": 0.8, "customer_service": 0.9, "local_government": 0.8,
    "data_leak": 0.6, "weather": 0.8, "chatter": 1.6,
}
SPIKE_LANG_ACCEPT = {"id": 1.0, "jv": 1.0, "en": 0.3, "id-en": 0.5}
#: info accounts stick to their beat.
OFFICIAL_TOPICS: dict[str, tuple[str, ...]] = {
    "InfoLantasJBD": ("traffic", "public_transport", "weather"),
    "InfoBanjirJateng": ("flood", "weather"), "infocuacanusantara": ("weather", "flood"),
}


def plan(rng: random.Random, n: int, start: datetime) -> list[Slot]:
    """Languages by quota, the campaign and spike slots, and a created_at for each, sorted."""
    q = quotas(n, LANG_SHARES)
    langs = [lang for lang in LANG_SHARES for _ in range(q[lang])]
    rng.shuffle(langs)
    n_campaign = round(CAMPAIGN_POSTS * n / DEFAULT_N)
    n_spike = round(SPIKE_POSTS * n / DEFAULT_N)
    scenario = ["organic"] * n
    for i in [i for i, lang in enumerate(langs) if lang == "id"][:n_campaign]:
        scenario[i] = "campaign"
    spiked = 0
    for i, lang in enumerate(langs):
        if spiked >= n_spike:
            break
        if scenario[i] == "organic" and rng.random() < SPIKE_LANG_ACCEPT.get(lang, 0.0):
            scenario[i], spiked = "flood_spike", spiked + 1
    start_ms, window_ms = to_epoch_ms(start), int(WINDOW.total_seconds() * 1000)
    slots: list[Slot] = []
    for lang, scen in zip(langs, scenario):
        if scen == "campaign":
            at = start_ms + int(CAMPAIGN_AT.total_seconds() * 1000) + rng.randrange(
                int(CAMPAIGN_SPAN.total_seconds() * 1000))
        elif scen == "flood_spike":
            at = start_ms + int(SPIKE_AT.total_seconds() * 1000) + int(
                rng.triangular(0, 1, 0.25) * SPIKE_SPAN.total_seconds() * 1000)
        else:
            while True:
                at = start_ms - window_ms + rng.randrange(window_ms)
                hour_wib = (datetime.fromtimestamp(at / 1000, tz=timezone.utc).hour + 7) % 24
                if rng.random() < HOURLY_WIB[hour_wib] / max(HOURLY_WIB):
                    break
        slots.append(Slot(at_ms=at, lang=lang, scenario=scen))
    slots.sort(key=lambda s: (s.at_ms, s.lang, s.scenario))
    for prev, cur in zip(slots, slots[1:]):
        if cur.at_ms <= prev.at_ms:
            cur.at_ms = prev.at_ms + 1
    return slots


def topics_for(lang: str, formal: bool | None) -> list[str]:
    """Topics with at least one template of the wanted register (None: any) in a language."""
    out = []
    for topic, raws in TEMPLATES[lang].items():
        if any(formal is None or split_template(r)[1] == formal for r in raws):
            out.append(topic)
    return out


def pick_topic(rng: random.Random, lang: str, formal: bool, allowed: Sequence[str] = ()) -> str:
    """A topic for an original post, weighted by :data:`TOPIC_WEIGHTS`."""
    topics = [t for t in topics_for(lang, formal) if not allowed or t in allowed]
    return weighted(rng, topics, [TOPIC_WEIGHTS[t] for t in topics])


def pick_template(rng: random.Random, lang: str, topic: str, formal: bool,
                  spike: bool = False) -> str:
    """One template of the register, from the spike set or the topic set."""
    pool = E.SPIKE_TEMPLATES.get(lang, []) if spike else TEMPLATES[lang].get(topic, [])
    raws = [r for r in pool if split_template(r)[1] == formal]
    if not raws and spike:
        return pick_template(rng, lang, "flood", formal)
    return rng.choice(raws)


# --------------------------------------------------------------------------------------------
# Building posts
# --------------------------------------------------------------------------------------------

MAX_TRIES = 40
RECENT_MS = 18 * 3600 * 1000


def word_count(text: str) -> int:
    """Words as whitespace-separated tokens."""
    return len(text.split())


class Builder:
    """Turns planned slots into posts, in created_at order, so references point backwards."""

    def __init__(self, rng: random.Random, authors: list[Author]):
        self.rng = rng
        self.authors = authors
        self.done: list[Slot] = []
        self.by_platform: dict[str, list[Slot]] = {p: [] for p in PLATFORMS}
        self.texts: set[str] = set()
        self.reposted: set[str] = set()
        self.spike_authors: set[str] = set()
        camp = [a for a in authors if a.kind == "campaign"]
        rng.shuffle(camp)
        self.campaign_queue = camp + [rng.choice(camp) for _ in range(len(camp))]
        self.campaign_used = 0

    # -- authors ------------------------------------------------------------------------------
    def choose_author(self, slot: Slot) -> Author:
        """An account that writes this language; official accounts sometimes, spikes spread out."""
        rng = self.rng
        spike = slot.scenario == "flood_spike"
        if slot.lang in ("id", "en") and rng.random() < (0.1 if spike else 0.11):
            offi = [a for a in self.authors if a.kind in ("outlet", "official")
                    and slot.lang in a.langs and (not spike or slot.lang == "id")
                    and (slot.lang != "en" or a.kind == "outlet" or a.platform == "x")]
            if offi:
                return weighted(rng, offi, [1.6 if a.kind == "outlet" else 1.0 for a in offi])
        pool = [a for a in self.authors if a.kind == "regular" and slot.lang in a.langs] or [
            a for a in self.authors if a.kind == "regular"]   # tiny samples
        if spike:
            weights = [(0.05 if a.id in self.spike_authors else 1.0)
                       * (4.0 if a.home in ("Semarang", "Kudus", "Pati") else 1.0) for a in pool]
        else:
            weights = [a.activity for a in pool]
        return weighted(rng, pool, weights)

    # -- parents ------------------------------------------------------------------------------
    def parents(self, slot: Slot, author: Author, kind: str) -> list[Slot]:
        """Earlier posts this one may reply to / repost / quote."""
        out = []
        for p in self.by_platform[author.platform]:
            if p.labels["scenario"] == "campaign" or p.post["repost_of"] or p.author is author:
                continue
            if slot.at_ms - p.at_ms > RECENT_MS:
                continue
            if slot.scenario == "flood_spike" and p.labels["scenario"] != "flood_spike":
                continue
            if author.platform in ("youtube", "forum", "instagram", "tiktok") and (
                    p.post["reply_to"] or p.post["quote_of"]):
                continue
            if author.platform == "youtube" and p.post["title"] is None:
                continue
            if kind == "repost":
                if p.labels["lang"] != slot.lang or p.post["post_id"] in self.reposted \
                        or word_count(p.post["text"]) > 56:
                    continue
            elif p.labels["topic"] not in topics_for(slot.lang, False):
                continue
            out.append(p)
        return out

    def pick_parent(self, candidates: list[Slot]) -> Slot:
        """Popular and recent posts draw more interaction."""
        latest = max(c.at_ms for c in candidates)
        weights = [math.log10(c.author.followers + 10) / (1 + (latest - c.at_ms) / 3.6e6)
                   for c in candidates]
        return weighted(self.rng, candidates, weights)

    def choose_kind(self, author: Author) -> str:
        """original | reply | repost | quote."""
        if author.kind != "regular":
            return "original"
        reply, repost, quote = INTERACTION[author.platform]
        r = self.rng.random()
        if r < reply:
            return "reply"
        if r < reply + repost:
            return "repost"
        if r < reply + repost + quote:
            return "quote"
        return "original"

    # -- texts --------------------------------------------------------------------------------
    def unique(self, text: str) -> bool:
        """New text, 5-60 words."""
        return text not in self.texts and 5 <= word_count(text) <= 60

    def campaign_text(self) -> str:
        """The campaign sentence with small edits."""
        for _ in range(200):
            values = {k: self.rng.choice(v) for k, v in E.CAMPAIGN_SLOTS.items()}
            text = tidy(E.CAMPAIGN_TEMPLATE.format(**values))
            if self.unique(text):
                return text
        raise RuntimeError("campaign variants exhausted")

    def official_text(self, author: Author, r: Rendered, topic: str) -> tuple[str, str | None]:
        """What an outlet or a verified account publishes: (text, title)."""
        rng = self.rng
        if author.platform == "news":
            dateline = (r.city or "Jakarta").upper()
            sep = f", {author.display_name} -" if rng.random() < 0.5 else f" ({author.display_name}) -"
            return f"{dateline}{sep} {r.text}", r.title
        if author.platform == "youtube":
            return r.text, f"{r.title} | {author.display_name}"
        if author.handle in OFFICIAL_TOPICS:
            return r.text, None
        own = [o for o in E.OUTLETS if o[0] == author.display_name]
        outlet = own[0] if own else rng.choice([o for o in E.OUTLETS if o[4] in author.langs])
        link = f"https://{outlet[2]}/read/{digits(rng, 6)}/{slugify(r.title or topic)}"
        if author.platform in ("x", "facebook"):
            return f"{r.title}. {link}", None
        return f"{r.title}. {r.text}", None

    def compose(self, slot: Slot, author: Author, kind: str,
                parent: Slot | None) -> tuple[str, str | None, dict[str, Any]] | None:
        """Text, title and labels of a post, or None when no new text could be found."""
        rng, lang, spike = self.rng, slot.lang, slot.scenario == "flood_spike"
        if slot.scenario == "campaign":
            return self.campaign_text(), None, {"sentiment": "positive", "topic": "free_meals",
                                                "register": "informal"}
        if kind == "repost" and parent is not None:
            if author.platform == "x":
                text = f"RT @{parent.author.handle}: {parent.post['text']}"
                return (text, None, dict(parent.labels)) if self.unique(text) else None
        formal = author.kind in ("outlet", "official")
        for _ in range(MAX_TRIES):
            if parent is not None:
                topic = parent.labels["topic"]
            elif spike:
                topic = "flood"
            else:
                allowed = OFFICIAL_TOPICS.get(author.handle, ())
                topic = pick_topic(rng, lang, formal, allowed)
            raw = pick_template(rng, lang, topic, formal,
                                spike=spike and (parent is None or parent.labels["scenario"] == "flood_spike"))
            r = render(raw, rng, topic, lang)
            title = None
            if formal:
                text, title = self.official_text(author, r, topic)
            else:
                text = r.text
                extra = ["BanjirSemarang", "PrayForSemarang", "InfoBanjir", "Banjir"] if spike else ()
                if parent is None:
                    text = add_hashtags(text, rng, topic, author.platform, extra)
                if kind == "reply" and parent is not None and (
                        author.platform == "x" or (author.platform == "instagram" and rng.random() < 0.4)):
                    text = f"@{parent.author.handle} {text}"
                if kind == "original" and author.platform in ("youtube", "forum"):
                    title = title_from(r.text, author.platform, rng, r.sentiment)
            if self.unique(text):
                slot.labels["_city"] = "Semarang" if spike else r.city
                return text, title, {"sentiment": r.sentiment, "topic": topic,
                                     "register": "formal" if formal else "informal"}
        return None


def slugify(text: str) -> str:
    """A URL slug: lower-case ASCII words joined by dashes."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words[:7]) or "berita"


# --------------------------------------------------------------------------------------------
# Platform metadata: ids, urls, engagement, geo, language hints, extras
# --------------------------------------------------------------------------------------------

def post_ids(rng: random.Random, author: Author, at_ms: int, kind: str, parent: Slot | None,
             title: str | None, topic: str) -> tuple[str, str]:
    """A platform-like (post_id, url)."""
    p, h = author.platform, author.handle
    if p == "x":
        pid = str(((at_ms - X_EPOCH_MS) << 22) | rng.getrandbits(22))
        return pid, f"https://x.com/{h}/status/{pid}"
    if p == "facebook":
        if kind == "reply" and parent is not None:
            pid = f"{parent.post['post_id']}_{digits(rng, 15)}"
            return pid, f"{parent.post['url']}?comment_id={pid.split('_')[1]}"
        pid = digits(rng, 16)
        return pid, f"https://www.facebook.com/{h}/posts/{pid}"
    if p == "instagram":
        if kind == "reply" and parent is not None:
            pid = "18" + digits(rng, 15, string.digits)
            return pid, f"{parent.post['url']}c/{pid}/"
        media = ((at_ms - 1_000_000_000_000) << 23) | rng.getrandbits(23)
        return str(media), f"https://www.instagram.com/p/{shortcode(media)}/"
    if p == "tiktok":
        tid = str(((at_ms // 1000) << 32) | rng.getrandbits(32))
        if kind == "reply" and parent is not None:
            return tid, f"{parent.post['url']}?comment_id={tid}"
        return tid, f"https://www.tiktok.com/@{h}/video/{tid}"
    if p == "youtube":
        if kind == "reply" and parent is not None:
            cid = "Ug" + rng.choice("wxyz") + b64_id(rng, 23)
            return cid, f"{parent.post['url']}&lc={cid}"
        vid = b64_id(rng, 11)
        return vid, f"https://www.youtube.com/watch?v={vid}"
    if p == "news":
        num = digits(rng, 7)
        day = datetime.fromtimestamp(at_ms / 1000, tz=timezone.utc).strftime("%Y/%m/%d")
        section = NEWS_SECTIONS.get(topic, "nasional")
        return (f"{h}-{num}",
                f"https://{author.domain}/{section}/{day}/{num}/{slugify(title or topic)}")
    if kind == "reply" and parent is not None:   # forum
        pid = "p-" + digits(rng, 8)
        return pid, f"{parent.post['url']}#post-{pid[2:]}"
    tid = digits(rng, 7)
    return "t-" + tid, f"{FORUM_HOST}/t/{slugify(title or topic)}.{tid}"


def engagement(rng: random.Random, author: Author, kind: str, scenario: str,
               has_video: bool) -> dict[str, int | None]:
    """Counts that scale with the audience, heavy-tailed; views where the platform counts them."""
    p = author.platform
    if scenario == "campaign":
        likes = rng.randint(0, 6)
        return {"likes": likes, "replies": rng.randint(0, 1), "reposts": rng.randint(0, 4),
                "quotes": 0, "views": rng.randint(8, 160)}
    reach = max(author.followers, 20) * rng.lognormvariate(-4.0, 1.2)
    if scenario == "flood_spike":
        reach *= 4
    if kind in ("reply", "repost"):
        reach *= 0.15
    likes = int(reach) + rng.randint(0, 3)
    replies = int(likes * rng.uniform(0.02, 0.2))
    reposts = int(likes * rng.uniform(0.03, 0.25)) if p in ("x", "facebook", "tiktok") else 0
    quotes = int(reposts * rng.uniform(0.0, 0.15)) if p == "x" else 0
    views: int | None = None
    if p == "x":
        views = int(likes * rng.uniform(25, 90) + author.followers * rng.uniform(0.02, 0.3))
    elif p in ("tiktok", "youtube") and kind == "original":
        views = int(likes * rng.uniform(15, 60) + rng.randint(50, 900))
    elif p == "instagram" and has_video:
        views = int(likes * rng.uniform(8, 30) + rng.randint(20, 300))
    elif p == "forum" and kind == "original":
        views = int(rng.lognormvariate(5.5, 1.0))
    if p == "news":
        likes = replies = reposts = 0
    return {"likes": likes, "replies": replies, "reposts": reposts, "quotes": quotes,
            "views": views}


def geo_for(rng: random.Random, author: Author, city: str | None,
            scenario: str) -> dict[str, Any] | None:
    """~10% of posts carry a place: the city they talk about, else the author's home."""
    rate = GEO_RATE[author.platform] * (1.6 if scenario == "flood_spike" else 1.0)
    if author.kind != "regular" or rng.random() >= rate:
        return None
    place = city if city in C.CITY_COORDS else author.home
    lat, lon = C.CITY_COORDS[place]
    return {"lat": round(lat + rng.uniform(-0.04, 0.04), 5),
            "lon": round(lon + rng.uniform(-0.04, 0.04), 5),
            "place": place, "country_code": "ID"}


def lang_hint(rng: random.Random, platform: str, lang: str, kind: str) -> str | None:
    """What the platform would claim: X guesses often (and is wrong for regional languages)."""
    r = rng.random()
    if platform == "x":
        if lang == "en":
            return "en" if r < 0.95 else "in"
        if lang == "id-en":
            return "in" if r < 0.55 else "en"
        if lang == "id":
            return "in" if r < 0.93 else "und"
        if lang == "ms":
            return "in" if r < 0.6 else "ms"
        return "in" if r < 0.6 else ("und" if r < 0.9 else "tl")
    if platform == "news":
        return "en" if lang == "en" else "id"
    if platform == "tiktok" and r < 0.5:
        return "en" if lang == "en" else "id"
    if platform == "youtube" and kind == "original" and r < 0.6:
        return "en" if lang == "en" else "id"
    return None


def extras_for(rng: random.Random, author: Author, kind: str, topic: str,
               parent: Slot | None) -> dict[str, str]:
    """Platform-specific fields, all strings (kept short: the sample ships in the repo)."""
    p = author.platform
    if p == "x":
        return {"device": author.device}
    if p == "facebook":
        kind_name = {"reply": "comment", "repost": "share"}.get(
            kind, rng.choice(["status", "photo", "link"]))
        return {"type": kind_name, **({"surface": "group"} if rng.random() < 0.3 else {})}
    if p == "instagram":
        if kind == "reply":
            return {"media_type": "COMMENT"}
        return {"media_type": rng.choice(["IMAGE", "IMAGE", "CAROUSEL_ALBUM", "VIDEO"])}
    if p == "tiktok":
        if kind == "reply":
            return {"device": author.device}
        return {"device": author.device, "duration_s": str(rng.randint(8, 180))}
    if p == "youtube":
        if kind == "reply":
            return {"kind": "comment"}
        return {"kind": "video", "duration": f"PT{rng.randint(0, 24)}M{rng.randint(1, 59)}S"}
    if p == "news":
        return {"section": NEWS_SECTIONS.get(topic, "nasional")}
    board = FORUM_BOARDS.get(topic, "Berita & Politik" if topic != "weather" else "Lounge")
    return {"board": board}


def collected_delay_ms(rng: random.Random, platform: str) -> int:
    """Collectors poll: X streams within seconds, news and forums within minutes."""
    median_s = {"x": 12, "tiktok": 60, "youtube": 90, "facebook": 120, "instagram": 150,
                "news": 300, "forum": 420}[platform]
    return int(min(max(rng.lognormvariate(math.log(median_s), 0.8), 2.0), 1800) * 1000)


def build(b: Builder, slot: Slot) -> None:
    """Fill ``slot.post`` and ``slot.labels``; register the post for later references."""
    rng = b.rng
    if slot.scenario == "campaign":
        author, kind, parent = b.campaign_queue[b.campaign_used % len(b.campaign_queue)], "original", None
        b.campaign_used += 1
    else:
        author = b.choose_author(slot)
        kind = b.choose_kind(author)
        parent = None
        if kind != "original":
            candidates = b.parents(slot, author, kind)
            if candidates:
                parent = b.pick_parent(candidates)
            else:
                kind = "original"
    composed = b.compose(slot, author, kind, parent)
    if composed is None and parent is not None:
        kind, parent = "original", None
        composed = b.compose(slot, author, kind, parent)
    if composed is None:
        raise RuntimeError(f"no unique text for {slot.lang}/{slot.scenario}")
    text, title, labels = composed
    city = slot.labels.pop("_city", None)
    slot.author = author
    if parent is not None and kind == "repost" and author.platform == "x":
        labels = {k: parent.labels[k] for k in ("sentiment", "topic", "register")}
    slot.labels = {"lang": slot.lang, "sentiment": labels["sentiment"], "topic": labels["topic"],
                   "register": labels["register"], "scenario": slot.scenario}
    pid, url = post_ids(rng, author, slot.at_ms, kind, parent, title, labels["topic"])
    ex = extras_for(rng, author, kind, labels["topic"], parent)
    has_video = ex.get("media_type") == "VIDEO"
    slot.post = {
        "platform": author.platform, "post_id": pid, "author": author.as_dict(), "text": text,
        "title": title, "created_at": iso_ms(slot.at_ms),
        "collected_at": iso_ms(slot.at_ms + collected_delay_ms(rng, author.platform)),
        "url": url,
        "reply_to": parent.post["post_id"] if parent is not None and kind == "reply" else None,
        "repost_of": parent.post["post_id"] if parent is not None and kind == "repost" else None,
        "quote_of": parent.post["post_id"] if parent is not None and kind == "quote" else None,
        "engagement": engagement(rng, author, kind, slot.scenario, has_video),
        "hashtags": HASHTAG_RE.findall(URL_RE.sub(" ", text)),
        "mentions": MENTION_RE.findall(URL_RE.sub(" ", text)),
        "urls": [u.rstrip(".,;:!?)") for u in URL_RE.findall(text)],
        "geo": geo_for(rng, author, city, slot.scenario),
        "lang_hint": lang_hint(rng, author.platform, slot.lang, kind),
        "extras": ex,
    }
    if kind == "repost":
        b.reposted.add(parent.post["post_id"])  # type: ignore[union-attr]
    b.texts.add(text)
    b.done.append(slot)
    b.by_platform[author.platform].append(slot)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def generate_labelled(n: int = DEFAULT_N, seed: int = DEFAULT_SEED,
                      start: datetime = DEFAULT_START) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``n`` posts in the 48 hours before ``start`` with their labels, sorted by created_at.

    Labels: ``lang`` (id, en, jv, su, ms or id-en), ``sentiment`` (positive / neutral /
    negative), ``topic``, ``register`` (formal: news outlets and official accounts; informal:
    everyone else) and ``scenario`` (organic, campaign or flood_spike).
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    rng = random.Random(seed)
    authors = make_authors(rng, scale=max(n / DEFAULT_N, 0.1))
    builder = Builder(rng, authors)
    for slot in plan(rng, n, start):
        build(builder, slot)
    return [(copy.deepcopy(s.post), dict(s.labels)) for s in builder.done]


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED,
             start: datetime = DEFAULT_START) -> list[dict[str, Any]]:
    """``n`` RawPost dicts (JSON shape, ISO timestamps), sorted by created_at."""
    return [post for post, _ in generate_labelled(n, seed, start)]


def to_avro_record(post: dict[str, Any]) -> dict[str, Any]:
    """A RawPost dict whose timestamps are epoch millis, as raw_post.v2.avsc expects."""
    record = copy.deepcopy(post)
    for key in ("created_at", "collected_at"):
        if isinstance(record.get(key), str):
            record[key] = parse_iso_ms(record[key])
    return record


def dumps(posts: Sequence[dict[str, Any]]) -> str:
    """JSON lines, UTF-8 text kept as is, keys in schema order."""
    return "".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n" for p in posts)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m devtools.sample.posts --out deploy/sample/posts.jsonl [--n N --seed S]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="output JSONL file (default: stdout)")
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--start", default=DEFAULT_START.isoformat(),
                    help="end of the 48-hour window, ISO-8601 with offset")
    args = ap.parse_args(argv)
    start = datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    text = dumps(generate(args.n, args.seed, start))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.n} posts to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
