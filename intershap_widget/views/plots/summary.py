"""One figure that sums a result up: Φ heatmap, behaviour shares, local-score histogram."""

from __future__ import annotations

import textwrap
from typing import Any

from ...maths.result_text import pct_interval
from ...maths.uncertainty import check_interval_level

from ._common import check_result
from .bars import contribution_bars
from .distribution import local_distribution
from .heatmap import heatmap

__all__ = ["summary_figure"]


def _title(result: Any) -> str:
    """``InterSHAP global 45.5 % [44.1, 46.9] · local mean …`` (intervals over samples
    where the result has them) and, on a second line, why the global score is NaN."""
    iv = getattr(result, "intervals", None) or {}
    nan2 = (float("nan"), float("nan"))
    title = (f"InterSHAP global {pct_interval(result.intershap, iv.get('intershap', nan2))} · local mean "
             f"{pct_interval(result.intershap_local_mean, iv.get('intershap_local_mean', nan2))}"
             f"   (N = {result.n_samples}, M = {result.n_modalities}, target = {result.target!r}")
    title += f", {100 * check_interval_level(result.settings):g} % intervals)" if iv else ")"
    reason = getattr(result, "nan_reason", None)
    if reason:
        head = textwrap.shorten(reason.split(":")[0], 90, placeholder=" …")
        title += f"\nglobal score NaN: {head} (res.nan_reason says more)"
    return title


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
    fig.suptitle(_title(result), fontsize=12, fontweight="bold")
    return fig, axes
