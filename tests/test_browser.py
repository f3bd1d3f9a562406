"""The explorer in a real headless JupyterLab, driven by Debian's Chromium (Playwright).

Needs ``jupyterlab``, ``playwright`` (Python; never ``playwright install``) and
``/usr/bin/chromium``; ``.ci/run`` installs them and sets ``ISW_REQUIRE_BROWSER=1`` so a
missing piece fails there instead of skipping. Screenshots go to ``build/browser/``
(or ``$ISW_SCREENSHOTS``).
"""

from __future__ import annotations

import json
import os
import re
import pathlib
import time

import numpy as np
import pytest
from _lab import require_browser
from intershap_widget.views import widget as _widget

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = pathlib.Path(os.environ.get("ISW_SCREENSHOTS", ROOT / "build" / "browser"))

require_browser(_widget._BUNDLE)

from playwright.sync_api import expect  # noqa: E402

from _lab import notebook_session, run_python, wait_python  # noqa: E402
from _scatter import pixels, separated  # noqa: E402

pytestmark = pytest.mark.xdist_group("jupyterlab")

SETUP = """
import numpy as np
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.widget import InterSHAPWidget
N, M, C = 200, 3, 3
rng = np.random.default_rng(0)
cv = rng.normal(size=(N, 2**M, C))
pred = cv[:, -1, :].argmax(axis=1)
res = InteractionResult(cv[np.arange(N), :, pred], modality_names=["text", "image", "audio"], target="all",
                        class_values=cv, class_names=["cat", "dog", "owl"], predicted_class=pred,
                        labels=rng.integers(0, 2, N))
w = InterSHAPWidget(res)
w
"""



LONG = """
from intershap_widget import ShapleyGameWidget
long_names = ["clinical notes", "chest x-ray image", "lab values", "vital signs time series and more"]
wl = InterSHAPWidget(InteractionResult(np.random.default_rng(4).normal(size=(30, 16)), modality_names=long_names),
                     selected_pair=(0, 3))
display(wl)
ShapleyGameWidget("xor", ["clinical notes", "chest x-ray image", "vital signs time series and more"], selected_pair=(0, 2))
"""

BAD = "InterSHAPWidget(InteractionResult(np.where(np.eye(4, 8) > 0, np.nan, 1.0)))"

SAMPLED = """
from intershap_widget.explainers import sampling as sp
vs = np.random.default_rng(3).normal(size=(40, 2**5)) + np.arange(2**5) % 3
sres = sp.sample_interactions(sp.table_value_function(vs), 5, 22, seed=1, modality_names=list("abcde"))
ws = InterSHAPWidget(sres)
ws
"""


def _res():
    ns: dict = {}
    exec(SETUP.replace("\nw = InterSHAPWidget(res)\nw\n", "\n"), ns)
    return ns["res"]


def _for(res, c):
    """The result a class position shows: the last entry is each sample's predicted class."""
    return res if c == res.n_classes else res.for_class(c)


def _pixels(r, root):
    """Canvas pixels of every sample, from the mapping the scatter publishes."""
    return pixels(root.locator("canvas.isw-scatter"), r.prediction, r.intershap_local)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    def ready(page):
        page.locator(".isw-error").wait_for(timeout=30_000)
        page.locator(".isw-root").nth(2).locator(".isw-summary").wait_for(timeout=30_000)

    cells = [SETUP, BAD, SAMPLED, LONG]
    for s in notebook_session(tmp_path_factory.mktemp("nb"), "explorer.ipynb", cells, ready, viewport_height=1800):
        s.update(res=_res(), root=s["page"].locator(".isw-root").first)
        yield s


def _canvas_box(root):
    canvas = root.locator("canvas.isw-scatter")
    canvas.scroll_into_view_if_needed()
    return canvas.bounding_box()


def _py(s, code):
    return run_python(s["client"], code).strip()


def _wait_py(s, code, expected, timeout=10.0):
    return wait_python(s["client"], code, expected, timeout)


