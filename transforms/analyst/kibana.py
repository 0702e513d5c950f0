"""Kibana saved objects for pantau, generated from one list of panel specs.

Every panel is defined once, as a small :class:`Panel` spec (buckets, metrics, a filter). From
that spec come BOTH

* the Kibana 8 saved object (a Lens visualization; a Vega visualization for the nested
  ``entities`` field, which Lens cannot aggregate; a Maps object for the geo map), and
* the equivalent Elasticsearch search body (:meth:`Panel.search_body`) plus a flattener of its
  response into table rows (:meth:`Panel.rows`), which the tests run against a real ES-API server
  and which ``pantau report`` uses for the leader brief.

So what an analyst sees in Kibana, what the tests check and what the brief prints are the same
aggregation. Kibana's "auto" date interval and its ``dateFormat:tz`` setting are resolved at
query time in Kibana; the search body takes them as arguments (``interval``, ``time_zone``;
default daily buckets in WIB, ``+07:00``; Indonesia has no daylight saving time).

Commands::

    pantau kibana-export [--out deploy/kibana/pantau.ndjson] [--check]
    pantau kibana-import --kibana_url https://kibana:5601 [--space S] [--kibana_ca_file ca.pem]

``kibana-import`` POSTs the NDJSON to ``/api/saved_objects/_import?overwrite=true`` (multipart,
with the ``kbn-xsrf`` header). Credentials come from the environment only:
``PANTAU_KIBANA_API_KEY``, or ``PANTAU_KIBANA_USERNAME`` + ``PANTAU_KIBANA_PASSWORD`` (or their
``*_FILE`` variants).
"""
from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms.io.clients import read_secret

REPO = Path(__file__).resolve().parents[2]
NDJSON_PATH = REPO / "deploy" / "kibana" / "pantau.ndjson"
TIME_ZONE = "+07:00"  # WIB; noida-db ignores named zones such as "Asia/Jakarta", offsets work everywhere
KIBANA_MIGRATION = "8.8.0"

# --------------------------------------------------------------------------------------------
# Data views and the (assumed) mappings of the alert and coordination indices
# --------------------------------------------------------------------------------------------

# The alert monitor (transforms/analyst/monitor.py) owns these indices and their templates
# (schemas/elasticsearch/{alerts,coordination}_template.json); these are the fallbacks used when a
# template is absent. The visualizations reference only issue, kind, window_start, count, ratio,
# negative_share (alerts) and cluster_id, accounts, score, window_start (coordination).
_ASSUMED_ALERTS: dict[str, Any] = {"properties": {
    "issue": {"type": "keyword"}, "kind": {"type": "keyword"},
    "window_start": {"type": "date"}, "window_end": {"type": "date"},
    "count": {"type": "long"}, "baseline": {"type": "float"}, "ratio": {"type": "float"},
    "negative_share": {"type": "float"}, "top_posts": {"type": "keyword"},
    "top_authors": {"type": "keyword"}, "created_at": {"type": "date"}}}
_ASSUMED_COORDINATION: dict[str, Any] = {"properties": {
    "cluster_id": {"type": "keyword"}, "issue": {"type": "keyword"}, "accounts": {"type": "integer"},
    "members": {"type": "keyword"}, "handles": {"type": "keyword"}, "score": {"type": "float"},
    "window_start": {"type": "date"}, "window_end": {"type": "date"}, "sample_texts": {"type": "text"}}}


def _monitor_mapping(name: str, fallback: dict[str, Any]) -> dict[str, Any]:
    path = REPO / "schemas" / "elasticsearch" / f"{name}_template.json"
    if not path.exists():
        return fallback
    body = json.loads(path.read_text(encoding="utf-8"))
    return body.get("mappings") or body.get("template", {}).get("mappings") or fallback


ALERTS_MAPPING = _monitor_mapping("alerts", _ASSUMED_ALERTS)
COORDINATION_MAPPING = _monitor_mapping("coordination", _ASSUMED_COORDINATION)


@dataclass(frozen=True)
class DataView:
    id: str
    title: str          # the index pattern
    name: str
    time_field: str


# Field formatters and labels of the posts data view, for readers: language names and sentiment
# labels in Indonesian instead of raw codes (Kibana's "static lookup" formatter; values it does
# not know are shown as they are).
LANGUAGE_NAMES = {
    "id": "Indonesia", "ms": "Melayu", "en": "Inggris", "jv": "Jawa", "su": "Sunda", "ace": "Aceh",
    "ban": "Bali", "bjn": "Banjar", "bug": "Bugis", "mad": "Madura", "min": "Minangkabau",
    "nij": "Ngaju", "bbc": "Batak Toba", "und": "Tidak diketahui"}
