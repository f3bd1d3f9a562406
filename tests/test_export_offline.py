"""Offline HTML export: an exported notebook's anywidget renders and reacts with no network.

Runs a real kernel (nbclient) and Debian's Chromium through Playwright. Every request
that is not file:, data: or blob: is aborted and recorded; the test asserts there were
none. A control export with nbconvert's stock lab template shows the blocking bites.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from _scatter import pixels, separated

nbformat = pytest.importorskip("nbformat", reason="needs the 'dev' extra (nbformat, nbclient, nbconvert)")
nbclient = pytest.importorskip("nbclient", reason="needs the 'dev' extra")
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the 'dev' extra (playwright)")

from intershap_widget.views import export  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(export.__file__).resolve().parents[1]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
]

COUNTER_CELL = '''import anywidget, traitlets

class Counter(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const btn = document.createElement("button");
      btn.className = "isw-test-counter";
      const show = () => { btn.textContent = `count is ${model.get("value")}`; };
      btn.addEventListener("click", () => { model.set("value", model.get("value") + 1); model.save_changes(); });
      model.on("change:value", show);
      show();
      el.appendChild(btn);
    }
    export default { render };
    """
    value = traitlets.Int(41).tag(sync=True)

Counter()'''

# the %intershap side-by-side layout with a stand-in explorer that shows `selected_sample`
MAGIC_CELL = '''import sys
sys.path.insert(0, {root!r})
import numpy as np
import intershap_widget as isw
from intershap_widget.views import magic as _magic

class Picker(anywidget.AnyWidget):
    _esm = """
    function render({{ model, el }}) {{
      const btn = document.createElement("button");
      btn.className = "isw-test-picker";
      const show = () => {{ btn.textContent = `sample ${{model.get("selected_sample")}}`; }};
      btn.addEventListener("click", () => {{
        model.set("selected_sample", model.get("selected_sample") + 1); model.save_changes(); }});
      model.on("change:selected_sample", show);
      show();
      el.appendChild(btn);
    }}
    export default {{ render }};
    """
    selected_sample = traitlets.Int(0).tag(sync=True)
    def __init__(self, result):
        super().__init__()

