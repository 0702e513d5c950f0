"""How long one call of the partition reader lasts, against both real brokers: a caught-up
partition ends its call (and so the bundle, and the sink's flush) as soon as it has read what
the broker had, instead of reading a trickle until ``max_poll_s``; a backlog is read in one call
up to ``max_records``."""
from __future__ import annotations

import threading
import time

import pytest
from apache_beam.io.restriction_trackers import OffsetRange
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.runners.sdf_utils import RestrictionTrackerView, ThreadsafeRestrictionTracker

from transforms.io.clients import kafka_producer
from transforms.io.kafka_source import (
    OPEN_END,
    KafkaConfig,
    KafkaPartition,
    PartitionOffsetTracker,
    ReadPartitionFn,
)

pytestmark = pytest.mark.integration


class Finalizer:
    """The runner's side of ``BundleFinalizerParam``: callbacks run once the bundle is durable."""

    def __init__(self) -> None:
        self.callbacks: list = []

    def register(self, callback) -> None:
        self.callbacks.append(callback)


def read_once(bootstrap: str, topic: str, **config) -> list:
    """The records one ``process`` call emits for partition 0, from offset 0."""
    fn = ReadPartitionFn(KafkaConfig(bootstrap, topic, f"{topic}-g", **config))
    fn.setup()
    try:
        tracker = RestrictionTrackerView(ThreadsafeRestrictionTracker(PartitionOffsetTracker(OffsetRange(0, OPEN_END))))
        return [out.value for out in fn.process(KafkaPartition(topic, 0, 0), bundle_finalizer=Finalizer(),
                                                tracker=tracker, watermark=ManualWatermarkEstimator(None))]
    finally:
        fn.teardown()


def backlog(bootstrap: str, topic: str, values: list[bytes]):
    """A producer that has written ``values`` to partition 0 (the caller closes it)."""
    producer = kafka_producer(bootstrap, acks="all")
    for value in values:
        producer.send(topic, value=value, partition=0)
    producer.flush()
    return producer


@pytest.mark.topic_partitions(1)
def test_a_caught_up_partition_ends_its_call_instead_of_reading_a_trickle(kafka_bootstrap, unique_topic):
    producer = backlog(kafka_bootstrap, unique_topic, [b"backlog%d" % i for i in range(20)])

    def trickle() -> None:  # then one record every 50 ms for 3 s
        for _ in range(60):
            time.sleep(0.05)
            producer.send(unique_topic, value=b"trickle", partition=0)
            producer.flush()
    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        # both limits far away: only "caught up" can end this call before it has read the trickle
        records = read_once(kafka_bootstrap, unique_topic, max_poll_s=15.0, poll_wait_s=15.0, max_records=10_000)
    finally:
        thread.join(10)
        producer.close()
    assert [r.value for r in records[:20]] == [b"backlog%d" % i for i in range(20)]
    assert len(records) < 70, f"the call read {len(records)} of 80 records: it kept reading the trickle"


@pytest.mark.topic_partitions(1)
def test_a_backlog_is_read_in_one_call_up_to_max_records(kafka_bootstrap, unique_topic):
    backlog(kafka_bootstrap, unique_topic, [b"m%d" % i for i in range(3000)]).close()
    records = read_once(kafka_bootstrap, unique_topic, max_poll_s=15.0, max_records=2500)
    assert [r.offset for r in records] == list(range(2500))
