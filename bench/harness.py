"""The performance harness: one command, every figure, JSON + Markdown under bench/results/.

    python bench/harness.py [--n 20000] [--rate_fraction 0.5] [--duration_s 60]

What it measures, all in one run on this machine, each contender on a fresh local stack
(noida-db: Kafka + Elasticsearch APIs) holding the same posts:

1. **Per stage** (one core): decode, normalize, language, sentiment, entities, full enrichment,
   tag (watchlist, influence, near-duplicates), Elasticsearch bulk — posts/s each, so the
   bottleneck is obvious.
2. **Pipeline at max rate**: N posts waiting in Kafka, ``pantau run`` with full enrichment into
   Elasticsearch; sustained posts/s (10 %→90 % of the documents searchable), CPU seconds per
   post, peak RSS.
3. **Hand loop baseline**: kafka-python consumer → the same decode/normalize/enrich/tag
   functions → ``elasticsearch.helpers.bulk``, on the same posts; pipeline/baseline ratio.
4. **Freshness at a fixed rate** (a fraction of the max): a producer sends posts with
   ``created_at`` = send time for ``duration_s``; the harness polls Elasticsearch and reports
   created → searchable p50/p99.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from transforms.io.publish import create_topic, encode_post, message_key, produce  # noqa: E402

TOPIC = "bench.posts"
ALIAS = "bench-posts"


# ---- data -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def sample_texts() -> tuple[dict[str, Any], ...]:
    """The bundled sample, read once (the freshness producer makes a post at a time)."""
    with open(REPO / "deploy" / "sample" / "posts.jsonl", encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f if line.strip())


def make_posts(n: int, created_ms: Callable[[int], int] | None = None) -> list[dict[str, Any]]:
    """n posts with the sample's texts and authors, unique ids, timestamps now (or as given)."""
    base = sample_texts()
    now = int(time.time() * 1000)
    posts = []
    for i in range(n):
        post = dict(base[i % len(base)])
        post["post_id"] = f"bench{i}"
        created = created_ms(i) if created_ms else now - 60_000
        post["created_at"], post["collected_at"] = created, created + 1
        post["reply_to"] = post["repost_of"] = post["quote_of"] = None
        posts.append(post)
    return posts


