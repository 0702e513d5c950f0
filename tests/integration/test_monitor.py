"""The alert monitor against a real ES-API server and Kafka broker (noida-db, or ES_URL /
KAFKA_BOOTSTRAP): documents are indexed directly, with issues, influence and near-duplicate
bands set, and monitor cycles run at a fixed ``now``."""
from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest
from elasticsearch import helpers
from prometheus_client import CollectorRegistry

from tests.integration.helpers import consume_all, unique
from transforms.analyst.monitor import Monitor, MonitorConfig
from transforms.io.es_sink import EsConfig, bulk_action, install_template
from transforms.logic.alerts import (
    ALL_POSTS,
    COORDINATION,
    NEGATIVE_SURGE,
    VOLUME_SPIKE,
    CoordinationThresholds,
    SpikeThresholds,
)

pytestmark = pytest.mark.integration
MIN = 60_000


@pytest.fixture
def setup(es_url, alert_bootstrap):
    prefix = unique("mon")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    config = MonitorConfig(es=es, alerts_index=unique("alerts"), coordination_index=unique("coord"),
                           kafka_bootstrap=alert_bootstrap, alerts_topic=unique("alerts-topic"),
                           spike=SpikeThresholds(), coordination=CoordinationThresholds())
    yield es, client, config
    client.close()


def post(doc_id: str, created_at: int, *, issues=(), author="a0", handle=None, negative=False,
         influence: float | None = 1.0, hashtags=(), text="teks", followers=500,
         bands: list[str] | None = None, simhash: str | None = None) -> dict[str, Any]:
    doc = {"doc_id": doc_id, "platform": "x", "post_id": doc_id.split(":")[1],
           "author": {"id": author, "handle": handle or f"h_{author}", "followers": followers,
                      "verified": False},
           "text": text, "text_clean": text, "created_at": created_at, "collected_at": created_at + 1000,
           "processed_at": created_at + 2000,
           "engagement": {"likes": 1, "replies": 0, "reposts": 0, "quotes": 0, "views": None},
           "hashtags": list(hashtags), "mentions": [], "urls": [], "emojis": [], "issues": list(issues),
           "sentiment": {"label": "negative" if negative else "neutral", "score": 0.9,
                         "positive": 0.05, "neutral": 0.05, "negative": 0.9},
           "influence": None if influence is None else {"author": 1.0, "reach": 100.0,
                                                        "engagement": 1.0, "engagement_rate": 0.01,
                                                        "score": influence},
           "near_dup": None if bands is None else {"simhash": simhash, "bands": bands, "cluster": None},
           "raw": "{}"}
    return doc


def index(client, es: EsConfig, docs: list[dict[str, Any]]) -> None:
    ok, errors = helpers.bulk(client, [bulk_action(d, es) for d in docs], raise_on_error=False)
    assert not errors, errors[:3]
    client.indices.refresh(index=es.alias)


def steady(now: int, issue: str, per_window: int, rng: random.Random, windows: int = 13) -> list[dict]:
    """``per_window`` posts in each 5-minute window over the last ``windows`` windows, 20% negative."""
    out = []
    for w in range(windows):
        for k in range(per_window):
            t = now - w * 5 * MIN - int((k + rng.random()) * 5 * MIN / per_window) - 1
            out.append(post(f"x:{issue}-s{w}-{k}", t, issues=[issue], author=f"{issue}-a{rng.randrange(40)}",
                            negative=k % 5 == 0, influence=rng.uniform(1, 30),
                            hashtags=[issue, "indonesia"]))
    return out


def alerts_in_index(client, config: MonitorConfig) -> dict[str, dict]:
    client.indices.refresh(index=config.alerts_index)
    hits = client.search(index=config.alerts_index, size=100, query={"match_all": {}})["hits"]["hits"]
    return {h["_source"]["key"]: h["_source"] for h in hits}


