"""The masking error travels with the result: to a subset of its samples, to another
class of a ``target="all"`` result, and through its file.

* **Subset** (``res[idx]``): per-sample errors are the subset's rows; the errors of the
  global score and of mean φ are recomputed for the subset. Samples' errors are
  independent (paired and independent designs), so mean φ's variance is the sum over
  the subset / n²; the global score's linearisation ((1 − R)·A − R·D)/T is rebuilt at
  the subset's mean φ from each sample's stored (Var A, Var D, Cov(A, D))
  (:attr:`~.masking_error.MaskingError.parts`), exact while mean φ keeps its signs.
  Where a sign changes, and for a shared design (one error common to every sample),
  the bound sd(Σ_ij g_ij φ_ij) ≤ Σ_ij |g_ij| sd(φ_ij) is used, summed over samples
  for the shared design: never smaller than the error.
* **Another class**: the rows kept for the masking error are the explained class's.
  They serve class c for the samples explained with c; a two-class softmax output has
  φ of one class = −φ of the other, so the errors are the same; other samples' errors
  are unknown and the class's result carries none (its settings say why).
* **File**: the per-sample arrays and a small JSON header (:func:`to_file`,
  :func:`from_file`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .masking_error import MaskingError, _ratio_gradient, floor_at_mean, lin_var

__all__ = ["subset", "for_class", "to_file", "from_file", "FILE_ARRAYS"]

#: array names of a result file that hold the masking error
FILE_ARRAYS = {"masking_coalition_values_se": "coalition_values", "masking_phi_se": "phi",
               "masking_local_se": "intershap_local", "masking_parts": "parts"}


def _global_bound(se_phi: np.ndarray, mean_phi: np.ndarray, shared: bool) -> float:
    """The triangle-inequality bound on the global score's SE: per sample
    Σ_ij |g_ij| SE(φ_ij) with g the gradient at ``mean_phi`` ``(M, M)``; independent
    samples add in quadrature, a shared error adds linearly. ``se_phi`` ``(n, M, M)``."""
    n = se_phi.shape[0]
    per = np.einsum("ij,nij->n", np.abs(_ratio_gradient(mean_phi)), se_phi)
    return float(per.sum() / n if shared else np.sqrt(np.sum(per**2)) / n) if n else 0.0


def subset(err: MaskingError, rows: np.ndarray, phi: np.ndarray) -> MaskingError:
    """The masking error of samples ``rows`` ``(n,)`` of a result, scores recomputed at
    the subset's φ ``(n, M, M)`` (see the module docstring)."""
    se_phi = err.phi[rows]
    n = se_phi.shape[0]
    mean_phi = phi.mean(axis=0) if n else np.zeros(err.Phi.shape)
    shared = err.design == "shared"
    if err.design == "exact" or not n:
        glob, Phi = 0.0 if err.design == "exact" else float("nan"), np.zeros(err.Phi.shape)
    elif shared:
        glob, Phi = _global_bound(se_phi, mean_phi, True), se_phi.mean(axis=0)
    else:
        Phi = np.sqrt(np.sum(se_phi**2, axis=0)) / n
        same_signs = err.parts is not None and np.array_equal(np.sign(mean_phi), err.signs)
        if same_signs:
            parts = err.parts[rows]
            var = lin_var(parts, mean_phi)
            glob = float(np.sqrt(max(float((floor_at_mean(var) if err.design == "paired" else var).sum()), 0.0)) / n)
        else:
            glob = _global_bound(se_phi, mean_phi, False)
    return MaskingError(
        err.coalition_values[rows], se_phi, Phi, err.intershap_local[rows], glob, err.design,
        err.rows_per_sample, err.note, dict(err.extra),
        None if err.parts is None else err.parts[rows], err.signs)  # the signs the parts refer to


def for_class(err: MaskingError, explained: np.ndarray, cls: int, n_classes: int, output: str,
              phi: np.ndarray) -> tuple[MaskingError | None, str]:
    """The masking error of class ``cls`` for every sample (``explained`` ``(N,)``: the
    class whose rows were kept), or None and why (see the module docstring); ``phi``
    ``(N, M, M)`` the class's φ."""
    if err.design == "exact":
        return subset(err, np.arange(phi.shape[0]), phi), ""
    # two softmax outputs: v_c = 1 − v_other, φ_c = −φ_other, the same variances
    # (A and D only change sign: the stored parts hold for the same sign pattern)
    if (n_classes == 2 and output in ("logits", "probability")) or bool(np.all(explained == cls)):
        return subset(err, np.arange(phi.shape[0]), phi), ""
    missing = int(np.sum(explained != cls))
    return None, (f"not estimated for class {cls}: the run kept the rows of each sample's explained class, and "
                  f"{missing} samples were explained with another; explain(..., target={cls}) estimates it")


def to_file(err: MaskingError) -> tuple[dict, dict]:
    """``(arrays, header)`` of a masking error for a result file."""
    arrays = {name: getattr(err, attr) for name, attr in FILE_ARRAYS.items() if getattr(err, attr) is not None}
    header = {"intershap": float(err.intershap), "Phi": np.asarray(err.Phi).tolist(), "design": err.design,
              "rows_per_sample": int(err.rows_per_sample), "note": err.note,
              "signs": None if err.signs is None else np.asarray(err.signs).tolist()}
    return arrays, header


def from_file(arrays: dict, header: Any) -> MaskingError | None:
    """The masking error stored by :func:`to_file` (its arrays popped from ``arrays``),
    or None when the file holds none or a malformed one."""
    got = {attr: arrays.pop(name, None) for name, attr in FILE_ARRAYS.items()}
    if not isinstance(header, dict) or any(got[a] is None for a in ("coalition_values", "phi", "intershap_local")):
        return None
    try:
        signs = header.get("signs")
        return MaskingError(
            np.asarray(got["coalition_values"], dtype=np.float64), np.asarray(got["phi"], dtype=np.float64),
            np.asarray(header["Phi"], dtype=np.float64), np.asarray(got["intershap_local"], dtype=np.float64),
            float(header["intershap"]), str(header["design"]), int(header["rows_per_sample"]),
            str(header.get("note", "")), {}, got["parts"], None if signs is None else np.asarray(signs, dtype=np.float64))
    except (KeyError, TypeError, ValueError):
        return None
