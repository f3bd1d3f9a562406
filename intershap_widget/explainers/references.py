"""Reference values for ``masking="baseline"``, set per modality: what an absent
modality becomes when it is not replaced by background rows.

``baseline=`` is one spec for every modality, a list of M specs, or a dict
``{modality name: spec}`` (modalities not named get ``"mean"``). A spec is

* ``"mean"``: the background mean (float arrays only); ``"zeros"``: zeros of every array;
* an array of one sample's shape (a dict/tuple of them for a group);
* :class:`TokenReference`: text. Every token id becomes ``mask_id`` (e.g. the tokenizer's
  ``[MASK]`` or pad id), except the ids in ``keep_ids`` (e.g. ``[CLS]``, ``[SEP]``, pad),
  which stay where they are. ``attention="keep"`` (default) keeps the sample's attention
  mask, so the model sees a text of the same length with no content; ``"zero"`` zeroes
  it, so the model attends to nothing (a text that is not there).
* :class:`ImageReference`: images. ``"constant"`` (every pixel ``value``), ``"mean"`` (the
  background mean image) or ``"blur"`` (the sample itself under a Gaussian blur of
  ``sigma`` pixels over the last two axes: shapes without detail).
* a callable ``fn(x) -> x_ref`` of the modality's ``(P, ...)`` rows (backend arrays).

References that depend on the sample (tokens with the attention mask kept, blur, a
callable) are built per sample, and v(∅) is then evaluated per sample too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..maths.errors import InputError
from .inputs import Group
from .maskers import BaselineMasker

__all__ = ["TokenReference", "ImageReference", "ReferenceMasker", "baseline_masker"]


def _floating(leaf: Any) -> bool:
    return leaf.is_floating_point() if hasattr(leaf, "is_floating_point") else np.issubdtype(leaf.dtype, np.floating)


def _leaf(x: Any, key: str | int) -> tuple[Any, int]:
    """The leaf ``key`` of a group (by name or position), with its position."""
    if not isinstance(x, Group):
        return x, 0
    if isinstance(key, int):
        return x.leaves[key], key
    if x.keys is None or key not in x.keys:
        raise InputError(f"the modality has no array {key!r} (it has {list(x.keys or range(len(x.leaves)))}); "
                         "set the reference's key to one of them")
    j = x.keys.index(key)
    return x.leaves[j], j


def _replace(x: Any, j: int, new: Any) -> Any:
    if not isinstance(x, Group):
        return new
    parts = list(x.leaves)
    parts[j] = new
    return Group(parts, x.keys)


@dataclass(frozen=True)
class TokenReference:
    """Token ids → ``mask_id`` (``keep_ids`` stay); attention mask ``"keep"`` or ``"zero"``.

    ``ids``/``attention_mask``: the group's keys (or positions) of the two arrays."""

    mask_id: int
    attention: str = "keep"
    keep_ids: Sequence[int] = ()
    ids: str | int = "input_ids"
    attention_mask: str | int = "attention_mask"

    def __post_init__(self) -> None:
        if self.attention not in ("keep", "zero"):
            raise InputError(f"attention must be 'keep' or 'zero', got {self.attention!r}")

    def __call__(self, x: Any) -> Any:
        ids, j = _leaf(x, self.ids if isinstance(x, Group) else 0)
        if _floating(ids):
            raise InputError("TokenReference needs integer token ids; this modality's ids are floating point")
        if hasattr(ids, "is_floating_point"):
            import torch

            keep = torch.isin(ids, torch.as_tensor(list(self.keep_ids), dtype=ids.dtype, device=ids.device))
            out = _replace(x, j, torch.where(keep, ids, torch.full_like(ids, self.mask_id)))
        else:
            out = _replace(x, j, np.where(np.isin(ids, list(self.keep_ids)), ids, np.full_like(ids, self.mask_id)))
        if self.attention == "zero" and isinstance(x, Group):
            mask, k = _leaf(x, self.attention_mask)
            out = _replace(out, k, mask * 0)
        return out


def _gauss(sigma: float) -> tuple[np.ndarray, int]:
    r = max(1, int(round(3 * sigma)))
    w = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    return w / w.sum(), r


