"""Helpers for integration tests against real Kafka-protocol brokers and an ES-API server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from transforms.core.deadletter import read_dead_letters
from transforms.io.es_sink import EsConfig
from transforms.io.publish import create_topic, encode_post, message_key, produce  # noqa: F401 (used by the tests)

REPO = Path(__file__).resolve().parents[2]
BASE_MS = 1795514400000  # 2026-11-24T10:00:00Z

POISON = {
    "random_bytes": (os.urandom(64).replace(b"\x00", b"\x01").replace(b"{", b"(").replace(b" ", b"_"),
                     "unknown_format"),
    "unknown_schema_id": (b"\x00\x00\x00\x03\xe7\x02\x04", "avro_unknown_schema_id"),
    "empty": (b"", "empty_message"),
    "not_json": (b"{broken json", "invalid_json"),
    "missing_text": (b'{"platform":"x","post_id":"p","author":{"id":"a"},"created_at":1795514400000,'
                     b'"collected_at":1795514400000}', "missing_field"),
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_post(i: int, collected_offset_ms: int = 0, text: str | None = None) -> dict[str, Any]:
    """A valid RawPost (JSON-like) number i."""
    return {
        "platform": ["x", "facebook", "instagram", "tiktok", "news"][i % 5],
        "post_id": f"p{i}",
        "author": {"id": f"a{i % 37}", "handle": f"@akun{i % 37}", "display_name": f"Akun {i % 37}",
                   "followers": (i * 97) % 5000, "verified": i % 50 == 0},
        "text": text or f"Banjir di Jakarta makin parah #BanjirJakarta @BPBDJakarta https://ex.id/{i} 😢 no {i}",
        "created_at": BASE_MS + i * 1000,
        "collected_at": BASE_MS + i * 1000 + 5000 + collected_offset_ms,
        "engagement": {"likes": i, "replies": 1, "reposts": 2, "quotes": 0, "views": None},
        "geo": {"lat": -6.2, "lon": 106.8, "place": "Jakarta", "country_code": "ID"} if i % 10 == 0 else None,
        "hashtags": ["BanjirJakarta"],
    }


def post_messages(indices, **kwargs) -> list[tuple[bytes, bytes]]:
    """Messages for posts; every third is JSON, the rest Avro v2 and v1 alternately."""
    out = []
    for i in indices:
        post = make_post(i, **kwargs)
        fmt, schema_id = [("json", None), ("avro", 2), ("avro", 1)][i % 3]
        out.append((message_key(post), encode_post(post, fmt, schema_id)))
    return out


def setup_topics(bootstrap: str, topic: str, partitions: int = 3) -> None:
    create_topic(bootstrap, topic, partitions)
    create_topic(bootstrap, f"{topic}.dead", 1)


def pipeline_args(bootstrap: str, es_url: str, topic: str, prefix: str, *extra: str) -> list[str]:
    return [f"--kafka_bootstrap={bootstrap}", f"--es_url={es_url}", f"--input_topic={topic}",
            f"--dead_letter_topic={topic}.dead", f"--consumer_group=g-{topic}",
            f"--es_index_prefix={prefix}", f"--es_alias={prefix}", "--enrichment=none",
            "--bulk_max_age_s=0.5", "--workers=1", *extra]


def run_pipeline_process(args: list[str], log_path: Path) -> subprocess.Popen:
    """Starts ``pantau run`` in its own process (so a test can kill -9 it)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", *args], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def run_bounded(args: list[str], log: Path, timeout_s: float = 180) -> tuple[int, str, str]:
    """Runs ``pantau run`` to its end; (exit status, log, command line). Killed (and the test
    failed) past ``timeout_s``. The command line is kept to check that no secret is on it."""
    proc = run_pipeline_process(args, log)
    cmdline = wait_for(lambda: Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(),
                       10, interval_s=0.05, what="the process command line")
    try:
        rc = proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        pytest.fail(f"pantau run did not end within {timeout_s}s:\n{log.read_text()[-3000:]}")
    return rc, log.read_text(), cmdline


def es_client(es_url: str):
    return EsConfig(url=es_url).client()


def es_count(es_url: str, alias: str) -> int:
    client = es_client(es_url)
    try:
        if not client.indices.exists_alias(name=alias):
            return 0
        client.indices.refresh(index=alias)
        return int(client.count(index=alias)["count"])
    finally:
        client.close()


def es_docs(es_url: str, alias: str, size: int = 10000) -> dict[str, dict[str, Any]]:
    """doc id -> {'_version', '_source'} of every document behind the alias."""
    client = es_client(es_url)
    try:
        client.indices.refresh(index=alias)
        hits = client.search(index=alias, size=size, version=True, query={"match_all": {}})["hits"]["hits"]
        return {h["_id"]: {"_version": h.get("_version"), **h["_source"]} for h in hits}
    finally:
        client.close()


def consume_all(bootstrap: str, topic: str, timeout_s: float = 5.0) -> list[Any]:
    """Every message of a topic, read from the beginning without a group."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             consumer_timeout_ms=1000)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        out, deadline = [], time.monotonic() + timeout_s
        while time.monotonic() < deadline and any(consumer.position(tp) < end[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(records)
        return out
    finally:
        consumer.close()


def dead_letters(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    return list(read_dead_letters(m.value for m in consume_all(bootstrap, f"{topic}.dead")))


def committed_and_end(bootstrap: str, group: str, topic: str) -> tuple[dict[int, int | None], dict[int, int]]:
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=group,
                             enable_auto_commit=False, session_timeout_ms=6000)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        end = consumer.end_offsets(parts)
        return {tp.partition: consumer.committed(tp) for tp in parts}, {tp.partition: end[tp] for tp in parts}
    finally:
        consumer.close()


def wait_for(predicate, timeout_s: float, interval_s: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
