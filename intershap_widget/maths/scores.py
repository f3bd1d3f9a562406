"""InterSHAP scores derived from interaction matrices (paper Eqs. 5-10), and when they
are undefined.

The absolute-value conventions are written down once in :mod:`intershap_widget.maths.games`.

No score from rounding noise (docs/honest_numbers.md)
-----------------------------------------------------
A score is a ratio of behaviours; a behaviour that is zero *relative to the scale of
the model's output* is rounding noise, and its ratio is not a measurement. For sample a
with coalition values v_a (``(2**M,)``):

* ``scale_a = max_S |v_a(S)|`` (at least |v_a(N)| and |v_a(∅)|),
* ``tol_a`` is the larger of two rules:

  - the package's float64 arithmetic (the mean over rows, the transform):
    ``TOL_ULPS · L1(M) · eps64 · scale_a``, with ``L1(M) = 2M(M+1) − 4`` the sum of
    |weights| of the linear map v → φ (the most that one unit of rounding on every
    v(S) can add to Σ|φ|);
  - the rounding of the model's outputs, of relative precision ``eps``
    (``settings["output_precision"]`` or the output dtype's; float64's when unknown):
    each output carries an error of about one unit roundoff ``u = eps/2`` of the
    scale (its own rounding and the last operations'), independent between outputs,
    and every masked v(S) is a mean over K outputs (``settings["n_background"]``,
    ``"rows_per_sample"`` or ``"n_draws"``; v(N) is one output), so φ_ij carries
    ``u · scale · sqrt(w_N,ij² + Σ_{S≠N} w_S,ij² / K)`` and Σ|φ| at most u · scale ·
    L2(M, K), the sum of those norms (:func:`transform_l2`); the tolerance is
    ``TOL_SIGMAS = 4`` of those: ``4 · u · L2(M, K) · scale_a``. (A worst case in
    L1 with 16 units, as for float64, would put a bfloat16 model's tolerance above its
    own output scale: every honest bfloat16 model would read "no behaviour".)
* the local score I_a is NaN when ``Σ_ij |φ^a_ij| <= tol_a``,
* the global score is NaN when ``Σ_ij Φ_ij <= tol``: the arithmetic rule at the mean
  scale (an error of the mean is at most the mean error), or the rounding rule at the
  mean scale divided by sqrt(N) (independent rounding errors average over the N
  samples of mean φ), whichever is larger.

Scores are scale-free: multiplying every output by any c > 0 changes no score and no
NaN decision (up to the rounding of the product).
"""

from __future__ import annotations

from functools import lru_cache

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
    "transform_l2",
    "TOL_SIGMAS",
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
#: standard deviations of the outputs' rounding a behaviour must exceed
TOL_SIGMAS = 4.0


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


@lru_cache(maxsize=64)
def transform_l2(m: int, rows: int = 1) -> float:
    """Σ_ij of the standard deviation of φ_ij ``(M, M)`` when every v(S) carries an
    independent unit error and the masked v(S) (all but v(N), a single output) are
    means over ``rows`` outputs: Σ_ij sqrt(w_N,ij² + Σ_{S≠N} w_S,ij² / rows). With one
    row, L2(M) = Σ_ij ||w_ij||_2 (4.83 at M = 2, 7.98 at M = 3); with many, about
    Σ_ij |w_N,ij| = 1 + ..."""
    from .games import interaction_matrices

    w = interaction_matrices(np.eye(1 << m))  # (2**M, M, M)
    var = w[-1] ** 2 + (w[:-1] ** 2).sum(axis=0) / max(int(rows), 1)
    return float(np.sqrt(var).sum())


def _rounding_factor(m: int, precision: float, rows: int) -> float:
    return TOL_SIGMAS * float(precision) / 2 * transform_l2(m, max(int(rows), 1))


def local_tolerance(values: np.ndarray, precision: float = FLOAT64_EPS, rows: int = 1) -> np.ndarray:
    """``(N,)`` rounding tolerance of Σ_ij |φ^a_ij| for coalition values ``(N, 2**M)``
    whose masked entries are means over ``rows`` model outputs:
    ``max(TOL_ULPS · L1(M) · eps64, TOL_SIGMAS · precision/2 · L2(M, rows)) · max_S |v_a(S)|``
    (module docstring)."""
    v = np.asarray(values, dtype=np.float64)
    m = v.shape[1].bit_length() - 1
    if v.shape[0] == 0:
        return np.zeros(0)
    factor = max(TOL_ULPS * transform_l1(m) * FLOAT64_EPS, _rounding_factor(m, precision, rows))
    return factor * np.abs(v).max(axis=1)


def global_tolerance(values: np.ndarray, precision: float = FLOAT64_EPS, rows: int = 1) -> float:
    """Rounding tolerance of Σ_ij Φ_ij for coalition values ``(N, 2**M)``: the float64
    arithmetic rule at the mean scale, or the output-rounding rule at the mean scale
    over sqrt(N), whichever is larger (module docstring)."""
    v = np.asarray(values, dtype=np.float64)
    n, m = v.shape[0], v.shape[1].bit_length() - 1
    if n == 0:
        return 0.0
    scale = float(np.abs(v).max(axis=1).mean())
    rounding = _rounding_factor(m, precision, rows) / np.sqrt(n)
    return max(TOL_ULPS * transform_l1(m) * FLOAT64_EPS, rounding) * scale


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


def global_nan_reason(phi: np.ndarray, values: np.ndarray, precision: float = FLOAT64_EPS,
                      rows: int = 1) -> str | None:
    """Why the global InterSHAP of ``phi (N, M, M)`` / ``values (N, 2**M)`` is NaN, or None."""
    phi = np.asarray(phi, dtype=np.float64)
    if phi.shape[0] == 0:
        return "no samples"
    mean = phi.mean(axis=0)
    if not np.all(np.isfinite(mean)):
        return "non-finite interaction values"
    tol = global_tolerance(values, precision, rows)
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