SENTIMENT_LABELS = {"negative": "Negatif", "neutral": "Netral", "positive": "Positif"}
PLATFORM_NAMES = {"x": "X (Twitter)", "twitter": "X (Twitter)", "facebook": "Facebook",
                  "instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube", "news": "Berita daring",
                  "forum": "Forum", "threads": "Threads", "reddit": "Reddit", "linkedin": "LinkedIn",
                  "blog": "Blog", "kaskus": "Kaskus"}
ALERT_KINDS = {"volume_spike": "Lonjakan volume", "negative_surge": "Lonjakan sentimen negatif",
               "coordination": "Dugaan koordinasi"}
FIELD_LOOKUPS: dict[str, dict[str, dict[str, str]]] = {
    "posts": {"language.code": LANGUAGE_NAMES, "language.secondary": LANGUAGE_NAMES,
              "sentiment.label": SENTIMENT_LABELS, "platform": PLATFORM_NAMES},
    "alerts": {"kind": ALERT_KINDS},
}
FIELD_LABELS: dict[str, dict[str, str]] = {
    "posts": {"text": "Unggahan", "author.handle": "Akun", "platform": "Platform",
              "language.code": "Bahasa", "sentiment.label": "Sentimen", "issues": "Isu",
              "created_at": "Waktu", "hashtags": "Tagar", "influence.score": "Skor pengaruh",
              "url": "Tautan"},
    "alerts": {"issue": "Isu", "kind": "Jenis", "headline": "Ringkasan", "window_start": "Mulai"},
}


def field_format_map(view_key: str) -> dict[str, Any]:
    """Kibana ``fieldFormatMap`` of a data view: static lookups from codes to Indonesian names."""
    return {f: {"id": "static_lookup", "params": {
                "lookupEntries": [{"key": k, "value": v} for k, v in table.items()],
                "unknownKeyValue": None}}
            for f, table in FIELD_LOOKUPS.get(view_key, {}).items()}


def field_attrs(view_key: str) -> dict[str, Any]:
    """Kibana ``fieldAttrs`` of a data view: Indonesian column labels."""
    return {f: {"customLabel": label} for f, label in FIELD_LABELS.get(view_key, {}).items()}


DATA_VIEWS: dict[str, DataView] = {
    "posts": DataView("pantau-posts", "pantau-posts*", "pantau: posts", "created_at"),
    "alerts": DataView("pantau-alerts", "pantau-alerts*", "pantau: alerts", "window_start"),
    "coordination": DataView("pantau-coordination", "pantau-coordination*", "pantau: coordination",
                             "window_start"),
}

# --------------------------------------------------------------------------------------------
# Panel specs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """A value column: ``count`` (documents), ``sum``/``max``/``min``/``avg``/``unique_count``."""
    id: str
    op: str
    field: str | None = None
    label: str = ""

    def es(self) -> dict[str, Any] | None:
        if self.op == "count":
            return None  # doc_count
        op = {"unique_count": "cardinality"}.get(self.op, self.op)
        return {op: {"field": self.field}}

    def value(self, bucket: dict[str, Any]) -> Any:
        if self.op == "count":
            return bucket.get("doc_count", 0)
        value = (bucket.get(self.id) or {}).get("value")
        return 0 if value is None and self.op in ("sum", "unique_count") else value


