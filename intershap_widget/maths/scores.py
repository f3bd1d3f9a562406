"""InterSHAP scores derived from interaction matrices (paper Eqs. 5-10), and when they
are undefined.

The absolute-value conventions are written down once in :mod:`intershap_widget.maths.games`.

No score from rounding noise (docs/honest_numbers.md)
-----------------------------------------------------
A score is a ratio of behaviours; a behaviour that is zero *relative to the scale of
the model's output* is rounding noise, and its ratio is not a measurement. For sample a
with coalition values v_a (``(2**M,)``):

* ``scale_a = max_S |v_a(S)|`` (at least |v_a(N)| and |v_a(∅)|),
* ``tol_a = TOL_ULPS · L(M) · eps · scale_a`` where ``eps`` is the relative precision
  of the model's outputs (``settings["output_precision"]``; float64's 2.2e-16 when not
  known) and ``L(M) = 2M(M+1) − 4`` is the sum of |weights| of the linear map v → φ
  (the most that one unit of rounding on every v(S) can add to Σ|φ|),
* the local score I_a is NaN when ``Σ_ij |φ^a_ij| <= tol_a``,
* the global score is NaN when ``Σ_ij Φ_ij <= tol`` with ``tol`` the same formula at
  the mean scale over samples (an error of the mean is at most the mean error).

Scores are scale-free: multiplying every output by any c > 0 changes no score and no
NaN decision (up to the rounding of the product).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TOL_ULPS",
    "FLOAT64_EPS",
    "global_matrix",
    "abs_first_matrix",
    "intershap_score",
    "local_scores",
    "modality_contributions",
    "behaviour",
    "cancellation_ratio",
    "transform_l1",
    "local_tolerance",
    "global_tolerance",
    "global_nan_reason",
    "local_nan_reason",
]

#: units of rounding each coalition value may carry (the model's own arithmetic, the mean
#: over background rows, the transform) before a behaviour counts as real
TOL_ULPS = 16.0
#: relative precision assumed for outputs of unknown precision
FLOAT64_EPS = float(np.finfo(np.float64).eps)


def global_matrix(phi: np.ndarray) -> np.ndarray:
    """Φ = |mean over samples of φ|, from ``(N, M, M)`` to ``(M, M)`` (paper Eq. 5).

    An empty sample set gives a matrix of NaN.
    """
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return np.full(phi.shape[1:], np.nan)
    return np.abs(phi.mean(axis=0))


def abs_first_matrix(phi: np.ndarray) -> np.ndarray:
    """The absolute-first aggregate mean over samples of |φ|, ``(N, M, M)`` → ``(M, M)``:
    nothing cancels between samples. NaN for an empty sample set."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return np.full(phi.shape[1:], np.nan)
    return np.abs(phi).mean(axis=0)


def behaviour(Phi: np.ndarray) -> float:
    """Total behaviour Σ_ij Φ_ij of a global ``(M, M)`` matrix."""
    return float(np.sum(Phi))


def _off_diagonal_sum(mat: np.ndarray) -> np.ndarray:
    """Σ_{i≠j} over the last two axes of ``(..., M, M)``."""
    return mat.sum(axis=(-2, -1)) - np.trace(mat, axis1=-2, axis2=-1)


def transform_l1(m: int) -> float:
    """L(M) = Σ of |weights| of the linear map from v ``(2**M,)`` to φ ``(M, M)``:
    2M(M+1) − 4 (8 at M = 2, 36 at M = 4; checked against the transform in tests)."""
    return float(2 * m * (m + 1) - 4)


def local_tolerance(values: np.ndarray, precision: float = FLOAT64_EPS) -> np.ndarray:
    """``(N,)`` rounding tolerance of Σ_ij |φ^a_ij| for coalition values ``(N, 2**M)``:
    ``TOL_ULPS · L(M) · precision · max_S |v_a(S)|``."""
    v = np.asarray(values, dtype=np.float64)
    m = v.shape[1].bit_length() - 1
    if v.shape[0] == 0:
        return np.zeros(0)
    return TOL_ULPS * transform_l1(m) * float(precision) * np.abs(v).max(axis=1)


