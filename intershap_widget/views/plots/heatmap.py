"""Heatmap of the interaction matrix: the global Φ or one sample's signed φ."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.patches import Rectangle

from . import _style
from ._common import check_result, new_axes, sample_position

__all__ = ["heatmap"]


def heatmap(
    result: Any,
    sample: int | None = None,
    *,
    ax: Any = None,
    annotate: bool = True,
    shares: bool = True,
    colorbar: bool = True,
    title: str | None = None,
):
    """Draw the ``(M, M)`` interaction matrix as an annotated heatmap.

    Parameters
    ----------
    result : InteractionResult
    sample : int, optional
        Position (0..N-1) of one sample: draw its signed ``φ^a`` (``result.phi[sample]``,
        ``(M, M)``) with the diverging palette centred on 0. Without it, draw the global
        ``Φ = |mean φ|`` (``result.Phi``) with the sequential palette.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when omitted.
    annotate : bool
        Write each cell's value (and, with ``shares``, its share of behaviour: Φ_ij / ΣΦ
        globally, |φ_ij| / Σ|φ| for a sample).
    colorbar : bool
        Add a colour bar beside the axes.

    The diagonal cells (main effects, i.e. modality contributions) get a dark outline;
    off-diagonal cells are the pairwise interactions.

    Returns
    -------
    (fig, ax)
    """
    check_result(result)
    names = list(result.modality_names)
    m = len(names)
    if sample is None:
        mat = np.asarray(result.Phi, dtype=float)
        magn = mat
        cmap = _style.sequential_cmap()
        vmax = float(np.nanmax(mat)) if np.isfinite(mat).any() else 1.0
        vmin = 0.0
        default_title = f"Φ = |mean φ| over {result.n_samples} samples"
        label = "Φ"
    else:
        pos = sample_position(result, sample)
        mat = np.asarray(result.phi[pos], dtype=float)
        magn = np.abs(mat)
        cmap = _style.diverging_cmap()
        vmax = float(np.nanmax(magn)) if np.isfinite(magn).any() else 1.0
        vmin = -vmax
        default_title = f"φ of sample {pos} (index {int(result.sample_index[pos])})"
        label = "φ"
    if not vmax > 0:
        vmax = 1.0
        vmin = 0.0 if sample is None else -1.0

    fig, ax = new_axes(ax, (1.3 * m + 2.6, 1.15 * m + 1.4))
    im = ax.imshow(mat, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", aspect="equal")
    ax.set_xticks(range(m), labels=names)
    ax.set_yticks(range(m), labels=names)
    ax.tick_params(length=0)
    if max(len(n) for n in names) * m > 36:
        ax.tick_params(axis="x", labelrotation=30)
        for lab in ax.get_xticklabels():
            lab.set_ha("right")
    ax.xaxis.tick_top()
    for spine in ax.spines.values():
        spine.set_visible(False)
    # thin white grid between cells
    ax.set_xticks(np.arange(-0.5, m, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, m, 1.0), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for i in range(m):
        ax.add_patch(
            Rectangle(
                (i - 0.5 + 0.04, i - 0.5 + 0.04), 0.92, 0.92,
                fill=False, edgecolor=_style.DIAGONAL_EDGE, linewidth=2.0, linestyle="-",
                gid=f"diagonal-{i}",
            )
        )

    if annotate:
        total = float(np.nansum(magn))
        scale = float(np.nanmax(magn)) if np.isfinite(magn).any() else 0.0
        fontsize = 10 if m <= 4 else (8 if m <= 6 else 6)
        for i in range(m):
            for j in range(m):
                val = mat[i, j]
                text = _style.format_value(val, scale)
                if shares and total > 0 and np.isfinite(val):
                    text += f"\n{100 * abs(val) / total:.0f} %"
                colour = _style.text_colour_for(im.cmap(im.norm(val))) if np.isfinite(val) else "#555555"
                ax.text(
                    j, i, text, ha="center", va="center", color=colour, fontsize=fontsize,
                    fontweight="bold" if i == j else "normal", gid=f"cell-{i}-{j}",
                )
    if colorbar and np.isfinite(mat).any():
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03, shrink=0.9)
        cb.ax.set_title(label, fontsize=10)
        cb.outline.set_visible(False)
    ax.set_title(default_title if title is None else title, fontsize=11, pad=8)
    ax.set_xlim(-0.5, m - 0.5)
    ax.set_ylim(m - 0.5, -0.5)
    return fig, ax
