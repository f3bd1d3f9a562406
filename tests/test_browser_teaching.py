"""The teaching widget in a real headless JupyterLab, driven by Debian's Chromium:
edit a coalition value, pick a preset, click a matrix cell and read its terms, with
Python's traits following. Same set-up as ``test_browser.py`` (same xdist group, so
the two JupyterLab servers never run at the same time)."""

from __future__ import annotations

import json
import os
import pathlib
import time

import numpy as np
import pytest
from _lab import require_browser
from intershap_widget.views import teaching as _teaching
from intershap_widget.maths.games import interaction_matrices

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = pathlib.Path(os.environ.get("ISW_SCREENSHOTS", ROOT / "build" / "browser"))

require_browser(_teaching._BUNDLE)

from playwright.sync_api import expect  # noqa: E402

from _lab import notebook_session, run_python, wait_python  # noqa: E402

pytestmark = pytest.mark.xdist_group("jupyterlab")

SETUP = """
from intershap_widget.views.teaching import ShapleyGameWidget, preset_values
g = ShapleyGameWidget("xor", ["A", "B", "C"])
g
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    def ready(page):
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.locator(".isw-game").first.wait_for(timeout=30_000)

    for s in notebook_session(tmp_path_factory.mktemp("nb"), "game.ipynb", [SETUP], ready):
        s["root"] = s["page"].locator(".isw-game").first
        yield s


def _py(s, code):
    return run_python(s["client"], code).strip()


def _wait_py(s, code, expected, timeout=10.0):
    return wait_python(s["client"], code, expected, timeout)


def _matrix(root):
    cells = root.locator(".isw-cell")
    n = cells.count()
    m = int(round(n**0.5))
    out = np.zeros((m, m))
    for q in range(n):
        c = cells.nth(q)
        out[int(c.get_attribute("data-i")), int(c.get_attribute("data-j"))] = float(c.get_attribute("data-value"))
    return out


def _phi_py(s):
    return np.array(json.loads(_py(s, "import json; print(json.dumps(g.phi.tolist()))")))


def _expect_matrix(s, expected, timeout=10.0):
    deadline = time.time() + timeout
    got = _matrix(s["root"])
    while not np.allclose(got, expected, atol=1e-12) and time.time() < deadline:
        time.sleep(0.1)
        got = _matrix(s["root"])
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_shows_the_games_matrix_shapley_values_and_intershap(session):
    root = session["root"]
    _expect_matrix(session, _phi_py(session))
    assert root.locator(".isw-coal-input").count() == 8
    expect(root.locator('.isw-coal-input[data-mask="5"]')).to_have_attribute("aria-label", "v({A, C})")
    bars = root.locator(".isw-game-shapley rect.isw-bar")
    shap = json.loads(_py(session, "print(json.dumps(g.shapley.tolist()))"))
    assert [float(bars.nth(i).get_attribute("data-value")) for i in range(3)] == pytest.approx(shap, abs=1e-12)
    inter = float(_py(session, "print(repr(g.intershap))"))
    assert float(root.locator(".isw-game-intershap b").get_attribute("data-value")) == pytest.approx(inter, abs=1e-12)
    assert session["errors"] == []


def test_editing_a_coalition_value_changes_the_matrix_and_python(session):
    root = session["root"]
    _py(session, 'g.preset = "xor"; g.selected_pair = (0, 1)')
    expect(root.locator("select.isw-preset")).to_have_value("xor")
    before = _matrix(root)
    root.locator('.isw-coal-input[data-mask="3"]').fill("0.8")  # v({A, B})
    v = [0, 0, 0, 0.8, 0, 0, 0, 1]
    expected = interaction_matrices(np.array(v))[0]
    _expect_matrix(session, expected)
    assert not np.allclose(before, expected)
    assert _wait_py(session, "print(g.values[3], g.preset)", "0.8 custom") == "0.8 custom"
    np.testing.assert_allclose(_phi_py(session), _matrix(root), atol=1e-12)
    expect(root.locator("select.isw-preset")).to_have_value("custom")
    # the terms table of the selected pair (A, B) follows: ∇(∅) = v(AB) = 0.8, ∇({C}) = v(ABC) - v(AC) - v(BC) + v(C) = 1
    expect(root.locator(".isw-terms tbody tr")).to_have_count(2)
    expect(root.locator(".isw-terms tbody td.isw-nabla")).to_have_text(["0.8", "1"])


def test_choosing_a_preset(session):
    root = session["root"]
    root.locator("select.isw-preset").select_option("or")
    assert _wait_py(session, "print(g.preset, g.values == preset_values('or', 3).tolist())", "or True") == "or True"
    _expect_matrix(session, _phi_py(session))
    expect(root.locator(".isw-preset-about")).to_contain_text("redundancy")
    expect(root.locator('.isw-coal-input[data-mask="7"]')).to_have_value("1")


def test_clicking_a_cell_shows_the_terms_that_add_up_to_it(session):
    root, page = session["root"], session["page"]
    _py(session, 'g.preset = "and"')
    expect(root.locator("select.isw-preset")).to_have_value("and")
    root.locator('.isw-cell[data-i="2"][data-j="0"]').click()
    assert _wait_py(session, "print(g.selected_pair)", "(0, 2)") == "(0, 2)"
    expect(root.locator(".isw-game-terms .isw-title")).to_contain_text("φ[A, C]")
    rows = root.locator(".isw-terms tbody tr")
    expect(rows).to_have_count(2)  # S = ∅ and S = {B}
    ref = json.loads(_py(session, "print(json.dumps(g.terms(0, 2)))"))
    got = [float(rows.nth(q).locator("td").last.get_attribute("data-value")) for q in range(2)]
    assert got == pytest.approx([r["term"] for r in ref], abs=1e-12)
    total = float(root.locator(".isw-terms .isw-sum").get_attribute("data-value"))
    assert total == pytest.approx(float(_py(session, "print(float(g.phi[0, 2]))")), abs=1e-12)
    # hovering a row lights up its four coalitions with their signs: {A,B,C}+ {A,B}- {B,C}- {B}+
    rows.nth(1).hover()
    lit = root.locator(".isw-coal.isw-hl")
    expect(lit).to_have_count(4)
    assert sorted(int(lit.nth(q).get_attribute("data-mask")) for q in range(4)) == [2, 3, 6, 7]
    expect(root.locator('.isw-coal[data-mask="3"] .isw-coal-sign')).to_have_text("−")
    expect(root.locator('.isw-coal[data-mask="7"] .isw-coal-sign')).to_have_text("+")
    # and hovering a coalition lights up the table rows that use it
    root.locator('.isw-coal[data-mask="5"] .isw-coal-label').hover()  # {A, C}: only S = ∅
    expect(root.locator(".isw-terms tbody tr.isw-hl")).to_have_count(1)
    expect(root.locator(".isw-terms tbody tr.isw-hl")).to_have_attribute("data-mask", "0")
    page.mouse.move(5, 5)
    # a diagonal cell: Shapley terms and the main effect
    root.locator('.isw-cell[data-i="1"][data-j="1"]').click()
    expect(root.locator(".isw-terms tbody tr")).to_have_count(4)
    main = float(root.locator(".isw-main-value").get_attribute("data-value"))
    assert main == pytest.approx(float(_py(session, "print(float(g.phi[1, 1]))")), abs=1e-12)
    SHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SHOTS / "teaching-light.png"))


def test_python_sets_values_and_players(session):
    root = session["root"]
    _py(session, "g.values = [0, 1, 2, 5, 0.5, 1, 3, 4]")
    _expect_matrix(session, _phi_py(session))
    expect(root.locator('.isw-coal-input[data-mask="6"]')).to_have_value("3")
    _py(session, 'g.players = ["text", "image", "audio", "tabular"]')
    expect(root.locator(".isw-coal-input")).to_have_count(16)
    expect(root.locator('.isw-coal-input[data-mask="9"]')).to_have_attribute("aria-label", "v({text, tabular})")
    _expect_matrix(session, _phi_py(session))
    # fewer players from the front end
    root.locator("select.isw-nplayers").select_option("2")
    assert _wait_py(session, "print(g.players, len(g.values))", "['text', 'image'] 4") == "['text', 'image'] 4"
    expect(root.locator(".isw-cell")).to_have_count(4)
    _expect_matrix(session, _phi_py(session))


def test_arrow_keys_move_a_slider_in_jupyterlab(session):
    root = session["root"]
    _py(session, 'g.players = ["A", "B", "C"]; g.preset = "xor"')
    expect(root.locator(".isw-coal-input")).to_have_count(8)
    slider = root.locator('.isw-coal-slider[data-mask="3"]')  # v({A, B}) = 0, step 0.05
    slider.focus()
    for _ in range(3):
        session["page"].keyboard.press("ArrowRight")
    assert _wait_py(session, "print(round(g.values[3], 6))", "0.15") == "0.15"
    session["page"].keyboard.press("ArrowLeft")
    assert _wait_py(session, "print(round(g.values[3], 6))", "0.1") == "0.1"
    expect(root.locator('.isw-coal-input[data-mask="3"]')).to_have_value("0.1")
    # the notebook did not take the keys: still one cell, still selected, no new cell
    assert session["page"].locator(".jp-Notebook .jp-Cell").count() == 1


def test_a_game_set_from_python_that_equals_a_preset_reads_as_it(session):
    root = session["root"]
    _py(session, 'g.values = [0, 1, 1, 1, 1, 1, 1, 2]')
    expect(root.locator("select.isw-preset")).to_have_value("custom")
    expect(root.locator("select.isw-preset option:checked")).to_have_text("custom")
    _py(session, 'g.values = preset_values("majority", 3).tolist()')
    expect(root.locator("select.isw-preset")).to_have_value("majority")
    expect(root.locator(".isw-preset-about")).to_contain_text("majority")
    # typing the values of a preset back in the front end reads as the preset, too
    _py(session, 'g.values = [0, 0, 0, 0.5, 0, 0, 0, 1]')
    expect(root.locator("select.isw-preset")).to_have_value("custom")
    root.locator('.isw-coal-input[data-mask="3"]').fill("0")
    expect(root.locator("select.isw-preset")).to_have_value("xor")
    assert _wait_py(session, "print(g.preset)", "xor") == "xor"
    # no raw TeX-like text anywhere in the widget
    assert "_{" not in root.inner_text()


def test_dark_theme(session):
    page, root = session["page"], session["root"]
    _py(session, 'g.players = ["A", "B", "C"]; g.preset = "xor"; g.selected_pair = (0, 1)')
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    expect(root).to_have_class("isw-root isw-game isw-dark", timeout=20_000)
    _expect_matrix(session, _phi_py(session))
    page.wait_for_timeout(300)
    root.screenshot(path=str(SHOTS / "teaching-dark.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    expect(root).to_have_class("isw-root isw-game", timeout=20_000)
    assert session["errors"] == []
