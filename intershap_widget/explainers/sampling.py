"""Sampling estimator of modality Shapley values, pairwise interactions and InterSHAP
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

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from math import comb, factorial
from typing import Any, Callable, Sequence
import sys
import warnings

import numpy as np

__all__ = [
    "MAX_SAMPLED_MODALITIES",
    "MIN_DRAWS_FOR_SE",
    "MIN_STRATUM_FOR_SE",
    "NEAR_ZERO_GLOBAL",
    "NEAR_ZERO_LOCAL",
    "SamplingWarning",
    "reliable_budget",
    "Design",
    "design",
    "phi_weights",
    "SampledResult",
    "estimate",
    "sample_interactions",
    "table_value_function",
    "model_value_function",
    "sample_explain",
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


def _additive_control(v: np.ndarray, des: Design, empty: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Per-sample slopes β ``(N, M)`` of the additive control game g, with g(N) = v(N).

    When the sizes 1 and M−1 are evaluated completely, β_i = ½[(v({i}) − v(∅)) +
    (v(N) − v(N∖{i}))] (fixed by the design, so the estimator stays unbiased); otherwise
    β_i = (v(N) − v(∅))/M. Either way the sum is shifted evenly so Σβ = v(N) − v(∅).
    """
    m = des.n_players
    n = v.shape[0]
    beta = np.zeros((n, m))
    if des.n_drawn[1] == m and des.n_drawn[m - 1] == m:
        pos = {int(c): b for b, c in enumerate(des.codes)}
        everyone = (1 << m) - 1
        single = v[:, [pos[1 << i] for i in range(m)]]
        leave_out = v[:, [pos[everyone ^ (1 << i)] for i in range(m)]]
        beta = 0.5 * ((single - empty[:, None]) + (full[:, None] - leave_out))
    return beta + ((full - empty) - beta.sum(axis=1))[:, None] / m


