"""Input and output checks of the explainers: what the user passed (modalities,
background, names, labels, scalar settings) before any model call, and what the model
returned on every batch.

Every check raises a ``TypeError``/``ValueError`` that says what to change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..maths import games
from .adapters import OUTPUTS, _is_tensor
from . import inputs

__all__ = ["check_modalities", "check_settings", "check_output", "validate_inputs"]


def _shape(a: Any) -> tuple:
    return tuple(a.shape)


def check_modalities(X: Any, what: str) -> list:
    """``X`` as a list of M modality values, each with a sample axis: arrays/tensors, or
    :class:`~.inputs.Group` for a dict/tuple of arrays (X: a list or a dict, see :mod:`.inputs`)."""
    return inputs.as_modalities(X, what)[0]


def _check_counts(xs: list, bg: list) -> None:
    m = len(xs)
    counts = [x.shape[0] for x in xs]
    if len(set(counts)) != 1:
        raise ValueError(f"every modality needs the same number of samples; got {counts}")
    if counts[0] == 0:
        raise ValueError("X holds no samples (N = 0); pass at least one sample per modality")
    if len(bg) != m:
        raise ValueError(f"background has {len(bg)} modalities but X has {m}")
    bcounts = [b.shape[0] for b in bg]
    if len(set(bcounts)) != 1:
        raise ValueError(f"every background modality needs the same number of rows; got {bcounts}")
    if bcounts[0] == 0:
        raise ValueError("background holds no rows; pass at least one reference row")
    for i, (x, b) in enumerate(zip(xs, bg)):
        if _shape(x)[1:] != _shape(b)[1:]:
            raise ValueError(
                f"modality {i}: samples have shape {_shape(x)[1:]} but background rows have "
                f"{_shape(b)[1:]}; the background must have the same per-modality shapes as X"
            )


def validate_inputs(X: Any, background: Any, modality_names: Any, labels: Any) -> tuple:
    """Checked ``(xs, background, names, labels)``: M ≥ 2 modalities ``(N, ...)``, a
    background ``(K, ...)`` of the same trailing shapes (``X`` itself when ``None``), M
    distinct names and ``(N,)`` labels."""
    xs, keys = inputs.as_modalities(X, "X")
    m = len(xs)
    if m < 2:
        raise ValueError(f"InterSHAP needs at least 2 modalities, got {m}")
    if m > games.MAX_EXACT_MODALITIES:
        raise ValueError(
            f"exact InterSHAP evaluates 2**M coalitions per sample; M={m} exceeds the limit "
            f"of {games.MAX_EXACT_MODALITIES}. Group modalities, or estimate with "
            "isw.sample_explain(model, X, budget=...), which samples coalitions."
        )
    bg = xs if background is None else check_modalities(inputs.align_background(background, keys), "background")
    _check_counts(xs, bg)
    names = (keys or [f"modality {i}" for i in range(m)]) if modality_names is None else list(modality_names)
    if len(names) != m:
        raise ValueError(f"{len(names)} modality_names given for {m} modalities")
    if len({str(n) for n in names}) != m:
        raise ValueError(f"modality_names must be distinct, got {names}")
    inputs.check_structure(xs, bg, names)
    n = xs[0].shape[0]
    if labels is not None:
        labels = np.asarray(labels.detach().cpu().numpy() if _is_tensor(labels) else labels)
        if labels.ndim == 2 and labels.shape[1] == 1:  # a one-column labels frame
            labels = labels[:, 0]
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape (N,) = ({n},), got {labels.shape}")
    return xs, bg, [str(n) for n in names], labels


def check_settings(output: str, target: Any, n_background: Any, batch_size: Any) -> None:
    """The scalar settings of an explain call."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    is_int = isinstance(target, (int, np.integer)) and not isinstance(target, bool)
    if not (target in ("predicted", "all") or is_int):
        raise ValueError(f"target must be 'predicted', 'all' or a class index (int), got {target!r}")
    if is_int and target < 0:
        raise ValueError(f"target class must be >= 0, got {target}")
    if int(n_background) < 1:
        raise ValueError(f"n_background must be >= 1, got {n_background}")
    if batch_size is not None and int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive number of model rows, got {batch_size}")


def check_output(raw: np.ndarray, rows: int, n_cols: int | None, what: str) -> np.ndarray:
    """Model outputs as ``(rows, C)`` float64, checked for shape, width and finiteness."""
    out = np.asarray(raw, dtype=np.float64)
    if out.ndim not in (1, 2) or out.shape[0] != rows:
        raise ValueError(
            f"the model must return (B, C) or (B,) outputs for a batch of B={rows} rows; "
            f"{what} it returned shape {out.shape}"
        )
    if out.ndim == 1:
        out = out[:, None]
    if n_cols is not None and out.shape[1] != n_cols:
        raise ValueError(f"the model returned {out.shape[1]} outputs per row {what}, earlier {n_cols}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"the model returned non-finite outputs (NaN or inf) {what}")
    return out