def global_tolerance(values: np.ndarray, precision: float = FLOAT64_EPS) -> float:
    """Rounding tolerance of Σ_ij Φ_ij: :func:`local_tolerance` at the mean scale."""
    tol = local_tolerance(values, precision)
    return float(tol.mean()) if tol.size else 0.0


def intershap_score(Phi: np.ndarray, tol: float = 0.0) -> float:
    """Global InterSHAP = Σ_{i≠j} Φ_ij / Σ_ij Φ_ij for a ``(M, M)`` Φ (paper Eq. 8).

    NaN when the behaviour Σ Φ is at most ``tol`` (zero or rounding noise, see
    :func:`global_tolerance`) or Φ is undefined.
    """
    Phi = np.asarray(Phi, dtype=np.float64)
    total = Phi.sum()
    if not np.isfinite(total) or total <= tol:
        return float("nan")
    return float(_off_diagonal_sum(Phi) / total)


def local_scores(phi: np.ndarray, tol: np.ndarray | float = 0.0) -> np.ndarray:
    """Per-sample InterSHAP I_a from ``(N, M, M)`` to ``(N,)`` (paper Eq. 10).

    |φ^a| is taken elementwise; samples whose Σ|φ^a| is at most ``tol`` (a float or
    ``(N,)``, see :func:`local_tolerance`) get NaN.
    """
    a = np.abs(np.asarray(phi, dtype=np.float64))
    total = a.sum(axis=(1, 2))
    inter = _off_diagonal_sum(a)
    ok = total > np.asarray(tol, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, inter / np.where(ok, total, 1.0), np.nan)


def modality_contributions(Phi: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Share of behaviour of each modality alone, |Φ_ii| / Σ Φ, shape ``(M,)``; NaN
    where the global score is (behaviour at most ``tol``)."""
    Phi = np.asarray(Phi, dtype=np.float64)
    total = Phi.sum()
    if not np.isfinite(total) or total <= tol:
        return np.full(Phi.shape[0], np.nan)
    return np.abs(np.diag(Phi)) / total


def cancellation_ratio(phi: np.ndarray, tol: float = 0.0) -> float:
    """Σ_ij |mean φ_ij| / Σ_ij mean |φ_ij| for ``(N, M, M)`` φ, in [0, 1]: 1 when no
    entry changes sign over the samples, near 0 when the global Φ is what is left after
    opposite signs cancelled. NaN when Σ mean|φ| is at most ``tol``."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return float("nan")
    denom = float(np.abs(phi).mean(axis=0).sum())
    if not np.isfinite(denom) or denom <= tol:
        return float("nan")
    return float(np.abs(phi.mean(axis=0)).sum() / denom)


def global_nan_reason(phi: np.ndarray, values: np.ndarray, precision: float = FLOAT64_EPS) -> str | None:
    """Why the global InterSHAP of ``phi (N, M, M)`` / ``values (N, 2**M)`` is NaN, or None."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return "no samples"
    mean = phi.mean(axis=0)
    if not np.all(np.isfinite(mean)):
        return "non-finite interaction values"
    tol = global_tolerance(values, precision)
    total = float(np.abs(mean).sum())
    if total > tol:
        return None
    spread = float(np.abs(phi).mean(axis=0).sum())
    if spread > tol:
        return (f"the behaviour cancels over the samples: sum |mean phi| = {total:.3g} is within "
                f"rounding (tolerance {tol:.3g}) while sum mean |phi| = {spread:.3g}; "
                "read the local mean, or use target='predicted' or a separate background")
    return (f"no behaviour: sum |mean phi| = {total:.3g} is within rounding of the output scale "
            f"(tolerance {tol:.3g}); the model's output does not change with the modalities")


def local_nan_reason(local: np.ndarray) -> str | None:
    """One line on the NaN local scores ``(N,)``, or None when there are none."""
    bad = int(np.isnan(local).sum())
    if bad == 0:
        return None
    return (f"{bad} of {local.size} samples have no behaviour beyond rounding of their output "
            "scale (local InterSHAP NaN, left out of the local mean)")
