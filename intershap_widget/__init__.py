"""intershap-widget: exact InterSHAP (modality-level Shapley interactions) and a
linked Jupyter explorer. Conventions: :mod:`intershap_widget.games`."""

from .baselines import compare_scores
from .explainer import explain
from .factorised import Factorised, explain_factorised
from .games import MAX_EXACT_MODALITIES, interaction_matrices, shapley_values
from .maskers import BackgroundMasker, BaselineMasker, CallableMasker, RandomMasker
from .models import concatenated
from .interactions import order_shares
from .result import InteractionResult, load_result
from .sampling import SampledResult, sample_explain, sample_interactions

__version__ = "0.1.0"

__all__ = [
    "BackgroundMasker",
    "BaselineMasker",
    "CallableMasker",
    "Factorised",
    "InteractionResult",
    "MAX_EXACT_MODALITIES",
    "RandomMasker",
    "SampledResult",
    "compare_scores",
    "concatenated",
    "explain",
    "explain_factorised",
    "interaction_matrices",
    "load_result",
    "order_shares",
    "sample_explain",
    "sample_interactions",
    "shapley_values",
]
