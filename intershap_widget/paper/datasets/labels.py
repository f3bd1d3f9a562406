"""The HD-XOR label rules and the paper's XOR oracle (Algorithm 2) on per-modality bit views."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["LABELS", "label_bits", "xor_oracle"]

LABELS = ("onehot", "parity")


def label_bits(bits: np.ndarray, label: str = "onehot") -> np.ndarray:
    """HD-XOR class of ``(..., L)`` clear bits: ``"onehot"`` = exactly one bit is 1,
    ``"parity"`` = odd number of ones (both are XOR for two bits). Returns ``(...)`` int64."""
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}, got {label!r}")
    total = np.rint(np.asarray(bits)).astype(np.int64).sum(axis=-1)
    return (total == 1).astype(np.int64) if label == "onehot" else total % 2



def xor_oracle(views: Sequence[np.ndarray], label: str = "onehot") -> np.ndarray:
    """The paper's XOR baseline (Algorithm 2) on per-modality bit views.

    ``views``: M arrays ``(B, L)`` from :meth:`MultimodalDataset.bits_view` (or rows of
    them, possibly mixed across samples by a masker). The clear bits are the sum of the
    views; the class follows ``label`` (:func:`label_bits`: ``"onehot"`` = exactly one
    bit is set, ``"parity"`` = odd number of bits set). Use
    :meth:`MultimodalDataset.oracle` to get the rule of a dataset. Returns ``(B, 2)``
    float32 one-hot class probabilities.
    """
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}, got {label!r}")
    arrs = [np.asarray(v.detach().cpu() if hasattr(v, "detach") else v, dtype=np.float32) for v in views]
    if not arrs:
        raise ValueError("xor_oracle needs at least one modality view")
    shapes = {a.shape for a in arrs}
    if len(shapes) != 1 or arrs[0].ndim != 2:
        raise ValueError(f"bit views must be M arrays of one shape (B, L), got {[a.shape for a in arrs]}")
    cls = label_bits(np.sum(arrs, axis=0), label)
    out = np.zeros((cls.shape[0], 2), dtype=np.float32)
    out[np.arange(cls.shape[0]), cls] = 1.0
    return out
