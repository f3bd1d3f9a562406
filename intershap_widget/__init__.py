"""intershap-widget: exact InterSHAP (modality-level Shapley interactions) and a
linked Jupyter explorer. Conventions: :mod:`intershap_widget.games`."""

from .explainer import explain
from .games import MAX_EXACT_MODALITIES, interaction_matrices, shapley_values
from .maskers import BackgroundMasker, BaselineMasker, CallableMasker, RandomMasker
from .models import concatenated
from .result import InteractionResult, load_result
from ._magic import load_ipython_extension, unload_ipython_extension

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
    "export_html",
    "interaction_matrices",
    "load_ipython_extension",
    "load_result",
    "plots",
    "shapley_values",
    "unload_ipython_extension",
]


def export_html(notebook_path, out_path=None, *, theme="light"):
    """One self-contained HTML file of an executed notebook whose widgets work offline.

    See :func:`intershap_widget.export.export_html` (needs nbconvert).
    """
    from .export import export_html as _export_html

    return _export_html(notebook_path, out_path, theme=theme)


def __getattr__(name):
    # matplotlib is imported only when the plots are used
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
