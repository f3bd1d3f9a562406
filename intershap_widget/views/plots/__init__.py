"""Static matplotlib pictures of an :class:`~intershap_widget.InteractionResult`.

Every plot function returns ``(fig, ax)`` and takes an optional ``ax`` so plots can be
composed. Colours (shared with the widget) live in :mod:`intershap_widget.views.plots._style`.
"""

from ._style import PALETTE
from .bars import behaviour_shares, contribution_bars
from .distribution import local_distribution
from .features import feature_bars, feature_plot, patch_overlay, token_highlight
from .heatmap import heatmap
from .static import static_mimebundle, summary_png
from .summary import summary_figure
from .waterfall import waterfall, waterfall_steps

__all__ = [
    "PALETTE",
    "behaviour_shares",
    "contribution_bars",
    "feature_bars",
    "feature_plot",
    "heatmap",
    "local_distribution",
    "patch_overlay",
    "static_mimebundle",
    "summary_figure",
    "summary_png",
    "token_highlight",
    "waterfall",
    "waterfall_steps",
]
