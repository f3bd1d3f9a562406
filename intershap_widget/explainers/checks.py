"""Input and output checks of the explainers: what the user passed (modalities,
background, names, labels, scalar settings) before any model call, and what the model
returned on every batch.

One validation serves every entry point (``explain``, ``sample_explain``, the
factorised path, ``compare_scores``): :func:`validate_call`. Every input check raises
:class:`~intershap_widget.maths.errors.InputError` (a ``ValueError`` and a ``TypeError``)
naming the argument, the value given and what to change; the output checks raise
``ValueError``/``TypeError`` naming the batch.
"""

from __future__ import annotations

import operator
import secrets
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..maths import games
from ..maths.errors import InputError
from .adapters import OUTPUTS, _is_tensor
from .outputs import square_hint
from . import inputs

__all__ = [
    "check_modalities", "check_settings", "check_output", "check_raw_output", "validate_inputs",
    "validate_call", "copies", "check_seed", "check_count", "Checked", "MAX_SEED",
]

#: seeds are non-negative integers below 2**63 (they are stored and hashed as 64-bit ints)
MAX_SEED = (1 << 63) - 1


def _shape(a: Any) -> tuple:
    return tuple(a.shape)


def _is_complex(x: Any) -> bool:
    return bool(x.is_complex()) if _is_tensor(x) else np.iscomplexobj(x)