@dataclass(frozen=True)
class Bucket:
    """A split: ``terms`` (order by count, or by a metric id) or ``date_histogram``.

    ``nested`` names the nested path of the field (``entities``): the aggregation is wrapped in a
    ``nested`` aggregation and counts are of nested objects (mentions), not of posts.
    """
    id: str
    op: str
    field: str
    size: int = 10
    order_by: str | None = None
    nested: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    description: str
    view: str                          # key of DATA_VIEWS
    chart: str                         # line | bar_stacked | bar_percentage_stacked | bar_horizontal
    #                                    | donut | table | metric | vega_bar | map
    buckets: tuple[Bucket, ...] = ()   # outermost first (a breakdown before the x axis)
    metrics: tuple[Metric, ...] = ()
    kql: str = ""                      # the panel's own query in Kibana ...
    es_filter: dict[str, Any] | None = None  # ... and the same as Elasticsearch query DSL
    bounds: tuple[float, float, float, float] | None = None  # map: top, left, bottom, right
    hits_fields: tuple[str, ...] = ()  # map: tooltip fields
    hits_sort: str | None = None       # map: sort field (desc)
    hits_size: int = 1000              # map: documents layer limit
    geo_field: str = "location"        # map: geo_point field of the layer
    scaling: str = "LIMIT"             # map: LIMIT (documents) or CLUSTERS (geotile clusters when many)

    @property
    def data_view(self) -> DataView:
        return DATA_VIEWS[self.view]

    @property
    def saved_type(self) -> str:
        return {"vega_bar": "visualization", "map": "map"}.get(self.chart, "lens")

    # ---- Elasticsearch ---------------------------------------------------------------------

    def query(self, time_range: tuple[int, int] | None = None,
              filters: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        """The panel's query: its own filter, the time range [start, end) in epoch ms, extras."""
        clauses: list[dict[str, Any]] = []
        if time_range is not None:
            clauses.append({"range": {self.data_view.time_field: {
                "gte": int(time_range[0]), "lt": int(time_range[1]), "format": "epoch_millis"}}})
        if self.es_filter:
            clauses.append(self.es_filter)
        if self.chart == "map" and self.bounds:
            top, left, bottom, right = self.bounds
            clauses.append({"geo_bounding_box": {self.geo_field: {
                "top_left": {"lat": top, "lon": left}, "bottom_right": {"lat": bottom, "lon": right}}}})
        clauses.extend(filters)
        return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}

    def aggs(self, interval: str = "1d", time_zone: str = TIME_ZONE,
             extended_bounds: tuple[int, int] | None = None, size_factor: int = 1) -> dict[str, Any]:
        """The aggregation tree: buckets nested outermost first, metrics in the innermost."""
        inner: dict[str, Any] = {}
        for metric in self.metrics:
            body = metric.es()
            if body is not None:
                inner[metric.id] = body
        for bucket in reversed(self.buckets):
            if bucket.op == "date_histogram":
                kind = "calendar_interval" if re.fullmatch(r"1[mhdwMqy]", interval) else "fixed_interval"
                agg: dict[str, Any] = {"date_histogram": {"field": bucket.field, kind: interval,
                                                          "time_zone": time_zone, "min_doc_count": 0}}
                if extended_bounds is not None:
                    agg["date_histogram"]["extended_bounds"] = {"min": int(extended_bounds[0]),
                                                                "max": int(extended_bounds[1]) - 1}
            elif bucket.op == "terms":
                order = {bucket.order_by: "desc"} if bucket.order_by else {"_count": "desc"}
                agg = {"terms": {"field": bucket.field, "size": bucket.size * size_factor, "order": order}}
            else:  # pragma: no cover - specs are static
                raise ValueError(bucket.op)
            if inner:
                agg["aggs"] = inner
            if bucket.nested:
                agg = {"nested": {"path": bucket.nested}, "aggs": {bucket.id: agg}}
                inner = {f"{bucket.id}_nested": agg}
            else:
                inner = {bucket.id: agg}
        return inner

    def search_body(self, time_range: tuple[int, int] | None = None,
                    filters: Iterable[dict[str, Any]] = (), interval: str = "1d",
                    time_zone: str = TIME_ZONE, extended_bounds: tuple[int, int] | None = None,
                    size_factor: int = 1) -> dict[str, Any]:
        """The search Kibana runs for this panel (time range and extra filters applied).

        ``size_factor`` asks terms for more buckets than shown (the caller trims); ``pantau report``
        uses it so that a server which ignores ``order`` by a metric still yields the true top.
        """
        if self.chart == "map":
            sort = [{self.hits_sort: {"order": "desc", "unmapped_type": "float"}}] if self.hits_sort else []
            return {"size": self.hits_size, "track_total_hits": True, "sort": sort,
                    "_source": [self.geo_field, *self.hits_fields],
                    "query": self.query(time_range, filters)}
        return {"size": 0, "track_total_hits": True, "query": self.query(time_range, filters),
                "aggs": self.aggs(interval, time_zone, extended_bounds, size_factor)}

    def rows(self, response: dict[str, Any]) -> list[dict[str, Any]]:
        """The response as table rows ``{bucket id: key, metric id: value}``, like Lens's table.

        Terms buckets ordered by a metric are re-sorted by it (stable, then by key) so that the
        order does not depend on the server; on Elasticsearch this is a no-op.
        """
        if self.chart == "map":
            return [dict(h.get("_source") or {}, _id=h.get("_id")) for h in response["hits"]["hits"]]
        if not self.buckets:
            total = response["hits"]["total"]
            row = {"doc_count": total["value"] if isinstance(total, dict) else total}
            aggs = response.get("aggregations") or {}
            return [{m.id: m.value(dict(aggs, doc_count=row["doc_count"])) for m in self.metrics}]
        out: list[dict[str, Any]] = []

        def walk(node: dict[str, Any], depth: int, prefix: dict[str, Any]) -> None:
            bucket = self.buckets[depth]
            holder = node[f"{bucket.id}_nested"] if bucket.nested else node
            buckets = list(holder[bucket.id]["buckets"])
            if bucket.op == "terms":
                if bucket.order_by:
                    metric = next(m for m in self.metrics if m.id == bucket.order_by)
                    buckets.sort(key=lambda b: (-(metric.value(b) or 0), str(b["key"])))
                buckets = buckets[:bucket.size]
            for b in buckets:
                row = dict(prefix, **{bucket.id: b["key"]})
                if depth + 1 < len(self.buckets):
                    walk(b, depth + 1, row)
                else:
                    out.append(dict(row, **{m.id: m.value(b) for m in self.metrics}))

        walk(response.get("aggregations") or {}, 0, {})
        return out

    def fields(self) -> set[str]:
        """Every field of the data view this panel uses."""
        out = {b.field for b in self.buckets} | {m.field for m in self.metrics if m.field}
        out |= set(self.hits_fields) | ({self.hits_sort} if self.hits_sort else set())
        if self.chart == "map":
            out.add(self.geo_field)
        return out

    # ---- Kibana ----------------------------------------------------------------------------

    def saved_object(self) -> dict[str, Any]:
        if self.chart == "vega_bar":
            return self._vega_object()
        if self.chart == "map":
            return self._map_object()
        return self._lens_object()

    def _count_id(self) -> str:
        return next(m.id for m in self.metrics if m.op == "count")

    def _lens_columns(self) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for b in self.buckets:
            if b.nested:
                raise ValueError(f"{self.id}: Lens cannot aggregate nested fields")
            if b.op == "date_histogram":
                columns[b.id] = {"label": b.label or b.field, "customLabel": bool(b.label),
                                 "dataType": "date", "operationType": "date_histogram",
                                 "sourceField": b.field, "isBucketed": True, "scale": "interval",
                                 "params": {"interval": "auto", "includeEmptyRows": True,
                                            "dropPartials": False}}
            else:
                columns[b.id] = {"label": b.label or b.field, "customLabel": bool(b.label),
                                 "dataType": "string", "operationType": "terms", "sourceField": b.field,
                                 "isBucketed": True, "scale": "ordinal",
                                 "params": {"size": b.size,
                                            "orderBy": {"type": "column",
                                                        "columnId": b.order_by or self._count_id()},
                                            "orderDirection": "desc", "otherBucket": False,
                                            "missingBucket": False, "parentFormat": {"id": "terms"},
                                            "include": [], "exclude": [], "includeIsRegex": False,
                                            "excludeIsRegex": False}}
        for m in self.metrics:
            columns[m.id] = {"label": m.label or m.op, "customLabel": bool(m.label), "dataType": "number",
                             "operationType": m.op, "isBucketed": False, "scale": "ratio",
                             "sourceField": m.field if m.field else "___records___",
                             "params": {"emptyAsNull": m.op != "count"}}
        return columns

    def _lens_visualization(self) -> tuple[str, dict[str, Any]]:
        layer = "layer1"
        bucket_ids = [b.id for b in self.buckets]
        metric_ids = [m.id for m in self.metrics]
        if self.chart in ("line", "bar_stacked", "bar_percentage_stacked", "bar_horizontal"):
            data_layer: dict[str, Any] = {"layerId": layer, "layerType": "data", "seriesType": self.chart,
                                          "accessors": metric_ids, "xAccessor": bucket_ids[-1]}
            if len(bucket_ids) == 2:
                data_layer["splitAccessor"] = bucket_ids[0]
            return "lnsXY", {"preferredSeriesType": self.chart, "layers": [data_layer],
                             "legend": {"isVisible": len(bucket_ids) == 2, "position": "right"},
                             "valueLabels": "hide", "fittingFunction": "Linear",
                             "axisTitlesVisibilitySettings": {"x": False, "yLeft": True, "yRight": True}}
        if self.chart == "donut":
            return "lnsPie", {"shape": "donut", "layers": [{
                "layerId": layer, "layerType": "data", "primaryGroups": bucket_ids, "metrics": metric_ids,
                "numberDisplay": "percent", "categoryDisplay": "default", "legendDisplay": "default",
                "nestedLegend": False}]}
        if self.chart == "table":
            return "lnsDatatable", {"layerId": layer, "layerType": "data",
                                    "columns": [{"columnId": c} for c in bucket_ids + metric_ids]}
        if self.chart == "metric":
            return "lnsMetric", {"layerId": layer, "layerType": "data", "metricAccessor": metric_ids[0]}
        raise ValueError(self.chart)  # pragma: no cover

    def _lens_object(self) -> dict[str, Any]:
        columns = self._lens_columns()
        vis_type, visualization = self._lens_visualization()
        state = {
            "visualization": visualization,
            "query": {"query": self.kql, "language": "kuery"},
            "filters": [],
            "datasourceStates": {"formBased": {"layers": {"layer1": {
                "columns": columns, "columnOrder": list(columns), "incompleteColumns": {},
                "sampling": 1}}}},
            "internalReferences": [], "adHocDataViews": {},
        }
        return saved_object("lens", self.id, {
            "title": self.title, "description": self.description, "visualizationType": vis_type,
            "state": state}, [{"type": "index-pattern", "id": self.data_view.id,
                               "name": "indexpattern-datasource-layer-layer1"}], "8.9.0")

    def _vega_object(self) -> dict[str, Any]:
        """Vega-Lite bar chart whose data is this panel's own aggregation (Kibana adds the
        dashboard's time range and query through ``%context%``)."""
        bucket, metric = self.buckets[0], self.metrics[0]
        path = ["aggregations"] + ([f"{bucket.id}_nested"] if bucket.nested else []) + [bucket.id, "buckets"]
        body = {"size": 0, "aggs": self.aggs()}
        spec = {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "title": self.title,
            "data": {"url": {"%context%": True, "%timefield%": self.data_view.time_field,
                             "index": self.data_view.title, "body": body},
                     "format": {"property": ".".join(path)}},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "key", "type": "nominal", "sort": "-x", "title": bucket.label or None},
                "x": {"field": "doc_count" if metric.op == "count" else f"{metric.id}.value",
                      "type": "quantitative", "title": metric.label or None}},
        }
        vis_state = {"title": self.title, "type": "vega", "aggs": [],
                     "params": {"spec": json.dumps(spec, indent=2, ensure_ascii=False)}}
        return saved_object("visualization", self.id, {
            "title": self.title, "description": self.description, "version": 1,
            "visState": json.dumps(vis_state, ensure_ascii=False), "uiStateJSON": "{}",
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []})}}, [], "8.5.0")

    def _map_object(self) -> dict[str, Any]:
        top, left, bottom, right = self.bounds or (6.5, 94.5, -11.5, 141.5)
        layers = [
            {"id": "basemap", "type": "EMS_VECTOR_TILE", "label": None, "visible": True, "alpha": 1,
             "minZoom": 0, "maxZoom": 24, "includeInFitToBounds": True,
             "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True,
                                  "lightModeDefault": "road_map_desaturated"},
             "style": {"type": "EMS_VECTOR_TILE", "color": ""}},
            {"id": "posts", "type": "GEOJSON_VECTOR", "label": self.title, "visible": True, "alpha": 0.8,
             "minZoom": 0, "maxZoom": 24, "includeInFitToBounds": True, "joins": [],
             "sourceDescriptor": {
                 "type": "ES_SEARCH", "id": f"{self.id}-source", "geoField": self.geo_field,
                 "indexPatternRefName": "layer_1_source_index_pattern", "scalingType": self.scaling,
                 "filterByMapBounds": True, "tooltipProperties": list(self.hits_fields),
                 "sortField": self.hits_sort or "", "sortOrder": "desc", "topHitsSplitField": "",
                 "topHitsSize": 1, "applyGlobalQuery": True, "applyGlobalTime": True,
                 "applyForceRefresh": True},
             "style": {"type": "VECTOR", "isTimeAware": True, "properties": {
                 "icon": {"type": "STATIC", "options": {"value": "marker"}},
                 "fillColor": {"type": "DYNAMIC", "options": {
                     "field": {"name": "sentiment.label", "origin": "source"}, "type": "CATEGORICAL",
                     "useCustomColorPalette": True, "customColorPalette": [
                         {"stop": None, "color": "#98A2B3"}, {"stop": "negative", "color": "#E7664C"},
                         {"stop": "neutral", "color": "#D6BF57"}, {"stop": "positive", "color": "#54B399"}]}},
                 "lineColor": {"type": "STATIC", "options": {"color": "#FFFFFF"}},
                 "lineWidth": {"type": "STATIC", "options": {"size": 1}},
                 "iconSize": {"type": "STATIC", "options": {"size": 6}},
                 "iconOrientation": {"type": "STATIC", "options": {"orientation": 0}},
                 "symbolizeAs": {"options": {"value": "circle"}},
                 "labelText": {"type": "STATIC", "options": {"value": ""}}}}},
        ]
        map_state = {"zoom": 4, "center": {"lat": (top + bottom) / 2, "lon": (left + right) / 2},
                     "timeFilters": {"from": "now-7d", "to": "now"},
                     "refreshConfig": {"isPaused": True, "interval": 0},
                     "query": {"query": self.kql, "language": "kuery"}, "filters": [],
                     "settings": {"autoFitToDataBounds": False, "initialLocation": "LAST_SAVED_LOCATION",
                                  "fixedLocation": {"lat": 0, "lon": 0, "zoom": 2},
                                  "browserLocation": {"zoom": 2}, "maxZoom": 24, "minZoom": 0,
                                  "showSpatialFilters": True, "showTimesliderToggleButton": True,
                                  "spatialFiltersAlpa": 0.3, "spatialFiltersFillColor": "#DA8B45",
                                  "spatialFiltersLineColor": "#DA8B45"}}
        return saved_object("map", self.id, {
            "title": self.title, "description": self.description,
            "layerListJSON": json.dumps(layers, ensure_ascii=False),
            "mapStateJSON": json.dumps(map_state, ensure_ascii=False),
            "uiStateJSON": json.dumps({"isLayerTOCOpen": True, "openTOCDetails": []})},
            [{"type": "index-pattern", "id": self.data_view.id, "name": "layer_1_source_index_pattern"}],
            "8.4.0")


