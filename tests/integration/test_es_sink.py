"""The Elasticsearch sink against a real ES-API server: outages and refused documents."""
import threading
import time

import pytest

from pipelines.ingest import run
from tests.integration.helpers import (
    dead_letters,
    es_client,
    es_count,
    make_post,
    pipeline_args,
    post_messages,
    produce,
    setup_topics,
    unique,
)
from tests.integration.proxy import proxied

pytestmark = pytest.mark.integration


def counters(result) -> dict[str, int]:
    return {f"{c.key.metric.namespace}/{c.key.metric.name}": c.committed
            for c in result.metrics().query()["counters"]}


def test_es_outage_blocks_the_stream_and_loses_nothing(kafka_bootstrap, es_url):
    topic, prefix = unique("outage"), unique("idx")
    n = 400
    setup_topics(kafka_bootstrap, topic)
    produce(kafka_bootstrap, topic, post_messages(range(n)))
    with proxied(es_url) as (proxy, through):
        def cut_once_indexing_started() -> None:
            deadline = time.monotonic() + 60
            while es_count(es_url, prefix) == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            proxy.cut()
            time.sleep(6)
            proxy.restore()

        cutter = threading.Thread(target=cut_once_indexing_started, daemon=True)
        cutter.start()
        result = run(pipeline_args(kafka_bootstrap, through, topic, prefix, "--stop_when_idle_s=2",
                                   "--poll_max_records=20", "--bulk_max_docs=20", "--es_max_backoff_s=1"))
        cutter.join(10)
    assert es_count(es_url, prefix) == n
    c = counters(result)
    assert c["pantau.index/item_retries"] > 0
    assert c["pantau.index/backpressure_ms"] >= 3000
    assert dead_letters(kafka_bootstrap, topic) == []


def test_documents_elasticsearch_refuses_become_dead_letters(kafka_bootstrap, es_url):
    topic, prefix = unique("refused"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    # A monthly index created by someone else with a conflicting mapping: posts of that month
    # are refused (400) while the other months index normally.
    client = es_client(es_url)
    client.indices.create(index=f"{prefix}-2020.01",
                          mappings={"properties": {"platform": {"type": "long"}}})
    client.close()
    bad_month = 1578830400000  # 2020-01-12T12:00:00Z
    good = post_messages(range(10))
    refused = []
    from transforms.io.publish import encode_post, message_key
    for i in (100, 101):
        post = make_post(i)
        post["created_at"], post["collected_at"] = bad_month + i, bad_month + i + 1000
        refused.append((message_key(post), encode_post(post, "json")))
    produce(kafka_bootstrap, topic, good + refused)
    run(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2"))
    assert es_count(es_url, prefix) == 10
    letters = dead_letters(kafka_bootstrap, topic)
    assert sorted(l["key"] for l in letters) == sorted([b"x:p100", b"facebook:p101"])
    for letter in letters:
        assert letter["stage"] == "index" and letter["error_kind"].startswith("es_")
        assert "refused" in letter["message"] and letter["payload"].startswith(b"{")
