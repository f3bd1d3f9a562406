"""Estimates and standard errors from sampled coalitions (design and theory:
:mod:`.sampling_design`): the control game, the stratified variance, the delta method
for the ratios, the warnings; test games."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .sampled_result import SampledResult
from .sampling_bias import BIAS_WARN_SE, ratio_bias
from .sampling_design import (
    MIN_DRAWS_FOR_SE,
    MIN_STRATUM_FOR_SE,
    NEAR_ZERO_GLOBAL,
    NEAR_ZERO_LOCAL,
    Design,
    SamplingWarning,
    phi_weights,
    reliable_budget,
)

__all__ = ["estimate", "structured_game", "table_value_function", "check_names"]


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


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


def _outside_stacklevel() -> int:
    """stacklevel for warnings.warn that points at the first caller outside the package."""
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def check_names(modality_names: Sequence[str] | None, m: int) -> list[str]:
    """M distinct modality names (``modality i`` by default)."""
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
    names = check_names(modality_names, m)
    if v.ndim != 2 or v.shape[1] != des.n_evaluations:
        raise ValueError(f"values must be (N, {des.n_evaluations}) for this design, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("the value function returned non-finite values (NaN or inf)")
    n, k2 = v.shape[0], m * m
    empty = v[:, des.sizes == 0][:, 0]
    full = v[:, des.sizes == m][:, 0]
    phi3, phi_var, mean_var, pieces = _estimate_phi(v, des, empty, full)
    mean_phi = phi3.mean(axis=0)
    q, q_var = _global_intershap(mean_phi, pieces)
    ql, loc_var, ql_mean, lm_var = _local_intershap(phi3, pieces)
    shap_w_var = np.zeros((n, m))
    for r, w, n_s, t in pieces:  # Shapley = row sums of φ: weights summed over j
        shap_w_var += _linear_var(r, w.reshape(-1, m, m).sum(axis=2), n_s, t)
    mean_se = np.sqrt(np.broadcast_to(mean_var, (k2,))).reshape(m, m)
    near = _near_zero_shares(mean_phi, mean_se, phi3, np.sqrt(phi_var).reshape(n, m, m))
    bias = _bias(mean_phi, mean_se, phi3, np.sqrt(phi_var).reshape(n, m, m), q_var, lm_var)
    _warn(des, near, bias)
    if des.thin_sizes:  # variance estimates from 2-3 draws are not trustworthy: no SE at all
        phi_var = np.full_like(phi_var, np.nan)
        shap_w_var = np.full_like(shap_w_var, np.nan)
        mean_se = np.full((m, m), np.nan)
        q_var = lm_var = float("nan")
        loc_var = np.full_like(loc_var, np.nan)
    return SampledResult(
        phi=phi3,
        phi_se=np.sqrt(phi_var).reshape(n, m, m),
        shapley=phi3.sum(axis=2),
        shapley_se=np.sqrt(shap_w_var),
        mean_phi=mean_phi,
        mean_phi_se=mean_se,
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
        settings={**(settings or {}), "near_zero_share": {"global": near[0], "local": near[1]}, "bias": bias},
    )


def _estimate_phi(v: np.ndarray, des: Design, empty: np.ndarray, full: np.ndarray) -> tuple:
    """φ̂ ``(N, M, M)``, its variance ``(N, M²)``, the variance of its mean ``(M²,)`` and the
    per-size pieces ``[(residuals (N, n_s), weights (n_s, M²), n_s, C(M, s))]``."""
    n, m = v.shape[0], des.n_players
    k2 = m * m
    g_design, phi_g = _control(v, des, empty, full)  # control game g on the design and φ(g)
    phi = phi_g.reshape(n, k2).copy()
    phi_var = np.zeros((n, k2))
    mean_terms: list[tuple[np.ndarray, int, int]] = []
    pieces = []
    for s in range(m + 1):
        sel = des.sizes == s
        n_s, total = int(des.n_drawn[s]), int(des.n_total[s])
        w = phi_weights(des.masks[sel]).reshape(-1, k2)  # (n_s, M²)
        r = v[:, sel] - g_design[:, sel]  # (N, n_s) residual v − g
        phi += (total / n_s) * (r @ w)
        phi_var += _linear_var(r, w, n_s, total)
        pieces.append((r, w, n_s, total))
        u = r.mean(axis=0)  # (n_s,)
        mean_terms.append(((u[:, None] * w).T, n_s, total))  # (M², n_s)
    return phi.reshape(n, m, m), phi_var, _stratified_var(mean_terms), pieces


def _global_intershap(mean_phi: np.ndarray, pieces: list) -> tuple[float, float]:
    """Global InterSHAP of the mean φ and its variance (delta method)."""
    q, grad = _ratio_parts(mean_phi)
    g = np.nan_to_num(grad.reshape(-1))
    q_terms = [((r.mean(axis=0)) * (w @ g), n_s, t) for r, w, n_s, t in pieces]
    return q, _stratified_var(q_terms)


def _local_intershap(phi3: np.ndarray, pieces: list) -> tuple:
    """Local InterSHAP ``(N,)``, its variance ``(N,)``, their mean and its variance."""
    n = phi3.shape[0]
    ql, gl = _ratio_parts(phi3)
    gl = np.nan_to_num(gl.reshape(n, -1))
    valid = np.isfinite(ql)
    loc_var = np.zeros(n)
    locmean_terms = []
    for r, w, n_s, t in pieces:
        z = r * (gl @ w.T)  # (N, n_s)
        if n_s < t:
            loc_var += t ** 2 * (1 - n_s / t) * z.var(axis=1, ddof=1) / n_s
        locmean_terms.append((z[valid].mean(axis=0) if valid.any() else np.zeros(n_s), n_s, t))
    ql_mean = float(ql[valid].mean()) if valid.any() else float("nan")
    return ql, loc_var, ql_mean, _stratified_var(locmean_terms)


def _bias(mean_phi: np.ndarray, mean_se: np.ndarray, phi: np.ndarray, phi_se: np.ndarray,
          q_var: float, lm_var: float) -> dict:
    """The estimated upward bias of global InterSHAP and of the local mean from |·| of
    noise (:mod:`.sampling_bias`), in score units and in standard errors, and the
    first-order corrected values."""
    bg, qg = ratio_bias(mean_phi, mean_se)
    bl, ql = ratio_bias(phi, phi_se)
    ok = np.isfinite(bl) & np.isfinite(ql)
    b_local = float(bl[ok].mean()) if ok.any() else float("nan")
    se_g, se_l = float(np.sqrt(q_var)), float(np.sqrt(lm_var))
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"global": float(bg), "local_mean": b_local,
                "global_in_se": float(bg / se_g) if se_g > 0 else float("nan"),
                "local_mean_in_se": b_local / se_l if se_l > 0 else float("nan"),
                "corrected": {"global": float(qg), "local_mean": float(ql[ok].mean()) if ok.any() else float("nan")}}


def _warn(des: Design, near: tuple[float, float], bias: dict) -> None:
    """SamplingWarning for an upward bias near zero, or for strata too thin for an SE."""
    m = des.n_players
    big = [k for k in ("global", "local_mean") if bias[f"{k}_in_se"] > BIAS_WARN_SE]
    if not des.thin_sizes and (near[0] > NEAR_ZERO_GLOBAL or near[1] > NEAR_ZERO_LOCAL or big):
        warnings.warn(
            f"InterSHAP may be biased upward and its standard error too small: the estimated bias from "
            f"|noise| is {bias['global_in_se']:.1f} SE for the global score and {bias['local_mean_in_se']:.1f} "
            f"SE for the local mean (settings['bias']; warned above {BIAS_WARN_SE} SE); "
            f"{100 * near[0]:.0f} % of Phi's total and on average {100 * near[1]:.0f} % of each sample's "
            f"|phi| total lie in entries within 2 standard errors of 0, where |noise| adds up (this hurts the "
            f"global score above {100 * NEAR_ZERO_GLOBAL:.0f} %, the local scores above "
            f"{100 * NEAR_ZERO_LOCAL:.0f} %); use a larger budget, or 2**M={1 << m} for the exact result.",
            SamplingWarning, stacklevel=_outside_stacklevel())
    if des.thin_sizes:
        thin = ", ".join(f"size {s}: {des.n_drawn[s]} of {des.n_total[s]}" for s in des.thin_sizes)
        warnings.warn(
            f"coalition sizes sampled partly with fewer than {MIN_DRAWS_FOR_SE} draws or out of fewer "
            f"than {MIN_STRATUM_FOR_SE} coalitions ({thin}): their variance cannot be estimated, so "
            f"every standard error is NaN (the estimates are still unbiased for phi). A budget of "
            f"{reliable_budget(m, des.n_evaluations)} or more gives standard errors (M={m}, "
            f"2**M={1 << m}).", SamplingWarning, stacklevel=_outside_stacklevel())


# ------------------------------------------------------------- entry points
def structured_game(m: int, n: int, seed: int) -> np.ndarray:
    """Coalition values ``(n, 2**m)`` with main effects, pairs and some triples (Möbius
    dividends with a shared and a per-sample part), seeded: a test and benchmark game."""
    from .games import coalition_sizes
    from .interactions import inverse_mobius

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


