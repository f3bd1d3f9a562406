"""The result of :func:`intershap_widget.explain_features`: modality i's Shapley value and
its interactions φ_ij shared out over i's features (definitions: :mod:`.features`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["FeatureResult"]


@dataclass
class FeatureResult:
    """Feature-level parts of one modality, and the modality-level result of the same run.

    effect : ``(N, G)``: each feature's part of φ_i (Owen value); rows sum to ``result.shapley[:, i]``.
    interaction : ``(N, M, G)``: row j ≠ i each feature's part of φ_ij (sums to
        ``result.phi[:, i, j]``), row i its main-effect part (sums to φ_ii).
    feature_names : G str. modality : index i; modality_names : M str.
    samples : ``(N,)`` indices of the explained rows of X.
    result : the modality-level :class:`~.result.InteractionResult` of the same run.
    effect_se, interaction_se : standard errors of the sampled path (None when exact).
    labels : the feature of every element of one sample (``(L,)``, ``(H, W)``, ...);
    kind : ``"columns"``, ``"patches"``, ``"tokens"`` or ``"masks"``; grid : patch grid or None.
    coalition_values : ``(N, 2**(M-1), 2**G)`` v(S, T) of the exact path (else None).
    """

    effect: np.ndarray
    interaction: np.ndarray
    feature_names: list
    modality: int
    modality_names: list
    samples: np.ndarray
    result: Any
    effect_se: np.ndarray | None = None
    interaction_se: np.ndarray | None = None
    labels: np.ndarray | None = None
    kind: str = "columns"
    grid: tuple | None = None
    coalition_values: np.ndarray | None = None
    settings: dict = field(default_factory=dict)

    @property
    def modality_name(self) -> str:
        return self.modality_names[self.modality]

    @property
    def main_effect(self) -> np.ndarray:
        """``(N, G)``: each feature's part of φ_ii."""
        return self.interaction[:, self.modality]

    def parts(self, other: int | str | None = None) -> np.ndarray:
        """``(N, G)``: the features' parts of φ_ij for ``other`` = j (a name or an index),
        of φ_ii for j = i, of φ_i (the effect) for None."""
        if other is None:
            return self.effect
        j = self.modality_names.index(other) if isinstance(other, str) else int(other)
        return self.interaction[:, j]

    def sums_error(self) -> float:
        """Largest |Σ_g part − modality-level value| over samples, the effect and every
        row of φ_i·: 0 to rounding (the parts add up by construction)."""
        i = self.modality
        d_eff = np.abs(self.effect.sum(axis=1) - self.result.shapley[:, i])
        d_phi = np.abs(self.interaction.sum(axis=2) - self.result.phi[:, i, :])
        return float(max(d_eff.max(initial=0.0), d_phi.max(initial=0.0)))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        """Rich display: the explorer with its drill-down panel (through the display hook)."""
        from .display import rich_display

        return rich_display(self, include, exclude)

    def __repr__(self) -> str:
        n, g = self.effect.shape
        how = "exact" if self.effect_se is None else f"sampled ({self.settings.get('n_permutations')} permutations)"
        return (f"FeatureResult({self.modality_name!r}: {g} features ({self.kind}), {n} samples, {how}; "
                f"parts add up to the modality level within {self.sums_error():.1e})")
