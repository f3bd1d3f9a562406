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

__all__ = ["RunValues", "coalition_codes", "run_passes", "sample_empty"]

#: model outputs gathered at once when each sample's v(∅) is taken from the background's
_CHUNK = 1 << 22


@dataclass
class RunValues:
    """What the passes computed: ``full (N, C)``, ``cls (N,)``, ``values (N, 2**M, C or 1)``,
    per-row outputs ``rows (N, 2**M, K)`` or None, precision ``rounds``, the shared
    v(∅) per-row outputs ``empty_rows (K, C)`` or None, and a sampled run's precision
    ``targets`` in output units (None otherwise)."""

    full: np.ndarray
    cls: np.ndarray
    values: np.ndarray
    rows: np.ndarray | None
    rounds: list
    empty_rows: np.ndarray | None
    targets: dict | None = None


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
    used = None
    if sampled:  # v(∅) of each sample over its own rows, as every other coalition
        values[:, 0], e_rows = sample_empty(masker, empty.rows, cls, keep_all, 0, k_first, rows is not None)
        if rows is not None:
            rows[:, 0, :k_first] = e_rows
        rows, rounds, used = _refine(engine, spec, masker, values, rows, cls, keep_all, targets, k_first, empty.rows)
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"non-finite coalition value for sample {bad[0]}, coalition {bad[1]}")
    return RunValues(full, cls, values, rows, rounds, None if empty is None else empty.rows, used)


def sample_empty(masker: SampledMasker, empty_rows: np.ndarray, cls: np.ndarray, keep_all: bool, k0: int, k1: int,
                 keep_rows: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """v(∅) of every sample over its own background rows ``k0..k1`` (the rows all its
    other coalitions use), from the outputs on the whole background ``empty_rows``
    ``(B, C)``: ``(means (N, C or 1), per-row outputs of the explained class
    (N, k1 − k0) float32 or None)``. The means are taken as :meth:`.Run.pair_outputs`
    takes them (a mean over the rows' outputs), so a modality the model ignores gets
    exactly the value of the coalition without it."""
    n = cls.shape[0]
    width = empty_rows.shape[1] if keep_all else 1
    means = np.empty((n, width))
    rows = np.empty((n, k1 - k0), dtype=np.float32) if keep_rows else None
    step = max(1, _CHUNK // max((k1 - k0) * empty_rows.shape[1], 1))
    for s0 in range(0, n, step):
        s1 = min(n, s0 + step)
        per_row = empty_rows[masker.rows(np.arange(s0, s1), k0, k1)]  # (n', K, C)
        out = per_row.mean(1)
        means[s0:s1] = out if keep_all else out[np.arange(s1 - s0), cls[s0:s1]][:, None]
        if rows is not None:
            rows[s0:s1] = per_row[np.arange(s1 - s0), :, cls[s0:s1]]
    return means, rows


def _refine(engine: Any, spec: PassSpec, masker: SampledMasker, values: np.ndarray, rows: np.ndarray | None,
            cls: np.ndarray, keep_all: bool, targets: dict | None, k_done: int, empty_rows: np.ndarray) -> tuple:
    """More rows per sample until the precision targets hold: ``(rows (N, 2**M, K), rounds,
    targets in output units)``."""
    codes = np.concatenate([[0], spec.codes])  # ∅ too: each sample's own rows

    def add_rows(k0: int, k1: int, index: int) -> None:
        more = engine.run_pass(PassSpec(index, spec.codes, spec.masks, k0, k1, True, False), cls)
        e_mean, e_rows = sample_empty(masker, empty_rows, cls, keep_all, k0, k1, True)
        new = np.concatenate([e_mean[:, None], more.values], axis=1)
        values[:, codes] = (values[:, codes] * k0 + new * (k1 - k0)) / k1  # running mean
        rows[:, codes, k0:k1] = np.concatenate([e_rows[:, None], more.rows], axis=1)

    k_done, rounds, used = rounds_to_precision(add_rows, rows, values, cls, keep_all, masker,
                                               targets or DEFAULT_PRECISION, k_done)
    masker.k0, masker.n_rows = 0, k_done  # what the run used, for describe()
    return (None if rows is None else rows[:, :, :k_done]), rounds, used
