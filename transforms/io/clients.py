"""Kafka and Elasticsearch clients with their security settings, made in one place.

Secrets come from the environment or from files, never from options or the command line: the
settings passed around (and pickled into the pipeline graph) hold only the non-secret parts, and
the credentials are read here when a client is made, on the worker that makes it.
"""
from __future__ import annotations

import os
from typing import Any

Security = tuple[tuple[str, Any], ...]


def read_secret(name: str) -> str | None:
    """The value of env var ``NAME``, or the contents of the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


# kafka-python settings that have their own option, or are secrets (env or files only)
RESERVED_KAFKA_KEYS = frozenset({
    "bootstrap_servers", "security_protocol", "sasl_mechanism", "ssl_cafile", "group_id",
    "sasl_plain_username", "sasl_plain_password", "ssl_password", "sasl_oauth_token_provider"})


def kafka_config_keys(client: str | None = None) -> frozenset[str]:
    """The settings kafka-python's consumer, producer or admin client knows (all three: None)."""
    from kafka import KafkaConsumer, KafkaProducer
    from kafka.admin import KafkaAdminClient
    classes = {"consumer": (KafkaConsumer,), "producer": (KafkaProducer,), "admin": (KafkaAdminClient,)}
    chosen = classes[client] if client else tuple(c for cs in classes.values() for c in cs)
    return frozenset(k for c in chosen for k in c.DEFAULT_CONFIG)


def kafka_option(text: str) -> tuple[str, object]:
    """``key=value`` of ``--kafka_option``: a kafka-python setting and its typed value (int,
    float, true/false, else text); a key no client knows, or one with its own option, is refused."""
    import difflib

    key, sep, raw = text.partition("=")
    key = key.strip().replace(".", "_").replace("-", "_")
    if not sep or not key:
        raise ValueError(f"expected key=value, got {text!r}")
    if key in RESERVED_KAFKA_KEYS:
        raise ValueError(f"{key} has its own option or is a secret (environment or file only)")
    known = kafka_config_keys()
    if key not in known:
        close = difflib.get_close_matches(key, sorted(known), n=1)
        raise ValueError(f"kafka-python has no setting {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    value: object = raw.strip()
    lowered = str(value).lower()
    if lowered in ("true", "false"):
        value = lowered == "true"
    else:
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
    return key, value


def kafka_client_settings(security: tuple[tuple[str, object], ...], client: str | None = None) -> dict[str, object]:
    """kafka-python settings: the non-secret ones given (for ``client``: only those it knows),
    SASL credentials read here from PANTAU_KAFKA_USERNAME / PANTAU_KAFKA_PASSWORD (or their
    *_FILE), on the worker."""
    settings = dict(security)
    if client:
        known = kafka_config_keys(client)
        settings = {k: v for k, v in settings.items() if k in known}
    if settings.get("sasl_mechanism"):
        settings["sasl_plain_username"] = read_secret("PANTAU_KAFKA_USERNAME")
        settings["sasl_plain_password"] = read_secret("PANTAU_KAFKA_PASSWORD")
    return settings


def es_client_settings(options: tuple[tuple[str, object], ...]) -> dict[str, object]:
    """elasticsearch client settings: the non-secret ones given (``ca_certs``), credentials read
    here from PANTAU_ES_API_KEY, or PANTAU_ES_USERNAME + PANTAU_ES_PASSWORD (or their *_FILE)."""
    settings = dict(options)
    api_key = read_secret("PANTAU_ES_API_KEY")
    user, password = read_secret("PANTAU_ES_USERNAME"), read_secret("PANTAU_ES_PASSWORD")
    if api_key:
        settings["api_key"] = api_key
    elif user and password:
        settings["basic_auth"] = (user, password)
    return settings


def registry_fetcher(tls: Security = (), timeout_s: float = 10.0):
    """A GET function for a Confluent Schema Registry: TLS settings given (``ca_file``,
    ``cert_file``, ``key_file``), credentials read here: PANTAU_SCHEMA_REGISTRY_TOKEN (bearer)
    or PANTAU_SCHEMA_REGISTRY_USERNAME + PANTAU_SCHEMA_REGISTRY_PASSWORD (basic), or their *_FILE."""
    import base64
    import ssl
    import urllib.request

    settings = dict(tls)
    context = None
    if settings.get("ca_file") or settings.get("cert_file"):
        context = ssl.create_default_context(cafile=settings.get("ca_file"))
        if settings.get("cert_file"):
            context.load_cert_chain(settings["cert_file"], settings.get("key_file"))
    headers = {"Accept": "application/vnd.schemaregistry.v1+json, application/json"}
    token = read_secret("PANTAU_SCHEMA_REGISTRY_TOKEN")
    user, password = read_secret("PANTAU_SCHEMA_REGISTRY_USERNAME"), read_secret("PANTAU_SCHEMA_REGISTRY_PASSWORD")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user and password is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def fetch(url: str) -> bytes:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout_s, context=context) as response:  # noqa: S310
            return response.read()

    return fetch


def es_client(url: str, auth: Security = (), request_timeout_s: float = 30.0):
    """An Elasticsearch client (comma-separated URLs); retries are the caller's business."""
    from elasticsearch import Elasticsearch
    from elasticsearch.serializer import (
        OrjsonSerializer,  # ~3.5x faster bulk bodies (bench/bench_serialize.py)
    )
    return Elasticsearch(url.split(","), request_timeout=request_timeout_s, retry_on_timeout=False,
                         max_retries=0, serializer=OrjsonSerializer(), **es_client_settings(auth))


def kafka_producer(bootstrap: str, security: Security = (), **settings: Any):
    """A kafka-python producer with the security settings."""
    from kafka import KafkaProducer
    return KafkaProducer(bootstrap_servers=bootstrap.split(","),
                         **{**settings, **kafka_client_settings(security, "producer")})


def kafka_consumer(bootstrap: str, security: Security = (), **settings: Any):
    """A kafka-python consumer with the security settings."""
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=bootstrap.split(","),
                         **{**settings, **kafka_client_settings(security, "consumer")})


def kafka_admin(bootstrap: str, security: Security = (), **settings: Any):
    """A kafka-python admin client with the security settings."""
    from kafka.admin import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","),
                            **{**settings, **kafka_client_settings(security, "admin")})


def create_topic(bootstrap: str, topic: str, partitions: int = 1, security: Security = (),
                 configs: dict[str, str] | None = None) -> bool:
    """Creates a topic if it does not exist (on secured clusters too); True when it was created.
    An existing topic is left alone without a create request (which a client without the right to
    create topics would have refused)."""
    from kafka.errors import TopicAlreadyExistsError
    admin = kafka_admin(bootstrap, security, client_id="pantau-admin")
    try:
        if topic in admin.list_topics():
            return False
        admin.create_topics([_new_topic(topic, partitions, configs)])
        return True
    except TopicAlreadyExistsError:
        return False
    finally:
        admin.close()


def _new_topic(topic: str, partitions: int, configs: dict[str, str] | None):
    from kafka.admin import NewTopic
    return NewTopic(topic, partitions, 1, topic_configs=configs or {})
