"""The adversarial corpus (tests/data/adversarial_posts.jsonl) through the whole pipeline, with
full enrichment, against the local servers: the run ends cleanly, every message is indexed or
dead-lettered with its reason, the counts add up, and a replay from the start crashes nothing."""
import pytest

from tests.adversarial import load_cases
from tests.integration.helpers import (
    dead_letters,
    es_docs,
    pipeline_args,
    post_messages,
    produce,
    run_bounded,
    unique,
)

pytestmark = pytest.mark.integration


def test_every_adversarial_message_is_indexed_or_dead_lettered(kafka_bootstrap, es_url, tmp_path):
    from kafka.admin import KafkaAdminClient, NewTopic
    topic, prefix = unique("adversarial"), unique("idx")
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    big = {"max.message.bytes": str(16 << 20)}
    admin.create_topics([NewTopic(topic, 3, 1, topic_configs=big), NewTopic(f"{topic}.dead", 1, 1, topic_configs=big)])
    admin.close()
    cases = load_cases()
    good = post_messages(range(100))
    messages = []
    for i, case in enumerate(cases):
        messages += [(case.key, case.value)] + good[i:i + 1]
    messages += good[len(cases):]
    produce(kafka_bootstrap, topic, messages)
    args = [a for a in pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=3",
                                     f"--recovery_topic={topic}.recovery")
            if a != "--enrichment=none"]  # the models see every odd text too

    rc, log, _ = run_bounded(args, tmp_path / "run.log", timeout_s=300)
    assert rc == 0, log[-4000:]

    docs = {d["post_id"]: d for d in es_docs(es_url, prefix).values()}
    indexed = [c for c in cases if c.indexed]
    assert len(docs) == 100 + len(indexed)
    for case in indexed:
        doc = docs[case.post_id]
        assert sorted(doc["repairs"]) == sorted(case.repairs), case.kind
        assert doc["language"] is not None, case.kind  # enrichment ran, nothing skipped silently
    letters = {l["key"].decode(): l for l in dead_letters(kafka_bootstrap, topic)}
    expected = {c.key.decode(): c for c in cases if not c.indexed}
    assert {k: l["error_kind"] for k, l in letters.items()} == {k: c.dead_kind for k, c in expected.items()}
    for key, letter in letters.items():
        assert letter["message"] and letter["topic"] == topic and letter["offset"] is not None
        if expected[key].kind != "message_too_large":
            assert letter["payload"] == (expected[key].value or b"")
    assert len(docs) + len(letters) == len(messages)

    # a replay of the whole topic (a restart that lost its offsets) crashes nothing, adds nothing
    rc, log, _ = run_bounded(args + ["--start_offset=earliest"], tmp_path / "replay.log", timeout_s=300)
    assert rc == 0, log[-4000:]
    assert len(es_docs(es_url, prefix)) == len(docs)
    replayed = dead_letters(kafka_bootstrap, topic)
    assert len(replayed) == 2 * len(letters)
    assert {l["error_kind"] for l in replayed} == {c.dead_kind for c in expected.values()}
