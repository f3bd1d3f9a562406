"""Early fusion, factorised: a leading ``torch.nn.Linear`` over the concatenated
modalities is split into per-modality slices.

An early-fusion network starts with ``h = W·[x_1, …, x_M] + b = Σ_m W_m·x_m + b``. For
a coalition row, x_m is either the sample's or a background row's, so every slice
``z_m = W_m·x_m`` is computed once per sample and once per background row
(:func:`encoded`), and a coalition row only needs the sum of its slices. The masker of
the run (:class:`FirstLayerBackground`, :class:`FirstLayerSampled`,
:class:`FirstLayerRandom`: the same rows as the plain path, picked by the same code)
adds the sample's present slices to a table of the background rows' absent slices,
summed per absent set (2**M · B rows, ascending modality order, built once), and hands
the model one array ``(P·K, H)``; the head (:class:`SumHead`) adds the bias and runs the
rest of the network. A coalition row then costs one gather of H values and the layers
after the first, instead of the first layer's H·D multiply-adds.

Values equal the plain path up to the rounding of a float sum in another order; a
modality whose slice is exactly zero (a null player) changes no sum, so it still gets
exactly 0. The masking paths ``"expectation"`` (whole background or its seeded
subsample), ``"sampled"`` (strata taken from the raw background, as on the plain path),
``"random"`` and ``"baseline"`` (the baseline rows encoded) are supported; a masking
function works on raw inputs and is refused.

How a model shows its first layer (:func:`detect`, used by ``explain(factorise="auto")``):

* ``isw.concatenated(nn.Sequential(nn.Linear(D, H), ...))``: the split is the
  flattened width of each modality, in order;
* a torch module with ``encoders`` (M ``nn.Identity``) and a ``head`` that is an
  ``nn.Sequential`` starting with ``nn.Linear`` (the paper's early fusion,
  ``paper.fusion.FusionNet``), checked on a few rows of X before it is used;
* or declared: ``isw.Factorised.first_layer(model, dims)`` (:func:`first_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from .adapters import tensor_of
from .inputs import Group

__all__ = ["FirstLayer", "first_layer", "detect", "resolve", "encoded", "SumHead"]


@dataclass(frozen=True)
class FirstLayer:
    """A model ``rest(linear(concat(x_1, …, x_M)))`` with modality m's flattened
    ``dims[m]`` columns of the concatenation (in order). Calling it runs the plain
    model on a list of M arrays ``(B, ...)``; ``dims=None``: the flattened widths of X,
    read by ``explain``."""

    linear: Any
    rest: Any
    dims: tuple | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.linear, torch.nn.Linear):
            raise TypeError(f"the first layer must be a torch.nn.Linear, got {type(self.linear).__name__}")
        if self.dims is None:
            return
        if len(self.dims) < 2 or min(self.dims) < 1:
            raise ValueError(f"dims must give M >= 2 positive modality widths, got {tuple(self.dims)}")
        if sum(self.dims) != self.linear.in_features:
            raise ValueError(f"dims {tuple(self.dims)} add up to {sum(self.dims)}, but the first layer takes "
                             f"{self.linear.in_features} inputs: give each modality's flattened width")

    def __call__(self, xs: Sequence[Any]) -> Any:
        w = self.linear.weight
        flat = [tensor_of(x).reshape(len(x), -1).to(w.device, w.dtype)
                for x in xs]
        with torch.inference_mode():
            return self.rest(self.linear(torch.cat(flat, dim=1)))

    def slices(self) -> list:
        """The weight's column blocks, one per modality: M tensors ``(H, d_m)``."""
        w = self.linear.weight.detach()
        ends = np.cumsum((0,) + tuple(self.dims))
        return [w[:, a:b].contiguous() for a, b in zip(ends[:-1], ends[1:])]

    def head(self) -> "SumHead":
        bias = self.linear.bias
        return SumHead(None if bias is None else bias.detach().clone(), self.rest)


class SumHead(torch.nn.Module):
    """``rest(Σ_m z_m + b)`` on a list of slices ``(B, H)`` (M of them, or the one summed
    array the first-layer maskers build), added in list order."""

    def __init__(self, bias: Any, rest: Any) -> None:
        super().__init__()
        self.register_buffer("bias", bias)
        self.rest = rest

    def forward(self, zs: list) -> Any:
        h = zs[0]
        for z in zs[1:]:
            h = h + z
        if self.bias is not None:
            h = h + self.bias
        return self.rest(h)