def _cell_values(root, panel):
    cells = root.locator(f'.isw-cell[data-panel="{panel}"]')
    out = {}
    for q in range(cells.count()):
        c = cells.nth(q)
        out[(int(c.get_attribute("data-i")), int(c.get_attribute("data-j")))] = float(c.get_attribute("data-value"))
    return out


def _matrix(vals, m=3):
    return np.array([[vals[(i, j)] for j in range(m)] for i in range(m)])


def test_heatmap_shows_m_by_m_cells_with_the_right_values(session):
    root, res = session["root"], session["res"]
    vals = _cell_values(root, "global")
    assert len(vals) == 9
    sel_cls = int(_py(session, "print(w.selected_class)"))
    assert sel_cls == 3, "the default view is each sample's predicted class"
    np.testing.assert_allclose(_matrix(vals), _for(res, sel_cls).Phi, rtol=1e-5, atol=1e-6)
    cell = root.locator('.isw-cell[data-panel="global"][data-i="0"][data-j="1"]')
    label = cell.get_attribute("aria-label")
    assert "text" in label and "image" in label and "interaction" in label and "% of behaviour" in label
    assert "main effect" in root.locator('.isw-cell[data-panel="global"][data-i="2"][data-j="2"]').get_attribute("aria-label")
    assert session["errors"] == []


def test_non_finite_result_shows_a_message_not_a_blank_box(session):
    alert = session["page"].locator('.isw-error[role="alert"]')
    expect(alert).to_contain_text("non-finite")
    expect(alert).to_contain_text("4 of 4 samples")


def test_keyboard_moves_over_cells_and_picks_a_pair(session):
    root = session["root"]
    _py(session, "w.selected_pair = ()")
    first = root.locator('.isw-cell[data-panel="global"][data-i="0"][data-j="0"]')
    first.focus()
    first.press("ArrowRight")
    first.page.keyboard.press("ArrowDown")
    first.page.keyboard.press("ArrowDown")
    first.page.keyboard.press("Enter")
    expect(root.locator('.isw-cell[data-panel="global"][data-i="2"][data-j="1"]')).to_have_attribute("aria-selected", "true")
    assert _wait_py(session, "print(w.selected_pair)", "(1, 2)") == "(1, 2)"
    first.page.keyboard.press("Escape")
    expect(root.locator('.isw-cell[aria-selected="true"]')).to_have_count(0)
    assert _wait_py(session, "print(w.selected_pair)", "()") == "()"


def test_click_on_a_sample_sets_selected_sample_in_python(session):
    page, root = session["page"], session["root"]
    r = _for(session["res"], int(_py(session, "print(w.selected_class)")))
    x, y = _pixels(r, root)
    inner = (np.arange(len(x)) > 0) & (np.arange(len(x)) < len(x) - 1)
    target = separated(x, y, inner)  # a well-separated sample with neighbours by index
    box = _canvas_box(root)
    page.mouse.click(box["x"] + float(x[target]), box["y"] + float(y[target]))
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(target))
    assert _wait_py(session, "print(w.selected_sample)", str(target)) == str(target)
    # keyboard: arrows on the focused scatter step to the next / previous sample
    root.locator("canvas.isw-scatter").press("ArrowRight")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(target + 1))
    root.locator("canvas.isw-scatter").press("ArrowLeft")
    root.locator("canvas.isw-scatter").press("ArrowLeft")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(target - 1))
    assert _wait_py(session, "print(w.selected_sample)", str(target - 1)) == str(target - 1)


