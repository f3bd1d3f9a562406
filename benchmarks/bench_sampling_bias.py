"""Coverage of the sampler's InterSHAP intervals over many seeded games, and what its
bias diagnostic (settings["bias"], the SamplingWarning) says about them.

For each M and budget: G seeded table games (``structured_game(M, N, seed=g)``, main
effects, pairs and triples), each sampled once (design seed g). Prints, for global
InterSHAP and the local mean: the coverage of estimate ± 1.96 SE, the mean error in
stated SEs (the bias), the same for the first-order corrected value
(settings["bias"]["corrected"]), how often the sampler warned, and the coverage among
the runs it did not warn about.

    PYTHONPATH=. python benchmarks/bench_sampling_bias.py [--games 200] [--samples 50]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from intershap_widget.explainers import sampling as sp
from intershap_widget.maths.result import InteractionResult

CASES = {5: (22,), 6: (29, 32, 45), 8: (45, 64, 128), 10: (61, 256)}


def run_case(m: int, budget: int, games: int, samples: int) -> dict:
    """Per-run z-scores (error / stated SE) and warnings for one (M, budget)."""
    rows = []
    for g in range(games):
        v = sp.structured_game(m, samples, seed=1000 * m + g)
        ex = InteractionResult(v)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            r = sp.sample_interactions(sp.table_value_function(v), m, budget, seed=g)
        warned = any("biased upward" in str(w.message) for w in rec)
        b = r.settings["bias"]
        rows.append((
            (r.intershap - ex.intershap) / r.intershap_se,
            (b["corrected"]["global"] - ex.intershap) / r.intershap_se,
            (r.intershap_local_mean - ex.intershap_local_mean) / r.intershap_local_mean_se,
            (b["corrected"]["local_mean"] - ex.intershap_local_mean) / r.intershap_local_mean_se,
            warned,
        ))
    return {"z": np.array([r[:4] for r in rows]), "warned": np.array([r[4] for r in rows])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--games", type=int, default=200)
    ap.add_argument("--samples", type=int, default=50)
    args = ap.parse_args()
    t0 = time.perf_counter()
    print(f"{args.games} games per row, N = {args.samples}; cover = share of |error| <= 1.96 SE; "
          "bias = mean error / SE; corr = first-order corrected value")
    print("| M | budget | global: cover, bias | global corr: cover, bias | local mean: cover, bias |"
          " local corr: cover, bias | warned | cover if not warned (global, local) |")
    print("|---|---|---|---|---|---|---|---|")
    for m, budgets in CASES.items():
        for budget in budgets:
            out = run_case(m, budget, args.games, args.samples)
            z, warned = out["z"], out["warned"]
            cov = np.abs(z) <= 1.96
            cells = [f"{cov[:, k].mean():.2f}, {np.nanmean(z[:, k]):+.2f}" for k in range(4)]
            quiet = ~warned
            qc = (f"{cov[quiet, 0].mean():.2f}, {cov[quiet, 2].mean():.2f} (n={quiet.sum()})"
                  if quiet.any() else "—")
            print(f"| {m} | {budget} | " + " | ".join(cells) + f" | {warned.mean():.2f} | {qc} |", flush=True)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
