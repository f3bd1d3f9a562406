"""Seconds per model row, and a check that rows × seconds-per-row predicts explain()'s time.

The cost model of docs/scale.md: an exact run (expectation masking over K background
rows) pushes rows = N·(2**M − 2)·K + N + K rows through the model, and its time is
rows × s/row. This script measures s/row in one process, one thread, on:

* the paper's early-fusion FCNN (``intershap_widget.paper.fusion``, HD-XOR synergy
  data from ``intershap_widget.paper.datasets``) at M = 2, 3, 4;
* two models of the shape of the paper's MIMIC-III set-up (static (5,) + time series
  (24, 12)): an early-fusion FCNN on the 293 inputs, and a stand-in for the MultiBench
  baseline (MLP 5→10→10 on the static data, a GRU with 30 units over the 24 hours,
  flattened, MLP 730→40→2).

For each model, a "fit" run gives s/row = wall time / ``res.settings["model_rows"]``;
"check" runs at other (N, K), 2–4× more rows, are predicted as rows × that s/row and the
ratio predicted / measured is printed (1.00 = the model holds). Every run uses
``precision=None, masking="expectation", n_background=K`` with a background of exactly K
rows (so every sample sees every row: the formula above is exact) and a pinned
``batch_size``; each time is the best of ``--repeats`` interleaved runs. Weights are
untrained: the time of a forward pass does not depend on them.

Usage: PYTHONPATH=$PWD python benchmarks/cost_model.py [--repeats 2] [--batch-size 4096]
           [--json docs/scale_costs.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

import intershap_widget as isw
from intershap_widget.paper import datasets as D
from intershap_widget.paper import fusion as F

# (label, M, fit (N, K), checks [(N, K), ...]); each run well under 30 s here
FCNN_RUNS = [
    ("FCNN early, HD-XOR M=2 (D=200)", 2, (1000, 500), [(4000, 500), (1000, 2000)]),
    ("FCNN early, HD-XOR M=3 (D=300)", 3, (500, 300), [(2000, 300), (500, 1200)]),
    ("FCNN early, HD-XOR M=4 (D=410)", 4, (200, 300), [(800, 300), (200, 1200)]),
]
# MIMIC shapes (M=2): the GRU stand-in is ~20x slower per row than the FCNN here
MIMIC_RUNS = [
    ("FCNN early, MIMIC shapes (5 + 24x12 = 293)", "fcnn", (1000, 500), [(4000, 500), (1000, 2000)]),
    ("GRU baseline stand-in, MIMIC shapes", "gru", (200, 200), [(800, 200), (200, 800)]),
]


class GRUBaseline(nn.Module):
    """MIMIC-shaped stand-in for the MultiBench baseline: static ``(B, 5)`` → MLP 5→10→10;
    series ``(B, 24, 12)`` → GRU(12, 30), all 24 hidden states flattened (720); concat
    (730) → MLP 730→40→2. Returns logits ``(B, 2)``."""

    def __init__(self) -> None:
        super().__init__()
        self.static = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 10))
        self.gru = nn.GRU(12, 30, batch_first=True)
        self.head = nn.Sequential(nn.Linear(730, 40), nn.ReLU(), nn.Linear(40, 2))

    def forward(self, xs: Sequence[torch.Tensor]) -> torch.Tensor:
        static, series = xs
        hidden, _ = self.gru(series)
        return self.head(torch.cat([self.static(static), hidden.flatten(1)], dim=1))


class FlatFCNN(nn.Module):
    """The paper's early-fusion FCNN on MIMIC's shapes: static ``(B, 5)`` and series
    ``(B, 24, 12)`` flattened and concatenated (293) → 146 → 73 → 2."""

    def __init__(self) -> None:
        super().__init__()
        self.net = F.make_model((5, 288), "early", n_classes=2, seed=1)

    def forward(self, xs: Sequence[torch.Tensor]) -> torch.Tensor:
        static, series = xs
        return self.net([static, series.flatten(1)])


def timed(model: nn.Module, X: list, bg: list, k: int, batch_size: int) -> tuple[float, int]:
    """(wall seconds, model rows) of one single-process exact run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        res = isw.explain(model, X, bg, precision=None, masking="expectation", n_background=k,
                          batch_size=batch_size, output="logits", progress=False)
        dt = time.perf_counter() - t
    n, m = X[0].shape[0], len(X)
    rows = int(res.settings["model_rows"])
    assert rows == n * (2**m - 2) * k + n + k, (rows, n, m, k)
    return dt, rows


