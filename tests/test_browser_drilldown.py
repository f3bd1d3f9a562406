"""The drill-down panel of a FeatureResult in a real, exported, kernel-less page (Chromium):
the features of the explained modality coloured by their part of the picked pair's φ_ij,
linked to the heatmap's pair and the sample box, with the numbers of the result; patches
over the image, highlighted tokens; light and dark pages."""

from __future__ import annotations

import os
import pathlib
import shutil
import warnings

import numpy as np
import pytest

export = pytest.importorskip("intershap_widget.views.export")
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
playwright_api = pytest.importorskip("playwright.sync_api")

from _lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
import intershap_widget as isw  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = pathlib.Path(os.environ.get("ISW_SCREENSHOTS", ROOT / "build" / "browser"))

SETUP = """
import numpy as np, warnings
warnings.simplefilter("ignore")
import intershap_widget as isw
rng = np.random.default_rng(1)
img, t = rng.normal(size=(5, 3, 8, 8)), rng.normal(size=(5, 2))
f = lambda xs: xs[0][:, :, :4, 4:].mean((1, 2, 3)) * xs[1][:, 0] + xs[0][:, :, 4:, :].mean((1, 2, 3)) + 0.5 * xs[1][:, 1]
X = {"image": img, "text": t}
fr = isw.explain_features(f, X, modality="image", patch=4, call="list", output="regression", progress=False)
fr_text = isw.explain_features(f, X, modality="text", call="list", output="regression", progress=False)
"""

CELLS = [SETUP, """
from intershap_widget.views.widget import InterSHAPWidget
w = InterSHAPWidget(fr, images=img, selected_sample=2)
w
""", """
InterSHAPWidget(fr_text, tokens=[["alpha", "beta"]] * 5)
"""]


def _results():
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(SETUP, ns)  # the same seeded numbers as the page
    return ns["fr"], ns["fr_text"]


def _values(locator) -> np.ndarray:
    return np.array([float(v) for v in locator.evaluate_all("els => els.map(e => e.getAttribute('data-value'))")])


def _page(tmp_path, theme):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), env_path]) if env_path else str(ROOT)
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    src = tmp_path / "drill.ipynb"
    nbformat.write(nb, src)
    return export.export_html(src, theme=theme)


@pytest.mark.skipif(not (shutil.which("chromium") or os.path.exists(CHROMIUM)), reason="needs chromium")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_drilldown_follows_pair_and_sample_offline(tmp_path, theme):
    fr, fr_text = _results()
    html = _page(tmp_path, theme)
    expect = playwright_api.expect
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1300, "height": 1400})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:")) else r.abort())
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.resolve().as_uri())
        roots = page.locator(".isw-root")
        roots.nth(1).wait_for(timeout=30_000)
        root = roots.nth(0)
        drill = root.locator(".isw-drilldown")
        expect(drill.locator(".isw-title")).to_contain_text("Inside image: sample #2")
        feats = drill.locator(".isw-drill-feature")
        expect(feats).to_have_count(4)
        np.testing.assert_allclose(_values(feats), fr.effect[2], atol=1e-6)  # no pair: φ_image shared out
        assert drill.locator("image").count() == 1  # the sample's picture under the patches
        root.locator('.isw-cell[data-panel="global"]').nth(1).click()  # (image, text)
        expect(drill.locator(".isw-what")).to_contain_text("φ of image × text")
        np.testing.assert_allclose(_values(feats), fr.interaction[2, 1], atol=1e-6)
        assert float(drill.locator(".isw-drill-sum").get_attribute("data-sum")) == pytest.approx(
            fr.result.phi[2, 0, 1], abs=1e-6)
        assert abs(fr.interaction[2, 1, 1]) > 1e-3 and np.allclose(fr.interaction[2, 1, [0, 2, 3]], 0, atol=1e-9)
        box = root.locator('input[aria-label="sample number"]')
        box.fill("4")
        box.press("Enter")
        expect(drill.locator(".isw-title")).to_contain_text("sample #4")
        np.testing.assert_allclose(_values(feats), fr.interaction[4, 1], atol=1e-6)
        expect(drill.locator(".isw-drill-key")).to_have_attribute("aria-label", __import__("re").compile("colour key"))
        tokens = roots.nth(1).locator(".isw-drill-token")
        expect(tokens).to_have_count(2)
        assert tokens.all_inner_texts() == ["alpha", "beta"]
        np.testing.assert_allclose(_values(tokens), fr_text.effect[0], atol=1e-6)
        SHOTS.mkdir(parents=True, exist_ok=True)
        drill.screenshot(path=str(SHOTS / f"drilldown_patches_{theme}.png"))
        roots.nth(1).locator(".isw-drilldown").screenshot(path=str(SHOTS / f"drilldown_tokens_{theme}.png"))
        page.set_viewport_size({"width": 700, "height": 1400})
        root.screenshot(path=str(SHOTS / f"drilldown_narrow_{theme}.png"))
        assert errors == []
        browser.close()
