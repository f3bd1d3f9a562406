"""The model seen through a modality split into its features.

:func:`~intershap_widget.explainers.feature_maps.split_modality` turns modality i into G
parts; explaining the model over the *joint* players (the M − 1 other modalities, then the
G parts) gives every v(S, T) of the feature-level definitions. :class:`SplitAdapter` is the
model adapter of that joint game: it puts modality i back together from its parts and
calls the real model through the real adapter (call convention, output key, torch
session, backend, all unchanged). The maskers replace every absent part of a model row
with the same background row, so v(S, T) is masked exactly as ``explain`` masks v(S).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .adapters import ModelAdapter
from .feature_maps import Assembly, assemble_modality
from .maskers import RandomMasker

__all__ = ["SplitAdapter", "JointRandomMasker", "joint_order"]


def joint_order(n_modalities: int, modality: int) -> list[int]:
    """The other modalities, in order: the first M − 1 players of the joint game."""
    return [k for k in range(int(n_modalities)) if k != int(modality)]


class SplitAdapter(ModelAdapter):
    """``inner`` (the real model's adapter, bound to the real inputs) called on the joint
    inputs: M − 1 other modalities, then the G parts of modality ``modality``."""

    def __init__(self, inner: ModelAdapter, modality: int, n_modalities: int, assembly: Assembly) -> None:
        # no super().__init__: every attribute not set here is the inner adapter's
        self.inner = inner
        self.modality, self.n_modalities, self.assembly = int(modality), int(n_modalities), assembly

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("inner", "modality", "n_modalities", "assembly"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def bind_inputs(self, spec: Any) -> None:
        """The joint inputs' form (what the maskers see); the inner adapter keeps the real one."""
        self.spec = spec

    def real_inputs(self, inputs: Sequence[Any]) -> list:
        """The M real modalities from the joint inputs (M − 1 + G backend values)."""
        m, i = self.n_modalities, self.modality
        others = list(inputs[:m - 1])
        whole = assemble_modality(list(inputs[m - 1:]), self.assembly)
        return others[:i] + [whole] + others[i:]

    def __call__(self, inputs: Sequence[Any]) -> Any:
        return self.inner(self.real_inputs(inputs))


class JointRandomMasker(RandomMasker):
    """``masking="random"`` for the joint game, drawing the background rows of v(S, ∅) and
    v(S, G) as ``explain`` draws them for the modality coalitions S and S ∪ {i} (the same
    hash of (seed, sample, coalition)): the modality-level result of the feature run is
    then the one ``explain`` computes. Partial feature subsets get codes above 2**M."""

    def __init__(self, n_draws: int, seed: int, modality: int, n_modalities: int, n_features: int,
                 empty: str = "drawn") -> None:
        super().__init__(n_draws=n_draws, seed=seed, empty=empty)
        self.modality, self.n_modalities, self.n_features = int(modality), int(n_modalities), int(n_features)

    def modality_codes(self, codes: np.ndarray) -> np.ndarray:
        """Joint coalition codes ``(P,)`` → the codes whose draws they use ``(P,)``."""
        m, i = self.n_modalities, self.modality
        codes = np.asarray(codes, dtype=np.int64)
        s, t = codes & ((1 << (m - 1)) - 1), codes >> (m - 1)
        whole = (s & ((1 << i) - 1)) | ((s >> i) << (i + 1))  # the other modalities at their own bits
        full = t == (1 << self.n_features) - 1
        return np.where(t == 0, whole, np.where(full, whole | (1 << i), codes + (1 << m)))

    def build(self, x, present, sample_ids, coalitions):
        return super().build(x, present, sample_ids, self.modality_codes(coalitions))
