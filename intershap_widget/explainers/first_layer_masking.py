"""Coalition rows of a factorised first layer (:mod:`.first_layer`): the maskers that
hand the model one summed array instead of M modalities, and the inputs of the run.

Row k of (sample a, coalition S) is ``Σ_{m∈S} z_m(a) + Σ_{m∉S} z_m(b_k)``: the sample's
part is summed once per pair, the background's is read from a table of the background
slices summed per absent set (``table[A] = table[A − top(A)] + z_top(A)``, so every sum
runs in ascending modality order, like :class:`~.first_layer.SumHead`'s). The rows b_k
are the plain maskers' own (each subclass asks its base class for them), so the values
are the plain path's up to float rounding, and a modality whose slices are exactly zero
changes no sum.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from .adapters import tensor_of
from .first_layer import FirstLayer, encoded
from .maskers import BackgroundMasker, BaselineMasker, Masker, RandomMasker, SampledMasker
from .references import ReferenceMasker

__all__ = ["FirstLayerBackground", "FirstLayerSampled", "FirstLayerRandom", "supported", "first_layer_inputs"]

#: the per-absent-set table is built up to this many bytes; beyond it rows are gathered
#: per modality (same numbers, slower)
TABLE_BYTES = 1 << 29


class _Summed:
    """Mixin over a plain masker: :meth:`build` returns ``[rows (P·K, H)]``, the summed
    slices; subclasses give :meth:`pool_rows`, the background row of every (pair, k)."""

    table: Any = None

    def pool_rows(self, sample_ids: np.ndarray, coalitions: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _build_table(self, adapter: Any) -> None:
        """``table (2**M · B, H)``: row ``A·B + b`` = Σ over the absent set A of z_m(b)."""
        bg = self.background
        self.table = None
        if adapter.backend != "torch" or not all(torch.is_tensor(z) and z.ndim == 2 for z in bg):
            return  # the driver's description-only binding of a Dask run
        m, (b, h) = len(bg), tuple(bg[0].shape)
        if (1 << m) * b * h * bg[0].element_size() > TABLE_BYTES:
            return
        table = bg[0].new_zeros((1 << m, b, h))
        for a in range(1, 1 << m):
            top = a.bit_length() - 1
            rest = a ^ (1 << top)
            table[a] = table[rest] + bg[top] if rest else bg[top]
        self.table = table.view((1 << m) * b, h)

    def build(self, x, present, sample_ids, coalitions):
        if self.table is None:
            return super().build(x, present, sample_ids, coalitions)
        idx = np.asarray(self.pool_rows(sample_ids, coalitions), dtype=np.int64)  # (P, K)
        p, k = idx.shape
        m, b, h = len(x), self.background[0].shape[0], self.table.shape[1]
        absent = (~present).astype(np.int64) @ (np.int64(1) << np.arange(m, dtype=np.int64))
        flat = torch.as_tensor((absent[:, None] * b + idx).ravel(), device=self.table.device)
        rows = self.table.index_select(0, flat).view(p, k, h)
        mask = torch.as_tensor(present, dtype=self.table.dtype, device=self.table.device)
        own = x[0] * mask[:, :1]
        for i in range(1, m):
            own = own + x[i] * mask[:, i:i + 1]
        rows += own[:, None, :]
        return [rows.view(p * k, h)]


class FirstLayerBackground(_Summed, BackgroundMasker):
    """:class:`~.maskers.BackgroundMasker` (every kept row for every pair), summed slices."""

    def bind(self, adapter, background):
        BackgroundMasker.bind(self, adapter, background)
        self._build_table(adapter)

    def pool_rows(self, sample_ids, coalitions):
        return np.broadcast_to(np.arange(self.n_rows), (len(sample_ids), self.n_rows))


class FirstLayerSampled(_Summed, SampledMasker):
    """:class:`~.maskers.SampledMasker`, summed slices; its strata come from the raw
    background rows (``strata_rows``), as on the plain path."""

    strata_rows: Any = None

    def bind(self, adapter, background):
        raw = self.strata_rows if self.strata_rows is not None else background
        SampledMasker.bind(self, adapter, [adapter.to_backend(r) for r in raw])
        Masker.bind(self, adapter, background)  # rows are read from the slices
        self._build_table(adapter)

    def pool_rows(self, sample_ids, coalitions):
        return self.rows(sample_ids, self.k0, self.k0 + self.n_rows)


class FirstLayerRandom(_Summed, RandomMasker):
    """:class:`~.maskers.RandomMasker` (the same seeded draws), summed slices."""

    def bind(self, adapter, background):
        RandomMasker.bind(self, adapter, background)
        self._build_table(adapter)

    def pool_rows(self, sample_ids, coalitions):
        return self.draws(sample_ids, coalitions, self.background[0].shape[0])


class FirstLayerBaseline(ReferenceMasker):
    """``masking="baseline"``: the baseline rows' slices as the one reference row; the
    settings say what the user asked for (``shown``)."""

    def __init__(self, rows: list, shown: Any) -> None:
        super().__init__(rows)
        self.shown = shown

    def describe(self) -> dict:
        return {**super().describe(), "baseline": self.shown}


_SUMMED = {BackgroundMasker: FirstLayerBackground, SampledMasker: FirstLayerSampled, RandomMasker: FirstLayerRandom}


def supported(masker: Masker) -> bool:
    """Can this masker's rows be built from first-layer slices?"""
    if type(masker) in (BaselineMasker, ReferenceMasker):
        base = masker.baseline
        return base in ("mean", "zeros") if isinstance(base, str) else (
            isinstance(base, (list, tuple)) and all(hasattr(r, "shape") for r in base))
    return type(masker) in _SUMMED


def _raw_baseline(masker: BaselineMasker, background: Sequence[Any], w: Any) -> list:
    """The plain masker's baseline rows, M arrays ``(1, ...)`` (mean or zeros of the background, or given)."""
    def t(a: Any) -> Any:
        return tensor_of(a).to(w.device, w.dtype)

    base = masker.baseline
    if base == "mean":
        return [t(b).mean(0, keepdim=True) for b in background]
    if base == "zeros":
        return [t(b)[:1] * 0 for b in background]
    return [t(r)[None] for r in base]


def first_layer_inputs(fl: FirstLayer, xs: Sequence[Any], background: Sequence[Any] | None,
                       masker: Masker) -> tuple:
    """What the run explains: ``(head, Z, Z_background or None, masker)``; Z are the
    slices ``(N, H)`` of X and of every background row (None: the background is X), the
    masker the summed twin of ``masker`` (its settings and seed kept)."""
    if not supported(masker):
        raise ValueError(
            f"a factorised first layer supports masking='expectation', 'sampled', 'random' and 'baseline' "
            f"(plain rows), not {type(masker).__name__}; pass factorise=False to run the model as it is")
    z = encoded(fl, xs)
    z_bg = None if background is None else encoded(fl, background)
    raw_bg = xs if background is None else background
    if isinstance(masker, BaselineMasker):
        rows = encoded(fl, _raw_baseline(masker, raw_bg, fl.linear.weight))
        shown = masker.baseline if isinstance(masker.baseline, str) else "given"
        return fl.head(), z, z_bg, FirstLayerBaseline([r[0] for r in rows], shown)
    twin = _SUMMED[type(masker)].__new__(_SUMMED[type(masker)])
    twin.__dict__.update(masker.__dict__)
    if isinstance(twin, FirstLayerSampled):
        twin.strata_rows = [np.asarray(r) if not torch.is_tensor(r) else r for r in raw_bg]
    return fl.head(), z, z_bg, twin