def test_the_scatter_switches_axis_zooms_and_pans_and_still_picks_samples(session):
    page, root, res = session["page"], session["root"], session["res"]
    _py(session, "w.selected_class = 3; w.selected_indices = []; w.filters = {}")
    canvas = root.locator("canvas.isw-scatter")
    axis = root.locator("select.isw-axis-mode")
    # these values are not probabilities: no log-odds axis
    assert axis.locator("option").all_text_contents() == ["prediction", "rank"]
    axis.select_option("rank")
    expect(canvas).to_have_attribute("data-x-mode", "rank")
    x, y = pixels(canvas, res.prediction, res.intershap_local)
    assert np.ptp(x) > 200  # ranks spread the samples over the whole axis
    box = _canvas_box(root)
    target = separated(x, y)
    page.mouse.click(box["x"] + float(x[target]), box["y"] + float(y[target]))
    assert _wait_py(session, "print(w.selected_sample)", str(target)) == str(target)
    # wheel: zoom about the pointer; the point under it stays put
    page.mouse.move(box["x"] + float(x[target]), box["y"] + float(y[target]))
    page.mouse.wheel(0, -500)
    expect(canvas).not_to_have_attribute("data-view", "1,0,1,0")
    page.wait_for_timeout(150)
    x2, y2 = pixels(canvas, res.prediction, res.intershap_local)
    assert abs(x2[target] - x[target]) < 2 and abs(y2[target] - y[target]) < 2
    inner = (60, box["width"] - 14, 14, box["height"] - 40)
    other = separated(x2, y2, np.arange(len(x2)) != target, box=inner)
    page.mouse.click(box["x"] + float(x2[other]), box["y"] + float(y2[other]))
    assert _wait_py(session, "print(w.selected_sample)", str(other)) == str(other)
    # Shift+drag pans (no brush), keys zoom, 0 resets; arrows still step
    before = canvas.get_attribute("data-view")
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + 150, box["y"] + 120)
    page.mouse.down()
    page.mouse.move(box["x"] + 90, box["y"] + 100, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(canvas).not_to_have_attribute("data-view", before)
    assert _py(session, "print(w.selected_indices)") == "[]", "a pan is not a brush"
    canvas.press("0")
    expect(canvas).to_have_attribute("data-view", "1,0,1,0")
    expect(root.locator('button[aria-label="reset the zoom"]')).to_be_disabled()
    canvas.press("+")
    expect(canvas).not_to_have_attribute("data-view", "1,0,1,0")
    root.locator('button[aria-label="reset the zoom"]').click()
    expect(canvas).to_have_attribute("data-view", "1,0,1,0")
    canvas.press("ArrowRight")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(other + 1))
    axis.select_option("prediction")
    expect(canvas).to_have_attribute("data-x-mode", "prediction")


def test_bars_are_reachable_by_keyboard(session):
    root = session["root"]
    _py(session, "w.selected_pair = ()")
    first = root.locator(".isw-bars .isw-term").first
    first.focus()
    first.press("ArrowDown")
    first.page.keyboard.press("ArrowDown")
    first.page.keyboard.press("ArrowDown")  # text, image, audio, then text × image
    first.page.keyboard.press("Enter")
    assert _wait_py(session, "print(w.selected_pair)", "(0, 1)") == "(0, 1)"
    expect(root.locator(".isw-bars .isw-term[aria-selected=true]")).to_have_count(1)
    first.page.keyboard.press("Escape")
    assert _wait_py(session, "print(w.selected_pair)", "()") == "()"


def test_setting_traits_from_python_updates_the_views(session):
    root, res = session["root"], session["res"]
    _py(session, "w.selected_class = 0; w.selected_sample = 17; w.selected_pair = (2, 0)")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "17")
    np.testing.assert_allclose(_matrix(_cell_values(root, "sample")), res.for_class(0).phi[17], rtol=1e-5, atol=1e-6)
    picked = root.locator('.isw-cell[data-panel="global"][aria-selected="true"]')
    expect(picked).to_have_count(2)
    expect(root.locator(".isw-pairdist .isw-title")).to_contain_text("text × audio")
    expect(root.locator(".isw-bars .isw-hl")).to_have_count(2)  # its share bars and waterfall row
    line = root.locator(".isw-sample-line")
    assert float(line.get_attribute("data-value")) == pytest.approx(res.for_class(0).phi[17, 0, 2], rel=1e-5, abs=1e-6)


