"""Input checks and axes handling shared by the plot functions."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_result(result: Any) -> None:
    """Raise a clear TypeError unless ``result`` looks like an InteractionResult."""
    needed = ("phi", "Phi", "modality_names", "base_value", "prediction", "intershap_local")
    missing = [name for name in needed if not hasattr(result, name)]
    if missing:
        raise TypeError(
            "expected an InteractionResult (from intershap_widget.explain), got "
            f"{type(result).__name__} without {', '.join(missing)}"
        )


def sample_position(result: Any, sample: int) -> int:
    """Position of ``sample`` (0..N-1, negatives count from the end) in ``result``."""
    n = result.n_samples
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)):
        raise TypeError(f"sample must be an int position 0..{n - 1}, got {sample!r}")
    if n == 0:
        raise ValueError("the result holds no samples")
    s = int(sample)
    if not -n <= s < n:
        raise IndexError(f"sample {s} out of range: the result has {n} samples (0..{n - 1})")
    return s % n


def new_axes(ax: Any, figsize: tuple[float, float]):
    """``(fig, ax)``: the given axes and its figure, or a new pyplot figure."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def pair_indices(m: int) -> list[tuple[int, int]]:
    """Pairs (i, j) with i < j in row-major order."""
    return [(i, j) for i in range(m) for j in range(i + 1, m)]
