"""Static rich display of a result: a PNG summary figure and a text summary.

Used wherever JavaScript cannot run (GitHub's notebook view, PDF export, a terminal).
Rendering goes through matplotlib's Agg canvas on a stand-alone ``Figure``: pyplot's
global state (current figure, backend, interactive mode) is never touched.
"""

from __future__ import annotations

import base64
import io
import warnings
from typing import Any, Callable, Iterable

__all__ = ["picture_and_text", "static_mimebundle", "summary_png"]


def summary_png(result: Any, *, dpi: int = 100, quantize: bool = True, note: str | None = None) -> bytes:
    """PNG bytes of :func:`~intershap_widget.views.plots.summary_figure` at ``dpi``.

    With ``quantize`` the image is reduced to a 256-colour palette (about a third of
    the size, no visible change): it is stored in every notebook that displays a result.
    ``note`` is written under the figure (the explorer says there how to get it live).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .summary import summary_figure

    fig = Figure(facecolor="white")
    FigureCanvasAgg(fig)
    summary_figure(result, fig=fig)
    if note:
        fig.supxlabel(note, fontsize=9.5, color="#444444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    fig.clear()
    png = buf.getvalue()
    if quantize:
        from PIL import Image  # a dependency of matplotlib

        out = io.BytesIO()
        # the fast octree palette: about ten times quicker than median cut, and smaller here
        img = Image.open(io.BytesIO(png)).convert("RGB")
        img.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
        png = out.getvalue()
    return png


def static_mimebundle(
    result: Any,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    *,
    dpi: int = 100,
    note: str | None = None,
) -> dict[str, str]:
    """``{"image/png": base64 str, "text/plain": result.summary()}`` for rich display.

    ``include`` / ``exclude`` follow IPython's ``_repr_mimebundle_`` protocol (mime types
    to keep / drop). If the picture cannot be drawn (e.g. matplotlib missing) a warning
    is issued and only the text is returned, so displaying a result never fails.
    ``note`` goes under the picture and after the text (the explorer's fallback says there
    how to get the live explorer).
    """
    text = result.summary if not note else (lambda: f"{result.summary()}\n{note}")
    return picture_and_text(lambda: summary_png(result, dpi=dpi, note=note), text, include, exclude)


def picture_and_text(
    png: Callable[[], bytes],
    text: Callable[[], str],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """``{"image/png": base64 of png(), "text/plain": text()}``, only the wanted types.

    ``include`` / ``exclude`` follow IPython's ``_repr_mimebundle_`` protocol. A picture
    that cannot be drawn gives a warning, not an error: a display hook must not raise.
    """
    wanted = {"image/png", "text/plain"}
    if include is not None:
        wanted &= set(include)
    if exclude is not None:
        wanted -= set(exclude)
    bundle: dict[str, str] = {}
    if "image/png" in wanted:
        try:
            bundle["image/png"] = base64.b64encode(png()).decode("ascii")
        except Exception as exc:  # a display hook must not raise
            warnings.warn(f"intershap_widget: no static picture ({type(exc).__name__}: {exc})",
                          RuntimeWarning, stacklevel=3)
    if "text/plain" in wanted:
        bundle["text/plain"] = text()
    return bundle
