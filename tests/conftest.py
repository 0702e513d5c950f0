"""Shared pytest fixtures: a local Kafka + Elasticsearch stack for integration tests.

* ``es_url`` (session): ``$ES_URL`` if set, else noida-db started for the
  session on free ports in a temp dir (stopped at the end).
* ``kafka_bootstrap`` (session): parametrized over the brokers ``noida`` and
  ``tansu`` (ids ``noida`` / ``tansu``), or just ``$KAFKA_BOOTSTRAP`` if set
  (id ``external``).  noida's Kafka is the same process as ``es_url``.
* ``kafka_broker``: which of those a test runs against.
* ``kafka_consumer_config``: consumer-group settings that work on both brokers.
* ``unique_topic``: a fresh topic, created with 3 partitions (override with
  ``@pytest.mark.topic_partitions(n)``); ``topic_factory`` makes more.

Tests that use these fixtures are marked ``integration`` automatically.  They
are never skipped: if a server cannot start, the fixture errors loudly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devtools.localstack import (
    TANSU_SESSION_TIMEOUT_MS,
    LocalStack,
    create_topic,
    free_ports,
)

_ENV_KAFKA = os.environ.get("KAFKA_BOOTSTRAP", "").strip()
_ENV_ES = os.environ.get("ES_URL", "").strip()
_KAFKA_PARAMS = ["external"] if _ENV_KAFKA else ["noida", "tansu"]
_INTEGRATION_FIXTURES = {
    "es_url",
    "kafka_bootstrap",
    "kafka_broker",
    "unique_topic",
    "topic_factory",
    "pantau_stack",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs a server as ``integration``."""
    for item in items:
        if _INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def pantau_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The session's (lazily started) local stack on free ports in a temp dir.

    Nothing runs until :func:`es_url` or :func:`kafka_bootstrap` asks for a
    process (``stack.start(only=[...])``); everything started is stopped at
    the end of the session.
    """
    root: Path = tmp_path_factory.mktemp("pantau-stack")
    kafka_port, es_port, tansu_port = free_ports("127.0.0.1", 3)
    stack = LocalStack(
        root,
        kafka_port=kafka_port,
        es_port=es_port,
        tansu_port=tansu_port,
        broker="tansu",  # knows both processes; each is started on demand
        verbose=True,
    )
    try:
        yield stack
    finally:
        stack.stop(timeout_s=10.0)


@pytest.fixture(scope="session")
def es_url(request: pytest.FixtureRequest) -> str:
    """Elasticsearch base URL: ``$ES_URL`` or the session's noida-db."""
    if _ENV_ES:
        return _ENV_ES.rstrip("/")
    stack: LocalStack = request.getfixturevalue("pantau_stack")
    stack.start(wait_s=60.0, only=["noida"])
    return stack.es_url


@pytest.fixture(scope="session", params=_KAFKA_PARAMS)
def kafka_broker(request: pytest.FixtureRequest) -> str:
    """``"noida"``, ``"tansu"`` or ``"external"`` (when ``$KAFKA_BOOTSTRAP`` is set)."""
    return str(request.param)


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: str, request: pytest.FixtureRequest) -> str:
    """Kafka bootstrap servers of the broker under test."""
    if kafka_broker == "external":
        return _ENV_KAFKA
    stack: LocalStack = request.getfixturevalue("pantau_stack")
    stack.start(wait_s=60.0, only=[kafka_broker])
    return stack.tansu_bootstrap if kafka_broker == "tansu" else stack.noida_bootstrap


@pytest.fixture(scope="session")
def kafka_consumer_config(kafka_broker: str) -> dict[str, int]:
    """Consumer-group settings for kafka-python that work on every broker.

    Tansu needs about half of ``session.timeout.ms`` for a group join, so
    keep it small (6 s); noida does not care.
    """
    return {
        "session_timeout_ms": TANSU_SESSION_TIMEOUT_MS,
        "heartbeat_interval_ms": 2000,
        "max_poll_interval_ms": 60000,
    }


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Callable[..., str]:
    """``make(partitions=3, prefix="t")`` creates and returns a fresh topic."""

    def make(partitions: int = 3, prefix: str = "t") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        return create_topic(kafka_bootstrap, name, partitions, exist_ok=False)

    return make


@pytest.fixture
def unique_topic(topic_factory: Callable[..., str], request: pytest.FixtureRequest) -> str:
    """A fresh topic with 3 partitions (or ``@pytest.mark.topic_partitions(n)``)."""
    marker = request.node.get_closest_marker("topic_partitions")
    partitions = int(marker.args[0]) if marker and marker.args else 3
    return topic_factory(partitions, prefix=request.node.name.split("[")[0][:40])


@pytest.fixture
def alert_bootstrap(pantau_stack: LocalStack, es_url: str) -> str:
    """One Kafka for tests that need a single broker next to ES: $KAFKA_BOOTSTRAP, else the
    session's noida (no parametrization over both brokers)."""
    if _ENV_KAFKA:
        return _ENV_KAFKA
    pantau_stack.start(wait_s=60.0, only=["noida"])
    return pantau_stack.noida_bootstrap
