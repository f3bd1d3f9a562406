"""The explorer for a first-time user, in a real headless JupyterLab (Debian's Chromium
via Playwright): the predicted-class default and its headline number, Enter and a fresh
number in the sample box, original sample numbers of a slice, colour keys, labels that
stay apart and inside their panels, ▶/◀ with a brush, thousands separators, confidence
intervals and "no behaviour", the help guide, and the layout at 800, 1,200 and 1,800 px.
Same harness as ``test_browser.py`` (same xdist group: one JupyterLab at a time).
"""

from __future__ import annotations

import os
import pathlib
import re

import numpy as np
import pytest
from _lab import require_browser
from intershap_widget.views import widget as _widget

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = pathlib.Path(os.environ.get("ISW_SCREENSHOTS", ROOT / "build" / "browser"))

require_browser(_widget._BUNDLE)

from playwright.sync_api import expect  # noqa: E402

from _lab import notebook_session, run_python, wait_python  # noqa: E402

pytestmark = pytest.mark.xdist_group("jupyterlab")

SETUP = """
import numpy as np
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.widget import InterSHAPWidget
N, M, C = 1500, 3, 3
rng = np.random.default_rng(7)
cv = rng.normal(size=(N, 2**M, C)) + np.array([0.0, 0.5, 1.0])
pred = cv[:, -1, :].argmax(axis=1)
res = InteractionResult(cv[np.arange(N), :, pred], modality_names=["text", "image", "audio"], target="all",
                        class_values=cv, class_names=["cat", "dog", "owl"], predicted_class=pred)
w = InterSHAPWidget(res)
w
"""

SLICE = """
ws = InterSHAPWidget(res[1000:1010], selected_sample=3)
ws
"""

INTERVALS = """
class WithIntervals(InteractionResult):
    intervals = None
    nan_reason = None

ri = WithIntervals(np.random.default_rng(8).normal(size=(40, 8)), modality_names=["a", "b", "c"])
lo, hi = ri.intershap - 0.014, ri.intershap + 0.014
ri.intervals = {"intershap": (lo, hi), "intershap_local_mean": (ri.intershap_local_mean - 0.02, ri.intershap_local_mean + 0.02),
                "Phi": np.stack([ri.Phi * 0.9, ri.Phi * 1.1]),
                "modality_contributions": np.stack([ri.modality_contributions - 0.01, ri.modality_contributions + 0.01])}
wi = InterSHAPWidget(ri)
display(wi)
rz = WithIntervals(np.zeros((6, 8)), modality_names=["a", "b", "c"])
rz.nan_reason = "the model's output is the same with and without every modality"
InterSHAPWidget(rz)
"""

LONG = """
rng2 = np.random.default_rng(9)
cl = rng2.normal(size=(60, 16, 2))
pl = cl[:, -1, :].argmax(axis=1)
names = ["clinical notes", "clinical notes (discharge summary)", "chest x-ray image", "vital signs time series and more"]
klass = ["no finding whatsoever on the chest radiograph", "pleural effusion with consolidation of the left lower lobe"]
wl = InterSHAPWidget(InteractionResult(cl[np.arange(60), :, pl], modality_names=names, target="all", class_values=cl,
                                       class_names=klass, predicted_class=pl, labels=rng2.integers(0, 2, 60)))
wl
"""


