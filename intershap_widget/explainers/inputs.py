"""Input forms: modalities as named groups of tensors.

``X`` may be

* a list (or tuple) of M arrays/tensors, each ``(N, ...)`` (names ``modality 0``, ...);
* a dict ``{name: array}`` (the names are the keys, in order);
* either of these whose entries are themselves a dict or a tuple of arrays sharing the
  sample axis: one modality is then a *group*, e.g. ``{"text": {"input_ids": ids,
  "attention_mask": mask}, "image": pixels}``.

Internally every modality is one value: a plain array, or a :class:`Group` (its leaves
in a fixed order, with their keys for a dict group). A group behaves like an array for
the driver and the maskers: ``g.shape[0]`` is the sample count, ``g[rows]`` takes rows of
every leaf, and the adapter's ``take``/``concat``/``to_backend`` map over the leaves; so
masking replaces a modality's whole group with the background's group, row for row.
Integer leaves (token ids, masks) keep their dtype.

:class:`InputSpec` records the form (list or dict), the modality keys and the groups'
structure, so :mod:`.calls` can rebuild the call the model wants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["Group", "InputSpec", "as_modalities", "leaves", "check_structure", "spec_of"]


def _is_tensor(obj: Any) -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional
        return False
    return isinstance(obj, torch.Tensor)


def _is_array(obj: Any) -> bool:
    return isinstance(obj, np.ndarray) or _is_tensor(obj)


class Group:
    """One modality made of several arrays sharing the sample axis.

    leaves : tuple of arrays ``(N, ...)``; keys : their names (a dict group) or None (a
    tuple group). ``shape`` is the first leaf's shape (``shape[0]`` = N).
    """

    __slots__ = ("leaves", "keys")

    def __init__(self, leaves: Sequence[Any], keys: Sequence[str] | None = None) -> None:
        self.leaves = tuple(leaves)
        self.keys = None if keys is None else tuple(keys)

    @property
    def shape(self) -> tuple:
        return tuple(self.leaves[0].shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        return int(self.shape[0])

    def __getitem__(self, index: Any) -> "Group":
        return Group([leaf[index] for leaf in self.leaves], self.keys)

    def map(self, fn) -> "Group":
        """A group of ``fn(leaf)`` for every leaf."""
        return Group([fn(leaf) for leaf in self.leaves], self.keys)

    def value(self) -> Any:
        """The group in the user's structure: a dict ``{key: leaf}`` or a tuple of leaves."""
        return tuple(self.leaves) if self.keys is None else dict(zip(self.keys, self.leaves))

    def __repr__(self) -> str:
        parts = [f"{k}: {tuple(l.shape)}" for k, l in zip(self.keys or range(len(self.leaves)), self.leaves)]
        return f"Group({', '.join(parts)})"


def leaves(values: Sequence[Any]) -> list:
    """Every array of a list of modality values (groups expanded), in order."""
    out = []
    for v in values:
        out.extend(v.leaves if isinstance(v, Group) else [v])
    return out


def _check_leaf(x: Any, what: str) -> Any:
    if not _is_array(x):
        x = np.asarray(x)
    if x.ndim < 1:
        raise ValueError(f"{what} must have a sample axis, got a scalar")
    if x.dtype == object:
        raise TypeError(f"{what} has dtype object; pass numeric arrays")
    return x


def _frame_to_array(x: Any) -> Any:
    """A pandas DataFrame/Series as its numpy values (no import of pandas)."""
    if hasattr(x, "to_numpy") and not _is_array(x) and not isinstance(x, Mapping):
        return x.to_numpy()
    return x


def _modality(x: Any, what: str) -> Any:
    x = _frame_to_array(x)
    if isinstance(x, Mapping):
        if not x:
            raise ValueError(f"{what} is an empty dict; a group needs at least one array")
        keys = [str(k) for k in x]
        vals = [_check_leaf(_frame_to_array(v), f"{what}[{k!r}]") for k, v in x.items()]
        group = Group(vals, keys)
    elif isinstance(x, tuple):
        if not x:
            raise ValueError(f"{what} is an empty tuple; a group needs at least one array")
        group = Group([_check_leaf(_frame_to_array(v), f"{what}[{j}]") for j, v in enumerate(x)])
    else:
        return _check_leaf(x, what)
    counts = [int(leaf.shape[0]) for leaf in group.leaves]
    if len(set(counts)) != 1:
        raise ValueError(f"{what}: the arrays of one modality must share the sample axis; got {counts} rows")
    return group


