#!/usr/bin/env python3
"""Container health probe for pantau (standard library only; installed as ``pantau-healthcheck``).

Healthy when the process's Prometheus endpoint answers ``GET /metrics`` with 200 and a pantau
metric. ``pantau run`` serves it from before the pipeline starts until the process ends
(``--metrics_port``, default 9464); ``pantau monitor`` when started with ``--metrics_port``.

    pantau-healthcheck                         # http://127.0.0.1:$PANTAU_HEALTH_PORT/metrics (9464)
    pantau-healthcheck --max-poll-age 300      # also: some partition was polled in the last 300 s

``--max-poll-age`` reads ``pantau_kafka_last_poll_timestamp_seconds``: the source polls every
partition about every second while it runs, so a stale value means a blocked reader. It is off by
default because a reader blocked by an Elasticsearch outage is not fixed by a restart (the alert
rule PantauSourceNotPolling reports it instead).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pantau-healthcheck")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PANTAU_HEALTH_PORT", "9464")))
    parser.add_argument("--host", default=os.environ.get("PANTAU_HEALTH_HOST", "127.0.0.1"))
    parser.add_argument("--timeout", type=float, default=4.0)
    parser.add_argument("--max-poll-age", type=float, default=0.0,
                        help="seconds; fail when no partition was polled this recently (0: off)")
    args = parser.parse_args(argv)
    url = f"http://{args.host}:{args.port}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            body = response.read().decode("utf-8", "replace")
    except Exception as e:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {url}: {e}", file=sys.stderr)
        return 1
    if "pantau_" not in body:
        print(f"unhealthy: {url} serves no pantau metric", file=sys.stderr)
        return 1
    if args.max_poll_age > 0:
        polls = [float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                 if line.startswith("pantau_kafka_last_poll_timestamp_seconds{")]
        if polls and time.time() - max(polls) > args.max_poll_age:
            print(f"unhealthy: no partition polled for {time.time() - max(polls):.0f}s", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
