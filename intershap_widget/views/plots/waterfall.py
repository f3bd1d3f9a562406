"""Waterfall of one sample: base value → main effects → pair interactions → prediction."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _style
from ._common import check_result, new_axes, pair_indices, sample_position

__all__ = ["waterfall", "waterfall_steps"]


def waterfall_steps(result: Any, sample: int, max_terms: int | None = 12) -> tuple[list[str], np.ndarray]:
    """Labels and signed steps ``(K,)`` that lead from v(∅) to v(N) for one sample.

    The steps are the main effects φ_ii followed by the pair terms 2·φ_ij (i < j); by
    efficiency ``base_value + sum(steps) == prediction``. With more than ``max_terms``
    terms, the largest in magnitude are kept (in their order) and the rest are merged
    into one "other" step, so the sum is unchanged.
    """
    check_result(result)
    pos = sample_position(result, sample)
    names = list(result.modality_names)
    phi = np.asarray(result.phi[pos], dtype=float)
    m = len(names)
    pairs = pair_indices(m)
    labels = [f"{n} (main)" for n in names] + [_style.pair_label(names, i, j) for i, j in pairs]
    steps = np.concatenate([np.diag(phi), [2.0 * phi[i, j] for i, j in pairs]])
    if max_terms is not None and steps.size > max_terms:
        if max_terms < 2:
            raise ValueError(f"max_terms must be at least 2 (or None), got {max_terms}")
        keep = np.sort(np.argsort(-np.abs(steps), kind="stable")[: max_terms - 1])
        rest = np.setdiff1d(np.arange(steps.size), keep)
        labels = [labels[k] for k in keep] + [f"{rest.size} other terms"]
        steps = np.concatenate([steps[keep], [steps[rest].sum()]])
    return labels, steps


def waterfall(
    result: Any,
    sample: int,
    *,
    ax: Any = None,
    max_terms: int | None = 12,
    annotate: bool = True,
    title: str | None = None,
):
    """Waterfall breakdown of one sample's output, read from top to bottom.

    The first bar spans 0 → base value v(∅), then one floating bar per main effect and
    per pair interaction (red raises, blue lowers the output), and the last bar spans
    0 → prediction v(N). Uses :func:`waterfall_steps`.

    Returns ``(fig, ax)``; ``ax.patches`` are the bars in drawing order.
    """
    pos = sample_position(result, sample)
    labels, steps = waterfall_steps(result, pos, max_terms)
    base = float(result.base_value[pos])
    pred = float(result.prediction[pos])
    n_rows = len(steps) + 2
    fig, ax = new_axes(ax, (6.4, 0.36 * n_rows + 1.4))

    ends = base + np.cumsum(steps)
    starts = np.concatenate([[base], ends[:-1]])
    y = np.arange(n_rows)
    ax.barh(0, base, color=_style.NEUTRAL, height=0.65)
    colours = [_style.POSITIVE if s >= 0 else _style.NEGATIVE for s in steps]
    ax.barh(y[1:-1], steps, left=starts, color=colours, height=0.65)
    ax.barh(n_rows - 1, pred, color=_style.NEUTRAL, height=0.65)
    # connectors between consecutive bars
    xs = np.concatenate([[base], ends])
    for k, x in enumerate(xs):
        ax.plot([x, x], [k + 0.33, k + 0.67], color="#888888", linewidth=0.8)

    all_x = np.concatenate([[0.0, base, pred], starts, ends])
    lo, hi = float(np.min(all_x)), float(np.max(all_x))
    span = hi - lo if hi > lo else 1.0
    ax.set_xlim(lo - 0.04 * span, hi + 0.2 * span)
    if annotate:
        def put(x_end: float, row: int, text: str) -> None:
            ax.text(x_end + 0.012 * span, row, text, va="center", ha="left", fontsize=9)

        put(max(base, 0.0), 0, f"{base:.4g}")
        for k, s in enumerate(steps):
            put(max(starts[k], ends[k]), k + 1, _style.format_step(s, span))
        put(max(pred, 0.0), n_rows - 1, f"{pred:.4g}")

    ax.set_yticks(y, labels=["base value v(∅)"] + labels + ["prediction v(N)"])
    ax.invert_yaxis()
    ax.axvline(0, color="#bbbbbb", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel("model output")
    if title is None:
        title = f"Sample {pos} (index {int(result.sample_index[pos])}): {base:.3g} → {pred:.3g}"
    ax.set_title(title, fontsize=11)
    return fig, ax
