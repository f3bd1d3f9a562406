"""The features of one modality: which elements of its arrays make up each feature, and
how a modality is split into its features' parts and put back together.

A :class:`FeatureMap` labels every element of one sample's array with the feature it
belongs to (``labels``, an int array of the sample's trailing shape, or one that
broadcasts to it: a patch grid ``(H, W)`` labels every channel of ``(C, H, W)``). For a
group of arrays (text: ``input_ids`` + ``attention_mask``) the same labels apply to every
array, so a token's id and its mask entry are one feature and are masked together.
Elements no feature names form one more feature, ``"(rest)"``, so the features always
cover the modality and their parts add up to it.

Features (``explain_features(features=..., patch=...)``):

* ``None``: every column of a 2-D modality ``(N, D)`` (named by a DataFrame's columns),
  every token position of a text group ``(N, L)``; images need ``patch=``;
* ``patch=p`` or ``(ph, pw)``: a grid of patches over the last two axes (row-major);
* a dict ``{name: columns}`` (indices or DataFrame column names) or ``{name: bool mask}``;
* a list of bool masks, or an array ``(G, ...)`` of them, of one sample's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..maths.errors import InputError
from .inputs import Group

__all__ = ["FeatureMap", "resolve_features", "split_modality", "assemble_modality"]

REST = "(rest)"


@dataclass(frozen=True)
class FeatureMap:
    """``labels``: int array (one sample's shape, or broadcastable to it), entry = the
    feature of that element; ``names``: G str; ``kind``: ``"columns"``, ``"patches"``,
    ``"tokens"`` or ``"masks"``; ``grid``: the patch grid ``(rows, cols)`` or None."""

    labels: np.ndarray
    names: tuple
    kind: str
    grid: tuple | None = None
    #: the modality is a group of one-column arrays (a DataFrame's columns): labels ``(n_arrays,)``
    by_leaf: bool = False

    @property
    def n_features(self) -> int:
        return len(self.names)

    def indices(self, trailing: tuple) -> list[np.ndarray]:
        """Flat element indices of each feature in an array of one sample's shape ``trailing``."""
        try:
            flat = np.broadcast_to(self.labels, trailing).ravel()
        except ValueError:
            raise InputError(f"the feature labels of shape {self.labels.shape} do not fit an array of one "
                             f"sample's shape {trailing}") from None
        return [np.flatnonzero(flat == g) for g in range(self.n_features)]


def _arrays(x: Any) -> list:
    return list(x.leaves) if isinstance(x, Group) else [x]


def _error(msg: str) -> InputError:
    return InputError(f"features: {msg}")


def _with_rest(labels: np.ndarray, names: list, kind: str, grid: tuple | None = None,
               by_leaf: bool = False) -> FeatureMap:
    if (labels < 0).any():
        labels = np.where(labels < 0, len(names), labels)
        names = names + [REST]
    if len(names) < 2:
        raise _error(f"at least 2 features are needed to share a modality out, got {names}")
    return FeatureMap(labels.astype(np.int64), tuple(str(n) for n in names), kind, grid, by_leaf)


def _frame_columns(x: Group, features: Any) -> FeatureMap:
    """Features of a group of one-column arrays (a DataFrame's columns): each column, or
    named lists of columns."""
    keys = [str(k) for k in (x.keys or range(len(x.leaves)))]
    if features is None:
        return _with_rest(np.arange(len(keys)), keys, "columns", by_leaf=True)
    if not isinstance(features, Mapping):
        raise _error("name the column groups of a DataFrame modality as a dict {name: [columns]}")
    labels = np.full(len(keys), -1, dtype=np.int64)
    for g, (name, cols) in enumerate(features.items()):
        for c in ([cols] if np.isscalar(cols) else list(cols)):
            k = _column(c, keys, len(keys))
            if labels[k] >= 0:
                raise _error(f"features {list(features)[labels[k]]!r} and {name!r} overlap; each element may "
                             "belong to one feature")
            labels[k] = g
    return _with_rest(labels, [str(n) for n in features], "columns", by_leaf=True)


def _patches(shape: tuple, patch: Any) -> FeatureMap:
    if len(shape) < 2:
        raise _error(f"patch= needs images with two spatial axes, the modality has one sample's shape {shape}")
    ph, pw = (patch, patch) if np.isscalar(patch) else tuple(patch)
    h, w = shape[-2:]
    if int(ph) < 1 or int(pw) < 1 or h % int(ph) or w % int(pw):
        raise _error(f"patch={patch!r} must divide the image size {h}×{w} (e.g. patch={h // 2 or 1})")
    rows, cols = h // int(ph), w // int(pw)
    grid = (np.arange(h)[:, None] // int(ph)) * cols + np.arange(w)[None, :] // int(pw)
    names = [f"patch ({r}, {c})" for r in range(rows) for c in range(cols)]
    return _with_rest(grid, names, "patches", (rows, cols))


def _column(spec: Any, columns: Sequence[str] | None, width: int) -> int:
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        if not -width <= int(spec) < width:
            raise _error(f"column {spec} is out of range for a modality of {width} columns")
        return int(spec) % width
    if columns is not None and str(spec) in columns:
        return list(columns).index(str(spec))
    raise _error(f"unknown column {spec!r}; name columns by index (0..{width - 1})"
                 + (f" or by name ({list(columns)[:6]}...)" if columns is not None else ""))


def _from_masks(masks: Sequence[Any], names: list, shape: tuple, kind: str) -> FeatureMap:
    labels = np.full(shape, -1, dtype=np.int64)
    for g, (name, mask) in enumerate(zip(names, masks)):
        m = np.asarray(mask)
        if m.dtype != bool:
            raise _error(f"feature {name!r} must be a bool mask of one sample's shape {shape}, got dtype {m.dtype}")
        try:
            m = np.broadcast_to(m, shape)
        except ValueError:
            raise _error(f"feature {name!r} has a mask of shape {m.shape}, one sample's shape is {shape}") from None
        if not m.any():
            raise _error(f"feature {name!r} selects no element; drop it")
        if (labels[m] >= 0).any():
            other = names[int(labels[m][labels[m] >= 0][0])]
            raise _error(f"features {other!r} and {name!r} overlap; each element may belong to one feature")
        labels[m] = g
    return _with_rest(labels, list(names), kind)


def _named(features: Mapping, shape: tuple, columns: Sequence[str] | None) -> FeatureMap:
    names = [str(k) for k in features]
    masks, kind = [], "columns"
    for spec in features.values():
        arr = np.asarray(spec)
        if arr.dtype == bool:  # a mask of one sample's shape
            masks.append(arr)
            kind = "masks"
            continue
        if len(shape) != 1:
            raise _error(f"name column lists only for a 2-D modality (N, D); this one has one sample's shape "
                         f"{shape}: give bool masks of that shape")
        cols = [spec] if np.isscalar(spec) else list(spec)
        mask = np.zeros(shape, dtype=bool)
        mask[[_column(c, columns, shape[0]) for c in cols]] = True
        masks.append(mask)
    return _from_masks(masks, names, shape, kind)


def resolve_features(x: Any, features: Any = None, patch: Any = None,
                     columns: Sequence[str] | None = None) -> FeatureMap:
    """The :class:`FeatureMap` of modality value ``x`` (an array ``(N, ...)`` or a
    :class:`~.inputs.Group`) for ``features``/``patch`` (module docstring); ``columns``:
    a DataFrame's column names. Raises a ValueError naming what to pass instead."""
    arrays = _arrays(x)
    shape = tuple(arrays[0].shape[1:])
    if isinstance(x, Group) and x.keys is not None and patch is None and all(len(a.shape) == 1 for a in arrays):
        return _frame_columns(x, features)
    if patch is not None:
        if features is not None:
            raise _error("give features= or patch=, not both")
        image = next((a for a in arrays if len(a.shape) >= 3 and a.dtype.kind == "f"), arrays[0]) \
            if hasattr(arrays[0], "dtype") else arrays[0]
        return _patches(tuple(image.shape[1:]), patch)
    if features is None:
        if len(shape) != 1:
            raise _error(f"the modality has one sample's shape {shape}: pass patch= for images, or name "
                         "the features (a dict of bool masks)")
        text = isinstance(x, Group)
        names = ([f"token {p}" for p in range(shape[0])] if text else
                 list(columns) if columns is not None else [f"column {c}" for c in range(shape[0])])
        return _with_rest(np.arange(shape[0]), names, "tokens" if text else "columns")
    if isinstance(features, Mapping):
        return _named(features, shape, columns)
    masks = list(features)
    return _from_masks(masks, [f"feature {g}" for g in range(len(masks))], shape, "masks")


def split_modality(x: Any, fmap: FeatureMap) -> list:
    """The G parts of modality ``x`` (array ``(N, ...)`` or group): part g holds, for each
    of its arrays, the elements of feature g flattened, ``(N, n_g)``; a group stays a
    group (dict or tuple, as given)."""
    arrays = _arrays(x)
    if fmap.by_leaf:
        return [{k: a for k, a, lab in zip(x.keys, arrays, fmap.labels) if lab == g} for g in range(fmap.n_features)]
    idx = [fmap.indices(tuple(a.shape[1:])) for a in arrays]
    n = int(arrays[0].shape[0])
    parts = []
    for g in range(fmap.n_features):
        leaves = [a.reshape(n, -1)[:, _index_for(a, idx[k][g])] for k, a in enumerate(arrays)]
        parts.append(Group(leaves, x.keys).value() if isinstance(x, Group) else leaves[0])
    return parts


def _index_for(a: Any, index: np.ndarray) -> Any:
    if hasattr(a, "is_floating_point"):
        import torch

        return torch.as_tensor(index, device=a.device)
    return index


@dataclass(frozen=True)
class Assembly:
    """How to put a modality back from its parts: per array, one sample's shape and each
    feature's flat element indices."""

    shapes: tuple
    indices: tuple
    #: by_leaf: per array of the modality, (its feature, its position in that feature's part), and the keys
    leaf_order: tuple | None = None
    keys: tuple | None = None

    @staticmethod
    def of(x: Any, fmap: FeatureMap) -> "Assembly":
        if fmap.by_leaf:
            pos = [int((fmap.labels[:k] == lab).sum()) for k, lab in enumerate(fmap.labels)]
            return Assembly((), (), tuple(zip(fmap.labels.tolist(), pos)), tuple(x.keys))
        arrays = _arrays(x)
        shapes = tuple(tuple(a.shape[1:]) for a in arrays)
        return Assembly(shapes, tuple(tuple(fmap.indices(s)) for s in shapes))


def assemble_modality(parts: Sequence[Any], assembly: Assembly) -> Any:
    """The modality (array ``(B, ...)`` or group) from its G backend parts (each an array
    ``(B, n_g)`` or a group of them): the inverse of :func:`split_modality`."""
    first = parts[0]
    if assembly.leaf_order is not None:
        return Group([parts[g].leaves[p] for g, p in assembly.leaf_order], assembly.keys)
    out = []
    for k, shape in enumerate(assembly.shapes):
        leaves = [p.leaves[k] if isinstance(p, Group) else p for p in parts]
        b = int(leaves[0].shape[0])
        size = int(np.prod(shape, dtype=np.int64))
        if hasattr(leaves[0], "is_floating_point"):
            import torch

            whole = torch.empty((b, size), dtype=leaves[0].dtype, device=leaves[0].device)
        else:
            whole = np.empty((b, size), dtype=leaves[0].dtype)
        for g, leaf in enumerate(leaves):
            whole[:, _index_for(leaf, assembly.indices[k][g])] = leaf
        out.append(whole.reshape((b,) + shape))
    return Group(out, first.keys) if isinstance(first, Group) else out[0]
