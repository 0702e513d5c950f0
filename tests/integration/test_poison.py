"""A poison corpus in the middle of good traffic: every bad message becomes a specific dead letter,
every good one is indexed, and the stream never stops."""
import json
import os

import pytest

from pipelines.ingest import run
from tests.integration.helpers import (
    dead_letters,
    es_count,
    make_post,
    pipeline_args,
    post_messages,
    produce,
    unique,
)
from transforms.io.publish import encode_post

pytestmark = pytest.mark.integration


def poison_corpus() -> dict[str, tuple[bytes, str]]:
    """name -> (message value, expected error kind)."""
    good = make_post(9999)
    avro = encode_post(good, "avro")
    as_json = lambda **kw: json.dumps(dict(good, **kw)).encode()  # noqa: E731
    deep = b'{"platform":' + b'{"a":' * 200 + b"1" + b"}" * 200 + b"}"
    return {
        "random_bytes": (b"\x8f" + os.urandom(300), "unknown_format"),
        "truncated_avro": (avro[: len(avro) // 2], "avro_truncated"),
        "unknown_schema_id": (b"\x00\x00\x01\x86\xa0" + avro[5:], "avro_unknown_schema_id"),
        "wrong_types": (as_json(author={"id": "a", "followers": "banyak sekali"}), "wrong_type"),
        "missing_required": (json.dumps({k: v for k, v in good.items() if k != "post_id"}).encode(), "missing_field"),
        "invalid_utf8": (as_json(text="placeholder").replace(b"placeholder", b"caf\xc3\x28 \xff"), "invalid_utf8"),
        "ten_megabytes": (as_json(text="a" * (10 * 1024 * 1024)), "message_too_large"),
        "deeply_nested": (deep, "json_too_deep"),
        "empty": (b"", "empty_message"),
        "future_timestamp": (as_json(created_at="2999-01-01T00:00:00Z"), "timestamp_out_of_range"),
        "ancient_timestamp": (as_json(created_at=86400000, collected_at=86400000), "timestamp_out_of_range"),
        "json_array": (b'[{"platform": "x"}]', "unknown_format"),
        "long_text": (as_json(text="kata " * 6000), "text_too_long"),
        "bad_timestamp": (as_json(created_at="kemarin sore"), "invalid_timestamp"),
    }


def test_poison_corpus_goes_to_dead_letters_and_good_posts_are_indexed(kafka_bootstrap, es_url):
    from kafka.admin import KafkaAdminClient, NewTopic
    topic, prefix = unique("poison"), unique("idx")
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1, topic_configs={"max.message.bytes": str(16 << 20)}),
                         NewTopic(f"{topic}.dead", 1, 1, topic_configs={"max.message.bytes": str(16 << 20)})])
    admin.close()
    corpus = poison_corpus()
    good = post_messages(range(60))
    messages = []
    for i, (name, (value, _)) in enumerate(corpus.items()):
        messages += good[i * 4:(i + 1) * 4] + [(f"poison-{name}".encode(), value)]
    messages += good[len(corpus) * 4:]
    produce(kafka_bootstrap, topic, messages)

    run(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2"))

    assert es_count(es_url, prefix) == 60
    letters = {l["key"].decode()[len("poison-"):]: l for l in dead_letters(kafka_bootstrap, topic)}
    assert {name: letters[name]["error_kind"] for name in letters} == {n: k for n, (_, k) in corpus.items()}
    for name, letter in letters.items():
        assert letter["message"] and letter["topic"] == topic and letter["offset"] is not None
        if name != "ten_megabytes":
            assert letter["payload"] == corpus[name][0]


class _NotUtf8HeaderKey(str):
    """A header key a non-conforming producer writes: kafka-python encodes keys with .encode()."""

    def encode(self, *args, **kwargs) -> bytes:
        return b"kunci\xff\xfe"


def test_a_record_the_client_cannot_parse_is_a_dead_letter_not_a_crash(kafka_bootstrap, es_url, tmp_path):
    """kafka-python cannot parse a record whose header key is not UTF-8, nor the rest of its
    record batch: the source dead-letters those offsets (unreadable_record) and goes on."""
    from kafka import KafkaProducer

    from tests.integration.helpers import run_bounded, setup_topics
    topic, prefix = unique("unreadable"), unique("idx")
    setup_topics(kafka_bootstrap, topic, 1)
    producer = KafkaProducer(bootstrap_servers=[kafka_bootstrap], linger_ms=500)
    for i in range(6):  # one record batch; the fourth record is broken
        headers = [(_NotUtf8HeaderKey("k"), b"v")] if i == 3 else [("source", b"crawler")]
        producer.send(topic, key=f"k{i}".encode(), value=json.dumps(make_post(i)).encode(), headers=headers)
    producer.flush()
    for i in range(6, 10):  # a later batch is readable again
        producer.send(topic, key=f"k{i}".encode(), value=json.dumps(make_post(i)).encode()).get(timeout=30)
    producer.close()

    rc, log, _ = run_bounded(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=2",
                                           f"--recovery_topic={topic}.recovery"), tmp_path / "run.log")
    assert rc == 0, log[-3000:]  # one run: no crash, no restart
    letters = dead_letters(kafka_bootstrap, topic)
    unreadable = sorted(l["offset"] for l in letters if l["error_kind"] == "unreadable_record")
    assert unreadable and unreadable[0] == 3 and unreadable == list(range(3, 3 + len(unreadable)))
    assert len(letters) == len(unreadable) and all("kcat" in l["message"] for l in letters)
    assert es_count(es_url, prefix) == 10 - len(unreadable)  # everything else is indexed
