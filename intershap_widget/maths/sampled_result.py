"""The result of the coalition sampler (:mod:`.sampling_estimate`): estimates of φ,
Shapley values and InterSHAP, each with its standard error."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .sampling_bias import BIAS_WARN_SE
from .sampling_design import MIN_DRAWS_FOR_SE, Design, reliable_budget

__all__ = ["SampledResult"]


@dataclass(frozen=True)
class SampledResult:
    """Sampled explanation of N samples by M modalities; ``*_se`` are standard errors.

    ``phi (N, M, M)``, ``shapley (N, M)``, ``mean_phi (M, M)`` (signed dataset mean),
    ``Phi (M, M)`` = |mean_phi|, ``intershap`` (global, paper Eq. 8),
    ``intershap_local (N,)`` (Eq. 10) and ``intershap_local_mean``, each with ``*_se``.
    ``base_value``/``prediction (N,)`` are evaluated exactly.
    """

    phi: np.ndarray
    phi_se: np.ndarray
    shapley: np.ndarray
    shapley_se: np.ndarray
    mean_phi: np.ndarray
    mean_phi_se: np.ndarray
    intershap: float
    intershap_se: float
    intershap_local: np.ndarray
    intershap_local_se: np.ndarray
    intershap_local_mean: float
    intershap_local_mean_se: float
    base_value: np.ndarray
    prediction: np.ndarray
    design: Design
    modality_names: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    @property
    def Phi(self) -> np.ndarray:
        """``(M, M)`` |mean over samples of φ̂| (paper Eq. 5)."""
        return np.abs(self.mean_phi)

    @property
    def Phi_se(self) -> np.ndarray:
        """``(M, M)`` standard error of Φ (delta method: that of the mean)."""
        return self.mean_phi_se

    @property
    def intershap_corrected(self) -> float:
        """Global InterSHAP with the estimated upward bias of |·| of noise removed (first
        order, :mod:`.sampling_bias`); equals ``intershap`` when every coalition was evaluated."""
        return float(self.settings.get("bias", {}).get("corrected", {}).get("global", self.intershap))

    @property
    def intershap_local_mean_corrected(self) -> float:
        """The local mean with the estimated upward bias of |·| of noise removed (first order)."""
        return float(self.settings.get("bias", {}).get("corrected", {}).get("local_mean", self.intershap_local_mean))

    @property
    def n_samples(self) -> int:
        return self.phi.shape[0]

    @property
    def n_modalities(self) -> int:
        return self.phi.shape[1]

    @property
    def n_evaluations(self) -> int:
        """Coalitions evaluated per sample (against 2**M for the exact path)."""
        return self.design.n_evaluations

    def summary(self) -> str:
        """Global and local InterSHAP ± standard error and the cost."""
        m = self.n_modalities

        def pm(x: float, se: float) -> str:
            return f"{100 * x:.1f} ± {100 * se:.1f} %" if np.isfinite(se) else f"{100 * x:.1f} % (no SE)"

        text = (
            f"SampledResult: N={self.n_samples}, M={m}, {self.n_evaluations} of {2 ** m} coalitions per sample\n"
            f"  InterSHAP (global) = {pm(self.intershap, self.intershap_se)}   "
            f"(local mean) = {pm(self.intershap_local_mean, self.intershap_local_mean_se)}"
        )
        bias = self.settings.get("bias", {})
        if max(bias.get("global_in_se", 0.0), bias.get("local_mean_in_se", 0.0)) > BIAS_WARN_SE:
            text += (f"\n  biased upward by |noise|: about {100 * bias['global']:.1f} points "
                     f"({bias['global_in_se']:.1f} SE) global, {100 * bias['local_mean']:.1f} points "
                     f"({bias['local_mean_in_se']:.1f} SE) local mean; corrected "
                     f"{100 * self.intershap_corrected:.1f} % / {100 * self.intershap_local_mean_corrected:.1f} %")
        if self.design.thin_sizes:
            text += (f"\n  no standard errors: sizes {self.design.thin_sizes} have fewer than "
                     f"{MIN_DRAWS_FOR_SE} draws (budget ≥ {reliable_budget(m, self.n_evaluations)} gives them)")
        return text

    def __repr__(self) -> str:
        return self.summary()

    @property
    def target(self) -> str | int:
        """What the values are the output of (as ``explain``'s target; ``"value"`` for a
        value function given directly)."""
        return self.settings.get("target", "value")

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """Rich display: the explorer (with standard errors), a PNG and the text summary."""
        from .display import rich_display

        return rich_display(self, include, exclude)