def messages(posts: list[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    return [(message_key(p), encode_post(p, "json" if i % 2 else "avro")) for i, p in enumerate(posts)]


#: (Kafka bootstrap, Elasticsearch URL) of servers elsewhere (--kafka_bootstrap/--es_url), or None
#: for a fresh local noida-db stack per contender
EXTERNAL: tuple[str, str] | None = None


class Stack:
    """A fresh throwaway local stack with the bench topic; with :data:`EXTERNAL`, a fresh topic
    and alias (``TOPIC``/``ALIAS`` get a unique suffix) on those servers, left there afterwards."""

    def __enter__(self):
        global TOPIC, ALIAS
        if EXTERNAL:
            self.root, self._cm = None, None
            self.bootstrap, self.es_url = EXTERNAL
            run = uuid.uuid4().hex[:8]
            TOPIC, ALIAS = f"bench.posts.{run}", f"bench-posts-{run}"
        else:
            from devtools.localstack import ephemeral_stack
            self.root = tempfile.mkdtemp(prefix="pantau-harness-")
            self._cm = ephemeral_stack(self.root, "noida")
            self.bootstrap, self.es_url = self._cm.__enter__()
        create_topic(self.bootstrap, TOPIC, 3)
        create_topic(self.bootstrap, f"{TOPIC}.dead", 1)
        return self

    def __exit__(self, *exc):
        if self._cm is not None:
            self._cm.__exit__(*exc)

    def server_cpu_s(self) -> float:
        """CPU seconds the stack's noida-db server has used so far (0 when it is not found, or
        the servers are elsewhere)."""
        if self.root is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
                if b"noida-db" not in cmdline or self.root.encode() not in cmdline:
                    continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
        return 0.0

    def count(self, client) -> int:
        try:
            return int(client.count(index=ALIAS)["count"])
        except Exception:
            return 0


def es_client(url: str):
    from transforms.io.es_sink import EsConfig
    return EsConfig(url=url).client()


# ---- 1. per stage ---------------------------------------------------------------------------

def per_stage(n: int, es_url: str) -> dict[str, float]:
    """posts/s of each stage on one core (the NLP stages through bench_enrich's helpers)."""
    import fastavro
    from bench_enrich import rate
    from elasticsearch import helpers

    import schemas
    from transforms.core.codec import SchemaResolver
    from transforms.io.es_sink import EsConfig, bulk_action, install_template
    from transforms.logic.influence import post_influence
    from transforms.logic.neardup import near_dup_for_doc
    from transforms.logic.watchlist import load_watchlist
    from transforms.nlp.enricher import Enricher
    from transforms.nlp.entities import NER_LANGUAGES
    from transforms.nlp.textnorm import SLANG_LANGUAGES, apply_slang, clean_tokens
    from transforms.stages.decode import decode_payload
    from transforms.stages.enrich import apply_enrichment, model_input
    from transforms.stages.normalize import normalize_post

    posts = make_posts(n)
    msgs = messages(posts)
    resolver = SchemaResolver()
    reader = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))
    decoded = [decode_payload(v, resolver, reader, 1 << 20)[0] for _, v in msgs]
    docs = [normalize_post(p, v) for p, (_, v) in zip(decoded, msgs)]
    enricher = Enricher.load()
    inputs = [model_input(d) for d in docs]
    texts = [i["text"] for i in inputs]
    tokens = [clean_tokens(t) for t in texts]
    langs = enricher.langid.identify_batch(texts, tokens)
    normalized = [" ".join(apply_slang(tk) if lang.code in SLANG_LANGUAGES else tk)
                  for tk, lang in zip(tokens, langs)]
    use_model = [lang.code in NER_LANGUAGES for lang in langs]
    enriched = [apply_enrichment(d, r) for d, r in zip(docs, enricher.enrich_batch(inputs))]
    watchlist = load_watchlist(str(REPO / "deploy" / "watchlists" / "issues.yaml"))
    idx = list(range(n))
    out = {
        "decode": rate(lambda b: [decode_payload(msgs[i][1], resolver, reader, 1 << 20) for i in b], idx, 256),
        "normalize": rate(lambda b: [normalize_post(decoded[i], msgs[i][1]) for i in b], idx, 256),
        "language": rate(lambda b: enricher.langid.identify_batch([texts[i] for i in b], [tokens[i] for i in b]),
                         idx, 256),
        "sentiment": rate(lambda b: enricher.sentiment.predict_normalized([normalized[i] for i in b],
                                                                           [langs[i].code for i in b]), idx, 256),
        "entities": rate(lambda b: enricher.entities.extract_batch([texts[i] for i in b],
                                                                   [use_model[i] for i in b]), idx, 256),
        "enrich_full": rate(enricher.enrich_batch, inputs, 256),
        "tag": rate(lambda b: [(watchlist.match_doc(enriched[i]), post_influence(enriched[i]),
                                near_dup_for_doc(enriched[i])) for i in b], idx, 256),
    }
    config = EsConfig(url=es_url, index_prefix="bench-stage", alias="bench-stage")
    client = config.client()
    install_template(client, config)
    actions = [bulk_action(d, config) for d in enriched]
    t0 = time.perf_counter()
    for i in range(0, n, 500):
        helpers.bulk(client, actions[i:i + 500], raise_on_error=False)
    out["es_bulk"] = n / (time.perf_counter() - t0)
    client.close()
    return out


# ---- 2. pipeline at max rate ----------------------------------------------------------------

def pipeline_cmd(stack: Stack, *extra: str, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "run", f"--kafka_bootstrap={stack.bootstrap}",
            f"--es_url={stack.es_url}", f"--input_topic={TOPIC}", f"--dead_letter_topic={TOPIC}.dead",
            "--consumer_group=bench", f"--es_index_prefix={ALIAS}", f"--es_alias={ALIAS}",
            "--metrics_port=0", "--enrichment=full", f"--workers={workers}", *extra]


