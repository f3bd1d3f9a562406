"""The teaching widget ShapleyGameWidget: presets, traits, the terms table, and the
front end's math (js/game.js, run with node) against intershap_widget.maths.games."""

from __future__ import annotations

import base64
import io
import itertools
import json
import pathlib
import shutil
import subprocess
from math import factorial

import numpy as np
import pytest
import traitlets

import intershap_widget as isw
from intershap_widget.views import teaching
from intershap_widget.maths.games import interaction_matrices, shapley_values
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.teaching import PRESETS, ShapleyGameWidget, pair_terms, preset_values, resize_game

ROOT = pathlib.Path(__file__).resolve().parents[1]
NODE = shutil.which("node")


def gate_game(gate, m):
    """v(S) = E[gate(x) | x_S = 1], x_i fair coins (a perfect model explained at the
    all-true input with the absent players averaged out), centred and scaled to v(N) = 1."""
    xs = np.array(list(itertools.product([0, 1], repeat=m)))  # all 2**M inputs
    out = gate(xs)
    v = np.array([out[(xs[:, [i for i in range(m) if s >> i & 1]] == 1).all(axis=1)].mean() for s in range(1 << m)])
    v = v - v[0]
    return v / v[-1]


@pytest.mark.parametrize("m", [2, 3, 4])
def test_gate_presets_are_the_games_of_perfect_gate_models(m):
    np.testing.assert_allclose(preset_values("xor", m), gate_game(lambda x: x.sum(axis=1) % 2, m), atol=1e-12)
    np.testing.assert_allclose(preset_values("and", m), gate_game(lambda x: x.all(axis=1), m), atol=1e-12)
    np.testing.assert_allclose(preset_values("or", m), gate_game(lambda x: x.any(axis=1), m), atol=1e-12)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_other_presets_follow_their_definitions(m):
    for s in range(1 << m):
        members = [i for i in range(m) if s >> i & 1]
        assert preset_values("additive", m)[s] == sum(i + 1 for i in members)
        assert preset_values("majority", m)[s] == (len(members) > m / 2)
        assert preset_values("redundant", m)[s] == (0 in members or 1 in members) + sum(i >= 2 for i in members)
    np.testing.assert_allclose(shapley_values(preset_values("additive", m))[0], np.arange(1, m + 1))
    with pytest.raises(ValueError, match="unknown preset"):
        preset_values("nand", m)
    with pytest.raises(ValueError, match="2 to 4 players"):
        preset_values("xor", 5)


# 2 players, by hand: φ_AB = (v(AB) - v(A) - v(B) + v(∅)) / 2, φ_A = (v(A) - v(∅) + v(AB) - v(B)) / 2
HAND = {
    "xor": ([0, 0, 0, 1], [0.5, 0.5], [[0, 0.5], [0.5, 0]], 1.0),
    "and": ([0, 1 / 3, 1 / 3, 1], [0.5, 0.5], [[1 / 3, 1 / 6], [1 / 6, 1 / 3]], 1 / 3),
    "or": ([0, 1, 1, 1], [0.5, 0.5], [[1, -0.5], [-0.5, 1]], 1 / 3),
    "additive": ([0, 1, 2, 3], [1, 2], [[1, 0], [0, 2]], 0.0),
}


@pytest.mark.parametrize("name", list(HAND))
def test_two_player_presets_by_hand(name):
    values, shap, phi, inter = HAND[name]
    w = ShapleyGameWidget(name, ["A", "B"])
    np.testing.assert_allclose(w.values, values, atol=1e-15)
    np.testing.assert_allclose(w.shapley, shap, atol=1e-12)
    np.testing.assert_allclose(w.phi, phi, atol=1e-12)
    assert w.intershap == pytest.approx(inter, abs=1e-12)
    assert w.preset == name and w.n_players == 2


def test_traits_follow_each_other():
    w = ShapleyGameWidget("xor", ["A", "B", "C"])
    assert w.selected_pair == (0, 1) and len(w.values) == 8
    w.preset = "or"
    np.testing.assert_array_equal(w.values, preset_values("or", 3))
    w.values = [0, 1, 1, 1, 1, 1, 1, 2]  # an edit: no longer OR
    assert w.preset == "custom"
    np.testing.assert_allclose(w.phi, interaction_matrices(np.array(w.values))[0])
    w.players = ["A", "B", "C", "D"]  # a custom game gets a null player
    assert len(w.values) == 16 and w.preset == "custom"
    assert w.shapley[3] == pytest.approx(0) and w.shapley[:3] == pytest.approx(shapley_values(np.array([0, 1, 1, 1, 1, 1, 1, 2.0]))[0])
    w.preset = "majority"
    w.selected_pair = (2, 3)
    w.players = ["x", "y"]  # a preset is re-derived for the new size; the pair is dropped
    assert w.values == [0, 0, 0, 1] and w.selected_pair == () and w.preset == "majority"
    w.players = ["left", "right"]  # renaming keeps the game
    assert w.values == [0, 0, 0, 1] and w.result.modality_names == ["left", "right"]


def test_front_end_state_updates_are_validated_together():
    w = ShapleyGameWidget("and", ["A", "B"])
    # what the front end sends when the user picks 3 players: all three traits at once
    w.set_state({"players": ["A", "B", "C"], "values": preset_values("and", 3).tolist(), "selected_pair": [1, 2]})
    assert w.n_players == 3 and w.preset == "and" and w.selected_pair == (1, 2)
    w.set_state({"values": [0, 0, 0, 1, 0, 1, 1, 5], "preset": "custom"})
    assert w.preset == "custom" and w.values[-1] == 5


