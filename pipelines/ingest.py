"""The ingest pipeline: Kafka -> decode -> validate -> normalize -> enrich -> Elasticsearch.

Every stage's failures leave through its dead-letter output and are published to the
dead-letter topic by a sink fused into the same stage as the source, so the source's offset
commit (in its bundle finalizer) always comes after both the index and the dead letters are
durable.
"""
from __future__ import annotations

import logging
import os
from typing import Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineResult

from pipelines.options import (PantauOptions, es_config, kafka_config, kafka_security,
                               monitor_config, pseudonymize_allowlist)
from transforms.deadletter import DEAD_LETTER_TAG, WriteDeadLetters
from transforms.decode import DecodePosts
from transforms.enrich import EnrichPosts
from transforms.es_sink import WriteToElasticsearch
from transforms.kafka_source import ReadFromKafka
from transforms.normalize import NormalizePosts
from transforms.pseudonymize import PseudonymizePosts
from transforms.tag import TagPosts
from transforms.validate import ValidatePosts

LOG = logging.getLogger(__name__)


def build(pipeline: beam.Pipeline, opts: PantauOptions) -> None:
    """Adds the ingest stages to ``pipeline``."""
    security = kafka_security(opts)
    records = pipeline | "ReadFromKafka" >> ReadFromKafka(kafka_config(opts))
    decoded = records | "DecodePosts" >> DecodePosts(
        opts.schema_dir, opts.schema_registry_url, opts.max_message_bytes)
    validated = decoded.posts | "ValidatePosts" >> ValidatePosts(opts.max_text_chars)
    normalized = validated.posts | "NormalizePosts" >> NormalizePosts()
    enriched, enrich_dead = normalized.docs | "EnrichPosts" >> EnrichPosts(
        opts.enrichment, opts.model_dir, max_batch_size=opts.enrich_max_batch)
    watchlist = opts.watchlist if opts.watchlist and opts.watchlist.lower() != "none" else None
    docs, tag_dead = enriched | "TagPosts" >> TagPosts(watchlist)
    pseudonymize_dead = None
    if opts.pseudonymize:  # last before the sink: NER, @account queries and KOLs see clear text
        docs, pseudonymize_dead = docs | "PseudonymizePosts" >> PseudonymizePosts(
            allowlist=pseudonymize_allowlist(opts))
    index_dead = docs | "WriteToElasticsearch" >> WriteToElasticsearch(es_config(opts))

    # One dead-letter sink per stage rather than a Flatten: each stays fused with the source.
    dead = {"Decode": decoded[DEAD_LETTER_TAG], "Validate": validated[DEAD_LETTER_TAG],
            "Normalize": normalized[DEAD_LETTER_TAG], "Tag": tag_dead, "Index": index_dead}
    if enrich_dead is not None:
        dead["Enrich"] = enrich_dead
    if pseudonymize_dead is not None:
        dead["Pseudonymize"] = pseudonymize_dead
    for stage, letters in dead.items():
        _ = letters | f"WriteDeadLetters{stage}" >> WriteDeadLetters(
            opts.kafka_bootstrap, opts.dead_letter_topic, security)


def make_runner(options: PipelineOptions):
    """FnApiRunner with one worker unless ``--runner`` names another runner.

    The DirectRunner first tries to download the Prism runner (no network here), and two
    FnApiRunner workers lose SDF residuals; Flink/Dataflow are chosen with ``--runner``.
    """
    if options.view_as(StandardOptions).runner:
        return None
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner
    return FnApiRunner()


def install_drain_on_signals() -> None:
    """First SIGTERM/SIGINT: drain (flush, commit, end); a second one: stop at once."""
    import signal
    import threading

    from transforms.kafka_source import DRAIN
    if threading.current_thread() is not threading.main_thread():
        return

    def drain(signum, _frame) -> None:
        if DRAIN.is_set():
            LOG.warning("second signal %s: stopping without draining", signum)
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        LOG.warning("signal %s: draining (flushing buffers and committing offsets)", signum)
        DRAIN.set()

    DRAIN.clear()
    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)


def run(argv: Sequence[str] | None = None) -> PipelineResult:
    """Builds and runs the pipeline; waits until it ends (bounded runs) or is stopped."""
    options = PipelineOptions(list(argv or []) + ["--direct_num_workers=1"], save_main_session=False)
    opts = options.view_as(PantauOptions)
    runner = make_runner(options)
    pipeline = beam.Pipeline(runner=runner, options=options)
    build(pipeline, opts)
    if runner is not None:
        install_drain_on_signals()
        from transforms.metrics import ensure_exporter  # local runner: DoFns run in this process
        ensure_exporter(opts.metrics_port, opts.metrics_addr)
    monitor = None
    if runner is not None and opts.monitor:
        from pipelines.monitor import start_monitor_thread
        monitor = start_monitor_thread(monitor_config(opts))
    LOG.info("pantau ingest: %s -> %s (enrichment %s)", opts.input_topic, opts.es_alias, opts.enrichment)
    try:
        result = pipeline.run()
        result.wait_until_finish()
    finally:
        if monitor is not None:
            monitor.stop()
    return result


def main(argv: Sequence[str]) -> int:
    """``pantau run``: the pipeline with the given options; exit status 0 when it ended cleanly."""
    result = run(argv)
    state = result.state
    LOG.info("pipeline ended: %s", state)
    return 0 if str(state).endswith("DONE") else 1
