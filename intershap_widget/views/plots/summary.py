"""One figure that sums a result up: Φ heatmap, behaviour shares, local-score histogram."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import check_result
from .bars import contribution_bars
from .distribution import local_distribution
from .heatmap import heatmap

__all__ = ["summary_figure"]


def _pct(x: float) -> str:
    return "nan" if not np.isfinite(x) else f"{100 * x:.1f} %"


def summary_figure(result: Any, *, fig: Any = None):
    """Heatmap of Φ, the contribution/interaction bars and the local-score histogram.

    Parameters
    ----------
    result : InteractionResult
    fig : matplotlib Figure, optional
        Figure to draw into (cleared first). When omitted a pyplot figure is made; pass
        ``matplotlib.figure.Figure()`` to stay clear of pyplot's global state.

    Returns
    -------
    (fig, axes) with ``axes`` = [heatmap axes, bars axes, histogram axes].
    """
    check_result(result)
    m = result.n_modalities
    n_bars = m + m * (m - 1) // 2
    height = max(3.9, 0.3 * n_bars + 1.6, 0.95 * m + 1.9)
    size = (max(13.5, 1.0 * m + 11.0), height)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout="constrained")
    else:
        fig.clear()
        fig.set_size_inches(*size)
        fig.set_layout_engine("constrained")
    gs = fig.add_gridspec(1, 3, width_ratios=[1.1, 1.0, 1.0])
    axes = [fig.add_subplot(gs[0, k]) for k in range(3)]
    heatmap(result, ax=axes[0])
    contribution_bars(result, ax=axes[1], title="Share of behaviour")
    local_distribution(result, ax=axes[2])
    target = result.target
    fig.suptitle(
        f"InterSHAP global {_pct(result.intershap)} · local mean {_pct(result.intershap_local_mean)}"
        f"   (N = {result.n_samples}, M = {m}, target = {target!r})",
        fontsize=12, fontweight="bold",
    )
    return fig, axes