def blur(x: Any, sigma: float) -> Any:
    """Gaussian blur of ``(..., H, W)`` images over the last two axes, edges replicated."""
    w, r = _gauss(sigma)
    h, wd = x.shape[-2:]
    if hasattr(x, "is_floating_point"):
        import torch
        import torch.nn.functional as F

        y = F.pad(x.reshape(-1, 1, h, wd), (r, r, r, r), mode="replicate")
        kern = torch.as_tensor(w, dtype=x.dtype, device=x.device)
        y = F.conv2d(F.conv2d(y, kern.view(1, 1, 1, -1)), kern.view(1, 1, -1, 1))
        return y.reshape(x.shape)
    y = np.pad(np.asarray(x, dtype=np.float64), [(0, 0)] * (x.ndim - 2) + [(r, r), (r, r)], mode="edge")
    y = sum(wk * y[..., k:k + h, :] for k, wk in enumerate(w))
    y = sum(wk * y[..., :, k:k + wd] for k, wk in enumerate(w))
    return y.astype(x.dtype)


@dataclass(frozen=True)
class ImageReference:
    """``"constant"`` (``value``), ``"mean"`` (background mean) or ``"blur"`` (``sigma`` px)
    of the image array ``key`` of a group (or the modality itself)."""

    kind: str = "constant"
    value: float = 0.0
    sigma: float = 2.0
    key: str | int = "pixel_values"

    def __post_init__(self) -> None:
        if self.kind not in ("constant", "mean", "blur"):
            raise InputError(f"ImageReference kind must be 'constant', 'mean' or 'blur', got {self.kind!r}")

    @property
    def per_sample(self) -> bool:
        return self.kind == "blur"

    def __call__(self, x: Any, background: Any = None) -> Any:
        img, j = _leaf(x, self.key if isinstance(x, Group) else 0)
        if self.kind == "blur":
            return _replace(x, j, blur(img, self.sigma))
        if self.kind == "constant":
            return _replace(x, j, img * 0 + self.value)
        bg, _ = _leaf(background, self.key if isinstance(background, Group) else 0)
        mean = bg.mean(0, keepdim=True) if hasattr(bg, "is_floating_point") else bg.mean(axis=0, keepdims=True)
        return _replace(x, j, mean.to(img.dtype) if hasattr(mean, "to") else mean.astype(img.dtype))


def _mean_row(b: Any, name: str, adapter: Any) -> Any:
    def one(leaf: Any) -> Any:
        if not _floating(leaf):
            raise InputError(
                f"modality {name!r} holds integer arrays (token ids, masks) whose mean means nothing; set its "
                f"baseline, e.g. baseline={{{name!r}: isw.TokenReference(mask_id=...)}} or 'zeros'"
            )
        return leaf.mean(0, keepdim=True) if adapter.backend == "torch" else leaf.mean(axis=0, keepdims=True)

    return b.map(one) if isinstance(b, Group) else one(b)


def _group_parts(given: Any, b: Group, name: str) -> list:
    """The leaves of a group reference in the order of the modality's group ``b``: a dict
    is matched by key (any order), a tuple by position; a missing or extra leaf is refused."""
    want = list(b.keys) if b.keys is not None else list(range(len(b.leaves)))
    if isinstance(given, Mapping):
        if b.keys is None:
            raise InputError(f"baseline for {name} is a dict {list(given)}, but the modality is a "
                             f"tuple of {len(want)} arrays; give a tuple of {len(want)} arrays in its order")
        keys = [str(k) for k in given]
        missing, extra = [k for k in want if k not in keys], [k for k in keys if k not in want]
        if missing or extra:
            raise InputError(f"baseline for {name} has the arrays {keys}, the modality has {want}"
                             f"{f'; missing {missing}' if missing else ''}{f'; unknown {extra}' if extra else ''}"
                             "; give one array per key of the modality's group")
        by_key = {str(k): v for k, v in given.items()}
        return [by_key[k] for k in want]
    parts = list(given)
    if len(parts) != len(want):
        raise InputError(f"baseline for {name} gives {len(parts)} arrays, the modality's group has "
                         f"{len(want)} ({want}); give one array per array of the group, in its order")
    return parts