@pytest.mark.parametrize("bad, message", [
    (dict(values=[0, 1, 2]), "2\\*\\*M = 8"),
    (dict(values=[0, 1, 2, 3, 4, 5, 6, float("nan")]), "finite"),
    (dict(players=["A"]), "2 to 4"),
    (dict(players=["A", "A"]), "distinct"),
    (dict(preset="nand"), "unknown preset"),
    (dict(selected_pair=(0, 3)), "selected_pair"),
])
def test_bad_traits_say_what_to_change(bad, message):
    w = ShapleyGameWidget("xor", ["A", "B", "C"])
    (name, value), = bad.items()
    with pytest.raises(traitlets.TraitError, match=message):
        setattr(w, name, value)


def test_custom_values_and_player_count():
    v = np.arange(8.0)
    w = ShapleyGameWidget(values=v, players=3)
    assert w.preset == "custom" and w.players == ["A", "B", "C"]
    assert v.tolist() == list(range(8))  # not modified
    np.testing.assert_allclose(resize_game(resize_game(v, 4), 3), v)


def test_pair_terms_add_up_to_phi():
    rng = np.random.default_rng(0)
    for m in (2, 3, 4):
        v = rng.normal(size=1 << m)
        phi = interaction_matrices(v)[0]
        for i, j in itertools.permutations(range(m), 2):
            rows = pair_terms(v, i, j)
            assert len(rows) == 2 ** (m - 2)
            assert sum(r["term"] for r in rows) == pytest.approx(phi[i, j], abs=1e-12)
            for r in rows:
                k = bin(r["S"]).count("1")
                assert r["weight"] == factorial(k) * factorial(m - k - 2) / (2 * factorial(m - 1))
    with pytest.raises(ValueError, match="two different players"):
        pair_terms(np.zeros(4), 1, 1)


def test_static_fallback_has_png_of_phi_and_a_text_summary():
    w = ShapleyGameWidget("or", ["text", "image"])
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    from PIL import Image

    img = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert img.size[0] > 200 and img.size[1] > 200
    text = data["text/plain"]
    assert "preset 'or'" in text and "Shapley values: text 0.5, image 0.5" in text and "InterSHAP = 33.3 %" in text
    assert "{text, image}" in text


def test_lazy_export_and_missing_front_end(monkeypatch, tmp_path):
    assert isw.ShapleyGameWidget is ShapleyGameWidget
    monkeypatch.setattr(teaching, "_BUNDLE", tmp_path / "nowhere.js")
    with pytest.raises(ImportError, match="npm run build"):
        ShapleyGameWidget()


@pytest.mark.skipif(NODE is None, reason="node is needed to run the front end's math")
def test_front_end_math_matches_python(tmp_path):
    rng = np.random.default_rng(1)
    games = [rng.normal(size=1 << m).tolist() for m in (2, 3, 4, 4)]
    games += [preset_values(p, m).tolist() for p in PRESETS for m in (2, 3, 4)]
    script = f"""
import * as g from {json.dumps((ROOT / 'js' / 'game.js').as_uri())};
const games = {json.dumps(games)};
const out = games.map((v) => {{
  const m = g.nPlayers(v.length);
  const terms = {{}};
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j)
    terms[`${{i}},${{j}}`] = g.pairTerms(v, i, j).map((r) => [r.S, r.weight.value, r.nabla, r.contribution]);
  const phi = g.interactionMatrix(v);
  return {{ shapley: Array.from(g.shapleyValues(v)), phi: Array.from(phi), inter: g.gameIntershap(phi), terms }};
}});
const presets = {{}};
for (const name of Object.keys(g.PRESETS)) presets[name] = [2, 3, 4].map((m) => Array.from(g.presetValues(name, m)));
console.log(JSON.stringify({{ out, presets, about: g.PRESETS }}));
"""
    (tmp_path / "run.mjs").write_text(script)
    got = json.loads(subprocess.run([NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True, check=True).stdout)
    for v, g in zip(games, got["out"]):
        m = int(np.log2(len(v)))
        res = InteractionResult(np.array([v]))
        np.testing.assert_allclose(g["shapley"], shapley_values(np.array(v))[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(np.reshape(g["phi"], (m, m)), res.phi[0], rtol=1e-12, atol=1e-12)
        if np.isfinite(res.intershap):
            assert g["inter"] == pytest.approx(res.intershap, rel=1e-12)
        for key, rows in g["terms"].items():
            i, j = map(int, key.split(","))
            ref = pair_terms(np.array(v), i, j)
            np.testing.assert_allclose(np.array(rows), [[r["S"], r["weight"], r["nabla"], r["term"]] for r in ref],
                                       rtol=1e-12, atol=1e-12)
    for name in PRESETS:
        for m, vals in zip((2, 3, 4), got["presets"][name]):
            np.testing.assert_array_equal(vals, preset_values(name, m))
    assert got["about"] == PRESETS  # one description, shown in the widget and documented in Python


def test_values_equal_to_a_preset_read_as_that_preset():
    from intershap_widget.views.teaching import detect_preset

    w = ShapleyGameWidget("xor", ["A", "B", "C"])
    w.values = [0, 1, 1, 1, 1, 1, 1, 2]
    assert w.preset == "custom"
    w.values = preset_values("majority", 3).tolist()  # set from Python: a known game again
    assert w.preset == "majority"
    assert ShapleyGameWidget(values=preset_values("and", 3), players=3).preset == "and"
    assert detect_preset(preset_values("xor", 2), prefer="majority") == "majority"  # equal for M = 2
    assert detect_preset(preset_values("xor", 2)) == "xor"
    assert detect_preset([0, 1, 2, 4]) == "custom"