COUNT = Metric("posts", "count", label="Jumlah unggahan")
DAY = Bucket("time", "date_histogram", "created_at", label="Waktu")

PANELS: tuple[Panel, ...] = (
    Panel("pantau-lens-volume-by-issue", "Volume per isu",
          "Posts over time, one line per watchlist issue (issues).", "posts", "line",
          (Bucket("issue", "terms", "issues", size=10, label="Isu"), DAY), (COUNT,)),
    Panel("pantau-lens-sentiment-trend", "Tren sentimen",
          "Share of negative / neutral / positive posts over time (sentiment.label).", "posts",
          "bar_percentage_stacked",
          (Bucket("sentiment", "terms", "sentiment.label", size=3, label="Sentimen"), DAY), (COUNT,)),
    Panel("pantau-lens-share-of-voice", "Share of voice antar isu",
          "Share of posts per watchlist issue in the selected period.", "posts", "donut",
          (Bucket("issue", "terms", "issues", size=10, label="Isu"),), (COUNT,)),
    Panel("pantau-lens-top-hashtags", "Tagar teratas", "Most used hashtags.", "posts", "bar_horizontal",
          (Bucket("hashtag", "terms", "hashtags", size=15, label="Tagar"),), (COUNT,)),
    Panel("pantau-vega-top-entities", "Entitas teratas",
          "Most mentioned entities (people, organisations, places) by canonical name. Vega, because "
          "Lens cannot aggregate the nested entities field; counts are mentions.", "posts", "vega_bar",
          (Bucket("entity", "terms", "entities.canonical", size=15, nested="entities", label="Entitas"),),
          (Metric("mentions", "count", label="Jumlah sebutan"),)),
    Panel("pantau-lens-kol-table", "KOL: akun paling berpengaruh",
          "Authors ranked by the sum of the influence score of their posts. Filter by issue with the "
          "dashboard's issue control or the query bar (issues : \"...\").", "posts", "table",
          (Bucket("handle", "terms", "author.handle", size=20, order_by="influence", label="Akun"),),
          (Metric("influence", "sum", "influence.score", "Skor pengaruh"), COUNT,
           Metric("reach", "sum", "influence.reach", "Jangkauan"),
           Metric("followers", "max", "author.followers", "Pengikut"))),
    Panel("pantau-lens-language-mix", "Komposisi bahasa", "Posts per detected language (language.code).",
          "posts", "donut", (Bucket("language", "terms", "language.code", size=10, label="Bahasa"),), (COUNT,)),
    Panel("pantau-lens-unique-authors", "Akun unik", "Distinct authors in the selected period.", "posts",
          "metric", (), (Metric("authors", "unique_count", "author.id", "Akun unik"),)),
    Panel("pantau-map-posts", "Peta unggahan",
          "Geotagged posts (location), coloured by sentiment; most influential first.", "posts", "map",
          bounds=(6.5, 94.5, -11.5, 141.5),
          hits_fields=("author.handle", "text", "issues", "sentiment.label", "geo.place", "created_at"),
          hits_sort="influence.score", hits_size=1000),
    Panel("pantau-map-places-mentioned", "Peta tempat yang disebut",
          "Posts by the places they mention (LOC entities of the gazetteer placed at the estimated "
          "point of their province, regency or city: mention_location, places_mentioned.name); "
          "clustered where posts are many, coloured by sentiment.", "posts", "map",
          bounds=(6.5, 94.5, -11.5, 141.5), geo_field="mention_location", scaling="CLUSTERS",
          hits_fields=("author.handle", "text", "places_mentioned.name", "issues", "sentiment.label",
                       "created_at"),
          hits_sort="influence.score", hits_size=1000),
    Panel("pantau-lens-top-places", "Tempat paling disebut",
          "Provinces, regencies and cities mentioned in the most posts (places_mentioned.name).", "posts",
          "bar_horizontal", (Bucket("place", "terms", "places_mentioned.name", size=15, label="Tempat"),),
          (COUNT,)),
    Panel("pantau-lens-coordinated-posts", "Klaster unggahan terkoordinasi",
          "Near-duplicate clusters of posts flagged as coordinated (coordination.score > 0).", "posts",
          "table", (Bucket("cluster", "terms", "near_dup.cluster", size=20, order_by="coord_score",
                           label="Klaster"),),
          (Metric("coord_score", "max", "coordination.score", "Skor koordinasi"), COUNT,
           Metric("accounts", "unique_count", "author.id", "Akun")),
          kql="coordination.score > 0", es_filter={"range": {"coordination.score": {"gt": 0}}}),
    Panel("pantau-lens-alerts-over-time", "Peringatan per jenis",
          "Alerts of the monitor over time, by kind (volume_spike, negative_surge, coordination).",
          "alerts", "bar_stacked",
          (Bucket("kind", "terms", "kind", size=5, label="Jenis"),
           Bucket("time", "date_histogram", "window_start", label="Waktu")),
          (Metric("alerts", "count", label="Peringatan"),)),
    Panel("pantau-lens-alerts-table", "Peringatan per isu",
          "Alerts per issue and kind with the largest ratio to baseline and negative share.", "alerts",
          "table", (Bucket("issue", "terms", "issue", size=20, label="Isu"),
                    Bucket("kind", "terms", "kind", size=5, label="Jenis")),
          (Metric("alerts", "count", label="Peringatan"), Metric("max_ratio", "max", "ratio", "Rasio maks"),
           Metric("max_negative", "max", "negative_share", "Porsi negatif maks"))),
    Panel("pantau-lens-coordination-clusters", "Klaster koordinasi",
          "Coordination clusters found by the monitor: accounts and score.", "coordination", "table",
          (Bucket("cluster", "terms", "cluster_id", size=20, order_by="score", label="Klaster"),),
          (Metric("score", "max", "score", "Skor"), Metric("accounts", "max", "accounts", "Akun"),
           Metric("windows", "count", label="Jendela"))),
)
PANELS_BY_ID = {p.id: p for p in PANELS}


