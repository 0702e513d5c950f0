"""The Schema Registry client against a secured registry: TLS with a private CA, basic auth,
bearer token, mutual TLS. No registry implementation installs here (Confluent's and Apicurio's
are Java, Karapace is not in the package lists), so the peer is a real HTTPS server written here
for the one endpoint pantau calls, ``GET /schemas/ids/{id}``, answering like Confluent's
(``{"schema": "<json>"}``, 401 without valid credentials, 404 with error_code 40403)."""
from __future__ import annotations

import base64
import json
import pickle
import ssl
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastavro
import pytest

import schemas
from pipelines.options import PantauOptions, pipeline_options, schema_registry_tls
from tests.factories import POST_V2
from tests.integration.tls_proxy import make_pki
from transforms.core.codec import SchemaResolver, encode_confluent
from transforms.io.clients import registry_fetcher
from transforms.io.kafka_source import KafkaRecord
from transforms.stages.decode import DecodePostFn

USER, PASSWORD, TOKEN = "pantau-reader", "registry-pw-7f3a", "tok-91c2e"
SCHEMA_ID = 7001


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("registry-pki"))


def start_registry(pki, require_client_cert: bool):
    """An HTTPS registry on a free loopback port; returns (url, seen Authorization headers, stop)."""
    seen: list[str | None] = []
    valid = {"Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(), f"Bearer {TOKEN}"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            auth = self.headers.get("Authorization")
            seen.append(auth)
            if auth not in valid:
                return self.answer(401, {"error_code": 401, "message": "Unauthorized"})
            prefix = "/schemas/ids/"
            if not self.path.startswith(prefix) or int(self.path[len(prefix):]) != SCHEMA_ID:
                return self.answer(404, {"error_code": 40403, "message": "Schema not found"})
            self.answer(200, {"schema": json.dumps(schemas.schema_by_id(1))})

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert, pki.key)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki.ca)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"https://127.0.0.1:{server.server_port}", seen, server.shutdown


@pytest.fixture
def registry(pki):
    url, seen, stop = start_registry(pki, require_client_cert=False)
    yield url, seen
    stop()


@pytest.fixture
def mtls_registry(pki):
    url, seen, stop = start_registry(pki, require_client_cert=True)
    yield url, seen
    stop()


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("TOKEN", "USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"PANTAU_SCHEMA_REGISTRY_{name}", raising=False)
        monkeypatch.delenv(f"PANTAU_SCHEMA_REGISTRY_{name}_FILE", raising=False)
    return monkeypatch


def test_basic_auth_over_tls_with_a_private_ca(registry, pki, clean_env):
    url, seen = registry
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_USERNAME", USER)
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_PASSWORD", PASSWORD)
    resolver = SchemaResolver(registry_url=url, fetch=registry_fetcher((("ca_file", pki.ca),)))
    assert resolver.writer_schema(SCHEMA_ID)["name"].endswith("RawPost")
    assert seen == ["Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()]


def test_bearer_token_from_a_file(registry, pki, clean_env, tmp_path):
    url, seen = registry
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_TOKEN_FILE", str(token_file))
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_USERNAME", USER)  # the token wins
    resolver = SchemaResolver(registry_url=url, fetch=registry_fetcher((("ca_file", pki.ca),)))
    assert resolver.writer_schema(SCHEMA_ID)
    assert seen == [f"Bearer {TOKEN}"]


def test_refused_credentials_are_waited_for_not_dead_lettered(registry, pki, clean_env):
    url, seen = registry
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_USERNAME", USER)
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_PASSWORD", "wrong")
    resolver = SchemaResolver(registry_url=url, fetch=registry_fetcher((("ca_file", pki.ca),)))
    with pytest.raises(RuntimeError, match="unreachable.*401"):
        resolver._lookup_registry(SCHEMA_ID, max_wait_s=1.0)
    assert len(seen) >= 2  # retried


def test_without_the_ca_file_the_certificate_is_refused(registry, clean_env):
    url, seen = registry
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        registry_fetcher(())(f"{url}/schemas/ids/{SCHEMA_ID}")
    assert seen == []


def test_mutual_tls_needs_the_client_certificate(mtls_registry, pki, clean_env):
    url, seen = mtls_registry
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_TOKEN", TOKEN)
    with pytest.raises((urllib.error.URLError, ConnectionError, ssl.SSLError)):
        registry_fetcher((("ca_file", pki.ca),))(f"{url}/schemas/ids/{SCHEMA_ID}")
    tls = (("ca_file", pki.ca), ("cert_file", pki.client_cert), ("key_file", pki.client_key))
    body = json.loads(registry_fetcher(tls)(f"{url}/schemas/ids/{SCHEMA_ID}"))
    assert json.loads(body["schema"])["name"].endswith("RawPost")
    assert seen == [f"Bearer {TOKEN}"]


def test_decode_stage_uses_the_options_and_keeps_secrets_out_of_the_graph(mtls_registry, pki, clean_env):
    url, _ = mtls_registry
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_USERNAME", USER)
    clean_env.setenv("PANTAU_SCHEMA_REGISTRY_PASSWORD", PASSWORD)
    opts = pipeline_options(["--schema_registry_url", url, "--schema_registry_ca_file", pki.ca,
                             "--schema_registry_cert_file", pki.client_cert,
                             "--schema_registry_key_file", pki.client_key]).view_as(PantauOptions)
    fn = DecodePostFn(None, opts.schema_registry_url, 1024 * 1024, schema_registry_tls(opts))
    assert PASSWORD.encode() not in pickle.dumps(fn)
    fn.setup()
    v1 = fastavro.parse_schema(schemas.schema_by_id(1))
    post = {k: v for k, v in POST_V2.items() if k != "title"}
    decoded = fn.apply(KafkaRecord("posts", 0, 5, b"k", encode_confluent(post, v1, SCHEMA_ID), 1764000000000))
    assert decoded.post["post_id"] == POST_V2["post_id"]
