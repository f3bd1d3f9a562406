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

from .adapters import ModelAdapter
from .feature_maps import Assembly, assemble_modality

__all__ = ["SplitAdapter", "joint_order"]


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
