"""Confidence intervals over the explained samples (docs/honest_numbers.md).

The explained samples are a sample of a population; the global scores are functions
of the mean φ over them. The intervals here say how far the population value may lie:

* **Φ** ``(M, M)``: the normal interval of each mean φ_ij (its standard error over
  samples), mapped through |·|: an interval that holds 0 gives [0, max(|lo|, |hi|)].
  Coverage is that of the mean's interval (|·| cannot lose it).
* **Global InterSHAP** and the **modality contributions**: a seeded parametric
  bootstrap of the mean φ (normal with the samples' covariance / N, by the central
  limit theorem; ``n_draws`` draws of the M(M+1)/2 distinct entries, vectorised), the
  scores recomputed on every draw, and the *basic* (reflected) bootstrap interval
  [2θ̂ − q_hi, 2θ̂ − q_lo], clipped to [0, 1]: |mean φ| is biased upward where an entry
  is near 0, and reflecting removes that bias to first order where a percentile
  interval would double it. Where an entry of |mean φ| is within ``UNRESOLVED_Z`` = 3
  standard errors of 0, that bias is not smooth (the |·| kink); the interval is then
  widened to every value the score takes with each such entry anywhere in
  [0, |mean φ| + z·SE] (the others at their estimates). Measured coverage at 95 %:
  0.93-0.96 with every entry resolved, 0.98-1.0 with unresolved entries
  (``benchmarks/bench_intervals.py``, docs/honest_numbers.md).
* **Local mean**: the normal interval of a mean over the samples with a finite score.

Masking error (``res.intershap_masking_se`` and friends, when a result carries them)
is independent of which samples were drawn; :func:`result_intervals` adds it in
quadrature to each half-width.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["DEFAULT_LEVEL", "check_interval_level", "N_DRAWS", "z_value", "mean_phi_draws", "sample_intervals", "result_intervals"]

DEFAULT_LEVEL = 0.95
N_DRAWS = 1000
#: entries of |mean φ| closer to 0 than this many standard errors are unresolved: the
#: global intervals also span every value they may take in [0, |mean φ| + z·SE]
UNRESOLVED_Z = 3.0


def check_interval_level(settings: Any) -> float:
    """``settings["interval_level"]`` (default 0.95) as a float in (0, 1), or an
    :class:`~.errors.InputError` that says what to set: a result's settings are a plain
    dict its user may edit, and a file may carry anything."""
    level = (settings or {}).get("interval_level", DEFAULT_LEVEL)
    ok = isinstance(level, (int, float, np.integer, np.floating)) and not isinstance(level, (bool, np.bool_))
    if not ok or not 0.0 < float(level) < 1.0:
        raise InputError(f"settings['interval_level'] must be a number between 0 and 1 (0.95 for 95 % "
                         f"intervals), got {level!r}; set res.settings['interval_level'] = 0.95")
    return float(level)


def z_value(level: float) -> float:
    """Two-sided normal quantile for a confidence ``level`` in (0, 1) (1.96 at 0.95)."""
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def _moments(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Mean ``(P,)`` and covariance of the mean ``(P, P)`` of the P = M(M+1)/2 distinct
    entries of φ ``(N, M, M)``, and the upper-triangle indices."""
    n, m = phi.shape[:2]
    iu = np.triu_indices(m)
    x = phi[:, iu[0], iu[1]]
    mean = x.mean(axis=0)
    if n < 2:
        return mean, np.full((x.shape[1], x.shape[1]), np.nan), iu
    xc = x - mean
    return mean, (xc.T @ xc) / ((n - 1) * n), iu


def mean_phi_draws(phi: np.ndarray, n_draws: int = N_DRAWS, seed: int = 0) -> np.ndarray:
    """``(n_draws, M, M)`` draws of the mean φ from its sampling distribution, normal
    with the covariance over the samples of φ ``(N, M, M)`` divided by N (seeded)."""
    phi = np.asarray(phi, dtype=np.float64)
    m = phi.shape[1]
    mean, cov, iu = _moments(phi)
    w, vecs = np.linalg.eigh(np.nan_to_num(cov))
    root = vecs * np.sqrt(np.clip(w, 0.0, None))
    z = np.random.default_rng(seed).standard_normal((int(n_draws), mean.size))
    flat = mean + z @ root.T
    out = np.empty((int(n_draws), m, m))
    out[:, iu[0], iu[1]] = flat
    out[:, iu[1], iu[0]] = flat
    return out


