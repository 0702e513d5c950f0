"""The ingest pipeline: Kafka -> decode -> validate -> normalize -> enrich -> Elasticsearch.

Every stage's failures leave through its dead-letter output and are published to the
dead-letter topic by a sink fused into the same stage as the source, so the source's offset
commit (in its bundle finalizer) always comes after both the index and the dead letters are
durable.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineResult

from pipelines.options import (
    PantauOptions,
    es_config,
    kafka_config,
    kafka_security,
    monitor_config,
    pipeline_options,
    pseudonymize_allowlist,
    retag_on_reload,
    schema_registry_tls,
    watchlist_path,
)
from pipelines.workers import Supervisor, cpu_count, worker_argv
from transforms.io.deadletter_sink import WriteDeadLetters
from transforms.io.es_sink import WriteToElasticsearch
from transforms.io.kafka_source import ReadFromKafka
from transforms.stages.decode import DecodePosts
from transforms.stages.enrich import EnrichPosts
from transforms.stages.normalize import NormalizePosts
from transforms.stages.pseudonymize import PseudonymizePosts
from transforms.stages.tag import TagPosts
from transforms.stages.validate import ValidatePosts

LOG = logging.getLogger(__name__)


def build(records: beam.PCollection, opts: PantauOptions) -> tuple[beam.PCollection, dict[str, beam.PCollection]]:
    """The stages from Kafka records to index-ready documents: ``(documents, dead letters)``.

    ``dead letters`` maps each stage to its dead-letter collection. They are not flattened into
    one: a Flatten in front of the dead-letter sink would cut its fusion with the source on the
    local runner, and the source may commit offsets only after every sink of the bundle flushed.
    No server is touched here, so the whole graph runs in a TestPipeline from ``beam.Create``.
    """
    dead: dict[str, beam.PCollection] = {}
    posts, dead["Decode"] = records | "DecodePosts" >> DecodePosts(
        opts.schema_dir, opts.schema_registry_url, opts.max_message_bytes, schema_registry_tls(opts))
    posts, dead["Validate"] = posts | "ValidatePosts" >> ValidatePosts(opts.max_text_chars)
    docs, dead["Normalize"] = posts | "NormalizePosts" >> NormalizePosts()
    docs, dead["Enrich"] = docs | "EnrichPosts" >> EnrichPosts(
        opts.enrichment, opts.model_dir, max_batch_size=opts.enrich_max_batch)
    docs, dead["Tag"] = docs | "TagPosts" >> TagPosts(watchlist_path(opts), **retag_on_reload(opts))
    if opts.pseudonymize:  # last before the sink: NER, @account queries and KOLs see clear text
        docs, dead["Pseudonymize"] = docs | "PseudonymizePosts" >> PseudonymizePosts(
            allowlist=pseudonymize_allowlist(opts))
    return docs, dead


def attach(pipeline: beam.Pipeline, opts: PantauOptions) -> None:
    """The whole ingest job: the Kafka source, :func:`build`, the Elasticsearch sink and one
    dead-letter sink per stage (each stays fused with the source)."""
    records = pipeline | "ReadFromKafka" >> ReadFromKafka(kafka_config(opts))
    docs, dead = build(records, opts)
    dead["Index"] = docs | "WriteToElasticsearch" >> WriteToElasticsearch(es_config(opts))
    security = kafka_security(opts)
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

    from transforms.io.kafka_source import DRAIN
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
    options = pipeline_options(list(argv or []) + ["--direct_num_workers=1"], save_main_session=False)
    opts = options.view_as(PantauOptions)
    runner = make_runner(options)
    pipeline = beam.Pipeline(runner=runner, options=options)
    attach(pipeline, opts)
    if runner is not None:
        install_drain_on_signals()
        from transforms.core.metrics import ensure_exporter  # local runner: DoFns run in this process
        ensure_exporter(opts.metrics_port, opts.metrics_addr)
    monitor = None
    if runner is not None and opts.monitor:
        from transforms.analyst.monitor import start_monitor_thread
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
    """``pantau run``: the pipeline with the given options; exit status 0 when it ended cleanly.
    On the local runner with more than one worker (``--workers``, default one per core), a
    supervisor runs that many pipeline processes instead (``pipelines.workers``)."""
    options = pipeline_options(list(argv))
    opts = options.view_as(PantauOptions)
    workers = opts.workers if opts.workers > 0 else cpu_count()
    if workers > 1 and not options.view_as(StandardOptions).runner:  # local runner only
        LOG.info("pantau run: %d worker processes (instance %d of %d hosts)", workers,
                 opts.instance_index, opts.instance_count)
        return Supervisor([worker_argv(argv, w, workers, opts.instance_index, opts.instance_count,
                                       opts.metrics_port) for w in range(workers)]).run()
    result = run(argv)
    state = result.state
    LOG.info("pipeline ended: %s", state)
    return 0 if str(state).endswith("DONE") else 1
