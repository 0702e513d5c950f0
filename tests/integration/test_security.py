"""Secrets stay out of logs and the command line; pseudonymization hides identities end to end."""
import json

import pytest

from tests.integration.helpers import (
    es_client,
    es_docs,
    pipeline_args,
    post_messages,
    produce,
    run_pipeline_process,
    setup_topics,
    unique,
    wait_for,
)

pytestmark = pytest.mark.integration
SECRETS = {
    "PANTAU_ES_USERNAME": "pantau-ingest",
    "PANTAU_ES_PASSWORD": "planted-es-password-7f3a9c",
    "PANTAU_PSEUDONYM_KEY": "planted-pseudonym-key-41d8cd98f00b",
}


def test_pseudonymized_run_leaks_no_identity_and_no_secret(kafka_bootstrap, es_url, tmp_path, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    topic, prefix = unique("pdp"), unique("idx")
    setup_topics(kafka_bootstrap, topic)
    n = 120
    produce(kafka_bootstrap, topic, post_messages(range(n)))
    log = tmp_path / "run.log"
    proc = run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2",
                                              "--pseudonymize"), log)
    cmdline = wait_for(lambda: open(f"/proc/{proc.pid}/cmdline", "rb").read().decode(), 10,
                       interval_s=0.05, what="the process command line")
    assert proc.wait(180) == 0, log.read_text()[-3000:]

    text = log.read_text()
    assert "pantau run" in cmdline or "pipelines.cli" in cmdline
    for value in SECRETS.values():
        assert value not in text and value not in cmdline

    docs = es_docs(es_url, prefix)
    assert len(docs) == n
    dumped = json.dumps(list(docs.values()))
    for i in range(37):
        assert f"akun{i}\"" not in dumped and f"@akun{i} " not in dumped and f"Akun {i}\"" not in dumped
    assert all(d["raw"] == "" and d["author"]["handle"].startswith("u_") for d in docs.values())
    # KOL ranking still works: 37 distinct (pseudonymous) authors with their post counts
    client = es_client(es_url)
    buckets = client.search(index=prefix, size=0, aggs={"kol": {"terms": {"field": "author.handle", "size": 100}}}
                            )["aggregations"]["kol"]["buckets"]
    client.close()
    assert len(buckets) == 37 and sum(b["doc_count"] for b in buckets) == n
