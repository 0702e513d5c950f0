"""The bundled demo sample: a deterministic generator (devtools.sample.posts) and its output."""
from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import fastavro
import fastavro.validation
import pytest

from devtools.sample import posts as sp

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "deploy" / "sample" / "posts.jsonl"
SCHEMA = REPO / "schemas" / "avro" / "raw_post.v2.avsc"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PLATFORMS = {"x", "facebook", "instagram", "tiktok", "youtube", "news", "forum"}


@pytest.fixture(scope="module")
def labelled() -> list[tuple[dict, dict]]:
    return sp.generate_labelled()


@pytest.fixture(scope="module")
def posts(labelled) -> list[dict]:
    return [p for p, _ in labelled]


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA) as f:
        return fastavro.parse_schema(json.load(f))


def ms(value: str) -> int:
    return sp.parse_iso_ms(value)


# -- determinism and the committed file ----------------------------------------------------

def test_same_seed_same_output():
    assert sp.generate(n=300, seed=7) == sp.generate(n=300, seed=7)
    assert sp.generate_labelled(n=120, seed=11) == sp.generate_labelled(n=120, seed=11)


def test_other_seed_other_output():
    a, b = sp.generate(n=200, seed=1), sp.generate(n=200, seed=2)
    assert [p["text"] for p in a] != [p["text"] for p in b]


def test_generate_matches_labelled(posts):
    assert sp.generate() == posts


def test_committed_file_equals_generator_output(posts):
    assert SAMPLE.read_text(encoding="utf-8") == sp.dumps(posts), (
        "deploy/sample/posts.jsonl is stale: python -m devtools.sample.posts "
        "--out deploy/sample/posts.jsonl")


def test_committed_file_size_and_count():
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1500
    assert SAMPLE.stat().st_size < 1024 * 1024


def test_main_writes_the_file(tmp_path):
    out = tmp_path / "s.jsonl"
    assert sp.main(["--out", str(out), "--n", "80", "--seed", "5"]) == 0
    assert out.read_text(encoding="utf-8") == sp.dumps(sp.generate(80, 5))


def test_start_must_be_aware():
    with pytest.raises(ValueError):
        sp.generate(n=10, start=datetime(2026, 11, 24, 12))


# -- schema ------------------------------------------------------------------------------------

def test_every_post_validates_against_avro_schema(posts, schema):
    for post in posts:
        assert fastavro.validation.validate(sp.to_avro_record(post), schema)


def test_every_committed_post_validates(schema):
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        assert fastavro.validation.validate(sp.to_avro_record(json.loads(line)), schema)


def test_to_avro_record_converts_timestamps_only():
    post = sp.generate(n=20, seed=3)[0]
    rec = sp.to_avro_record(post)
    assert rec["created_at"] == ms(post["created_at"])
    assert isinstance(rec["collected_at"], int)
    assert {k: v for k, v in rec.items() if not k.endswith("_at")} == \
        {k: v for k, v in post.items() if not k.endswith("_at")}
    assert isinstance(post["created_at"], str)  # the input is not modified


def test_iso_round_trip():
    assert sp.iso_ms(sp.parse_iso_ms("2026-11-24T08:15:30.123Z")) == "2026-11-24T08:15:30.123Z"


# -- shape ---------------------------------------------------------------------------------------

def test_post_shape(posts):
    keys = {"platform", "post_id", "author", "text", "title", "created_at", "collected_at", "url",
            "reply_to", "repost_of", "quote_of", "engagement", "hashtags", "mentions", "urls",
            "geo", "lang_hint", "extras"}
    for p in posts:
        assert set(p) == keys
        assert p["platform"] in PLATFORMS
        assert ISO_MS.match(p["created_at"]) and ISO_MS.match(p["collected_at"])
        delay = ms(p["collected_at"]) - ms(p["created_at"])
        assert 1000 <= delay <= 30 * 60 * 1000
        assert (p["title"] is not None) <= (p["platform"] in {"news", "youtube", "forum"})
        assert all(isinstance(v, str) for v in p["extras"].values())
        assert isinstance(p["author"]["followers"], int) and isinstance(p["author"]["verified"], bool)
        assert p["url"].startswith("https://")
    assert all(p["title"] for p in posts if p["platform"] == "news")


