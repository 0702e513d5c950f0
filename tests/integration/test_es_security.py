"""The Elasticsearch TLS and authentication options against a real TLS endpoint checking headers.

noida-db (the local Elasticsearch API) has neither TLS nor authentication, so these tests put
:class:`tests.integration.tls_proxy.TlsAuthHttpProxy` in front of the ``es_url`` fixture: real
TLS with a throwaway CA, and a 401 ``security_exception`` for any request without the
configured ``Authorization``. Credentials reach pantau only through PANTAU_ES_API_KEY or
PANTAU_ES_USERNAME / PANTAU_ES_PASSWORD(_FILE); the test checks they never reach the log or the
command line. Kafka is the session's noida (plaintext): only the Elasticsearch side is secured.
"""
from __future__ import annotations

import contextlib
import os
import time

import pytest

from tests.integration.helpers import (
    es_count,
    pipeline_args,
    post_messages,
    produce,
    run_bounded,
    setup_topics,
    unique,
)
from tests.integration.tls_proxy import Pki, TlsAuthHttpProxy, make_pki

pytestmark = pytest.mark.integration
API_KEY = "planted-es-api-key-VnVNYV9JN0JSM2d3"
ES_USER, ES_PASSWORD = "pantau-writer", "planted-es-password-c41e9a2d"
ES_ENV = ("PANTAU_ES_API_KEY", "PANTAU_ES_USERNAME", "PANTAU_ES_PASSWORD")


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("es-pki"))


@pytest.fixture
def kafka_bootstrap(es_url, request) -> str:
    """One plaintext Kafka is enough here: $KAFKA_BOOTSTRAP, else the session's noida."""
    if os.environ.get("KAFKA_BOOTSTRAP", "").strip():
        return os.environ["KAFKA_BOOTSTRAP"].strip()
    stack = request.getfixturevalue("pantau_stack")
    stack.start(wait_s=60.0, only=["noida"])
    return stack.noida_bootstrap


@pytest.fixture(autouse=True)
def clean_es_env(monkeypatch):
    for name in ES_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)


@contextlib.contextmanager
def prepared_topic(kafka_bootstrap: str, n: int):
    topic = unique("essec")
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(n)))
    yield topic


@pytest.mark.parametrize("auth", ["api_key_env", "basic_password_file"])
def test_pipeline_indexes_through_tls_and_auth(auth, pki, kafka_bootstrap, es_url, tmp_path, monkeypatch):
    if auth == "api_key_env":
        monkeypatch.setenv("PANTAU_ES_API_KEY", API_KEY)
        proxy_auth, secrets = {"api_key": API_KEY}, [API_KEY]
    else:
        (tmp_path / "es_password").write_text(ES_PASSWORD + "\n")
        monkeypatch.setenv("PANTAU_ES_USERNAME", ES_USER)
        monkeypatch.setenv("PANTAU_ES_PASSWORD_FILE", str(tmp_path / "es_password"))
        proxy_auth, secrets = {"basic": (ES_USER, ES_PASSWORD)}, [ES_PASSWORD]
    n, prefix = 30, unique("idx")
    with prepared_topic(kafka_bootstrap, n) as topic, TlsAuthHttpProxy(es_url, pki, **proxy_auth) as proxy:
        rc, log, cmdline = run_bounded(
            pipeline_args(kafka_bootstrap, proxy.url, topic, prefix, "--stop_when_idle_s=2",
                          "--metrics_port=0", f"--es_ca_file={pki.ca}"), tmp_path / "run.log")
        assert rc == 0, log[-3000:]
        assert proxy.accepted > 0 and proxy.refused == 0 and proxy.tls_failures == 0
    assert es_count(es_url, prefix) == n  # behind the proxy, straight from noida
    for secret in secrets:
        assert secret not in log and secret not in cmdline
    assert proxy.url in cmdline


def test_without_ca_file_the_certificate_does_not_verify(pki, kafka_bootstrap, es_url, tmp_path, monkeypatch):
    """No --es_ca_file: the system CAs do not know the test CA. Template installation fails at
    once (a TLS error is not retried) and the run exits non-zero."""
    monkeypatch.setenv("PANTAU_ES_API_KEY", API_KEY)
    prefix = unique("idx")
    with prepared_topic(kafka_bootstrap, 5) as topic, TlsAuthHttpProxy(es_url, pki, api_key=API_KEY) as proxy:
        started = time.monotonic()
        rc, log, cmdline = run_bounded(
            pipeline_args(kafka_bootstrap, proxy.url, topic, prefix, "--stop_when_idle_s=2",
                          "--metrics_port=0"), tmp_path / "run.log")
        assert rc != 0
        assert time.monotonic() - started < 90
        assert "CERTIFICATE_VERIFY_FAILED" in log, log[-3000:]
        assert proxy.tls_failures >= 1 and proxy.accepted == 0
    assert es_count(es_url, prefix) == 0
    assert API_KEY not in log and API_KEY not in cmdline


def test_wrong_api_key_fails_the_run_with_401(pki, kafka_bootstrap, es_url, tmp_path, monkeypatch):
    """A wrong key gets 401 at template installation; 401 is not retryable (``classify_item``),
    so ``_with_backoff`` re-raises and the run fails with the server's security_exception, rather
    than turning every document into a dead letter or retrying forever."""
    wrong = "wrong-" + API_KEY[::-1]
    monkeypatch.setenv("PANTAU_ES_API_KEY", wrong)
    prefix = unique("idx")
    with prepared_topic(kafka_bootstrap, 5) as topic, TlsAuthHttpProxy(es_url, pki, api_key=API_KEY) as proxy:
        started = time.monotonic()
        rc, log, cmdline = run_bounded(
            pipeline_args(kafka_bootstrap, proxy.url, topic, prefix, "--stop_when_idle_s=2",
                          "--metrics_port=0", f"--es_ca_file={pki.ca}"), tmp_path / "run.log")
        assert rc != 0
        assert time.monotonic() - started < 90
        assert "AuthenticationException(401" in log and "security_exception" in log, log[-3000:]
        assert proxy.refused >= 1 and proxy.accepted == 0
    assert es_count(es_url, prefix) == 0
    for secret in (wrong, API_KEY):
        assert secret not in log and secret not in cmdline
