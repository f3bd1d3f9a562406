"""Colours and small drawing helpers shared by every static plot.

The hex stops below are the single source of the palette; the widget's JS colour
module uses the same values so the static pictures and the explorer look alike.

* ``DIVERGING``: signed values (one sample's φ, waterfall steps), blue (negative) →
  white (0) → red (positive); always centred on 0 with symmetric limits.
* ``SEQUENTIAL``: non-negative magnitudes (the global Φ = |mean φ|), white → purple.
* ``MODALITY_COLOURS``: one categorical colour per modality (Okabe–Ito, colour-blind
  safe); ``INTERACTION_COLOUR`` for pair interactions in bar charts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb

__all__ = [
    "DIVERGING",
    "SEQUENTIAL",
    "MODALITY_COLOURS",
    "INTERACTION_COLOUR",
    "POSITIVE",
    "NEGATIVE",
    "NEUTRAL",
    "DIAGONAL_EDGE",
    "GLOBAL_LINE",
    "LOCAL_LINE",
    "PALETTE",
    "diverging_cmap",
    "sequential_cmap",
    "modality_colour",
    "text_colour_for",
    "pair_label",
]

#: Diverging stops for signed values, from most negative to most positive; centre = 0.
DIVERGING: tuple[str, ...] = (
    "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
    "#fddbc7", "#f4a582", "#d6604d", "#b2182b",
)
#: Sequential stops for magnitudes |Φ|, from 0 to the maximum.
SEQUENTIAL: tuple[str, ...] = ("#fcfbfd", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
#: Categorical modality colours (Okabe–Ito order), cycled when M > 8.
MODALITY_COLOURS: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
)
#: Bars of pairwise interactions.
INTERACTION_COLOUR = "#7b3294"
#: Waterfall steps that raise / lower the output (the diverging palette's ends).
POSITIVE = "#d6604d"
NEGATIVE = "#4393c3"
#: Base value and prediction bars of the waterfall.
NEUTRAL = "#636363"
#: Outline that marks the diagonal (main-effect) cells of a heatmap.
DIAGONAL_EDGE = "#252525"
#: Reference lines of the local-score histogram.
GLOBAL_LINE = "#b2182b"
LOCAL_LINE = "#2166ac"

#: Everything above in one JSON-friendly dict (what the JS colour module mirrors).
PALETTE: dict[str, object] = {
    "diverging": list(DIVERGING),
    "sequential": list(SEQUENTIAL),
    "modalities": list(MODALITY_COLOURS),
    "interaction": INTERACTION_COLOUR,
    "positive": POSITIVE,
    "negative": NEGATIVE,
    "neutral": NEUTRAL,
    "diagonal_edge": DIAGONAL_EDGE,
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


def modality_colour(i: int) -> str:
    """Categorical colour of modality ``i`` (cycled)."""
    return MODALITY_COLOURS[i % len(MODALITY_COLOURS)]


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
