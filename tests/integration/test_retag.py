"""History for a new issue: ``pantau retag`` and the re-tag after a watchlist reload, against a
real ES-API server (noida-db). Posts are indexed the way the pipeline indexes them (external
version = collected_at); a newer collection written between the re-tag's read and its update
must win (optimistic concurrency with if_seq_no / if_primary_term)."""
from __future__ import annotations

import os
import time
from typing import Any

import pytest
from elasticsearch import helpers

from pipelines import retag as retag_cli
from tests.integration.helpers import unique, wait_for
from tests.integration.test_monitor import post
from transforms.analyst.retag import retag
from transforms.io.es_sink import EsConfig, bulk_action, install_template
from transforms.logic.watchlist import Watchlist, load_watchlist
from transforms.stages.tag import TagPostFn

pytestmark = pytest.mark.integration
DAY = 86_400_000
OLD = "issues:\n  - name: Banjir\n    query: banjir\n"
NEW = OLD + "  - name: Harga Cabai\n    query: cabai OR \"cabe rawit\"\n"


@pytest.fixture
def posts(es_url):
    prefix = unique("retag")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    now = int(time.time() * 1000)
    old = Watchlist.from_yaml(OLD)
    docs = []
    for i in range(30):  # ten days back, three a day; every third about chili prices
        text = (f"harga cabai rawit naik lagi di pasar {i}" if i % 3 == 0 else
                f"banjir di jalan {i}" if i % 3 == 1 else f"cuaca cerah hari ini {i}")
        d = post(f"x:r{i}", now - i * DAY // 3 - 60_000, text=text, author=f"a{i}")
        d["issues"] = old.match_doc(d)  # as the pipeline tagged them with the old watchlist
        docs.append(d)
    helpers.bulk(client, [bulk_action(d, es) for d in docs])
    client.indices.refresh(index=prefix)
    yield es, client, docs, now
    client.close()


def issues_of(client, alias: str) -> dict[str, list[str]]:
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return {h["_id"]: sorted(h["_source"].get("issues") or []) for h in hits}


def test_retag_command_tags_past_posts_idempotently(posts, tmp_path, capsys):
    es, client, docs, now = posts
    watchlist = tmp_path / "issues.yaml"
    watchlist.write_text(NEW)
    args = ["--es_url", es.url, "--es_alias", es.alias, "--watchlist", str(watchlist),
            "--since", "7d", "--batch_size", "4"]
    assert retag_cli.main(args + ["--dry_run"]) == 0
    assert "dry run, nothing written: retag: 21 posts checked, 7 re-tagged" in capsys.readouterr().out
    assert not any("Harga Cabai" in v for v in issues_of(client, es.alias).values())

    assert retag_cli.main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) >= 6 and out[0].startswith("retag: 4 posts checked")  # progress per page
    assert out[-1].startswith("done: retag: 21 posts checked, 7 re-tagged, 0 conflicts retried, "
                              "0 failed; Harga Cabai +7")
    tagged = issues_of(client, es.alias)
    for i, d in enumerate(docs):
        in_range = d["created_at"] >= now - 7 * DAY
        expected = (["Harga Cabai"] if i % 3 == 0 and in_range else []) + (["Banjir"] if i % 3 == 1 else [])
        assert tagged[d["doc_id"]] == sorted(expected), (i, d["text"])

    assert retag_cli.main(args) == 0  # a second run changes nothing
    assert "done: retag: 21 posts checked, 0 re-tagged" in capsys.readouterr().out

    # a replay of an already indexed collection is still refused (external version), so it
    # cannot drop the new tags
    ok, errors = helpers.bulk(client, [bulk_action(docs[0], es)], raise_on_error=False)
    assert ok == 0 and errors[0]["index"]["status"] == 409
    assert issues_of(client, es.alias)[docs[0]["doc_id"]] == ["Harga Cabai"]


class RacingClient:
    """The real client; just before the re-tag's first bulk request, the "pipeline" indexes a
    newer collection of one post (its text edited: no longer about chili)."""

    def __init__(self, client, race) -> None:
        self._client, self._race = client, race

    def options(self, **kwargs) -> RacingClient:
        return RacingClient(self._client.options(**kwargs), self._race)

    def bulk(self, *args, **kwargs):
        if self._race:
            self._race.pop()()
        return self._client.bulk(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_retag_never_overwrites_a_newer_post(posts):
    es, client, docs, now = posts
    newer = dict(docs[3], text="harga bawang merah turun 3", text_clean="harga bawang merah turun 3",
                 collected_at=docs[3]["collected_at"] + 10_000,
                 issues=[])

    def pipeline_writes_newer() -> None:
        ok, errors = helpers.bulk(client, [bulk_action(newer, es)], raise_on_error=False)
        assert ok == 1, errors

    report = retag(RacingClient(client, [pipeline_writes_newer]), es.alias, Watchlist.from_yaml(NEW),
                   now - 30 * DAY, now + 60_000)
    assert report.conflicts == 1 and report.failed == 0
    assert report.changed == 9  # the tenth chili post is about onions now
    client.indices.refresh(index=es.alias)
    stored = client.get(index=client.search(index=es.alias, query={"term": {"doc_id": newer["doc_id"]}})
                        ["hits"]["hits"][0]["_index"], id=newer["doc_id"])
    assert stored["_source"]["text"] == "harga bawang merah turun 3" and stored["_source"]["issues"] == []
    assert stored["_version"] == newer["collected_at"]


def test_watchlist_reload_retags_the_configured_window(posts, tmp_path):
    es, client, docs, now = posts
    path = tmp_path / "issues.yaml"
    path.write_text(OLD)
    fn = TagPostFn(str(path), reload_interval_s=0, retag_es=es, retag_window_s=2 * 86_400)
    fn.setup()
    fn.start_bundle()  # unchanged file: nothing
    assert not any("Harga Cabai" in v for v in issues_of(client, es.alias).values())
    path.write_text(NEW)
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    fn.start_bundle()
    assert fn._watchlist.names == load_watchlist(path).names

    def chili_tagged() -> list[str]:
        return sorted(k for k, v in issues_of(client, es.alias).items() if "Harga Cabai" in v)
    # two days back: posts 0, 3 (8 h and 24 h old); post 6 (48 h old) is outside the window
    expected = sorted(d["doc_id"] for i, d in enumerate(docs)
                      if i % 3 == 0 and d["created_at"] >= now - 2 * DAY)
    assert expected == ["x:r0", "x:r3"]
    wait_for(lambda: chili_tagged() == expected, 30, 0.5, "the re-tag after the reload")
    fn.start_bundle()  # same version again: no second re-tag