def as_modalities(X: Any, what: str) -> tuple[list, list[str] | None]:
    """``(values, keys)``: M modality values (arrays or :class:`Group`) and the dict's
    keys (None for a list). Raises a TypeError that says what to pass otherwise."""
    if _is_array(X):
        raise TypeError(
            f"{what} must be a list of M arrays, one per modality, each (N, ...), or a dict "
            f"{{name: array}}; got a single array of shape {tuple(X.shape)}. Split it into "
            "modalities, e.g. [A[:, :d1], A[:, d1:]]."
        )
    if isinstance(X, Mapping):
        keys = [str(k) for k in X]
        return [_modality(v, f"{what}[{k!r}]") for k, v in zip(keys, X.values())], keys
    if not isinstance(X, (list, tuple)):
        raise TypeError(
            f"{what} must be a list of M arrays (one per modality) or a dict {{name: array}}, "
            f"got {type(X).__name__}"
        )
    return [_modality(x, f"{what}[{i}]") for i, x in enumerate(X)], None


def _leaf_names(v: Any) -> list:
    return list(v.keys) if isinstance(v, Group) and v.keys is not None else list(range(len(v.leaves)))


def _describe(v: Any) -> str:
    return repr(v) if isinstance(v, Group) else f"one array of shape {tuple(v.shape)}"


def check_structure(xs: list, bg: list, names: Sequence[str]) -> None:
    """The background's modalities have X's groups (same keys, leaf count, trailing shapes)."""
    for name, x, b in zip(names, xs, bg):
        if isinstance(x, Group) != isinstance(b, Group) or (
            isinstance(x, Group) and (x.keys != b.keys or len(x.leaves) != len(b.leaves))
        ):
            raise ValueError(
                f"modality {name!r}: X has {_describe(x)} but the background has {_describe(b)}; give the background "
                "the same structure (the same group of arrays) as X"
            )
        if isinstance(x, Group):
            for key, lx, lb in zip(_leaf_names(x), x.leaves, b.leaves):
                if tuple(lx.shape[1:]) != tuple(lb.shape[1:]):
                    raise ValueError(
                        f"modality {name!r}, array {key!r}: samples have shape {tuple(lx.shape[1:])} but "
                        f"background rows have {tuple(lb.shape[1:])}; the background must have the "
                        "same per-modality shapes as X"
                    )


def align_background(background: Any, keys: list[str] | None, what: str = "background") -> Any:
    """A dict background reordered to X's keys (a list is taken in X's order)."""
    if keys is None or not isinstance(background, Mapping):
        return background
    missing = [k for k in keys if k not in {str(b) for b in background}]
    if missing or len(background) != len(keys):
        raise ValueError(f"{what} has the modalities {[str(k) for k in background]} but X has {keys}")
    by_name = {str(k): v for k, v in background.items()}
    return {k: by_name[k] for k in keys}


@dataclass(frozen=True)
class InputSpec:
    """How X was given: ``form`` ("list" or "dict"), the M modality ``keys`` (dict keys,
    else the modality names) and, per modality, its group keys (a dict group), the
    number of leaves (a tuple group) or None (one array)."""

    form: str
    keys: tuple
    groups: tuple

    @property
    def has_dict_groups(self) -> bool:
        return any(isinstance(g, tuple) for g in self.groups)

    def batch_keys(self) -> list[str]:
        """The names of the merged batch: a dict group's keys, else the modality's key."""
        out: list[str] = []
        for key, g in zip(self.keys, self.groups):
            out.extend(g if isinstance(g, tuple) else [key])
        return out


def spec_of(X: Any, values: list, names: Sequence[str]) -> InputSpec:
    """The :class:`InputSpec` of ``X`` (as given) and its checked modality ``values``."""
    form = "dict" if isinstance(X, Mapping) else "list"
    keys = tuple(str(k) for k in X) if form == "dict" else tuple(str(n) for n in names)
    groups = tuple(
        (v.keys if v.keys is not None else len(v.leaves)) if isinstance(v, Group) else None for v in values
    )
    return InputSpec(form, keys, groups)
