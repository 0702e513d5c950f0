"""``pantau export-posts`` against the real local Elasticsearch peer (ES_URL): the stream text the
sentiment teacher labels (``pantau train --unlabelled``)."""
from __future__ import annotations

import json
import time

import pytest
from elasticsearch import helpers

from pipelines import export as export_cli
from tests.integration.helpers import unique
from tests.integration.test_monitor import post
from transforms.io.es_sink import EsConfig, bulk_action, install_template
from transforms.nlp.training.teacher import stream_texts

pytestmark = pytest.mark.integration
HOUR = 3_600_000


@pytest.fixture
def indexed(es_url):
    prefix = unique("export")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    now = int(time.time() * 1000)
    docs = []
    for i in range(12):  # one an hour back from now; every fourth Javanese
        d = post(f"x:e{i}", now - i * HOUR - 60_000, text=f"jalan rusak lagi di kampung {i}, kapan diperbaiki")
        d["language"] = {"code": "jv" if i % 4 == 0 else "id", "confidence": 0.9, "mixed": False, "secondary": None}
        docs.append(d)
    repost = post("x:e-rt", now - 2 * HOUR, text=docs[1]["text"])
    repost["repost_of"] = "x:e1"
    empty = post("x:e-empty", now - 3 * HOUR, text="")
    empty["language"] = {"code": "und", "confidence": 0.0, "mixed": False, "secondary": None}
    helpers.bulk(client, [bulk_action(d, es) for d in docs + [repost, empty]])
    client.indices.refresh(index=prefix)
    yield es, docs
    client.close()


def test_export_posts_writes_the_period_without_reposts(indexed, tmp_path, capsys):
    es, docs = indexed
    out = tmp_path / "posts.jsonl"
    args = ["--es_url", es.url, "--es_alias", es.alias, "--out", str(out), "--batch_size", "3"]
    assert export_cli.main(args + ["--since", "6h"]) == 0
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    # posts 0..5 were created in the last six hours; the repost and the empty post are left out
    assert [r["doc_id"] for r in rows] == [d["doc_id"] for d in reversed(docs[:6])]
    assert rows[-1] == {"doc_id": "x:e0", "created_at": docs[0]["created_at"], "platform": "x",
                        "text": docs[0]["text"], "language": {"code": "jv"}}
    assert "done: export: " in capsys.readouterr().out

    assert export_cli.main(args + ["--since", "1d", "--languages", "jv"]) == 0
    assert [json.loads(l)["doc_id"] for l in out.read_text().splitlines()] == ["x:e8", "x:e4", "x:e0"]
    assert export_cli.main(args + ["--since", "1d", "--limit", "4"]) == 0
    assert len(out.read_text().splitlines()) == 4

    # what the teacher reads of it: text with the pipeline's language
    assert export_cli.main(args + ["--since", "1d"]) == 0
    items = stream_texts([out])
    assert len(items) == 12 and items[-1] == (docs[0]["text"], "jv")


def test_export_posts_reports_an_unreachable_cluster(tmp_path, capsys):
    assert export_cli.main(["--es_url", "http://127.0.0.1:9", "--out", str(tmp_path / "p.jsonl"),
                            "--since", "1h"]) == 1
    assert "cannot read pantau-posts at http://127.0.0.1:9" in capsys.readouterr().err
