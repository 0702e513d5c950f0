"""``--kafka_option`` and ``--start_offset <time>`` against both real brokers (noida-db, Tansu)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from pipelines.options import PantauOptions, kafka_config, kafka_security, pipeline_options
from transforms.io.clients import kafka_consumer, kafka_producer
from transforms.io.kafka_source import resolve_start_offsets

pytestmark = pytest.mark.integration


def options(bootstrap: str, topic: str, *extra: str) -> PantauOptions:
    return pipeline_options(["--kafka_bootstrap", bootstrap, "--input_topic", topic, *extra]).view_as(PantauOptions)


def recent_minute_ms(minutes_ago: int) -> int:
    """A whole minute ``minutes_ago`` before now, in epoch ms. Test messages carry recent times:
    a broker's retention (7 days by default) deletes older ones when its cleaner next runs
    (noida-db's ran within a minute here), so fixed 2025 times failed whenever the cleaner ran
    between the send and the reads ("offset out of range"), mostly late in a long session."""
    return (int(time.time()) // 60 - minutes_ago) * 60_000


def iso(ms: int, hours: int = 0, zone: bool = True) -> str:
    """``ms`` as ISO-8601 at UTC offset ``hours`` ("Z" for UTC); ``zone=False`` leaves it out."""
    moment = datetime.fromtimestamp(ms / 1000, timezone(timedelta(hours=hours)))
    if not zone:
        moment = moment.replace(tzinfo=None)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@pytest.mark.topic_partitions(2)
def test_start_offset_time_starts_at_the_first_message_at_or_after_it(kafka_bootstrap, unique_topic):
    t0 = recent_minute_ms(10)
    producer = kafka_producer(kafka_bootstrap, acks="all")
    for partition in (0, 1):
        for i in range(6):  # one message a minute from t0
            producer.send(unique_topic, value=b"m%d" % i, partition=partition, timestamp_ms=t0 + i * 60_000)
    producer.flush()
    producer.close()
    cases = {iso(t0 + 120_000): 2,                    # exactly the third message (Z)
             iso(t0 + 150_000, hours=7): 3,           # half a minute later, in WIB: the next one
             str(t0 - 1): 0,                           # epoch ms before everything
             iso(t0 + 540_000, zone=False): 6}         # after the last: the end (no zone: UTC)
    for start, expected in cases.items():
        config = kafka_config(options(kafka_bootstrap, unique_topic, "--start_offset", start))
        consumer = kafka_consumer(kafka_bootstrap, config.security, group_id=None, enable_auto_commit=False)
        try:
            assert resolve_start_offsets(consumer, config, [0, 1]) == {0: expected, 1: expected}, start
        finally:
            consumer.close()


@pytest.mark.topic_partitions(1)
def test_kafka_option_reaches_the_clients_that_know_it(kafka_bootstrap, unique_topic):
    opts = options(kafka_bootstrap, unique_topic, "--kafka_option", "max_request_size=2000",
                   "--kafka_option", "fetch_min_bytes=1")  # a consumer setting: the producer skips it
    producer = kafka_producer(kafka_bootstrap, kafka_security(opts), acks="all")
    try:
        assert producer.config["max_request_size"] == 2000
        producer.send(unique_topic, value=b"x" * 100).get(timeout=30)  # fits
        with pytest.raises(Exception, match="(?i)too large|MessageSizeTooLarge"):
            producer.send(unique_topic, value=b"x" * 5000).get(timeout=30)  # refused by the client
    finally:
        producer.close()
    consumer = kafka_consumer(kafka_bootstrap, kafka_security(opts), group_id=None)
    try:
        assert consumer.config["fetch_min_bytes"] == 1 and "max_request_size" not in consumer.config
    finally:
        consumer.close()
