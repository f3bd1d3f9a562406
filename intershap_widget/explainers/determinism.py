"""A model must give the same outputs for the same inputs: the probe batch is sample 0
twice (the same two rows and one call as before, so a model's call count and failure
points do not move), and its two outputs are compared before the long run. Dropout left on (a callable around a network in train
mode), noise added in ``forward``, an unseeded sampler: each coalition value would
carry randomness that no masking error or interval accounts for, and two runs would
differ. Different outputs raise :class:`NondeterministicModelError` naming the remedy;
``explain(..., allow_nondeterministic=True)`` (Monte-Carlo dropout studies) runs anyway
with a :class:`NondeterministicModelWarning`.

Outputs count as the same within 4 units of the output dtype's precision of their
scale, and never less than 1e-5 of it (a model computing in float32 and returning
float64 may round the same row differently at another place in a batch; GPU kernels
may reorder a sum); dropout or noise moves outputs by far more.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..maths.errors import InputError

__all__ = ["NondeterministicModelError", "NondeterministicModelWarning", "repeat_difference", "check_repeatable"]

_ULPS = 4.0
#: the smallest relative difference that counts as non-determinism
_FLOOR = 1e-5


class NondeterministicModelError(InputError):
    """The model returned different outputs for the same inputs on the probe batch."""


class NondeterministicModelWarning(UserWarning):
    """``allow_nondeterministic=True``: the model's own randomness is in the result and in
    none of its error bars."""


def _eps(dtype: str | None) -> float:
    name = (dtype or "float64").removeprefix("torch.")
    if name == "bfloat16":
        return 2.0**-7
    try:
        return float(np.finfo(np.dtype(name)).eps)
    except (TypeError, ValueError):
        return float(np.finfo(np.float32).eps)


def repeat_difference(first: np.ndarray, second: np.ndarray, dtype: str | None) -> float | None:
    """The largest difference between two evaluations ``(B, C)`` of the same rows when it
    is beyond rounding (module docstring), else None."""
    a, b = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    gap = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    return gap if gap > max(_ULPS * _eps(dtype), _FLOOR) * max(scale, np.finfo(np.float64).tiny) else None


def check_repeatable(first: np.ndarray, second: np.ndarray, dtype: str | None, allow: bool) -> str | None:
    """Raise :class:`NondeterministicModelError` when two evaluations of the probe rows
    ``(B, C)`` differ (see the module docstring); with ``allow`` warn instead. Returns the
    message, or None when they agree."""
    gap = repeat_difference(first, second, dtype)
    if gap is None:
        return None
    what = (f"the model returned different outputs for the same inputs (the probe batch evaluated twice differs "
            f"by up to {gap:.3g}): dropout or noise is active, so every coalition value carries randomness "
            "that no masking error or interval accounts for, and two runs would differ")
    if not allow:
        raise NondeterministicModelError(
            f"{what}. Put the network in evaluation mode (model.eval(); for a function around a network, call "
            "net.eval() before explain), fix the seeds of any sampling inside the model, or pass "
            "allow_nondeterministic=True to explain a stochastic model as it is (e.g. Monte-Carlo dropout)")
    warnings.warn(f"{what}; allow_nondeterministic=True: the result averages over the model's randomness",
                  NondeterministicModelWarning, stacklevel=2)
    return what
