"""Every Kibana panel's aggregation, from the same spec that generates the saved object, run against
a real ES-API server on a hand-checked dataset (tests/integration/kibana_dataset.py).

Kibana cannot run here, so what is tested is the search each panel stands for
(``Panel.search_body``) and how its response becomes table rows (``Panel.rows``).
"""
from __future__ import annotations

import pytest

from tests.integration import kibana_dataset as ds
from transforms.analyst.kibana import PANELS, panel
from transforms.io.es_sink import EsConfig

pytestmark = pytest.mark.integration
BANJIR, BBM = ds.BANJIR, ds.BBM


@pytest.fixture(scope="module")
def indices(es_url):
    return ds.load(es_url)


@pytest.fixture(scope="module")
def client(es_url):
    c = EsConfig(url=es_url).client()
    yield c
    c.close()


def run(client, indices, short, time_range=(ds.D1, ds.END), **kwargs):
    p = panel(short)
    response = client.search(index=indices[p.view], body=p.search_body(time_range, **kwargs)).body
    return p.rows(response)


def test_every_panel_runs_and_returns_rows(client, indices):
    for p in PANELS:
        response = client.search(index=indices[p.view], body=p.search_body((ds.D1, ds.END))).body
        assert p.rows(response), p.id


def test_volume_per_issue_per_day_in_wib(client, indices):
    rows = run(client, indices, "volume-by-issue")
    assert {(r["issue"], r["time"]): r["posts"] for r in rows} == {
        (BANJIR, ds.D1): 5, (BANJIR, ds.D2): 6, (BBM, ds.D1): 3, (BBM, ds.D2): 3}
    # hourly buckets: D2 02:00 WIB (post 9) is its own bucket; empty hours are present (min_doc_count 0)
    hourly = run(client, indices, "volume-by-issue", (ds.D2, ds.D2 + 6 * ds.H), interval="1h",
                 extended_bounds=(ds.D2, ds.D2 + 6 * ds.H), filters=[{"term": {"issues": BANJIR}}])
    assert [(r["time"], r["posts"]) for r in hourly] == [
        (ds.D2 + h * ds.H, {2: 1}.get(h, 0)) for h in range(6)]


def test_sentiment_shares_per_day(client, indices):
    rows = run(client, indices, "sentiment-trend")
    counts = {(r["time"], r["sentiment"]): r["posts"] for r in rows}
    assert counts == {(ds.D1, "negative"): 4, (ds.D1, "neutral"): 2, (ds.D1, "positive"): 2,
                      (ds.D2, "negative"): 4, (ds.D2, "neutral"): 2, (ds.D2, "positive"): 4}
    day2 = {k[1]: v for k, v in counts.items() if k[0] == ds.D2}
    assert day2["negative"] / sum(day2.values()) == pytest.approx(0.4)


def test_share_of_voice_between_issues(client, indices):
    assert run(client, indices, "share-of-voice") == [{"issue": BANJIR, "posts": 11}, {"issue": BBM, "posts": 6}]
    assert run(client, indices, "share-of-voice", (ds.D1, ds.D2)) == [
        {"issue": BANJIR, "posts": 5}, {"issue": BBM, "posts": 3}]


def test_top_hashtags(client, indices):
    assert run(client, indices, "top-hashtags") == [
        {"hashtag": "banjirjakarta", "posts": 11}, {"hashtag": "bbmnaik", "posts": 6},
        {"hashtag": "jakarta", "posts": 3}]


def test_top_entities_count_nested_mentions(client, indices):
    # post 9 mentions Jakarta twice: 12 mentions in 11 posts
    assert run(client, indices, "top-entities") == [
        {"entity": "jakarta", "mentions": 12}, {"entity": "pertamina", "mentions": 6},
        {"entity": "pramono anung", "mentions": 4}]
    assert run(client, indices, "top-entities", filters=[{"term": {"issues": BBM}}]) == [
        {"entity": "pertamina", "mentions": 6}, {"entity": "jakarta", "mentions": 1}]


def test_kol_table_ranks_by_influence_not_by_post_count(client, indices):
    rows = run(client, indices, "kol-table")
    assert [r["handle"] for r in rows[:4]] == ["kompascom", "pakar_energi", "budi_santoso", "warga_jkt"]
    assert rows[0] == {"handle": "kompascom", "influence": 20.0, "posts": 2, "reach": 100_000.0,
                       "followers": 9_000_000}
    assert [r["handle"] for r in rows[4:]] == [f"akun_{c}" for c in "abcdef"]


def test_kol_table_filtered_by_issue(client, indices):
    rows = run(client, indices, "kol-table", filters=[{"term": {"issues": BANJIR}}])
    assert [(r["handle"], r["influence"], r["posts"]) for r in rows[:3]] == [
        ("kompascom", 20.0, 2), ("budi_santoso", 2.0, 2), ("warga_jkt", 1.5, 3)]
    rows = run(client, indices, "kol-table", filters=[{"term": {"issues": BBM}}])
    assert [r["handle"] for r in rows] == ["pakar_energi", "budi_santoso", "warga_jkt", "akun_e", "akun_f"]