def _basic(est: np.ndarray, draws: np.ndarray, level: float) -> np.ndarray:
    """``(2, ...)`` basic bootstrap interval of ``est`` from ``draws (B, ...)``, in [0, 1]."""
    alpha = (1.0 - level) / 2
    q_lo, q_hi = np.quantile(draws, [alpha, 1 - alpha], axis=0)
    return np.clip(np.stack([2 * est - q_hi, 2 * est - q_lo]), 0.0, 1.0)


def _abs_image(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``(2, ...)`` the image of the intervals [lo, hi] under |·|."""
    a, b = np.abs(lo), np.abs(hi)
    straddles = (lo <= 0) & (hi >= 0)
    return np.stack([np.where(straddles, 0.0, np.minimum(a, b)), np.maximum(a, b)])


def _unresolved_range(phi_abs: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Ranges of InterSHAP ``(2,)`` and of the contributions ``(2, M)`` when every entry
    of |mean φ| ``(M, M)`` within ``UNRESOLVED_Z`` standard errors ``se`` of 0 may lie
    anywhere in [0, |mean φ| + z·se] and the others stay at their estimates."""
    m = phi_abs.shape[0]
    free = phi_abs < UNRESOLVED_Z * se
    lo = np.where(free, 0.0, phi_abs)
    hi = np.where(free, phi_abs + z * se, phi_abs)
    off = ~np.eye(m, dtype=bool)
    a_lo, a_hi = lo[off].sum(), hi[off].sum()
    d_lo, d_hi = np.diag(lo), np.diag(hi)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.array([a_lo / (a_lo + d_hi.sum()), a_hi / (a_hi + d_lo.sum())])
        rest_lo, rest_hi = lo.sum() - d_lo, hi.sum() - d_hi
        c = np.stack([d_lo / (d_lo + rest_hi), d_hi / (d_hi + rest_lo)])
    return g, c


def sample_intervals(phi: np.ndarray, local: np.ndarray, *, intershap: float, local_mean: float,
                     level: float = DEFAULT_LEVEL, n_draws: int = N_DRAWS, seed: int = 0) -> dict:
    """Intervals over samples from φ ``(N, M, M)`` and the local scores ``(N,)``.

    ``intershap`` and ``local_mean`` are the point estimates (NaN gives a NaN interval).
    Returns ``{"intershap": (lo, hi), "intershap_local_mean": (lo, hi),
    "Phi": (2, M, M), "modality_contributions": (2, M)}``.
    """
    phi = np.asarray(phi, dtype=np.float64)
    n, m = phi.shape[0], phi.shape[1]
    z = z_value(level)
    nan2 = (float("nan"), float("nan"))
    out: dict[str, Any] = {"intershap": nan2, "intershap_local_mean": nan2,
                           "Phi": np.full((2, m, m), np.nan), "modality_contributions": np.full((2, m), np.nan)}
    if n < 2:
        return out
    mean, cov, iu = _moments(phi)
    se = np.zeros((m, m))
    se[iu[0], iu[1]] = se[iu[1], iu[0]] = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    mphi = phi.mean(axis=0)
    out["Phi"] = _abs_image(mphi - z * se, mphi + z * se)
    if np.isfinite(intershap):
        draws = np.abs(mean_phi_draws(phi, n_draws, seed))
        total = draws.sum(axis=(1, 2))
        diag = np.abs(np.diagonal(draws, axis1=1, axis2=2))
        with np.errstate(invalid="ignore", divide="ignore"):
            g = (total - diag.sum(axis=1)) / total
            c = diag / total[:, None]
        ok = total > 0
        if ok.sum() >= 2:
            g_box, c_box = _unresolved_range(np.abs(mphi), se, z)
            lo, hi = _basic(np.asarray(intershap), g[ok], level)
            out["intershap"] = (float(np.fmin(lo, g_box[0])), float(np.fmax(hi, g_box[1])))
            est_c = np.abs(np.diag(mphi)) / np.abs(mphi).sum()
            c_iv = _basic(est_c, c[ok], level)
            out["modality_contributions"] = np.stack([np.fmin(c_iv[0], c_box[0]), np.fmax(c_iv[1], c_box[1])])
    loc = np.asarray(local, dtype=np.float64)
    loc = loc[np.isfinite(loc)]
    if np.isfinite(local_mean) and loc.size >= 2:
        half = z * loc.std(ddof=1) / np.sqrt(loc.size)
        out["intershap_local_mean"] = (max(0.0, local_mean - half), min(1.0, local_mean + half))
    return out


def _widen(est: Any, lo: Any, hi: Any, se: Any, z: float, upper: float | None = 1.0) -> tuple:
    """Add an independent error ``se`` in quadrature to each half-width of [lo, hi]."""
    est, lo, hi, se = (np.asarray(a, dtype=np.float64) for a in (est, lo, hi, se))
    new_lo = np.clip(est - np.hypot(est - lo, z * se), 0.0, None)
    new_hi = est + np.hypot(hi - est, z * se)
    return new_lo, (new_hi if upper is None else np.minimum(new_hi, upper))


def _local_mean_masking_se(result: Any) -> float | None:
    se = getattr(result, "intershap_local_mean_masking_se", None)
    if se is not None:
        return float(se)
    per = getattr(result, "intershap_local_masking_se", None)
    if per is None:
        return None
    per = np.asarray(per, dtype=np.float64)
    per = per[np.isfinite(np.asarray(result.intershap_local)) & np.isfinite(per)]
    if per.size == 0:
        return None
    design = getattr(getattr(result, "masking_se", None), "design", "")
    # one shared error (a subsample used by every sample) does not average out
    return float(per.mean() if design == "shared" else np.sqrt(np.sum(per**2)) / per.size)


def _masking(result: Any, name: str) -> Any:
    se = getattr(result, name, None)
    if se is None and name == "Phi_masking_se":
        se = getattr(getattr(result, "masking_se", None), "Phi", None)
    return se


def result_intervals(result: Any, level: float | None = None, n_draws: int = N_DRAWS) -> dict:
    """:func:`sample_intervals` of an InteractionResult, widened by its masking standard
    errors where it carries them (``intershap_masking_se``, ``Phi_masking_se``,
    ``intershap_local_masking_se``, ``modality_contributions_masking_se``). The level
    is ``result.settings.get("interval_level", 0.95)`` unless given; seeded by
    ``settings["seed"]`` (0 when absent)."""
    settings = getattr(result, "settings", {}) or {}
    level = check_interval_level(settings) if level is None else float(level)
    seed = settings.get("seed", 0)
    seed = seed if isinstance(seed, (int, np.integer)) and seed >= 0 else 0
    iv = sample_intervals(result.phi, result.intershap_local, intershap=result.intershap,
                          local_mean=result.intershap_local_mean, level=level, n_draws=n_draws, seed=int(seed))
    z = z_value(level)
    se = _masking(result, "intershap_masking_se")
    if se is not None and np.isfinite(result.intershap):
        lo, hi = _widen(result.intershap, *iv["intershap"], se, z)
        iv["intershap"] = (float(lo), float(hi))
    se = _local_mean_masking_se(result)
    if se is not None and np.isfinite(result.intershap_local_mean):
        lo, hi = _widen(result.intershap_local_mean, *iv["intershap_local_mean"], se, z)
        iv["intershap_local_mean"] = (float(lo), float(hi))
    se = _masking(result, "Phi_masking_se")
    if se is not None:
        iv["Phi"] = np.stack(_widen(result.Phi, iv["Phi"][0], iv["Phi"][1], se, z, upper=None))
    se = _masking(result, "modality_contributions_masking_se")
    if se is not None:
        mc = result.modality_contributions
        iv["modality_contributions"] = np.stack(_widen(mc, *iv["modality_contributions"], se, z))
    return iv
