"""The whole ingest graph in a TestPipeline, no server: valid posts in both wire formats, the
poison corpus and the adversarial corpus go through every stage (full enrichment) and come out
as the expected documents and dead letters."""
import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.ingest import build
from pipelines.options import PantauOptions
from tests.adversarial import load_cases
from tests.integration.helpers import POISON, make_post, post_messages
from transforms.io.kafka_source import KafkaRecord
from transforms.stages.normalize import doc_id


@pytest.mark.slow
def test_every_stage_end_to_end_without_servers():
    good = post_messages(range(30))
    poison = [(f"poison-{name}".encode(), payload) for name, (payload, _) in POISON.items()]
    cases = load_cases()
    messages = good + poison + [(c.key, c.value) for c in cases]
    records = [KafkaRecord("posts", i % 3, i, key, value, 1795514400000) for i, (key, value) in enumerate(messages)]
    opts = PipelineOptions(["--enrichment=full"]).view_as(PantauOptions)

    expected_docs = [doc_id(make_post(i)["platform"], make_post(i)["post_id"]) for i in range(30)]
    expected_docs += [f"x:{c.post_id}" for c in cases if c.indexed]
    expected_dead = [(key, kind) for (key, _), (_, kind) in zip(poison, POISON.values())]
    expected_dead += [(c.key, c.dead_kind) for c in cases if not c.indexed]

    with TestPipeline() as p:
        docs, dead = build(p | beam.Create(records), opts)
        assert_that(docs | "Ids" >> beam.Map(lambda d: d["doc_id"]), equal_to(expected_docs), label="docs")
        assert_that(docs | "Enriched" >> beam.Map(lambda d: (d["language"] is not None, d["influence"] is not None)),
                    equal_to([(True, True)] * len(expected_docs)), label="enriched")
        letters = tuple(dead.values()) | "AllDead" >> beam.Flatten()
        assert_that(letters | "Kinds" >> beam.Map(lambda l: (l["key"], l["error_kind"])),
                    equal_to(expected_dead), label="dead")
