"""Independent, deliberately naive reference implementations (plain loops over
coalitions, straight from the formulas in PAPER_NOTES.md) used as test oracles."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np


def subsets(items):
    items = list(items)
    for r in range(len(items) + 1):
        yield from combinations(items, r)


def index_of(coalition) -> int:
    return sum(1 << i for i in coalition)


def shapley_brute(v: np.ndarray, m: int) -> np.ndarray:
    """φ_i = Σ_{S ⊆ N∖{i}} |S|!(M−|S|−1)!/M! [v(S∪i) − v(S)] for one game v (2**M,)."""
    out = np.zeros(m)
    for i in range(m):
        others = [j for j in range(m) if j != i]
        for s in subsets(others):
            w = factorial(len(s)) * factorial(m - len(s) - 1) / factorial(m)
            out[i] += w * (v[index_of(s + (i,))] - v[index_of(s)])
    return out


def interaction_brute(v: np.ndarray, m: int) -> np.ndarray:
    """Pair values (half SII) off the diagonal, main effects on it, for one game v."""
    phi = np.zeros((m, m))
    for i in range(m):
        for j in range(m):
            if i == j:
                continue
            others = [k for k in range(m) if k not in (i, j)]
            for s in subsets(others):
                w = factorial(len(s)) * factorial(m - len(s) - 2) / (2 * factorial(m - 1))
                delta = v[index_of(s + (i, j))] - v[index_of(s + (i,))] - v[index_of(s + (j,))] + v[index_of(s)]
                phi[i, j] += w * delta
    sv = shapley_brute(v, m)
    for i in range(m):
        phi[i, i] = sv[i] - sum(phi[i, j] for j in range(m) if j != i)
    return phi


def coalition_values_brute(f, X, background, target_class=None):
    """v_a(S): mean over background rows k of f(x_a on S, b_k elsewhere), by loops.

    f takes a list of M arrays (B, ...) and returns (B, C) probabilities.
    Returns (N, 2**M, C).
    """
    m = len(X)
    n = X[0].shape[0]
    k = background[0].shape[0]
    out = None
    for a in range(n):
        for s in range(1 << m):
            rows = []
            for kk in range(k):
                rows.append([X[i][a] if (s >> i) & 1 else background[i][kk] for i in range(m)])
            batch = [np.stack([r[i] for r in rows]) for i in range(m)]
            val = np.asarray(f(batch), dtype=np.float64).mean(axis=0)
            if out is None:
                out = np.zeros((n, 1 << m, val.shape[-1]))
            out[a, s] = val
    return out


def feature_parts_brute(v, m: int, i: int, g: int):
    """Feature-level effect, interaction parts and main-effect parts of modality i, straight
    from the definitions (docs/features.md), for one sample's table v[S, T]: S the bitmask
    over the other modalities in order, T over the G features. Returns (effect (G,),
    parts (M, G)) with row j ≠ i the part of φ_ij and row i the main-effect part."""
    others = [k for k in range(m) if k != i]

    def val(s_set, t_set):
        s_code = sum(1 << others.index(k) for k in s_set)
        return v[s_code, sum(1 << f for f in t_set)]

    def sh(u, f):  # Shapley value of feature f in the game u over the G features
        total = 0.0
        rest = [h for h in range(g) if h != f]
        for t in subsets(rest):
            w = factorial(len(t)) * factorial(g - len(t) - 1) / factorial(g)
            total += w * (u(t + (f,)) - u(t))
        return total

    effect, parts = np.zeros(g), np.zeros((m, g))
    for f in range(g):
        for s in subsets(others):
            w = factorial(len(s)) * factorial(m - len(s) - 1) / factorial(m)
            effect[f] += w * sh(lambda t, s=s: val(s, t) - val(s, ()), f)
        for j in others:
            rest = [k for k in others if k != j]
            for s in subsets(rest):
                c = factorial(len(s)) * factorial(m - len(s) - 2) / (2 * factorial(m - 1))
                sj = tuple(sorted(s + (j,)))
                parts[j, f] += c * sh(lambda t, s=s, sj=sj: val(sj, t) - val(s, t) - val(sj, ()) + val(s, ()), f)
        parts[i, f] = effect[f] - parts[[j for j in others], f].sum()
    return effect, parts