def first_layer(model: Any, dims: Sequence[int] | None = None) -> FirstLayer:
    """Declare the first layer of an early-fusion ``model``: an ``nn.Sequential`` whose
    first module is ``nn.Linear`` (called on the concatenation; ``isw.concatenated`` of
    one too), or a module with ``encoders`` (identities) and such a ``head``. ``dims``:
    each modality's flattened width in the concatenation (None: read from X by
    ``explain``)."""
    from .adapters import Concatenated

    seq = model.model if isinstance(model, Concatenated) else model
    if not isinstance(seq, torch.nn.Sequential) and isinstance(getattr(seq, "head", None), torch.nn.Sequential):
        seq = seq.head
    if not isinstance(seq, torch.nn.Sequential) or len(seq) == 0 or not isinstance(seq[0], torch.nn.Linear):
        raise TypeError(
            f"first_layer needs an nn.Sequential starting with nn.Linear (or a model whose .head is one), "
            f"got {type(model).__name__}; wrap the network as nn.Sequential(linear, rest...) or use "
            "isw.Factorised(encoders, head)")
    rest = seq[1:] if len(seq) > 1 else torch.nn.Identity()
    return FirstLayer(seq[0], rest, None if dims is None else tuple(int(d) for d in dims))


def _widths(xs: Sequence[Any]) -> tuple | None:
    if any(isinstance(x, Group) for x in xs):
        return None
    return tuple(int(np.prod(tuple(x.shape)[1:], dtype=np.int64)) for x in xs)


def resolve(model: Any, xs: Sequence[Any]) -> FirstLayer:
    """A declared first layer (:func:`first_layer`) with its split; checked against X."""
    widths = _widths(xs)
    if widths is None:
        raise ValueError("a first layer over the concatenation needs plain arrays, not groups of arrays")
    fl = FirstLayer(model.linear, model.rest, widths) if model.dims is None else model
    if tuple(fl.dims) != widths:
        raise ValueError(f"the first layer splits its input as dims={tuple(fl.dims)}, but X's modalities "
                         f"have flattened widths {widths}")
    return fl


def detect(model: Any, xs: Sequence[Any]) -> FirstLayer | None:
    """The first layer ``model`` shows (see the module docstring), or None."""
    from .adapters import Concatenated

    widths = _widths(xs)
    if widths is None or len(widths) < 2:
        return None
    if isinstance(model, Concatenated):
        seq = model.model
        if isinstance(seq, torch.nn.Sequential) and len(seq) > 1 and isinstance(seq[0], torch.nn.Linear) \
                and seq[0].in_features == sum(widths):
            return FirstLayer(seq[0], seq[1:], widths)
        return None
    enc, head = getattr(model, "encoders", None), getattr(model, "head", None)
    if not isinstance(model, torch.nn.Module) or enc is None or not isinstance(head, torch.nn.Sequential):
        return None
    if len(enc) != len(widths) or not all(isinstance(e, torch.nn.Identity) for e in enc) or len(head) < 2 \
            or not isinstance(head[0], torch.nn.Linear) or head[0].in_features != sum(widths):
        return None
    fl = FirstLayer(head[0], head[1:], widths)
    return fl if _same_outputs(model, fl, xs) else None


def _same_outputs(model: Any, fl: FirstLayer, xs: Sequence[Any]) -> bool:
    """Does ``model`` compute ``fl`` (a few rows of X, and those rows with the modalities
    rolled so that mixed rows are checked too)?"""
    rows = [tensor_of(x[:4]) for x in xs]
    w = fl.linear.weight
    rows = [r.to(w.device, w.dtype) for r in rows]
    mixed = [r.roll(i, dims=0) for i, r in enumerate(rows)]
    modes = [(mod, mod.training) for mod in model.modules()]
    model.eval()
    try:
        with torch.inference_mode():
            a = [model(r) for r in (rows, mixed)]
            b = [fl.rest(fl.linear(torch.cat([x.reshape(len(x), -1) for x in r], dim=1))) for r in (rows, mixed)]
    finally:
        for mod, mode in modes:
            mod.training = mode
    tol = 1e-4 if w.dtype != torch.float64 else 1e-10
    return all(torch.is_tensor(u) and u.shape == v.shape and torch.allclose(u, v, rtol=tol, atol=tol)
               for u, v in zip(a, b))


def encoded(fl: FirstLayer, xs: Sequence[Any], chunk: int = 65536) -> list:
    """The slices ``z_m = W_m·x_m`` of M arrays ``(R, ...)``: M tensors ``(R, H)`` on the
    layer's device and dtype."""
    w = fl.linear.weight
    out = []
    for x, wm in zip(xs, fl.slices()):
        t = tensor_of(x)
        t = t.reshape(t.shape[0], -1)
        with torch.inference_mode():
            parts = [t[i:i + chunk].to(w.device, w.dtype) @ wm.T for i in range(0, t.shape[0], chunk)]
        out.append(torch.cat(parts, dim=0) if parts else t.new_zeros((0, wm.shape[0]), dtype=w.dtype))
    return out
