"""The Kibana saved objects (deploy/kibana/pantau.ndjson): valid, consistent, and current."""
from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import schemas
from pipelines.kibana import export_main, import_main
from transforms.analyst.kibana import (
    ALERTS_MAPPING,
    COORDINATION_MAPPING,
    DASHBOARDS,
    DATA_VIEWS,
    NDJSON_PATH,
    PANELS,
    SEARCHES,
    ndjson,
    panel,
    saved_objects,
)


def objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NDJSON_PATH.read_text(encoding="utf-8").splitlines()]


def mapped_fields(mapping: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for name, spec in mapping.get("properties", {}).items():
        out.add(prefix + name)
        out |= mapped_fields(spec, f"{prefix}{name}.")
        for sub in spec.get("fields", {}):
            out.add(f"{prefix}{name}.{sub}")
    return out


FIELDS_BY_PATTERN = {
    DATA_VIEWS["posts"].title: mapped_fields(schemas.index_template()["mappings"]),
    DATA_VIEWS["alerts"].title: mapped_fields(ALERTS_MAPPING),
    DATA_VIEWS["coordination"].title: mapped_fields(COORDINATION_MAPPING),
}
PATTERN_BY_ID = {v.id: v.title for v in DATA_VIEWS.values()}


def referenced_fields(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(index pattern, field) for every field a saved object uses, read from the saved JSON."""
    attrs, refs = obj["attributes"], {r["name"]: r["id"] for r in obj["references"]}
    if obj["type"] == "index-pattern":
        yield attrs["title"], attrs["timeFieldName"]
        for f in [*json.loads(attrs["fieldFormatMap"]), *json.loads(attrs["fieldAttrs"])]:
            yield attrs["title"], f
    elif obj["type"] == "search":
        pattern = PATTERN_BY_ID[refs["kibanaSavedObjectMeta.searchSourceJSON.index"]]
        for f in [*attrs["columns"], *(s[0] for s in attrs["sort"])]:
            yield pattern, f
    elif obj["type"] == "lens":
        for layer_id, layer in attrs["state"]["datasourceStates"]["formBased"]["layers"].items():
            pattern = PATTERN_BY_ID[refs[f"indexpattern-datasource-layer-{layer_id}"]]
            for column in layer["columns"].values():
                if column["sourceField"] != "___records___":
                    yield pattern, column["sourceField"]
    elif obj["type"] == "visualization":
        spec = json.loads(json.loads(attrs["visState"])["params"]["spec"])
        url = spec["data"]["url"]
        yield url["index"], url["%timefield%"]

        def walk(node: Any) -> Iterator[str]:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("field", "path") and isinstance(value, str):
                        yield value
                    yield from walk(value)
            elif isinstance(node, list):
                for value in node:
                    yield from walk(value)
        for f in walk(url["body"]):
            yield url["index"], f
    elif obj["type"] == "map":
        for layer in json.loads(attrs["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" not in source:
                continue
            pattern = PATTERN_BY_ID[refs[source["indexPatternRefName"]]]
            for f in [source["geoField"], source["sortField"], *source["tooltipProperties"]]:
                yield pattern, f
            for prop in layer["style"]["properties"].values():
                if prop.get("type") == "DYNAMIC":
                    yield pattern, prop["options"]["field"]["name"]
    elif obj["type"] == "dashboard" and "controlGroupInput" in attrs:
        for control in json.loads(attrs["controlGroupInput"]["panelsJSON"]).values():
            explicit = control["explicitInput"]
            yield PATTERN_BY_ID[explicit["dataViewId"]], explicit["fieldName"]


def test_committed_ndjson_is_what_the_module_generates():
    assert NDJSON_PATH.read_text(encoding="utf-8") == ndjson(), "run `pantau kibana-export`"
    assert export_main(["--check"]) == 0


def test_export_writes_the_file(tmp_path):
    out = tmp_path / "k.ndjson"
    assert export_main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == ndjson()
    out.write_text("stale\n")
    assert export_main(["--out", str(out), "--check"]) == 1


def test_ndjson_is_valid_saved_objects_with_unique_ids():
    lines = NDJSON_PATH.read_text(encoding="utf-8").splitlines()
    objs = objects()
    assert len(objs) == len(lines) == len(DATA_VIEWS) + len(PANELS) + len(SEARCHES) + len(DASHBOARDS)
    for obj in objs:
        assert set(obj) >= {"type", "id", "attributes", "references", "coreMigrationVersion",
                            "typeMigrationVersion"}
        assert obj["attributes"]["title"]
    ids = [o["id"] for o in objs]
    assert len(ids) == len(set(ids))
    assert {o["type"] for o in objs} == {"index-pattern", "lens", "visualization", "map", "search", "dashboard"}
    patterns = {o["attributes"]["title"]: o["attributes"]["timeFieldName"] for o in objs if o["type"] == "index-pattern"}
    assert patterns == {"pantau-posts*": "created_at", "pantau-alerts*": "window_start",
                        "pantau-coordination*": "window_start"}


def test_every_reference_resolves():
    objs = objects()
    present = {(o["type"], o["id"]) for o in objs}
    for obj in objs:
        names = [r["name"] for r in obj["references"]]
        assert len(names) == len(set(names)), obj["id"]
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, (obj["id"], ref)
    for obj in (o for o in objs if o["type"] == "dashboard"):
        names = {r["name"].split(":", 1)[-1] for r in obj["references"]}
        for p in json.loads(obj["attributes"]["panelsJSON"]):
            assert p["panelRefName"] in names
    for obj in (o for o in objs if o["type"] == "map"):
        names = {r["name"] for r in obj["references"]}
        for layer in json.loads(obj["attributes"]["layerListJSON"]):
            ref = layer["sourceDescriptor"].get("indexPatternRefName")
            assert ref is None or ref in names


def test_every_panel_is_on_a_dashboard():
    on_dashboards = {p for d in DASHBOARDS for p, *_ in d.panels}
    assert on_dashboards == {p.id for p in PANELS} | {s.id for s in SEARCHES}


def test_every_referenced_field_exists_in_the_mappings():
    seen = 0
    for obj in objects():
        for pattern, f in referenced_fields(obj):
            assert f in FIELDS_BY_PATTERN[pattern], f"{obj['id']}: {f} is not mapped in {pattern}"
            seen += 1
    assert seen > 40
    # the entities panel aggregates the nested field through a nested aggregation
    assert schemas.index_template()["mappings"]["properties"]["entities"]["type"] == "nested"


def test_lens_columns_are_consistent():
    for obj in (o for o in objects() if o["type"] == "lens"):
        layers = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        for layer in layers.values():
            columns = layer["columns"]
            order = layer["columnOrder"]
            assert sorted(order) == sorted(columns)
            bucketed = [columns[c]["isBucketed"] for c in order]
            assert bucketed == sorted(bucketed, reverse=True)  # buckets first, then metrics
            for column in columns.values():
                order = column.get("params", {}).get("orderBy", {})
                if order.get("type") == "column":
                    assert order["columnId"] in columns and not columns[order["columnId"]]["isBucketed"]
        vis = obj["attributes"]["state"]["visualization"]
        used = {c["columnId"] for c in vis.get("columns", [])} | {vis.get("metricAccessor")}
        for layer in vis.get("layers", []):
            used |= set(layer.get("accessors", []) + layer.get("metrics", []) + layer.get("primaryGroups", []))
            used |= {layer.get("xAccessor"), layer.get("splitAccessor")}
        all_columns = {c for layer in layers.values() for c in layer["columns"]}
        assert used - {None} <= all_columns and used - {None}, obj["id"]


def test_panel_specs_yield_search_bodies():
    for p in PANELS:
        body = p.search_body((0, 1), filters=[{"term": {"issues": "x"}}])
        assert body["query"]["bool"]["filter"][0]["range"][p.data_view.time_field] == {
            "gte": 0, "lt": 1, "format": "epoch_millis"}
        assert ("aggs" in body) != (p.chart == "map")
    entities = panel("top-entities").search_body()["aggs"]
    assert entities["entity_nested"]["nested"] == {"path": "entities"}


# ---- kibana-import against a fake Kibana -------------------------------------------------------


class FakeKibana:
    """A loopback HTTP server that records requests and answers like Kibana's _import API.

    This is a fake: no Kibana can run in this environment (it needs a JVM-free Node.js distribution
    and an Elasticsearch it trusts), so the test checks the request ``pantau kibana-import`` sends
    (method, path, multipart NDJSON, kbn-xsrf, auth header), not what Kibana does with it.
    """

    def __init__(self, status: int = 200, answer: dict[str, Any] | None = None):
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append({"path": self.path, "headers": self.headers, "body": body})  # case-insensitive
                payload = json.dumps(answer or {"success": True, "successCount": len(saved_objects()),
                                                "successResults": []}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def file_part(request: dict[str, Any]) -> tuple[str, bytes]:
    raw = f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode() + request["body"]
    message = BytesParser(policy=HTTP).parsebytes(raw)
    assert message.is_multipart()
    (part,) = list(message.iter_parts())
    assert part.get_param("name", header="content-disposition") == "file"
    return part.get_filename(), part.get_payload(decode=True)


def test_import_posts_multipart_ndjson_with_xsrf_and_api_key(monkeypatch, capsys):
    monkeypatch.setenv("PANTAU_KIBANA_API_KEY", "c2VjcmV0OmtleQ==")
    monkeypatch.delenv("PANTAU_KIBANA_USERNAME", raising=False)
    with FakeKibana() as fake:
        assert import_main(["--kibana_url", fake.url + "/", "--space", "humas"]) == 0
    (request,) = fake.requests
    assert request["path"] == "/s/humas/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["kbn-xsrf"]
    assert request["headers"]["Authorization"] == "ApiKey c2VjcmV0OmtleQ=="
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    filename, content = file_part(request)
    assert filename.endswith(".ndjson") and content.decode("utf-8") == ndjson()
    assert "imported" in capsys.readouterr().out


def test_import_with_basic_auth_from_files_in_default_space(monkeypatch, tmp_path):
    monkeypatch.delenv("PANTAU_KIBANA_API_KEY", raising=False)
    monkeypatch.delenv("PANTAU_KIBANA_API_KEY_FILE", raising=False)
    (tmp_path / "pw").write_text("rahasia\n")
    monkeypatch.setenv("PANTAU_KIBANA_USERNAME", "analis")
    monkeypatch.setenv("PANTAU_KIBANA_PASSWORD_FILE", str(tmp_path / "pw"))
    with FakeKibana() as fake:
        assert import_main(["--kibana_url", fake.url, "--file", str(NDJSON_PATH)]) == 0
    (request,) = fake.requests
    assert request["path"] == "/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"analis:rahasia").decode()
    assert file_part(request)[1] == NDJSON_PATH.read_bytes()


@pytest.mark.parametrize("status,answer", [
    (200, {"success": False, "successCount": 1, "errors": [{"type": "lens", "id": "x", "error": {"type": "conflict"}}]}),
    (401, {"statusCode": 401, "message": "unauthorized"}),
])
def test_import_reports_failures(monkeypatch, capsys, status, answer):
    monkeypatch.delenv("PANTAU_KIBANA_API_KEY", raising=False)
    monkeypatch.delenv("PANTAU_KIBANA_USERNAME", raising=False)
    with FakeKibana(status, answer) as fake:
        assert import_main(["--kibana_url", fake.url]) == 1
    assert "Authorization" not in fake.requests[0]["headers"]
    assert "kibana-import" in capsys.readouterr().err


def test_saved_search_unggahan_lists_the_posts_on_every_dashboard():
    (search,) = [o for o in objects() if o["type"] == "search"]
    assert search["attributes"]["title"] == "Unggahan"
    assert search["attributes"]["columns"] == ["text", "author.handle", "platform", "language.code",
                                               "sentiment.label", "issues"]
    assert search["attributes"]["sort"] == [["created_at", "desc"]]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["indexRefName"] == search["references"][0]["name"]
    for dashboard in (o for o in objects() if o["type"] == "dashboard"):
        assert any(r["type"] == "search" and r["id"] == search["id"] for r in dashboard["references"])


def test_field_formatters_show_indonesian_names():
    (posts,) = [o for o in objects() if o["type"] == "index-pattern" and o["id"] == "pantau-posts"]
    formats = json.loads(posts["attributes"]["fieldFormatMap"])

    def lookup(f: str) -> dict[str, str]:
        assert formats[f]["id"] == "static_lookup"
        return {e["key"]: e["value"] for e in formats[f]["params"]["lookupEntries"]}
    assert lookup("sentiment.label") == {"negative": "Negatif", "neutral": "Netral", "positive": "Positif"}
    languages = lookup("language.code")
    assert languages["bbc"] == "Batak Toba" and languages["ace"] == "Aceh" and languages["id"] == "Indonesia"
    from transforms.nlp.langid import SUPPORTED
    assert SUPPORTED <= set(languages), "every language the model can return has a name"
    from transforms.core.metrics import KNOWN_PLATFORMS
    assert KNOWN_PLATFORMS <= set(lookup("platform"))
    labels = json.loads(posts["attributes"]["fieldAttrs"])
    assert labels["sentiment.label"] == {"customLabel": "Sentimen"} and labels["issues"]["customLabel"] == "Isu"


def test_map_of_places_mentioned_on_the_overview():
    obj = next(o for o in objects() if o["id"] == "pantau-map-places-mentioned")
    assert obj["type"] == "map"
    layer = next(la for la in json.loads(obj["attributes"]["layerListJSON"]) if la["id"] == "posts")
    source = layer["sourceDescriptor"]
    assert (source["geoField"], source["scalingType"]) == ("mention_location", "CLUSTERS")
    assert "places_mentioned.name" in source["tooltipProperties"]
    mappings = schemas.index_template()["mappings"]["properties"]
    assert mappings["mention_location"]["type"] == "geo_point"
    assert mappings["places_mentioned"]["properties"]["name"]["type"] == "keyword"
    overview = next(o for o in objects() if o["id"] == "pantau-dashboard-overview")
    refs = {r["id"] for r in overview["references"]}
    assert {"pantau-map-places-mentioned", "pantau-lens-top-places"} <= refs
