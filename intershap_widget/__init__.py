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
