"""InterSHAP scores derived from interaction matrices (paper Eqs. 5-10).

The absolute-value conventions are written down once in :mod:`intershap_widget.maths.games`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "global_matrix",
    "intershap_score",
    "local_scores",
    "modality_contributions",
    "behaviour",
]


def global_matrix(phi: np.ndarray) -> np.ndarray:
    """Φ = |mean over samples of φ|, from ``(N, M, M)`` to ``(M, M)`` (paper Eq. 5).

    An empty sample set gives a matrix of NaN.
    """
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return np.full(phi.shape[1:], np.nan)
    return np.abs(phi.mean(axis=0))


def behaviour(Phi: np.ndarray) -> float:
    """Total behaviour Σ_ij Φ_ij of a global ``(M, M)`` matrix."""
    return float(np.sum(Phi))


def _off_diagonal_sum(mat: np.ndarray) -> np.ndarray:
    """Σ_{i≠j} over the last two axes of ``(..., M, M)``."""
    return mat.sum(axis=(-2, -1)) - np.trace(mat, axis1=-2, axis2=-1)


def intershap_score(Phi: np.ndarray) -> float:
    """Global InterSHAP = Σ_{i≠j} Φ_ij / Σ_ij Φ_ij for a ``(M, M)`` Φ (paper Eq. 8).

    NaN when the behaviour is zero (a constant model) or Φ is undefined.
    """
    Phi = np.asarray(Phi, dtype=np.float64)
    total = Phi.sum()
    if not np.isfinite(total) or total == 0:
        return float("nan")
    return float(_off_diagonal_sum(Phi) / total)


def local_scores(phi: np.ndarray) -> np.ndarray:
    """Per-sample InterSHAP I_a from ``(N, M, M)`` to ``(N,)`` (paper Eq. 10).

    |φ^a| is taken elementwise; samples with all-zero φ get NaN.
    """
    a = np.abs(np.asarray(phi, dtype=np.float64))
    total = a.sum(axis=(1, 2))
    inter = _off_diagonal_sum(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, inter / np.where(total > 0, total, 1.0), np.nan)


def modality_contributions(Phi: np.ndarray) -> np.ndarray:
    """Share of behaviour of each modality alone, |Φ_ii| / Σ Φ, shape ``(M,)``."""
    Phi = np.asarray(Phi, dtype=np.float64)
    total = Phi.sum()
    if not np.isfinite(total) or total == 0:
        return np.full(Phi.shape[0], np.nan)
    return np.abs(np.diag(Phi)) / total
