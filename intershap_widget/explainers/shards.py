"""Shards: the long run of :func:`intershap_widget.explain` split into contiguous ranges
of *global* sample indices, each computed by one function, :func:`compute_shard`.

A run is one or more *passes* over the shards (:class:`PassSpec`): the first computes
the full outputs and the coalition values over background rows ``k0..k1``; a sampled
run to a precision target adds passes over further rows. The local run, a checkpointed
run and a run on Dask workers all walk the same shards (:func:`plan_shards` depends
only on N, the rows per sample and ``shard_size``, never on the number of workers) and
compute each with :func:`compute_shard`, so every model batch holds the same rows in
every case and the coalition values are bit-identical. The maskers see global sample
ids (``Run.offset``): random draws and per-sample background rows do not depend on
sharding either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .run import Run

__all__ = ["DEFAULT_SHARD_ROWS", "Shard", "PassSpec", "ShardResult", "plan_shards", "target_classes",
           "compute_shard", "combine"]

#: model rows per shard when ``shard_size`` is not given (about 0.1–1 s of a small CPU
#: model, minutes of a transformer: a worker's per-task overhead stays small)
DEFAULT_SHARD_ROWS = 1 << 18


@dataclass(frozen=True)
class Shard:
    """Samples ``start:stop`` (global indices) of a run; ``index`` numbers the shard."""

    index: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class PassSpec:
    """One walk over the shards: the coalitions ``codes`` ``(B,)`` with ``masks``
    ``(B, M)``, background rows ``k0..k1`` of a sampled masker (``k1 = None``: the
    masker's K), per-row outputs kept or not, full outputs computed (the first pass)."""

    index: int
    codes: np.ndarray
    masks: np.ndarray
    k0: int = 0
    k1: int | None = None
    keep_rows: bool = False
    with_full: bool = True

    def rows_per_sample(self, k: int) -> int:
        """Model rows per sample of this pass for a masker of ``k`` rows per pair."""
        width = (self.k1 - self.k0) if self.k1 is not None else k
        return len(self.codes) * width + int(self.with_full)


@dataclass
class ShardResult:
    """One shard's part of a pass: ``full (n_s, C)`` (first pass, else None), coalition
    values ``(n_s, B, C or 1)``, per-row outputs ``(n_s, B, K)`` float32 or None, and
    the model rows it ran."""

    full: np.ndarray | None
    values: np.ndarray
    rows: np.ndarray | None
    model_rows: int


def plan_shards(n: int, rows_per_sample: int, shard_size: int | None = None) -> list[Shard]:
    """Contiguous shards of ``shard_size`` samples covering samples ``0..n-1``; by
    default the fewest equal shards of at most about :data:`DEFAULT_SHARD_ROWS` model
    rows each (a function of N and the rows per sample only, never of the workers)."""
    if shard_size is None:
        n_shards = -(-n * max(1, int(rows_per_sample)) // DEFAULT_SHARD_ROWS)
        shard_size = -(-n // max(1, n_shards))
    size = int(min(int(shard_size), n))
    return [Shard(i, s, min(n, s + size)) for i, s in enumerate(range(0, n, size))]


def target_classes(full: np.ndarray, output: str, target: Any) -> np.ndarray:
    """The class explained per sample ``(n,)`` from the full outputs ``(n, C)``: the
    argmax for ``"predicted"``/``"all"``, 0 for regression, else ``target``."""
    n = full.shape[0]
    if output == "regression":
        return np.zeros(n, dtype=np.int64)
    if target in ("predicted", "all"):
        return np.argmax(full, axis=1)
    return np.full(n, int(target), dtype=np.int64)


def compute_shard(run: Run, shard: Shard, spec: PassSpec, target: Any, cls: np.ndarray | None, bar) -> ShardResult:
    """One shard's part of the pass ``spec`` on the whole-run ``run`` (its masker bound);
    ``cls`` ``(n_s,)`` the shard's explained classes (None in the first pass: taken
    from the full outputs computed here)."""
    part = run.shard(shard.start, shard.stop)
    masker = part.masker
    if spec.k1 is not None:  # a sampled masker: rows k0..k1 of every sample's own sequence
        masker.k0, masker.n_rows = spec.k0, spec.k1 - spec.k0
    before = part.rows_done
    full = part.full_outputs(bar) if spec.with_full else None
    if cls is None:
        cls = target_classes(full, run.output, target)
    values, rows = part.pair_values(spec.codes, spec.masks, cls, target == "all", bar, spec.keep_rows)
    return ShardResult(full, values, rows, part.rows_done - before)


def combine(parts: dict[int, ShardResult], shards: list[Shard]) -> ShardResult:
    """The whole pass from its shards, in sample order."""
    ordered = [parts[s.index] for s in shards]
    full = None if ordered[0].full is None else np.concatenate([p.full for p in ordered], axis=0)
    rows = None if ordered[0].rows is None else np.concatenate([p.rows for p in ordered], axis=0)
    values = np.concatenate([p.values for p in ordered], axis=0)
    return ShardResult(full, values, rows, sum(p.model_rows for p in ordered))