def _given_row(given: Any, b: Any, name: str, adapter: Any) -> Any:
    """A reference given as one sample's array (a dict/tuple for a group): ``(1, ...)``
    rows of ``b``'s shapes, each leaf checked against the background's leaf."""
    if isinstance(b, Group):
        parts = [adapter.to_backend(p) for p in _group_parts(given, b, name)]
        keys = b.keys or range(len(b.leaves))
        for key, p, leaf in zip(keys, parts, b.leaves):
            _same_shape(p, leaf, f"{name}[{key!r}]")
        return Group([p[None] for p in parts], b.keys)
    row = adapter.to_backend(given)
    _same_shape(row, b, name)
    return row[None]


def _label(name: str, i: int) -> str:
    """How an error names modality ``i``: ``modality 1`` or ``modality 'text'``."""
    return name if name == f"modality {i}" else f"modality {name!r}"


def _same_shape(row: Any, b: Any, where: str) -> None:
    if tuple(row.shape) != tuple(b.shape[1:]):
        raise InputError(f"baseline for {where} has shape {tuple(row.shape)}, expected one "
                         f"sample's shape {tuple(b.shape[1:])} (as in X and the background)")


class ReferenceMasker(BaselineMasker):
    """``masking="baseline"`` with a reference per modality (K = 1 row per pair)."""

    def _specs(self, names: Sequence[str]) -> list:
        b = self.baseline
        if isinstance(b, str) or callable(b) or isinstance(b, (TokenReference, ImageReference)):
            return [b] * len(names)
        if isinstance(b, Mapping):
            unknown = [k for k in b if str(k) not in names]
            if unknown:
                raise InputError(f"baseline names the modalities {unknown}, which are not in {list(names)}")
            return [b.get(n, "mean") for n in names]
        if len(b) != len(names):
            raise InputError(f"baseline gives {len(b)} references for {len(names)} modalities")
        return list(b)

    def bind(self, adapter: Any, background: Sequence[Any]) -> None:
        names = list(adapter.spec.keys) if adapter.spec is not None else [str(i) for i in range(len(background))]
        fixed: list = []
        self.per_sample: list[Callable | None] = []
        for i, (spec, b) in enumerate(zip(self._specs(names), background)):
            fn, row = None, None
            if isinstance(spec, str):
                if spec not in ("mean", "zeros"):
                    raise InputError(f"baseline must be 'mean', 'zeros', a reference or an array per modality, got {spec!r}")
                row = _mean_row(b, names[i], adapter) if spec == "mean" else (b[:1].map(lambda t: t * 0) if isinstance(b, Group) else b[:1] * 0)
            elif isinstance(spec, ImageReference) and not spec.per_sample:
                row = spec(b[:1], b)
            elif isinstance(spec, ImageReference):
                fn = spec
            elif callable(spec):  # TokenReference and user functions: per sample
                fn = spec
            else:
                row = _given_row(spec, b, _label(names[i], i), adapter)
            fixed.append(row)
            self.per_sample.append(fn)
        self.shared_empty = all(f is None for f in self.per_sample)
        # the fixed rows are the masker's one-row background; per-sample modalities keep theirs
        super(BaselineMasker, self).bind(adapter, [r if r is not None else b[:1] for r, b in zip(fixed, background)])

    def build(self, x, present, sample_ids, coalitions):
        if self.shared_empty:
            return super().build(x, present, sample_ids, coalitions)
        p = len(present)
        ad, own, out = self.adapter, np.arange(p), []
        for i, (xi, fn) in enumerate(zip(x, self.per_sample)):
            col = present[:, i]
            ref = fn(xi) if fn is not None else ad.take(self.background[i], np.zeros(p, dtype=np.int64))
            if col.all():
                out.append(xi)
            elif not col.any():
                out.append(ref)
            else:
                out.append(ad.take(ad.concat([xi, ref]), np.where(col, own, p + own)))
        return out

    def describe(self) -> dict:
        b = self.baseline
        plain = isinstance(b, str) or (isinstance(b, (list, tuple)) and all(hasattr(r, "shape") for r in b))
        return {"masking": "baseline", "baseline": b if isinstance(b, str) else ("given" if plain else "per modality")}


def baseline_masker(baseline: Any) -> ReferenceMasker:
    """The masker for ``masking="baseline"`` (one reference row per modality, or per sample)."""
    return ReferenceMasker(baseline)
