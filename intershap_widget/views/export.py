"""Offline HTML export of executed notebooks: widgets render with no network.

The stock ``jupyter nbconvert --to html`` loads require.js, the widget manager and
anywidget's module from public CDNs, so an exported notebook shows blank widgets
offline. The ``intershap_offline`` nbconvert template (shipped with this package)
extends the lab template, drops the CDN loaders and inlines **one** script, once per
file, made of:

* require.js (npm ``requirejs``), built into ``intershap_widget/static_export/``;
* anywidget's AMD front-end module, read from the installed ``anywidget`` package (so
  it always matches the anywidget that wrote the widget state), registered under the
  module name ``"anywidget"``;
* the widget HTML manager ``embed-amd.js`` (npm ``@jupyter-widgets/html-manager``),
  built into ``intershap_widget/static_export/``.

Three ways in::

    jupyter nbconvert --to intershap_html nb.ipynb         # exporter entry point
    jupyter nbconvert --to html --template intershap_offline nb.ipynb
    intershap_widget.export_html("nb.ipynb", "nb.html")    # from Python
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources as _resources
from pathlib import Path
from typing import Any

__all__ = [
    "TEMPLATE_NAME",
    "OfflineHTMLExporter",
    "OfflineWidgetsPreprocessor",
    "export_html",
    "offline_widget_script",
    "template_dir",
]

#: Name of the nbconvert template shipped with the package.
TEMPLATE_NAME = "intershap_offline"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_EXPORT_DIR = _PACKAGE_DIR / "static_export"
_BUILD_HINT = (
    "The offline-export scripts are built with the package (pip install .); in a source "
    "checkout run `node js-export/build.mjs`."
)


def template_dir() -> Path:
    """Folder that holds the ``intershap_offline`` template (add it to nbconvert's paths)."""
    return _PACKAGE_DIR / "templates"


def _read_export_file(name: str) -> str:
    path = _EXPORT_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing. {_BUILD_HINT}")
    return path.read_text(encoding="utf-8")


def _anywidget_amd_path() -> Path:
    """Location of anywidget's AMD module (``anywidget/nbextension/index.js``)."""
    try:
        candidate = Path(str(_resources.files("anywidget") / "nbextension" / "index.js"))
    except ModuleNotFoundError as exc:
        raise ImportError("offline export needs anywidget: pip install anywidget") from exc
    if candidate.is_file():
        return candidate
    import sys

    for prefix in (sys.prefix, sys.base_prefix):
        alt = Path(prefix) / "share" / "jupyter" / "nbextensions" / "anywidget" / "index.js"
        if alt.is_file():
            return alt
    raise FileNotFoundError(
        "anywidget's AMD module (anywidget/nbextension/index.js) was not found; "
        "reinstall anywidget from its wheel (pip install --force-reinstall anywidget)"
    )


_ANON_DEFINE = re.compile(r"^define\(\s*\[", re.MULTILINE)


def _named_anywidget_module(source: str) -> str:
    """Turn anywidget's anonymous ``define([...], f)`` into ``define("anywidget", [...], f)``."""
    hits = _ANON_DEFINE.findall(source)
    if len(hits) != 1:
        raise RuntimeError(
            f"expected one top-level anonymous define() in anywidget's AMD module, found {len(hits)}; "
            "this anywidget version is not supported by the offline export"
        )
    return _ANON_DEFINE.sub('define("anywidget", [', source, count=1)


def _script_safe(js: str) -> str:
    """Make JS text safe inside an inline ``<script>`` element."""
    return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


@lru_cache(maxsize=4)
def _cached_script(anywidget_path: str, mtimes: tuple[float, ...]) -> str:
    parts = [
        ("require.js", _read_export_file("require.js")),
        ("anywidget (AMD, named)", _named_anywidget_module(Path(anywidget_path).read_text(encoding="utf-8"))),
        ("@jupyter-widgets/html-manager embed-amd.js", _read_export_file("embed-amd.js")),
    ]
    return "\n".join(f"/* ---- {name} ---- */\n{_script_safe(src)}\n;" for name, src in parts)


def offline_widget_script() -> str:
    """The one inline script (require.js + anywidget + widget manager), script-safe text."""
    aw = _anywidget_amd_path()
    mtimes = tuple(
        p.stat().st_mtime if p.exists() else 0.0
        for p in (aw, _EXPORT_DIR / "require.js", _EXPORT_DIR / "embed-amd.js")
    )
    return _cached_script(str(aw), mtimes)


try:  # nbconvert is only needed for exporting
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import Preprocessor
    from traitlets import default
except ImportError:  # pragma: no cover - exercised without nbconvert
    HTMLExporter = Preprocessor = None  # type: ignore[assignment,misc]


if Preprocessor is not None:

    class OfflineWidgetsPreprocessor(Preprocessor):
        """Put the inline widget script into ``resources["intershap_offline_script"]``.

        Only notebooks that carry widget state (``nb.metadata.widgets``) get it. The
        package's finished progress bars are left out of the page (:mod:`.closed_widgets`).
        """

        def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
            from .closed_widgets import drop_closed, finished_bars

            drop_closed(nb, finished_bars(nb))  # no stale "InterSHAP: 19%" box or blank gap in the page
            if "widgets" in nb.metadata:
                from markupsafe import Markup

                resources["intershap_offline_script"] = Markup(offline_widget_script())  # noqa: S704
            return nb, resources

    class OfflineHTMLExporter(HTMLExporter):
        """HTML exporter whose widgets work with no network (template ``intershap_offline``)."""

        export_from_notebook = "HTML (offline widgets)"

        @default("template_name")
        def _template_name_default(self) -> str:
            return TEMPLATE_NAME

        @default("extra_template_basedirs")
        def _extra_template_basedirs_default(self) -> list[str]:
            # the package's own folder, by absolute path, and never the current folder: a
            # template (or conf.json naming a preprocessor) left there would run through Jinja
            return [str(template_dir())]

else:  # pragma: no cover
    OfflineWidgetsPreprocessor = OfflineHTMLExporter = None  # type: ignore[assignment,misc]


def export_html(
    notebook_path: str | os.PathLike,
    out_path: str | os.PathLike | None = None,
    *,
    theme: str = "light",
) -> Path:
    """Write one self-contained HTML file of an executed notebook; its widgets work offline.

    Parameters
    ----------
    notebook_path : path of an ``.ipynb`` saved with its widget state (e.g. executed by
        nbclient / ``jupyter nbconvert --execute``, or saved from JupyterLab with
        "Save Widget State Automatically").
    out_path : where to write; defaults to the notebook path with ``.html``.
    theme : ``"light"`` or ``"dark"``.

    Returns the path written. A notebook without widget state is exported too, and a
    warning says that its widgets (if any) will not be interactive.
    """
    if OfflineHTMLExporter is None:
        raise ImportError("export_html needs nbconvert: pip install nbconvert")
    import warnings

    import nbformat

    src = Path(notebook_path)
    if not src.is_file():
        raise FileNotFoundError(f"no notebook at {src}")
    if theme not in ("light", "dark"):
        raise ValueError(f"theme must be 'light' or 'dark', got {theme!r}")
    dest = src.with_suffix(".html") if out_path is None else Path(out_path)
    nb = nbformat.read(src, as_version=4)
    if "widgets" not in nb.metadata:
        warnings.warn(
            f"{src} carries no widget state; execute it with nbclient or save it from "
            "JupyterLab with the widget state to get live widgets in the HTML",
            stacklevel=2,
        )
    exporter = OfflineHTMLExporter(theme=theme)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": src.stem}})
    dest.write_text(body, encoding="utf-8")
    return dest
