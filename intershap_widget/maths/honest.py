"""What an :class:`~intershap_widget.maths.result.InteractionResult` says about how sure
its numbers are (docs/honest_numbers.md): the output precision behind the rounding
tolerance, why a score is NaN, the cancellation ratio and the absolute-first aggregate,
and confidence intervals over the samples.

A mixin: it needs ``phi (N, M, M)``, ``_values (N, 2**M)``, ``Phi``, ``settings`` and the
scores of the class it is mixed into.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from . import scores

__all__ = ["HonestScores"]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _dtype_eps(name: str) -> float | None:
    """Machine epsilon of a numpy or torch dtype name (None when unknown)."""
    name = name.removeprefix("torch.")
    if name == "bfloat16":
        return 2.0**-7
    try:
        return float(np.finfo(np.dtype(name)).eps)
    except (TypeError, ValueError):
        return None


class HonestScores:
    """NaN reasons, cancellation and intervals of a result (mixin)."""

    @property
    def output_precision(self) -> float:
        """Relative precision of the model's outputs (``settings["output_precision"]``,
        or the machine epsilon of ``settings["output_dtype"]``, e.g. ``"float32"``,
        ``"torch.bfloat16"``; float64's when unknown): sets the rounding tolerance below
        which a behaviour counts as zero (:mod:`.scores`)."""
        prec = self.settings.get("output_precision")
        if prec is None and self.settings.get("output_dtype") is not None:
            prec = _dtype_eps(str(self.settings["output_dtype"]))
        return scores.FLOAT64_EPS if prec is None else max(float(prec), scores.FLOAT64_EPS)

    @property
    def rows_averaged(self) -> int:
        """Model outputs behind each masked coalition value (``settings``:
        ``rows_per_sample``, ``n_draws`` or ``n_background``; 1 when unknown): the
        outputs' rounding averages over them (:func:`.scores.local_tolerance`)."""
        for key in ("rows_per_sample", "n_draws", "n_background"):
            k = self.settings.get(key)
            if isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1:
                return int(k)
        return 1

    @cached_property
    def _tol(self) -> float:
        return scores.global_tolerance(self._values, self.output_precision, self.rows_averaged)

    @cached_property
    def nan_reason(self) -> str | None:
        """Why the global InterSHAP is NaN (no samples, no behaviour, the behaviour
        cancels over the samples), or None when it is a number."""
        return scores.global_nan_reason(self.phi, self._values, self.output_precision, self.rows_averaged)

    @property
    def local_nan_reason(self) -> str | None:
        """How many local scores are NaN and why (the rule: :func:`.scores.local_tolerance`)."""
        return scores.local_nan_reason(self.intershap_local)

    @cached_property
    def Phi_abs(self) -> np.ndarray:
        """``(M, M)`` absolute-first aggregate mean_a |φ^a|: nothing cancels."""
        return _readonly(scores.abs_first_matrix(self.phi))

    @cached_property
    def intershap_abs(self) -> float:
        """InterSHAP of :attr:`Phi_abs` (absolute value before the mean over samples)."""
        return scores.intershap_score(self.Phi_abs, self._tol)

    @cached_property
    def cancellation_ratio(self) -> float:
        """Σ Φ / Σ Φ_abs = Σ|mean φ| / Σ mean|φ| in [0, 1]; 1 = no cancellation between
        samples (see :mod:`.diagnostics`)."""
        return scores.cancellation_ratio(self.phi, self._tol)

    @cached_property
    def intervals(self) -> dict:
        """Confidence intervals over the explained samples (with the masking error added
        where the result carries it), level ``settings.get("interval_level", 0.95)``:
        ``{"intershap": (lo, hi), "intershap_local_mean": (lo, hi), "Phi": (2, M, M),
        "modality_contributions": (2, M)}``; see :mod:`.uncertainty`."""
        from .uncertainty import result_intervals

        return result_intervals(self)
