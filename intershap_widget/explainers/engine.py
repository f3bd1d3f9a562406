"""Where the passes of a run are computed: :class:`LocalEngine` in this process,
:class:`~intershap_widget.explainers.distributed.DaskEngine` on Dask workers. Both walk
the same shards with :func:`~.shards.compute_shard` and share the bookkeeping here: a
checkpoint store (:mod:`.checkpoint`) gives back the shards already finished and saves
each new one as it completes; one tqdm bar counts the model rows of the whole run.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .run import Run
from .shards import PassSpec, Shard, ShardResult, combine, compute_shard

__all__ = ["Engine", "LocalEngine", "EmptyValue"]


class EmptyValue:
    """v(∅) shared by every sample: ``mean (C,)`` over the background and the per-row
    outputs ``rows (K, C)`` (a subsampled run's masking error)."""

    def __init__(self, mean: np.ndarray, rows: np.ndarray) -> None:
        self.mean, self.rows = mean, rows


class Engine:
    """Runs passes (:class:`~.shards.PassSpec`) over ``shards``; ``store`` a
    :class:`~.checkpoint.Checkpoint` or None; ``bar`` a tqdm bar over model rows;
    ``k`` the masker's rows per pair."""

    def __init__(self, shards: list[Shard], k: int, target: Any, bar, store: Any = None) -> None:
        self.shards, self.k, self.target, self.bar, self.store = shards, int(k), target, bar, store
        #: model rows behind the result (resumed shards included) and shards read back
        self.model_rows = 0
        self.shards_loaded = 0
        self.shards_run = 0
        #: model rows of the passes planned so far (for progress and error messages)
        self.total_rows = 0

    @property
    def n(self) -> int:
        return self.shards[-1].stop

    def _compute(self, spec: PassSpec, pending: list[Shard], cls: np.ndarray | None) -> Iterator:
        """``(shard, ShardResult)`` for the pending shards, as they complete."""
        raise NotImplementedError

    def _empty(self) -> EmptyValue:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (nothing for a local run)."""

    def _plan(self, rows: int) -> None:
        self.total_rows += int(rows)
        self.bar.total = self.total_rows
        self.bar.refresh()

    def run_pass(self, spec: PassSpec, cls: np.ndarray | None) -> ShardResult:
        """The pass ``spec`` over every shard (``cls`` ``(N,)``: the explained classes,
        None in the first pass), finished shards read back from the store."""
        rows_per_sample = spec.rows_per_sample(self.k)
        self._plan(self.n * rows_per_sample)
        parts = {} if self.store is None else self.store.load_pass(spec, self.shards)
        self.bar.update(sum(s.size for s in self.shards if s.index in parts) * rows_per_sample)
        self.shards_loaded += len(parts)
        pending = [s for s in self.shards if s.index not in parts]
        for shard, result in self._compute(spec, pending, cls):
            parts[shard.index] = result
            self.shards_run += 1
            if self.store is not None:
                self.store.save_shard(spec, shard, result)
        out = combine(parts, self.shards)
        self.model_rows += out.model_rows
        return out

    def empty(self, n_rows: int) -> EmptyValue:
        """v(∅) over the ``n_rows`` background rows (read back from the store if saved)."""
        self._plan(n_rows)
        cached = None if self.store is None else self.store.load_empty()
        if cached is not None:
            self.bar.update(n_rows)
            value = EmptyValue(*cached)
        else:
            value = self._empty()
            if self.store is not None:
                self.store.save_empty(value.mean, value.rows)
        self.model_rows += n_rows
        return value


class LocalEngine(Engine):
    """The passes in this process, shard after shard, on a bound whole-run :class:`Run`."""

    def __init__(self, run: Run, shards: list[Shard], target: Any, bar, store: Any = None) -> None:
        super().__init__(shards, run.masker.n_rows, target, bar, store)
        self.run = run

    def _plan(self, rows: int) -> None:
        super()._plan(rows)
        self.run.total_rows = self.total_rows

    def _compute(self, spec: PassSpec, pending: list[Shard], cls: np.ndarray | None) -> Iterator:
        for shard in pending:
            part = None if cls is None else cls[shard.start:shard.stop]
            with self.run.adapter.session():  # torch: eval mode, no autograd; restored after
                result = compute_shard(self.run, shard, spec, self.target, part, self.bar)
            yield shard, result

    def _empty(self) -> EmptyValue:
        with self.run.adapter.session():
            return EmptyValue(*self.run.mean_over_rows(self.run.masker.empty_inputs(), self.bar))
