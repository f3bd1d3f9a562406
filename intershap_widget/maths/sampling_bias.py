"""The upward bias of |·| of noisy estimates, as the sampler's own diagnostic.

Φ = |mean φ̂|, global InterSHAP and the local scores take absolute values of estimates
with sampling error. For an entry X ~ N(μ, s²), E|X| = s·√(2/π)·exp(−μ²/2s²) +
μ·(1 − 2Φ(−μ/s)) (the folded normal), which exceeds |μ| by up to 0.80·s when μ ≈ 0.
Plugging in the estimate and its standard error gives each entry's expected excess;
subtracting the excesses from InterSHAP's numerator and denominator gives a
first-order corrected ratio, and the difference is the estimated bias. The sampler
warns when that bias exceeds half the stated standard error
(:data:`BIAS_WARN_SE`) and records both in ``settings["bias"]``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["abs_excess", "ratio_bias", "BIAS_WARN_SE"]

#: warn when the estimated upward bias of an InterSHAP exceeds this many standard errors
BIAS_WARN_SE = 0.5


def _norm_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF (Abramowitz–Stegun 7.1.26 for erf, |error| < 1.5e-7), vectorised."""
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


def abs_excess(x: np.ndarray, se: np.ndarray) -> np.ndarray:
    """E|X| − |x| for X ~ N(x, se²), elementwise (0 where se is 0 or NaN); same shape as x."""
    x = np.asarray(x, dtype=np.float64)
    s = np.nan_to_num(np.asarray(se, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = np.where(s > 0, x / np.where(s > 0, s, 1.0), 0.0)
        folded = s * np.sqrt(2 / np.pi) * np.exp(-0.5 * z * z) + x * (1 - 2 * _norm_cdf(-z))
    return np.where(s > 0, np.maximum(folded - np.abs(x), 0.0), 0.0)


def ratio_bias(phi: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Estimated upward bias of InterSHAP Σ_{i≠j}|φ| / Σ|φ| of ``(..., M, M)`` estimates
    with standard errors ``se`` (same shape): ``(bias (...), corrected ratio (...))``,
    NaN where the corrected denominator is not positive."""
    m = phi.shape[-1]
    off = ~np.eye(m, dtype=bool)
    a = np.abs(phi)
    ex = abs_excess(phi, se)
    tot, num = a.sum(axis=(-2, -1)), (a * off).sum(axis=(-2, -1))
    tot_c, num_c = tot - ex.sum(axis=(-2, -1)), np.maximum(num - (ex * off).sum(axis=(-2, -1)), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(tot > 0, num / np.where(tot > 0, tot, 1.0), np.nan)
        qc = np.where(tot_c > 0, num_c / np.where(tot_c > 0, tot_c, 1.0), np.nan)
    return q - qc, qc
