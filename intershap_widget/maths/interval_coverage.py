"""Coverage of the sample intervals (:mod:`.uncertainty`) on synthetic games whose
population values are known exactly: the check behind docs/honest_numbers.md, run by
the tests and by benchmarks/bench_intervals.py.

Kinds of population: ``"clean"`` (additive main effects of mean 1 plus a pair effect of
modalities 0 and 1 with mean 1.5: every population Φ entry away from 0), ``"zero"`` (the
same pair effect with mean 0: no interaction in the population, only per-sample noise)
and ``"cancel"`` (main effects of mean 0 whose sign varies per sample, pair mean 0.3:
the case the CancellationWarning is about).
"""

from __future__ import annotations

import numpy as np

from . import games, scores, uncertainty

__all__ = ["synthetic_games", "population_values", "interval_coverage"]

_PAIR_MEAN = {"clean": 1.5, "zero": 0.0}


def synthetic_games(kind: str, m: int = 3, size: int = 50_000, seed: int = 0) -> np.ndarray:
    """``(size, 2**M)`` seeded coalition values of one kind (see the module docstring)."""
    rng = np.random.default_rng(seed)
    masks = games.coalition_masks(m).astype(float)
    pair = masks[:, 0] * masks[:, 1]
    if kind == "cancel":
        return rng.normal(0.0, 1.0, size=(size, m)) @ masks.T + rng.normal(0.3, 1.0, size=(size, 1)) * pair
    v = rng.normal(1.0, 1.0, size=(size, m)) @ masks.T
    return v + rng.normal(_PAIR_MEAN[kind], 1.0, size=(size, 1)) * pair


def population_values(phi: np.ndarray) -> tuple[np.ndarray, float, float, np.ndarray]:
    """``(Φ (M, M), InterSHAP, local mean, modality contributions (M,))`` of ``phi`` ``(N, M, M)``."""
    Phi = np.abs(phi.mean(axis=0))
    return Phi, scores.intershap_score(Phi), float(np.nanmean(scores.local_scores(phi))), np.diag(Phi) / Phi.sum()


def interval_coverage(phi_pop: np.ndarray, n: int, reps: int, seed: int = 1) -> tuple[np.ndarray, float]:
    """Draw ``reps`` seeded samples of ``n`` games from the population ``phi_pop``
    ``(P, M, M)``: the share of 95 % intervals covering the population value, for
    (InterSHAP, local mean, Φ entries, contributions) ``(4,)``, and the mean width of
    the InterSHAP interval."""
    Phi, g, loc, contrib = population_values(phi_pop)
    rng = np.random.default_rng(seed)
    hits, width = np.zeros(4), 0.0
    for r in range(reps):
        phi = phi_pop[rng.integers(0, len(phi_pop), n)]
        local = scores.local_scores(phi)
        iv = uncertainty.sample_intervals(phi, local, intershap=scores.intershap_score(np.abs(phi.mean(0))),
                                          local_mean=float(np.nanmean(local)), seed=r)
        hits += [iv["intershap"][0] <= g <= iv["intershap"][1],
                 iv["intershap_local_mean"][0] <= loc <= iv["intershap_local_mean"][1],
                 np.mean((iv["Phi"][0] <= Phi) & (Phi <= iv["Phi"][1])),
                 np.mean((iv["modality_contributions"][0] <= contrib) & (contrib <= iv["modality_contributions"][1]))]
        width += iv["intershap"][1] - iv["intershap"][0]
    return hits / reps, width / reps
