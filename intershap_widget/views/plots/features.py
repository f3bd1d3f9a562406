"""Static pictures of a :class:`~intershap_widget.FeatureResult`: which features of a
modality carry its effect or its interaction with another modality, for one sample.

* :func:`feature_bars`: columns (any features) as bars sorted by size, standard errors
  as whiskers when sampled;
* :func:`patch_overlay`: an image with each patch coloured by its part;
* :func:`token_highlight`: text as tokens highlighted by their part;
* :func:`feature_plot`: the one of the three that fits the result's features.

Colours are the diverging map of the explorer (blue negative, red positive) with limits
±max|part| so white is 0; every plot has a key (a colour bar or the axis) with units.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._common import new_axes
from ._style import NEGATIVE, POSITIVE, diverging_cmap

__all__ = ["feature_values", "feature_bars", "patch_overlay", "token_highlight", "feature_plot"]


def _check(fr: Any, sample: int) -> int:
    if not hasattr(fr, "interaction") or not hasattr(fr, "feature_names"):
        raise TypeError(f"expected a FeatureResult (from isw.explain_features), got {type(fr).__name__}")
    n = fr.effect.shape[0]
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not -n <= int(sample) < n:
        raise IndexError(f"sample must be a position 0..{n - 1} of the result, got {sample!r}")
    return int(sample) % n


def feature_values(fr: Any, sample: int = 0, part: int | str | None = None) -> tuple[np.ndarray, np.ndarray | None, str]:
    """One sample's parts ``(G,)``, their standard errors ``(G,)`` or None, and the label
    with units. ``part``: None (the effect, part of φ_i), another modality j (part of
    φ_ij, by name or index) or modality i itself (the main-effect part φ_ii)."""
    a = _check(fr, sample)
    names, i = fr.modality_names, fr.modality
    if part is None:
        values, se, what = fr.effect[a], None if fr.effect_se is None else fr.effect_se[a], f"φ({names[i]})"
    else:
        if isinstance(part, str) and part not in names:
            raise ValueError(f"part={part!r} is not one of the modalities {names}")
        j = names.index(part) if isinstance(part, str) else int(part)
        if not 0 <= j < len(names):
            raise ValueError(f"part={part} is out of range for {len(names)} modalities")
        values = fr.interaction[a, j]
        se = None if fr.interaction_se is None else fr.interaction_se[a, j]
        what = f"φ({names[i]}, {names[i]}) main effect" if j == i else f"φ({names[i]}, {names[j]})"
    output = fr.result.settings.get("output", "")
    unit = "probability" if output in ("logits", "probability") else "model output"
    return np.asarray(values, dtype=float), se, f"part of {what} [{unit}]"


def _limit(values: np.ndarray) -> float:
    lim = float(np.max(np.abs(values), initial=0.0))
    return lim if lim > 0 else 1.0


def _key(fig: Any, ax: Any, lim: float, label: str, orientation: str = "vertical") -> Any:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mappable = ScalarMappable(norm=Normalize(-lim, lim), cmap=diverging_cmap())
    return fig.colorbar(mappable, ax=ax, label=label, shrink=0.85, orientation=orientation,
                        **({"fraction": 0.25, "aspect": 40} if orientation == "horizontal" else {}))


def feature_bars(fr: Any, sample: int = 0, part: int | str | None = None, *, top: int = 15, ax: Any = None):
    """Horizontal bars of one sample's parts, the ``top`` largest |part| first; red
    raises the output, blue lowers it; whiskers ±1 standard error when sampled.
    Returns ``(fig, ax)``."""
    values, se, label = feature_values(fr, sample, part)
    order = np.argsort(-np.abs(values), kind="stable")[:max(1, int(top))]
    fig, ax = new_axes(ax, (6.0, 0.35 * len(order) + 1.4))
    y = np.arange(len(order))[::-1]
    colours = [POSITIVE if v > 0 else NEGATIVE for v in values[order]]
    ax.barh(y, values[order], color=colours, xerr=None if se is None else se[order], capsize=2)
    ax.set_yticks(y, [fr.feature_names[k] for k in order])
    ax.axvline(0, color="#616161", linewidth=0.8)
    ax.set_xlabel(label)
    hidden = len(values) - len(order)
    ax.set_title(f"{fr.modality_name}, sample {int(fr.samples[sample % len(fr.samples)])}"
                 + (f" ({hidden} smaller features not shown)" if hidden > 0 else ""))
    return fig, ax


def _as_rgb(image: Any) -> np.ndarray:
    img = np.asarray(image, dtype=float)
    if img.ndim == 3 and img.shape[0] in (1, 3, 4) and img.shape[-1] not in (1, 3, 4):
        img = np.moveaxis(img, 0, -1)  # (C, H, W) → (H, W, C)
    img = img[..., :3] if img.ndim == 3 else img
    lo, hi = np.nanmin(img), np.nanmax(img)
    img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return img.mean(axis=-1) if img.ndim == 3 and img.shape[-1] == 1 else img


def patch_overlay(fr: Any, image: Any, sample: int = 0, part: int | str | None = None, *, alpha: float = 0.6,
                  ax: Any = None):
    """The sample's image (``(C, H, W)`` or ``(H, W[, C])``, shown in grey) under its
    patches coloured by their parts, with a colour key. Returns ``(fig, ax)``."""
    values, _, label = feature_values(fr, sample, part)
    if fr.labels is None or np.ndim(fr.labels) < 2:
        raise ValueError("patch_overlay needs a result over image patches (explain_features(patch=...))")
    grid = np.asarray(fr.labels)
    grid = grid.reshape(grid.shape[-2:]) if grid.ndim > 2 else grid
    rgb = _as_rgb(image)
    if rgb.shape[:2] != grid.shape:
        raise ValueError(f"the image is {rgb.shape[:2]} pixels but the patches cover {grid.shape}")
    fig, ax = new_axes(ax, (5.0, 4.2))
    grey = rgb.mean(axis=-1) if rgb.ndim == 3 else rgb
    ax.imshow(grey, cmap="gray", interpolation="nearest")
    lim = _limit(values)
    ax.imshow(values[grid], cmap=diverging_cmap(), vmin=-lim, vmax=lim, alpha=alpha, interpolation="nearest")
    if fr.grid is not None:
        h, w = grid.shape
        for r in range(1, fr.grid[0]):
            ax.axhline(r * h / fr.grid[0] - 0.5, color="#424242", linewidth=0.5)
        for c in range(1, fr.grid[1]):
            ax.axvline(c * w / fr.grid[1] - 0.5, color="#424242", linewidth=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{fr.modality_name}, sample {int(fr.samples[sample % len(fr.samples)])}")
    _key(fig, ax, lim, label)
    return fig, ax


def token_highlight(fr: Any, tokens: Sequence[str], sample: int = 0, part: int | str | None = None, *,
                    per_line: int = 8, ax: Any = None):
    """The sample's tokens (one str per feature, in order) on backgrounds coloured by
    their parts, with a colour key. Returns ``(fig, ax)``."""
    values, _, label = feature_values(fr, sample, part)
    if len(tokens) != len(values):
        raise ValueError(f"tokens has {len(tokens)} entries for {len(values)} features; give one str per feature")
    lines = -(-len(tokens) // per_line)
    fig, ax = new_axes(ax, (7.0, 0.5 * lines + 1.8))
    lim = _limit(values)
    cmap = diverging_cmap()
    from ._style import text_colour_for

    for k, (tok, v) in enumerate(zip(tokens, values)):
        colour = cmap(0.5 + 0.5 * v / lim)
        ax.text((k % per_line + 0.5) / per_line, 1 - (k // per_line + 0.5) / lines, str(tok), ha="center",
                va="center", fontsize=11, color=text_colour_for(colour),
                bbox={"boxstyle": "round,pad=0.3", "facecolor": colour, "edgecolor": "#9e9e9e"})
    ax.set_axis_off()
    ax.set_title(f"{fr.modality_name}, sample {int(fr.samples[sample % len(fr.samples)])}")
    _key(fig, ax, lim, label, "horizontal")
    return fig, ax


def feature_plot(fr: Any, sample: int = 0, part: int | str | None = None, *, image: Any = None,
                 tokens: Sequence[str] | None = None, ax: Any = None):
    """The picture that fits: a patch overlay (with ``image``), highlighted tokens (with
    ``tokens``), else sorted bars. Returns ``(fig, ax)``."""
    if image is not None and fr.kind == "patches":
        return patch_overlay(fr, image, sample, part, ax=ax)
    if tokens is not None:
        return token_highlight(fr, tokens, sample, part, ax=ax)
    return feature_bars(fr, sample, part, ax=ax)
