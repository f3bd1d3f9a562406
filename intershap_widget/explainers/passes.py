"""The long run of :func:`intershap_widget.explain` as passes over shards, on any
:class:`~.engine.Engine` (this process or Dask workers): v(∅) once, a first pass for
the full outputs and every coalition, and, for a sampled background to a precision
target, further passes over more rows per sample (:mod:`.precision`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..maths import games
from .maskers import Masker, SampledMasker
from .precision import DEFAULT_PRECISION, first_round, rounds_to_precision, rows_to_keep, target_values
from .shards import PassSpec, target_classes

__all__ = ["RunValues", "coalition_codes", "run_passes"]


@dataclass
class RunValues:
    """What the passes computed: ``full (N, C)``, ``cls (N,)``, ``values (N, 2**M, C or 1)``,
    per-row outputs ``rows (N, 2**M, K)`` or None, precision ``rounds``, the shared
    v(∅) per-row outputs ``empty_rows (K, C)`` or None."""

    full: np.ndarray
    cls: np.ndarray
    values: np.ndarray
    rows: np.ndarray | None
    rounds: list
    empty_rows: np.ndarray | None


def coalition_codes(m: int, shared_empty: bool) -> np.ndarray:
    """Coalitions evaluated per sample ``(B,)``: all but N, and ∅ only when the masker
    does not share it."""
    inner = np.arange(1, (1 << m) - 1, dtype=np.int64)
    return inner if shared_empty else np.concatenate([[0], inner])


def run_passes(engine: Any, masker: Masker, m: int, n_cols: int, output: str, target: Any,
               targets: dict | None) -> RunValues:
    """Every coalition value of the run on ``engine`` (see the module docstring)."""
    n, c, keep_all = engine.n, 1 << m, target == "all"
    sampled = isinstance(masker, SampledMasker)
    codes = coalition_codes(m, masker.shared_empty)
    masks = games.coalition_masks(m)[codes]
    empty = engine.empty(masker.empty_inputs()[0].shape[0]) if masker.shared_empty else None
    if sampled:
        k_first, width = first_round(n, c, masker)
    else:
        k_first, width = None, rows_to_keep(masker, n, c)
    spec = PassSpec(0, codes, masks, 0, k_first, width is not None, True)
    first = engine.run_pass(spec, None)
    full = first.full
    cls = target_classes(full, output, target)
    values = np.empty((n, c, n_cols if keep_all else 1))
    values[:, -1] = full if keep_all else full[np.arange(n), cls][:, None]
    if empty is not None:
        values[:, 0] = empty.mean[None, :] if keep_all else empty.mean[cls][:, None]
    values[:, codes] = first.values
    rows = None
    if width is not None:
        rows = np.empty((n, c, width), dtype=np.float32)
        fixed = target_values(values, cls, keep_all)
        rows[:, -1] = fixed[:, -1:]
        if masker.shared_empty:
            rows[:, 0] = fixed[:, :1]
        rows[:, codes, :first.rows.shape[2]] = first.rows
    rounds: list = []
    if sampled:
        rows, rounds = _refine(engine, spec, masker, values, rows, cls, keep_all, targets, k_first)
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"non-finite coalition value for sample {bad[0]}, coalition {bad[1]}")
    return RunValues(full, cls, values, rows, rounds, None if empty is None else empty.rows)


def _refine(engine: Any, spec: PassSpec, masker: SampledMasker, values: np.ndarray, rows: np.ndarray | None,
            cls: np.ndarray, keep_all: bool, targets: dict | None, k_done: int) -> tuple:
    """More rows per sample until the precision targets hold: ``(rows (N, 2**M, K), rounds)``."""
    codes = spec.codes

    def add_rows(k0: int, k1: int, index: int) -> None:
        more = engine.run_pass(PassSpec(index, codes, spec.masks, k0, k1, True, False), cls)
        values[:, codes] = (values[:, codes] * k0 + more.values * (k1 - k0)) / k1  # running mean
        rows[:, codes, k0:k1] = more.rows

    k_done, rounds = rounds_to_precision(add_rows, rows, values, cls, keep_all, masker,
                                         targets or DEFAULT_PRECISION, k_done)
    masker.k0, masker.n_rows = 0, k_done  # what the run used, for describe()
    return (None if rows is None else rows[:, :, :k_done]), rounds
