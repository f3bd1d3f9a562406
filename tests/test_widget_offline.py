"""The real explorer in an exported, kernel-less HTML page stays linked.

Executes a notebook with ``InterSHAPWidget`` (nbclient stores the widget state and its
float32 buffers), exports it with ``intershap_widget.views.export.export_html`` (the offline
template of the ``plots`` branch), opens it in Chromium with every network request
blocked, then clicks a heatmap cell and checks the other views follow without a kernel.
"""

from __future__ import annotations

import os
import pathlib
import shutil

import numpy as np
import pytest

export = pytest.importorskip("intershap_widget.views.export", reason="offline export lands with the plots branch")
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
playwright_api = pytest.importorskip("playwright.sync_api")

from _lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from intershap_widget.maths.result import InteractionResult  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]

CELL = """
import sys; sys.path.insert(0, {root!r})
import numpy as np
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.widget import InterSHAPWidget
rng = np.random.default_rng(3)
w = InterSHAPWidget(InteractionResult(rng.normal(size=(300, 8)), modality_names=["text", "image", "audio"]))
w.selected_sample = 12
w
"""


@pytest.mark.skipif(not (shutil.which("chromium") or os.path.exists(CHROMIUM)), reason="needs chromium")
def test_exported_explorer_renders_and_links_offline(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL.format(root=str(ROOT)))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    src = tmp_path / "explorer.ipynb"
    nbformat.write(nb, src)
    html = export.export_html(src)
    assert html.stat().st_size < 8e6
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context()
        blocked: list[str] = []
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                  else (blocked.append(r.request.url), r.abort()))
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.resolve().as_uri())
        root = page.locator(".isw-root")
        root.wait_for(timeout=30_000)
        expect = playwright_api.expect
        expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "12")
        cells = root.locator('.isw-cell[data-panel="global"]')
        expect(cells).to_have_count(9)
        ref = InteractionResult(np.random.default_rng(3).normal(size=(300, 8)))
        got = float(cells.nth(1).get_attribute("data-value"))
        assert got == pytest.approx(ref.Phi[0, 1], rel=1e-5)
        cells.nth(5).click()  # (1, 2): image x audio
        expect(root.locator(".isw-pairdist .isw-title")).to_contain_text("image × audio")
        expect(root.locator(".isw-bars .isw-hl")).to_have_count(2)  # share bar + waterfall row
        # the first-time-user fixes hold without a kernel, too: Enter in the box, keys, help
        box = root.locator('input[aria-label="sample number"]')
        box.fill("40")
        box.press("Enter")
        expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "40")
        expect(root.locator(".isw-key")).to_have_count(2)
        root.locator(".isw-help-btn").click()
        expect(root.locator(".isw-help")).to_be_visible()
        assert blocked == [] and errors == []
        browser.close()