def test_steady_traffic_then_spike_and_negative_surge(setup, alert_bootstrap):
    es, client, config = setup
    rng = random.Random(42)
    now = int(time.time() * 1000)
    index(client, es, steady(now, "banjir", 30, rng) + steady(now, "bbm", 20, rng))
    registry = CollectorRegistry()
    monitor = Monitor(config, registry)
    monitor.setup()

    report = monitor.run_cycle(now)
    assert report.raised == [] and report.windows == 3
    assert alerts_in_index(client, config) == {}

    # a burst on bbm (mostly ordinary accounts, one influential) and a negative wave on banjir
    burst = [post(f"x:bbm-b{k}", now - 4 * MIN + k * 1500, issues=["bbm"], author=f"burst{k % 60}",
                  negative=k % 5 == 0, influence=rng.uniform(1, 20), hashtags=["tolakkenaikanbbm", "bbm"])
             for k in range(150)]
    burst[7]["influence"]["score"] = 97.0
    burst[7]["author"]["handle"] = "menteri_x"
    burst[7]["text"] = "Harga BBM naik lagi, rakyat menjerit"
    for k in (8, 9):
        burst[k]["author"]["handle"] = "menteri_x"
        burst[k]["influence"]["score"] = 40.0
    wave = [post(f"x:banjir-n{k}", now - 4 * MIN + k * 9000, issues=["banjir"], author=f"warga{k}",
                 negative=True, influence=None if k % 3 else 5.0, hashtags=["banjirlagi"])
            for k in range(25)]
    index(client, es, burst + wave)

    report = monitor.run_cycle(now)
    assert {r["key"] for r in report.raised} == {
        f"bbm|{VOLUME_SPIKE}", f"banjir|{NEGATIVE_SURGE}", f"{ALL_POSTS}|{VOLUME_SPIKE}"}
    alerts = alerts_in_index(client, config)
    spike = alerts[f"bbm|{VOLUME_SPIKE}"]
    assert spike["status"] == "active" and spike["published"] is True
    assert (spike["window_start"], spike["window_end"]) == (now - 5 * MIN, now)
    assert spike["count"] == 170 and spike["baseline"] == pytest.approx(20, abs=1)
    assert spike["ratio"] > 7 and spike["z"] > 10
    assert spike["top_posts"][0]["doc_id"] == "x:bbm-b7" and spike["top_posts"][0]["influence"] == 97.0
    assert spike["top_authors"][0]["handle"] == "menteri_x" and spike["top_authors"][0]["posts"] == 3
    assert {t["tag"] for t in spike["top_hashtags"][:2]} == {"tolakkenaikanbbm", "bbm"}
    assert "170 posts" in spike["summary"]
    neg = alerts[f"banjir|{NEGATIVE_SURGE}"]
    assert neg["count"] == 55 and neg["negative_count"] == 31
    assert neg["negative_share"] == pytest.approx(31 / 55, abs=1e-3)
    assert neg["baseline_negative_share"] == pytest.approx(0.2, abs=0.01)
    assert len(neg["top_posts"]) == 5 and neg["top_posts"][0]["influence"] is not None
    assert all(p["sentiment"] == "negative" for p in neg["top_posts"])
    assert neg["top_authors"] and neg["top_hashtags"][0]["tag"] == "banjirlagi"
    total = alerts[f"{ALL_POSTS}|{VOLUME_SPIKE}"]
    assert total["count"] == 225 and total["baseline"] == pytest.approx(50, abs=1)

    messages = consume_all(alert_bootstrap, config.alerts_topic)
    assert sorted(m.key.decode() for m in messages) == sorted(["bbm", "banjir", ALL_POSTS])
    payloads = {m.key.decode(): json.loads(m.value) for m in messages}
    assert payloads["bbm"]["event"] == "raised" and payloads["bbm"]["kind"] == VOLUME_SPIKE
    assert payloads["bbm"]["count"] == 170 and payloads["bbm"]["top_posts"][0]["doc_id"] == "x:bbm-b7"
    assert payloads["banjir"]["kind"] == NEGATIVE_SURGE

    def sample(name, issue, kind):
        return registry.get_sample_value(name, {"issue": issue, "kind": kind})
    assert sample("pantau_alerts_total", "bbm", VOLUME_SPIKE) == 1
    assert sample("pantau_alerts_total", "banjir", NEGATIVE_SURGE) == 1
    assert sample("pantau_alert_active", "bbm", VOLUME_SPIKE) == 1
    assert sample("pantau_alerts_total", "banjir", VOLUME_SPIKE) is None

    # the condition persists: no second alert, the active one is refreshed
    report = monitor.run_cycle(now + 15_000)
    assert report.raised == [] and len(report.continuing) == 3
    assert alerts_in_index(client, config)[f"bbm|{VOLUME_SPIKE}"]["last_seen_at"] == now + 15_000
    monitor.close()

    # a restarted monitor reads its state back: no re-alert, gauges restored
    registry2 = CollectorRegistry()
    restarted = Monitor(config, registry2)
    restarted.setup()
    assert registry2.get_sample_value("pantau_alert_active", {"issue": "bbm", "kind": VOLUME_SPIKE}) == 1
    report = restarted.run_cycle(now + 30_000)
    assert report.raised == [] and len(report.continuing) == 3
    assert len(consume_all(alert_bootstrap, config.alerts_topic)) == 3

    # two hours later everything is quiet: the alerts resolve, once
    report = restarted.run_cycle(now + 120 * MIN)
    assert sorted(report.resolved) == sorted(alerts)
    assert {a["status"] for a in alerts_in_index(client, config).values()} == {"resolved"}
    assert registry2.get_sample_value("pantau_alert_active", {"issue": "bbm", "kind": VOLUME_SPIKE}) == 0
    events = [json.loads(m.value)["event"] for m in consume_all(alert_bootstrap, config.alerts_topic)]
    assert events.count("resolved") == 3
    assert restarted.run_cycle(now + 121 * MIN).resolved == []
    restarted.close()


def simhash_bands(h: int) -> tuple[str, list[str]]:
    hexed = f"{h:016x}"
    return hexed, [f"{i}:{hexed[i * 4:(i + 1) * 4]}" for i in range(4)]