def _control(v: np.ndarray, des: Design, empty: np.ndarray, full: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Control game g, fixed by the complete strata: its values on the design ``(N, B)``
    and its exact φ ``(N, M, M)``.

    Order 2 (sizes 0, 1, 2, M−2, M−1, M complete): g = ½(g_bottom + g_top), g_bottom the
    Möbius expansion of v up to order 2 from below, g_top the same for the dual game
    v*(U) = v(N) − v(N∖U), i.e. from above. Otherwise the additive game of
    :func:`_additive_control`.
    """
    m = des.n_players
    masks = des.masks.astype(np.float64)
    n = v.shape[0]
    pos = {int(c): b for b, c in enumerate(des.codes)}
    everyone = (1 << m) - 1
    if m >= 4 and des.n_drawn[2] == des.n_total[2] and des.n_drawn[m - 2] == des.n_total[m - 2] \
            and des.n_drawn[1] == m and des.n_drawn[m - 1] == m:
        iu, ju = np.triu_indices(m, k=1)
        single = v[:, [pos[1 << i] for i in range(m)]]
        pair = v[:, [pos[(1 << i) | (1 << j)] for i, j in zip(iu, ju)]]
        m1 = single - empty[:, None]
        m2 = pair - single[:, iu] - single[:, ju] + empty[:, None]
        lo = v[:, [pos[everyone ^ (1 << i)] for i in range(m)]]
        lo2 = v[:, [pos[everyone ^ (1 << i) ^ (1 << j)] for i, j in zip(iu, ju)]]
        d1 = full[:, None] - lo  # dual Möbius m*(i)
        d2 = -lo2 + lo[:, iu] + lo[:, ju] - full[:, None]  # m*(ij)
        xi, xj = masks[:, iu], masks[:, ju]  # (B, P)
        g_bottom = empty[:, None] + m1 @ masks.T + m2 @ (xi * xj).T
        absent = 1.0 - masks
        g_top = full[:, None] - d1 @ absent.T - d2 @ ((1 - xi) * (1 - xj)).T
        g = 0.5 * (g_bottom + g_top)
        phi_g = np.zeros((n, m, m))
        phi_g[:, iu, ju] = 0.5 * (m2 / 2 - d2 / 2)
        phi_g[:, ju, iu] = phi_g[:, iu, ju]
        dual_sum = np.zeros((n, m))
        np.add.at(dual_sum.T, iu, d2.T)
        np.add.at(dual_sum.T, ju, d2.T)
        idx = np.arange(m)
        phi_g[:, idx, idx] = 0.5 * (m1 + d1 + dual_sum)
        return g, phi_g
    beta = _additive_control(v, des, empty, full)
    g = empty[:, None] + beta @ masks.T
    phi_g = np.zeros((n, m, m))
    phi_g[:, np.arange(m), np.arange(m)] = beta
    return g, phi_g


# ------------------------------------------------------------------ result
def _nan_to(x: np.ndarray, fill: float = np.nan) -> np.ndarray:
    return np.where(np.isfinite(x), x, fill)


@dataclass(frozen=True)
class SampledResult:
    """Sampled explanation of N samples by M modalities; ``*_se`` are standard errors.

    ``phi (N, M, M)``, ``shapley (N, M)``, ``mean_phi (M, M)`` (signed dataset mean),
    ``Phi (M, M)`` = |mean_phi|, ``intershap`` (global, paper Eq. 8),
    ``intershap_local (N,)`` (Eq. 10) and ``intershap_local_mean``, each with ``*_se``.
    ``base_value``/``prediction (N,)`` are evaluated exactly.
    """

    phi: np.ndarray
    phi_se: np.ndarray
    shapley: np.ndarray
    shapley_se: np.ndarray
    mean_phi: np.ndarray
    mean_phi_se: np.ndarray
    intershap: float
    intershap_se: float
    intershap_local: np.ndarray
    intershap_local_se: np.ndarray
    intershap_local_mean: float
    intershap_local_mean_se: float
    base_value: np.ndarray
    prediction: np.ndarray
    design: Design
    modality_names: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    @property
    def Phi(self) -> np.ndarray:
        """``(M, M)`` |mean over samples of φ̂| (paper Eq. 5)."""
        return np.abs(self.mean_phi)

    @property
    def Phi_se(self) -> np.ndarray:
        """``(M, M)`` standard error of Φ (delta method: that of the mean)."""
        return self.mean_phi_se

    @property
    def n_samples(self) -> int:
        return self.phi.shape[0]

    @property
    def n_modalities(self) -> int:
        return self.phi.shape[1]

    @property
    def n_evaluations(self) -> int:
        """Coalitions evaluated per sample (against 2**M for the exact path)."""
        return self.design.n_evaluations

    def summary(self) -> str:
        """Global and local InterSHAP ± standard error and the cost."""
        m = self.n_modalities

        def pm(x: float, se: float) -> str:
            return f"{100 * x:.1f} ± {100 * se:.1f} %" if np.isfinite(se) else f"{100 * x:.1f} % (no SE)"

        text = (
            f"SampledResult: N={self.n_samples}, M={m}, {self.n_evaluations} of {2 ** m} coalitions per sample\n"
            f"  InterSHAP (global) = {pm(self.intershap, self.intershap_se)}   "
            f"(local mean) = {pm(self.intershap_local_mean, self.intershap_local_mean_se)}"
        )
        if self.design.thin_sizes:
            text += (f"\n  no standard errors: sizes {self.design.thin_sizes} have fewer than "
                     f"{MIN_DRAWS_FOR_SE} draws (budget ≥ {reliable_budget(m, self.n_evaluations)} gives them)")
        return text

    def __repr__(self) -> str:
        return self.summary()

    @property
    def target(self) -> str | int:
        """What the values are the output of (as ``explain``'s target; ``"value"`` for a
        value function given directly)."""
        return self.settings.get("target", "value")

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """Rich display: the explorer (with standard errors), a PNG and the text summary."""
        from ..maths.display import rich_display

        return rich_display(self, include, exclude)


def _stratified_var(terms: list[tuple[np.ndarray, int, int]]) -> np.ndarray:
    """Σ_s N_s² (1 − n_s/N_s) S²_s / n_s for per-stratum contributions ``y (…, n_s)``."""
    out = 0.0
    for y, n, total in terms:
        if n >= total or n < 2:
            continue
        s2 = y.var(axis=-1, ddof=1)
        out = out + total ** 2 * (1 - n / total) * s2 / n
    return np.asarray(out, dtype=np.float64)


def _linear_var(r: np.ndarray, w: np.ndarray, n: int, total: int) -> np.ndarray:
    """Stratified variance of the estimate ``(total/n) · r @ w`` of one stratum:
    r ``(N, n)`` residuals, w ``(n, K)`` weights → ``(N, K)`` (0 for a complete stratum)."""
    if n >= total:
        return np.zeros((r.shape[0], w.shape[1]))
    sy = r @ w
    s2 = ((r ** 2) @ (w ** 2) - sy ** 2 / n) / (n - 1)
    return total ** 2 * (1 - n / total) * np.maximum(s2, 0.0) / n


def _near_zero_shares(mean_phi: np.ndarray, mean_se: np.ndarray, phi: np.ndarray,
                      phi_se: np.ndarray) -> tuple[float, float]:
    """Share of Σ|mean φ| ``(M, M)`` in entries within 2 SE of 0, and the mean over samples of
    the same share of Σ|φ_a| ``(N, M, M)``: where these are large, |·| of noise biases InterSHAP."""
    a, al = np.abs(mean_phi), np.abs(phi)
    tot, totl = a.sum(), al.sum(axis=(1, 2))
    g = float((a * (a < 2 * mean_se)).sum() / tot) if tot > 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        loc = (al * (al < 2 * phi_se)).sum(axis=(1, 2)) / totl
    loc = loc[np.isfinite(loc)]
    return g, float(loc.mean()) if loc.size else 0.0


def _outside_stacklevel() -> int:
    """stacklevel for warnings.warn that points at the first caller outside this module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    return level


def _names(modality_names: Sequence[str] | None, m: int) -> list[str]:
    names = [f"modality {i}" for i in range(m)] if modality_names is None else [str(x) for x in modality_names]
    if len(names) != m or len(set(names)) != m:
        raise ValueError(f"give M={m} distinct modality names, got {names}")
    return names


def _ratio_parts(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """InterSHAP Σ_{i≠j}|x| / Σ|x| of ``(..., M, M)`` and its gradient ``(..., M, M)``."""
    m = phi.shape[-1]
    off = ~np.eye(m, dtype=bool)
    a = np.abs(phi)
    total = a.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(total > 0, (a * off).sum(axis=(-2, -1)) / np.where(total > 0, total, 1), np.nan)
        grad = np.sign(phi) * (off - q[..., None, None]) / np.where(total > 0, total, np.nan)[..., None, None]
    return q, grad


def estimate(values: np.ndarray, des: Design, modality_names: Sequence[str] | None = None,
             settings: dict | None = None) -> SampledResult:
    """Estimates and standard errors from the evaluated coalitions.

    values: ``(N, B)`` v(S_b) for the B coalitions of ``des`` (in ``des.codes`` order).
    """
    v = np.asarray(values, dtype=np.float64)
    m = des.n_players
    names = _names(modality_names, m)
    if v.ndim != 2 or v.shape[1] != des.n_evaluations:
        raise ValueError(f"values must be (N, {des.n_evaluations}) for this design, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("the value function returned non-finite values (NaN or inf)")
    n = v.shape[0]
    empty = v[:, des.sizes == 0][:, 0]
    full = v[:, des.sizes == m][:, 0]
    masks = des.masks
    k2 = m * m

    g_design, phi_g = _control(v, des, empty, full)  # control game g on the design and φ(g)
    phi = phi_g.reshape(n, k2).copy()
    phi_var = np.zeros((n, k2))
    mean_terms: list[tuple[np.ndarray, int, int]] = []
    pieces = []
    for s in range(m + 1):
        sel = des.sizes == s
        n_s, total = int(des.n_drawn[s]), int(des.n_total[s])
        w = phi_weights(masks[sel]).reshape(-1, k2)  # (n_s, M²)
        r = v[:, sel] - g_design[:, sel]  # (N, n_s) residual v − g
        scale = total / n_s
        phi += scale * (r @ w)
        phi_var += _linear_var(r, w, n_s, total)
        pieces.append((r, w, n_s, total))
        u = r.mean(axis=0)  # (n_s,)
        mean_terms.append(((u[:, None] * w).T, n_s, total))  # (M², n_s)

    phi3 = phi.reshape(n, m, m)
    mean_phi = phi3.mean(axis=0)
    mean_var = _stratified_var(mean_terms)
    # ----- global InterSHAP (delta method)
    q, grad = _ratio_parts(mean_phi)
    g = np.nan_to_num(grad.reshape(k2))
    q_terms = [((r.mean(axis=0)) * (w @ g), n_s, t) for r, w, n_s, t in pieces]
    q_var = _stratified_var(q_terms)
    # ----- local InterSHAP per sample and its mean
    ql, gl = _ratio_parts(phi3)
    gl = np.nan_to_num(gl.reshape(n, k2))
    loc_var = np.zeros(n)
    locmean_terms = []
    for r, w, n_s, t in pieces:
        z = r * (gl @ w.T)  # (N, n_s)
        if n_s < t:
            loc_var += t ** 2 * (1 - n_s / t) * z.var(axis=1, ddof=1) / n_s
        valid = np.isfinite(ql)
        locmean_terms.append((z[valid].mean(axis=0) if valid.any() else np.zeros(n_s), n_s, t))
    valid = np.isfinite(ql)
    ql_mean = float(ql[valid].mean()) if valid.any() else float("nan")
    lm_var = _stratified_var(locmean_terms)

    shap_w_var = np.zeros((n, m))
    for r, w, n_s, t in pieces:  # Shapley = row sums of φ: weights summed over j
        shap_w_var += _linear_var(r, w.reshape(-1, m, m).sum(axis=2), n_s, t)
    near = _near_zero_shares(mean_phi, np.sqrt(np.broadcast_to(mean_var, (k2,))).reshape(m, m), phi3,
                             np.sqrt(phi_var).reshape(n, m, m))
    if not des.thin_sizes and (near[0] > NEAR_ZERO_GLOBAL or near[1] > NEAR_ZERO_LOCAL):
        warnings.warn(
            f"InterSHAP may be biased upward and its standard error too small: {100 * near[0]:.0f} % of "
            f"Phi's total and on average {100 * near[1]:.0f} % of each sample's |phi| total lie in entries "
            f"within 2 standard errors of 0, where |noise| adds up (this hurts the global score above "
            f"{100 * NEAR_ZERO_GLOBAL:.0f} %, the local scores above {100 * NEAR_ZERO_LOCAL:.0f} %); "
            f"use a larger budget.", SamplingWarning, stacklevel=_outside_stacklevel())
    if des.thin_sizes:  # variance estimates from 2-3 draws are not trustworthy: no SE at all
        thin = ", ".join(f"size {s}: {des.n_drawn[s]} of {des.n_total[s]}" for s in des.thin_sizes)
        warnings.warn(
            f"coalition sizes sampled partly with fewer than {MIN_DRAWS_FOR_SE} draws or out of fewer "
            f"than {MIN_STRATUM_FOR_SE} coalitions ({thin}): their variance cannot be estimated, so "
            f"every standard error is NaN (the estimates are still unbiased for phi). A budget of "
            f"{reliable_budget(m, des.n_evaluations)} or more gives standard errors (M={m}, "
            f"2**M={1 << m}).", SamplingWarning, stacklevel=_outside_stacklevel())
        phi_var = np.full_like(phi_var, np.nan)
        shap_w_var = np.full_like(shap_w_var, np.nan)
        mean_var = np.full(k2, np.nan)
        q_var = lm_var = float("nan")
        loc_var = np.full_like(loc_var, np.nan)
    return SampledResult(
        phi=phi3,
        phi_se=np.sqrt(phi_var).reshape(n, m, m),
        shapley=phi3.sum(axis=2),
        shapley_se=np.sqrt(shap_w_var),
        mean_phi=mean_phi,
        mean_phi_se=np.sqrt(np.broadcast_to(mean_var, (k2,))).reshape(m, m),
        intershap=float(q),
        intershap_se=float(np.sqrt(q_var)) if np.isfinite(q) else float("nan"),
        intershap_local=ql,
        intershap_local_se=np.where(np.isfinite(ql), np.sqrt(loc_var), np.nan),
        intershap_local_mean=ql_mean,
        intershap_local_mean_se=float(np.sqrt(lm_var)),
        base_value=empty,
        prediction=full,
        design=des,
        modality_names=names,
        settings={**(settings or {}), "near_zero_share": {"global": near[0], "local": near[1]}},
    )


# ------------------------------------------------------------- entry points
def sample_interactions(
    value_fn: Callable[[np.ndarray], np.ndarray],
    n_players: int,
    budget: int,
    *,
    seed: int = 0,
    modality_names: Sequence[str] | None = None,
    chunk: int | None = None,
    progress: bool = False,
) -> SampledResult:
    """Sampled Shapley values, φ and InterSHAP with standard errors.

    value_fn: maps coalition masks ``(B, M)`` bool to values ``(N, B)`` (the same N
    samples on every call). budget: coalitions evaluated per sample (≥ 2M is the
    minimum; 2**M gives the exact result). chunk: coalitions per call (default all).
    """
    _names(modality_names, int(n_players))  # fail before any model evaluation
    des = design(n_players, budget, seed)
    masks = des.masks
    step = des.n_evaluations if chunk is None else max(1, int(chunk))
    outs = []
    from tqdm.auto import tqdm

    with tqdm(total=des.n_evaluations, disable=not progress, desc="coalitions", leave=False) as bar:
        for start in range(0, des.n_evaluations, step):
            part = masks[start:start + step]
            out = np.asarray(value_fn(part.copy()), dtype=np.float64)
            if out.ndim != 2 or out.shape[1] != len(part) or (outs and out.shape[0] != outs[0].shape[0]):
                raise ValueError(
                    f"value_fn must return (N, B) values for B={len(part)} coalitions, got {out.shape}"
                )
            outs.append(out)
            bar.update(len(part))
    return estimate(np.concatenate(outs, axis=1), des, modality_names,
                    settings={"budget": int(budget), "seed": int(seed), "sampler": "stratified"})


def structured_game(m: int, n: int, seed: int) -> np.ndarray:
    """Coalition values ``(n, 2**m)`` with main effects, pairs and some triples (Möbius
    dividends with a shared and a per-sample part), seeded: a test and benchmark game."""
    from ..maths.games import coalition_sizes
    from ..maths.interactions import inverse_mobius

    rng = np.random.default_rng(seed)
    d = np.zeros((n, 1 << m))
    sizes = coalition_sizes(m)
    for s, scale in [(1, 1.0), (2, 0.5), (3, 0.3)]:
        cols = np.flatnonzero(sizes == s)
        d[:, cols] = scale * (rng.normal(size=(n, len(cols))) + rng.normal(size=len(cols)))
    d[:, 0] = rng.normal(size=n)
    return inverse_mobius(d)


def table_value_function(coalition_values: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A value function reading a full ``(N, 2**M)`` table (for tests and benchmarks)."""
    table = np.asarray(coalition_values, dtype=np.float64)

    def fn(masks: np.ndarray) -> np.ndarray:
        codes = (masks.astype(np.int64) << np.arange(masks.shape[1])).sum(axis=1)
        return table[:, codes]

    return fn


def model_value_function(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    target: str | int = "predicted",
    output: str = "auto",
    n_background: int = 100,
    batch_size: int = 8192,
    seed: int = 0,
    call: str | None = None,
    output_key: Any = None,
) -> tuple[Callable[[np.ndarray], np.ndarray], dict]:
    """A value function ``masks (B, M) → (N, B)`` for a model, with expectation masking.

    Reuses the engine's adapters and :class:`~intershap_widget.explainers.maskers.BackgroundMasker`:
    v_a(S) is the mean output over the background rows with x_a on S. Returns the
    function and a dict of settings (target classes, output mode).
    """
    from .checks import check_modalities
    from .maskers import BackgroundMasker
    from .adapters import as_model, resolve_output
    from .inputs import align_background, as_modalities, spec_of

    xs_in, keys = as_modalities(X, "X")
    bg_in = xs_in if background is None else check_modalities(align_background(background, keys), "background")
    m = len(xs_in)
    if len(bg_in) != m:
        raise ValueError(f"background has {len(bg_in)} modalities but X has {m}")
    n = xs_in[0].shape[0]
    if any(x.shape[0] != n for x in xs_in):
        raise ValueError("every modality needs the same number of samples")
    masker = BackgroundMasker(n_background=n_background, seed=seed)
    keep = masker.select_rows(bg_in[0].shape[0])
    if keep is not None:
        bg_in = [b[keep] for b in bg_in]
    adapter = as_model(model, call, output_key, output,
                       inputs=spec_of(X, xs_in, keys or [f"modality {i}" for i in range(m)]))
    out_mode = adapter.default_output() if output == "auto" else output
    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        bg = [adapter.to_backend(b) for b in bg_in]
        masker.bind(adapter, bg)
        raw = np.concatenate([_raw(adapter, [x[i:i + batch_size] for x in xs]) for i in range(0, n, batch_size)])
    if raw.ndim == 1:
        raw = raw[:, None]
    out_mode = resolve_output(out_mode, raw)
    if out_mode == "regression":
        cls = np.zeros(n, dtype=np.int64)
    elif target == "predicted":
        cls = raw.argmax(axis=1)  # softmax keeps the argmax
    else:
        if not 0 <= int(target) < raw.shape[1]:
            raise ValueError(f"target class {target} out of range: the model returns {raw.shape[1]} outputs")
        cls = np.full(n, int(target), dtype=np.int64)
    k = masker.n_rows

    def fn(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        b = masks.shape[0]
        result = np.empty((n, b))
        pairs = max(1, batch_size // k)
        total = n * b
        with adapter.session():
            for start in range(0, total, pairs):
                p = np.arange(start, min(total, start + pairs))
                sample, coal = p // b, p % b
                x_block = [adapter.take(x, sample) for x in xs]
                inputs = masker.build(x_block, masks[coal], sample, coal)
                out = adapter.to_numpy(adapter.transform(adapter(inputs), out_mode))
                out = out.reshape(len(p), k, -1).mean(axis=1)
                result[sample, coal] = out[np.arange(len(p)), cls[sample]]
        return result

    return fn, {"output": out_mode, "target_class": cls, "n_background": k}


def _raw(adapter: Any, inputs: list) -> np.ndarray:
    return adapter.to_numpy(adapter(inputs))


def sample_explain(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    budget: int = 256,
    target: str | int = "predicted",
    output: str = "auto",
    modality_names: Sequence[str] | None = None,
    n_background: int = 100,
    batch_size: int = 8192,
    seed: int = 0,
    progress: bool = True,
    call: str | None = None,
    output_key: Any = None,
) -> SampledResult:
    """Like :func:`intershap_widget.explain`, but with ``budget`` sampled coalitions per
    sample instead of all 2**M (expectation masking over the background). ``X`` takes the
    same forms (list, dict, groups) and ``call``/``output_key`` the same meaning."""
    if modality_names is None and isinstance(X, dict):
        modality_names = [str(k) for k in X]
    _names(modality_names, len(X))  # bad input fails before any model evaluation
    design(len(X), budget, seed)
    fn, info = model_value_function(model, X, background, target=target, output=output,
                                    n_background=n_background, batch_size=batch_size, seed=seed,
                                    call=call, output_key=output_key)
    m = len(X)
    res = sample_interactions(fn, m, budget, seed=seed, modality_names=modality_names, progress=progress)
    res.settings.update({k: v for k, v in info.items() if k != "target_class"})
    res.settings["target"] = target
    return res
