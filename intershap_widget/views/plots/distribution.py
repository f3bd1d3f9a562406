"""Histogram of the per-sample (local) InterSHAP scores."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import PercentFormatter

from . import _style
from ._common import check_result, new_axes

__all__ = ["local_distribution"]


def local_distribution(
    result: Any,
    *,
    ax: Any = None,
    bins: int = 20,
    title: str | None = None,
):
    """Histogram of ``result.intershap_local`` ``(N,)`` on [0, 1] with two reference lines.

    A solid line marks the global InterSHAP (``result.intershap``, Eq. 8) and a dashed
    line the mean of the local scores (``result.intershap_local_mean``). Samples with a
    NaN score (all-zero φ) are left out and counted in the title.

    Returns ``(fig, ax)``; ``ax.patches`` are the ``bins`` histogram bars.
    """
    check_result(result)
    if int(bins) < 1:
        raise ValueError(f"bins must be a positive int, got {bins}")
    scores = np.asarray(result.intershap_local, dtype=float)
    finite = scores[np.isfinite(scores)]
    fig, ax = new_axes(ax, (5.6, 3.4))
    edges = np.linspace(0.0, 1.0, int(bins) + 1)
    counts, _ = np.histogram(np.clip(finite, 0.0, 1.0), bins=edges)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=_style.HISTOGRAM, alpha=0.75,
           edgecolor="white", linewidth=0.8)
    g = float(result.intershap)
    loc = float(result.intershap_local_mean)
    if np.isfinite(g):
        ax.axvline(g, color=_style.GLOBAL_LINE, linewidth=2, label=f"global {100 * g:.1f} %")
    if np.isfinite(loc):
        ax.axvline(loc, color=_style.LOCAL_LINE, linewidth=2, linestyle="--",
                   label=f"mean local {100 * loc:.1f} %")
    if finite.size == 0:
        ax.text(0.5, 0.5, "no samples with a local score", transform=ax.transAxes, ha="center",
                va="center", color="#555555")
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("local InterSHAP (share of |φ| in interactions)")
    ax.set_ylabel("samples")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=9, loc="best", framealpha=0.9, edgecolor="none")
    ax.set_ylim(0, max(1, counts.max(initial=0)) * 1.18)
    if title is None:
        dropped = scores.size - finite.size
        title = f"Local InterSHAP of {finite.size} samples"
        if dropped:
            title += f" ({dropped} without behaviour left out)"
    ax.set_title(title, fontsize=11)
    return fig, ax