def _first_nonfinite_row(x: Any) -> int | None:
    """Index of the first row of ``x`` ``(N, ...)`` holding NaN or ±inf (None when all finite)."""
    if _is_tensor(x):
        if not (x.is_floating_point() or x.is_complex()):
            return None
        bad = ~x.detach().reshape(x.shape[0], -1).isfinite().all(dim=1)
        return int(bad.nonzero()[0, 0]) if bool(bad.any()) else None
    if not np.issubdtype(x.dtype, np.inexact) or x.size == 0:
        return None
    flat = x.reshape(x.shape[0], -1)
    step = max(1, (16 << 20) // max(flat.shape[1], 1))  # ~16 MB of booleans at a time
    for start in range(0, flat.shape[0], step):
        ok = np.isfinite(flat[start:start + step]).all(axis=1)
        if not ok.all():
            return start + int(np.flatnonzero(~ok)[0])
    return None


def _check_kind(leaf: Any, where: str) -> None:
    """Tensors on torch's ``meta`` device (shapes without data) are refused. (Strings and
    dates are refused where they cannot go: into a torch model, :mod:`.adapters`.)"""
    if _is_tensor(leaf) and leaf.device.type == "meta":
        raise InputError(f"{where} is a tensor on the 'meta' device: it has a shape but no values; pass "
                         "the data itself (e.g. the tensor built or loaded on 'cpu' or 'cuda')")


def _check_values(xs: list, what: str, allow_nonfinite: bool) -> None:
    """Refuse complex arrays, and NaN/inf (naming modality and row) unless allowed, in
    every array of ``xs`` (groups: each of their arrays)."""
    for i, x in enumerate(xs):
        group = isinstance(x, inputs.Group)
        arrays = x.leaves if group else [x]
        keys = (x.keys or list(range(len(arrays)))) if group else [None]
        for key, leaf in zip(keys, arrays):
            where = f"{what}[{i}]" + ("" if key is None else f"[{key!r}]")
            _check_kind(leaf, where)
            if _is_complex(leaf):
                raise InputError(
                    f"{where} is complex ({leaf.dtype}); InterSHAP explains real inputs. Pass the real "
                    "and imaginary parts as separate features (or modalities), e.g. np.stack([z.real, z.imag], -1)"
                )
            if not allow_nonfinite:
                row = _first_nonfinite_row(leaf)
                if row is not None:
                    raise InputError(
                        f"{where} (modality {i}) holds NaN or inf in row {row}; clean or impute the "
                        "inputs, or pass allow_nonfinite=True if the model handles them"
                    )


def check_modalities(X: Any, what: str, allow_nonfinite: bool = True) -> list:
    """``X`` as a list of M modality values, each with a sample axis: arrays/tensors, or
    :class:`~.inputs.Group` for a dict/tuple of arrays (X: a list or a dict, see
    :mod:`.inputs`); complex arrays refused, non-finite values refused unless allowed."""
    xs = inputs.as_modalities(X, what)[0]
    _check_values(xs, what, allow_nonfinite)
    return xs


def _check_counts(xs: list, bg: list) -> None:
    m = len(xs)
    counts = [x.shape[0] for x in xs]
    if len(set(counts)) != 1:
        raise InputError(f"every modality needs the same number of samples; got {counts}")
    if counts[0] == 0:
        raise InputError("X holds no samples (N = 0); pass at least one sample per modality")
    if len(bg) != m:
        raise InputError(f"background has {len(bg)} modalities but X has {m}")
    bcounts = [b.shape[0] for b in bg]
    if len(set(bcounts)) != 1:
        raise InputError(f"every background modality needs the same number of rows; got {bcounts}")
    if bcounts[0] == 0:
        raise InputError("background holds no rows; pass at least one reference row")
    for i, (x, b) in enumerate(zip(xs, bg)):
        if _shape(x)[1:] != _shape(b)[1:]:
            raise InputError(
                f"modality {i}: samples have shape {_shape(x)[1:]} but background rows have "
                f"{_shape(b)[1:]}; the background must have the same per-modality shapes as X"
            )


def _is_missing(v: Any) -> bool:
    """None, NaN or pandas' NA (a missing label in any of the forms pandas gives it)."""
    return v is None or (isinstance(v, (float, np.floating)) and v != v) or type(v).__name__ in ("NAType", "NaTType")


def _check_labels(labels: Any, n: int) -> np.ndarray | None:
    if labels is None:
        return None
    labels = np.asarray(labels.detach().cpu().numpy() if _is_tensor(labels) else labels)
    if labels.ndim == 2 and labels.shape[1] == 1:  # a one-column labels frame
        labels = labels[:, 0]
    if labels.shape != (n,):
        raise InputError(f"labels must have shape (N,) = ({n},), got {labels.shape}")
    if _is_complex(labels):
        raise InputError("labels must be real numbers or strings, got complex values")
    items = labels.tolist() if labels.dtype == object or np.issubdtype(labels.dtype, np.floating) else []
    missing = [i for i, v in enumerate(items) if _is_missing(v)]
    if missing:
        raise InputError(
            f"labels hold a missing value (None, NaN or NA) at rows {missing[:5]}{' …' if len(missing) > 5 else ''}; "
            "give every sample a label (e.g. labels.fillna('unknown') or the string 'unknown') or pass labels=None"
        )
    if labels.dtype == object:
        kinds = {type(v) for v in items}
        if not kinds <= {str, int, float, bool, np.str_}:
            raise InputError(f"labels must be numbers or strings, got values of types {sorted(k.__name__ for k in kinds)}")
        labels = labels.astype(str) if kinds & {str, np.str_} else labels.astype(np.float64)
    return labels


def validate_inputs(X: Any, background: Any, modality_names: Any, labels: Any, *,
                    max_modalities: int | None = games.MAX_EXACT_MODALITIES,
                    allow_nonfinite: bool = False) -> tuple:
    """Checked ``(xs, background, names, labels)``: M ≥ 2 modalities ``(N, ...)``, a
    background ``(K, ...)`` of the same trailing shapes (``X`` itself when ``None``), M
    distinct names and ``(N,)`` labels. ``max_modalities=None`` lifts the exact limit.
    X may be a list, a dict or hold groups of arrays (:mod:`.inputs`)."""
    xs, keys = inputs.as_modalities(X, "X")
    _check_values(xs, "X", allow_nonfinite)
    m = len(xs)
    if m < 2:
        raise InputError(f"InterSHAP needs at least 2 modalities, got {m}")
    if max_modalities is not None and m > max_modalities:
        raise InputError(
            f"exact InterSHAP evaluates 2**M coalitions per sample; M={m} exceeds the limit "
            f"of {max_modalities}. Group modalities, or estimate with "
            "isw.sample_explain(model, X, budget=...), which samples coalitions."
        )
    bg = xs if background is None else check_modalities(
        inputs.align_background(background, keys), "background", allow_nonfinite)
    _check_counts(xs, bg)
    if isinstance(modality_names, (str, bytes)):
        raise InputError(f"modality_names must be a list of {m} names, got the string {modality_names!r}; "
                         f"pass e.g. modality_names={[f'name {i}' for i in range(m)]}")
    names = (keys or [f"modality {i}" for i in range(m)]) if modality_names is None else list(modality_names)
    if len(names) != m:
        raise InputError(f"{len(names)} modality_names given for {m} modalities")
    if len({str(n) for n in names}) != m:
        raise InputError(f"modality_names must be distinct, got {names}")
    inputs.check_structure(xs, bg, names)
    labels = _check_labels(labels, xs[0].shape[0])
    return xs, bg, [str(n) for n in names], labels


def check_count(value: Any, what: str, minimum: int = 1) -> int:
    """A whole number ≥ ``minimum`` (ints, numpy ints, or floats without a fraction)."""
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            raise InputError(f"{what} must be a whole number, got {value!r}")
        value = int(value)
    try:
        n = operator.index(value)
    except TypeError:
        raise InputError(f"{what} must be a whole number, got {type(value).__name__} {value!r}") from None
    if n < minimum:
        raise InputError(f"{what} must be >= {minimum}, got {n}")
    return int(n)


def check_seed(seed: Any) -> int:
    """The seed to use: ``None`` → fresh entropy (a new non-negative int, to be recorded),
    else a whole number in ``[0, 2**63 − 1]``."""
    if seed is None:
        return secrets.randbits(63)
    if isinstance(seed, (float, np.floating)) and not float(seed).is_integer():
        raise InputError(f"seed must be None or a whole number >= 0, got {seed!r}")
    try:
        s = check_count(seed, "seed", minimum=0)
    except (TypeError, ValueError):
        raise InputError(f"seed must be None or a whole number >= 0, got {seed!r}") from None
    if s > MAX_SEED:
        raise InputError(f"seed must be below 2**63, got {seed!r}; use a smaller number (e.g. seed % 2**63)")
    return s


def _check_target(target: Any) -> None:
    is_int = isinstance(target, (int, np.integer)) and not isinstance(target, (bool, np.bool_))
    if not (isinstance(target, str) and target in ("predicted", "all") or is_int):
        raise InputError(f"target must be 'predicted', 'all' or a class index (int), got {target!r}")
    if is_int and target < 0:
        raise InputError(f"target class must be >= 0, got {target}")


def check_settings(output: str, target: Any, n_background: Any, batch_size: Any,
                   targets: tuple = ("predicted", "all")) -> None:
    """The scalar settings of an explain call (``targets``: the named targets accepted)."""
    if not isinstance(output, str) or output not in OUTPUTS:
        raise InputError(f"output must be one of {OUTPUTS}, got {output!r}")
    _check_target(target)
    if isinstance(target, str) and target not in targets:
        raise InputError(f"target={target!r} is not available here; use one of {targets} or a class index")
    check_count(n_background, "n_background")
    if batch_size is not None:
        check_count(batch_size, "batch_size (model rows per forward pass)")


@dataclass
class Checked:
    """What :func:`validate_call` returns: checked inputs and settings."""

    xs: list
    background: list
    names: list
    labels: np.ndarray | None
    seed: int
    n_background: int
    batch_size: int | None
    #: True when the background is X itself (``background=None``)
    background_is_x: bool


def validate_call(X: Any, background: Any, *, modality_names: Any = None, labels: Any = None,
                  seed: Any = 0, batch_size: Any = None, n_background: Any = 100,
                  target: Any = "predicted", output: str = "auto", targets: tuple = ("predicted", "all"),
                  max_modalities: int | None = games.MAX_EXACT_MODALITIES,
                  allow_nonfinite: bool = False) -> Checked:
    """The one input check of every entry point: N, M, shapes, names, labels, seed,
    batch_size, n_background, target, output; raised before any model call."""
    xs, bg, names, labels = validate_inputs(X, background, modality_names, labels,
                                            max_modalities=max_modalities, allow_nonfinite=allow_nonfinite)
    check_settings(output, target, n_background, batch_size, targets)
    return Checked(xs, bg, names, labels, check_seed(seed), int(n_background),
                   None if batch_size is None else int(batch_size), background is None)


def copies(arrays: list) -> list:
    """New arrays with the values of ``arrays`` (numpy copies, torch clones): what a model
    that may write into its input gets instead of the caller's memory."""
    def copy(a: Any) -> Any:
        return a.detach().clone() if _is_tensor(a) else np.array(a, copy=True)

    return [a.map(copy) if isinstance(a, inputs.Group) else copy(a) for a in arrays]


def check_raw_output(raw: Any, rows: int, n_cols: int | None, what: str) -> None:
    """Shape ``(rows, C)`` or ``(rows,)``, width ``n_cols`` and a real dtype of raw model
    outputs; ``what`` (e.g. "on a probe batch") says where, "" when the caller adds it."""
    shape = tuple(raw.shape) if hasattr(raw, "shape") else np.shape(raw)
    where = f" {what}" if what else ""
    if _is_complex(raw):
        raise TypeError(f"the model returned complex outputs ({raw.dtype}){where}; return real numbers")
    if len(shape) not in (1, 2) or shape[0] != rows:
        raise ValueError(
            f"the model must return (B, C) or (B,) outputs for a batch of B={rows} rows; "
            f"it returned shape {shape}{where}"
        )
    width = 1 if len(shape) == 1 else shape[1]
    if n_cols is not None and width != n_cols:
        raise ValueError(
            f"the model returned {width} outputs per row (shape {shape}){where}, earlier {n_cols}; "
            "a model must return the same number of outputs on every call" + square_hint(shape, rows)
        )


def check_output(raw: Any, rows: int, n_cols: int | None, what: str) -> np.ndarray:
    """Model outputs as ``(rows, C)`` float64, checked for shape, width, dtype and finiteness."""
    if not hasattr(raw, "shape"):
        raw = np.asarray(raw)
    check_raw_output(raw, rows, n_cols, what)
    out = np.asarray(raw, dtype=np.float64)
    if out.ndim == 1:
        out = out[:, None]
    if not np.all(np.isfinite(out)):
        raise ValueError(f"the model returned non-finite outputs (NaN or inf) {what}")
    return out
