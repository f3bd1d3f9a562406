"""The batch size at which the model runs fastest: a short calibration on the probe.

Model rows are the whole cost of explain(), so the batch size decides its speed. What
is fastest depends on the model and the machine (measured: the paper's FCNN on one CPU
thread ran fastest at 1,000 rows on one machine and at 65,536 on another), so a run
large enough to afford it times one forward pass at each of a few batch sizes on real
rows of X and keeps the fastest; smaller runs take the memory rule of
:func:`.run.auto_batch_size`. The calibration costs at most 1/:data:`_COST_SHARE` of
the run's rows; they are recorded as ``settings["calibration_rows"]``, not in
``model_rows``.
"""

from __future__ import annotations

import time


import numpy as np

from .run import _ACCELERATOR_BATCH_BYTES, Run, row_bytes

__all__ = ["CANDIDATES", "calibrate_batch_size"]

CANDIDATES = (1024, 4096, 16384, 65536)
_COST_SHARE = 50


def calibrate_batch_size(run: Run, expected_rows: int, default: int) -> tuple[int, int, dict]:
    """``(batch size, rows spent, {candidate: rows/s})`` for ``run``; ``default`` when the
    run is too small for at least two candidates within its calibration share."""
    xs = run.xs
    one_row = row_bytes(xs)
    budget = expected_rows // _COST_SHARE
    picked = [c for c in CANDIDATES if c * one_row <= _ACCELERATOR_BATCH_BYTES]
    while picked and sum(picked) + picked[0] > budget:
        picked.pop()
    if len(picked) < 2:
        return default, 0, {}
    n = xs[0].shape[0]
    idx = np.arange(picked[-1]) % n
    rows_in = [run.adapter.take(x, idx) for x in xs]
    adapter, spent, speed = run.adapter, 0, {}
    seen = run.rows_done
    run.forward([x[: picked[0]] for x in rows_in], lambda: "while timing batch sizes")  # warm-up
    spent += picked[0]
    for c in picked:
        t = time.perf_counter()
        adapter.to_numpy(run.forward([x[:c] for x in rows_in], lambda: "while timing batch sizes"))
        speed[c] = c / max(time.perf_counter() - t, 1e-9)
        spent += c
    run.rows_done = seen  # calibration rows are not the run's rows
    best = max(speed, key=speed.get)
    return int(best), int(spent), {int(k): float(v) for k, v in speed.items()}
