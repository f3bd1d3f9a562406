"""The degenerate global score of a fixed output explained against its own samples.

With one fixed output (regression, ``target=<int>``, a one-column raw output) and
expectation masking over a background drawn from the explained samples, the dataset
mean of the coalition values is a *self-dual* game: E_a v_a(S) = E_{a,b} f(a_S, b_{−S})
= E_a v_a(N∖S) (swap a and b). Its Shapley values are 0: the mean Shapley values of
the samples cancel, exactly when the background *is* X (``background=None``), in
expectation when it is another sample of the same data. Φ's diagonal (main effects)
is then minus the row sums of the interactions, so global InterSHAP = Σ_{i≠j}|Φ_ij| /
Σ|Φ_ij| is forced to ≥ 0.5 (exactly 0.5 at M = 2 for any non-additive model) and, for
an additive model, is a ratio of rounding errors. The local scores are not affected.
``target="predicted"`` breaks the symmetry (each sample explains its own class).
See docs/honest_numbers.md, section 3, "Why target=<int> with background = X drifts to 50 %".
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..maths.sampling_estimate import _outside_stacklevel
from .adapters import _is_tensor

__all__ = ["DegenerateScoreWarning", "is_fixed_output", "background_overlap", "degenerate_reason",
           "warn_degenerate"]


class DegenerateScoreWarning(UserWarning):
    """The global InterSHAP is degenerate: a fixed output explained against a background
    that is (or overlaps) the explained samples (the mean Shapley values cancel)."""


def is_fixed_output(output: str, target: Any, n_cols: int) -> bool:
    """True when every sample explains the same output column (regression, a class index,
    or a model with one output)."""
    is_int = isinstance(target, (int, np.integer)) and not isinstance(target, bool)
    return output == "regression" or n_cols == 1 or is_int


def _fingerprints(arrays: list, seed: int = 12345) -> np.ndarray:
    """One float64 per row ``(R,)``: a fixed random projection of the row's values."""
    rng = np.random.default_rng(seed)
    total = np.zeros(arrays[0].shape[0])
    for i, a in enumerate(arrays):
        d = int(np.prod(tuple(a.shape)[1:], dtype=np.int64))
        w = rng.uniform(1.0, 2.0, size=d) * np.pi ** i
        step = max(1, (8 << 20) // max(d, 1))  # ~64 MB of float64 at a time
        for s in range(0, a.shape[0], step):
            block = a[s:s + step]
            flat = block.detach().reshape(block.shape[0], -1).double().cpu().numpy() if _is_tensor(block) \
                else np.asarray(block, dtype=np.float64).reshape(block.shape[0], -1)
            total[s:s + step] += flat @ w
    return total


def background_overlap(xs: list, bg: list, background_is_x: bool) -> float:
    """Share of the background rows ``(K, ...)`` that are explained samples ``(N, ...)``."""
    if background_is_x:
        return 1.0
    if not all(isinstance(a, np.ndarray) or _is_tensor(a) for a in xs + bg):
        return 0.0
    fx, fb = _fingerprints(xs), _fingerprints(bg)
    return float(np.isin(fb, fx).mean())


def degenerate_reason(output: str, target: Any, n_cols: int, overlap: float) -> str | None:
    """Why the global score is degenerate (None when it is not)."""
    if overlap <= 0 or not is_fixed_output(output, target, n_cols):
        return None
    what = ("a regression output" if output == "regression" else
            f"class {int(target)} for every sample" if isinstance(target, (int, np.integer)) else
            "the model's only output")
    bg = ("the background is the explained samples themselves (background=None)" if overlap >= 1
          else f"{100 * overlap:.0f} % of the background rows are explained samples")
    return (f"one fixed output ({what}) is explained and {bg}: the mean Shapley values cancel "
            "(the mean coalition values form a self-dual game), so the global InterSHAP is forced "
            "to >= 0.5 or is a ratio of rounding errors")


def warn_degenerate(reason: str, intershap: float, local_mean: float) -> None:
    """A :class:`DegenerateScoreWarning` with the reason and what to do instead."""
    warnings.warn(
        f"global InterSHAP = {intershap:.4g} is not a measurement: {reason}. Use the local mean "
        f"(res.intershap_local_mean = {local_mean:.4g}), target='predicted' for a classifier, or a "
        "background from a different reference distribution (masking='baseline' or held-out rows; "
        "held-out rows of the same data only make the cancellation approximate). "
        "See docs/honest_numbers.md, section 3.", DegenerateScoreWarning, stacklevel=_outside_stacklevel())
