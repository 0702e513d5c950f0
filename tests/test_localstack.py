"""Tests of devtools.localstack and of both Kafka brokers through kafka-python."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition

from devtools.localstack import (
    LocalStack,
    LocalStackError,
    PortInUseError,
    create_topic,
    down_main,
    ephemeral_localstack,
    ephemeral_stack,
    es_ready,
    free_ports,
    kafka_ready,
    status_main,
    up_main,
)
from tests.stack_faults import restart_broker, restart_process, service_down
from transforms.io.alertmanager import alert_payload, get_alerts, labels, post_alerts


def _stack(tmp_path: Path, broker: str = "noida") -> LocalStack:
    kafka_port, es_port, tansu_port = free_ports("127.0.0.1", 3)
    return LocalStack(
        tmp_path / "pantau",
        kafka_port=kafka_port,
        es_port=es_port,
        tansu_port=tansu_port,
        broker=broker,
        verbose=False,
    )


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------
# LocalStack lifecycle
# --------------------------------------------------------------------------


@pytest.mark.integration
def test_start_stop_on_free_ports(tmp_path: Path) -> None:
    stack = _stack(tmp_path, broker="tansu")
    try:
        endpoints = stack.start(wait_s=60)
        assert endpoints == (stack.tansu_bootstrap, stack.es_url)
        kafka_bootstrap, es_url = endpoints
        assert es_ready(es_url) is not None
        assert kafka_ready(kafka_bootstrap)
        assert kafka_ready(stack.noida_bootstrap)
        pids = {proc: stack.pid(proc) for proc in ("noida", "tansu")}
        assert all(pids.values())
        for proc, pid in pids.items():
            assert stack.pid_file(proc).read_text().strip() == str(pid)
            assert stack.log_file(proc).is_file()
        statuses = {s.name: s for s in stack.status()}
        assert statuses["noida"].ok and statuses["tansu"].ok
        assert statuses["noida"].endpoints["elasticsearch"] == es_url
    finally:
        stack.stop(timeout_s=10)
    assert not stack.pid_file("noida").exists()
    assert not stack.pid_file("tansu").exists()
    assert stack.pid("noida") is None
    assert stack.data_dir.is_dir()  # data is kept
    for port in (stack.kafka_port, stack.es_port, stack.tansu_port):
        assert _port_is_free(port)
    assert all(not s.running for s in stack.status())


@pytest.mark.integration
def test_start_is_idempotent(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    try:
        stack.start(wait_s=60)
        pid = stack.pid("noida")
        lines: list[str] = []
        again = LocalStack(
            stack.root,
            kafka_port=stack.kafka_port,
            es_port=stack.es_port,
            tansu_port=stack.tansu_port,
            printer=lines.append,
        )
        again.start(wait_s=30)
        assert again.pid("noida") == pid
        assert any("already running" in line and str(pid) in line for line in lines)
        # Asking for other ports while ours runs is refused, not silently ignored.
        other = LocalStack(stack.root, kafka_port=free_ports()[0], es_port=stack.es_port, verbose=False)
        with pytest.raises(LocalStackError, match="already runs with kafka_port"):
            other.start(wait_s=5)
        assert stack.pid("noida") == pid
    finally:
        stack.stop(timeout_s=10)


@pytest.mark.integration
def test_a_failed_start_leaves_nothing_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """noida starts, then Alertmanager cannot (here: not installed): the start fails and stops
    noida again, so a later start (or the user) does not meet an orphan server."""
    from devtools import alertmanager

    monkeypatch.setattr(alertmanager, "resolve_alertmanager_bin", lambda: None)
    kafka_port, es_port, am_port = free_ports("127.0.0.1", 3)
    stack = LocalStack(tmp_path / "pantau", kafka_port=kafka_port, es_port=es_port,
                       alertmanager_port=am_port, verbose=False)
    try:
        with pytest.raises(LocalStackError, match="Alertmanager is not installed"):
            stack.start(wait_s=30)
        assert stack.pid("noida") is None
        assert _port_is_free(kafka_port) and _port_is_free(es_port)
    finally:
        stack.stop(timeout_s=10)


@pytest.mark.integration
@pytest.mark.parametrize("service", ["kafka", "elasticsearch", "tansu"])
def test_taken_port_is_reported(tmp_path: Path, service: str) -> None:
    stack = _stack(tmp_path, broker="tansu")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        setattr(stack, {"kafka": "kafka_port", "elasticsearch": "es_port", "tansu": "tansu_port"}[service], port)
        try:
            with pytest.raises(PortInUseError) as info:
                stack.start(wait_s=30)
        finally:
            stack.stop(timeout_s=10)
    message = str(info.value)
    assert info.value.port == port and info.value.service == service
    assert f"port {port}" in message
    assert {"kafka": "--kafka-port", "elasticsearch": "--es-port", "tansu": "--tansu-port"}[service] in message
    assert {"kafka": "PANTAU_KAFKA_PORT", "elasticsearch": "PANTAU_ES_PORT", "tansu": "PANTAU_TANSU_PORT"}[service] in message
    import os

    assert f"pid {os.getpid()}" in message  # the holder (this test process) is named
    assert not stack.pid_file("noida").exists() or service == "tansu"


@pytest.mark.integration
def test_stale_pid_file_is_ignored(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    stack.run_dir.mkdir(parents=True)
    stack.pid_file("noida").write_text("999999\n")
    try:
        stack.start(wait_s=60)
        assert stack.pid("noida") not in (None, 999999)
    finally:
        stack.stop(timeout_s=10)


@pytest.mark.integration
def test_cli_up_status_down(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kafka_port, es_port, tansu_port, am_port = free_ports("127.0.0.1", 4)
    root = str(tmp_path / "cli")
    ports = ["--kafka-port", str(kafka_port), "--es-port", str(es_port), "--tansu-port", str(tansu_port),
             "--alertmanager_port", str(am_port)]
    try:
        assert up_main(["--root", root, *ports]) == 0
        out = capsys.readouterr().out
        assert f"export KAFKA_BOOTSTRAP=127.0.0.1:{kafka_port}" in out
        assert f"export ES_URL=http://127.0.0.1:{es_port}" in out
        assert f"export ALERTMANAGER_URL=http://127.0.0.1:{am_port}" in out
        assert status_main(["--root", root]) == 0  # ports come from the saved state
        out = capsys.readouterr().out
        assert "pid" in out and str(es_port) in out
        assert f"alertmanager http://127.0.0.1:{am_port} (ok)" in out
        # the local Alertmanager takes alerts (configuration written from deploy/alertmanager)
        post_alerts(f"http://127.0.0.1:{am_port}", [alert_payload(
            labels("Banjir", "volume_spike", "warning", "Banjir|volume_spike"), {"summary": "uji"},
            int(time.time() * 1000), int(time.time() * 1000) + 60_000)])
        assert [a["labels"]["issue"] for a in get_alerts(f"http://127.0.0.1:{am_port}")] == ["Banjir"]
        assert up_main(["--root", root]) == 0
        assert "already running" in capsys.readouterr().out
    finally:
        assert down_main(["--root", root]) == 0
    assert status_main(["--root", root]) == 3
    assert "stopped" in capsys.readouterr().out


@pytest.mark.integration
def test_noida_keeps_offsets_and_records_across_restart(tmp_path: Path) -> None:
    with ephemeral_localstack(tmp_path, "noida") as stack:
        bootstrap = stack.noida_bootstrap
        topic = create_topic(bootstrap, "restart-" + uuid.uuid4().hex[:8], 2)
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        for i in range(5):
            producer.send(topic, key=b"k", value=b"v%d" % i)
        producer.close()
        tp = TopicPartition(topic, 0)
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-restart", enable_auto_commit=False)
        consumer.assign([tp])
        consumer.commit({tp: OffsetAndMetadata(3, "", -1)})
        consumer.close()

        restart_process(stack, "noida")  # SIGTERM: noida writes its snapshot first

        consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-restart", enable_auto_commit=False)
        try:
            assert consumer.committed(tp) == 3
            ends = consumer.end_offsets([tp, TopicPartition(topic, 1)])
            assert sum(ends.values()) == 5
        finally:
            consumer.close()

        restart_broker(stack, "noida", down_s=0.5)  # `noida-db stop/start kafka`
        assert kafka_ready(bootstrap)


@pytest.mark.integration
def test_elasticsearch_outage_helper(tmp_path: Path) -> None:
    with ephemeral_localstack(tmp_path, "noida") as stack:
        with service_down(stack, "elasticsearch"):
            assert es_ready(stack.es_url, timeout_s=1) is None
            assert kafka_ready(stack.noida_bootstrap)  # the rest keeps running
        assert es_ready(stack.es_url) is not None


@pytest.mark.integration
def test_ephemeral_stack_yields_endpoints(tmp_path: Path) -> None:
    with ephemeral_stack(tmp_path, broker="tansu") as (kafka_bootstrap, es_url):
        assert kafka_ready(kafka_bootstrap)
        assert es_ready(es_url) == "8.15.3"
        port = int(kafka_bootstrap.rsplit(":", 1)[1])
    assert _port_is_free(port)


# --------------------------------------------------------------------------
# Both brokers through kafka-python (fixtures from conftest)
# --------------------------------------------------------------------------


def test_es_url_fixture(es_url: str) -> None:
    assert es_ready(es_url) is not None


@pytest.mark.topic_partitions(3)
def test_produce_consume_group_commit_and_resume(
    kafka_bootstrap: str, unique_topic: str, kafka_consumer_config: dict[str, int]
) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=5)
    sent = {}
    for i in range(12):
        key, value = f"user-{i % 4}".encode(), f"post-{i}".encode()
        producer.send(unique_topic, key=key, value=value)
        sent[value] = key
    producer.flush()
    producer.close()

    group = "g-" + uuid.uuid4().hex[:8]
    config = dict(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=20000,
        **kafka_consumer_config,
    )
    first = KafkaConsumer(unique_topic, **config)
    seen = []
    for record in first:
        seen.append(record)
        if len(seen) == 7:
            break
    first.commit()
    positions = {tp: first.position(tp) for tp in first.assignment()}
    assert len(positions) == 3
    assert {tp: first.committed(tp) for tp in positions} == positions
    first.close()

    # A new member of the same group resumes from the committed offsets.
    second = KafkaConsumer(unique_topic, **config)
    rest = []
    deadline = time.monotonic() + 30
    while len(seen) + len(rest) < 12 and time.monotonic() < deadline:
        for records in second.poll(timeout_ms=500).values():
            rest.extend(records)
    second.commit()
    second.close()

    ids = [(r.partition, r.offset) for r in seen + rest]
    assert len(ids) == len(set(ids)) == 12  # nothing lost, nothing twice
    assert {r.value: r.key for r in seen + rest} == sent
    # Same key -> same partition.
    by_key: dict[bytes, set[int]] = {}
    for r in seen + rest:
        by_key.setdefault(r.key, set()).add(r.partition)
    assert all(len(parts) == 1 for parts in by_key.values())


@pytest.mark.topic_partitions(2)
def test_assign_seek_and_commit_without_subscribe(kafka_bootstrap: str, unique_topic: str) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    t0 = int(time.time() * 1000)  # a recent time: a broker's retention deletes week-old messages
    for i in range(6):
        producer.send(unique_topic, value=b"m%d" % i, partition=i % 2, timestamp_ms=t0 + i)
    producer.close()
    parts = [TopicPartition(unique_topic, p) for p in (0, 1)]
    group = "g-" + uuid.uuid4().hex[:8]
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False)
    try:
        consumer.assign(parts)
        consumer.seek(parts[0], 1)
        consumer.seek(parts[1], 0)
        records = []
        deadline = time.monotonic() + 30
        while len(records) < 5 and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        assert sorted((r.partition, r.offset) for r in records) == [(0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
        assert all(r.timestamp >= t0 and r.timestamp_type == 0 for r in records)
        consumer.commit({parts[0]: OffsetAndMetadata(2, "", -1), parts[1]: OffsetAndMetadata(3, "", -1)})
    finally:
        consumer.close()
    reader = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False)
    try:
        assert [reader.committed(tp) for tp in parts] == [2, 3]
    finally:
        reader.close()