def test_switching_class_in_the_front_end(session):
    root, res = session["root"], session["res"]
    root.locator("select.isw-class").select_option("2")
    expect(root.locator(".isw-heatmap .isw-title").first).to_contain_text("Φ")
    assert _wait_py(session, "print(w.selected_class)", "2") == "2"
    np.testing.assert_allclose(_matrix(_cell_values(root, "global")), res.for_class(2).Phi, rtol=1e-5, atol=1e-6)
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / "explorer-light.png"))


def test_brush_recomputes_phi_over_the_subset(session):
    page, root, res = session["page"], session["root"], session["res"]
    _py(session, "w.selected_class = 1; w.selected_indices = []")
    expect(root.locator("select.isw-class")).to_have_value("1")
    r = res.for_class(1)
    x, y = _pixels(r, root)
    box = _canvas_box(root)
    x0, x1, y0, y1 = 50, 240, 14, 140
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + (x0 + x1) / 2, box["y"] + (y0 + y1) / 2, steps=3)
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=3)
    page.mouse.up()
    deadline = time.time() + 10
    got: list = []
    while time.time() < deadline:
        got = json.loads(_py(session, "import json; print(json.dumps(w.selected_indices))"))
        if got:
            break
        time.sleep(0.2)
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    near_edge = (np.minimum.reduce([abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)]) < 1)
    assert inside.sum() >= 5
    assert set(np.flatnonzero(inside & ~near_edge)) <= set(got) <= set(np.flatnonzero(inside | near_edge))
    np.testing.assert_allclose(_matrix(_cell_values(root, "global")), r[sorted(got)].Phi, rtol=1e-4, atol=1e-6)
    assert float(_py(session, "print(w.selection.Phi.sum())")) == pytest.approx(r[got].Phi.sum(), rel=1e-9)


def test_filter_by_predicted_class_and_label_reaches_python(session):
    root, res = session["root"], session["res"]
    _py(session, "w.selected_class = 0; w.selected_indices = []; w.filters = {}")
    expect(root.locator("select.isw-class")).to_have_value("0")
    root.locator('select[aria-label="filter by model\'s prediction"]').select_option(label="predicted as: dog")
    keep = res.predicted_class == 1
    expect(root.locator(".isw-selector")).to_contain_text(f"{keep.sum()} of 200 samples active")
    np.testing.assert_allclose(_matrix(_cell_values(root, "global")), res.for_class(0)[keep].Phi, rtol=1e-4, atol=1e-6)
    assert _wait_py(session, "print(w.filters)", "{'predicted_class': 'dog'}") == "{'predicted_class': 'dog'}"
    root.locator('select[aria-label="filter by label"]').select_option(label="label: 1")
    keep &= res.labels == 1
    expect(root.locator(".isw-selector")).to_contain_text(f"{keep.sum()} of 200 samples active")
    np.testing.assert_allclose(_matrix(_cell_values(root, "global")), res.for_class(0)[keep].Phi, rtol=1e-4, atol=1e-6)
    # what the page shows is what Python reads
    _wait_py(session, "print(len(w.filters))", "2")
    assert int(_py(session, "print(w.selection.n_samples)")) == keep.sum()
    assert _py(session, "print(w.active_indices.tolist())") == str(np.flatnonzero(keep).tolist())
    # set from Python: the menus and the numbers follow
    _py(session, "w.filters = {'predicted_class': 'owl'}")
    expect(root.locator('select[aria-label="filter by label"]')).to_have_value("-1")
    owl = res.predicted_class == 2
    expect(root.locator(".isw-selector")).to_contain_text(f"{owl.sum()} of 200 samples active")
    np.testing.assert_allclose(_matrix(_cell_values(root, "global")), res.for_class(0)[owl].Phi, rtol=1e-4, atol=1e-6)
    root.locator('select[aria-label="filter by model\'s prediction"]').select_option("-1")
    expect(root.locator(".isw-selector")).to_contain_text("200 of 200 samples active")
    assert _wait_py(session, "print(w.filters)", "{}") == "{}"


