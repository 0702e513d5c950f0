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


def kafka_client_settings(security: tuple[tuple[str, object], ...]) -> dict[str, object]:
    """kafka-python settings: the non-secret ones given, SASL credentials read here from
    PANTAU_KAFKA_USERNAME / PANTAU_KAFKA_PASSWORD (or their *_FILE), on the worker."""
    settings = dict(security)
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
    return KafkaProducer(bootstrap_servers=bootstrap.split(","), **settings, **kafka_client_settings(security))


def kafka_consumer(bootstrap: str, security: Security = (), **settings: Any):
    """A kafka-python consumer with the security settings."""
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=bootstrap.split(","), **settings, **kafka_client_settings(security))


def kafka_admin(bootstrap: str, security: Security = (), **settings: Any):
    """A kafka-python admin client with the security settings."""
    from kafka.admin import KafkaAdminClient
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","), **settings, **kafka_client_settings(security))


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
