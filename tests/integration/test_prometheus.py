"""Metrics end to end: a real Prometheus scrapes a streaming pipeline; PromQL checks the numbers.

The pipeline runs in its own process (``pantau run``, unbounded) with ``--metrics_port``; a
Prometheus server (Debian package, ``deploy/install.sh``) scrapes it every second and loads the
alert rules of ``deploy/prometheus/rules.yml``. Elasticsearch is reached through a proxy that the
test cuts for a while, so that lag, retries and backpressure have something true to report.

Kafka is the noida-db broker of the session stack (or ``$KAFKA_BOOTSTRAP``): the Tansu broker
reports end offsets in record batches, so its lag is not comparable record for record.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from devtools.localstack import free_port
from tests.integration.helpers import (
    POISON,
    REPO,
    es_count,
    make_post,
    pipeline_args,
    run_pipeline_process,
    setup_topics,
    unique,
    wait_for,
)
from tests.integration.proxy import proxied
from transforms.io.publish import encode_post, message_key, produce

pytestmark = pytest.mark.integration
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
WARMUP, MAIN = 30, 300
CREATED_AGO_S, COLLECTED_AGO_S = 3600, 60


def messages(indices: range, now_ms: int) -> list[tuple[bytes, bytes]]:
    """Posts created an hour ago and collected a minute ago, JSON and Avro."""
    out = []
    for i in indices:
        post = make_post(i)
        post["created_at"] = now_ms - CREATED_AGO_S * 1000
        post["collected_at"] = now_ms - COLLECTED_AGO_S * 1000
        fmt, schema_id = [("json", None), ("avro", 2), ("avro", 1)][i % 3]
        out.append((message_key(post), encode_post(post, fmt, schema_id)))
    return out


class Prometheus:
    """A Prometheus server on a free loopback port scraping one target every second."""

    def __init__(self, workdir: Path, target: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "deploy" / "prometheus" / "rules.yml", workdir / "rules.yml")
        (workdir / "prometheus.yml").write_text(json.dumps({  # JSON is YAML
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["rules.yml"],
            "scrape_configs": [{"job_name": "pantau", "static_configs": [{"targets": [target]}]}],
        }))
        self.log = workdir / "prometheus.log"
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={workdir / 'prometheus.yml'}",
             f"--storage.tsdb.path={workdir / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._ready, 60, what=f"Prometheus ready\n{self.log_tail()}")

    def _ready(self) -> bool:
        assert self.proc.poll() is None, f"Prometheus exited:\n{self.log_tail()}"
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}?{query}", timeout=10) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> dict[tuple[tuple[str, str], ...], float]:
        """Instant vector: sorted label pairs (without __name__) -> value."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", data
        return {tuple(sorted((k, v) for k, v in s["metric"].items() if k != "__name__")):
                float(s["value"][1]) for s in data["result"]}

    def value(self, expr: str) -> float | None:
        """The single value of an expression that yields at most one series."""
        result = self.query(expr)
        assert len(result) <= 1, (expr, result)
        return next(iter(result.values()), None)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def stop_pipeline(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # graceful drain
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def noida_kafka(pantau_stack, es_url) -> str:
    """``$KAFKA_BOOTSTRAP``, else the noida-db broker of the session stack (see module doc)."""
    if os.environ.get("KAFKA_BOOTSTRAP", "").strip():
        return os.environ["KAFKA_BOOTSTRAP"].strip()
    pantau_stack.start(wait_s=60.0, only=["noida"])
    return pantau_stack.noida_bootstrap


def test_prometheus_scrapes_true_pipeline_metrics(noida_kafka, es_url, tmp_path):
    bootstrap, topic, prefix = noida_kafka, unique("prom"), unique("idx")
    setup_topics(bootstrap, topic, partitions=3)
    metrics_port = free_port()
    now_ms = int(time.time() * 1000)
    prom = None
    with proxied(es_url) as (es_proxy, es_through):
        pipeline = run_pipeline_process(pipeline_args(
            bootstrap, es_through, topic, prefix, f"--metrics_port={metrics_port}",
            "--poll_max_records=10", "--bulk_max_docs=10", "--es_max_backoff_s=1"),
            tmp_path / "pipeline.log")
        log = lambda: (tmp_path / "pipeline.log").read_text(errors="replace")[-3000:]  # noqa: E731
        try:
            prom = Prometheus(tmp_path / "prometheus", f"127.0.0.1:{metrics_port}")
            q, v = prom.query, prom.value

            # 1. Warm-up: the pipeline runs and Prometheus scrapes it.
            produce(bootstrap, topic, messages(range(WARMUP), now_ms))
            wait_for(lambda: es_count(es_url, prefix) == WARMUP, 120, what=f"warm-up indexed\n{log()}")
            wait_for(lambda: v('up{job="pantau"}') == 1, 30, what="target up")
            assert q("pantau_build_info") and all(
                dict(k).get("version") for k in q("pantau_build_info"))

            # 2. Elasticsearch goes away while posts and poison messages arrive.
            es_proxy.cut()
            poison = [(f"poison-{name}".encode(), payload) for name, (payload, _) in POISON.items()]
            main = messages(range(WARMUP, WARMUP + MAIN), now_ms)
            produce(bootstrap, topic, main[:100] + poison + main[100:])
            wait_for(lambda: (v(f'sum(pantau_kafka_consumer_lag{{topic="{topic}"}})') or 0) > 0, 60,
                     what=f"lag > 0 while Elasticsearch is down\n{log()}")
            wait_for(lambda: (v("sum(pantau_es_item_retries_total)") or 0) > 0
                     and (v("sum(pantau_es_backpressure_seconds_total)") or 0) > 0, 60,
                     what="retries and backpressure")
            errors = q('pantau_es_item_errors_total{retryable="true"}')
            assert any(dict(k)["error_type"] == "connection_error" and n > 0 for k, n in errors.items()), errors
            es_proxy.restore()

            # 3. Everything drains: every count matches what was produced.
            total = WARMUP + MAIN
            wait_for(lambda: es_count(es_url, prefix) == total, 180, what=f"all indexed\n{log()}")
            wait_for(lambda: v("sum(pantau_es_docs_indexed_total)") == total, 30, what="indexed scraped")
            wait_for(lambda: v(f'sum(pantau_kafka_consumer_lag{{topic="{topic}"}})') == 0, 60,
                     what="lag back to 0")

            lag = q(f'pantau_kafka_consumer_lag{{topic="{topic}"}}')
            assert sorted(dict(k)["partition"] for k in lag) == ["0", "1", "2"], lag
            assert set(lag.values()) == {0.0}
            peak = q(f'max_over_time(pantau_kafka_consumer_lag{{topic="{topic}"}}[10m])')
            assert max(peak.values()) > 0, peak
            read = q(f'pantau_kafka_records_read_total{{topic="{topic}"}}')
            assert len(read) == 3 and sum(read.values()) == total + len(POISON), read

            def stage(metric: str) -> dict[str, float]:
                return {dict(k)["stage"]: n for k, n in q(f"sum by (stage) ({metric})").items()}

            assert stage("pantau_stage_records_in_total") == {
                "decode": total + len(POISON), "validate": total, "normalize": total, "tag": total,
                "index": total}
            assert stage("pantau_stage_records_out_total") == {
                "decode": total, "validate": total, "normalize": total, "tag": total, "index": total}
            assert stage("pantau_stage_processing_seconds_count")["decode"] == total + len(POISON)
            dead = {dict(k)["reason"]: n for k, n in
                    q('sum by (reason) (pantau_stage_dead_letters_total{stage="decode"})').items()}
            assert dead == {kind: 1.0 for _, kind in POISON.values()}, dead
            assert stage("pantau_stage_dead_letters_total") == {"decode": len(POISON)}
            wait_for(lambda: v("pantau_dead_letters_published_total") == len(POISON), 30,
                     what="dead letters published")

            # Freshness: one observation per indexed document, about an hour / a minute old.
            for kind, age in (("created", CREATED_AGO_S), ("collected", COLLECTED_AGO_S)):
                h = f"pantau_freshness_{kind}_to_indexed_seconds"
                assert v(f"sum({h}_count)") == v("sum(pantau_es_docs_indexed_total)") == total
                mean = v(f"sum({h}_sum) / sum({h}_count)")
                assert age <= mean < age + 300, (kind, mean)
                assert v(f'sum({h}_bucket{{le="{age / 2:.1f}"}})') == 0  # client writes 1800.0
                p99 = v(f"histogram_quantile(0.99, sum by (le) ({h}_bucket))")
                assert age <= p99 <= age * 5, (kind, p99)
            platforms = {dict(k)["platform"] for k in q("pantau_freshness_created_to_indexed_seconds_count")}
            assert platforms == {"x", "facebook", "instagram", "tiktok", "news"}

            bulk = v("sum(pantau_es_bulk_request_duration_seconds_count)")
            assert bulk and bulk >= total / 10, bulk
            assert v("sum(pantau_es_bulk_request_duration_seconds_sum)") > 0

            # The alert rules loaded into the live server and evaluate without errors.
            groups = prom.api("rules")["groups"]
            rules = [r for g in groups for r in g["rules"]]
            assert {g["name"] for g in groups} == {"pantau-source", "pantau-stages", "pantau-elasticsearch"}
            assert rules and all(r["health"] == "ok" for r in rules), [r for r in rules if r["health"] != "ok"]

            # Every Grafana panel query is valid PromQL, and the core panels show data.
            dashboard = json.loads((REPO / "deploy" / "grafana" / "pantau.json").read_text())
            empty = []
            for panel in dashboard["panels"]:
                for target in panel["targets"]:
                    expr = target["expr"].replace("$__rate_interval", "5m").replace("$job", ".*")
                    if not q(expr):  # raises on a PromQL error
                        empty.append(panel["title"])
            assert not {"Records per second by stage (in / out)", "Elasticsearch bulk latency (p50 / p99)",
                        "Kafka consumer lag per partition (end offset - reader position)"} & set(empty), empty
        finally:
            stop_pipeline(pipeline)
            if prom is not None:
                prom.stop()
