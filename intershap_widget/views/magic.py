"""IPython extension: ``%load_ext intershap_widget``.

Loading it adds the line magic ``%intershap`` that opens the explorer for one result
or several results side by side with linked sample selection::

      %intershap res
      %intershap res_early res_late              # side by side, titled by the names
      %intershap early=res_early late=res_late   # explicit titles
      %intershap res[:200]                       # any expression without spaces
      %intershap results                         # a dict / list of results

A result shown as a cell's value opens the explorer with or without the extension:
:func:`result_mimebundle` (here, registered by :mod:`.display`) is its rich display, which also carries a
static PNG and a text summary for places that cannot run JavaScript.

The explorer class (``intershap_widget.views.widget.InterSHAPWidget``) is imported lazily,
on first use, so the extension loads without the front end.
"""

from __future__ import annotations

import keyword
import shlex
import warnings
from typing import Any, Callable, Iterable

from ..maths.result import InteractionResult

__all__ = ["load_ipython_extension", "unload_ipython_extension", "intershap_magic", "result_mimebundle"]

_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

#: Tests (or a user) may set this to a class used instead of ``InterSHAPWidget``.
widget_class_override: Callable[..., Any] | None = None


def widget_class() -> Callable[..., Any]:
    """The explorer class, imported on first use."""
    if widget_class_override is not None:
        return widget_class_override
    from .widget import InterSHAPWidget

    return InterSHAPWidget


def _usage_error(msg: str) -> Exception:
    try:
        from IPython.core.error import UsageError
    except ImportError:  # pragma: no cover - IPython is present wherever magics run
        return ValueError(msg)
    return UsageError(msg)


def _describe(obj: Any) -> str:
    return f"a {type(obj).__module__}.{type(obj).__qualname__}".replace("builtins.", "")


def _lookup(expr: str, namespace: dict, evaluate: Callable[[str], Any]) -> Any:
    if expr.isidentifier() and not keyword.iskeyword(expr):
        if expr not in namespace:
            raise _usage_error(f"%intershap: no variable named {expr!r} in the notebook")
        return namespace[expr]
    try:
        return evaluate(expr)
    except Exception as exc:
        raise _usage_error(f"%intershap: could not evaluate {expr!r}: {type(exc).__name__}: {exc}") from exc


def parse_targets(line: str, namespace: dict, evaluate: Callable[[str], Any]) -> list[tuple[str, InteractionResult]]:
    """Turn the magic's argument line into ``[(title, result), ...]``.

    Each whitespace-separated token is ``expr`` or ``title=expr`` (quote a title with
    spaces: ``"late fusion"=res_late``); ``expr`` is a variable
    name or an expression evaluated in the notebook. A dict of results contributes its
    items (keys as titles), a list or tuple its elements. Raises a ``UsageError`` that
    names the token when something is not an ``InteractionResult``.
    """
    try:
        tokens = shlex.split(line)
    except ValueError as exc:
        raise _usage_error(f"%intershap: cannot parse {line!r}: {exc}") from exc
    if not tokens:
        raise _usage_error(
            "%intershap needs at least one result, e.g. `%intershap res` or "
            "`%intershap early=res_early late=res_late`"
        )
    out: list[tuple[str, InteractionResult]] = []
    for token in tokens:
        title, sep, expr = token.partition("=")
        if sep and title.strip() and expr and not expr.startswith("=") and not set(title) & set("()[]{}.,'\"<>!"):
            explicit = True
        else:
            title, expr, explicit = token, token, False
        value = _lookup(expr, namespace, evaluate)
        if isinstance(value, InteractionResult):
            out.append((title, value))
        elif isinstance(value, dict) and value and all(isinstance(v, InteractionResult) for v in value.values()):
            out.extend((f"{title}: {k}" if explicit else str(k), v) for k, v in value.items())
        elif (
            isinstance(value, (list, tuple)) and value
            and all(isinstance(v, InteractionResult) for v in value)
        ):
            out.extend((f"{title}[{k}]", v) for k, v in enumerate(value))
        else:
            raise _usage_error(
                f"%intershap: {expr!r} is {_describe(value)}, not an InteractionResult; "
                "pass results returned by intershap_widget.explain() (or a dict/list of them)"
            )
    titles = [t for t, _ in out]
    if len(set(titles)) != len(titles):
        raise _usage_error(f"%intershap: titles must differ, got {titles}; use title=expr to name them")
    return out


