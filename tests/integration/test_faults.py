"""Faults survived with nothing lost: repeated kill -9, a 60 s Elasticsearch outage, a broker restart."""
import os
import signal
import time

import pytest

from tests.integration.helpers import (
    committed_and_end,
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
from tests.integration.proxy import proxied
from tests.stack_faults import restart_broker

pytestmark = pytest.mark.integration


def doc_id(i: int) -> str:
    return f"{['x', 'facebook', 'instagram', 'tiktok', 'news'][i % 5]}:p{i}"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_three_kill_9_then_clean_run_keeps_every_post_once_at_its_latest_version(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("kill3"), unique("idx")
    n = 2400
    setup_topics(kafka_bootstrap, topic)
    chunks = [range(0, 800), range(800, 1400), range(1400, 2000), range(2000, n)]
    updated = list(range(0, 2400, 97))  # posts that get a newer version later in the stream
    produce(kafka_bootstrap, topic, post_messages(chunks[0]))
    slow = ["--poll_max_records=25", "--bulk_max_docs=25", "--commit_interval_s=0.5"]
    for attempt, chunk in enumerate(chunks[1:], start=1):
        before = es_count(es_url, prefix)
        proc = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, *slow),
                                    tmp_path / f"run{attempt}.log")
        try:
            wait_for(lambda: es_count(es_url, prefix) > before, 120, what=f"progress in run {attempt}")
            produce(kafka_bootstrap, topic, post_messages(chunk))
            if attempt == 2:
                produce(kafka_bootstrap, topic, post_messages(
                    [i for i in updated if i < 1400], collected_offset_ms=3600_000, text="versi terbaru"))
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    produce(kafka_bootstrap, topic, post_messages([i for i in updated if i >= 1400],
                                                 collected_offset_ms=3600_000, text="versi terbaru"))
    final = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=3"),
                                 tmp_path / "final.log")
    assert final.wait(300) == 0, (tmp_path / "final.log").read_text()[-3000:]

    docs = es_docs(es_url, prefix)
    assert set(docs) == {doc_id(i) for i in range(n)}
    for i in updated:
        assert docs[doc_id(i)]["text"] == "versi terbaru"
        assert docs[doc_id(i)]["_version"] == make_post(i, collected_offset_ms=3600_000)["collected_at"]
    assert docs[doc_id(1)]["_version"] == make_post(1)["collected_at"]
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == n + len(updated)


def test_elasticsearch_down_60s_backs_off_bounded_memory_and_resumes(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("esdown"), unique("idx")
    n = 3000
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(1000)))
    with proxied(es_url) as (proxy, through):
        proc = run_pipeline_process(
            pipeline_args(kafka_bootstrap, through, topic, prefix, "--poll_max_records=50", "--bulk_max_docs=50",
                          "--es_max_backoff_s=5"), tmp_path / "run.log")
        try:
            wait_for(lambda: es_count(es_url, prefix) > 0, 120, what="first documents")
            proxy.cut()
            produce(kafka_bootstrap, topic, post_messages(range(1000, n)))
            time.sleep(5)
            rss_start, indexed_start = rss_mb(proc.pid), es_count(es_url, prefix)
            time.sleep(55)
            rss_end, indexed_end = rss_mb(proc.pid), es_count(es_url, prefix)
            committed_during, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
            assert proc.poll() is None, "the pipeline must wait for Elasticsearch, not crash"
            assert indexed_end == indexed_start
            assert rss_end - rss_start < 50, f"memory grew from {rss_start:.0f} to {rss_end:.0f} MB"
            assert sum(v or 0 for v in committed_during.values()) <= indexed_end
            proxy.restore()
            wait_for(lambda: es_count(es_url, prefix) == n, 120, what="all documents after the outage")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(60)
    assert "backing off" in (tmp_path / "run.log").read_text()


def test_kafka_broker_restart_mid_stream(pantau_stack, es_url, tmp_path):
    """noida's broker keeps its data across a restart (Tansu's memory storage would not)."""
    pantau_stack.start(wait_s=60, only=["noida"])
    bootstrap = pantau_stack.noida_bootstrap
    topic, prefix = unique("brokerdown"), unique("idx")
    n = 2000
    setup_topics(bootstrap, topic)
    produce(bootstrap, topic, post_messages(range(1000)))
    proc = run_pipeline_process(pipeline_args(bootstrap, es_url, topic, prefix, "--poll_max_records=50",
                                              "--bulk_max_docs=50"), tmp_path / "run.log")
    try:
        wait_for(lambda: es_count(es_url, prefix) > 0, 120, what="first documents")
        restart_broker(pantau_stack, "noida", down_s=5)
        produce(bootstrap, topic, post_messages(range(1000, n)))
        wait_for(lambda: es_count(es_url, prefix) == n, 180, what="all documents after the restart")
        assert proc.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    assert set(es_docs(es_url, prefix)) == {doc_id(i) for i in range(n)}
    committed, _ = committed_and_end(bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == n
