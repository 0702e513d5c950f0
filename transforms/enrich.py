"""Stage: enrich documents with language, sentiment and entities, in batches.

The NLP models live in ``transforms.nlp`` and are loaded once per worker in ``setup()``. Posts
are grouped with ``BatchElements`` (which keeps fusion with the source, so offsets are still
committed only after indexing) and the models run on whole batches. A batch that fails is
retried post by post so that one bad post becomes one dead letter, not a lost batch.
"""
from __future__ import annotations

from typing import Any, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.deadletter import (DEAD_LETTER_TAG, DeadLetterCounter, dead_letter_for_post,
                                   guard_outputs)
from transforms.metrics import instrument

STAGE = "enrich"
ENRICHED_FIELDS = ("text_normalized", "language", "sentiment", "entities", "enrichment_skipped")


def model_input(doc: dict[str, Any]) -> dict[str, Any]:
    """What the enricher sees of a document: the cleaned text (title first) and the hint."""
    text = doc.get("text_clean") or ""
    if doc.get("title"):
        text = f"{doc['title']}\n{text}" if text else doc["title"]
    return {"text": text, "lang_hint": doc.get("lang_hint")}


def apply_enrichment(doc: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The document with the enricher's fields merged in (entity offsets refer to the
    enricher's input: ``text_clean``, after ``title`` and a newline when there is a title)."""
    out = dict(doc)
    for field in ENRICHED_FIELDS:
        if field in result:
            out[field] = result[field]
    return out


class EnrichBatchFn(beam.DoFn):
    """list[document] -> enriched documents; failures become dead letters."""

    def __init__(self, model_dir: str | None = None):
        self.model_dir = model_dir
        self.enriched = Metrics.counter("pantau.enrich", "records_out")
        self.batch_size = Metrics.distribution("pantau.enrich", "batch_size")
        self.dead = DeadLetterCounter(STAGE)

    def setup(self) -> None:
        from transforms.nlp.enricher import Enricher
        self._enricher = Enricher.load(self.model_dir)

    @instrument(STAGE, count_in=len)  # Prometheus: records in/out, time per batch
    @guard_outputs(STAGE)
    def process(self, batch: list[dict[str, Any]]) -> Iterator[Any]:
        self.batch_size.update(len(batch))
        try:
            results = self._enricher.enrich_batch([model_input(d) for d in batch])
            pairs = list(zip(batch, results, strict=True))
        except Exception:
            pairs = []
            for doc in batch:  # find the post that broke the batch
                try:
                    pairs.append((doc, self._enricher.enrich_batch([model_input(doc)])[0]))
                except Exception as e:
                    self.dead.inc("enrich_error")
                    yield pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter_for_post(
                        doc, "enrich_error", f"{type(e).__name__}: {e}", STAGE))
        for doc, result in pairs:
            self.enriched.inc()
            yield apply_enrichment(doc, result)


class EnrichPosts(beam.PTransform):
    """Batches documents and enriches them; returns (documents, dead letters or None).

    ``mode='none'`` passes documents through untouched (throughput baselines, backfills)."""

    def __init__(self, mode: str = "full", model_dir: str | None = None,
                 min_batch_size: int = 8, max_batch_size: int = 256):
        super().__init__()
        if mode not in ("full", "none"):
            raise ValueError(f"enrichment mode must be 'full' or 'none', not {mode!r}")
        self.mode = mode
        self.model_dir = model_dir
        self.min_batch_size = min_batch_size
        self.max_batch_size = max_batch_size

    def expand(self, docs):
        if self.mode == "none":
            return docs, None
        outputs = (
            docs
            | "Batch" >> beam.BatchElements(min_batch_size=self.min_batch_size,
                                            max_batch_size=self.max_batch_size)
            | "Enrich" >> beam.ParDo(EnrichBatchFn(self.model_dir)).with_outputs(
                DEAD_LETTER_TAG, main="docs"))
        return outputs["docs"], outputs[DEAD_LETTER_TAG]
