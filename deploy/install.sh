#!/usr/bin/env bash
# Installs pantau and everything its demo and tests need on a fresh machine (Debian + Python 3.10+).
# The local protocol peers (noida-db: Kafka + Elasticsearch APIs; Tansu: Kafka) come from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install --quiet --editable '.[test]'
# pyenv installs console scripts behind shims that must be refreshed
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
echo "pantau installed: $(command -v pantau || echo 'pantau (use: python3 -m pipelines.cli)')"
