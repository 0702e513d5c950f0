"""``pantau demo``: the whole path on the embedded local stack, in one command.

1. starts the local stack (noida-db: Kafka + Elasticsearch APIs on loopback) unless
   KAFKA_BOOTSTRAP / ES_URL (or the options) point elsewhere;
2. publishes the bundled sample posts (deploy/sample/posts.jsonl) to Kafka, mixing JSON and
   Confluent-framed Avro of both RawPost versions, plus a few poison messages;
3. runs the pipeline until the topic is idle, printing progress;
4. prints what was indexed (by platform, language, sentiment), the dead letters, and a search.
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transforms.io.publish import create_topic, encode_post, message_key, produce

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "deploy" / "sample" / "posts.jsonl"
POISON_MESSAGES: list[tuple[bytes, bytes]] = [
    (b"demo-poison-1", b"\x00\x00\x00\x00\x63\x02ab"),  # Avro with a schema id nobody registered
    (b"demo-poison-2", b"<html>502 Bad Gateway</html>"),  # a crawler stored an error page
    (b"demo-poison-3", b'{"platform": "x", "post_id": "42", "text": "tanpa penulis"'),  # cut JSON
    (b"demo-poison-4", b'{"platform":"x","post_id":"43","author":{"id":"u1"},"text":"besok",'
                       b'"created_at":"2099-01-01T00:00:00Z","collected_at":"2099-01-01T00:00:00Z"}'),
    (b"demo-poison-5", b""),  # empty message
]


def load_sample(path: Path = SAMPLE) -> list[dict[str, Any]]:
    """The bundled sample posts."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sample_messages(posts: list[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    """Posts as messages: a third JSON, a third Avro v2, a third Avro v1 (which has no title)."""
    formats = [("json", None), ("avro", 2), ("avro", 1)]
    return [(message_key(p), encode_post(p, *formats[i % 3])) for i, p in enumerate(posts)]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pantau demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kafka_bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP"))
    parser.add_argument("--es_url", default=os.environ.get("ES_URL"))
    parser.add_argument("--topic", default="pantau.posts.raw")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--enrichment", choices=["full", "none"], default="full")
    parser.add_argument("--stack_dir", type=Path, default=Path(".pantau"),
                        help="where the local stack keeps its data and logs")
    return parser.parse_args(list(argv))


class Progress(threading.Thread):
    """Prints indexed documents and dead letters every two seconds while the pipeline runs."""

    def __init__(self, es_url: str, alias: str, expected: int, baseline: int):
        super().__init__(daemon=True)
        self.es_url, self.alias, self.expected, self.baseline = es_url, alias, expected, baseline
        self.stopped = threading.Event()

    def run(self) -> None:
        from transforms.io.clients import es_client
        client = es_client(self.es_url)
        started = time.monotonic()
        while not self.stopped.wait(2.0):
            try:
                client.indices.refresh(index=self.alias)
                n = int(client.count(index=self.alias)["count"]) - self.baseline
            except Exception:
                continue
            elapsed = time.monotonic() - started
            print(f"  … {elapsed:5.1f}s  {n} new documents searchable "
                  f"({n / max(elapsed, 1e-9):.0f}/s), {self.expected} posts sent", flush=True)
        client.close()


def _count(client, alias: str) -> int:
    if not client.indices.exists_alias(name=alias):
        return 0
    client.indices.refresh(index=alias)
    return int(client.count(index=alias)["count"])


def print_summary(es_url: str, alias: str, bootstrap: str, dead_topic: str, since_ms: int) -> None:
    """What an analyst would look at first: volumes, languages, sentiment, dead letters, a search."""
    from transforms.io.clients import es_client
    client = es_client(es_url)
    try:
        client.indices.refresh(index=alias)
        total = int(client.count(index=alias)["count"])
        aggs = client.search(index=alias, size=0, aggs={
            "platform": {"terms": {"field": "platform", "size": 20}},
            "language": {"terms": {"field": "language.code", "size": 20}},
            "sentiment": {"terms": {"field": "sentiment.label", "size": 5}},
        })["aggregations"]
        print(f"\nIndexed documents behind alias '{alias}': {total}")
        for name, agg in aggs.items():
            buckets = ", ".join(f"{b['key']}={b['doc_count']}" for b in agg["buckets"]) or "(not computed)"
            print(f"  by {name:<9} {buckets}")
        hits = client.search(index=alias, size=3, query={"match": {"text": "banjir"}},
                             highlight={"fields": {"text": {}}})["hits"]
        print(f"\nExample search: text matches 'banjir' -> {hits['total']['value']} posts; top 3:")
        for h in hits["hits"]:
            s = h["_source"]
            lang = (s.get("language") or {}).get("code", "-")
            sent = (s.get("sentiment") or {}).get("label", "-")
            print(f"  [{s['platform']}/{lang}/{sent}] @{s['author'].get('handle')}: {s['text'][:110]}")
    finally:
        client.close()
    from kafka import KafkaConsumer, TopicPartition

    from transforms.core.deadletter import read_dead_letters
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             consumer_timeout_ms=1500)
    tps = [TopicPartition(dead_topic, p) for p in sorted(consumer.partitions_for_topic(dead_topic) or [])]
    consumer.assign(tps)
    for tp in tps:
        consumer.seek_to_beginning(tp)
    letters = [l for l in read_dead_letters(m.value for m in consumer) if l["failed_at"] >= since_ms]
    consumer.close()
    kinds = Counter(f"{l['stage']}/{l['error_kind']}" for l in letters)
    print(f"\nDead letters this run (topic '{dead_topic}'): {len(letters)}")
    for kind, n in kinds.most_common():
        print(f"  {kind}: {n}")


def _sample_end_ms(posts: list[dict[str, Any]]) -> int:
    from transforms.core.codec import to_epoch_millis
    return max(to_epoch_millis(p["created_at"], "created_at") for p in posts)


def replay_alerts(es_url: str, bootstrap: str, posts: list[dict[str, Any]], step_s: int = 1800) -> None:
    """Runs the alert monitor over the sample's 48 hours, one cycle every ``step_s`` of sample
    time, as it would have run live, and prints the alerts it raises."""
    from transforms.analyst.monitor import Monitor, MonitorConfig
    from transforms.io.es_sink import EsConfig
    from transforms.logic.alerts import SpikeThresholds
    end = _sample_end_ms(posts) + 60_000
    start = end - 48 * 3600 * 1000
    # the sample is small (about 3 posts per 5 minutes), so the minimum counts are scaled down
    spike = SpikeThresholds(min_count=8, neg_min_count=6)
    monitor = Monitor(MonitorConfig(es=EsConfig(url=es_url), kafka_bootstrap=bootstrap, spike=spike))
    monitor.setup()
    print(f"\nReplaying the alert monitor over the sample's 48 hours ({48 * 3600 // step_s} cycles) …", flush=True)
    raised = []
    try:
        for now_ms in range(start + step_s * 1000, end + 1, step_s * 1000):
            raised += monitor.run_cycle(now_ms=now_ms).raised
    finally:
        monitor.close()
    print(f"Alerts raised (index 'pantau-alerts', topic 'pantau.alerts'): {len(raised)}")
    for alert in raised:
        when = time.strftime("%d %b %H:%M UTC", time.gmtime(alert.get("window_end", 0) / 1000))
        print(f"  {when}  {alert.get('headline') or alert.get('summary')}")


def print_delivery(alertmanager_url: str | None) -> None:
    """Where live alerts go to people (the replay above does not send its historical alerts)."""
    where = f"the local Alertmanager {alertmanager_url}" if alertmanager_url else \
        "Alertmanager (apt-get install prometheus-alertmanager; `pantau up` then starts one)"
    print(f"\nLive alerts reach people through {where}: `pantau monitor --alertmanager_url URL` "
          "posts them with Indonesian texts (--alert_language en for English); Telegram, e-mail and "
          "webhook receivers: deploy/alertmanager/alertmanager.yml")


def write_brief(es_url: str, posts: list[dict[str, Any]], folder: Path) -> None:
    """Writes the leader brief for the flood issue over the sample's last 48 hours."""
    from pipelines import report
    out = folder / "brief-banjir.html"
    until = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(_sample_end_ms(posts) / 1000 + 60))
    report.main(["--issue", "Banjir", "--since", "48h", "--until", until, "--es_url", es_url,
                 "--out", str(out)])
    print(f"\nLeader brief for the issue 'Banjir': {out.resolve()}")


