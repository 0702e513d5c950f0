#!/usr/bin/env bash
# Installs pantau and everything its demo and tests need on a fresh machine (Debian + Python 3.10+).
# The local protocol peers (noida-db: Kafka + Elasticsearch APIs; Tansu: Kafka) come from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install --quiet --editable '.[test]'
# apt-get update at most once per run, for the Debian packages below
APT_UPDATED=0
apt_update_once() { if [ "$APT_UPDATED" -eq 0 ]; then apt-get update -qq; APT_UPDATED=1; fi; }
# Prometheus server + promtool (Debian package): the metrics integration test and the alert-rule
# unit tests run them. Installed only when missing, and only as root (else: a hint).
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt_update_once
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    else
        echo "install the Debian package 'prometheus' (sudo apt-get install prometheus) for the metrics tests" >&2
    fi
fi
# Alertmanager (Debian package prometheus-alertmanager): the local stack runs it and the alert
# delivery tests send through it. Installed only when missing, and only as root (else: a hint).
if ! command -v prometheus-alertmanager >/dev/null 2>&1 && ! command -v alertmanager >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt_update_once
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-alertmanager >/dev/null
    else
        echo "install the Debian package 'prometheus-alertmanager' (sudo apt-get install prometheus-alertmanager) for alert delivery" >&2
    fi
fi
# Chromium + its WebDriver (Debian packages): the review page test drives a real browser with
# selenium. Installed only when missing, and only as root (else: a hint).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt_update_once
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    else
        echo "install the Debian packages 'chromium' and 'chromium-driver' for the review page test" >&2
    fi
fi
# docker-compose (Debian package, v1): tests/unit/test_deploy.py validates deploy/docker-compose.yml
# with `docker-compose config`. Installed only when missing, and only as root (else: a hint).
if ! command -v docker-compose >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt_update_once
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
    else
        echo "install the Debian package 'docker-compose' (sudo apt-get install docker-compose) for the deploy tests" >&2
    fi
fi
# pyenv installs console scripts behind shims that must be refreshed
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
echo "pantau installed: $(command -v pantau || echo 'pantau (use: python3 -m pipelines.cli)')"
