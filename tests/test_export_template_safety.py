"""The offline exporter loads the package's own template by absolute path only: a
template or conf.json left in the working folder is never read (issue 20)."""

from __future__ import annotations

import json

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")
import intershap_widget as isw  # noqa: E402
from intershap_widget.views import export  # noqa: E402


def _plant(folder):
    """A hostile intershap_offline template and a lab override in ``folder``."""
    for name in ("intershap_offline", "lab"):
        (folder / name).mkdir()
        (folder / name / "index.html.j2").write_text("PLANTED {{ 6 * 7 }}")
    (folder / "intershap_offline" / "conf.json").write_text(json.dumps(
        {"base_template": "lab", "preprocessors": {"000-x": {"type": "os.system", "enabled": True}}}))


def test_a_template_in_the_working_folder_is_never_used(tmp_path, monkeypatch):
    _plant(tmp_path)
    monkeypatch.chdir(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hello offline")])
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, src)
    with pytest.warns(UserWarning, match="carries no widget state"):
        out = isw.export_html(src, tmp_path / "nb.html")
    html = out.read_text()
    assert "PLANTED" not in html and "42" not in html.split("hello offline")[0][-200:]
    assert "hello offline" in html and "<html" in html
    exporter = export.OfflineHTMLExporter()
    assert all(not p.startswith(str(tmp_path)) for p in exporter.template_paths)
    assert exporter.template_paths[0] == str(export.template_dir() / export.TEMPLATE_NAME)