def test_ids_unique_and_platform_like(posts):
    assert len({(p["platform"], p["post_id"]) for p in posts}) == len(posts)
    for p in posts:
        if p["platform"] in ("x", "tiktok"):
            assert p["post_id"].isdigit() and len(p["post_id"]) == 19
        if p["platform"] == "x":
            assert p["url"] == f"https://x.com/{p['author']['handle']}/status/{p['post_id']}"


def test_sorted_within_the_48_hours(posts):
    created = [ms(p["created_at"]) for p in posts]
    assert created == sorted(created)
    end = sp.to_epoch_ms(sp.DEFAULT_START)
    assert end - 48 * 3600 * 1000 <= created[0] and created[-1] < end
    assert created[-1] - created[0] > 40 * 3600 * 1000   # spread, not bunched


def test_references_point_to_earlier_posts(posts):
    seen: dict[str, dict] = {}
    refs = 0
    for p in posts:
        for key in ("reply_to", "repost_of", "quote_of"):
            if p[key] is not None:
                refs += 1
                parent = seen[p[key]]
                assert parent["platform"] == p["platform"]
                assert ms(parent["created_at"]) < ms(p["created_at"])
        assert sum(p[k] is not None for k in ("reply_to", "repost_of", "quote_of")) <= 1
        seen[p["post_id"]] = p
    assert 0.15 <= refs / len(posts) <= 0.27


def test_entities_consistent_with_text(posts):
    for p in posts:
        text = p["text"]
        assert [f"#{h}" for h in p["hashtags"]] == re.findall(r"(?<![\w#&])#\w+", text)
        for h in p["hashtags"] + p["mentions"]:
            assert not h.startswith(("#", "@"))
        for m in p["mentions"]:
            assert f"@{m}" in text
        for u in p["urls"]:
            assert u in text


def test_texts_unique_and_5_to_60_words(posts):
    texts = [p["text"] for p in posts]
    assert len(set(texts)) == len(texts)
    assert all(5 <= len(t.split()) <= 60 for t in texts)


def test_geo(posts):
    geos = [p["geo"] for p in posts if p["geo"]]
    assert 0.06 <= len(geos) / len(posts) <= 0.15
    for g in geos:
        assert g["country_code"] == "ID"
        assert -11.5 <= g["lat"] <= 6.5 and 94.5 <= g["lon"] <= 141.5


