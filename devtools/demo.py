"""``pantau demo``: the whole path on the embedded local stack, in one command.

1. starts the local stack (noida-db: Kafka + Elasticsearch APIs on loopback) unless
   KAFKA_BOOTSTRAP / ES_URL (or the options) point elsewhere;
2. publishes the bundled sample posts (deploy/sample/posts.jsonl) to Kafka, mixing JSON and
   Confluent-framed Avro of both RawPost versions, plus a few poison messages;
3. runs the pipeline until the topic is idle, printing progress;
4. prints what was indexed (by platform, language, sentiment), the dead letters, and a search;
5. replays the alert monitor over the sample and writes the leader brief;
6. injects a live spike into Kafka and follows it through the pipeline, the monitor and a real
   Alertmanager to a local SMTP server and a webhook (when Alertmanager and aiosmtpd are installed).
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

from transforms.core.settings import SettingsParser
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
    parser = SettingsParser(prog="pantau demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kafka_bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP"))
    parser.add_argument("--es_url", default=os.environ.get("ES_URL"))
    parser.add_argument("--topic", default="pantau.posts.raw")
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--enrichment", choices=["full", "none"], default="full")
    parser.add_argument("--stack_dir", type=Path, default=Path(".pantau"),
                        help="where the local stack keeps its data and logs")
    parser.add_argument("--no_live_alert", action="store_true",
                        help="skip the live spike -> Alertmanager -> e-mail/webhook step")
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


SPIKE_TEXTS = ("Banjir lagi di {p}, air sudah setinggi lutut", "Warga {p} mulai mengungsi, banjir makin tinggi",
               "Jalan utama {p} tergenang banjir, motor mogok", "Posko pengungsian banjir di {p} butuh selimut",
               "Hujan deras sejak subuh, {p} kebanjiran lagi")
PLACES = ("Kampung Melayu", "Bidara Cina", "Cawang", "Pejaten Timur", "Rawajati", "Kebon Pala", "Cililitan")


def live_alert(bootstrap: str, es_url: str, topic: str, dead_topic: str, enrichment: str,
               folder: Path, timeout_s: float = 120.0) -> None:
    """Injects a live spike (40 flood posts, created now) into Kafka, runs the pipeline until idle
    and monitor cycles until a demo Alertmanager has delivered the alert to a local SMTP server
    and a webhook; prints the e-mail as people receive it and the time since the injection."""
    from devtools.alertmanager import (
        AlertmanagerProcess,
        Mailbox,
        Receiver,
        local_config,
        resolve_alertmanager_bin,
    )
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        Controller = None  # noqa: N806 - optional test dependency
    if resolve_alertmanager_bin() is None:
        print("\nLive alert skipped: install prometheus-alertmanager (deploy/install.sh) to see a spike "
              "reach e-mail and a webhook")
        return
    from devtools.localstack import free_port
    from pipelines.ingest import run
    from transforms.analyst.monitor import Monitor, MonitorConfig
    from transforms.io.es_sink import EsConfig
    mailbox, hooks = Mailbox(), Receiver()
    smtp = None
    if Controller is not None:
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
    am = AlertmanagerProcess(folder / "demo-alertmanager", local_config(
        smtp=f"127.0.0.1:{smtp.port}" if smtp else None, webhook_url=f"{hooks.url}/webhook"), free_port())
    monitor = None
    try:
        injected = time.time()
        now_ms = int(injected * 1000)
        burst = [{"platform": "x", "post_id": f"demo-spike-{now_ms}-{k}",
                  "author": {"id": f"warga-demo-{k}", "handle": f"warga_demo{k}", "followers": 50 + 37 * k},
                  "text": SPIKE_TEXTS[k % len(SPIKE_TEXTS)].format(p=PLACES[k % len(PLACES)]) + f" #banjir ({k})",
                  "created_at": now_ms - (40 - k) * 3000, "collected_at": now_ms}
                 for k in range(40)]
        produce(bootstrap, topic, [(message_key(p), encode_post(p, "json")) for p in burst])
        print(f"\nLive alert: injected {len(burst)} flood posts into '{topic}' (created in the last 2 "
              f"minutes); pipeline -> monitor -> Alertmanager {am.url} -> "
              f"{'local SMTP server + ' if smtp else ''}webhook …", flush=True)
        run([f"--kafka_bootstrap={bootstrap}", f"--es_url={es_url}", f"--input_topic={topic}",
             f"--dead_letter_topic={dead_topic}", "--consumer_group=pantau-demo", "--stop_when_idle_s=3",
             f"--enrichment={enrichment}", "--metrics_port=0"])
        monitor = Monitor(MonitorConfig(es=EsConfig(url=es_url), kafka_bootstrap=bootstrap,
                                        alertmanager_url=am.url, interval_s=2.0))
        monitor.setup()
        while time.time() - injected < timeout_s:
            monitor.run_cycle()
            spike_mail = any("Lonjakan unggahan" in m["Subject"] for _, m in mailbox.messages)
            if hooks.on("/webhook") and (spike_mail or smtp is None):
                break
            time.sleep(2.0)
        arrived = [t for t, _ in mailbox.messages] + [t for t, _ in hooks.on("/webhook")]
        if not arrived:
            print(f"  nothing delivered within {timeout_s:.0f}s; Alertmanager log: {am.log}")
            return
        print(f"  delivered {min(arrived) - injected:.0f}s after the injection "
              f"({len(mailbox.messages)} e-mails, {len(hooks.on('/webhook'))} webhook calls)")
        mails = [m for _, m in mailbox.messages]
        for mail in mails:
            print(f"  e-mail  Subject: {mail['Subject']}")
        # the volume spike of the issue first: it is what the injection was
        spike = sorted(mails, key=lambda m: ("Lonjakan unggahan tentang isu" not in m["Subject"]))[:1]
        for mail in spike:
            print(f"  the e-mail of the spike, as received ({mail['To']}):")
            for line in mail.get_body(("plain",)).get_content().strip().splitlines()[:8]:
                print(f"          {line[:150]}")
        for _, call in hooks.on("/webhook")[:1]:
            labels = call["alerts"][0]["labels"]
            print(f"  webhook {call['status']}: issue={labels['issue']} kind={labels['kind']} "
                  f"severity={labels['severity']}")
        if smtp is None:
            print("  (pip install aiosmtpd to also see the e-mail)")
    finally:
        if monitor is not None:
            monitor.close()
        am.stop()
        if smtp is not None:
            smtp.stop()
        hooks.shutdown()


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
    if not args.no_live_alert:
        live_alert(bootstrap, es_url, args.topic, dead_topic, args.enrichment, args.stack_dir)
    unique_ids = {message_key(p) for p in posts}
    client = es_client(es_url)
    indexed = _count(client, alias)
    placed = (int(client.count(index=alias, query={"exists": {"field": "mention_location"}})["count"])
              if indexed else 0)
    client.close()
    if indexed < len(unique_ids):
        print(f"\nOnly {indexed} of {len(unique_ids)} sample posts are searchable", flush=True)
        return 1
    print("\nHistory for a new issue: add it to deploy/watchlists/issues.yaml and run "
          f"`pantau retag --since 30d --es_url {es_url}` (a running pipeline re-tags the last 7 days "
          "by itself when the file changes, --retag_on_reload_s)")
    print("Correct the models: `pantau review` serves a page (http://127.0.0.1:8765/) listing the posts "
          "the sentiment model is least sure about; `pantau evaluate --reviews` scores the models on them")
    print(f"Map of places mentioned: {placed} of {indexed} posts name a province, regency or city "
          "(places_mentioned, mention_location); Kibana 'Peta tempat yang disebut' on the overview"
          + ("" if placed else " (run with --enrichment=full to fill it)"))
    print("Analysts' guide in Indonesian: docs/panduan-analis.md; Kibana: saved search 'Unggahan' on both "
          "dashboards (pantau kibana-import)")
    print("\nOpen the index in Kibana (data view 'pantau-posts*') or query it: "
          f"curl '{es_url}/{alias}/_search?q=text:banjir&pretty'")
    return 0


def produce_main(argv: Sequence[str]) -> int:
    """``pantau produce``: publish the sample (or a JSONL file of posts) to a topic."""
    from pipelines.options import add_kafka_connection, kafka_security
    from transforms.io.clients import kafka_client_settings
    parser = SettingsParser(prog="pantau produce")
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
    n = produce(args.kafka_bootstrap, args.topic, messages, security=kafka_client_settings(security, "producer"))
    print(f"published {n} posts to {args.topic} on {args.kafka_bootstrap}")
    return 0