@dataclass(frozen=True)
class SavedSearch:
    """A Discover saved search: a list of documents with chosen columns (placed on dashboards)."""
    id: str
    title: str
    description: str
    view: str
    columns: tuple[str, ...]
    sort: tuple[tuple[str, str], ...]
    kql: str = ""
    saved_type: str = "search"

    @property
    def data_view(self) -> DataView:
        return DATA_VIEWS[self.view]

    def saved_object(self) -> dict[str, Any]:
        source = {"query": {"query": self.kql, "language": "kuery"}, "filter": [],
                  "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
        return saved_object("search", self.id, {
            "title": self.title, "description": self.description, "columns": list(self.columns),
            "sort": [list(s) for s in self.sort], "grid": {}, "hideChart": False,
            "isTextBasedQuery": False,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, ensure_ascii=False)}},
            [{"type": "index-pattern", "id": self.data_view.id,
              "name": "kibanaSavedObjectMeta.searchSourceJSON.index"}], "8.0.0")

    def search_body(self, size: int = 50) -> dict[str, Any]:
        """The same list as an Elasticsearch search (newest first, the columns as _source)."""
        return {"size": size, "query": {"match_all": {}}, "_source": [*self.columns, *(f for f, _ in self.sort)],
                "sort": [{f: {"order": o}} for f, o in self.sort]}