def test_authors_heavy_tailed(posts):
    authors = {p["author"]["id"]: p["author"] for p in posts}
    assert 250 <= len(authors) <= 350
    followers = sorted(a["followers"] for a in authors.values())
    assert followers[len(followers) // 2] < 1000
    big = [a for a in authors.values() if a["followers"] >= 1_000_000]
    assert 3 <= len(big) and all(a["verified"] for a in big)
    assert sum(a["verified"] for a in authors.values()) <= 20


# -- labels and distributions -------------------------------------------------------------------

@pytest.mark.parametrize("lang,lo,hi", [("id", 0.50, 0.60), ("en", 0.12, 0.18),
                                        ("jv", 0.10, 0.14), ("su", 0.08, 0.12)])
def test_language_shares(labelled, lang, lo, hi):
    share = sum(l["lang"] == lang for _, l in labelled) / len(labelled)
    assert lo <= share <= hi


def test_malay_and_mixed_share(labelled):
    share = sum(l["lang"] in ("ms", "id-en") for _, l in labelled) / len(labelled)
    assert 0.06 <= share <= 0.10
    assert {l["lang"] for _, l in labelled} == {"id", "en", "jv", "su", "ms", "id-en"}


@pytest.mark.parametrize("platform,lo,hi", [("x", 0.25, 0.50), ("facebook", 0.07, 0.2),
                                            ("instagram", 0.07, 0.2), ("tiktok", 0.07, 0.2),
                                            ("youtube", 0.03, 0.12), ("news", 0.02, 0.1),
                                            ("forum", 0.04, 0.15)])
def test_platform_shares(posts, platform, lo, hi):
    share = sum(p["platform"] == platform for p in posts) / len(posts)
    assert lo <= share <= hi


def test_sentiments_and_topics_mixed(labelled):
    sentiments = Counter(l["sentiment"] for _, l in labelled)
    assert set(sentiments) == {"positive", "neutral", "negative"}
    assert all(c / len(labelled) >= 0.15 for c in sentiments.values())
    topics = Counter(l["topic"] for _, l in labelled)
    assert len(topics) >= 15 and {"flood", "kendeng", "free_meals", "data_leak"} <= set(topics)


def test_lang_hint_is_a_guess(labelled):
    hints = Counter(p["lang_hint"] for p, _ in labelled)
    assert hints[None] > 0 and hints["in"] > 0 and hints["en"] > 0
    wrong = sum(1 for p, l in labelled if l["lang"] == "jv" and p["lang_hint"] == "in")
    assert wrong > 0


# -- scenarios ------------------------------------------------------------------------------------

def test_campaign(labelled):
    camp = [(p, l) for p, l in labelled if l["scenario"] == "campaign"]
    tagged = [p for p, _ in labelled if "GiziMerataIndonesiaMaju" in p["hashtags"]]
    assert 50 <= len(camp) <= 70 and len(tagged) == len(camp)
    authors = {p["author"]["id"] for p, _ in camp}
    assert 30 <= len(authors) <= 50
    assert all(p["author"]["followers"] < 100 for p, _ in camp)
    times = [ms(p["created_at"]) for p, _ in camp]
    assert max(times) - min(times) <= 10 * 60 * 1000
    first = camp[0][0]["text"]
    assert all(difflib.SequenceMatcher(None, first, p["text"]).ratio() > 0.6 for p, _ in camp)
    assert len({p["text"] for p, _ in camp}) == len(camp)
    assert {l["topic"] for _, l in camp} == {"free_meals"}


def test_organic_flood_spike(labelled):
    spike = [(p, l) for p, l in labelled if l["scenario"] == "flood_spike"]
    assert len(spike) >= 60 and {l["topic"] for _, l in spike} == {"flood"}
    times = [ms(p["created_at"]) for p, _ in spike]
    assert max(times) - min(times) <= 60 * 60 * 1000
    assert len({p["author"]["id"] for p, _ in spike}) >= 45
    assert len({l["lang"] for _, l in spike}) >= 3
    openings = {" ".join(re.sub(r"@\w+ ", "", p["text"]).lower().split()[:3]) for p, _ in spike}
    assert len(openings) >= 20   # many wordings, not one text
    hour_start = min(times)
    in_hour = [p for p, l in labelled if l["topic"] == "flood"
               and hour_start <= ms(p["created_at"]) <= hour_start + 3600 * 1000]
    other_hours = [p for p, l in labelled if l["topic"] == "flood"
                   and not hour_start <= ms(p["created_at"]) <= hour_start + 3600 * 1000]
    assert len(in_hour) > 5 * len(other_hours) / 47


def test_labels_shape(labelled):
    for _, l in labelled:
        assert set(l) == {"lang", "sentiment", "topic", "register", "scenario"}
        assert l["scenario"] in {"organic", "campaign", "flood_spike"}
        assert l["register"] in {"formal", "informal"}
    registers = Counter(l["register"] for _, l in labelled)
    assert registers["formal"] > 0.05 * len(labelled) and registers["informal"] > 0.5 * len(labelled)
    # campaign posts are informal amplification, never news
    assert all(l["register"] == "informal" for _, l in labelled if l["scenario"] == "campaign")