def test_coordinated_cluster_found_and_organic_posts_not_flagged(setup, alert_bootstrap):
    es, client, config = setup
    rng = random.Random(5)
    now = int(time.time() * 1000)
    organic = []
    for k in range(200):
        simhash, bands = simhash_bands(rng.getrandbits(64))
        organic.append(post(f"x:org{k}", now - rng.randrange(10 * MIN), issues=["pemilu"],
                            author=f"org{k}", followers=rng.randrange(50, 20000),
                            text=f"pendapat pribadi nomor {k}", bands=bands, simhash=simhash))
    # one account repeating itself is spam, not coordination
    simhash, bands = simhash_bands(rng.getrandbits(64))
    organic += [post(f"x:rep{k}", now - k * MIN, author="repeater", text="beli followers murah",
                     bands=bands, simhash=simhash) for k in range(8)]
    # 40 accounts posting near-identical text (one flipped bit each) within 8 minutes
    base = rng.getrandbits(64)
    campaign = []
    for k in range(40):
        simhash, bands = simhash_bands(base ^ (1 << rng.randrange(64)) if k % 4 else base)
        campaign.append(post(f"x:buzz{k}", now - 8 * MIN + k * 12_000, issues=["pemilu"],
                             author=f"buzzer{k}", followers=rng.randrange(0, 80),
                             text=f"Pilih calon nomor 2, terbukti bekerja! #Pilih02 ({k % 3})",
                             hashtags=["pilih02"], bands=bands, simhash=simhash))
    index(client, es, organic + campaign)
    monitor = Monitor(config, CollectorRegistry())
    monitor.setup()

    report = monitor.run_cycle(now)
    assert len(report.clusters) == 1, report.clusters
    cluster = report.clusters[0]
    assert cluster["accounts"] == 40 and cluster["members"] == 40 and cluster["issue"] == "pemilu"
    assert cluster["score"] > 0.7
    # (the issue also appears out of nowhere: volume spikes for it are right, and not checked here)
    assert [r["key"] for r in report.raised if r["kind"] == COORDINATION] == [
        f"coordination|{cluster['cluster_id']}"]

    client.indices.refresh(index=config.coordination_index)
    docs = client.search(index=config.coordination_index, query={"match_all": {}})["hits"]["hits"]
    assert len(docs) == 1
    c = docs[0]["_source"]
    assert c["cluster_id"] == cluster["cluster_id"] and c["accounts"] == 40
    assert sorted(c["members"]) == sorted(d["doc_id"] for d in campaign)
    assert not any(m.startswith(("x:org", "x:rep")) for m in c["members"])
    assert c["span_s"] <= 8 * 60 and c["sample_texts"] and c["hashtags"] == ["pilih02"]
    assert (c["window_start"], c["window_end"]) == (now - 10 * MIN, now)

    alert = alerts_in_index(client, config)[f"coordination|{cluster['cluster_id']}"]
    assert alert["issue"] == "pemilu" and alert["cluster"]["accounts"] == 40
    assert alert["count"] == 40 and len(alert["top_posts"]) == 5 and alert["top_authors"]
    assert "40 accounts" in alert["summary"]
    messages = [json.loads(m.value) for m in consume_all(alert_bootstrap, config.alerts_topic)]
    assert [(m["kind"], m["cluster"]["cluster_id"]) for m in messages if m["kind"] == COORDINATION] == [
        (COORDINATION, cluster["cluster_id"])]

    # member posts carry the cluster (bulk partial update); organic posts do not
    client.indices.refresh(index=es.alias)
    member = client.search(index=es.alias, query={"term": {"doc_id": "x:buzz3"}})["hits"]["hits"][0]["_source"]
    assert member["near_dup"]["cluster"] == cluster["cluster_id"]
    assert member["near_dup"]["bands"] and member["coordination"]["accounts"] == 40
    flagged = client.count(index=es.alias, query={"exists": {"field": "near_dup.cluster"}})["count"]
    assert flagged == 40

    # next cycle: the same cluster (same id), no second alert
    report = monitor.run_cycle(now + 15_000)
    assert [c["cluster_id"] for c in report.clusters] == [cluster["cluster_id"]]
    assert report.raised == [] and f"coordination|{cluster['cluster_id']}" in report.continuing

    # the campaign is over: the alert and the cluster resolve
    report = monitor.run_cycle(now + 60 * MIN)
    assert f"coordination|{cluster['cluster_id']}" in report.resolved and report.clusters == []
    client.indices.refresh(index=config.coordination_index)
    assert client.get(index=config.coordination_index, id=cluster["cluster_id"])["_source"]["status"] == "resolved"
    monitor.close()


def test_monitor_before_any_post_is_indexed(setup):
    """The pipeline has not created the posts indices yet: cycles run and find nothing."""
    _, _, config = setup
    config = MonitorConfig(es=EsConfig(url=config.es.url, alias=unique("nothing-yet")),
                           alerts_index=config.alerts_index, coordination_index=config.coordination_index)
    monitor = Monitor(config, CollectorRegistry())
    monitor.setup()
    report = monitor.run_cycle()
    assert report.raised == [] and report.clusters == [] and report.windows <= 1
    monitor.close()
