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
