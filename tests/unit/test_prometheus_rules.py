"""The alerting rules: promtool validates them and runs their unit tests (deploy/prometheus)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"  # Debian package prometheus (deploy/install.sh)


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=120)


def test_rules_are_valid():
    result = promtool("check", "rules", "rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_config_is_valid():
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass():
    result = promtool("test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_not_firing_case():
    rules = yaml.safe_load((RULES_DIR / "rules.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tests = yaml.safe_load((RULES_DIR / "rules_test.yml").read_text())["tests"]
    firing, quiet = set(), set()
    for test in tests:
        for case in test.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    assert alerts and alerts == firing == quiet, (alerts, firing, quiet)


def test_alert_expressions_use_only_exported_metrics():
    import re

    from transforms.core.metrics import metric_names
    rules = yaml.safe_load((RULES_DIR / "rules.yml").read_text())
    used = {name for g in rules["groups"] for r in g["rules"]
            for name in re.findall(r"\bpantau_[a-z0-9_]+", r["expr"])}
    assert used and used <= metric_names(), used - metric_names()
