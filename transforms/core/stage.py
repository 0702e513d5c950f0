"""The one stage contract: a pure function, its DoFn and its PTransform, with dead letters.

Every stage of the ingest pipeline is written the same way:

* a **pure function** (no Beam) that turns one element into its output, or raises
  :class:`StageError` with a machine-readable ``kind`` for an element that cannot pass;
* a :class:`StageFn` subclass whose :meth:`StageFn.apply` calls that function (and whose
  ``setup`` loads what it needs: models, a watchlist, a key);
* a :class:`Stage` subclass, the PTransform, which returns ``(outputs, dead_letters)``.

:meth:`StageFn.process` does the rest once for every stage, the way Beam's
``with_exception_handling`` and klio's decorators do: a :class:`StageError` becomes a dead
letter of that kind, any other exception one of kind ``<stage>_error``, an output that the
runner's coder cannot encode one of kind ``unencodable_record`` (the last-resort guard where an
element leaves a stage); and it counts records in and out, dead letters by kind and the time
spent, in Beam metrics and Prometheus together (:class:`StageCounters`).

Batch stages (the NLP) subclass :class:`BatchStageFn`: ``apply_batch`` runs on a list, and a
batch that fails is run again element by element so that one bad element is one dead letter.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core import metrics
from transforms.core.deadletter import DEAD_LETTER_TAG, dead_letter_for_element, unencodable_reason
from transforms.core.errors import StageError

__all__ = ["BatchStageFn", "Stage", "StageCounters", "StageError", "StageFn"]


class StageCounters:
    """Records in/out, dead letters by kind and time of one stage, in Beam metrics (namespace
    ``pantau.<stage>``) and Prometheus (``pantau_stage_*{stage=...}``) at once."""

    def __init__(self, stage: str):
        self.stage = stage
        self._beam: dict[str, Any] = {}

    def _counter(self, name: str):
        counter = self._beam.get(name)
        if counter is None:
            counter = self._beam[name] = Metrics.counter(f"pantau.{self.stage}", name)
        return counter

    def records_in(self, n: int = 1) -> None:
        metrics.stage(self.stage).records_in.inc(n)

    def records_out(self, n: int = 1) -> None:
        self._counter("records_out").inc(n)
        metrics.stage(self.stage).records_out.inc(n)

    def dead_letter(self, kind: str) -> None:
        self._counter(f"dead_letter_{kind}").inc()
        metrics.STAGE_DEAD_LETTERS.labels(self.stage, kind).inc()  # kinds are a fixed set

    def spent(self, seconds: float) -> None:
        metrics.stage(self.stage).latency.observe(seconds)


class StageFn(beam.DoFn):
    """One element in, one output or one dead letter out (see the module docstring)."""

    #: the stage's name: metrics label, dead letters' ``stage``
    STAGE = ""

    def apply(self, element: Any) -> Any:
        """The stage's work on one element; raises :class:`StageError` to refuse it."""
        raise NotImplementedError

    @property
    def counters(self) -> StageCounters:
        counters = self.__dict__.get("_counters")
        if counters is None:
            counters = self.__dict__["_counters"] = StageCounters(self.STAGE)
        return counters

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_counters", None)
        return state

    def _dead(self, element: Any, kind: str, message: str) -> pvalue.TaggedOutput:
        self.counters.dead_letter(kind)
        return pvalue.TaggedOutput(DEAD_LETTER_TAG, dead_letter_for_element(element, kind, message, self.STAGE))

    def _emit(self, element: Any, result: Any) -> Any:
        """The output for ``result`` (or the dead letter for it, or for the exception it is)."""
        if isinstance(result, StageError):
            return self._dead(element, result.kind, result.message)
        if isinstance(result, Exception):
            return self._dead(element, f"{self.STAGE}_error", f"{type(result).__name__}: {result}")
        reason = unencodable_reason(result)
        if reason is not None:
            return self._dead(element, "unencodable_record", f"the runner cannot encode this record: {reason}")
        self.counters.records_out()
        return result

    def process(self, element: Any) -> Iterator[Any]:
        self.counters.records_in()
        started = time.perf_counter()
        try:
            result = self.apply(element)
        except Exception as e:  # noqa: BLE001 - one element must never stop the stream
            result = e
        out = self._emit(element, result)
        self.counters.spent(time.perf_counter() - started)
        yield out


class BatchStageFn(StageFn):
    """A stage that works on lists of elements (``BatchElements`` upstream)."""

    def apply_batch(self, batch: Sequence[Any]) -> list[Any]:
        """One output per element, in order."""
        raise NotImplementedError

    def process(self, batch: Sequence[Any]) -> Iterator[Any]:
        self.counters.records_in(len(batch))
        started = time.perf_counter()
        try:
            results = list(self.apply_batch(batch))
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        except Exception:  # noqa: BLE001 - find the element that broke the batch
            results = []
            for element in batch:
                try:
                    results.append(self.apply_batch([element])[0])
                except Exception as e:  # noqa: BLE001
                    results.append(e)
        outs = [self._emit(element, result) for element, result in zip(batch, results)]
        self.counters.spent(time.perf_counter() - started)
        yield from outs


class Stage(beam.PTransform):
    """Applies a :class:`StageFn`; returns ``(outputs, dead_letters)``."""

    def __init__(self, fn: StageFn, label: str = "Apply"):
        super().__init__()
        self.fn = fn
        self.label = label

    def expand(self, pcoll):
        outputs = pcoll | self.label >> beam.ParDo(self.fn).with_outputs(DEAD_LETTER_TAG, main="out")
        return outputs.out, outputs[DEAD_LETTER_TAG]