SEARCHES: tuple[SavedSearch, ...] = (
    SavedSearch("pantau-search-posts", "Unggahan",
                "The posts themselves, newest first: text, account, platform, language, sentiment "
                "and issues. Filter with the dashboard's controls or the query bar.", "posts",
                ("text", "author.handle", "platform", "language.code", "sentiment.label", "issues"),
                (("created_at", "desc"),)),
)
SEARCHES_BY_ID = {s.id: s for s in SEARCHES}


def panel(short: str) -> Panel:
    """A panel by id or by its short name (``kol-table`` for ``pantau-lens-kol-table``)."""
    for p in PANELS:
        if p.id == short or p.id.split("-", 2)[2] == short:
            return p
    raise KeyError(short)


# --------------------------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    id: str
    title: str
    description: str
    panels: tuple[tuple[str, int, int, int, int], ...]  # panel id, x, y, w, h (48-column grid)
    controls: tuple[tuple[str, str, str], ...] = ()    # data view key, field, title
    time_from: str = "now-7d"


DASHBOARDS: tuple[Dashboard, ...] = (
    Dashboard("pantau-dashboard-overview", "pantau: Ringkasan isu",
              "Volume, sentiment, share of voice, KOLs, hashtags, entities, languages, the map of places "
              "mentioned and the map of geotagged posts. "
              "Choose issues with the control at the top.",
              (("pantau-lens-unique-authors", 0, 0, 12, 8), ("pantau-lens-share-of-voice", 12, 0, 12, 16),
               ("pantau-lens-language-mix", 24, 0, 12, 16), ("pantau-lens-top-hashtags", 36, 0, 12, 16),
               ("pantau-lens-volume-by-issue", 0, 16, 24, 14), ("pantau-lens-sentiment-trend", 24, 16, 24, 14),
               ("pantau-lens-kol-table", 0, 30, 24, 18), ("pantau-vega-top-entities", 24, 30, 24, 18),
               ("pantau-map-places-mentioned", 0, 48, 32, 22), ("pantau-lens-top-places", 32, 48, 16, 22),
               ("pantau-map-posts", 0, 70, 48, 20), ("pantau-search-posts", 0, 90, 48, 20)),
              controls=(("posts", "issues", "Isu"), ("posts", "platform", "Platform"))),
    Dashboard("pantau-dashboard-alerts", "pantau: Peringatan & koordinasi",
              "Alerts from the monitor (volume spikes, negative surges, coordination) and coordinated "
              "clusters of near-duplicate posts.",
              (("pantau-lens-alerts-over-time", 0, 0, 24, 14), ("pantau-lens-alerts-table", 24, 0, 24, 14),
               ("pantau-lens-coordination-clusters", 0, 14, 24, 16),
               ("pantau-lens-coordinated-posts", 24, 14, 24, 16), ("pantau-search-posts", 0, 30, 48, 18)),
              controls=(("alerts", "issue", "Isu"),)),
)


