"""Colours and small drawing helpers shared by every static plot.

The hex values below are the single source of the static palette and match the
explorer's front end (``js/scales.js`` and the light theme in ``js/index.js``), so a
static picture and the widget look alike. Colour maps interpolate linearly in RGB
between the stops, as the widget does.

* ``DIVERGING``: signed values (one sample's φ), blue (negative) → near-white (0) →
  red (positive); always used with symmetric limits ±max|φ|, so 0 is the middle stop.
* ``SEQUENTIAL``: non-negative magnitudes (the global Φ = |mean φ|), near-white → red.
* ``MAIN_COLOUR`` / ``INTERACTION_COLOUR``: bars of modality contributions / of pair
  interactions (the latter also hatched).
* ``POSITIVE`` / ``NEGATIVE`` / ``NEUTRAL``: waterfall steps up / down, base and prediction.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb

__all__ = [
    "DIVERGING",
    "SEQUENTIAL",
    "MAIN_COLOUR",
    "INTERACTION_COLOUR",
    "POSITIVE",
    "NEGATIVE",
    "NEUTRAL",
    "DIAGONAL_EDGE",
    "HISTOGRAM",
    "GLOBAL_LINE",
    "LOCAL_LINE",
    "PALETTE",
    "diverging_cmap",
    "sequential_cmap",
    "text_colour_for",
    "pair_label",
]

#: Diverging stops for signed values: most negative, 0, most positive.
DIVERGING: tuple[str, ...] = ("#2166ac", "#f7f7f7", "#b2182b")
#: Sequential stops for magnitudes |Φ|: 0, maximum.
SEQUENTIAL: tuple[str, ...] = ("#f7f7f7", "#b2182b")
#: Bars of the modality contributions (the widget's "set" colour).
MAIN_COLOUR = "#1976d2"
#: Bars of pairwise interactions (hatched).
INTERACTION_COLOUR = "#7b1fa2"
#: Waterfall steps that raise / lower the output, and the base/prediction bars.
POSITIVE = "#c62828"
NEGATIVE = "#1565c0"
NEUTRAL = "#616161"
#: Outline that marks the diagonal (main-effect) cells of a heatmap.
DIAGONAL_EDGE = "#212121"
#: Local-score histogram bars and its reference lines (global solid, mean local dashed).
HISTOGRAM = "#1976d2"
GLOBAL_LINE = "#c62828"
LOCAL_LINE = "#212121"

#: Everything above in one JSON-friendly dict.
PALETTE: dict[str, object] = {
    "diverging": list(DIVERGING),
    "sequential": list(SEQUENTIAL),
    "main": MAIN_COLOUR,
    "interaction": INTERACTION_COLOUR,
    "positive": POSITIVE,
    "negative": NEGATIVE,
    "neutral": NEUTRAL,
    "diagonal_edge": DIAGONAL_EDGE,
    "histogram": HISTOGRAM,
    "global_line": GLOBAL_LINE,
    "local_line": LOCAL_LINE,
}


@lru_cache(maxsize=None)
def diverging_cmap() -> LinearSegmentedColormap:
    """Blue-white-red colour map built from :data:`DIVERGING` (use with ±vmax limits)."""
    return LinearSegmentedColormap.from_list("intershap_diverging", list(DIVERGING))


@lru_cache(maxsize=None)
def sequential_cmap() -> LinearSegmentedColormap:
    """White-purple colour map built from :data:`SEQUENTIAL` (use with 0..vmax limits)."""
    return LinearSegmentedColormap.from_list("intershap_sequential", list(SEQUENTIAL))


def text_colour_for(rgba) -> str:
    """Black or white, whichever reads better on a cell of colour ``rgba``."""
    r, g, b = to_rgb(rgba)
    # relative luminance (sRGB, WCAG formula)
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if lum > 0.35 else "#ffffff"


def pair_label(names: list[str], i: int, j: int) -> str:
    """Label of the interaction between modalities ``i`` and ``j``."""
    return f"{names[i]} × {names[j]}"


def format_step(x: float, scale: float) -> str:
    """Signed text for a waterfall step; noise below 1e-9 of ``scale`` prints as 0."""
    if abs(x) <= 1e-9 * scale:
        return "0"
    return f"{x:+.3g}"


def format_value(x: float, scale: float) -> str:
    """Compact text for an annotated value; ``scale`` is the largest magnitude shown."""
    if not np.isfinite(x):
        return "–"
    if abs(x) <= 1e-9 * scale:  # floating-point noise of an exact zero
        x = 0.0
    if scale == 0 or (1e-3 <= scale < 1e4):
        digits = 3 if scale < 1 else (2 if scale < 100 else 0)
        return f"{x:.{digits}f}"
    return f"{x:.2g}"
