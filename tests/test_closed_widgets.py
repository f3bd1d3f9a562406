"""An executed notebook keeps no closed progress bar: the runner drops the widgets the
kernel closed (tqdm's bar with leave=False), their outputs and the models only they used."""

from __future__ import annotations

import json

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
from intershap_widget.views.closed_widgets import drop_closed  # noqa: E402
from intershap_widget.views.notebooks import execute_notebook  # noqa: E402

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def _view(model_id):
    return nbformat.v4.new_output("display_data", data={VIEW: {"model_id": model_id, "version_major": 2,
                                                               "version_minor": 0}, "text/plain": "bar"})


def test_drop_closed_removes_the_model_its_parts_and_its_output():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x")]
    nb.cells[0].outputs = [_view("bar"), nbformat.v4.new_output("stream", name="stdout", text="0.5\n"), _view("w")]
    state = {
        "bar": {"state": {"children": ["IPY_MODEL_label", "IPY_MODEL_shared"]}},
        "label": {"state": {"value": "InterSHAP: 77%", "layout": "IPY_MODEL_label_layout"}},
        "label_layout": {"state": {}},
        "shared": {"state": {}},
        "w": {"state": {"layout": "IPY_MODEL_shared"}},  # the explorer, still open
        "link": {"state": {"source": ["IPY_MODEL_w", "x"]}},  # shown nowhere, used by nobody: kept
    }
    nb.metadata["widgets"] = {STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    assert drop_closed(nb, {"bar"}) == 1
    assert [o.get("data", {}).get(VIEW, {}).get("model_id") for o in nb.cells[0].outputs] == [None, "w"]
    assert sorted(nb.metadata["widgets"][STATE]["state"]) == ["link", "shared", "w"]


def test_a_run_with_a_progress_bar_leaves_no_bar_in_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np, intershap_widget as isw\n"
        "X = [np.arange(600.0).reshape(200, 3), np.ones((200, 3))]\n"
        "res = isw.explain(lambda xs: np.stack([xs[0].sum(1), xs[1].sum(1)], 1), X, X[:40], progress=True)\n"
        "print('done')")]
    path = tmp_path / "bar.ipynb"
    nbformat.write(nb, path)
    out = execute_notebook(path)
    text = json.dumps(out)
    assert "InterSHAP:" not in text and VIEW not in text
    assert [o.output_type for o in out.cells[0].outputs if o.output_type != "stream"] == []
    assert "done" in "".join(o.get("text", "") for o in out.cells[0].outputs)


def test_the_export_leaves_out_a_bar_kept_by_plain_nbclient(tmp_path):
    """``jupyter nbconvert --execute`` (plain nbclient) keeps the closed bar; the offline page does not."""
    nbclient = pytest.importorskip("nbclient")
    import intershap_widget as isw

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np, intershap_widget as isw\n"
        "X = [np.arange(600.0).reshape(200, 3), np.ones((200, 3))]\n"
        "res = isw.explain(lambda xs: np.stack([xs[0].sum(1), xs[1].sum(1)], 1), X, X[:40], progress=True)\n"
        "res")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True).execute()
    assert "InterSHAP:" in json.dumps(nb.metadata["widgets"])  # the stale bar, as nbclient saves it
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    page = isw.export_html(path).read_text()
    start = page.index('<script type="application/vnd.jupyter.widget-state+json">')
    saved = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    models = {m["model_name"] for m in saved["state"].values()}
    assert "FloatProgressModel" not in models and "HBoxModel" not in models  # the bar and its box are gone
    assert "AnyModel" in models  # the explorer itself stays
