"""Sampling estimator at M = 8..10, where the exact answer is still computable.

For each M: a synthetic game (main effects, pairs and triples; shared + per-sample
parts; N samples), budgets from ~6 % to 50 % of the 2**M coalitions, many seeds.
Prints the RMSE against the exact values, the mean stated standard error, and how often
the 95 % interval (estimate ± 1.96 SE) covers the exact value ("no SE" below
``sampling.reliable_budget(M)``, where standard errors are NaN), for Shapley values,
φ entries, the global mean φ, global InterSHAP and the mean local InterSHAP.

    PYTHONPATH=. python benchmarks/bench_sampling.py [--seeds 40] [--samples 50]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from intershap_widget.explainers import sampling as sp
from intershap_widget.maths.result import InteractionResult


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--samples", type=int, default=50)
    args = ap.parse_args()
    t0 = time.perf_counter()
    print("rows: RMSE | mean stated SE | coverage of the 95 % interval (target 0.95)")
    for m in (8, 9, 10):
        v = sp.structured_game(m, args.samples, seed=m)
        ex = InteractionResult(v)
        fn = sp.table_value_function(v)
        print(f"\nM = {m}: 2**M = {1 << m} coalitions per sample, exact InterSHAP = "
              f"{100 * ex.intershap:.1f} %, local mean = {100 * ex.intershap_local_mean:.1f} %")
        print(f"{'budget':>7} {'share':>6} | {'Shapley':^20} | {'phi':^20} | {'mean phi':^20} |"
              f" {'InterSHAP':^20} | {'local mean':^20}")
        floor = 2 + 2 * m + 2 * (m - 3)
        first = sp.reliable_budget(m)  # smallest budget with standard errors
        for budget in sorted({max(floor, (1 << m) // d) for d in (16, 8, 4, 2)} | {first}):
            err = {k: [] for k in ("shap", "phi", "mean", "glob", "loc")}
            ses = {k: [] for k in err}
            for seed in range(args.seeds):
                with warnings.catch_warnings():  # below reliable_budget: SE NaN + SamplingWarning
                    warnings.simplefilter("ignore", sp.SamplingWarning)
                    r = sp.sample_interactions(fn, m, budget, seed=seed)
                pairs = {
                    "shap": (r.shapley - ex.shapley, r.shapley_se),
                    "phi": (r.phi - ex.phi, r.phi_se),
                    "mean": (r.mean_phi - ex.phi.mean(axis=0), r.mean_phi_se),
                    "glob": (np.array(r.intershap - ex.intershap), np.array(r.intershap_se)),
                    "loc": (np.array(r.intershap_local_mean - ex.intershap_local_mean),
                            np.array(r.intershap_local_mean_se)),
                }
                for k, (e, s) in pairs.items():
                    err[k].append(np.ravel(e))
                    ses[k].append(np.ravel(s))
            cells = []
            for k in err:
                e, s = np.concatenate(err[k]), np.concatenate(ses[k])
                rmse = np.sqrt(np.mean(e ** 2))
                cover = np.mean(np.abs(e) <= 1.96 * s)
                if np.all(np.isnan(s)):
                    cells.append(f"{rmse:6.3f} {'no SE':>12}")
                else:
                    cells.append(f"{rmse:6.3f} {s.mean():6.3f} {cover:5.2f}")
            print(f"{budget:7d} {budget / (1 << m):6.1%} | " + " | ".join(cells))
    print(f"\n({args.seeds} seeds per row, N = {args.samples} samples; {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
