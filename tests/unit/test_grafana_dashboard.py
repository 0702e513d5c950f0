"""The Grafana dashboard: valid structure, and only metrics the pipeline really exports."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from transforms.core.metrics import metric_names

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "pantau.json"
_NOT_METRICS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "bool", "offset", "inf", "nan"}


def promql_metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords, labels left out)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    e = re.sub(r"\{[^}]*\}", " ", e)  # label matchers
    e = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)  # range selectors
    names = set()
    for m in re.finditer(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*", e):
        if e[m.end():].lstrip().startswith("(") or m.group(0).lower() in _NOT_METRICS:
            continue  # a function call or an operator keyword
        names.add(m.group(0))
    return names


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def exprs(dashboard: dict) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_extractor_finds_names_and_skips_functions_and_labels():
    expr = ('histogram_quantile(0.99, sum by (stage, le) (rate(a_bucket{job=~"$job",x="rate(b)"}'
            '[$__rate_interval]))) / on (stage) group_left c_total > bool 2^30 or d offset 5m')
    assert promql_metric_names(expr) == {"a_bucket", "c_total", "d"}


def test_datasource_is_a_variable(dashboard):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_panels_have_ids_grid_positions_and_targets(dashboard):
    panels = dashboard["panels"]
    assert len(panels) >= 10 and dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in panels]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)
    cells: set[tuple[int, int]] = set()
    for p in panels:
        g = p["gridPos"]
        assert all(isinstance(g[k], int) for k in ("h", "w", "x", "y")), p["title"]
        assert g["w"] > 0 and g["h"] > 0 and g["x"] >= 0 and g["x"] + g["w"] <= 24, p["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not mine & cells, f"{p['title']} overlaps another panel"
        cells |= mine
        assert p["targets"] and p["type"] and p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(set(refs)) == len(refs), p["title"]
        for t in p["targets"]:
            assert t["expr"].strip() and promql_metric_names(t["expr"]), (p["title"], t["expr"])


def test_every_metric_in_a_panel_is_exported(dashboard):
    exported = metric_names()
    used = {name for e in exprs(dashboard) for name in promql_metric_names(e)}
    assert used - exported == set(), f"not exported by transforms/core/metrics.py: {used - exported}"


def test_dashboard_covers_the_pipeline(dashboard):
    used = {name for e in exprs(dashboard) for name in promql_metric_names(e)}
    assert {"pantau_stage_records_in_total", "pantau_stage_records_out_total",
            "pantau_stage_dead_letters_total", "pantau_kafka_consumer_lag",
            "pantau_kafka_records_read_total", "pantau_freshness_created_to_indexed_seconds_bucket",
            "pantau_freshness_collected_to_indexed_seconds_bucket",
            "pantau_es_bulk_request_duration_seconds_bucket", "pantau_es_item_errors_total",
            "pantau_es_item_retries_total", "pantau_es_backpressure_seconds_total"} <= used