def dashboard_object(d: Dashboard) -> dict[str, Any]:
    panels, references = [], []
    for i, (panel_id, x, y, w, h) in enumerate(d.panels):
        p, index = PANELS_BY_ID.get(panel_id) or SEARCHES_BY_ID[panel_id], f"p{i}"
        panels.append({"type": p.saved_type, "panelIndex": index, "panelRefName": f"panel_{index}",
                       "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                       "embeddableConfig": {"enhancements": {}}, "version": "8.8.0"})
        references.append({"type": p.saved_type, "id": p.id, "name": f"{index}:panel_{index}"})
    attributes: dict[str, Any] = {
        "title": d.title, "description": d.description, "version": 1,
        "panelsJSON": json.dumps(panels, ensure_ascii=False),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": True, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": d.time_from, "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 60000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
            {"query": {"query": "", "language": "kuery"}, "filter": []})},
    }
    if d.controls:
        controls = {}
        for order, (view, field_name, title) in enumerate(d.controls):
            cid = f"control-{field_name.replace('.', '-')}"
            controls[cid] = {"order": order, "width": "medium", "grow": True, "type": "optionsListControl",
                             "explicitInput": {"id": cid, "fieldName": field_name, "title": title,
                                               "dataViewId": DATA_VIEWS[view].id, "selectedOptions": [],
                                               "searchTechnique": "prefix", "enhancements": {}}}
            references.append({"type": "index-pattern", "id": DATA_VIEWS[view].id,
                               "name": f"controlGroup_{cid}:optionsListDataView"})
        attributes["controlGroupInput"] = {
            "controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL",
            "panelsJSON": json.dumps(controls, ensure_ascii=False),
            "ignoreParentSettingsJSON": json.dumps({"ignoreFilters": False, "ignoreQuery": False,
                                                    "ignoreTimerange": False, "ignoreValidations": False})}
    return saved_object("dashboard", d.id, attributes, references, "8.9.0")


