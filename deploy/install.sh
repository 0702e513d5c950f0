#!/usr/bin/env bash
# Installs pantau into the project's virtual environment ./.venv (never into the system
# interpreter: Debian and Ubuntu refuse that, PEP 668), with everything the demo and the tests
# need (extra `test`). Afterwards: .venv/bin/pantau ..., .venv/bin/python -m pytest.
#
#   PANTAU_VENV=path      the virtual environment (default .venv in the repository)
#   PANTAU_PYTHON=path    the interpreter it is made from (default /usr/bin/python3, Debian's,
#                         when present, else python3 on PATH); Python 3.10 or newer
#   PANTAU_EXTRAS=list    extras to install (default test = local,brief,train + test tools;
#                         a production host needs none: PANTAU_EXTRAS= )
#
# As root it installs what is missing through apt: python3-venv (Debian splits the venv module
# out of python3), prometheus (promtool, for the metrics tests), docker-compose (deploy tests).
# As another user it names the apt packages to install instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
VENV=${PANTAU_VENV:-.venv}
EXTRAS=${PANTAU_EXTRAS-test}
die() { echo "deploy/install.sh: $*" >&2; exit 1; }
is_root_with_apt() { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; }
# apt-get update at most once per run
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. An interpreter that can make virtual environments.
PY=${PANTAU_PYTHON:-}
if [ -z "$PY" ]; then
    if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=$(command -v python3 || true); fi
fi
[ -n "$PY" ] && "$PY" -c 'pass' 2>/dev/null \
    || die "no python3 found: install Python 3.10 or newer (sudo apt-get install python3)"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$PY is Python $("$PY" -c 'import platform; print(platform.python_version())'); pantau needs 3.10 or newer (set PANTAU_PYTHON)"
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    PYVER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if is_root_with_apt; then
        echo "installing python3-venv (apt) for $PY"
        apt_install python3-venv "python$PYVER-venv" || apt_install python3-venv
    else
        die "$PY cannot create virtual environments (the venv/ensurepip module is missing).
Install it, then run this script again:  sudo apt-get install python3-venv python$PYVER-venv"
    fi
    "$PY" -c 'import venv, ensurepip' 2>/dev/null || die "$PY still has no venv module after installing python3-venv"
fi

# 2. The project virtual environment, made once and reused.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "creating the virtual environment $VENV from $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi
echo "installing pantau${EXTRAS:+[$EXTRAS]} into $VENV (PyPI; a few minutes the first time)"
"$VENV/bin/python" -m pip install --quiet --editable ".${EXTRAS:+[$EXTRAS]}"

# 3. Debian packages the tests run: installed only when missing, and only as root (else: a hint).
# Prometheus server + promtool: the metrics integration test and the alert-rule unit tests.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if is_root_with_apt; then
        apt_install prometheus || echo "could not install the package 'prometheus' (on Ubuntu: enable universe) for the metrics tests" >&2
    else
        echo "install the Debian package 'prometheus' (sudo apt-get install prometheus) for the metrics tests" >&2
    fi
fi
# Alertmanager (prometheus-alertmanager): the local stack runs it and the alert delivery tests
# send through it.
if ! command -v prometheus-alertmanager >/dev/null 2>&1 && ! command -v alertmanager >/dev/null 2>&1; then
    if is_root_with_apt; then
        apt_install prometheus-alertmanager
    else
        echo "install the Debian package 'prometheus-alertmanager' (sudo apt-get install prometheus-alertmanager) for alert delivery" >&2
    fi
fi
# Chromium + its WebDriver: the review page test drives a real browser with selenium.
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if is_root_with_apt; then
        apt_install chromium chromium-driver
    else
        echo "install the Debian packages 'chromium' and 'chromium-driver' for the review page test" >&2
    fi
fi
# docker-compose (v1): tests/unit/test_deploy.py validates deploy/docker-compose.yml with
# `docker-compose config`.
if ! command -v docker-compose >/dev/null 2>&1; then
    if is_root_with_apt; then
        apt_install docker-compose || echo "could not install the package 'docker-compose' (on Ubuntu: enable universe) for the deploy tests" >&2
    else
        echo "install the Debian package 'docker-compose' (sudo apt-get install docker-compose) for the deploy tests" >&2
    fi
fi
echo "pantau $("$VENV/bin/pantau" --version | cut -d' ' -f2) installed in $VENV: run $VENV/bin/pantau (or: source $VENV/bin/activate)"
