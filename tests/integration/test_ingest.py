"""End to end against real servers: Kafka-protocol broker -> pipeline -> ES-API server.

Runs once per broker (noida-db and Tansu) unless KAFKA_BOOTSTRAP names a real cluster; ES_URL
likewise points the suite at a real Elasticsearch.
"""
import os
import signal
import time

import pytest

from pipelines.ingest import run
from tests.integration.helpers import (
    POISON,
    committed_and_end,
    dead_letters,
    es_client,
    es_count,
    es_docs,
    make_post,
    pipeline_args,
    post_messages,
    produce,
    run_pipeline_process,
    setup_topics,
    unique,
    wait_for,
)

pytestmark = pytest.mark.integration
N = 240


def counters(result) -> dict[str, int]:
    return {f"{c.key.metric.namespace}/{c.key.metric.name}": c.committed
            for c in result.metrics().query()["counters"]}


def test_mixed_avro_json_and_poison_end_to_end_then_replay(kafka_bootstrap, es_url):
    topic, prefix = unique("ingest"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    messages = post_messages(range(N))
    poison = [(f"poison-{name}".encode(), payload) for name, (payload, _) in POISON.items()]
    produce(kafka_bootstrap, topic, messages[:100] + poison + messages[100:])
    args = pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2")

    result = run(args)

    assert es_count(es_url, prefix) == N
    docs = es_docs(es_url, prefix)
    doc = docs["x:p10"]
    assert doc["platform"] == "x" and doc["author"]["handle"] == "akun10"
    assert doc["hashtags"] == ["banjirjakarta"] and doc["mentions"] == ["bpbdjakarta"]
    assert doc["urls"] == ["https://ex.id/10"] and doc["emojis"] == ["😢"]
    assert doc["location"] == {"lat": -6.2, "lon": 106.8}
    assert doc["created_at"] == make_post(10)["created_at"]
    assert docs["x:p10"]["_version"] == make_post(10)["collected_at"]
    assert docs["instagram:p2"]["raw"].startswith("base64:")  # Avro payload kept as it came
    assert docs["x:p0"]["raw"].startswith("{")  # JSON payload kept as it came

    letters = dead_letters(kafka_bootstrap, topic)
    assert sorted((l["key"].decode(), l["error_kind"]) for l in letters) == sorted(
        (f"poison-{name}", kind) for name, (_, kind) in POISON.items())
    for letter in letters:
        assert letter["stage"] == "decode" and letter["topic"] == topic and letter["message"]
        assert letter["payload"] == POISON[letter["key"].decode()[len("poison-"):]][0]

    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == N + len(POISON)
    c = counters(result)
    assert c["pantau.index/docs_indexed"] == N

    # Replay from the earliest offsets: nothing changes, every document is a version conflict.
    replay = run(args + ["--start_offset=earliest", f"--consumer_group=g2-{topic}"])
    assert es_count(es_url, prefix) == N
    again = es_docs(es_url, prefix)
    assert {k: v["_version"] for k, v in again.items()} == {k: v["_version"] for k, v in docs.items()}
    assert counters(replay)["pantau.index/docs_version_conflict"] == N
    assert counters(replay).get("pantau.index/docs_indexed", 0) == 0


def test_newer_update_wins_and_older_update_is_ignored(kafka_bootstrap, es_url):
    topic, prefix = unique("versions"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(5)))
    args = pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2")
    run(args)
    newer = post_messages([1], collected_offset_ms=60000, text="diperbarui: banjir surut")
    older = post_messages([2], collected_offset_ms=-60000, text="versi lama yang datang terlambat")
    produce(kafka_bootstrap, topic, newer + older)
    run(args)
    docs = es_docs(es_url, prefix)
    assert len(docs) == 5
    assert docs["facebook:p1"]["text"] == "diperbarui: banjir surut"
    assert docs["facebook:p1"]["_version"] == make_post(1, collected_offset_ms=60000)["collected_at"]
    assert docs["instagram:p2"]["text"] == make_post(2)["text"]
    assert docs["instagram:p2"]["_version"] == make_post(2)["collected_at"]


def test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("crash"), unique("idx")
    total = 3000
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(0, 2000)))
    slow = ["--poll_max_records=20", "--bulk_max_docs=20"]
    proc = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, *slow),
                                tmp_path / "run1.log")
    try:
        wait_for(lambda: es_count(es_url, prefix) > 0, 90, what="first documents")
        produce(kafka_bootstrap, topic, post_messages(range(2000, 2500)))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    indexed_at_kill = es_count(es_url, prefix)
    assert 0 < indexed_at_kill < total, (tmp_path / "run1.log").read_text()[-3000:]
    produce(kafka_bootstrap, topic, post_messages(range(2500, total)))

    restart = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=3"),
                                   tmp_path / "run2.log")
    assert restart.wait(300) == 0, (tmp_path / "run2.log").read_text()[-3000:]
    docs = es_docs(es_url, prefix)
    assert len(docs) == total
    assert set(docs) == {f"{['x', 'facebook', 'instagram', 'tiktok', 'news'][i % 5]}:p{i}" for i in range(total)}
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == total


def test_sigterm_drains_flushes_commits_and_exits(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("sigterm"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(3000)))
    proc = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix,
                                              "--poll_max_records=20", "--bulk_max_docs=200",
                                              "--commit_interval_s=30"), tmp_path / "run.log")
    wait_for(lambda: es_count(es_url, prefix) > 0, 90, what="first documents")
    os.killpg(proc.pid, signal.SIGTERM)
    started = time.monotonic()
    assert proc.wait(60) == 0, (tmp_path / "run.log").read_text()[-3000:]
    assert time.monotonic() - started < 30
    indexed = es_count(es_url, prefix)
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    # everything read was indexed and committed (a 30 s commit interval did not hold it back)
    assert 0 < indexed < 3000
    assert sum(v or 0 for v in committed.values()) == indexed


def test_posts_mentioning_a_city_get_the_places_mentioned_geo_field(kafka_bootstrap, es_url):
    """Full enrichment: LOC entities of the gazetteer become places_mentioned + mention_location."""
    topic, prefix = unique("places"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    texts = {0: "banjir di Semarang sejak subuh, warga mengungsi",
             1: "Macet parah di Surabaya dan Sidoarjo pagi ini",
             2: "selamat pagi semuanya, semoga sehat selalu"}
    produce(kafka_bootstrap, topic, [m for i, t in texts.items() for m in post_messages([i], text=t)])
    args = [a for a in pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2")
            if a != "--enrichment=none"] + ["--enrichment=full"]
    run(args)
    docs = es_docs(es_url, prefix)
    semarang = docs["x:p0"]
    assert [p["name"] for p in semarang["places_mentioned"]] == ["Semarang"]
    (point,) = semarang["mention_location"]
    assert -8.3 <= point["lat"] <= -5.7 and 108.5 <= point["lon"] <= 111.8  # Central Java
    assert {p["name"] for p in docs["facebook:p1"]["places_mentioned"]} == {"Surabaya", "Sidoarjo"}
    assert len(docs["facebook:p1"]["mention_location"]) == 2
    assert docs["instagram:p2"]["places_mentioned"] == [] and "mention_location" not in docs["instagram:p2"]
    central_java = {"geo_bounding_box": {"mention_location": {
        "top_left": {"lat": -5.7, "lon": 108.5}, "bottom_right": {"lat": -8.3, "lon": 111.8}}}}
    client = es_client(es_url)
    try:
        hits = client.search(index=prefix, query=central_java)["hits"]["hits"]
    finally:
        client.close()
    assert {h["_id"] for h in hits} == {"x:p0"}
