"""``pantau run --workers N``: N pipeline processes on one host under a supervisor.

The local runner (FnApiRunner) runs a pipeline in one Python process, so one process uses one
core. To use every core, the supervisor starts N copies of the pipeline that share the topic's
partitions through the source's instance assignment: worker ``w`` of host instance ``h`` (of
``--instance_count C``) is instance ``h + w*C`` of ``C*N``, so partition ``p`` is read by exactly
one worker on one host, and the hosts keep their share (``p mod C == h``).

* A worker that dies (crash, OOM kill, ``kill -9``) is started again, with a growing delay
  (1 s doubling to 30 s; back to 1 s after a minute of running). Its offsets were only committed
  for durable bundles, so the restart replays, and the sink's external versions make the replay
  idempotent; the poison-pill quarantine works per worker as for a single process.
* A worker that ends cleanly (exit 0, e.g. a bounded run with ``--stop_when_idle_s``) stays
  ended; the supervisor exits 0 once all have, 1 if it gave up on any.
* SIGTERM/SIGINT are passed on to every worker, which drain (flush, commit) and end; a second
  signal kills them. Workers run in their own sessions, so a signal to the supervisor's process
  group (Ctrl-C in a terminal, ``kill -- -PGID``) reaches them once, through the supervisor. Workers get SIGTERM when the supervisor itself dies (Linux parent-death
  signal), so no orphan keeps reading.
* Worker ``w`` serves its metrics on ``--metrics_port + w``; only worker 0 runs ``--monitor``.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

LOG = logging.getLogger(__name__)

#: environment variable that tells a process which worker it is (the log lines carry it)
WORKER_ENV = "PANTAU_WORKER"
_PR_SET_PDEATHSIG = 1


def cpu_count() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def worker_argv(argv: Sequence[str], worker: int, workers: int, instance_index: int,
                instance_count: int, metrics_port: int) -> list[str]:
    """The ``pantau run`` arguments of one worker: the user's, then the worker's own settings
    (later options win); ``--monitor`` only for worker 0 (see :func:`worker_env` too)."""
    own = [a for a in argv if worker == 0 or a.split("=", 1)[0] != "--monitor"]
    return [*own, "--workers=1", f"--instance_index={instance_index + worker * instance_count}",
            f"--instance_count={instance_count * workers}",
            f"--metrics_port={metrics_port + worker if metrics_port else 0}"]


def worker_env(worker: int) -> dict[str, str]:
    """Environment of one worker: its index, and for all but worker 0 the monitor turned off
    (the environment outranks a config file that turns it on)."""
    env = {WORKER_ENV: str(worker)}
    if worker:
        env["PANTAU_MONITOR"] = "false"
    return env


def restart_delay(failures: int) -> float:
    """Seconds before restarting a worker that died ``failures`` times in a row."""
    return float(min(30, 2 ** max(failures - 1, 0)))


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


@dataclass
class _Worker:
    index: int
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float = 0.0
    exit_code: int | None = None
    restarts: int = 0


class Supervisor:
    """Starts the workers, restarts the ones that die, drains them all on a signal."""

    def __init__(self, argvs: list[list[str]], stable_after_s: float = 60.0,
                 command: Sequence[str] = (sys.executable, "-m", "pipelines.cli", "run")):
        self.workers = [_Worker(i, argv, worker_env(i)) for i, argv in enumerate(argvs)]
        self.command = list(command)
        self.stable_after_s = stable_after_s
        self.stopping = False

    def _start(self, worker: _Worker) -> None:
        env = dict(os.environ, **worker.env)
        # own session: a Ctrl-C or a signal to the supervisor's process group reaches the workers
        # once, through the supervisor (a second signal would stop them without draining)
        worker.proc = subprocess.Popen([*self.command, *worker.argv], env=env, start_new_session=True,
                                       preexec_fn=_die_with_parent)
        worker.started_at = time.monotonic()
        LOG.info("worker %d started (pid %d)", worker.index, worker.proc.pid)

    def _signal(self, signum: int) -> None:
        for worker in self.workers:
            if worker.proc is not None and worker.proc.poll() is None:
                worker.proc.send_signal(signum)

    def _on_signal(self, signum, _frame) -> None:
        if self.stopping:
            LOG.warning("second signal %s: killing the workers", signum)
            self._signal(signal.SIGKILL)
            return
        LOG.warning("signal %s: draining every worker", signum)
        self.stopping = True
        self._signal(signal.SIGTERM)

    def _check(self, worker: _Worker, now: float) -> None:
        if worker.proc is None:
            if worker.exit_code is None and not self.stopping and now >= worker.restart_at:
                worker.restarts += 1
                self._start(worker)
            return
        code = worker.proc.poll()
        if code is None:
            if worker.failures and now - worker.started_at >= self.stable_after_s:
                worker.failures = 0
            return
        worker.proc = None
        if code == 0 or self.stopping:
            worker.exit_code = code
            LOG.info("worker %d ended (exit %d)", worker.index, code)
            return
        worker.failures += 1
        delay = restart_delay(worker.failures)
        worker.restart_at = now + delay
        LOG.warning("worker %d died (exit %d); restarting it in %.0f s", worker.index, code, delay)

    def run(self, poll_s: float = 0.2) -> int:
        """Runs until every worker ended; 0 when all ended cleanly."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for worker in self.workers:
                self._start(worker)
            while any(w.proc is not None or (w.exit_code is None and not self.stopping) for w in self.workers):
                now = time.monotonic()
                for worker in self.workers:
                    self._check(worker, now)
                time.sleep(poll_s)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        codes = [w.exit_code for w in self.workers]
        LOG.info("all workers ended: exit codes %s", codes)
        # on a signal, a worker waiting for its restart has nothing left to drain
        return 0 if all(c == 0 or (c is None and self.stopping) for c in codes) else 1