def main(argv: Sequence[str]) -> int:
    """Runs the demo; returns 0 when every sample post was indexed."""
    args = parse_args(argv)
    bootstrap, es_url = args.kafka_bootstrap, args.es_url
    alertmanager_url = None
    if not bootstrap or not es_url:
        from devtools.localstack import LocalStack, default_alertmanager_port
        stack = LocalStack(root=args.stack_dir, alertmanager_port=default_alertmanager_port() or None)
        print(f"Starting the local stack under {args.stack_dir}/ …", flush=True)
        bootstrap, es_url = stack.start()
        alertmanager_url = stack.alertmanager_url
    print(f"Kafka: {bootstrap}   Elasticsearch: {es_url}", flush=True)
    dead_topic = f"{args.topic}.dead"
    create_topic(bootstrap, args.topic, 3)
    create_topic(bootstrap, dead_topic, 1)

    posts = load_sample(args.sample)
    messages = sample_messages(posts)
    started_ms = int(time.time() * 1000)
    produce(bootstrap, args.topic, messages[: len(messages) // 2] + POISON_MESSAGES + messages[len(messages) // 2:])
    print(f"Published {len(messages)} sample posts (JSON, Avro v1 and v2) and {len(POISON_MESSAGES)} "
          f"poison messages to '{args.topic}'", flush=True)

    from pipelines.ingest import run
    from transforms.io.clients import es_client
    alias = "pantau-posts"
    client = es_client(es_url)
    baseline = _count(client, alias)
    client.close()
    progress = Progress(es_url, alias, len(messages), baseline)
    progress.start()
    print(f"Running the pipeline (enrichment: {args.enrichment}) until the topic is idle …", flush=True)
    t0 = time.monotonic()
    run([f"--kafka_bootstrap={bootstrap}", f"--es_url={es_url}", f"--input_topic={args.topic}",
         f"--dead_letter_topic={dead_topic}", "--consumer_group=pantau-demo", "--stop_when_idle_s=3",
         f"--enrichment={args.enrichment}", f"--es_alias={alias}"])
    progress.stopped.set()
    print(f"Pipeline finished in {time.monotonic() - t0:.1f}s", flush=True)
    print_summary(es_url, alias, bootstrap, dead_topic, started_ms)
    replay_alerts(es_url, bootstrap, posts)
    print_delivery(alertmanager_url)
    write_brief(es_url, posts, args.stack_dir)
    unique_ids = {message_key(p) for p in posts}
    client = es_client(es_url)
    indexed = _count(client, alias)
    client.close()
    if indexed < len(unique_ids):
        print(f"\nOnly {indexed} of {len(unique_ids)} sample posts are searchable", flush=True)
        return 1
    print("\nHistory for a new issue: add it to deploy/watchlists/issues.yaml and run "
          f"`pantau retag --since 30d --es_url {es_url}` (a running pipeline re-tags the last 7 days "
          "by itself when the file changes, --retag_on_reload_s)")
    print("\nOpen the index in Kibana (data view 'pantau-posts*') or query it: "
          f"curl '{es_url}/{alias}/_search?q=text:banjir&pretty'")
    return 0


def produce_main(argv: Sequence[str]) -> int:
    """``pantau produce``: publish the sample (or a JSONL file of posts) to a topic."""
    from pipelines.options import add_kafka_connection, kafka_security
    from transforms.io.clients import kafka_client_settings
    parser = argparse.ArgumentParser(prog="pantau produce")
    add_kafka_connection(parser)
    parser.add_argument("--topic", default="pantau.posts.raw")
    parser.add_argument("--input", type=Path, default=SAMPLE, help="JSONL file of RawPosts")
    parser.add_argument("--format", choices=["mixed", "json", "avro"], default="mixed")
    args = parser.parse_args(list(argv))
    posts = load_sample(args.input)
    if args.format == "mixed":
        messages = sample_messages(posts)
    else:
        messages = [(message_key(p), encode_post(p, args.format)) for p in posts]
    security = kafka_security(args)
    create_topic(args.kafka_bootstrap, args.topic, 3, security)
    n = produce(args.kafka_bootstrap, args.topic, messages, security=kafka_client_settings(security))
    print(f"published {n} posts to {args.topic} on {args.kafka_bootstrap}")
    return 0