class ProcWatch(threading.Thread):
    """Samples the peak RSS (VmHWM) of a process and of its children (the workers of
    ``--workers N``) until it exits; the largest single process is what counts against a
    worker's memory budget."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss_mb = pid, 0.0

    def tree(self) -> list[int]:
        pids = [self.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.pid:
                            pids.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return pids

    def run(self) -> None:
        while os.path.exists(f"/proc/{self.pid}"):
            for pid in self.tree():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)
                except OSError:
                    pass
            time.sleep(0.5)


def children_cpu_s() -> float:
    """CPU seconds of this process's children (and theirs) that have ended and been waited for."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def searchable_marks(stack: Stack, client, proc: subprocess.Popen, n: int) -> dict[float, float]:
    """When 10 %, 90 % and all of ``n`` posts had become searchable (``perf_counter``), polled
    once a second while ``proc`` runs and for up to 10 s after it ends (the index refresh)."""
    marks: dict[float, float] = {}
    ended_at = None
    while ended_at is None or (time.perf_counter() - ended_at < 10 and 1.0 not in marks):
        if ended_at is None and proc.poll() is not None:
            ended_at = time.perf_counter()
        count = stack.count(client)
        now = time.perf_counter()
        for frac in (0.1, 0.9, 1.0):
            if count >= frac * n and frac not in marks:
                marks[frac] = now
        time.sleep(1.0)
    return marks


