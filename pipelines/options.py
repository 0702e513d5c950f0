"""Every setting of the pantau pipeline, in one PipelineOptions subclass.

Secrets (SASL passwords, Elasticsearch API keys and passwords, the pseudonymization key) are never
options: workers read them from environment variables or the files those name, when they create a
client (``transforms.io.clients``), so they never show up in process lists, logs or the
pipeline graph.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.io.clients import kafka_option
from transforms.io.es_sink import EsConfig
from transforms.io.kafka_source import KafkaConfig, start_time_ms


def checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a parser raising ValueError: its message becomes the error."""
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    convert.__name__ = parse.__name__
    return convert


def start_offset(text: str) -> str:
    """A start offset policy or time, checked (kept as given)."""
    start_time_ms(text)
    return text


def add_kafka_connection(group, bootstrap_help: str = "Kafka bootstrap servers, comma-separated "
                                                          "(env KAFKA_BOOTSTRAP)") -> None:
    """The Kafka connection options, declared once for every command (credentials: env only)."""
    group.add_argument("--kafka_bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                       help=bootstrap_help)
    group.add_argument("--kafka_security_protocol", default="PLAINTEXT",
                       choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"])
    group.add_argument("--kafka_sasl_mechanism", default=None,
                       choices=[None, "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
                       help="credentials from PANTAU_KAFKA_USERNAME / PANTAU_KAFKA_PASSWORD(_FILE)")
    group.add_argument("--kafka_ssl_cafile", default=None, help="CA bundle for Kafka TLS")
    group.add_argument("--kafka_option", action="append", default=[], type=checked(kafka_option),
                       metavar="KEY=VALUE",
                       help="kafka-python client setting, passed to every client that knows it "
                            "(repeatable; e.g. request_timeout_ms=60000, ssl_certfile=/etc/ssl/me.pem)")


def add_es_connection(group) -> None:
    """The Elasticsearch connection options, declared once for every command (credentials: env
    PANTAU_ES_API_KEY or PANTAU_ES_USERNAME / PANTAU_ES_PASSWORD, or their *_FILE)."""
    group.add_argument("--es_url", default=os.environ.get("ES_URL", "http://127.0.0.1:9200"),
                       help="Elasticsearch URL(s), comma-separated (env ES_URL)")
    group.add_argument("--es_ca_file", default=None, help="CA bundle for Elasticsearch TLS")


def add_alert_delivery(group) -> None:
    """Where the monitor delivers alerts to people, and in which language (every command that
    runs the monitor)."""
    group.add_argument("--alertmanager_url", default=os.environ.get("ALERTMANAGER_URL", ""),
                       help="Alertmanager base URL(s), comma-separated: the monitor posts its "
                            "alerts to /api/v2/alerts (env ALERTMANAGER_URL; '' disables)")
    group.add_argument("--alert_language", default="id", choices=["id", "en"],
                       help="language of the alert texts for people (Indonesian by default)")
    group.add_argument("--kibana_url", default=os.environ.get("KIBANA_URL", ""),
                       help="Kibana base URL for dashboard links in alert texts (env KIBANA_URL)")


class PantauOptions(PipelineOptions):
    """Options of the ingest pipeline (Kafka -> decode -> validate -> normalize -> enrich -> ES)."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        env = os.environ.get
        kafka = parser.add_argument_group("Kafka")
        add_kafka_connection(kafka)
        kafka.add_argument("--input_topic", default="pantau.posts.raw", help="topic with RawPosts")
        kafka.add_argument("--dead_letter_topic", default="pantau.posts.dead",
                           help="topic that receives DeadLetter records")
        kafka.add_argument("--consumer_group", default="pantau-ingest",
                           help="consumer group whose committed offsets track progress")
        kafka.add_argument("--start_offset", default="committed", type=checked(start_offset),
                           help="where to start: 'committed' (the group's offsets, falling back to "
                                "earliest), 'earliest', 'latest', or a time (ISO-8601, e.g. "
                                "2026-12-01T08:00:00+07:00, or epoch ms): the first message at or after it")
        kafka.add_argument("--stop_when_idle_s", type=float, default=0.0,
                           help="end the run when every partition has been idle this long "
                                "(0: run forever)")
        kafka.add_argument("--poll_max_records", type=int, default=2000,
                           help="records read per partition per bundle at most")
        kafka.add_argument("--poll_max_s", type=float, default=0.5,
                           help="seconds one partition is read per bundle at most, when it has a backlog "
                                "(a caught-up partition ends its bundle at once)")
        kafka.add_argument("--poll_wait_s", type=float, default=0.1,
                           help="seconds one poll waits for new records before the bundle ends")
        kafka.add_argument("--partitions", default="",
                           help="comma-separated partitions this instance reads (default: all)")
        kafka.add_argument("--instance_index", type=int, default=0,
                           help="with --instance_count N: read partitions p where p %% N == index")
        kafka.add_argument("--instance_count", type=int, default=1)
        kafka.add_argument("--partition_discovery_interval_s", type=float, default=30.0,
                           help="look for partitions added to the topic this often and start "
                                "reading them without a restart (0: only at start)")
        kafka.add_argument("--partition_slots", type=int, default=64,
                           help="how many partitions beyond the current ones are watched for "
                                "(a topic grown past them is picked up at the next start)")
        kafka.add_argument("--workers", type=int, default=0,
                           help="pipeline processes on this host, sharing the topic's partitions "
                                "under one supervisor (0: one per CPU core; 1: no supervisor)")
        kafka.add_argument("--commit_interval_s", type=float, default=2.0,
                           help="commit offsets of durable bundles at most this often")
        kafka.add_argument("--session_timeout_ms", type=int, default=6000)
        kafka.add_argument("--recovery_topic", default="pantau.recovery",
                           help="topic of the poison-pill quarantine's markers (created, compacted)")
        kafka.add_argument("--crash_loop_restarts", type=int, default=2,
                           help="quarantine a message (dead letter 'crash_loop') once the process "
                                "died this often with it alone in flight; 0 disables the quarantine")

        decode = parser.add_argument_group("Decoding and validation")
        decode.add_argument("--schema_dir", default=None,
                            help="local schema folder with registry.json (default: bundled schemas)")
        decode.add_argument("--schema_registry_url", default=env("SCHEMA_REGISTRY_URL"),
                            help="Confluent Schema Registry URL; overrides --schema_dir (credentials: "
                                 "PANTAU_SCHEMA_REGISTRY_TOKEN, or PANTAU_SCHEMA_REGISTRY_USERNAME / "
                                 "PANTAU_SCHEMA_REGISTRY_PASSWORD, or their *_FILE)")
        decode.add_argument("--schema_registry_ca_file", default=None,
                            help="CA bundle for the registry's TLS certificate")
        decode.add_argument("--schema_registry_cert_file", default=None,
                            help="client certificate (PEM) for registries that require mutual TLS")
        decode.add_argument("--schema_registry_key_file", default=None,
                            help="its private key (PEM; default: in the certificate file)")
        decode.add_argument("--max_message_bytes", type=int, default=1024 * 1024,
                            help="larger messages become dead letters")
        decode.add_argument("--max_text_chars", type=int, default=20000,
                            help="longer texts become dead letters")

        enrich = parser.add_argument_group("Enrichment")
        enrich.add_argument("--enrichment", default="full", choices=["full", "none"],
                            help="'none' indexes normalized posts without NLP")
        enrich.add_argument("--model_dir", default=None, help="NLP model folder (default: bundled)")
        enrich.add_argument("--enrich_max_batch", type=int, default=256)

        intel = parser.add_argument_group("Intelligence")
        intel.add_argument("--watchlist", default=os.path.join(
                               os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "deploy", "watchlists", "issues.yaml"),
                           help="YAML file of watchlist issues (field 'issues'); 'none' disables "
                                "issue tagging (influence and near-duplicates are still computed)")
        intel.add_argument("--retag_on_reload_s", type=float, default=7 * 24 * 3600.0,
                           help="when the watchlist file changes, re-tag the posts of this many "
                                "seconds already in the index (instance 0 only; 0: off; by hand: "
                                "`pantau retag`)")
        intel.add_argument("--monitor", action="store_true", default=False,
                           help="run the alert/coordination monitor as a thread next to a local "
                                "pipeline (elsewhere run `pantau monitor` as its own process)")
        intel.add_argument("--monitor_interval_s", type=float, default=15.0)
        intel.add_argument("--alerts_topic", default="pantau.alerts", help="Kafka topic of alerts")
        add_alert_delivery(intel)

        privacy = parser.add_argument_group("Privacy (UU PDP 2022)")
        privacy.add_argument("--pseudonymize", action="store_true", default=False,
                             help="replace author ids, handles and @mentions by keyed pseudonyms "
                                  "(key from PANTAU_PSEUDONYM_KEY or PANTAU_PSEUDONYM_KEY_FILE)")
        privacy.add_argument("--pseudonymize_allowlist", default=None,
                             help="file of handles (one per line) kept in clear: institutions, media")

        es = parser.add_argument_group("Elasticsearch")
        add_es_connection(es)
        es.add_argument("--es_index_prefix", default="pantau-posts",
                        help="monthly indices are <prefix>-YYYY.MM")
        es.add_argument("--es_alias", default="pantau-posts", help="alias over all monthly indices")
        es.add_argument("--es_replicas", type=int, default=0)
        es.add_argument("--bulk_max_docs", type=int, default=500)
        es.add_argument("--bulk_max_bytes", type=int, default=5 * 1024 * 1024)
        es.add_argument("--bulk_max_age_s", type=float, default=1.0)
        es.add_argument("--es_max_backoff_s", type=float, default=30.0)
        es.add_argument("--es_max_retry_time_s", type=float, default=0.0,
                        help="fail the bundle (and replay it) after retrying this long (0: forever)")

        obs = parser.add_argument_group("Observability")
        obs.add_argument("--metrics_port", type=int, default=9464,
                         help="serve Prometheus metrics on this port (local runner; 0 disables)")
        obs.add_argument("--metrics_addr", default="127.0.0.1",
                         help="address the metrics endpoint listens on (0.0.0.0 for all)")


def kafka_security(opts: PantauOptions) -> tuple[tuple[str, Any], ...]:
    """Non-secret kafka-python security settings; SASL credentials are read on the workers
    (``transforms.io.clients.kafka_client_settings``) so they never enter the pipeline graph."""
    settings: dict[str, Any] = {"security_protocol": opts.kafka_security_protocol}
    if opts.kafka_sasl_mechanism:
        settings["sasl_mechanism"] = opts.kafka_sasl_mechanism
    if opts.kafka_ssl_cafile:
        settings["ssl_cafile"] = opts.kafka_ssl_cafile
    for item in getattr(opts, "kafka_option", None) or ():
        key, value = item if isinstance(item, (tuple, list)) else kafka_option(item)
        settings[key] = value
    if settings == {"security_protocol": "PLAINTEXT"}:
        return ()
    return tuple(sorted(settings.items()))


def es_auth(opts: PantauOptions) -> tuple[tuple[str, Any], ...]:
    """Non-secret Elasticsearch client settings; credentials are read when a client is made
    (``transforms.io.clients.es_client_settings``)."""
    return (("ca_certs", opts.es_ca_file),) if opts.es_ca_file else ()


def schema_registry_tls(opts: PantauOptions) -> tuple[tuple[str, str], ...]:
    """Non-secret TLS settings of the Schema Registry client; credentials are read when the
    client is made (``transforms.io.clients.registry_fetcher``)."""
    settings = {"ca_file": opts.schema_registry_ca_file, "cert_file": opts.schema_registry_cert_file,
                "key_file": opts.schema_registry_key_file}
    return tuple((k, v) for k, v in settings.items() if v)


def kafka_config(opts: PantauOptions) -> KafkaConfig:
    """Source settings from the options."""
    return KafkaConfig(
        bootstrap_servers=opts.kafka_bootstrap, topic=opts.input_topic, group_id=opts.consumer_group,
        start_offset=opts.start_offset, stop_when_idle_s=opts.stop_when_idle_s,
        max_records=opts.poll_max_records, max_poll_s=opts.poll_max_s, poll_wait_s=opts.poll_wait_s,
        commit_interval_s=opts.commit_interval_s,
        partitions=tuple(int(p) for p in opts.partitions.split(",") if p.strip()),
        instance_index=opts.instance_index, instance_count=opts.instance_count,
        session_timeout_ms=opts.session_timeout_ms,
        max_message_bytes=opts.max_message_bytes, security=kafka_security(opts),
        recovery_topic=opts.recovery_topic, crash_loop_restarts=opts.crash_loop_restarts,
        dead_letter_topic=opts.dead_letter_topic,
        partition_discovery_interval_s=opts.partition_discovery_interval_s,
        partition_slots=opts.partition_slots)


def es_config(opts: PantauOptions) -> EsConfig:
    """Sink settings from the options."""
    return EsConfig(
        url=opts.es_url, index_prefix=opts.es_index_prefix, alias=opts.es_alias,
        bulk_max_docs=opts.bulk_max_docs, bulk_max_bytes=opts.bulk_max_bytes,
        bulk_max_age_s=opts.bulk_max_age_s, max_backoff_s=opts.es_max_backoff_s,
        max_retry_time_s=opts.es_max_retry_time_s, number_of_replicas=opts.es_replicas,
        auth=es_auth(opts))


def watchlist_path(opts: PantauOptions) -> str | None:
    """The watchlist file, or None when issue tagging is off (``--watchlist none``)."""
    return opts.watchlist if opts.watchlist and opts.watchlist.lower() != "none" else None


def retag_on_reload(opts: PantauOptions) -> dict[str, Any]:
    """Arguments of TagPosts for re-tagging after a watchlist reload (one instance does it)."""
    if not opts.retag_on_reload_s or opts.instance_index != 0 or not watchlist_path(opts):
        return {}
    return {"retag_es": es_config(opts), "retag_window_s": opts.retag_on_reload_s}


def pseudonymize_allowlist(opts: PantauOptions) -> tuple[str, ...]:
    """Handles kept in clear when pseudonymizing."""
    if not opts.pseudonymize_allowlist:
        return ()
    with open(opts.pseudonymize_allowlist, encoding="utf-8") as f:
        return tuple(line.strip() for line in f if line.strip() and not line.startswith("#"))


def monitor_config(opts: PantauOptions):
    """The alert monitor's settings for a monitor thread next to the pipeline (default thresholds)."""
    from transforms.analyst.monitor import MonitorConfig
    return MonitorConfig(es=es_config(opts), kafka_bootstrap=opts.kafka_bootstrap,
                         alerts_topic=opts.alerts_topic, kafka_security=kafka_security(opts),
                         interval_s=opts.monitor_interval_s,
                         alertmanager_url=opts.alertmanager_url or None,
                         alert_language=opts.alert_language, kibana_url=opts.kibana_url or None)


# options Beam's Python SDK does not declare but hands to a portable runner's job server
RUNNER_PASSTHROUGH = {
    "checkpointing_interval": "Flink: milliseconds between checkpoints",
    "checkpointing_mode": "Flink: EXACTLY_ONCE or AT_LEAST_ONCE",
    "min_pause_between_checkpoints": "Flink: milliseconds",
    "state_backend": "Flink: state backend class",
    "state_backend_storage_path": "Flink: checkpoint storage URI",
}


def run_parser():
    """The parser of ``pantau run``: every PantauOptions setting and, under a group per Beam
    options class, every Beam option, with env overrides, the config file and strict checking."""
    from apache_beam.options.pipeline_options import _BeamArgumentParser

    from transforms.core.settings import SettingsParser

    class RunParser(SettingsParser, _BeamArgumentParser):
        """SettingsParser that also takes Beam's value-provider arguments."""

    parser = RunParser(prog="pantau run", command="run", usage="pantau run [options]",
                       description="Run the ingest pipeline: Kafka -> decode -> validate -> normalize -> "
                                   "enrich -> tag -> Elasticsearch. Beam's options (--runner ...) pass through.")
    PantauOptions._add_argparse_args(parser)
    passthrough = parser.add_argument_group(
        "Runner pass-through", "options of the Java job servers (Flink), handed over unchanged")
    for name, help_text in RUNNER_PASSTHROUGH.items():
        passthrough.add_argument(f"--{name}", default=None, help=help_text)
    seen: set[str] = set()
    for cls in PipelineOptions.__subclasses__():
        if cls is PantauOptions or str(cls) in seen:
            continue
        seen.add(str(cls))
        before = set(map(id, parser._actions))
        cls._add_argparse_args(parser)
        added = [a for a in parser._actions if id(a) not in before]
        if added:
            group = parser.add_argument_group(f"Beam: {cls.__name__}")
            for action in added:
                for container in parser._action_groups:
                    if action in container._group_actions and container is not group:
                        container._group_actions.remove(action)
                group._group_actions.append(action)
    return parser


def pipeline_options(argv: list[str], **fixed: Any) -> PipelineOptions:
    """Beam's PipelineOptions from ``pantau run``'s arguments, after checking them (unknown
    options exit 2) and applying the environment and the config file (flag > env > file)."""
    parser = run_parser()
    argv = parser.canonical(argv)
    args = parser.parse_args(argv)
    from_env_or_file = {dest: getattr(args, dest) for dest in parser.origins
                        if getattr(args, dest) == parser.get_default(dest)}
    beam_argv: list[str] = []
    skip = False
    for arg in argv:  # --config and --log_level are pantau's, not Beam's
        if skip:
            skip = False
            continue
        if arg in ("--config", "--log_level"):
            skip = True
            continue
        if not arg.startswith(("--config=", "--log_level=")):
            beam_argv.append(arg)
    return PipelineOptions(beam_argv, **{**from_env_or_file, **fixed})
