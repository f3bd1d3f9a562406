"""The coalition sampler's design and theory (allocation of a budget over coalition
sizes, draws, weights). Sampling estimator of modality Shapley values, pairwise interactions and InterSHAP
for many modalities, with a standard error on every number.

Design: **stratified coalition sampling by size**. The empty and the full coalition
are always evaluated; then, when the budget allows, the sizes 1 and M−1 completely,
then the sizes 2 and M−2 completely (they fix a control game exactly, see below);
the rest of the budget is spread over the remaining sizes in proportion to
1/s + 1/(M−s) (the weight each size carries in the Shapley value). A size that its
share covers is evaluated completely; the others are simple random samples *without
replacement* of n_s ≥ 2 coalitions of that size. The same coalitions serve every
sample (a value function maps ``(B, M)`` masks to ``(N, B)`` values), so one budget
buys every sample's explanation.

Every quantity of the pairwise matrix φ (half-SII off the diagonal, main effects on it;
conventions of :mod:`intershap_widget.maths.games`) is a linear map v ↦ Σ_S v(S) W[S] of the
coalition values, so

    φ̂ = φ(g) + Σ_s (N_s / n_s) Σ_{b ∈ sample_s} (v(S_b) − g(S_b)) W[S_b]

is **unbiased** (N_s = C(M, s)), for any control game g that is fixed by the
completely evaluated sizes, with φ(g) known in closed form: the order-2 Möbius
expansion of v from below and of its dual from above, averaged, when sizes 1, 2,
M−2, M−1 are complete; else the additive game through v({i}) and v(N∖{i}); else
the additive game with equal slopes. The better g fits v, the smaller the error. Its variance is
estimated per stratum with the finite-population correction (1 − n_s/N_s), so a
complete stratum contributes none and a budget of 2**M gives the exact result with
standard error 0. Non-linear numbers (Φ = |mean φ|, global and local InterSHAP, their
mean) get standard errors by the delta method, computed from the per-coalition
contributions in the same stratified variance formula. The delta method treats
|x| as differentiable: for entries whose true mean is near 0, |φ̂| is biased upward
and the local InterSHAP with it; use a larger budget where that matters.

**Too few draws: standard errors are NaN.** A stratum sampled partly with n_s draws
has its variance estimated from n_s − 1 degrees of freedom, and only from the
coalitions drawn: within one size the weights W[S]_ij take different values by how S
meets {i, j}, and a small stratum has only one or two coalitions of a kind (for M = 4,
size 2: one S ⊇ {i, j}, one S disjoint from it, four mixed). Missing them leaves their
residuals invisible to the variance estimate. On M = 4..6 games, strata with 2–4 draws
gave ±1.96 SE intervals that covered φ 65–89 % and InterSHAP 32–78 % of the time, and
misses of 70–140 SE (notebook 04: M = 4, budgets 12 and 14). So when a size is sampled
partly with fewer than ``MIN_DRAWS_FOR_SE`` = 5 draws, or has fewer than
``MIN_STRATUM_FOR_SE`` = 10 coalitions at all, *every* standard error of the result is
NaN (the estimates of φ are still unbiased) and a :class:`SamplingWarning` names those
sizes and the smallest budget at or above the given one without them
(:func:`reliable_budget`: 8, 16, 22, 29, 45, 61 for M = 3, 4, 5, 6, 8, 10). For M ≤ 4
only the exact budget 2**M has standard errors. From there on the intervals cover
≈ 0.91–0.94 for φ, Φ, global and local InterSHAP at the smallest such budgets
(tests/test_sampling.py; 95 % nominal, the shortfall is the few degrees of freedom).
The sizes 2 and M−2 are completed (for the order-2 control) only when every other
partly sampled size can still get ``MIN_DRAWS_FOR_SE`` draws.

**Bias of InterSHAP near zero.** Φ, InterSHAP and the local scores take |·| of noisy
entries; where many entries are within ~2 SE of 0 the |noise| adds up to an upward
bias that no standard error (a measure of spread) describes: coverage of global
InterSHAP fell to 0.10–0.82 and of the local mean to 0.00–0.72 in
benchmarks/bench_sampling.py. The result's ``settings["near_zero_share"]`` holds the
share of Σ Φ (``"global"``) and the mean share of each sample's Σ|φ_a| (``"local"``)
lying in entries within 2 SE of 0; above ``NEAR_ZERO_GLOBAL`` = 0.2 or
``NEAR_ZERO_LOCAL`` = 0.05 a :class:`SamplingWarning` says InterSHAP is biased upward
and its SE too small (in the benchmark: coverage ≥ 0.90 below, ≤ 0.82 / 0.72 above).
The sampler also estimates that bias (folded normal, :mod:`.sampling_bias`), warns
when it exceeds ``BIAS_WARN_SE`` = 0.5 SE, and gives first-order corrected scores
(``settings["bias"]``; coverage over 200 games per M in docs/higher_order.md).

**Why InterSHAP can be exact while Φ is not.** The |·| in Φ = |mean φ| is locally
linear, so given the signs of mean φ, InterSHAP's numerator Σ_{i≠j} Φ_ij and
denominator Σ Φ_ij are linear in v. A coalition S of size s carries total weight
s(s−1)c_{s−2} + (M−s)(M−s−1)c_s − 2s(M−s)c_{s−1} on the off-diagonal of φ (c_r the
pair weights of :func:`phi_weights`) and 0 in total; for M = 4, s = 2 that is
2/6 + 2/6 − 8/12 = 0. So when the sizes 0, 1, 3, 4 are complete and the estimated
mean φ has the signs of the true one, InterSHAP does not depend on the sampled pairs at all: it is exact and
its delta-method standard error is rightly 0 (covariance of numerator and
denominator included, since the ratio is linearised as a whole), while each φ entry
still has sampling error. This holds only while the estimated signs of mean φ are
the true ones; an entry within ~2 SE of 0 makes the ratio's SE unreliable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb, factorial

import numpy as np

__all__ = [
    "MAX_SAMPLED_MODALITIES", "MIN_DRAWS_FOR_SE", "MIN_STRATUM_FOR_SE", "NEAR_ZERO_GLOBAL",
    "NEAR_ZERO_LOCAL", "SamplingWarning", "Design", "design", "phi_weights", "reliable_budget",
]

#: Largest M the sampler accepts (bitmask codes are int64; strata are enumerated up to M = 20).
MAX_SAMPLED_MODALITIES = 40

#: Fewest draws of a partly sampled stratum for which standard errors are reported (else NaN).
MIN_DRAWS_FOR_SE = 5

#: Smallest stratum (coalitions of one size) that may be sampled partly with standard errors.
MIN_STRATUM_FOR_SE = 10

#: Warn of upward bias of global / local InterSHAP above these shares of |Φ| (|φ_a|) lying in
#: entries within 2 SE of 0 (bench_sampling.py: coverage ≥ 0.90 below, ≤ 0.82 / 0.72 above).
NEAR_ZERO_GLOBAL = 0.2
NEAR_ZERO_LOCAL = 0.05


class SamplingWarning(UserWarning):
    """The budget leaves a stratum with too few draws to estimate its variance."""


# ------------------------------------------------------------------ design
@dataclass(frozen=True)
class Design:
    """The coalitions to evaluate: ``codes (B,)`` int64 bitmasks, ``sizes (B,)``; per size s =
    0..M: ``n_drawn[s]`` coalitions drawn out of ``n_total[s] = C(M, s)``."""

    n_players: int
    codes: np.ndarray
    sizes: np.ndarray
    n_drawn: np.ndarray
    n_total: np.ndarray

    @property
    def masks(self) -> np.ndarray:
        """``(B, M)`` bool membership of the coalitions (column i = modality i present)."""
        return ((self.codes[:, None] >> np.arange(self.n_players)) & 1).astype(bool)

    @property
    def n_evaluations(self) -> int:
        """B, the coalitions evaluated per sample."""
        return len(self.codes)

    @property
    def is_exact(self) -> bool:
        """True when every coalition is evaluated (standard errors are then 0)."""
        return bool(np.all(self.n_drawn == self.n_total))

    @property
    def thin_sizes(self) -> list[int]:
        """Sizes sampled partly with fewer than ``MIN_DRAWS_FOR_SE`` draws (their variance
        cannot be estimated; the result's standard errors are then NaN)."""
        return [s for s in range(self.n_players + 1) if self.n_drawn[s] < self.n_total[s]
                and (self.n_drawn[s] < MIN_DRAWS_FOR_SE or self.n_total[s] < MIN_STRATUM_FOR_SE)]

    @property
    def has_standard_errors(self) -> bool:
        """True when every partly sampled size has at least ``MIN_DRAWS_FOR_SE`` draws."""
        return not self.thin_sizes


def _allocate(m: int, budget: int) -> np.ndarray:
    """Coalitions per size 0..M (water-filling ∝ 1/s + 1/(M−s), at least 2 per open stratum)."""
    total = np.array([comb(m, s) for s in range(m + 1)], dtype=np.int64)
    if budget >= total.sum():
        return total.copy()
    need = 2 + sum(min(int(t), 2) for t in total[1:m])
    if budget < need:
        raise ValueError(
            f"a budget of {budget} coalitions per sample is too small for M={m}: it needs at "
            f"least {need} (the empty and full coalitions and 2 of every size)"
        )
    alloc = np.zeros(m + 1, dtype=np.int64)
    alloc[0] = alloc[m] = 1
    q = np.array([0.0] + [1 / s + 1 / (m - s) for s in range(1, m)] + [0.0])
    open_ = set(range(1, m))
    left = budget - 2
    for edges, least in (({1, m - 1}, 2), ({2, m - 2}, MIN_DRAWS_FOR_SE)):
        # the small strata at both ends first: they fix the control game exactly. Sizes 2 and
        # M−2 only when every other size can still get MIN_DRAWS_FOR_SE draws (else no SE)
        if not edges <= open_:
            break
        if budget < 2 + sum(int(total[s]) if s in edges or s not in open_ else min(int(total[s]), least)
                            for s in range(1, m)):
            break
        for s in edges:
            alloc[s] = total[s]
            left -= int(total[s])
        open_ -= edges
        if not open_:
            return alloc
    while True:  # fill strata that their share covers completely
        share = {s: left * q[s] / sum(q[t] for t in open_) for s in open_}
        full = [s for s in open_ if share[s] >= total[s]]
        if not full:
            break
        for s in full:
            alloc[s] = total[s]
            left -= int(total[s])
            open_.discard(s)
    base = {s: max(2, int(np.floor(share[s]))) for s in open_}
    for s in open_:
        alloc[s] = min(base[s], total[s])
    # hand out what is left (or take back the excess) by largest remainder
    diff = budget - int(alloc.sum())
    order = sorted(open_, key=lambda s: share[s] - np.floor(share[s]), reverse=diff > 0)
    i = 0
    while diff != 0 and order:
        s = order[i % len(order)]
        if diff > 0 and alloc[s] < total[s]:
            alloc[s] += 1
            diff -= 1
        elif diff < 0 and alloc[s] > 2:
            alloc[s] -= 1
            diff += 1
        i += 1
        if i > 10 * budget + 10 * m:
            break
    return alloc


@lru_cache(maxsize=4)
def _popcounts(m: int) -> np.ndarray:
    codes = np.arange(1 << m, dtype=np.int64)
    pc = np.zeros(1 << m, dtype=np.int8)
    for b in range(m):
        pc += ((codes >> b) & 1).astype(np.int8)
    pc.setflags(write=False)
    return pc


def _draw_stratum(m: int, s: int, n: int, rng: np.random.Generator) -> np.ndarray:
    total = comb(m, s)
    if m <= 20:
        pool = np.flatnonzero(_popcounts(m) == s).astype(np.int64)
        return pool if n >= total else np.sort(rng.choice(pool, size=n, replace=False))
    if n >= total:  # a small complete stratum (n is at most the budget)
        return np.sort(np.array([sum(1 << i for i in c) for c in combinations(range(m), s)], dtype=np.int64))
    if 2 * n > total:
        raise ValueError(f"cannot draw {n} of the {total} coalitions of size {s} for M={m}")
    got: set[int] = set()
    weights = 1 << np.arange(m, dtype=np.int64)
    while len(got) < n:
        cand = np.argsort(rng.random((2 * (n - len(got)), m)), axis=1)[:, :s]
        for code in (weights[cand].sum(axis=1)).tolist():
            if len(got) < n:
                got.add(code)
    return np.sort(np.fromiter(got, dtype=np.int64))


def reliable_budget(n_players: int, budget: int = 0) -> int:
    """Smallest budget ≥ ``budget`` whose design has standard errors (no partly sampled
    size with fewer than ``MIN_DRAWS_FOR_SE`` draws); 2**M at worst."""
    m = int(n_players)
    total = sum(comb(m, s) for s in range(m + 1))
    floor = 2 + sum(min(comb(m, s), 2) for s in range(1, m))
    for b in range(max(int(budget), floor), total):
        alloc = _allocate(m, b)
        if all(alloc[s] == comb(m, s) or (alloc[s] >= MIN_DRAWS_FOR_SE and comb(m, s) >= MIN_STRATUM_FOR_SE)
               for s in range(m + 1)):
            return b
    return total


def design(n_players: int, budget: int, seed: int = 0) -> Design:
    """Draw the coalitions for a budget of ``budget`` evaluations per sample (seeded)."""
    m = int(n_players)
    if not 2 <= m <= MAX_SAMPLED_MODALITIES:
        raise ValueError(f"the sampler handles 2 <= M <= {MAX_SAMPLED_MODALITIES} modalities, got M={m}")
    if int(budget) != budget or budget < 1:
        raise ValueError(f"budget must be a positive whole number of coalitions, got {budget}")
    alloc = _allocate(m, int(budget))
    rng = np.random.default_rng(seed)
    codes = [_draw_stratum(m, s, int(alloc[s]), rng) for s in range(m + 1)]
    sizes = np.concatenate([np.full(len(c), s) for s, c in enumerate(codes)])
    total = np.array([comb(m, s) for s in range(m + 1)], dtype=np.int64)
    return Design(m, np.concatenate(codes), sizes, alloc, total)


# ----------------------------------------------------------------- weights
def phi_weights(masks: np.ndarray) -> np.ndarray:
    """Weights of the pairwise matrix φ for given coalitions: ``(B, M)`` bool → ``(B, M, M)``.

    For the full set of 2**M coalitions, ``φ = Σ_S v(S) W[S]`` (games conventions).
    """
    masks = np.asarray(masks, dtype=bool)
    b, m = masks.shape
    size = masks.sum(axis=1)
    w = np.array([factorial(r) * factorial(m - r - 1) / factorial(m) for r in range(m)])
    shap = np.where(masks, w[np.clip(size - 1, 0, m - 1)][:, None], -w[np.clip(size, 0, m - 1)][:, None])
    c = np.array([factorial(r) * factorial(m - r - 2) / (2 * factorial(m - 1)) for r in range(m - 1)])
    mi = masks[:, :, None].astype(np.int64)
    mj = masks[:, None, :].astype(np.int64)
    rest = size[:, None, None] - mi - mj
    sign = np.where(mi == mj, 1.0, -1.0)
    pair = sign * c[np.clip(rest, 0, m - 2)]
    idx = np.arange(m)
    pair[:, idx, idx] = 0.0
    pair[:, idx, idx] = shap - pair.sum(axis=2)
    return pair