def startup_cpu_s(stack: Stack, workers: int, *extra: str) -> float:
    """CPU seconds of the same pipeline command on an empty topic: start-up, the idle wait
    before it stops and shutdown; subtracted from a run's CPU, it leaves the cost of the posts."""
    empty = f"{TOPIC}.empty"
    create_topic(stack.bootstrap, empty, 3)
    before = children_cpu_s()
    subprocess.run(pipeline_cmd(stack, "--stop_when_idle_s=2", *extra, f"--input_topic={empty}",
                                "--consumer_group=bench-empty", workers=workers),
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return children_cpu_s() - before


def pipeline_max_rate(n: int, workers: int = 1, *extra: str) -> dict[str, float]:
    with Stack() as stack:
        produce(stack.bootstrap, TOPIC, messages(make_posts(n)))
        client = es_client(stack.es_url)
        cpu_before, server_before, t0 = children_cpu_s(), stack.server_cpu_s(), time.perf_counter()
        proc = subprocess.Popen(pipeline_cmd(stack, "--stop_when_idle_s=2", *extra, workers=workers), cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        watch = ProcWatch(proc.pid)
        watch.start()
        marks = searchable_marks(stack, client, proc, n)
        cpu_s = children_cpu_s() - cpu_before  # the supervisor waited for its workers
        server_cpu_s = stack.server_cpu_s() - server_before
        watch.join(2)
        client.close()
        if 0.9 not in marks or 0.1 not in marks:
            raise RuntimeError(f"pipeline indexed too little (exit {proc.returncode})")
        return {"workers": workers, "posts_per_s": 0.8 * n / (marks[0.9] - marks[0.1]),
                "end_to_end_posts_per_s": n / (marks.get(1.0, marks[0.9]) - t0),
                "cpu_ms_per_post": 1000 * cpu_s / n,
                "steady_cpu_ms_per_post": 1000 * (cpu_s - startup_cpu_s(stack, workers, *extra)) / n,
                "peak_rss_mb": watch.peak_rss_mb,
                "server_cpu_ms_per_post": 1000 * server_cpu_s / n}


# ---- 3. hand loop ---------------------------------------------------------------------------

def hand_loop(n: int) -> dict[str, float]:
    """kafka-python -> the same functions -> helpers.bulk, one process, no Beam."""
    with Stack() as stack:
        produce(stack.bootstrap, TOPIC, messages(make_posts(n)))
        code = f"""
import sys, time, fastavro
sys.path.insert(0, {str(REPO)!r})
from kafka import KafkaConsumer, TopicPartition
from elasticsearch import helpers
import schemas
from transforms.core.codec import SchemaResolver
from transforms.stages.decode import decode_payload
from transforms.stages.normalize import normalize_post
from transforms.stages.enrich import apply_enrichment, model_input
from transforms.io.es_sink import EsConfig, bulk_action, install_template
from transforms.logic.influence import post_influence
from transforms.logic.neardup import near_dup_for_doc
from transforms.nlp.enricher import Enricher
from transforms.logic.watchlist import load_watchlist
config = EsConfig(url={stack.es_url!r}, index_prefix={ALIAS!r}, alias={ALIAS!r})
client = config.client(); install_template(client, config)
enricher = Enricher.load(); watchlist = load_watchlist({str(REPO / 'deploy/watchlists/issues.yaml')!r})
resolver = SchemaResolver()
reader = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))
consumer = KafkaConsumer(bootstrap_servers={stack.bootstrap!r}, enable_auto_commit=False)
parts = [TopicPartition({TOPIC!r}, p) for p in consumer.partitions_for_topic({TOPIC!r})]
consumer.assign(parts); consumer.seek_to_beginning(*parts)
seen, t0, cpu0 = 0, time.perf_counter(), time.process_time()
while seen < {n}:
    docs = []
    for records in consumer.poll(timeout_ms=500, max_records=256).values():
        for r in records:
            post, _, _ = decode_payload(r.value, resolver, reader, 1 << 20)
            docs.append(normalize_post(post, r.value, r.topic, r.partition, r.offset))
    if not docs:
        continue
    docs = [apply_enrichment(d, e) for d, e in zip(docs, enricher.enrich_batch([model_input(d) for d in docs]))]
    for d in docs:
        d["issues"] = watchlist.match_doc(d); d["influence"] = post_influence(d); d["near_dup"] = near_dup_for_doc(d)
    helpers.bulk(client, [bulk_action(d, config) for d in docs], raise_on_error=False)
    seen += len(docs)
print(seen / (time.perf_counter() - t0), 1000 * (time.process_time() - cpu0) / seen)
"""
        client = es_client(stack.es_url)
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        marks = searchable_marks(stack, client, proc, n)
        client.close()
        out, _ = proc.communicate()
        if proc.returncode or 0.9 not in marks or 0.1 not in marks:
            raise RuntimeError(f"hand loop indexed too little (exit {proc.returncode})")
        rate, cpu_ms = out.strip().splitlines()[-1].split()
        return {"posts_per_s": 0.8 * n / (marks[0.9] - marks[0.1]), "sent_posts_per_s": float(rate),
                "steady_cpu_ms_per_post": float(cpu_ms)}


# ---- 4. freshness at a fixed rate -----------------------------------------------------------

def quantiles(values: list[float]) -> dict[str, float]:
    """p50 / p99 / max of ``values`` (seconds, rounded to ms)."""
    values = sorted(values)
    pick = lambda q: values[min(int(q * len(values)), len(values) - 1)]  # noqa: E731
    return {"p50_s": round(pick(0.5), 3), "p99_s": round(pick(0.99), 3), "max_s": round(values[-1], 3)}


def fetch_stamps(client, prefix: str) -> dict[str, tuple[int, int, int]]:
    """post_id -> (created_at, processed_at, indexed_at) of every document whose id starts with
    ``prefix`` (search_after pages, so more than 10,000 documents are fine)."""
    stamps, after = {}, None
    while True:
        page = client.search(index=ALIAS, size=2000, query={"prefix": {"post_id": prefix}},
                             sort=[{"created_at": "asc"}, {"doc_id": "asc"}],
                             source=["post_id", "created_at", "processed_at", "indexed_at"],
                             **({"search_after": after} if after else {}))["hits"]["hits"]
        if not page:
            return stamps
        for hit in page:
            s = hit["_source"]
            stamps[s["post_id"]] = (s["created_at"], s["processed_at"], s["indexed_at"])
        after = page[-1]["sort"]


def scrape(port: int) -> dict[str, float]:
    """The pipeline's Prometheus samples (name -> value, summed over labels)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[sample.name] = out.get(sample.name, 0.0) + sample.value
    return out


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LINGER_MS = 5  # the freshness producer's linger.ms (--linger_ms)


def freshness(rate_per_s: float, duration_s: float, *extra: str) -> dict[str, Any]:
    """created → searchable latencies while a producer sends ``rate_per_s`` posts/s, and where
    the time goes: per post, send → read by the source (``processed_at``, stamped by normalize
    right after the read), read → arrival at the sink (``indexed_at``: the stages and the
    batching before enrichment), arrival at the sink → searchable (the sink's buffer, the bulk
    request and the index refresh); plus the mean bulk request from the pipeline's metrics."""
    from kafka import KafkaProducer
    metrics_port = free_port()
    with Stack() as stack:
        cmd = [a for a in pipeline_cmd(stack, *extra) if a != "--metrics_port=0"]
        proc = subprocess.Popen([*cmd, f"--metrics_port={metrics_port}"], cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        client = es_client(stack.es_url)
        producer = KafkaProducer(bootstrap_servers=stack.bootstrap, linger_ms=LINGER_MS, acks=1)
        try:
            warm = make_posts(1)[0]
            warm["post_id"] = "warmup"
            producer.send(TOPIC, encode_post(warm, "json"), key=message_key(warm)).get(30)
            deadline = time.monotonic() + 120
            while stack.count(client) < 1:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the pipeline did not start")
                time.sleep(0.5)
            total = int(rate_per_s * duration_s)
            sent_at: list[float] = []
            seen: list[tuple[float, int]] = []
            stop = threading.Event()

            def poll() -> None:
                while not stop.is_set():
                    seen.append((time.time(), stack.count(client) - 1))
                    time.sleep(0.5)

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
            t_start = time.time()
            for i in range(total):
                target = t_start + i / rate_per_s
                pause = target - time.time()
                if pause > 0:
                    time.sleep(pause)
                now_ms = int(time.time() * 1000)
                post = make_posts(1, lambda _: now_ms)[0]
                post["post_id"] = f"fresh{i}"
                producer.send(TOPIC, encode_post(post, "json"), key=message_key(post))
                sent_at.append(now_ms / 1000)
            producer.flush()
            deadline = time.monotonic() + 120
            while (seen[-1][1] if seen else 0) < total and time.monotonic() < deadline:
                time.sleep(0.5)
            stop.set()
            poller.join(5)
            stamps = fetch_stamps(client, "fresh")
            counters = scrape(metrics_port)
        finally:
            producer.close()
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(60)
            client.close()
    # the k-th document is searchable once the count passed k (the count is polled every 0.5 s,
    # which adds 0.25 s on average; polling noida more often slows its indexing). Documents leave in about the order they were sent, so the
    # k-th sent post is taken as the k-th searchable; for the sink's share, the k-th to reach it.
    passed_at, j = [], 0
    for k in range(total):
        while j < len(seen) and seen[j][1] <= k:
            j += 1
        if j == len(seen):
            break
        passed_at.append(seen[j][0])
    latencies = [max(t - sent, 0.0) for t, sent in zip(passed_at, sent_at)]
    arrivals = sorted(stamps.values(), key=lambda s: s[2])
    read = [max(processed - created, 0) / 1000 for created, processed, _ in arrivals]
    staged = [max(arrived - processed, 0) / 1000 for _, processed, arrived in arrivals]
    sink = [max(t - arrived / 1000, 0.0) for t, (_, _, arrived) in zip(passed_at, arrivals)]
    # over time: a tail that grows with the data indexed so far is the server's, not the pipeline's
    by_window: dict[int, list[float]] = {}
    for latency, sent in zip(latencies, sent_at):
        by_window.setdefault(int((sent - sent_at[0]) // 10) * 10, []).append(latency)
    windows = [{"from_s": w, **quantiles(v)} for w, v in sorted(by_window.items())]
    bulks = counters.get("pantau_es_bulk_request_duration_seconds_count", 0.0)
    sent_rate = (total - 1) / max(sent_at[-1] - sent_at[0], 1e-9)
    return {"rate_per_s": rate_per_s, "sent_rate_per_s": round(sent_rate, 1), "producer_linger_ms": LINGER_MS,
            "posts": total, "measured": len(latencies), **quantiles(latencies),
            "by_10s_of_sending": windows,
            "breakdown": {"send_to_read": quantiles(read), "read_to_sink": quantiles(staged),
                          "sink_to_searchable": quantiles(sink),
                          "bulk_requests": int(bulks),
                          "bulk_request_mean_s": round(counters.get(
                              "pantau_es_bulk_request_duration_seconds_sum", 0.0) / max(bulks, 1), 3),
                          "docs_per_bulk": round(counters.get("pantau_es_docs_indexed_total", 0.0)
                                                 / max(bulks, 1), 1)}}


# ---- report ---------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import apache_beam
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return {"cores": os.cpu_count(), "cpu": model, "memory_gb": round(mem_gb, 1),
            "python": platform.python_version(), "beam": apache_beam.__version__,
            "os": platform.platform(),
            "es_and_kafka": f"Kafka at {EXTERNAL[0]}, Elasticsearch at {EXTERNAL[1]}" if EXTERNAL
            else "noida-db 0.2.3 on loopback, on the same cores"}


def markdown(r: dict[str, Any]) -> str:
    m, stages, pipe, hand, fresh = r["machine"], r["per_stage_posts_per_s"], r["pipeline"], r["hand_loop"], r["freshness"]
    lines = [f"# pantau benchmark — {r['date']}", "",
             f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}, "
             f"Beam {m['beam']}; Kafka and Elasticsearch APIs: {m['es_and_kafka']}. N = {r['n']} posts "
             "(texts of the bundled sample, half JSON, half Avro).", "",
             "## Per stage (one core)", "", "| stage | posts/s |", "|---|---:|"]
    lines += [f"| {k} | {v:,.0f} |" for k, v in stages.items()]
    lines += ["", "## End to end, full enrichment", "", "| | value |", "|---|---:|",
              f"| pipeline, sustained (10→90 % searchable) | {pipe['posts_per_s']:,.0f} posts/s |",
              f"| pipeline, end to end incl. start-up | {pipe['end_to_end_posts_per_s']:,.0f} posts/s |",
              f"| pipeline per core ({m['cores']} cores) | {pipe['posts_per_s'] / m['cores']:,.0f} posts/s |",
              f"| hand loop (kafka-python → same functions → helpers.bulk), sustained (10→90 % searchable) "
              f"| {hand['posts_per_s']:,.0f} posts/s |",
              f"| hand loop, as it counts itself (bulk answered, after its start-up) | "
              f"{hand.get('sent_posts_per_s', hand['posts_per_s']):,.0f} posts/s |",
              f"| pipeline / hand loop | {r['pipeline_vs_hand_loop']:.2f} |",
              f"| pipeline CPU, whole run incl. start-up (all processes) | {pipe['cpu_ms_per_post']:.2f} ms/post |",
              f"| CPU per post without start-up (pipeline: run − the same run on an empty topic; hand loop: after its start-up) | "
              f"{pipe['steady_cpu_ms_per_post']:.2f} / {hand['steady_cpu_ms_per_post']:.2f} ms/post |",
              f"| hand loop / pipeline, CPU per post without start-up | {r['cpu_hand_vs_pipeline']:.2f} |",
              f"| pipeline peak RSS | {pipe['peak_rss_mb']:,.0f} MB |",
              f"| freshness at {fresh['rate_per_s']:.0f} posts/s (p50 / p99 / max) | "
              f"{fresh['p50_s']:.2f} / {fresh['p99_s']:.2f} / {fresh['max_s']:.2f} s |", ""]
    runs = r.get("pipeline_runs") or []
    if len(runs) > 1:
        lines += ["## Pipeline processes (`pantau run --workers N`)", "",
                  "| workers | sustained posts/s | end to end posts/s | pipeline CPU ms/post (all processes; "
                  "whole run / without start-up) | noida-db CPU ms/post (Kafka + ES APIs) | peak RSS of one process |",
                  "|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {run['workers']} | {run['posts_per_s']:,.0f} | {run['end_to_end_posts_per_s']:,.0f} | "
                  f"{run['cpu_ms_per_post']:.2f} / {run.get('steady_cpu_ms_per_post', float('nan')):.2f} | "
                  f"{run.get('server_cpu_ms_per_post', 0.0):.2f} | "
                  f"{run['peak_rss_mb']:,.0f} MB |" for run in runs]
        lines.append("")
    runs_f = [fresh, *(r.get("freshness_more") or [])]
    lines += ["## Freshness by rate (created → searchable)", "",
              "| rate (posts/s, as sent) | p50 | p99 | max | p99 of the first 10 s sent | p99 of the last 10 s sent |",
              "|---:|---:|---:|---:|---:|---:|"]
    for f in runs_f:
        windows = f.get("by_10s_of_sending") or [{"p99_s": float("nan")}]
        lines.append(f"| {f.get('sent_rate_per_s', f['rate_per_s']):.0f} | {f['p50_s']:.2f} s | {f['p99_s']:.2f} s | "
                     f"{f['max_s']:.2f} s | {windows[0]['p99_s']:.2f} s | {windows[-1]['p99_s']:.2f} s |")
    lines.append("")
    parts = fresh.get("breakdown")
    if parts:
        lines += [f"## Where the freshness goes (at {fresh['rate_per_s']:.0f} posts/s)", "",
                  "| part | p50 | p99 | max |", "|---|---:|---:|---:|"]
        for key, label in (("send_to_read", "send → read by the source (Kafka, poll wait, the other partitions' turns)"),
                           ("read_to_sink", "read → at the sink (stages, batching before enrichment)"),
                           ("sink_to_searchable", "at the sink → searchable (buffer, bulk request, index refresh, 0.5 s polling)")):
            q = parts[key]
            lines.append(f"| {label} | {q['p50_s']:.2f} s | {q['p99_s']:.2f} s | {q['max_s']:.2f} s |")
        lines += ["", f"{parts['bulk_requests']:,} bulk requests, {parts['docs_per_bulk']} documents each on "
                      f"average, {parts['bulk_request_mean_s'] * 1000:.0f} ms each on average.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rate_fraction", type=float, default=0.5)
    parser.add_argument("--duration_s", type=float, default=60)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="pipeline processes (pantau run --workers) of the max-rate runs; the first "
                             "is compared with the hand loop and sets the freshness rate")
    parser.add_argument("--freshness_only", type=float, default=0.0, metavar="RATE",
                        help="only measure freshness at RATE posts/s (prints JSON, writes nothing)")
    parser.add_argument("--pipeline_arg", action="append", default=[],
                        help="an extra pantau run argument for the pipeline runs (repeatable)")
    parser.add_argument("--freshness_rates", type=float, nargs="*", default=[100.0],
                        help="fixed rates (posts/s) at which freshness is measured too")
    parser.add_argument("--kafka_bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", ""),
                        help="measure against this Kafka (with --es_url) instead of a local noida-db stack; "
                             "every contender gets a fresh topic and alias there (unauthenticated clients)")
    parser.add_argument("--es_url", default=os.environ.get("ES_URL", ""))
    parser.add_argument("--linger_ms", type=int, default=LINGER_MS,
                        help="linger.ms of the freshness producer (how long it gathers posts into one request)")
    args = parser.parse_args()
    globals()["LINGER_MS"] = args.linger_ms
    if bool(args.kafka_bootstrap) != bool(args.es_url):
        parser.error("--kafka_bootstrap and --es_url go together")
    if args.kafka_bootstrap:
        globals()["EXTERNAL"] = (args.kafka_bootstrap, args.es_url)
    if args.freshness_only:
        print(json.dumps(freshness(args.freshness_only, args.duration_s, *args.pipeline_arg), indent=1))
        return
    started = time.time()
    result: dict[str, Any] = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                              "n": args.n, "machine": machine()}
    print("per-stage speeds …", flush=True)
    with Stack() as stack:
        result["per_stage_posts_per_s"] = per_stage(min(args.n, 5000), stack.es_url)
    print(json.dumps(result["per_stage_posts_per_s"], indent=1), flush=True)
    result["pipeline_runs"] = []
    for workers in args.workers:
        print(f"pipeline at max rate, --workers {workers} …", flush=True)
        result["pipeline_runs"].append(pipeline_max_rate(args.n, workers, *args.pipeline_arg))
        print(result["pipeline_runs"][-1], flush=True)
    result["pipeline"] = result["pipeline_runs"][0]
    print("hand loop …", flush=True)
    result["hand_loop"] = hand_loop(args.n)
    print(result["hand_loop"], flush=True)
    result["pipeline_vs_hand_loop"] = result["pipeline"]["posts_per_s"] / result["hand_loop"]["posts_per_s"]
    result["cpu_hand_vs_pipeline"] = (result["hand_loop"]["steady_cpu_ms_per_post"]
                                      / result["pipeline"]["steady_cpu_ms_per_post"])
    rate = args.rate_fraction * result["pipeline"]["posts_per_s"]
    print(f"freshness at {rate:.0f} posts/s for {args.duration_s:.0f} s …", flush=True)
    result["freshness"] = freshness(rate, args.duration_s, *args.pipeline_arg)
    result["freshness_more"] = []
    for extra_rate in args.freshness_rates:
        print(f"freshness at {extra_rate:.0f} posts/s for {args.duration_s:.0f} s …", flush=True)
        result["freshness_more"].append(freshness(extra_rate, args.duration_s, *args.pipeline_arg))
    result["seconds"] = round(time.time() - started)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, indent=2))
    (args.out / "latest.md").write_text(markdown(result))
    print("\n" + markdown(result))


if __name__ == "__main__":
    main()
