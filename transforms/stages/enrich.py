"""Stage: enrich documents with language, sentiment and entities, in batches.

The NLP models live in ``transforms.nlp`` and are loaded once per worker in ``setup()``. Posts
are grouped with ``BatchElements`` (which keeps fusion with the source, so offsets are still
committed only after indexing) and the models run on whole batches. A batch that fails is
retried post by post so that one bad post becomes one dead letter, not a lost batch.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.core.stage import BatchStageFn, Stage

STAGE = "enrich"
ENRICHED_FIELDS = ("text_normalized", "language", "sentiment", "entities", "places_mentioned",
                   "enrichment_skipped")


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


class EnrichBatchFn(BatchStageFn):
    """list[document] -> enriched documents."""

    STAGE = STAGE

    def __init__(self, model_dir: str | None = None):
        self.model_dir = model_dir
        self.batch_size = Metrics.distribution("pantau.enrich", "batch_size")

    def setup(self) -> None:
        from transforms.nlp.enricher import Enricher
        self._enricher = Enricher.load(self.model_dir)

    def apply_batch(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        self.batch_size.update(len(batch))
        results = self._enricher.enrich_batch([model_input(d) for d in batch])
        return [apply_enrichment(doc, result) for doc, result in zip(batch, results, strict=True)]


class EnrichPosts(beam.PTransform):
    """Batches documents and enriches them; returns (documents, dead letters).

    ``mode='none'`` passes documents through untouched (throughput baselines, backfills) and
    its dead letters are an empty collection."""

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
            return docs, docs.pipeline | "NoDeadLetters" >> beam.Create([])
        batches = docs | "Batch" >> beam.BatchElements(min_batch_size=self.min_batch_size,
                                                       max_batch_size=self.max_batch_size)
        return batches | "Enrich" >> Stage(EnrichBatchFn(self.model_dir), "Apply")
