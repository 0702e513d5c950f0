"""No-op pipeline throughput (Kafka -> pantau -> Elasticsearch, enrichment off) against baselines.

All figures come from one run on the same local servers:

* ``kafka-python loop``: a plain consumer reading the N messages (the floor of any Kafka reader);
* ``hand loop``: kafka-python consume -> the same decode/validate/normalize functions ->
  ``elasticsearch.helpers.bulk`` (what a hand-written consumer doing the same work would do);
* ``pipeline``: ``pantau run --enrichment none`` on the FnApiRunner, measured from the first
  document searchable to the last (steady state), and end to end including Beam start-up.

Usage: ``python bench/bench_throughput.py [--n 20000]``: each contender gets a fresh throwaway
noida-db stack holding the same N posts. Prints a table; ``--json FILE`` also writes the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.helpers import post_messages  # noqa: E402
from transforms.io.publish import create_topic, produce  # noqa: E402


def consumer_from_start(bootstrap: str, topic: str):
    """A group-less consumer assigned every partition of the topic, at the beginning."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    return consumer


def kafka_loop(bootstrap: str, topic: str, n: int) -> float:
    """Seconds a bare kafka-python consumer takes to read n messages."""
    consumer = consumer_from_start(bootstrap, topic)
    seen, t0 = 0, time.perf_counter()
    while seen < n:
        for records in consumer.poll(timeout_ms=500, max_records=5000).values():
            seen += len(records)
    elapsed = time.perf_counter() - t0
    consumer.close()
    return elapsed


def hand_loop(bootstrap: str, es_url: str, topic: str, n: int, prefix: str) -> float:
    """Seconds a hand-written consume -> decode -> normalize -> bulk loop takes for n posts."""
    import fastavro
    from elasticsearch import helpers

    import schemas
    from transforms.core.codec import SchemaResolver
    from transforms.io.es_sink import EsConfig, bulk_action, install_template
    from transforms.stages.decode import decode_payload
    from transforms.stages.normalize import normalize_post

    config = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = config.client()
    install_template(client, config)
    resolver = SchemaResolver()
    reader = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))
    consumer = consumer_from_start(bootstrap, topic)
    seen, t0 = 0, time.perf_counter()
    while seen < n:
        actions = []
        for records in consumer.poll(timeout_ms=500, max_records=500).values():
            for r in records:
                post, _, _ = decode_payload(r.value, resolver, reader, 1 << 20)
                actions.append(bulk_action(normalize_post(post, r.value, r.topic, r.partition, r.offset), config))
        if actions:
            helpers.bulk(client, actions, raise_on_error=False)
            seen += len(actions)
    elapsed = time.perf_counter() - t0
    consumer.close()
    client.close()
    return elapsed


def pipeline_run(bootstrap: str, es_url: str, topic: str, n: int, prefix: str) -> tuple[float, float]:
    """(steady-state seconds from first to last document, end-to-end seconds incl. start-up)."""
    from pipelines.ingest import run
    marks: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        from transforms.io.es_sink import EsConfig
        client = EsConfig(url=es_url).client()
        while not done.is_set():  # counts without forcing a refresh (1 s refresh interval)
            try:
                count = int(client.count(index=prefix)["count"])
            except Exception:
                count = 0
            now = time.perf_counter()
            if count > 0 and "first" not in marks:
                marks["first"], marks["first_count"] = now, count
            if count >= n:
                marks["last"] = now
                break
            time.sleep(1.0)
        client.close()

    watcher = threading.Thread(target=watch, daemon=True)
    t0 = time.perf_counter()
    watcher.start()
    run([f"--kafka_bootstrap={bootstrap}", f"--es_url={es_url}", f"--input_topic={topic}",
         f"--dead_letter_topic={topic}.dead", f"--consumer_group=bench-{topic}", "--enrichment=none",
         f"--es_index_prefix={prefix}", f"--es_alias={prefix}", "--stop_when_idle_s=1"])
    watcher.join(30)
    done.set()
    steady = (marks["last"] - marks["first"]) * n / max(n - marks["first_count"], 1)
    return steady, marks["last"] - t0


def fresh_stack(n: int):
    """A new noida-db stack with n posts in a 3-partition topic (noida slows as its data grows,
    so every contender gets the same fresh server)."""
    from devtools.localstack import ephemeral_stack
    stack = ephemeral_stack(tempfile.mkdtemp(prefix="pantau-bench-"), "noida")
    bootstrap, es_url = stack.__enter__()
    topic = "bench-posts"
    create_topic(bootstrap, topic, 3)
    create_topic(bootstrap, f"{topic}.dead", 1)
    produce(bootstrap, topic, post_messages(range(n)))
    return stack, bootstrap, es_url, topic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--only", nargs="*", default=["kafka_python_consume_loop", "hand_loop_consume_normalize_bulk",
                                                      "pipeline_noop"])
    args = parser.parse_args()
    n = args.n
    seconds: dict[str, float] = {}
    for name in args.only:
        stack, bootstrap, es_url, topic = fresh_stack(n)
        try:
            if name == "kafka_python_consume_loop":
                seconds[name] = kafka_loop(bootstrap, topic, n)
            elif name == "hand_loop_consume_normalize_bulk":
                seconds[name] = hand_loop(bootstrap, es_url, topic, n, "bench-hand")
            else:
                seconds["pipeline_noop_steady"], seconds["pipeline_noop_end_to_end"] = pipeline_run(
                    bootstrap, es_url, topic, n, "bench-pipe")
        finally:
            stack.__exit__(None, None, None)
    rates = {name: n / s for name, s in seconds.items()}
    results = {"n": n, "cores": os.cpu_count(), "posts_per_s": rates,
               "pipeline_vs_hand_loop": rates.get("pipeline_noop_steady", 0) / rates.get("hand_loop_consume_normalize_bulk", 1)}
    print(f"\nNo-op throughput, {n} posts, Kafka -> ES (enrichment off), one run, fresh server each:")
    for name, rate in rates.items():
        print(f"  {name:<36} {rate:10.0f} posts/s")
    print(f"  pipeline (steady) / hand loop      {results['pipeline_vs_hand_loop']:10.2f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
