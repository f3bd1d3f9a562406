"""Input checks and model calls shared by the baseline scores (PID, EMAP, SHAPE)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ...explainers.adapters import as_model


def as_modalities(X: Sequence[Any], *, min_modalities: int = 2, exactly: int | None = None,
                  score: str = "this score") -> list[np.ndarray]:
    """Check ``X`` is a list of M >= ``min_modalities`` arrays with the same first dimension N.

    Returns numpy views (torch tensors are moved to CPU). The user's arrays are never modified.
    """
    if isinstance(X, np.ndarray) or not isinstance(X, (list, tuple)):
        raise TypeError(f"{score} needs X as a list of per-modality arrays [X1, X2, ...], each (N, ...); "
                        f"got {type(X).__name__}.")
    if exactly is not None and len(X) != exactly:
        raise ValueError(f"{score} is defined for exactly {exactly} modalities; got {len(X)}. "
                         "Pass X as [X1, X2].")
    if len(X) < min_modalities:
        raise ValueError(f"{score} needs at least {min_modalities} modalities; got {len(X)}. "
                         "Pass X as a list with one array per modality.")
    out = []
    for i, x in enumerate(X):
        if hasattr(x, "detach"):  # torch tensor
            x = x.detach().cpu().numpy()
        x = np.asarray(x)
        if np.iscomplexobj(x):
            raise TypeError(f"modality {i} is complex ({x.dtype}); pass real arrays (e.g. real and imaginary parts).")
        if x.ndim < 1:
            raise ValueError(f"modality {i} is a scalar; each modality must be an array of shape (N, ...).")
        out.append(x)
    n = {x.shape[0] for x in out}
    if len(n) != 1:
        raise ValueError(f"all modalities must have the same number of samples; got {[x.shape[0] for x in out]}.")
    if out[0].shape[0] == 0:
        raise ValueError("X has no samples.")
    return out


def as_labels(y: Any, n: int, *, min_classes: int = 2, what: str = "y") -> np.ndarray:
    """Check ``y`` is (N,) class labels with at least ``min_classes`` distinct values; return a copy."""
    if hasattr(y, "detach"):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of class labels (N,); got shape {y.shape}.")
    if y.dtype == object and any(v is None for v in y.tolist()):
        raise ValueError(f"{what} holds None; give every sample a class label.")
    if np.iscomplexobj(y):
        raise TypeError(f"{what} must hold class labels, got complex values.")
    if y.shape[0] != n:
        raise ValueError(f"{what} has {y.shape[0]} labels but X has {n} samples; pass one label per sample.")
    if np.unique(y).size < min_classes:
        raise ValueError(f"{what} contains a single class ({np.unique(y).tolist()}); the score compares classes "
                         "and needs at least two. Use a test set with both classes.")
    return y.copy()


def check_class_indices(y: np.ndarray, n_outputs: int, *, what: str = "y") -> None:
    """Labels compared with argmax of (B, C) outputs must be integer class indices 0..C−1."""
    if not np.issubdtype(y.dtype, np.number) or not np.all(np.mod(y, 1) == 0):
        raise ValueError(f"{what} must hold integer class indices 0..C-1 (the model's output columns); "
                         f"got values like {y[:3].tolist()}. Encode the labels first.")
    if y.min() < 0 or y.max() >= n_outputs:
        raise ValueError(f"{what} has classes {int(y.min())}..{int(y.max())} but the model returns "
                         f"{n_outputs} output columns; labels must be column indices 0..{n_outputs - 1}.")


def _to_numpy_outputs(out: Any) -> np.ndarray:
    if isinstance(out, (list, tuple)) and len(out) == 1:
        out = out[0]
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    out = np.asarray(out, dtype=float)
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        p = out.reshape(-1)
        if np.all((p >= 0) & (p <= 1)):
            return np.stack([1.0 - p, p], axis=1)
        raise ValueError("the model returned one score per sample that is not a probability; return (B, C) "
                         "class probabilities or logits instead.")
    if out.ndim != 2:
        raise ValueError(f"the model must return (B, C) class outputs; got shape {out.shape}.")
    return out


def model_function(model: Any) -> Callable[[list[np.ndarray]], np.ndarray]:
    """Turn ``model`` into ``f(list of M (B, ...) arrays) -> (B, C)`` raw outputs as numpy float.

    Uses the engine's adapter (:func:`intershap_widget.explainers.adapters.as_model`): a callable on a list
    of M arrays, a ``torch.nn.Module`` (eval mode, no grad, its device and dtype), a
    scikit-learn classifier (``predict_proba`` on the concatenated modalities) or
    ``isw.concatenated(model)``. Outputs are what the model returns (logits or probabilities);
    a single probability column (B,) becomes two columns [1 − p, p].
    """
    adapter = as_model(model)

    def f(xs: list[np.ndarray]) -> np.ndarray:
        with adapter.session():
            # new arrays: a model that writes into its input never reaches the caller's memory
            raw = adapter([adapter.take(adapter.to_backend(x), np.arange(len(x))) for x in xs])
            return _to_numpy_outputs(adapter.to_numpy(raw))

    return f


def predict_batched(f: Callable[[list[np.ndarray]], np.ndarray], X: list[np.ndarray],
                    batch_size: int = 4096) -> np.ndarray:
    """Run ``f`` on ``X`` (M arrays of N rows) in batches; returns (N, C)."""
    n = X[0].shape[0]
    parts = [f([x[s:s + batch_size] for x in X]) for s in range(0, n, batch_size)]
    return np.concatenate(parts, axis=0)
