"""Every setting of the pantau pipeline, in one PipelineOptions subclass.

Secrets (SASL passwords, Elasticsearch API keys and passwords) are never options: they are read
from environment variables or files named by environment variables (see :func:`kafka_security`
and :func:`es_auth`), so they do not show up in process lists, logs or pipeline graphs.
"""
from __future__ import annotations

import os
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.es_sink import EsConfig
from transforms.kafka_source import KafkaConfig


class PantauOptions(PipelineOptions):
    """Options of the ingest pipeline (Kafka -> decode -> validate -> normalize -> enrich -> ES)."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        env = os.environ.get
        kafka = parser.add_argument_group("Kafka")
        kafka.add_argument("--kafka_bootstrap", default=env("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                           help="Kafka bootstrap servers, comma-separated (env KAFKA_BOOTSTRAP)")
        kafka.add_argument("--input_topic", default="pantau.posts.raw", help="topic with RawPosts")
        kafka.add_argument("--dead_letter_topic", default="pantau.posts.dead",
                           help="topic that receives DeadLetter records")
        kafka.add_argument("--consumer_group", default="pantau-ingest",
                           help="consumer group whose committed offsets track progress")
        kafka.add_argument("--start_offset", default="committed",
                           choices=["committed", "earliest", "latest"],
                           help="where to start: the group's committed offsets (falling back to "
                                "earliest), or force earliest/latest")
        kafka.add_argument("--stop_when_idle_s", type=float, default=0.0,
                           help="end the run when every partition has been idle this long "
                                "(0: run forever)")
        kafka.add_argument("--poll_max_records", type=int, default=2000,
                           help="records read per partition per bundle at most")
        kafka.add_argument("--commit_interval_s", type=float, default=2.0,
                           help="commit offsets of durable bundles at most this often")
        kafka.add_argument("--session_timeout_ms", type=int, default=6000)
        kafka.add_argument("--kafka_security_protocol", default="PLAINTEXT",
                           choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"])
        kafka.add_argument("--kafka_sasl_mechanism", default=None,
                           choices=[None, "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
        kafka.add_argument("--kafka_ssl_cafile", default=None, help="CA bundle for Kafka TLS")

        decode = parser.add_argument_group("Decoding and validation")
        decode.add_argument("--schema_dir", default=None,
                            help="local schema folder with registry.json (default: bundled schemas)")
        decode.add_argument("--schema_registry_url", default=env("SCHEMA_REGISTRY_URL"),
                            help="Confluent Schema Registry URL; overrides --schema_dir")
        decode.add_argument("--max_message_bytes", type=int, default=1024 * 1024,
                            help="larger messages become dead letters")
        decode.add_argument("--max_text_chars", type=int, default=20000,
                            help="longer texts become dead letters")

        enrich = parser.add_argument_group("Enrichment")
        enrich.add_argument("--enrichment", default="full", choices=["full", "none"],
                            help="'none' indexes normalized posts without NLP")
        enrich.add_argument("--model_dir", default=None, help="NLP model folder (default: bundled)")
        enrich.add_argument("--enrich_max_batch", type=int, default=256)

        es = parser.add_argument_group("Elasticsearch")
        es.add_argument("--es_url", default=env("ES_URL", "http://127.0.0.1:9200"),
                        help="Elasticsearch URL(s), comma-separated (env ES_URL)")
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
        es.add_argument("--es_ca_file", default=None, help="CA bundle for Elasticsearch TLS")


def _secret(name: str) -> str | None:
    """A secret from env var NAME, or from the file named by NAME_FILE."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


def kafka_security(opts: PantauOptions) -> tuple[tuple[str, Any], ...]:
    """kafka-python security settings; credentials from PANTAU_KAFKA_USERNAME/PASSWORD(_FILE)."""
    settings: dict[str, Any] = {"security_protocol": opts.kafka_security_protocol}
    if opts.kafka_sasl_mechanism:
        settings.update(sasl_mechanism=opts.kafka_sasl_mechanism,
                        sasl_plain_username=_secret("PANTAU_KAFKA_USERNAME"),
                        sasl_plain_password=_secret("PANTAU_KAFKA_PASSWORD"))
    if opts.kafka_ssl_cafile:
        settings["ssl_cafile"] = opts.kafka_ssl_cafile
    if settings == {"security_protocol": "PLAINTEXT"}:
        return ()
    return tuple(sorted(settings.items()))


def es_auth(opts: PantauOptions) -> tuple[tuple[str, Any], ...]:
    """Elasticsearch auth: PANTAU_ES_API_KEY, or PANTAU_ES_USERNAME/PASSWORD (each or *_FILE)."""
    settings: dict[str, Any] = {}
    api_key = _secret("PANTAU_ES_API_KEY")
    user, password = _secret("PANTAU_ES_USERNAME"), _secret("PANTAU_ES_PASSWORD")
    if api_key:
        settings["api_key"] = api_key
    elif user and password:
        settings["basic_auth"] = (user, password)
    if opts.es_ca_file:
        settings["ca_certs"] = opts.es_ca_file
    return tuple(sorted(settings.items()))


def kafka_config(opts: PantauOptions) -> KafkaConfig:
    """Source settings from the options."""
    return KafkaConfig(
        bootstrap_servers=opts.kafka_bootstrap, topic=opts.input_topic, group_id=opts.consumer_group,
        start_offset=opts.start_offset, stop_when_idle_s=opts.stop_when_idle_s,
        max_records=opts.poll_max_records, commit_interval_s=opts.commit_interval_s,
        session_timeout_ms=opts.session_timeout_ms,
        max_message_bytes=opts.max_message_bytes, security=kafka_security(opts))


def es_config(opts: PantauOptions) -> EsConfig:
    """Sink settings from the options."""
    return EsConfig(
        url=opts.es_url, index_prefix=opts.es_index_prefix, alias=opts.es_alias,
        bulk_max_docs=opts.bulk_max_docs, bulk_max_bytes=opts.bulk_max_bytes,
        bulk_max_age_s=opts.bulk_max_age_s, max_backoff_s=opts.es_max_backoff_s,
        max_retry_time_s=opts.es_max_retry_time_s, number_of_replicas=opts.es_replicas,
        auth=es_auth(opts))