def test_keys_and_axes_name_the_quantity(session):
    root = session["root"]
    _py(session, "w.selected_class = 1; w.filters = {}")
    expect(root.locator("select.isw-class")).to_have_value("1")
    quantity = "value of dog"  # a result built by hand: no output kind
    unit = root.locator(".isw-key-unit")
    expect(unit.first).to_contain_text(f"Φ ≥ 0 in {quantity}")
    expect(unit.nth(1)).to_contain_text(f"φ in {quantity}")
    expect(root.locator(".isw-wf-unit")).to_contain_text(quantity)
    _py(session, "w.selected_class = 3")
    expect(unit.first).to_contain_text("value of the predicted class")


def test_dark_theme_redraws_and_keeps_the_selection(session):
    page, root = session["page"], session["root"]
    _py(session, "w.selected_sample = 5; w.filters = {'label': '1'}")
    expect(root.locator('select[aria-label="filter by label"]')).to_have_value("1")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    expect(root).to_have_class("isw-root isw-dark", timeout=20_000)
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "5")
    expect(root.locator('select[aria-label="filter by label"]')).to_have_value("1")  # the filter survives
    assert _py(session, "print(w.filters)") == "{'label': '1'}"
    page.wait_for_timeout(300)
    root.screenshot(path=str(SHOTS / "explorer-dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    expect(root).to_have_class("isw-root", timeout=20_000)
    _py(session, "w.filters = {}")
    assert session["errors"] == []


def _order_row(root, scope):
    row = root.locator(f'.isw-orders tr[data-scope="{scope}"]')
    return [float(row.locator(f'td[data-order="{o}"]').get_attribute("data-value")) for o in ("1", "2", "3")]


def test_by_order_view_shows_the_python_shares_and_follows_the_selection(session):
    from intershap_widget.maths.interactions import order_shares

    root, res = session["root"], session["res"]
    _py(session, "w.selected_class = 0; w.selected_indices = []; w.selected_sample = 3")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "3")
    r = res.for_class(0)
    ref = order_shares(r)
    np.testing.assert_allclose(_order_row(root, "dataset"), ref.global_shares, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_order_row(root, "sample"), ref.local_shares[3], rtol=1e-5, atol=1e-6)
    expect(root.locator('.isw-orders tr[data-scope="active"]')).to_be_hidden()
    expect(root.locator('.isw-orders tr[data-scope="dataset"] td[data-order="2"]')).to_have_text(
        f"{100 * ref.global_shares[1]:.1f} %")
    # stepping with the keyboard on the scatter moves the sample row along
    root.locator("canvas.isw-scatter").press("ArrowRight")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "4")
    np.testing.assert_allclose(_order_row(root, "sample"), ref.local_shares[4], rtol=1e-5, atol=1e-6)
    # a brushed subset gets its own row, recomputed in the front end
    subset = [2, 4, 8, 15, 16, 23, 42, 99, 150]
    _py(session, f"w.selected_indices = {subset}")
    expect(root.locator('.isw-orders tr[data-scope="active"]')).to_contain_text("9 brushed")
    np.testing.assert_allclose(_order_row(root, "active"), order_shares(r[subset]).global_shares, rtol=1e-5, atol=1e-6)
    _py(session, "w.selected_indices = []")
    expect(root.locator('.isw-orders tr[data-scope="active"]')).to_be_hidden()
    assert session["errors"] == []


