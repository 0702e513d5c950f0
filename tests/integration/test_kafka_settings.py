"""``--kafka_option`` and ``--start_offset <time>`` against both real brokers (noida-db, Tansu)."""
from __future__ import annotations

import pytest

from pipelines.options import PantauOptions, kafka_config, kafka_security, pipeline_options
from transforms.io.clients import kafka_consumer, kafka_producer
from transforms.io.kafka_source import resolve_start_offsets

pytestmark = pytest.mark.integration
T0 = 1_764_547_200_000  # 2025-12-01T00:00:00Z


def options(bootstrap: str, topic: str, *extra: str) -> PantauOptions:
    return pipeline_options(["--kafka_bootstrap", bootstrap, "--input_topic", topic, *extra]).view_as(PantauOptions)


@pytest.mark.topic_partitions(2)
def test_start_offset_time_starts_at_the_first_message_at_or_after_it(kafka_bootstrap, unique_topic):
    producer = kafka_producer(kafka_bootstrap, acks="all")
    for partition in (0, 1):
        for i in range(6):  # one message a minute from T0
            producer.send(unique_topic, value=b"m%d" % i, partition=partition, timestamp_ms=T0 + i * 60_000)
    producer.flush()
    producer.close()
    cases = {"2025-12-01T00:02:00Z": 2,              # exactly the third message
             "2025-12-01T07:02:30+07:00": 3,         # 00:02:30 UTC: the next one
             str(T0 - 1): 0,                          # epoch ms before everything
             "2025-12-01T00:10:00": 6}               # after the last: the end (no zone: UTC)
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