def data_view_object(view: DataView) -> dict[str, Any]:
    key = next(k for k, v in DATA_VIEWS.items() if v == view)
    return saved_object("index-pattern", view.id, {
        "title": view.title, "name": view.name, "timeFieldName": view.time_field,
        "allowNoIndex": True, "fieldFormatMap": json.dumps(field_format_map(key), ensure_ascii=False),
        "runtimeFieldMap": "{}", "sourceFilters": "[]",
        "fieldAttrs": json.dumps(field_attrs(key), ensure_ascii=False)}, [], "8.0.0")


def saved_object(kind: str, object_id: str, attributes: dict[str, Any],
                 references: list[dict[str, Any]], type_version: str) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "attributes": attributes, "references": references,
            "coreMigrationVersion": KIBANA_MIGRATION, "typeMigrationVersion": type_version,
            "managed": False}


def saved_objects() -> list[dict[str, Any]]:
    """Every saved object, data views first, dashboards last (the order of an export)."""
    return ([data_view_object(v) for v in DATA_VIEWS.values()] + [p.saved_object() for p in PANELS]
            + [s.saved_object() for s in SEARCHES] + [dashboard_object(d) for d in DASHBOARDS])


def ndjson() -> str:
    """The NDJSON file content (deterministic: sorted keys, one object per line)."""
    return "".join(json.dumps(o, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for o in saved_objects())


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def kibana_auth_header() -> str | None:
    """``Authorization`` header from PANTAU_KIBANA_API_KEY or PANTAU_KIBANA_USERNAME/PASSWORD."""
    api_key = read_secret("PANTAU_KIBANA_API_KEY")
    if api_key:
        return f"ApiKey {api_key}"
    user, password = read_secret("PANTAU_KIBANA_USERNAME"), read_secret("PANTAU_KIBANA_PASSWORD")
    if user and password:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return None


def import_url(kibana_url: str, space: str | None) -> str:
    base = kibana_url.rstrip("/")
    if space and space != "default":
        base += f"/s/{urllib.parse.quote(space, safe='')}"
    return base + "/api/saved_objects/_import?overwrite=true"


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one ``file`` part; returns (body, content type)."""
    boundary = f"pantau-{uuid.uuid4().hex}"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/ndjson\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