def open_explorer(targets: list[tuple[str, InteractionResult]]) -> Any:
    """One explorer, or several side by side with their sample selection linked in the front end."""
    cls = widget_class()
    if len(targets) == 1:
        return cls(targets[0][1])
    side_by_side = getattr(cls, "side_by_side", None)
    if callable(side_by_side):
        return side_by_side([r for _, r in targets], titles=[t for t, _ in targets])
    import ipywidgets

    widgets = [cls(r) for _, r in targets]
    links = []
    first = targets[0][1]
    same_samples = all(
        r.n_samples == first.n_samples and (r.sample_index == first.sample_index).all() for _, r in targets[1:]
    )
    if same_samples and all(hasattr(w, "has_trait") for w in widgets):
        for name in ("selected_sample", "selected_indices"):
            if all(w.has_trait(name) for w in widgets):
                links += [ipywidgets.jslink((widgets[0], name), (w, name)) for w in widgets[1:]]
    elif not same_samples:
        warnings.warn(
            "%intershap: the results explain different samples, so their sample selections are not linked",
            stacklevel=2,
        )
    columns = [
        ipywidgets.VBox(
            [ipywidgets.HTML(f"<b{_TITLE_STYLE}>{_html_escape(t)}</b>"), w],
            layout=ipywidgets.Layout(flex="1 1 0", min_width="0"),
        )
        for (t, _), w in zip(targets, widgets)
    ]
    box = _side_by_side_class()(columns, layout=ipywidgets.Layout(width="100%"))
    box._intershap_links = links  # keep the link models alive with the box
    box._intershap_targets = list(targets)
    return box


def side_by_side_static(targets: list[tuple[str, InteractionResult]], include=None, exclude=None) -> dict:
    """Static fallback of several results: their summary pictures stacked, titled summaries."""
    import base64
    import io

    bundle: dict[str, str] = {}
    wanted = lambda k: (include is None or k in include) and (exclude is None or k not in exclude)  # noqa: E731
    if wanted("image/png"):
        from PIL import Image

        from .plots.static import summary_png

        images = [Image.open(io.BytesIO(summary_png(r))).convert("RGB") for _, r in targets]
        canvas = Image.new("RGB", (max(im.width for im in images), sum(im.height for im in images)), "white")
        y = 0
        for im in images:
            canvas.paste(im, (0, y))
            y += im.height
        buf = io.BytesIO()
        canvas.quantize(colors=256).save(buf, format="PNG", optimize=True)
        bundle["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    if wanted("text/plain"):
        bundle["text/plain"] = "\n\n".join(f"[{t}]\n{r.summary()}" for t, r in targets)
    return bundle


_SIDE_BY_SIDE = None


def _side_by_side_class():
    """An ``ipywidgets.HBox`` whose display also carries the static pictures of its results."""
    global _SIDE_BY_SIDE
    if _SIDE_BY_SIDE is None:
        import ipywidgets

        class SideBySide(ipywidgets.HBox):
            def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
                data = super()._repr_mimebundle_(**kwargs)
                data = dict((data[0] if isinstance(data, tuple) else data) or {})
                data.update(side_by_side_static(getattr(self, "_intershap_targets", []), include, exclude))
                return data

        _SIDE_BY_SIDE = SideBySide
    return _SIDE_BY_SIDE


_TITLE_STYLE = ' style="font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px"'


def _html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def intershap_magic(line: str, shell: Any) -> Any:
    """Body of ``%intershap``: parse, look up, open the explorer(s); returns the widget."""
    targets = parse_targets(line, shell.user_ns, shell.ev)
    return open_explorer(targets)


def result_mimebundle(
    result: InteractionResult,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict:
    """The explorer's widget bundle plus a static PNG and the text summary.

    ``include`` / ``exclude`` follow IPython's ``_repr_mimebundle_`` protocol: the widget
    is only made when its view type is wanted, the PNG only when ``image/png`` is.
    Without a working explorer (front end not built, anywidget missing) only the static
    picture and the text are returned.
    """
    from .plots.static import static_mimebundle

    view: dict = {}
    wants_view = not (
        (include is not None and _VIEW_MIME not in include) or (exclude is not None and _VIEW_MIME in exclude)
    )
    if wants_view:
        try:
            widget = widget_class()(result)
        except ImportError:
            widget = None
        if widget is not None and hasattr(widget, "_repr_mimebundle_"):
            got = widget._repr_mimebundle_(include=include, exclude=exclude)
            view = dict((got[0] if isinstance(got, tuple) else got) or {})
    # the explorer may carry the static picture already; draw it only when missing, and
    # not for a shell that cannot show pictures (terminal IPython: text/plain only)
    skip = [k for k in ("image/png",) if k in view or not _shell_shows(k)]
    static = static_mimebundle(getattr(result, "result", result), include, [*(exclude or ()), *skip])
    view.pop("text/plain", None)
    out = {**view, **static}
    if "text/plain" in out and hasattr(result, "feature_names"):  # a FeatureResult: its own line first
        out["text/plain"] = f"{result!r}\n{out['text/plain']}"
    return out


def _shell_shows(mime: str) -> bool:
    """Whether the running IPython shell displays ``mime`` (True outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return True
    ip = get_ipython()
    active = getattr(getattr(ip, "display_formatter", None), "active_types", None)
    return active is None or mime in active


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext intershap_widget``: the ``%intershap`` magic (results display
    themselves as the explorer through ``InteractionResult._repr_mimebundle_``)."""
    def intershap(line: str) -> Any:
        return intershap_magic(line, ipython)

    intershap.__doc__ = __doc__
    ipython.register_magic_function(intershap, magic_kind="line", magic_name="intershap")


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext intershap_widget``: the magic goes."""
    ipython.magics_manager.magics["line"].pop("intershap", None)