DIGITS = """
rng3 = np.random.default_rng(10)
corners = ["handwritten digit, 4x4 pixel block at " + c for c in ("TL", "TR", "BL", "BR")]
pd = 1 / (1 + np.exp(-(rng3.normal(size=(50, 16)) + np.arange(16) * 0.5)))  # a wall at p = 1, like a good classifier
wd = InterSHAPWidget(InteractionResult(pd, modality_names=corners, target=3, settings={"output": "probability"}))
wd
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    def ready(page):
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.locator(".isw-root").nth(5).locator(".isw-summary").wait_for(timeout=60_000)

    cells = [SETUP, SLICE, INTERVALS, LONG, DIGITS]
    for s in notebook_session(tmp_path_factory.mktemp("nb"), "first_time.ipynb", cells, ready,
                              viewport_height=1400, viewport_width=1800):
        ns: dict = {}
        exec(SETUP.replace("\nw = InterSHAPWidget(res)\nw\n", "\n"), ns)
        roots = s["page"].locator(".isw-root")
        s.update(res=ns["res"], root=roots.nth(0), slice=roots.nth(1), iv=roots.nth(2), zero=roots.nth(3),
                 long=roots.nth(4), digits=roots.nth(5))
        yield s


def _py(s, code):
    return run_python(s["client"], code).strip()


def _wait_py(s, code, expected, timeout=10.0):
    return wait_python(s["client"], code, expected, timeout)


def _pct(x):
    return f"{100 * x:.1f} %"


def test_the_default_view_is_the_predicted_class_with_the_headline_number(session):
    root, res = session["root"], session["res"]
    assert _py(session, "print(w.selected_class)") == "3"
    select = root.locator("select.isw-class")
    expect(select).to_have_value("3")
    expect(select.locator("option").first).to_have_text("predicted class")
    headline = root.locator(".isw-headline")
    expect(headline).to_contain_text(f"InterSHAP {_pct(res.intershap)}")
    assert float(headline.get_attribute("data-value")) == pytest.approx(res.intershap, rel=1e-5)
    assert f"InterSHAP (global) = {_pct(res.intershap)}" in res.summary()  # the same number as the summary
    select.select_option("0")
    expect(headline).to_contain_text(f"InterSHAP {_pct(res.for_class(0).intershap)}")
    assert _wait_py(session, "print(w.selected_class)", "0") == "0"
    select.select_option(label="predicted class")
    expect(headline).to_contain_text(f"InterSHAP {_pct(res.intershap)}")
    expect(root.locator(".isw-summary")).to_contain_text("N 1,500")
    expect(root.locator(".isw-selector")).to_contain_text("1,500 of 1,500 samples active")
    expect(root.locator(".isw-heatmap .isw-title").first).to_contain_text("all 1,500 samples")
    assert session["errors"] == []


def test_enter_in_the_sample_box_applies_it_and_python_changes_refresh_it(session):
    root, page = session["root"], session["page"]
    box = root.locator('input[aria-label="sample number"]')
    box.click()
    box.fill("42")
    box.press("Enter")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "42")
    assert _wait_py(session, "print(w.selected_sample)", "42") == "42"
    expect(box).to_be_focused()  # Enter stayed in the box: the notebook did not take it
    assert page.locator(".jp-Notebook .jp-Cell").count() == 5
    _py(session, "w.selected_sample = 7")  # while the box has focus
    expect(box).to_have_value("7")
    expect(box).to_be_focused()
    box.fill("99999")  # no such sample: the box shows the selected one again
    box.press("Enter")
    expect(box).to_have_value("7")


def test_a_slice_shows_original_sample_numbers(session):
    root = session["slice"]
    root.scroll_into_view_if_needed()
    expect(root.locator(".isw-heatmap .isw-title").nth(1)).to_have_text("φ of sample #1,003")
    expect(root.locator('input[aria-label="sample number (original index)"]')).to_have_value("1003")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("aria-label", re.compile("sample #1,003"))
    box = root.locator('input[aria-label="sample number (original index)"]')
    box.fill("1007")
    box.press("Enter")
    assert _wait_py(session, "print(ws.selected_sample)", "7") == "7"
    expect(root.locator(".isw-heatmap .isw-title").nth(1)).to_have_text("φ of sample #1,007")
    expect(root.locator('.isw-orders tr[data-scope="sample"] th')).to_have_text("sample #1,007")


def _rgb(fill):
    return [int(x) for x in re.findall(r"\d+", fill)]


def test_each_heatmap_has_a_colour_key_that_fits_it(session):
    root, res = session["root"], session["res"]
    _py(session, "w.selected_class = 3; w.selected_indices = []; w.selected_sample = 5")
    keys = root.locator(".isw-key")
    expect(keys).to_have_count(2)
    phi_key, sample_key = keys.nth(0), keys.nth(1)
    assert phi_key.get_attribute("data-signed") == "false" and float(phi_key.get_attribute("data-min")) == 0
    assert float(phi_key.get_attribute("data-max")) == pytest.approx(res.Phi.max(), rel=1e-5)
    assert sample_key.get_attribute("data-signed") == "true"
    big = np.abs(res.phi[5]).max()
    assert float(sample_key.get_attribute("data-min")) == pytest.approx(-big, rel=1e-5)
    assert float(sample_key.get_attribute("data-max")) == pytest.approx(big, rel=1e-5)
    # Φ ≥ 0 is drawn in one hue (no blue); the sample's negative cells are blue
    for q in range(9):
        r, g, b = _rgb(root.locator('.isw-cell[data-panel="global"] rect.isw-fill').nth(q).get_attribute("fill"))
        assert b <= r, "Φ uses a sequential scale"
    neg = [(i, j) for i in range(3) for j in range(3) if res.phi[5, i, j] < 0]
    r, g, b = _rgb(root.locator(f'.isw-cell[data-panel="sample"][data-i="{neg[0][0]}"][data-j="{neg[0][1]}"] rect.isw-fill').get_attribute("fill"))
    assert b > r
    text = root.locator(".isw-heatmap").inner_text()
    assert "Φ = |mean φ|" in text and "never negative" in root.locator(".isw-heatmap .isw-title").first.get_attribute("title")
    assert "Red > 0 > blue" not in text and "Left:" not in text and "right:" not in text
    # every cell of a panel is written in the panel's one unit, with the same decimals
    decimals = {len(t.split(".")[1]) if "." in t else 0
                for t in root.locator('.isw-cell[data-panel="global"] text').all_text_contents() if t not in ("0", "")}
    assert len(decimals) == 1


def test_long_pair_labels_stay_distinguishable_and_class_names_stay_in_their_panel(session):
    root = session["long"]
    root.scroll_into_view_if_needed()
    labels = root.locator(".isw-bars svg").first.locator("text.isw-label")
    shown = [labels.nth(q).text_content() for q in range(labels.count())]
    pairs = [t for t in shown if "×" in t]
    assert len(pairs) == 6 and len(set(pairs)) == 6, pairs
    full = [labels.nth(q).get_attribute("aria-label") for q in range(labels.count())]
    assert "clinical notes × clinical notes (discharge summary)" in full
    for sel in root.locator("select").all():
        box, panel = sel.bounding_box(), sel.evaluate("e => { const r = (e.closest('.isw-panel') || e.closest('.isw-root')).getBoundingClientRect(); return [r.left, r.right]; }")
        assert box["x"] >= panel[0] - 1 and box["x"] + box["width"] <= panel[1] + 1, sel.get_attribute("aria-label")
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / "explorer-long-labels.png"))


_SHOWN = """root => [...root.querySelectorAll('svg text.isw-label')].map(t => ({
  shown: [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(''),
  full: t.getAttribute('aria-label'), where: t.closest('.isw-panel').className}))"""


@pytest.mark.parametrize("width", [800, 1800])
def test_names_sharing_a_long_prefix_stay_distinct_at_any_width(session, width):
    page, root = session["page"], session["digits"]
    page.set_viewport_size({"width": width, "height": 1400})
    page.wait_for_timeout(800)  # the explorer redraws for its new width
    root.scroll_into_view_if_needed()
    labels = root.evaluate(_SHOWN)
    for where in ("isw-heatmap", "isw-bars"):
        mine = [t for t in labels if where in t["where"]]
        assert mine, where
        by_full: dict = {}
        for t in mine:
            by_full.setdefault(t["full"], set()).add(t["shown"])
        shown = [next(iter(v)) for v in by_full.values()]
        assert len(set(shown)) == len(shown), f"{where} at {width} px: {sorted(shown)}"
        for t in mine:  # the corner (the part that tells them apart) is always in view
            for corner in ("TL", "TR", "BL", "BR"):
                if t["full"].endswith(corner) and " × " not in t["full"]:
                    assert t["shown"].endswith(corner), t
    # probabilities piled up at 1: the scatter starts on the log-odds axis, and says so
    canvas = root.locator("canvas.isw-scatter")
    expect(canvas).to_have_attribute("data-x-mode", "log-odds")
    expect(root.locator(".isw-key-unit").first).to_contain_text("P(class 3)")
    expect(root.locator(".isw-wf-unit")).to_contain_text("P(class 3)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / f"explorer-digit-names-{width}.png"))
    page.set_viewport_size({"width": 1800, "height": 1400})


def test_next_and_previous_never_jump_backwards_with_a_brush(session):
    root = session["root"]
    _py(session, "w.selected_indices = [10, 20, 30]; w.selected_sample = 25")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "25")
    nxt, prv = root.locator('button[aria-label="next sample"]'), root.locator('button[aria-label="previous sample"]')
    nxt.click()
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "30")
    expect(nxt).to_be_disabled()  # no brushed sample after 30
    _py(session, "w.selected_sample = 40")
    expect(nxt).to_be_disabled()
    prv.click()
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "30")
    _py(session, "w.selected_sample = 3")
    expect(prv).to_be_disabled()
    nxt.click()
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", "10")
    _py(session, "w.selected_indices = []")
    expect(prv).to_be_enabled()


def test_confidence_intervals_and_no_behaviour(session):
    root, zero = session["iv"], session["zero"]
    root.scroll_into_view_if_needed()
    iv = _py(session, "print(f'{100 * lo:.1f}, {100 * hi:.1f}|{100 * ri.intershap:.1f} %')")
    bounds, score = iv.split("|")
    headline = root.locator(".isw-headline")
    expect(headline).to_have_text(f"InterSHAP {score} [{bounds}]")
    assert "95 % confidence interval" in headline.get_attribute("title")
    cell = root.locator('.isw-cell[data-panel="global"][data-i="0"][data-j="1"]')
    assert re.search(r"\[[-0-9.e]+, [-0-9.e]+\]", cell.get_attribute("aria-label"))
    lo_b = float(_py(session, "print(100 * (ri.modality_contributions[0] - 0.01))"))
    bar = root.locator(".isw-bars rect.isw-bar").first  # the first modality's share, active samples
    assert f"[{lo_b:.1f}, " in bar.get_attribute("aria-label") and "95 % interval" in bar.get_attribute("aria-label")
    # a brushed subset is not what the intervals describe: they go
    _py(session, "wi.selected_indices = [0, 1, 2, 3, 4]")
    expect(headline).not_to_contain_text("[")
    _py(session, "wi.selected_indices = []")
    expect(headline).to_contain_text("[")
    zhead = zero.locator(".isw-headline")
    expect(zhead).to_have_text("InterSHAP no behaviour")
    assert zhead.get_attribute("title") == "the model's output is the same with and without every modality"
    expect(zero.locator(".isw-summary")).to_contain_text("local mean no behaviour")


def test_the_help_guide_opens_and_closes(session):
    root, page = session["root"], session["page"]
    _py(session, "w.selected_indices = []; w.filters = {}")
    guide = root.locator(".isw-help")
    expect(guide).to_be_hidden()
    root.locator(".isw-help-btn").click()
    expect(guide).to_be_visible()
    expect(guide).to_contain_text("Φ (capital phi)")
    expect(guide).to_contain_text("Local InterSHAP")
    page.keyboard.press("Escape")
    expect(guide).to_be_hidden()
    expect(guide).to_contain_text("By interaction order")  # the two breakdowns, told apart
    # the panels' captions: at most one line each, the rest is in the guide
    for what in (".isw-heatmap", ".isw-bars", ".isw-selector", ".isw-orders"):
        captions = root.locator(f"{what} .isw-what")
        expect(captions.first).not_to_be_empty()
        for q in range(captions.count()):
            lines = captions.nth(q).evaluate("e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 14))")
            assert lines <= 2, (what, captions.nth(q).text_content())
    # the order view names the bars' number beside its own, so the two do not disagree silently
    bars_pairs = float(root.locator('.isw-orders tr[data-scope="dataset"] td[data-what="intershap"]').get_attribute("data-value"))
    assert bars_pairs == pytest.approx(float(root.locator(".isw-headline").get_attribute("data-value")), rel=1e-6)


_GRID = """root => {
  const box = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const panel = (s) => { const e = root.querySelector(s); return e ? box(e) : null; };
  return {root: box(root), layout: root.dataset.layout, grid: box(root.querySelector('.isw-grid')),
          panels: [...root.querySelectorAll('.isw-panel')].map(box),
          heat: panel('.isw-heatmap'), bars: panel('.isw-bars'), scatter: panel('.isw-selector'), pair: panel('.isw-pairdist')};
}"""


@pytest.mark.parametrize("width, layouts", [(800, "single"), (1280, "medium|tiered"), (1800, "wide")])
def test_the_layout_uses_the_width_it_is_given(session, width, layouts):
    page, root = session["page"], session["root"]
    _py(session, "w.selected_pair = (0, 1); w.selected_class = 3; w.filters = {}")
    page.set_viewport_size({"width": width, "height": 900})
    try:  # the explorer lays itself out again for its new width
        root.evaluate("(e, ok) => new Promise((res, rej) => { const t0 = Date.now(); const f = () => new RegExp(ok).test(e.dataset.layout)"
                      " ? res() : Date.now() - t0 > 10000 ? rej() : setTimeout(f, 50); f(); })", f"^({layouts})$")
    except Exception:
        pytest.fail(f"layout {root.get_attribute('data-layout')} at {width} px ({root.get_attribute('data-room')})")
    page.wait_for_timeout(400)
    root.scroll_into_view_if_needed()
    g = root.evaluate(_GRID)
    for left, top, right, bottom in g["panels"]:
        assert left >= g["root"][0] - 1 and right <= g["root"][2] + 1, f"a panel sticks out at {width} px"
    height = g["root"][3] - g["root"][1]
    linked = [g["heat"], g["bars"], g["scatter"], g["pair"]]
    if width >= 1280:
        # the linked views within one screen (900 px), the grid filling the width
        assert max(b[3] for b in linked) - g["root"][1] <= 900, f"{height:.0f} px tall at {width} px"
        assert g["grid"][2] - g["root"][0] >= 0.85 * (g["root"][2] - g["root"][0]), "a large empty band on the right"
    else:
        assert height < 1600, f"{height:.0f} px tall at 800 px"
        assert g["scatter"][1] < g["bars"][1], "the scatter comes right after the heatmaps"
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / f"explorer-{width}-light.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    expect(root).to_have_class(re.compile("isw-dark"), timeout=20_000)
    page.wait_for_timeout(300)
    root.screenshot(path=str(SHOTS / f"explorer-{width}-dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    expect(root).not_to_have_class(re.compile("isw-dark"), timeout=20_000)
    page.set_viewport_size({"width": 1800, "height": 1400})
    assert session["errors"] == []
