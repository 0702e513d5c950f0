"""A small, hand-checked dataset for the Kibana panel and leader-brief tests.

Two days in WIB (UTC+7): D1 = Tue 2026-11-24, D2 = Wed 2026-11-25. 18 posts, two watchlist issues
(``banjir-jakarta``, ``harga-bbm``; one post has both, two have none). Every expected number in the
tests is derived by hand from the table below (see the comments there), not by the code under test.

Post 9 is at 02:00 WIB on D2 = 19:00 UTC on D1: it lands on D2 only if buckets are in WIB.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from elasticsearch import helpers

from transforms.analyst.kibana import ALERTS_MAPPING, COORDINATION_MAPPING
from transforms.io.es_sink import EsConfig, bulk_action, install_template

WIB = dt.timezone(dt.timedelta(hours=7))
D1 = int(dt.datetime(2026, 11, 24, tzinfo=WIB).timestamp() * 1000)  # 2026-11-23T17:00:00Z
D2 = D1 + 86_400_000
END = D2 + 86_400_000
H = 3_600_000

BANJIR, BBM = "banjir-jakarta", "harga-bbm"
JAKARTA, SURABAYA, SINGAPORE, SYDNEY = (-6.2, 106.82), (-7.25, 112.75), (1.35, 103.82), (-33.87, 151.21)
#           handle          followers  influence.score  influence.reach  language
AUTHORS = {"budi_santoso": (5_000, 1.0, 1_000, "id"), "kompascom": (9_000_000, 10.0, 50_000, "en"),
           "warga_jkt": (800, 0.5, 200, "jv"), "pakar_energi": (120_000, 12.0, 20_000, "en"),
           **{f"akun_{c}": (50, 0.1, 100, "su" if c == "a" else "id") for c in "abcdef"}}
# places_mentioned (transforms/nlp/data/place_coords.jsonl): the LOC entity "jakarta" is DKI Jakarta; posts 5
# and 15 also mention Surabaya and Semarang (places without an entity row here; the map and top-places
# panels read only places_mentioned). So 13 posts mention a place: 11 Jakarta, 1 Surabaya, 1 Semarang.
PLACES = {"DKI Jakarta": ("province", "Daerah Khusus Ibukota Jakarta", -6.2146, 106.8451),
          "Surabaya": ("city", "Jawa Timur", -7.2492, 112.7508),
          "Semarang": ("city", "Jawa Tengah", -6.9931, 110.4208)}
EXTRA_PLACES = {5: ["Surabaya"], 15: ["Semarang"]}
ENT = {"jakarta": ("Jakarta", "LOC"), "pramono anung": ("Pramono Anung", "PER"),
       "pertamina": ("Pertamina", "ORG")}

# n, hours after D1 00:00 WIB, issues, sentiment, handle, hashtags, entities (canonical), geo, cluster/score
ROWS: list[tuple[Any, ...]] = [
    (1, 8, [BANJIR], "negative", "budi_santoso", ["banjirjakarta", "jakarta"], ["jakarta", "pramono anung"], JAKARTA, None),
    (2, 9, [BANJIR], "negative", "warga_jkt", ["banjirjakarta"], ["jakarta"], JAKARTA, None),
    (3, 10, [BANJIR], "neutral", "kompascom", ["banjirjakarta"], ["jakarta", "pramono anung"], None, None),
    (4, 11, [BANJIR], "positive", "akun_a", ["banjirjakarta"], ["jakarta"], None, None),
    (5, 12, [BBM], "negative", "pakar_energi", ["bbmnaik"], ["pertamina"], SURABAYA, None),
    (6, 13, [BBM], "positive", "budi_santoso", ["bbmnaik"], ["pertamina"], None, None),
    (7, 14, [BANJIR, BBM], "negative", "warga_jkt", ["banjirjakarta", "bbmnaik"], ["jakarta", "pertamina"], JAKARTA, None),
    (8, 23.5, [], "neutral", "budi_santoso", ["jakarta"], [], None, None),
    (9, 26, [BANJIR], "negative", "budi_santoso", ["banjirjakarta", "jakarta"], ["jakarta", "jakarta"], JAKARTA, None),
    (10, 30, [BANJIR], "negative", "akun_b", ["banjirjakarta"], ["jakarta"], None, ("c-77", 0.9)),
    (11, 30.1, [BANJIR], "negative", "akun_c", ["banjirjakarta"], ["jakarta"], None, ("c-77", 0.9)),
    (12, 30.2, [BANJIR], "negative", "akun_d", ["banjirjakarta"], ["jakarta", "pramono anung"], None, ("c-77", 0.9)),
    (13, 34, [BANJIR], "neutral", "warga_jkt", ["banjirjakarta"], ["jakarta"], SURABAYA, None),
    (14, 38, [BANJIR], "positive", "kompascom", ["banjirjakarta"], ["jakarta", "pramono anung"], SINGAPORE, None),
    (15, 40, [BBM], "neutral", "akun_e", ["bbmnaik"], ["pertamina"], None, ("c-12", 0.4)),
    (16, 41, [BBM], "positive", "akun_f", ["bbmnaik"], ["pertamina"], None, ("c-12", 0.4)),
    (17, 42, [BBM], "positive", "budi_santoso", ["bbmnaik"], ["pertamina"], SYDNEY, None),
    (18, 45, [], "positive", "warga_jkt", [], [], None, None),
]

ALERTS = [  # issue, kind, window start (hours after D1), count, baseline, ratio, negative share
    (BANJIR, "volume_spike", 26, 6, 2.0, 3.0, 0.67),
    (BANJIR, "negative_surge", 27, 4, 1.0, 4.0, 0.8),
    (BANJIR, "coordination", 30, 3, 0.0, 0.0, 1.0),
    (BBM, "volume_spike", 10, 3, 1.0, 3.0, 0.33),
]
CLUSTERS = [  # cluster, accounts, members, score, window start (hours after D1), sample text
    ("c-77", 3, ["akun_b", "akun_c", "akun_d"], 0.9, 30, "Banjir lagi, gubernur ke mana? #banjirjakarta"),
    ("c-12", 2, ["akun_e", "akun_f"], 0.4, 40, "BBM naik, rakyat menjerit #bbmnaik"),
]


def post(row: tuple[Any, ...]) -> dict[str, Any]:
    n, hours, issues, label, handle, hashtags, entities, geo, cluster = row
    followers, score, reach, lang = AUTHORS[handle]
    created = D1 + int(hours * H)
    text = {BANJIR: "Banjir di Jakarta lagi, warga mengungsi", BBM: "Harga BBM naik, antrean di SPBU"}.get(
        issues[0] if issues else "", "Selamat pagi semuanya")
    return {
        "doc_id": f"x:{n}", "platform": "x" if n % 3 else "instagram", "post_id": str(n),
        "author": {"id": f"id-{handle}", "handle": handle, "display_name": handle.replace("_", " ").title(),
                   "followers": followers, "verified": handle == "kompascom"},
        "text": f"{text} ({n}) " + " ".join(f"#{h}" for h in hashtags),
        "text_clean": text, "created_at": created, "collected_at": created + 60_000,
        "processed_at": created + 61_000, "url": f"https://x.example/{handle}/{n}",
        "engagement": {"likes": n * 10, "replies": n, "reposts": n * 2, "quotes": 0, "views": None},
        "hashtags": hashtags, "mentions": [], "urls": [], "emojis": [],
        "geo": {"lat": geo[0], "lon": geo[1], "place": None, "country_code": None} if geo else None,
        "language": {"code": lang, "confidence": 0.9, "mixed": False, "secondary": None},
        "sentiment": {"label": label, "score": 0.8, "positive": 0.1, "neutral": 0.1, "negative": 0.8},
        "entities": [{"text": "DKI Jakarta" if c in entities[:i] else ENT[c][0], "label": ENT[c][1], "canonical": c,
                      "start": 0, "end": 7, "source": "test"} for i, c in enumerate(entities)],
        "places_mentioned": [{"name": name, "level": PLACES[name][0], "province": PLACES[name][1],
                              "lat": PLACES[name][2], "lon": PLACES[name][3]}
                             for name in (["DKI Jakarta"] if "jakarta" in entities else []) + EXTRA_PLACES.get(n, [])],
        "issues": issues,
        "influence": {"author": score, "reach": float(reach), "engagement": float(n * 13),
                      "engagement_rate": 0.01, "score": score},
        "near_dup": {"simhash": f"{n:016x}", "bands": [], "cluster": cluster[0] if cluster else f"solo-{n}"},
        "coordination": {"score": cluster[1], "accounts": 3 if cluster[0] == "c-77" else 2, "window_s": 600}
        if cluster else None,
        "enrichment_skipped": [], "extras": {}, "raw": "{}",
    }


def load(es_url: str) -> dict[str, str]:
    """Indexes the dataset under fresh names; returns {"posts": alias, "alerts": index, "coordination": index}."""
    tag = uuid.uuid4().hex[:8]
    config = EsConfig(url=es_url, index_prefix=f"kbtest-{tag}-posts", alias=f"kbtest-{tag}-posts")
    client = config.client()
    try:
        install_template(client, config)
        ok, errors = helpers.bulk(client, [bulk_action(post(r), config) for r in ROWS], raise_on_error=True)
        assert ok == len(ROWS) and not errors
        names = {"posts": config.alias, "alerts": f"kbtest-{tag}-alerts", "coordination": f"kbtest-{tag}-coordination"}
        client.indices.create(index=names["alerts"], mappings=ALERTS_MAPPING)
        client.indices.create(index=names["coordination"], mappings=COORDINATION_MAPPING)
        for i, (issue, kind, hours, count, baseline, ratio, neg) in enumerate(ALERTS):
            start = D1 + hours * H
            client.index(index=names["alerts"], id=str(i), document={
                "issue": issue, "kind": kind, "window_start": start, "window_end": start + H, "count": count,
                "baseline": baseline, "ratio": ratio, "negative_share": neg})  # the fields the panels use
        for cluster, accounts, members, score, hours, sample in CLUSTERS:
            start = D1 + hours * H
            client.index(index=names["coordination"], id=cluster, document={  # the monitor's fields
                "cluster_id": cluster, "issue": BANJIR if cluster == "c-77" else BBM, "accounts": accounts,
                "handles": members, "members": [f"id-{m}" for m in members], "score": score,
                "window_start": start, "window_end": start + 600_000, "sample_texts": [sample]})
        for index in names.values():
            client.indices.refresh(index=index)
        return names
    finally:
        client.close()
