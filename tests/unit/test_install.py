"""deploy/install.sh and the README's quick start: a virtual environment, never the system interpreter."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"


def quick_start() -> list[str]:
    """The commands of the README's quick-start block, without their comments."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", readme, re.S)
    assert block, "README: no bash block under '## Quick start'"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def ci_commands() -> list[str]:
    """The commands .ci/run runs, in order."""
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines
            if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))]


def test_readme_quick_start_is_two_single_line_commands():
    install_and_demo, tests = quick_start()
    assert install_and_demo == "bash deploy/install.sh && .venv/bin/pantau demo"
    assert tests == ".venv/bin/python -m pytest"


def test_ci_runs_the_install_then_exactly_the_readme_test_command():
    install_and_demo, tests = quick_start()
    assert ci_commands() == [install_and_demo.split(" && ")[0], tests]


def test_install_script_never_pip_installs_outside_the_venv():
    text = INSTALL.read_text(encoding="utf-8")
    pip_calls = [line for line in text.splitlines() if re.search(r"pip\s+install", line)
                 and not line.lstrip().startswith("#")]
    assert pip_calls, "install.sh installs pantau with pip"
    assert all('"$VENV/bin/python" -m pip install' in line for line in pip_calls), pip_calls
    assert "--editable" in pip_calls[0] and "${EXTRAS:+[$EXTRAS]}" in pip_calls[0]
    assert re.search(r'"\$PY" -m venv "\$VENV"', text)


def fake_python(tmp_path: Path, has_venv: bool) -> tuple[Path, Path]:
    """A stand-in interpreter: real Python, except that ``import ensurepip`` fails unless
    ``has_venv``; it logs every invocation, so a test sees what the script asked of it."""
    real = shutil.which("python3", path="/usr/bin:/bin")  # Debian's: readable by every user
    log = tmp_path / "calls.log"
    script = tmp_path / "python3"
    block = "" if has_venv else (
        'case "$*" in *ensurepip*) echo "No module named ensurepip" >&2; exit 1;; esac\n')
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\n{block}exec {real} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, log


def run_install(tmp_path: Path, python: Path, as_nobody: bool, extra_env: dict | None = None):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path), "PANTAU_PYTHON": str(python),
           "PANTAU_VENV": str(tmp_path / "venv"), **(extra_env or {})}
    cmd = ["bash", str(INSTALL)]
    if as_nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def test_missing_venv_module_as_non_root_stops_with_the_apt_command():
    # as root, the script runs as nobody, in a folder nobody can use (pytest's tmp_path is 0700)
    tmp_path = Path(tempfile.mkdtemp(prefix="pantau-install-"))
    try:
        tmp_path.chmod(0o777)
        python, log = fake_python(tmp_path, has_venv=False)
        log.touch()
        log.chmod(0o666)
        run = run_install(tmp_path, python, as_nobody=os.geteuid() == 0)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "sudo apt-get install python3-venv" in run.stderr, run.stderr
        calls = log.read_text(encoding="utf-8")
        assert "ensurepip" in calls and "-m pip" not in calls and "-m venv" not in calls, calls
        assert not (tmp_path / "venv").exists()
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_too_old_python_is_refused(tmp_path):
    old = tmp_path / "python3"
    old.write_text('#!/bin/sh\ncase "$*" in *version_info*) exit 1;; esac\necho 3.8.10\n', encoding="utf-8")
    old.chmod(0o755)
    run = run_install(tmp_path, old, as_nobody=False)
    assert run.returncode == 1 and "needs 3.10 or newer" in run.stderr, run.stderr


@pytest.mark.slow
def test_install_makes_a_venv_with_a_working_pantau(tmp_path):
    """The script for real, into a throw-away venv: without extras and with PIP_NO_DEPS, so it
    takes seconds (the dependencies are the wheel test's business); the console script it leaves
    answers --version, which the script itself prints at the end."""
    python, log = fake_python(tmp_path, has_venv=True)
    run = run_install(tmp_path, python, as_nobody=False, extra_env={"PANTAU_EXTRAS": "", "PIP_NO_DEPS": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "-m venv" in log.read_text(encoding="utf-8")
    venv = tmp_path / "venv"
    assert re.search(r"pantau \S+ installed in " + re.escape(str(venv)), run.stdout), run.stdout
    version = subprocess.run([str(venv / "bin" / "pantau"), "--version"], capture_output=True, text=True,
                             cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert version.stdout.startswith("pantau 0."), version.stdout + version.stderr
