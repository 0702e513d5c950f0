"""`pantau run --workers`: the supervisor's pure parts and its process handling (with a stand-in
worker script; the real pipeline workers are tested in tests/integration/test_workers.py)."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from pipelines.workers import Supervisor, cpu_count, restart_delay, worker_argv, worker_env
from transforms.io.kafka_source import KafkaConfig


def test_worker_argv_splits_each_hosts_share_between_its_workers():
    argv = ["--input_topic=t", "--monitor", "--metrics_port=9000"]
    # host 1 of 3, two workers: instances 1 and 4 of 6
    w0 = worker_argv(argv, 0, 2, 1, 3, 9464)
    w1 = worker_argv(argv, 1, 2, 1, 3, 9464)
    assert w0[-4:] == ["--workers=1", "--instance_index=1", "--instance_count=6", "--metrics_port=9464"]
    assert w1[-4:] == ["--workers=1", "--instance_index=4", "--instance_count=6", "--metrics_port=9465"]
    assert "--monitor" in w0 and "--monitor" not in w1
    assert worker_argv(argv, 1, 2, 0, 1, 0)[-1] == "--metrics_port=0"
    # every partition of host 1 (p % 3 == 1) goes to exactly one of its workers, none of another host's
    owners = {p: [w for w in (0, 1) if KafkaConfig("b", "t", "g", instance_index=1 + w * 3, instance_count=6).owns(p)]
              for p in range(24)}
    assert all(len(o) == (1 if p % 3 == 1 else 0) for p, o in owners.items())
    assert {o[0] for o in owners.values() if o} == {0, 1}


def test_only_worker_0_may_run_the_monitor_whatever_the_config_file_says():
    assert worker_env(0) == {"PANTAU_WORKER": "0"}
    assert worker_env(1) == {"PANTAU_WORKER": "1", "PANTAU_MONITOR": "false"}


def test_restart_delay_grows_and_is_capped():
    assert [restart_delay(n) for n in (1, 2, 3, 6, 20)] == [1, 2, 4, 30, 30]


def test_cpu_count_is_positive():
    assert cpu_count() >= 1


def _script(tmp_path, body: str):
    path = tmp_path / "worker.py"
    path.write_text(textwrap.dedent(body))
    return [sys.executable, str(path)]


def test_a_dead_worker_is_restarted_and_a_clean_end_is_final(tmp_path):
    # each worker dies the first time it runs and ends cleanly the second time
    command = _script(tmp_path, f"""
        import os, sys
        mark = os.path.join({str(tmp_path)!r}, "ran-" + os.environ["PANTAU_WORKER"])
        if not os.path.exists(mark):
            open(mark, "w").close()
            os.kill(os.getpid(), 9)
        sys.exit(0)
    """)
    supervisor = Supervisor([["a"], ["b"]], command=command)
    assert supervisor.run(poll_s=0.05) == 0
    assert [w.restarts for w in supervisor.workers] == [1, 1]


def test_sigterm_reaches_each_worker_once_and_they_drain(tmp_path):
    command = _script(tmp_path, f"""
        import os, signal, sys, time
        seen = []
        signal.signal(signal.SIGTERM, lambda *_: seen.append(1))
        open(os.path.join({str(tmp_path)!r}, "up-" + os.environ["PANTAU_WORKER"]), "w").close()
        while not seen:
            time.sleep(0.05)
        time.sleep(0.5)  # a second SIGTERM during the drain would be counted
        open(os.path.join({str(tmp_path)!r}, "term-" + os.environ["PANTAU_WORKER"]), "w").write(str(len(seen)))
        sys.exit(0)
    """)
    supervisor = Supervisor([[], []], command=command)
    ups = [tmp_path / "up-0", tmp_path / "up-1"]

    def stop_when_up() -> None:
        while not all(p.exists() for p in ups):
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_when_up, daemon=True).start()
    assert supervisor.run(poll_s=0.05) == 0
    assert [(tmp_path / f"term-{i}").read_text() for i in (0, 1)] == ["1", "1"]


def test_workers_die_with_the_supervisor(tmp_path):
    # a supervisor killed with SIGKILL cannot forward anything: the parent-death signal ends its workers
    pidfile = tmp_path / "pids"
    code = textwrap.dedent(f"""
        import sys
        from pipelines.workers import Supervisor
        cmd = [sys.executable, "-c", "import os,time; open({str(pidfile)!r}, 'a').write(str(os.getpid()) + chr(10)); time.sleep(600)"]
        Supervisor([[], []], command=cmd).run()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=os.getcwd()))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not pidfile.exists() or len(pidfile.read_text().split()) < 2):
        time.sleep(0.05)
    pids = [int(p) for p in pidfile.read_text().split()]
    proc.kill()
    proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") and
                                              "Z" not in open(f"/proc/{p}/stat").read().split()[2] for p in pids):
        time.sleep(0.05)
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
    for p in alive:
        os.kill(p, signal.SIGKILL)
    assert not alive
