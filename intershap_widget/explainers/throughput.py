"""The batch size at which the run goes fastest: a short calibration on the probe.

Model rows are the whole cost of explain(), so the batch size decides its speed. What
is fastest depends on the model, the masker and the machine (measured: the paper's
FCNN on one CPU thread ran fastest at 1,000 rows on one machine and at 65,536 on
another), so a run large enough to afford it times the powers of two from 1,024 to
65,536 rows on blocks built exactly as the run builds them (the masker's rows for real
samples and coalitions, the model call, the output checks: :meth:`.run.Run.pair_outputs`).

Sizes are timed in ascending order until the rate has fallen off the plateau for two
sizes in a row (larger sizes only get slower from there) or the budget ends. One timing
on a busy machine is noise, so each size is timed on several blocks, in rounds that
visit the sizes in alternating order, and keeps its *fastest* block (another process
only ever adds time). The sizes within :data:`_PLATEAU` of the best rate form the
plateau, and the run takes the middle of it (in powers of two): a size on the plateau's
edge that the noise moves in or out shifts the pick by at most one power of two.

The calibration costs at most 1/:data:`_COST_SHARE` of the run's rows (sizes are dropped
from the top to fit; fewer than two sizes: the memory rule of
:func:`.run.auto_batch_size`); the rows are recorded as ``settings["calibration_rows"]``,
not in ``model_rows``.
"""

from __future__ import annotations

import time

import numpy as np

from .run import _ACCELERATOR_BATCH_BYTES, Run, row_bytes

__all__ = ["CANDIDATES", "calibrate_batch_size", "plateau_pick"]

CANDIDATES = tuple(1 << p for p in range(10, 17))  # 1,024 … 65,536
_COST_SHARE = 25
#: rows timed per size and round at least (small sizes run several blocks)
_MIN_ROWS = 4096
_ROUNDS = 3
#: a size whose rate is within this fraction of the best is on the plateau
_PLATEAU = 0.9


def plateau_pick(speed: dict) -> int:
    """The middle of the plateau of ``{size: rows/s}``: the median, in powers of two, of
    the sizes within :data:`_PLATEAU` of the best rate (the lower one of two)."""
    best = max(speed.values())
    flat = sorted(c for c, v in speed.items() if v >= _PLATEAU * best)
    return int(flat[(len(flat) - 1) // 2])


def _block(size: int, k: int) -> int:
    """Rows of one block at batch size ``size``: whole pairs of K rows (at least one)."""
    return max(1, size // k) * k


def calibrate_batch_size(run: Run, expected_rows: int, default: int) -> tuple[int, int, dict]:
    """``(batch size, rows spent, {size: rows/s})`` for ``run``; ``default`` when the run is
    too small to time at least two sizes within its calibration share."""
    masker, xs = run.masker, run.xs
    k = max(int(masker.n_rows), 1)
    one_row = row_bytes(xs)
    sizes, seen = [], set()
    for c in CANDIDATES:  # sizes below K all give one pair per block: keep the first
        if c * one_row <= _ACCELERATOR_BATCH_BYTES and _block(c, k) not in seen:
            seen.add(_block(c, k))
            sizes.append(c)
    budget = expected_rows // _COST_SHARE

    def cost(c: int) -> int:  # rows of one size in one round
        return _block(c, k) * max(1, _MIN_ROWS // _block(c, k))

    if len(sizes) < 2 or _ROUNDS * (cost(sizes[0]) + cost(sizes[1])) > budget:
        return default, 0, {}
    m, n = len(xs), int(xs[0].shape[0])
    # coalitions of at most 20 players' bits: the sampler's and the feature path's M may pass 16
    codes_all = np.arange(1, (1 << min(m, 20)) - 1, dtype=np.int64) if m > 1 else np.ones(1, dtype=np.int64)

    def block(c: int) -> float:
        p = max(1, c // k)
        sample = np.sort(np.arange(p) % n)
        codes = codes_all[np.arange(p) % len(codes_all)]
        t = time.perf_counter()
        run.pair_outputs(sample, ((codes[:, None] >> np.arange(m)) & 1).astype(bool), codes)
        return (time.perf_counter() - t) / (p * k)

    def time_size(c: int) -> None:
        for _ in range(max(1, _MIN_ROWS // _block(c, k))):
            per_row[c] = min(per_row.get(c, np.inf), block(c))

    seen_rows = run.rows_done
    block(sizes[0])  # warm-up
    per_row: dict = {}
    used = 0
    for c in sizes:  # ascending, until past the plateau or out of budget
        if len(per_row) >= 2 and used + _ROUNDS * cost(c) > budget:
            break
        time_size(c)
        used += _ROUNDS * cost(c)
        rates = [1 / per_row[s] for s in per_row]
        if len(rates) >= 3 and max(rates[-2:]) < _PLATEAU * max(rates):
            break
    measured = list(per_row)
    for r in range(1, _ROUNDS):  # more rounds over the measured sizes, alternating order
        for c in (measured[::-1] if r % 2 else measured):
            time_size(c)
    spent = run.rows_done - seen_rows
    run.rows_done = seen_rows  # calibration rows are not the run's rows
    speed = {int(c): 1.0 / max(t, 1e-12) for c, t in per_row.items()}
    return plateau_pick(speed), int(spent), speed
