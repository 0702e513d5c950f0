"""Alertmanager API v2 client: posts alerts (``POST /api/v2/alerts``) the way Prometheus does.

An Alertmanager alert is identified by its label set, so the labels must be stable for as long as
one alert lasts: ``alertname``, ``issue``, ``kind``, ``severity``, ``alert_key`` and ``source``
(never a timestamp or a count). The sender re-posts every firing alert on each cycle with an
``endsAt`` a few cycles ahead (so an alert whose sender died resolves by itself) and a resolved
alert with its real ``endsAt``; Alertmanager's grouping, ``repeat_interval`` and notification log
turn the repeated posts into one notification, also across a restart of the sender.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

ALERTNAME = "PantauIssueAlert"
SOURCE = "pantau-monitor"


class AlertmanagerError(RuntimeError):
    """Alertmanager refused the alerts or could not be reached."""


def iso(ms: int) -> str:
    """Epoch milliseconds -> RFC 3339 (UTC) as the API wants it."""
    return dt.datetime.fromtimestamp(int(ms) / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")


def labels(issue: str, kind: str, severity: str, key: str) -> dict[str, str]:
    """The stable label set of one issue alert (routes match on issue, kind and severity)."""
    return {"alertname": ALERTNAME, "issue": issue, "kind": kind, "severity": severity,
            "alert_key": key, "source": SOURCE}


def alert_payload(label_set: Mapping[str, str], annotations: Mapping[str, str], starts_ms: int,
                  ends_ms: int, generator_url: str | None = None) -> dict[str, Any]:
    """One element of the ``POST /api/v2/alerts`` body (empty annotations are left out)."""
    out: dict[str, Any] = {"labels": dict(label_set),
                           "annotations": {k: v for k, v in annotations.items() if v},
                           "startsAt": iso(starts_ms), "endsAt": iso(ends_ms)}
    if generator_url:
        out["generatorURL"] = generator_url
    return out


def post_alerts(url: str, alerts: Sequence[dict[str, Any]], timeout_s: float = 10.0) -> None:
    """Sends ``alerts`` to every Alertmanager in ``url`` (comma-separated, like Prometheus sends
    to each member of a cluster); raises :class:`AlertmanagerError` if none accepted them."""
    if not alerts:
        return
    body = json.dumps(list(alerts), ensure_ascii=False).encode("utf-8")
    failures: list[str] = []
    targets = [u.strip().rstrip("/") for u in url.split(",") if u.strip()]
    for base in targets:
        request = urllib.request.Request(f"{base}/api/v2/alerts", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as e:
            failures.append(f"{base}: HTTP {e.code} {e.read()[:300]!r}")
        except (OSError, urllib.error.URLError) as e:
            failures.append(f"{base}: {e}")
    if len(failures) == len(targets):
        raise AlertmanagerError("; ".join(failures) or "no Alertmanager URL")


def get_alerts(url: str, timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """``GET /api/v2/alerts`` of the first Alertmanager in ``url`` (for checks and the demo)."""
    base = url.split(",")[0].strip().rstrip("/")
    with urllib.request.urlopen(f"{base}/api/v2/alerts", timeout=timeout_s) as response:  # noqa: S310
        return json.loads(response.read())
