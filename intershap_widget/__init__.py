"""intershap-widget: exact InterSHAP (modality-level Shapley interactions) and a
linked Jupyter explorer. Conventions: :mod:`intershap_widget.games`."""

from .games import MAX_EXACT_MODALITIES, interaction_matrices, shapley_values
from .result import InteractionResult, load_result

__version__ = "0.1.0"

__all__ = [
    "InteractionResult",
    "MAX_EXACT_MODALITIES",
    "interaction_matrices",
    "load_result",
    "shapley_values",
]


def __getattr__(name: str):
    # The explorer imports anywidget/ipywidgets: load it only when asked for.
    if name in ("InterSHAPWidget", "result_mimebundle"):
        from . import widget

        return getattr(widget, name)
    raise AttributeError(f"module 'intershap_widget' has no attribute {name!r}")