def bench(label: str, model: nn.Module, data: Callable[[int, int], tuple[list, list]],
          fit: tuple[int, int], checks: list[tuple[int, int]], repeats: int, batch_size: int) -> list[dict]:
    """Fit s/row on ``fit``, predict ``checks``; one dict per run (the fit first)."""
    configs = [fit, *checks]
    best = {c: (float("inf"), 0) for c in configs}
    for _ in range(repeats):  # interleaved: every config sees the same machine load
        for n, k in configs:
            X, bg = data(n, k)
            dt, rows = timed(model, X, bg, k, batch_size)
            print(f"    run N={n} K={k}: {rows:,} rows, {dt:.2f} s", file=sys.stderr, flush=True)
            best[(n, k)] = (min(best[(n, k)][0], dt), rows)
    s_row = best[fit][0] / best[fit][1]
    m = len(data(1, 1)[0])
    out = []
    print(f"\n{label}: M={m}, batch_size={batch_size}, fit at N={fit[0]}, K={fit[1]}")
    print(f"  {'N':>6} {'K':>6} {'model rows':>12} {'measured s':>10} {'us/row':>7} {'predicted s':>11} {'pred/meas':>9}")
    for n, k in configs:
        dt, rows = best[(n, k)]
        pred = rows * s_row
        tag = "  (fit)" if (n, k) == fit else ""
        print(f"  {n:>6} {k:>6} {rows:>12,} {dt:>10.2f} {dt / rows * 1e6:>7.2f} {pred:>11.2f} {pred / dt:>9.2f}{tag}")
        out.append(dict(model=label, M=m, N=n, K=k, rows=rows, seconds=round(dt, 3),
                        us_per_row=round(dt / rows * 1e6, 3), predicted_seconds=round(pred, 3),
                        predicted_over_measured=round(pred / dt, 3), fit=(n, k) == fit))
    return out


def hdxor_data(m: int) -> Callable[[int, int], tuple[list, list]]:
    ds = D.hd_xor("synergy", m, 10_000, seed=0)
    xs = [np.ascontiguousarray(x, dtype=np.float32) for x in ds.X]
    return lambda n, k: ([x[:n] for x in xs], [x[-k:] for x in xs])


def mimic_data() -> Callable[[int, int], tuple[list, list]]:
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(6000, 5)).astype(np.float32), rng.normal(size=(6000, 24, 12)).astype(np.float32)]
    return lambda n, k: ([x[:n] for x in xs], [x[-k:] for x in xs])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=4096)
    ap.add_argument("--json", default=None, help="write the table to this file")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, CPU; times: best of {args.repeats}")
    records = []
    for label, m, fit, checks in FCNN_RUNS:
        data = hdxor_data(m)
        model = F.make_model(D.HD_XOR_DIMS[m], "early", n_classes=2, seed=1).eval()
        records += bench(label, model, data, fit, checks, args.repeats, args.batch_size)
    for label, kind, fit, checks in MIMIC_RUNS:
        torch.manual_seed(1)
        model = FlatFCNN() if kind == "fcnn" else GRUBaseline()
        records += bench(label, model.eval(), mimic_data(), fit, checks, args.repeats, args.batch_size)
    ratios = [r["predicted_over_measured"] for r in records if not r["fit"]]
    print(f"\npredicted / measured over all check runs: min {min(ratios):.2f}, max {max(ratios):.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(torch=torch.__version__, threads=1, batch_size=args.batch_size,
                           repeats=args.repeats, runs=records), fh, indent=1)


if __name__ == "__main__":
    main()