def test_a_sampled_result_shows_plus_minus_standard_errors(session):
    page = session["page"]
    root = page.locator(".isw-root").nth(2)
    root.scroll_into_view_if_needed()
    ns: dict = {}
    exec("import numpy as np\nfrom intershap_widget.views.widget import InterSHAPWidget\n" + SAMPLED.replace("\nws\n", "\n"), ns)
    sres = ns["sres"]
    summary = root.locator(".isw-summary")
    expect(summary).to_contain_text(f"InterSHAP {100 * sres.intershap:.1f} % ± {100 * sres.intershap_se:.1f}")
    expect(summary).to_contain_text("22 of 32 coalitions per sample")
    cell = root.locator('.isw-cell[data-panel="global"][data-i="0"][data-j="1"]')
    assert float(cell.get_attribute("data-se")) == pytest.approx(sres.Phi_se[0, 1], rel=1e-5)
    assert " ± " in cell.get_attribute("aria-label")
    samp = root.locator('.isw-cell[data-panel="sample"][data-i="2"][data-j="2"]')
    assert float(samp.get_attribute("data-se")) == pytest.approx(sres.phi_se[0, 2, 2], rel=1e-5)
    assert root.locator(".isw-bars path.isw-whisker").count() == 2 * 15 + 15  # two share bars + one waterfall step per term
    expect(root.locator(".isw-orders")).to_contain_text("22 of 32 coalitions")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("aria-label", re.compile(" ± "))
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / "explorer-sampled.png"))
    assert session["errors"] == []


# Every SVG text of a root: its client box, its svg's and panel's boxes, and the boxes of
# the svg's bars and heatmap cells (labels must stay inside and must not cover a mark).
_LABEL_BOXES = """root => [...root.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = t.ownerSVGElement;
  return {text: t.textContent, cls: t.getAttribute('class') || '', aria: t.getAttribute('aria-label'),
          title: t.querySelector('title')?.textContent ?? null, box: box(t), svg: box(svg),
          panel: box(t.closest('.isw-panel')),
          marks: [...svg.querySelectorAll('rect.isw-bar, rect.isw-fill')].filter(r => r.getBBox().width > 0).map(box)};
})"""


def _inside(inner, outer, tol=1.0):
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _overlap(a, b, tol=0.5):
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def test_long_names_fit_inside_every_view_or_are_truncated_with_the_full_name(session):
    page = session["page"]
    explorer, game = page.locator(".isw-root").nth(3), page.locator(".isw-root").nth(4)
    game.locator(".isw-game-shapley").wait_for(timeout=30_000)
    explorer.scroll_into_view_if_needed()
    expect(explorer.locator(".isw-pairdist .isw-title")).to_contain_text("vital signs time series and more")
    names = ["clinical notes", "chest x-ray image", "lab values", "vital signs time series and more"]
    for root in (explorer, game):
        texts = root.evaluate(_LABEL_BOXES)
        labels = [t for t in texts if "isw-label" in t["cls"]]
        for t in texts:
            assert _inside(t["box"], t["svg"]), f"{t['text']!r} sticks out of its svg: {t['box']} vs {t['svg']}"
            assert _inside(t["box"], t["panel"]), f"{t['text']!r} sticks out of its panel"
        assert len(labels) >= 9  # the game: 3 row, 3 column and 3 Shapley-bar labels
        for t in labels:
            for mark in t["marks"]:
                assert not _overlap(t["box"], mark), f"label {t['text']!r} covers a bar or cell"
            shown = t["text"].removesuffix(t["title"] or "")  # a <title> child adds to textContent
            if "…" in shown and " × " in shown:  # a pair: each name truncated on its own
                assert t["title"] == t["aria"], t
                for part, name in zip(shown.split(" × "), t["aria"].split(" × ")):
                    assert name.startswith(part.removesuffix("…")), t
            elif shown.endswith("…"):
                assert t["title"] == t["aria"] and t["aria"].startswith(shown[:-1]), t
            else:
                assert t["aria"] == shown, t
    full = {t["aria"] for t in explorer.evaluate(_LABEL_BOXES) if "isw-label" in t["cls"]}
    assert set(names) <= full and "clinical notes × vital signs time series and more" in full
    shots = SHOTS
    shots.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(shots / "explorer-long-names.png"))
    assert session["errors"] == []
