"""Intervals over samples (intershap_widget/maths/uncertainty.py): speed and coverage.

Prints, measured in one run on this machine:
  * the time of ``res.intervals`` (1,000 seeded draws) at N = 100,000, M = 4, and its
    ratio to computing φ and the scores from the coalition values (goal: well under 1 s);
  * coverage of a known population value by the 95 % intervals: samples of N games
    drawn from a population of 50,000 synthetic games whose population InterSHAP, local
    mean, Φ and modality contributions are computed exactly, ``--reps`` seeded samples
    per row. Kinds: "clean" (every population Φ entry away from 0), "zero" (no
    interaction in the population, only per-sample noise: InterSHAP = 0), "cancel"
    (main effects with population mean 0 whose sign varies per sample: the case the
    CancellationWarning is about).

Usage: PYTHONPATH=. python benchmarks/bench_intervals.py [--reps 400]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import intershap_widget as isw
from intershap_widget.maths import games, interval_coverage


def coverage(kind: str, m: int, n: int, reps: int) -> tuple[np.ndarray, float, float]:
    """Coverage of (InterSHAP, local mean, Φ entries, contributions), the mean width of
    the InterSHAP interval, and the population InterSHAP."""
    phi_pop = games.interaction_matrices(interval_coverage.synthetic_games(kind, m))
    hits, width = interval_coverage.interval_coverage(phi_pop, n, reps)
    return hits, width, interval_coverage.population_values(phi_pop)[1]


def timing(repeats: int = 3) -> None:
    v = np.random.default_rng(0).normal(size=(100_000, 16))
    t_scores, t_iv = [], []
    for _ in range(repeats):
        res = isw.InteractionResult(v)
        t0 = time.perf_counter()
        _ = (res.intershap, res.intershap_local_mean, res.modality_contributions)
        t1 = time.perf_counter()
        _ = res.intervals
        t_scores.append(t1 - t0)
        t_iv.append(time.perf_counter() - t1)
    a, b = min(t_scores), min(t_iv)
    print(f"N = 100,000, M = 4: phi + scores {a:.3f} s, intervals (1,000 draws) {b:.3f} s, ratio {b / a:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=400)
    args = parser.parse_args()
    timing()
    print(f"\ncoverage of the population value by 95 % intervals, {args.reps} seeded samples per row")
    print("| kind | M | N | population InterSHAP | InterSHAP | local mean | Φ entries | contributions | mean width |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, m in (("clean", 3), ("clean", 4), ("zero", 3), ("cancel", 3)):
        for n in (30, 100, 1000):
            cov, width, g = coverage(kind, m, n, args.reps)
            print(f"| {kind} | {m} | {n} | {100 * g:.1f} % | " + " | ".join(f"{c:.3f}" for c in cov)
                  + f" | {100 * width:.1f} pts |")


if __name__ == "__main__":
    main()
