"""``pantau monitor``: the alert monitor as a job (its engine is ``transforms.analyst.monitor``)."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import threading
from collections.abc import Sequence

from pipelines.options import (
    add_alert_delivery,
    add_es_connection,
    add_kafka_connection,
    es_auth,
    kafka_security,
)
from transforms.analyst.monitor import Monitor, MonitorConfig, run_loop, serve_metrics
from transforms.core.settings import SettingsParser
from transforms.io.es_sink import EsConfig
from transforms.logic.alerts import CoordinationThresholds, SpikeThresholds

LOG = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The monitor's options (also usable from ``pantau run`` when it starts the thread)."""
    s, c = SpikeThresholds(), CoordinationThresholds()
    g = parser.add_argument_group("Monitor: connections")
    add_es_connection(g)
    g.add_argument("--es_alias", default="pantau-posts", help="alias (or index) of the posts")
    g.add_argument("--alerts_index", default="pantau-alerts")
    g.add_argument("--coordination_index", default="pantau-coordination")
    add_kafka_connection(g, "brokers of the alerts topic; '' disables the Kafka sink")
    g.add_argument("--alerts_topic", default="pantau.alerts")
    g.add_argument("--metrics_port", type=int, default=0,
                   help="serve Prometheus metrics on this port (0: do not serve)")
    g.add_argument("--metrics_addr", default="0.0.0.0", help="address of the metrics endpoint")
    add_alert_delivery(g)
    g = parser.add_argument_group("Monitor: schedule and spikes")
    g.add_argument("--interval_s", type=float, default=15.0, help="seconds between cycles")
    g.add_argument("--lag_s", type=float, default=0.0, help="windows end this long before now")
    g.add_argument("--window_s", type=int, default=s.window_s, help="current window length")
    g.add_argument("--baseline_windows", type=int, default=s.baseline_windows)
    g.add_argument("--min_count", type=int, default=s.min_count)
    g.add_argument("--min_ratio", type=float, default=s.min_ratio)
    g.add_argument("--min_z", type=float, default=s.min_z)
    g.add_argument("--neg_min_count", type=int, default=s.neg_min_count)
    g.add_argument("--neg_min_share", type=float, default=s.neg_min_share)
    g.add_argument("--neg_min_delta", type=float, default=s.neg_min_delta)
    g.add_argument("--neg_min_z", type=float, default=s.neg_min_z)
    g.add_argument("--cooldown_s", type=int, default=s.cooldown_s)
    g.add_argument("--resolve_after_s", type=int, default=s.resolve_after_s)
    g.add_argument("--top_n", type=int, default=5)
    g = parser.add_argument_group("Monitor: coordination")
    g.add_argument("--no_coordination", action="store_true")
    g.add_argument("--coord_window_s", type=int, default=c.window_s)
    g.add_argument("--coord_min_accounts", type=int, default=c.min_accounts)
    g.add_argument("--coord_min_docs", type=int, default=c.min_band_docs)
    g.add_argument("--coord_low_followers", type=int, default=c.low_followers)
    g.add_argument("--no_coord_update_docs", action="store_true",
                   help="do not set near_dup.cluster/coordination on member posts")
    g.add_argument("--once", action="store_true", help="run one cycle, print its report, exit")


def config_from_args(args: argparse.Namespace) -> MonitorConfig:
    """A MonitorConfig from parsed options (secrets from the environment, as for the pipeline)."""
    spike = SpikeThresholds(
        window_s=args.window_s, baseline_windows=args.baseline_windows, min_count=args.min_count,
        min_ratio=args.min_ratio, min_z=args.min_z, neg_min_count=args.neg_min_count,
        neg_min_share=args.neg_min_share, neg_min_delta=args.neg_min_delta,
        neg_min_z=args.neg_min_z, cooldown_s=args.cooldown_s, resolve_after_s=args.resolve_after_s)
    coordination = CoordinationThresholds(
        window_s=args.coord_window_s, min_accounts=args.coord_min_accounts,
        min_band_docs=args.coord_min_docs, low_followers=args.coord_low_followers)
    es = EsConfig(url=args.es_url, alias=args.es_alias, auth=es_auth(args))
    return MonitorConfig(
        es=es, alerts_index=args.alerts_index, coordination_index=args.coordination_index,
        kafka_bootstrap=args.kafka_bootstrap or None, alerts_topic=args.alerts_topic,
        kafka_security=kafka_security(args), interval_s=args.interval_s, lag_s=args.lag_s,
        spike=spike, coordination=coordination, coordination_enabled=not args.no_coordination,
        update_member_docs=not args.no_coord_update_docs, top_n=args.top_n,
        metrics_port=args.metrics_port, alertmanager_url=args.alertmanager_url or None,
        alert_language=args.alert_language, kibana_url=args.kibana_url or None)


def monitor_main(argv: Sequence[str]) -> int:
    """``pantau monitor``: the alerting loop (or ``--once``: one cycle, printed as JSON)."""
    parser = SettingsParser(prog="pantau monitor", description="spike, crisis and coordination "
                                     "alerts from Elasticsearch aggregations")
    add_arguments(parser)
    args = parser.parse_args(list(argv))
    config = config_from_args(args)
    if args.once:
        monitor = Monitor(config)
        try:
            monitor.setup()
            report = monitor.run_cycle()
        finally:
            monitor.close()
        print(json.dumps(dataclasses.asdict(report), ensure_ascii=False, default=str, indent=2))
        return 0
    if config.metrics_port:
        serve_metrics(config.metrics_port, args.metrics_addr)
    stop = threading.Event()
    LOG.info("pantau monitor: %s every %.0fs -> %s%s", config.es.alias, config.interval_s,
             config.alerts_index, f" + kafka {config.alerts_topic}" if config.kafka_bootstrap else "")
    try:
        run_loop(config, stop)
    except KeyboardInterrupt:
        stop.set()
    return 0
