"""intershap-widget: exact InterSHAP (modality-level Shapley interactions) and a
linked Jupyter explorer. Conventions: :mod:`intershap_widget.maths.games`.

Layers (imports point one way, see docs/architecture.md): :mod:`.maths` (numpy only)
← :mod:`.explainers` (models → results) ← :mod:`.views` (widgets, plots, display)
← :mod:`.paper` (the paper's data, models, baselines and reproduction)."""

from .maths.diagnostics import CancellationWarning
from .maths.errors import InputError, ResultFileError
from .maths.games import MAX_EXACT_MODALITIES, interaction_matrices, shapley_values
from .maths.interactions import order_shares
from .maths.result import InteractionResult, load_result
from .explainers.adapters import concatenated
from .explainers.model_fit import ChanceLevelWarning
from .explainers.outputs import diagonal
from .explainers.precision import MaskingPrecisionWarning
from .explainers.determinism import NondeterministicModelError, NondeterministicModelWarning
from .explainers.checkpoint import CheckpointError, CheckpointInUse, CheckpointMismatch, DamagedShardWarning
from .explainers.workers import DASK_WORKER_CONFIG, ClusterSetupError, SlowWorkerWarning, WorkerVersionWarning
from .explainers.cluster_faults import DistributedRunError
from .explainers.exact import explain, explain_factorised
from .explainers.factorised import Factorised
from .explainers.feature_explain import explain_features
from .maths.feature_result import FeatureResult
from .explainers.maskers import BackgroundMasker, BaselineMasker, CallableMasker, RandomMasker, SampledMasker
from .explainers.references import ImageReference, TokenReference
from .explainers.sampling import SampledResult, SamplingWarning, reliable_budget, sample_explain, sample_interactions
from .views import display as _display  # noqa: F401  (registers the rich display of results)
from .views.magic import load_ipython_extension, unload_ipython_extension
from .paper.baselines import compare_scores

__version__ = "0.1.0"

__all__ = [
    "BackgroundMasker",
    "BaselineMasker",
    "CancellationWarning",
    "ChanceLevelWarning",
    "MaskingPrecisionWarning",
    "NondeterministicModelError",
    "NondeterministicModelWarning",
    "CallableMasker",
    "CheckpointError",
    "CheckpointInUse",
    "CheckpointMismatch",
    "ClusterSetupError",
    "compare_scores",
    "concatenated",
    "DamagedShardWarning",
    "DASK_WORKER_CONFIG",
    "diagonal",
    "DistributedRunError",
    "explain",
    "explain_factorised",
    "explain_features",
    "FeatureResult",
    "ImageReference",
    "export_html",
    "Factorised",
    "interaction_matrices",
    "InputError",
    "InteractionResult",
    "load_ipython_extension",
    "load_result",
    "MAX_EXACT_MODALITIES",
    "order_shares",
    "plots",
    "RandomMasker",
    "reliable_budget",
    "ResultFileError",
    "sample_explain",
    "sample_interactions",
    "SampledMasker",
    "SampledResult",
    "SamplingWarning",
    "shapley_values",
    "SlowWorkerWarning",
    "ShapleyGameWidget",
    "TokenReference",
    "unload_ipython_extension",
    "WorkerVersionWarning",
]


def export_html(notebook_path, out_path=None, *, theme="light"):
    """One self-contained HTML file of an executed notebook whose widgets work offline.

    See :func:`intershap_widget.views.export.export_html` (needs nbconvert).
    """
    from .views.export import export_html as _export_html

    return _export_html(notebook_path, out_path, theme=theme)


def __getattr__(name: str):
    # matplotlib and anywidget/ipywidgets are imported only when plots or the explorer are used
    if name == "plots":
        import importlib

        return importlib.import_module(".views.plots", __name__)
    if name == "InterSHAPWidget":
        from .views import widget

        return getattr(widget, name)
    if name == "ShapleyGameWidget":
        from .views import teaching

        return getattr(teaching, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
