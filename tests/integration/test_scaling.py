"""Horizontal scaling on one host: several pipeline processes share a topic's partitions."""
import pytest

from tests.integration.helpers import (
    committed_and_end,
    es_docs,
    pipeline_args,
    post_messages,
    produce,
    run_pipeline_process,
    setup_topics,
    unique,
)
from transforms.io.kafka_source import KafkaConfig

pytestmark = pytest.mark.integration


def test_partition_ownership():
    config = KafkaConfig("b", "t", "g", instance_index=1, instance_count=3)
    assert [p for p in range(7) if config.owns(p)] == [1, 4]
    assert [p for p in range(4) if KafkaConfig("b", "t", "g", partitions=(0, 3)).owns(p)] == [0, 3]


def test_three_processes_share_partitions_without_loss_or_duplication(kafka_bootstrap, es_url, tmp_path):
    topic, prefix = unique("scale"), unique("idx")
    n = 1800
    setup_topics(kafka_bootstrap, topic, partitions=6)
    produce(kafka_bootstrap, topic, post_messages(range(n)))
    procs = [run_pipeline_process(pipeline_args(kafka_bootstrap, es_url, topic, prefix, "--stop_when_idle_s=3",
                                                f"--instance_index={i}", "--instance_count=3",
                                                "--metrics_port=0"),
                                  tmp_path / f"instance{i}.log") for i in range(3)]
    for i, proc in enumerate(procs):
        assert proc.wait(300) == 0, (tmp_path / f"instance{i}.log").read_text()[-3000:]
    docs = es_docs(es_url, prefix)
    assert len(docs) == n
    # each partition was read by exactly one instance: offsets per partition sum to n
    committed, _ = committed_and_end(kafka_bootstrap, f"g-{topic}", topic)
    assert sorted(committed) == list(range(6)) and sum(committed.values()) == n
    for i in range(3):
        log = (tmp_path / f"instance{i}.log").read_text()
        mine = {int(line.split(f"{topic}-")[1].split()[0]) for line in log.splitlines()
                if "starts at offset" in line}
        assert mine == {i, i + 3}, log[-2000:]
