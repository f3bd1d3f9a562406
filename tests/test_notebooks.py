"""The example notebooks in notebooks/: they execute from scratch in a fresh kernel, and the
committed copies carry the outputs of every code cell and the widgets' saved state."""

from __future__ import annotations

import json

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the 'dev' extra (nbformat, nbclient)")
pytest.importorskip("nbclient", reason="needs the 'dev' extra")

from _notebooks import NOTEBOOK_DIR, NOTEBOOKS, execute  # noqa: E402
from intershap_widget.views import notebooks as runner  # noqa: E402

VIEW = "application/vnd.jupyter.widget-view+json"
EXPECTED = ["01_quickstart", "02_teaching_shapley_interactions", "03_fusion_comparison",
            "04_more_modalities", "05_your_own_model", "06_transformer_model", "07_beyond_one_machine",
            "08_tables_and_pipelines",
            "09_inside_a_modality"]


def _shape(cell) -> list[tuple]:
    """What a code cell showed: output types, stdout and mime types (not the numbers).
    stderr is left out: it is volatile (a Dask cluster's shutdown log, a library's
    deprecation notice, a warning shown once per kernel) and says nothing about the cell."""
    out = []
    for o in cell.outputs:
        if o.output_type == "stream" and o.name == "stderr":
            continue
        if o.output_type == "stream":
            item = ("stream", o.name)
        elif o.output_type == "error":
            item = ("error", o.ename)
        else:
            item = (o.output_type, tuple(sorted(o.data)))
        if not out or out[-1] != item:  # consecutive stream chunks may merge or split
            out.append(item)
    return out


def test_the_comparison_ignores_volatile_stderr_but_not_stdout_or_errors():
    v4 = nbformat.v4
    cell = v4.new_code_cell("client.close(); cluster.close()", outputs=[v4.new_output("stream", name="stdout", text="ok")])
    noisy = v4.new_code_cell(cell.source, outputs=[
        v4.new_output("stream", name="stdout", text="ok"),
        v4.new_output("stream", name="stderr", text="distributed.nanny - INFO - Closing Nanny\n")])
    assert _shape(noisy) == _shape(cell) == [("stream", "stdout")]
    failed = v4.new_code_cell(cell.source, outputs=[v4.new_output("error", ename="RuntimeError", evalue="", traceback=[])])
    assert _shape(failed) != _shape(cell)


def _check_against_committed(name: str, nb) -> None:
    committed = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    assert len(nb.cells) >= len(committed.cells)
    for k, (new, old) in enumerate(zip(nb.cells, committed.cells)):
        assert new.source == old.source
        if new.cell_type == "code":
            assert not any(o.output_type == "error" for o in new.outputs), (name, k)
            assert _shape(new) == _shape(old), f"{name} cell {k}: outputs changed; re-run the notebooks (README)"
    assert "widgets" in nb.metadata


def test_the_notebooks_are_all_there():
    assert NOTEBOOKS == EXPECTED
    assert [p.stem for p in runner.find_notebooks((), NOTEBOOK_DIR)] == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_carries_outputs_and_widget_state(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run every cell, in order"
    for k, cell in enumerate(code):
        assert cell.outputs, f"{name}: code cell {k + 1} has no saved output"
        assert not any(o.output_type == "error" for o in cell.outputs)
        assert "execution" not in cell.metadata  # no timing noise in the committed files
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = [o.data[VIEW]["model_id"] for c in code for o in c.outputs if VIEW in o.get("data", {})]
    assert shown, f"{name} shows no widget"
    for model_id in shown:  # every displayed widget can be drawn from the saved state alone
        assert model_id in state, model_id
        assert state[model_id]["state"], model_id
    assert (NOTEBOOK_DIR / f"{name}.ipynb").stat().st_size < 600_000


@pytest.mark.parametrize("name", EXPECTED[1:])
def test_notebook_executes(name, tmp_path):
    nb = execute(NOTEBOOK_DIR / f"{name}.ipynb", workdir=tmp_path)
    _check_against_committed(name, nb)


@pytest.mark.xdist_group("quickstart")
def test_quickstart_executes(executed_quickstart):
    path, saved, n_cells = executed_quickstart
    nb = nbformat.read(path, as_version=4)
    _check_against_committed("01_quickstart", nb)
    assert saved.exists() and len(nb.cells) == n_cells + 1
    # the printed scores are those of the result the notebook displays
    import intershap_widget as isw

    res = isw.load_result(saved)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert f"synergy     InterSHAP {100 * res.intershap:5.1f} %" in text
    assert res.intershap > 0.7  # the synergy model is mostly interaction


def test_runner_cli(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import anywidget, traitlets\n"
                                  "class W(anywidget.AnyWidget):\n"
                                  "    _esm = 'export default { render({ el }) { el.textContent = \"hi\"; } }'\n"
                                  "    value = traitlets.Int(3).tag(sync=True)\nW()"),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ])
    nbformat.write(nb, src / "tiny.ipynb")
    assert runner.main(["list", "--dir", str(src)]) == 0
    assert capsys.readouterr().out.split() == ["tiny"]
    assert runner.main(["run", "tiny", "--dir", str(src), "--out", str(tmp_path / "out")]) == 0
    done = nbformat.read(tmp_path / "out" / "tiny.ipynb", as_version=4)
    assert done.cells[1].outputs[0].text == "42\n"
    state = done.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(s["state"].get("value") == 3 for s in state.values())
    assert not nbformat.read(src / "tiny.ipynb", as_version=4).cells[1].outputs  # --out leaves the source alone
    capsys.readouterr()
    assert runner.main(["run", "tiny", "--dir", str(src), "--out", str(tmp_path / "out"), "--echo"]) == 0
    assert capsys.readouterr().out.startswith("42\ntiny: executed in")  # --echo prints what the cells printed
    with pytest.raises(FileNotFoundError, match="no notebook 'nope'.*known: tiny"):
        runner.find_notebooks(["nope"], src)
    with pytest.raises(SystemExit):
        runner.main(["run", "--inplace", "--out", str(tmp_path)])
    with pytest.raises(SystemExit) as exit_info:
        runner.main(["run", "nope", "--dir", str(src)])
    assert exit_info.value.code == 2 and "no notebook 'nope'" in capsys.readouterr().err
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(bad, src / "bad.ipynb")
    assert runner.main(["run", "bad", "--dir", str(src)]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err
    json.dumps(state)  # plain JSON
