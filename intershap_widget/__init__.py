"""intershap-widget: exact InterSHAP (modality-level Shapley interactions) and a
linked Jupyter explorer. Conventions: :mod:`intershap_widget.games`."""

from .explainer import explain
from .games import MAX_EXACT_MODALITIES, interaction_matrices, shapley_values
from .maskers import BackgroundMasker, BaselineMasker, CallableMasker, RandomMasker
from .models import concatenated
from .result import InteractionResult, load_result

__version__ = "0.1.0"

__all__ = [
    "BackgroundMasker",
    "BaselineMasker",
    "CallableMasker",
    "InteractionResult",
    "MAX_EXACT_MODALITIES",
    "RandomMasker",
    "concatenated",
    "explain",
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