@pytest.mark.xfail(strict=False, reason="noida-db 0.2.3 ignores terms `order` by a sub-aggregation and "
                   "returns count order; Elasticsearch honours it. Panel.rows re-sorts, so results agree.")
def test_server_orders_terms_by_sub_aggregation(client, indices):
    p = panel("kol-table")
    response = client.search(index=indices["posts"], body=p.search_body((ds.D1, ds.END))).body
    assert [b["key"] for b in response["aggregations"]["handle"]["buckets"][:2]] == ["kompascom", "pakar_energi"]


def test_language_mix(client, indices):
    assert run(client, indices, "language-mix") == [
        {"language": "id", "posts": 10}, {"language": "jv", "posts": 4}, {"language": "en", "posts": 3},
        {"language": "su", "posts": 1}]


def test_unique_authors_metric(client, indices):
    assert run(client, indices, "unique-authors") == [{"authors": 10}]
    assert run(client, indices, "unique-authors", (ds.D2, ds.END), filters=[{"term": {"issues": BANJIR}}]) == [
        {"authors": 6}]


def test_map_shows_documents_within_its_bounding_box(client, indices):
    rows = run(client, indices, "posts")  # the map: Indonesia's bounding box, Sydney is outside
    assert len(rows) == 7
    assert [r["author"]["handle"] for r in rows[:2]] == ["pakar_energi", "kompascom"]
    assert {r["_id"] for r in rows} == {"x:1", "x:2", "x:7", "x:9", "x:5", "x:13", "x:14"}
    java = {"geo_bounding_box": {"location": {"top_left": {"lat": -5.5, "lon": 105.0},
                                              "bottom_right": {"lat": -8.5, "lon": 115.0}}}}
    assert len(run(client, indices, "posts", filters=[java])) == 6


def test_map_of_places_mentioned_uses_mention_location(client, indices):
    rows = run(client, indices, "places-mentioned")  # 11 posts mention Jakarta, post 5 Surabaya, 15 Semarang
    assert {r["_id"] for r in rows} == {f"x:{n}" for n in (1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15)}
    assert all(r["mention_location"] for r in rows)
    central_java = {"geo_bounding_box": {"mention_location": {"top_left": {"lat": -5.7, "lon": 108.5},
                                                              "bottom_right": {"lat": -8.3, "lon": 111.8}}}}
    rows = run(client, indices, "places-mentioned", filters=[central_java])
    assert [(r["_id"], r["places_mentioned.name"] if "places_mentioned.name" in r
             else [p["name"] for p in r["places_mentioned"]]) for r in rows] == [("x:15", ["Semarang"])]


def test_top_places(client, indices):
    rows = run(client, indices, "top-places")
    assert {r["place"]: r["posts"] for r in rows} == {"DKI Jakarta": 11, "Surabaya": 1, "Semarang": 1}
    assert rows[0]["place"] == "DKI Jakarta"
    bbm = run(client, indices, "top-places", filters=[{"term": {"issues": BBM}}])  # posts 5, 7, 15
    assert {r["place"]: r["posts"] for r in bbm} == {"DKI Jakarta": 1, "Surabaya": 1, "Semarang": 1}


def test_coordinated_posts_panel(client, indices):
    assert run(client, indices, "coordinated-posts") == [
        {"cluster": "c-77", "coord_score": 0.9, "posts": 3, "accounts": 3},
        {"cluster": "c-12", "coord_score": pytest.approx(0.4), "posts": 2, "accounts": 2}]


def test_alerts_by_kind_and_issue(client, indices):
    rows = run(client, indices, "alerts-over-time")
    assert {(r["kind"], r["time"]): r["alerts"] for r in rows if r["alerts"]} == {
        ("volume_spike", ds.D1): 1, ("volume_spike", ds.D2): 1, ("negative_surge", ds.D2): 1,
        ("coordination", ds.D2): 1}
    table = run(client, indices, "alerts-table")
    assert {(r["issue"], r["kind"]): (r["alerts"], r["max_ratio"]) for r in table} == {
        (BANJIR, "volume_spike"): (1, 3.0), (BANJIR, "negative_surge"): (1, 4.0),
        (BANJIR, "coordination"): (1, 0.0), (BBM, "volume_spike"): (1, 3.0)}
    assert run(client, indices, "alerts-table", (ds.D1, ds.D2)) == [
        {"issue": BBM, "kind": "volume_spike", "alerts": 1, "max_ratio": 3.0,
         "max_negative": pytest.approx(0.33)}]


def test_coordination_clusters(client, indices):
    assert run(client, indices, "coordination-clusters") == [
        {"cluster": "c-77", "score": pytest.approx(0.9), "accounts": 3, "windows": 1},
        {"cluster": "c-12", "score": pytest.approx(0.4), "accounts": 2, "windows": 1}]


def test_saved_search_unggahan_lists_newest_posts_with_its_columns(client, indices):
    from transforms.analyst.kibana import SEARCHES
    (search,) = SEARCHES
    hits = client.search(index=indices[search.view], body=search.search_body(size=10)).body["hits"]["hits"]
    assert len(hits) == 10
    times = [h["_source"]["created_at"] for h in hits]
    assert times == sorted(times, reverse=True)
    assert all("text" in h["_source"] and "author" in h["_source"] for h in hits)
