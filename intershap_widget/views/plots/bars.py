"""Bar chart of how the behaviour splits into modality contributions and interactions."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import _style
from ._common import check_result, new_axes, pair_indices, sample_position

__all__ = ["contribution_bars", "behaviour_shares"]


def behaviour_shares(result: Any, sample: int | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Labels, shares ``(M + M(M-1)/2,)`` and an is-interaction mask of the same shape.

    Globally the shares are Φ_ii / ΣΦ (= ``result.modality_contributions``) followed by
    (Φ_ij + Φ_ji) / ΣΦ for each pair i < j; they sum to 1 and the pair shares sum to
    the global InterSHAP. For one sample, |φ_ii| / Σ|φ| and 2|φ_ij| / Σ|φ|: the pair
    shares sum to its local InterSHAP.
    """
    check_result(result)
    names = list(result.modality_names)
    m = len(names)
    if sample is None:
        mat = np.asarray(result.Phi, dtype=float)
    else:
        mat = np.abs(np.asarray(result.phi[sample_position(result, sample)], dtype=float))
    total = float(np.sum(mat))
    pairs = pair_indices(m)
    raw = np.concatenate([np.diag(mat), [mat[i, j] + mat[j, i] for i, j in pairs]])
    shares = raw / total if np.isfinite(total) and total > 0 else np.full(raw.shape, np.nan)
    labels = names + [_style.pair_label(names, i, j) for i, j in pairs]
    is_pair = np.arange(raw.size) >= m
    return labels, shares, is_pair


def contribution_bars(
    result: Any,
    sample: int | None = None,
    *,
    ax: Any = None,
    annotate: bool = True,
    title: str | None = None,
):
    """Horizontal bars: each modality's contribution and each pair's interaction share.

    Parameters
    ----------
    result : InteractionResult
    sample : int, optional
        Position of one sample: its local shares |φ_ij| / Σ|φ| instead of the global
        ones. See :func:`behaviour_shares` for the exact definitions.
    ax : matplotlib Axes, optional
    annotate : bool
        Write the percentage at the end of each bar.

    Modality bars and interaction bars differ in colour; interaction bars are also
    hatched. Returns ``(fig, ax)``; bar ``k`` (``ax.patches[k]``) has width = share k.
    """
    labels, shares, is_pair = behaviour_shares(result, sample)
    m = result.n_modalities
    n_bars = len(labels)
    fig, ax = new_axes(ax, (5.6, 0.38 * n_bars + 1.3))
    colours = [_style.INTERACTION_COLOUR if p else _style.MAIN_COLOUR for p in is_pair]
    y = np.arange(n_bars)
    widths = np.nan_to_num(shares, nan=0.0)
    bars = ax.barh(y, widths, color=colours, height=0.7, edgecolor="white")
    for bar, p in zip(bars, is_pair):
        if p:
            bar.set_hatch("///")
            bar.set_edgecolor("white")
            bar.set_alpha(0.85)
    ax.set_yticks(y, labels=labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:.3g} %"))
    top = float(np.nanmax(shares)) if np.isfinite(shares).any() else 1.0
    ax.set_xlim(0, max(top * 1.22, 0.05))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    if m < n_bars:
        ax.axhline(m - 0.5, color="#999999", linewidth=0.8, linestyle=":")
    if annotate and np.isfinite(shares).any():
        for k, s in enumerate(shares):
            txt = "–" if not np.isfinite(s) else f"{100 * s:.1f} %"
            ax.text(widths[k] + 0.01 * ax.get_xlim()[1], k, txt, va="center", ha="left", fontsize=9)
    if not np.isfinite(shares).any():
        ax.text(0.5, 0.5, "no behaviour to share out", transform=ax.transAxes, ha="center",
                va="center", color="#555555")
    inter = float(np.nansum(shares[is_pair])) if np.isfinite(shares).any() else float("nan")
    if title is None:
        where = "global" if sample is None else f"sample {sample_position(result, sample)}"
        title = f"Share of behaviour ({where}): interactions {100 * inter:.1f} %"
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("share of behaviour")
    return fig, ax
