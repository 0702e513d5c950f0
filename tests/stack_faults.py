"""Fault injection into the local stack for the tests: stop, start and restart its services.

Test-only: runtime code never takes a server down.
"""
from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator

from devtools.localstack import LocalStack, LocalStackError, es_ready, kafka_ready, resolve_noida_bin


def _noida_ctl(stack: LocalStack, action: str, service: str) -> None:
    cmd = [resolve_noida_bin(), action, service, "--data-dir", str(stack.data_dir)]
    done = subprocess.run(  # noqa: S603 - fixed argv
        cmd, capture_output=True, text=True, timeout=60, check=False
    )
    output = "\n".join(
        line for line in (done.stdout + done.stderr).splitlines() if "weak version" not in line
    )
    if done.returncode != 0:
        raise LocalStackError(f"`{' '.join(cmd[1:])}` failed ({done.returncode}): {output}")
    stack._say(output.strip() or f"{action} {service}")

def stop_service(stack: LocalStack, service: str) -> None:
    """Make ``service`` unavailable while the rest keeps running.

    ``"kafka"`` / ``"elasticsearch"`` use ``noida-db stop <service>`` (the
    noida process stays up, data is saved); ``"tansu"`` stops the Tansu
    process (its in-memory data is lost).
    """
    if service in ("kafka", "elasticsearch"):
        if stack.pid("noida") is None:
            raise LocalStackError("noida is not running")
        _noida_ctl(stack, "stop", service)
    elif service == "tansu":
        stack._stop_proc("tansu", timeout_s=10.0)
    else:
        raise LocalStackError(f"unknown service {service!r}")

def start_service(stack: LocalStack, service: str, wait_s: float = 30.0) -> None:
    """Undo :meth:`stop_service` and wait until ``service`` is ready."""
    if service in ("kafka", "elasticsearch"):
        if stack.pid("noida") is None:
            raise LocalStackError("noida is not running")
        _noida_ctl(stack, "start", service)
        deadline = time.monotonic() + wait_s
        probe = (
            (lambda: kafka_ready(stack.noida_bootstrap, 3.0))
            if service == "kafka"
            else (lambda: es_ready(stack.es_url, 2.0) is not None)
        )
        while not probe():
            if time.monotonic() > deadline:
                raise LocalStackError(f"{service} not ready {wait_s:.0f}s after restart")
            time.sleep(0.2)
    elif service == "tansu":
        stack.start(wait_s, only=["tansu"])
    else:
        raise LocalStackError(f"unknown service {service!r}")

def restart_broker(stack: LocalStack, broker: str | None = None, down_s: float = 0.0, wait_s: float = 30.0) -> None:
    """Restart a Kafka broker (default: the selected one), down for ``down_s``.

    noida keeps topics, records and committed offsets across this restart;
    Tansu (memory storage) loses them.
    """
    broker = broker or stack.broker
    service = "kafka" if broker == "noida" else "tansu"
    stop_service(stack, service)
    if down_s > 0:
        time.sleep(down_s)
    start_service(stack, service, wait_s)

def restart_process(stack: LocalStack, proc: str = "noida", down_s: float = 0.0, wait_s: float = 30.0) -> None:
    """Stop and start a whole server process (noida: SIGTERM flushes data)."""
    stack._stop_proc(proc)
    if down_s > 0:
        time.sleep(down_s)
    stack.start(wait_s, only=[proc])

@contextlib.contextmanager
def service_down(stack: LocalStack, service: str, wait_s: float = 30.0) -> Iterator[None]:
    """``with stack.service_down("elasticsearch"): ...`` -- down inside the block."""
    stop_service(stack, service)
    try:
        yield
    finally:
        start_service(stack, service, wait_s)

def outage(stack: LocalStack, service: str, duration_s: float, delay_s: float = 0.0) -> threading.Thread:
    """Take ``service`` down for ``duration_s`` after ``delay_s``, in a thread.

    Returns the started (daemon) thread; ``join()`` it to wait for the end
    of the outage.  Errors are re-raised by :meth:`join_outage`-style code
    via the thread's ``error`` attribute.
    """

    def run() -> None:
        try:
            if delay_s > 0:
                time.sleep(delay_s)
            stop_service(stack, service)
            time.sleep(duration_s)
            start_service(stack, service)
        except BaseException as exc:  # noqa: BLE001 - surfaced via .error
            thread.error = exc  # type: ignore[attr-defined]

    thread = threading.Thread(target=run, name=f"outage-{service}", daemon=True)
    thread.error = None  # type: ignore[attr-defined]
    thread.start()
    return thread
