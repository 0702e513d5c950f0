"""`pantau run --workers N` against the real local brokers and noida's Elasticsearch API: one
supervisor, N pipeline processes sharing the partitions; a worker killed with -9 is restarted
and nothing is lost or indexed twice; partitions added to the topic are read without a restart."""
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.helpers import (
    committed_and_end,
    dead_letters,
    es_count,
    es_docs,
    make_post,
    message_key,
    pipeline_args,
    post_messages,
    produce,
    run_pipeline_process,
    setup_topics,
    unique,
    wait_for,
)
from transforms.io.clients import kafka_admin, kafka_producer
from transforms.io.publish import encode_post

pytestmark = pytest.mark.integration


def worker_pids(log: Path) -> dict[int, list[int]]:
    """worker index -> pids it was started with, from the supervisor's log."""
    pids: dict[int, list[int]] = {}
    for m in re.finditer(r"worker (\d+) started \(pid (\d+)\)", log.read_text()):
        pids.setdefault(int(m.group(1)), []).append(int(m.group(2)))
    return pids


def started_partitions(log: Path) -> dict[int, set[int]]:
    """worker index -> partitions it started reading (its log lines carry '[worker w]')."""
    out: dict[int, set[int]] = {}
    for m in re.finditer(r"\[worker (\d+)\] \S+: partition \S+-(\d+) starts at offset", log.read_text()):
        out.setdefault(int(m.group(1)), set()).add(int(m.group(2)))
    return out


def stop(proc: subprocess.Popen, log: Path) -> int:
    os.kill(proc.pid, signal.SIGTERM)
    try:
        return proc.wait(120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the supervisor did not drain within 120 s:\n{log.read_text()[-3000:]}")


def test_kill_9_of_one_worker_loses_and_duplicates_nothing(kafka_bootstrap, es_url, tmp_path):
    topic, prefix, log = unique("workers"), unique("idx"), tmp_path / "run.log"
    setup_topics(kafka_bootstrap, topic, partitions=4)
    produce(kafka_bootstrap, topic, post_messages(range(0, 800)))
    proc = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--workers=2",
                                              "--metrics_port=0", "--commit_interval_s=0.5"), log)
    try:
        wait_for(lambda: es_count(es_url, prefix) >= 100, 120, what="the first documents")
        victim = worker_pids(log)[1][0]
        os.kill(victim, signal.SIGKILL)
        produce(kafka_bootstrap, topic, post_messages(range(800, 1600)))
        wait_for(lambda: len(worker_pids(log).get(1, [])) >= 2, 60, what="worker 1 to be restarted")
        wait_for(lambda: es_count(es_url, prefix) >= 1600, 180, what="every post indexed")
        assert proc.poll() is None, log.read_text()[-3000:]
    finally:
        code = stop(proc, log)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert all(not os.path.exists(f"/proc/{p}") for pids in worker_pids(log).values() for p in pids)
    docs = es_docs(es_url, prefix)
    assert sorted(docs) == sorted(f"{make_post(i)['platform']}:p{i}" for i in range(1600))
    assert all(d["_version"] == d["collected_at"] for d in docs.values())  # never overwritten by a replay
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sum(committed.values()) == 1600  # each partition read by one worker, to its end
    assert dead_letters(kafka_bootstrap, topic) == []
    assert started_partitions(log) == {0: {0, 2}, 1: {1, 3}}


def test_partitions_added_while_running_are_read_without_a_restart(alert_bootstrap, es_url, tmp_path):
    # Tansu does not implement CreatePartitions: this runs on noida (or $KAFKA_BOOTSTRAP)
    bootstrap = alert_bootstrap
    topic, prefix, log = unique("grow"), unique("idx"), tmp_path / "run.log"
    setup_topics(bootstrap, topic, partitions=2)
    produce(bootstrap, topic, post_messages(range(0, 200)))
    proc = run_pipeline_process(pipeline_args(bootstrap, es_url, topic, prefix, "--workers=2", "--metrics_port=0",
                                              "--partition_discovery_interval_s=1"), log)
    try:
        wait_for(lambda: es_count(es_url, prefix) >= 200, 120, what="the first posts")
        from kafka.admin import NewPartitions
        admin = kafka_admin(bootstrap)
        try:
            admin.create_partitions({topic: NewPartitions(total_count=4)})
        finally:
            admin.close()
        producer = kafka_producer(bootstrap, acks="all")
        try:
            for i in range(200, 300):
                post = make_post(i)
                producer.send(topic, key=message_key(post), value=encode_post(post, "json"), partition=2 + i % 2)
            producer.flush()
        finally:
            producer.close()
        wait_for(lambda: es_count(es_url, prefix) >= 300, 120, what="the posts of the new partitions")
        assert worker_pids(log) == {0: worker_pids(log)[0], 1: worker_pids(log)[1]}
        assert all(len(p) == 1 for p in worker_pids(log).values())  # no worker was restarted
    finally:
        code = stop(proc, log)
    assert code == 0, log.read_text()[-3000:]
    assert started_partitions(log) == {0: {0, 2}, 1: {1, 3}}
    assert "(new partition)" in log.read_text()
    assert len(es_docs(es_url, prefix)) == 300