_magic.widget_class_override = Picker
rng = np.random.default_rng(0)
res_early = isw.InteractionResult(rng.normal(size=(4, 4)))
res_late = isw.InteractionResult(rng.normal(size=(4, 4)))
%load_ext intershap_widget
%intershap early=res_early late=res_late'''


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory) -> Path:
    """A notebook with two anywidget counters, executed so it carries widget state."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Offline export test\nSome math: $a^2 + b^2$."),
            nbformat.v4.new_code_cell(COUNTER_CELL),
            nbformat.v4.new_code_cell("Counter(value=7)"),
            nbformat.v4.new_code_cell(MAGIC_CELL.format(root=str(ROOT))),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert "widgets" in nb.metadata, "nbclient did not store the widget state"
    path = tmp_path_factory.mktemp("nb") / "counter.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium (see .ci/run)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_offline(browser, html: Path):
    """Open ``html`` from disk with every non-file request aborted; returns (page, blocked, errors)."""
    ctx = browser.new_context()
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: None if r.url in blocked else errors.append(f"failed: {r.url}"))
    page.goto(html.resolve().as_uri())
    return page, blocked, errors


def check_counters_work(page) -> None:
    page.wait_for_function("document.querySelectorAll('button.isw-test-counter').length === 2", timeout=20000)
    buttons = page.query_selector_all("button.isw-test-counter")
    assert [b.text_content() for b in buttons] == ["count is 41", "count is 7"]
    buttons[0].click()
    buttons[0].click()
    page.wait_for_function(
        "document.querySelector('button.isw-test-counter').textContent === 'count is 43'", timeout=5000
    )
    assert buttons[1].text_content() == "count is 7"


def test_export_html_renders_widgets_with_no_network(executed_notebook, browser, tmp_path):
    out = export.export_html(executed_notebook, tmp_path / "shared.html")
    text = out.read_text(encoding="utf-8")
    # one file, no external script, the bundle inlined once
    assert "<script src=" not in text.replace('src="javascript:0"', "")
    assert text.count('data-intershap-offline="widgets"') == 1
    assert text.count("/* ---- @jupyter-widgets/html-manager embed-amd.js ---- */") == 1
    assert out.stat().st_size < 6_000_000
    page, blocked, errors = open_offline(browser, out)
    check_counters_work(page)
    # %intershap early=... late=...: two explorers side by side, selection linked in the page
    pickers = page.query_selector_all("button.isw-test-picker")
    assert [p.text_content() for p in pickers] == ["sample 0", "sample 0"]
    assert "early" in page.inner_text(".widget-hbox") and "late" in page.inner_text(".widget-hbox")
    pickers[1].click()
    page.wait_for_function(
        "[...document.querySelectorAll('button.isw-test-picker')].every(b => b.textContent === 'sample 1')",
        timeout=5000,
    )
    assert blocked == []
    assert errors == []
    page.context.close()


def test_nbconvert_cli_with_the_template(executed_notebook, browser, tmp_path):
    """`jupyter nbconvert --to html --template intershap_offline` (template dir on the path)."""
    cmd = [
        sys.executable, "-m", "nbconvert", "--to", "html", "--template", export.TEMPLATE_NAME,
        f"--TemplateExporter.extra_template_basedirs={export.template_dir()}",
        "--output-dir", str(tmp_path), str(executed_notebook),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    out = tmp_path / "counter.html"
    page, blocked, errors = open_offline(browser, out)
    check_counters_work(page)
    assert blocked == [] and errors == []
    page.context.close()


def test_stock_template_needs_the_network(executed_notebook, browser, tmp_path):
    """Control: nbconvert's own lab template loads the widget scripts from CDNs."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(executed_notebook, 4))
    out = tmp_path / "stock.html"
    out.write_text(body, encoding="utf-8")
    page, blocked, _ = open_offline(browser, out)
    page.wait_for_timeout(1500)
    assert any("require" in u for u in blocked), blocked
    assert page.query_selector("button.isw-test-counter") is None
    page.context.close()


def test_export_html_checks_its_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebook"):
        export.export_html(tmp_path / "missing.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    with pytest.warns(UserWarning, match="no widget state"):
        out = export.export_html(path)
    assert out == tmp_path / "plain.html" and "data-intershap-offline" not in out.read_text()
    with pytest.raises(ValueError, match="theme"):
        export.export_html(path, theme="blue")
    with pytest.warns(UserWarning):
        dark = export.export_html(path, tmp_path / "dark.html", theme="dark")
    assert 'data-jp-theme-light="false"' in dark.read_text()


def test_anywidget_module_is_registered_by_name():
    script = export.offline_widget_script()
    assert script.count('define("anywidget", [') == 1
    assert "</script" not in script
    with pytest.raises(RuntimeError, match="anonymous define"):
        export._named_anywidget_module("console.log(1)")



@pytest.mark.xdist_group("quickstart")
def test_exported_quickstart_is_linked_offline(executed_quickstart, browser, tmp_path):
    """notebooks/01_quickstart, executed and exported: the explorer shows the result's Φ and,
    with no kernel and no network, a sample clicked in the scatter drives the other views."""
    import numpy as np

    import intershap_widget as isw

    expect = playwright_api.expect
    path, saved, _ = executed_quickstart
    res = isw.load_result(saved)
    out = export.export_html(path, tmp_path / "quickstart.html")
    text = out.read_text(encoding="utf-8")
    assert text.count("/* ---- @jupyter-widgets/html-manager embed-amd.js ---- */") == 1
    assert out.stat().st_size < 6_000_000

    page, blocked, errors = open_offline(browser, out)
    page.set_viewport_size({"width": 1280, "height": 1400})
    root = page.locator(".isw-root")
    root.wait_for(timeout=30_000)
    expect(root).to_have_count(1)
    m = res.n_modalities
    cells = root.locator('.isw-cell[data-panel="global"]')
    expect(cells).to_have_count(m * m)
    for k in range(m * m):
        i, j = int(cells.nth(k).get_attribute("data-i")), int(cells.nth(k).get_attribute("data-j"))
        assert float(cells.nth(k).get_attribute("data-value")) == pytest.approx(res.Phi[i, j], rel=1e-5, abs=1e-7)

    # click a well-separated sample in the scatter (x: its axis, y: local InterSHAP)
    page.wait_for_timeout(600)  # the explorer lays itself out again for the new width
    canvas = root.locator("canvas.isw-scatter")
    canvas.scroll_into_view_if_needed()
    ok = np.isfinite(res.intershap_local) & (np.abs(res.phi[:, 0, 1]) > 1e-3)
    x, y = pixels(canvas, res.prediction, res.intershap_local)
    target = separated(x, y, ok)
    assert target != 0
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + float(x[target]), box["y"] + float(y[target]))
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(target))
    # zoomed in with the wheel, a sample is still picked where it is drawn; reset goes back
    page.mouse.move(box["x"] + float(x[target]), box["y"] + float(y[target]))
    page.mouse.wheel(0, -600)
    expect(canvas).not_to_have_attribute("data-view", "1,0,1,0")
    page.wait_for_timeout(200)
    x, y = pixels(canvas, res.prediction, res.intershap_local)
    other = separated(x, y, ok & (np.arange(len(x)) != target), box=(50, box["width"] - 12, 12, box["height"] - 36))
    page.mouse.click(box["x"] + float(x[other]), box["y"] + float(y[other]))
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(other))
    reset = root.locator('button[aria-label="reset the zoom"]')
    expect(reset).to_be_enabled()
    reset.click()
    expect(canvas).to_have_attribute("data-view", "1,0,1,0")
    expect(reset).to_be_disabled()
    # the rank axis spreads every sample out: pick one there, then back to the first
    root.locator("select.isw-axis-mode").select_option("rank")
    expect(canvas).to_have_attribute("data-x-mode", "rank")
    x, y = pixels(canvas, res.prediction, res.intershap_local)
    ranked = separated(x, y, ok & (np.arange(len(x)) != other))
    page.mouse.click(box["x"] + float(x[ranked]), box["y"] + float(y[ranked]))
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(ranked))
    root.locator('input[aria-label="sample number"]').fill(str(target))
    root.locator('input[aria-label="sample number"]').press("Enter")
    expect(root.locator(".isw-selected-mark")).to_have_attribute("data-sample", str(target))
    # the sample's heatmap now shows this sample's signed φ, the waterfall its prediction
    sample_cells = root.locator('.isw-cell[data-panel="sample"]')
    for k in range(m * m):
        c = sample_cells.nth(k)
        i, j = int(c.get_attribute("data-i")), int(c.get_attribute("data-j"))
        expect(c).to_have_attribute("data-value", re.compile(r"^-?[0-9.e+-]+$"))
        assert float(c.get_attribute("data-value")) == pytest.approx(res.phi[target, i, j], rel=1e-4, abs=1e-6)
    # picking a pair in the global map highlights its bars and opens its distribution
    root.locator('.isw-cell[data-panel="global"][data-i="0"][data-j="1"]').click()
    expect(root.locator(".isw-pairdist .isw-title")).to_contain_text(" × ")
    line = root.locator(".isw-sample-line")
    assert float(line.get_attribute("data-value")) == pytest.approx(res.phi[target, 0, 1], rel=1e-4, abs=1e-6)
    assert blocked == [] and errors == []
    page.context.close()
