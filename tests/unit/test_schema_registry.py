"""Writer schemas resolved over HTTP from a Confluent-style Schema Registry endpoint."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastavro
import pytest

import schemas
from tests.factories import POST_V2
from transforms.core.codec import (
    DecodeError,
    SchemaResolver,
    decode_confluent,
    encode_confluent,
    parsed_schema,
)


@pytest.fixture
def registry_url():
    """A loopback HTTP server answering GET /schemas/ids/{id} like a Schema Registry."""
    served = {7001: schemas.schema_by_id(1), 7002: schemas.schema_by_id(2)}
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            calls.append(self.path)
            schema_id = int(self.path.rsplit("/", 1)[-1])
            if schema_id not in served:
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b'{"error_code":40403,"message":"Schema not found"}')
                return
            body = json.dumps({"schema": json.dumps(served[schema_id])}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", calls
    server.shutdown()


def test_registry_ids_resolve_and_are_cached(registry_url):
    url, calls = registry_url
    resolver = SchemaResolver(registry_url=url)
    _, reader = parsed_schema(schemas.RAW_POST_SUBJECT)
    v1 = fastavro.parse_schema(schemas.schema_by_id(1))
    v1_post = {k: v for k, v in POST_V2.items() if k != "title"}
    for _ in range(3):
        post = decode_confluent(encode_confluent(v1_post, v1, 7001), resolver, reader)
        assert post["title"] is None and post["post_id"] == POST_V2["post_id"]
    assert calls == ["/schemas/ids/7001"]


def test_unknown_id_in_registry_is_a_decode_error(registry_url):
    url, _ = registry_url
    with pytest.raises(DecodeError) as e:
        SchemaResolver(registry_url=url).writer_schema(9999)
    assert e.value.kind == "avro_unknown_schema_id"
