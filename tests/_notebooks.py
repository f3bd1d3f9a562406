"""Executing the committed example notebooks (shared by test_notebooks and test_export_offline).

``executed_quickstart`` runs ``notebooks/01_quickstart.ipynb`` once per test session (and
xdist worker: tests using it share the ``quickstart`` xdist group) in a fresh kernel, with one
extra cell appended that saves the displayed result, so tests can compare the page with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
TIMEOUT = 300  # seconds per cell: generous for a loaded 2-core CI machine


def execute(path: Path, extra_cells: tuple[str, ...] = (), workdir: Path | None = None):
    """The notebook at ``path`` executed in a fresh kernel (outputs and widget state stored)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for code in extra_cells:
        nb.cells.append(nbformat.v4.new_code_cell(code))
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(ROOT) not in paths:  # the kernel (a subprocess) imports this checkout's package
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])
    nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", store_widget_state=True, record_timing=False,
        resources={"metadata": {"path": str(workdir or path.parent)}},
    ).execute()
    return nb


@pytest.fixture(scope="session")
def executed_quickstart(tmp_path_factory):
    """``(executed notebook path, saved result path, number of original cells)``."""
    import nbformat

    work = tmp_path_factory.mktemp("quickstart")
    saved = work / "quickstart_res.npz"
    src = NOTEBOOK_DIR / "01_quickstart.ipynb"
    n_cells = len(nbformat.read(src, as_version=4).cells)
    nb = execute(src, (f"res.save({str(saved)!r})",), workdir=work)
    out = work / "01_quickstart.ipynb"
    nbformat.write(nb, out)
    return out, saved, n_cells
