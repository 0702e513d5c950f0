"""transforms.core.metrics: naming conventions, the stage decorator, and the exporter."""
from __future__ import annotations

import re
import time
import urllib.request

from apache_beam import pvalue
from prometheus_client.metrics import MetricWrapperBase

from devtools.localstack import free_port
from transforms.core import metrics
from transforms.core.stage import StageError, StageFn

ALLOWED_LABELS = {"stage", "reason", "topic", "partition", "platform", "error_type", "retryable",
                  "version", "beam", "python", "le"}


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_names_follow_prometheus_conventions_and_labels_are_bounded():
    families = [f for f in metrics.REGISTRY.collect() if f.name.startswith("pantau_")]
    assert len(families) >= 15
    for family in families:
        assert re.fullmatch(r"pantau_[a-z0-9_]+", family.name), family.name
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
        if family.type == "counter":
            assert not family.name.endswith("_total")  # the client appends _total
    ours = [m for m in vars(metrics).values() if isinstance(m, MetricWrapperBase)]
    assert len(ours) >= 15
    for metric in ours:  # labelled metrics declare their label names
        assert set(metric._labelnames) <= ALLOWED_LABELS, metric
    assert sample("pantau_build_info", version=metrics._build_info()["version"],
                  beam=metrics._build_info()["beam"], python=metrics._build_info()["python"]) == 1


def test_platform_label_is_bounded():
    assert metrics.platform_label(" X ") == "x"
    assert metrics.platform_label("my-own-forum-123") == "other"
    assert metrics.platform_label(None) == "other"


class _SlowStageFn(StageFn):
    STAGE = "unit_test_stage"

    def apply(self, n):
        time.sleep(0.02)
        if n == 2:
            raise StageError("not_wanted", "two is refused")
        return n


def test_a_stage_counts_in_out_dead_letters_and_its_own_time_only():
    before_in = sample("pantau_stage_records_in_total", stage="unit_test_stage")
    before_out = sample("pantau_stage_records_out_total", stage="unit_test_stage")
    before_dead = sample("pantau_stage_dead_letters_total", stage="unit_test_stage", reason="not_wanted")
    before_n = sample("pantau_stage_processing_seconds_count", stage="unit_test_stage")
    before_sum = sample("pantau_stage_processing_seconds_sum", stage="unit_test_stage")
    fn, out = _SlowStageFn(), []
    for n in (1, 2, 3):
        for item in fn.process(n):
            time.sleep(0.2)  # downstream work: not the stage's time
            out.append(item)
    assert out[0] == 1 and out[2] == 3 and isinstance(out[1], pvalue.TaggedOutput)
    assert out[1].value["error_kind"] == "not_wanted" and out[1].value["stage"] == "unit_test_stage"
    assert sample("pantau_stage_records_in_total", stage="unit_test_stage") - before_in == 3
    assert sample("pantau_stage_records_out_total", stage="unit_test_stage") - before_out == 2
    assert sample("pantau_stage_dead_letters_total", stage="unit_test_stage", reason="not_wanted") - before_dead == 1
    assert sample("pantau_stage_processing_seconds_count", stage="unit_test_stage") - before_n == 3
    spent = sample("pantau_stage_processing_seconds_sum", stage="unit_test_stage") - before_sum
    assert 0.06 <= spent < 0.2, spent


def test_freshness_and_lag_helpers():
    now = time.time()
    before = sample("pantau_freshness_created_to_indexed_seconds_count", platform="tiktok")
    metrics.indexed({"platform": "tiktok", "created_at": int((now - 7200) * 1000),
                     "collected_at": int((now + 5) * 1000)}, now_s=now)  # clock skew: clamped to 0
    assert sample("pantau_freshness_created_to_indexed_seconds_count", platform="tiktok") == before + 1
    assert sample("pantau_freshness_created_to_indexed_seconds_bucket", platform="tiktok", le="3600.0") == 0
    assert sample("pantau_freshness_collected_to_indexed_seconds_bucket", platform="tiktok", le="0.1") >= 1
    metrics.kafka_polled("unit-topic", 7, 0, end_offset=120, position=100)
    assert sample("pantau_kafka_consumer_lag", topic="unit-topic", partition="7") == 20
    assert sample("pantau_kafka_records_read_total", topic="unit-topic", partition="7") == 0
    metrics.kafka_polled("unit-topic", 7, 20, end_offset=120, position=120)
    assert sample("pantau_kafka_consumer_lag", topic="unit-topic", partition="7") == 0
    assert sample("pantau_kafka_records_read_total", topic="unit-topic", partition="7") == 20
    assert metrics.es_error_type(400, {"type": "mapper_parsing_exception"}) == "mapper_parsing_exception"
    assert metrics.es_error_type(None, "Connection refused") == "connection_error"
    assert metrics.es_error_type(503, None) == "http_503"


def test_exporter_starts_once_and_port_0_disables():
    assert metrics.ensure_exporter(0) is None
    port = metrics._exporter[1] if metrics._exporter else metrics.ensure_exporter(free_port())
    assert port
    assert metrics.ensure_exporter(port) == port  # idempotent
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        body = r.read().decode()
    assert "pantau_build_info{" in body and "# TYPE pantau_stage_records_in_total counter" in body


def test_worker_process_exports_when_the_environment_says_so(tmp_path):
    """What a Flink/Dataflow SDK worker does: PANTAU_METRICS_PORT set, first stage use serves."""
    import os
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import urllib.request\n"
        "from transforms.core.metrics import stage\n"
        "stage('decode').records_in.inc(3)\n"
        f"print(urllib.request.urlopen('http://127.0.0.1:{port}/metrics').read().decode())\n")
    env = dict(os.environ, PANTAU_METRICS_PORT=str(port), PANTAU_METRICS_ADDR="127.0.0.1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert 'pantau_stage_records_in_total{stage="decode"} 3.0' in out.stdout, out.stderr[-2000:]
