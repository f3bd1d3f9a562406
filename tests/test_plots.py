"""Content tests of the static plots: what is drawn must equal the result's numbers."""

from __future__ import annotations

import base64
import io
import itertools
import struct

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from PIL import Image  # noqa: E402

from intershap_widget import InteractionResult  # noqa: E402
from intershap_widget.views import plots  # noqa: E402
from intershap_widget.views.plots import _style  # noqa: E402

NAMES3 = ["image", "text", "audio"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def random_result(m: int = 3, n: int = 40, seed: int = 0) -> InteractionResult:
    rng = np.random.default_rng(seed)
    names = NAMES3 if m == 3 else [f"mod{i}" for i in range(m)]
    return InteractionResult(rng.normal(size=(n, 2**m)), modality_names=names)


def game_result(values_of_coalition, m: int, names=None) -> InteractionResult:
    """One-sample result whose coalition values come from a Python function of the set."""
    v = np.array([[values_of_coalition({i for i in range(m) if s >> i & 1}) for s in range(2**m)]])
    return InteractionResult(v, modality_names=names)


def cell_texts(ax, m):
    by_gid = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    return np.array([[float(by_gid[f"cell-{i}-{j}"].split("\n")[0]) for j in range(m)] for i in range(m)])


# ----------------------------------------------------------------------- heatmap
@pytest.mark.parametrize("m", [2, 3, 4])
def test_heatmap_global_cells_labels_and_values(m):
    res = random_result(m, seed=m)
    fig, ax = plots.heatmap(res)
    assert len(ax.images) == 1
    drawn = np.asarray(ax.images[0].get_array())
    assert drawn.shape == (m, m)
    np.testing.assert_allclose(drawn, res.Phi)
    assert [t.get_text() for t in ax.get_xticklabels()] == res.modality_names
    assert [t.get_text() for t in ax.get_yticklabels()] == res.modality_names
    cells = [t for t in ax.texts if (t.get_gid() or "").startswith("cell-")]
    assert len(cells) == m * m
    # annotated values equal Φ to the printed precision (3 decimals for values < 1)
    np.testing.assert_allclose(cell_texts(ax, m), res.Phi, atol=5.1e-4)
    # global Φ is non-negative: sequential palette from 0
    assert ax.images[0].norm.vmin == 0
    assert ax.images[0].norm.vmax == pytest.approx(res.Phi.max())
    assert to_hex(ax.images[0].cmap(0.0)) == _style.SEQUENTIAL[0]


def test_heatmap_shares_in_annotations():
    res = random_result(3, seed=5)
    _, ax = plots.heatmap(res)
    by_gid = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    total = res.Phi.sum()
    for i, j in itertools.product(range(3), repeat=2):
        share = float(by_gid[f"cell-{i}-{j}"].split("\n")[1].rstrip(" %"))
        assert share == pytest.approx(100 * res.Phi[i, j] / total, abs=0.51)


def test_heatmap_diagonal_is_marked():
    res = random_result(4, seed=1)
    _, ax = plots.heatmap(res)
    diag = [p for p in ax.patches if (p.get_gid() or "").startswith("diagonal-")]
    assert len(diag) == 4
    for i, p in enumerate(diag):
        cx, cy = p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2
        assert (cx, cy) == pytest.approx((i, i))
        assert p.get_linewidth() >= 1.5 and not p.get_fill()
    # diagonal annotations are bold, off-diagonal ones are not
    weights = {t.get_gid(): t.get_fontweight() for t in ax.texts if t.get_gid()}
    assert weights["cell-1-1"] == "bold" and weights["cell-0-1"] == "normal"


def test_heatmap_one_sample_is_signed_and_centred():
    res = random_result(3, seed=2)
    fig, ax = plots.heatmap(res, sample=-1)
    phi = res.phi[-1]
    im = ax.images[0]
    np.testing.assert_allclose(np.asarray(im.get_array()), phi)
    vmax = np.abs(phi).max()
    assert im.norm.vmin == pytest.approx(-vmax) and im.norm.vmax == pytest.approx(vmax)
    # 0 maps to the palette's white middle
    assert to_hex(im.cmap(im.norm(0.0))) == to_hex(_style.diverging_cmap()(0.5))
    assert im.cmap(im.norm(0.0))[:3] == pytest.approx(matplotlib.colors.to_rgb(_style.DIVERGING[1]), abs=0.01)
    # the most negative / positive cells take the end stops
    k_min, k_max = np.unravel_index(np.argmin(phi), phi.shape), np.unravel_index(np.argmax(phi), phi.shape)
    lo, hi = im.cmap(im.norm(phi[k_min]))[:3], im.cmap(im.norm(phi[k_max]))[:3]
    if -phi[k_min] == vmax:
        assert to_hex(lo) == _style.DIVERGING[0]
    if phi[k_max] == vmax:
        assert to_hex(hi) == _style.DIVERGING[-1]
    scale = np.abs(phi).max()
    atol = 5.1e-3 if scale >= 1 else 5.1e-4
    np.testing.assert_allclose(cell_texts(ax, 3), phi, atol=atol)
    assert f"sample {res.n_samples - 1}" in ax.get_title()


def test_heatmap_draws_on_given_axes_and_rejects_bad_input():
    res = random_result(3)
    fig, axes = plt.subplots(1, 2)
    out_fig, out_ax = plots.heatmap(res, ax=axes[1], colorbar=False)
    assert out_fig is fig and out_ax is axes[1]
    assert len(axes[0].images) == 0
    with pytest.raises(IndexError, match="out of range"):
        plots.heatmap(res, sample=res.n_samples)
    with pytest.raises(TypeError, match="int position"):
        plots.heatmap(res, sample=1.5)
    with pytest.raises(TypeError, match="InteractionResult"):
        plots.heatmap(np.zeros((3, 3)))


# -------------------------------------------------------------------------- bars
def test_bars_equal_contributions_and_pair_shares():
    res = random_result(3, seed=3)
    _, ax = plots.contribution_bars(res)
    widths = np.array([p.get_width() for p in ax.patches])
    Phi = res.Phi
    total = Phi.sum()
    pairs = [(0, 1), (0, 2), (1, 2)]
    expected = np.concatenate([res.modality_contributions, [2 * Phi[i, j] / total for i, j in pairs]])
    np.testing.assert_allclose(widths, expected)
    # the pair shares add up to the global InterSHAP, everything to 1
    assert widths[3:].sum() == pytest.approx(res.intershap)
    assert widths.sum() == pytest.approx(1.0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["image", "text", "audio", "image × text", "image × audio", "text × audio"]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert set(colours[:3]) == {_style.MAIN_COLOUR}
    assert set(colours[3:]) == {_style.INTERACTION_COLOUR}
    assert all(p.get_hatch() for p in ax.patches[3:]) and not any(p.get_hatch() for p in ax.patches[:3])


def test_bars_one_sample_use_absolute_local_shares():
    res = random_result(3, seed=4)
    _, ax = plots.contribution_bars(res, sample=7)
    widths = np.array([p.get_width() for p in ax.patches])
    a = np.abs(res.phi[7])
    assert widths[:3] == pytest.approx(np.diag(a) / a.sum())
    assert widths[3:].sum() == pytest.approx(res.intershap_local[7])


def test_bars_pure_xor_and_additive_games():
    xor = game_result(lambda s: float(len(s) == 2), 2, ["A", "B"])
    _, ax = plots.contribution_bars(xor)
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.0, 0.0, 1.0])
    additive = game_result(lambda s: sum({0: 1.0, 1: 3.0}[i] for i in s), 2, ["A", "B"])
    _, ax = plots.contribution_bars(additive)
    assert [p.get_width() for p in ax.patches] == pytest.approx([0.25, 0.75, 0.0])


# --------------------------------------------------------------------- waterfall
def test_waterfall_starts_at_base_and_ends_at_prediction():
    res = random_result(3, seed=6)
    s = 11
    _, ax = plots.waterfall(res, s)
    bars = ax.patches
    assert len(bars) == 1 + 3 + 3 + 1
    base, pred = res.base_value[s], res.prediction[s]
    assert bars[0].get_x() == pytest.approx(0.0) and bars[0].get_width() == pytest.approx(base)
    assert bars[-1].get_x() == pytest.approx(0.0) and bars[-1].get_width() == pytest.approx(pred)
    # the floating bars chain from the base value to the prediction
    position = base
    for bar in bars[1:-1]:
        assert bar.get_x() == pytest.approx(position)
        position += bar.get_width()
    assert position == pytest.approx(pred)
    phi = res.phi[s]
    steps = [bar.get_width() for bar in bars[1:-1]]
    assert steps == pytest.approx([phi[0, 0], phi[1, 1], phi[2, 2], 2 * phi[0, 1], 2 * phi[0, 2], 2 * phi[1, 2]])
    colours = [to_hex(b.get_facecolor()) for b in bars[1:-1]]
    assert colours == [_style.POSITIVE if x >= 0 else _style.NEGATIVE for x in steps]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("base value") and labels[-1].startswith("prediction")
    assert labels[1:4] == ["image (main)", "text (main)", "audio (main)"]


def test_waterfall_of_and_game_by_hand():
    # AND of two modalities: v = 1 only with both present. φ_ii = 0, 2φ_01 = 1.
    and_game = game_result(lambda s: float(s == {0, 1}), 2, ["A", "B"])
    labels, steps = plots.waterfall_steps(and_game, 0)
    assert labels == ["A (main)", "B (main)", "A × B"]
    # Shapley values 1/2 each; φ_01 = (0!0!/(2·1!))·Δ_01 v(∅) = 1/2, so φ_ii = 1/2 − 1/2 = 0
    assert steps == pytest.approx([0.0, 0.0, 1.0])


def test_waterfall_labels_print_float_noise_as_zero():
    # additive game: the pair terms are exact zeros up to rounding
    additive = game_result(lambda s: sum({0: 0.3, 1: 0.6, 2: 0.1}[i] for i in s), 3, NAMES3)
    _, ax = plots.waterfall(additive, 0)
    texts = [t.get_text() for t in ax.texts]
    assert texts[1:4] == ["+0.3", "+0.6", "+0.1"]
    assert texts[4:7] == ["0", "0", "0"]
    assert texts[0] == "0" and texts[-1] == "1"


def test_waterfall_merges_small_terms_keeping_the_sum():
    res = random_result(5, n=3, seed=7)
    labels, steps = plots.waterfall_steps(res, 2, max_terms=6)
    assert len(steps) == 6 and labels[-1] == "10 other terms"
    assert res.base_value[2] + steps.sum() == pytest.approx(res.prediction[2])
    phi = res.phi[2]
    all_terms = np.concatenate([np.diag(phi), [2 * phi[i, j] for i, j in itertools.combinations(range(5), 2)]])
    kept = np.sort(np.abs(all_terms))[::-1][:5]
    assert np.sort(np.abs(steps[:-1]))[::-1] == pytest.approx(kept)
    _, ax = plots.waterfall(res, 2, max_terms=6)
    assert ax.patches[-1].get_width() == pytest.approx(res.prediction[2])
    with pytest.raises(ValueError, match="max_terms"):
        plots.waterfall_steps(res, 0, max_terms=1)


# ------------------------------------------------------------------ distribution
def test_local_distribution_counts_and_reference_lines():
    res = random_result(3, n=57, seed=8)
    _, ax = plots.local_distribution(res, bins=10)
    heights = np.array([p.get_height() for p in ax.patches])
    assert len(heights) == 10 and heights.sum() == 57
    expected, _ = np.histogram(res.intershap_local, bins=np.linspace(0, 1, 11))
    np.testing.assert_array_equal(heights, expected)
    xs = sorted(line.get_xdata()[0] for line in ax.lines)
    assert xs == pytest.approx(sorted([res.intershap, res.intershap_local_mean]))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"global {100 * res.intershap:.1f} %", f"mean local {100 * res.intershap_local_mean:.1f} %"]


def test_local_distribution_leaves_out_samples_without_behaviour():
    v = np.random.default_rng(9).normal(size=(6, 4))
    v[2] = 0.5  # constant game: φ = 0, local score NaN
    res = InteractionResult(v)
    _, ax = plots.local_distribution(res)
    assert sum(p.get_height() for p in ax.patches) == 5
    assert "1 without behaviour" in ax.get_title()


# ---------------------------------------------------------- summary and fallback
def test_summary_figure_has_three_panels():
    res = random_result(4, seed=10)
    fig, axes = plots.summary_figure(res)
    assert len(axes) == 3
    assert np.asarray(axes[0].images[0].get_array()).shape == (4, 4)
    assert len(axes[1].patches) == 4 + 6
    assert f"{100 * res.intershap:.1f} %" in fig._suptitle.get_text()


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_static_mimebundle_png_and_text_without_pyplot():
    res = random_result(3, seed=11)
    before_backend = matplotlib.get_backend()
    before_figs = plt.get_fignums()
    bundle = plots.static_mimebundle(res)
    assert set(bundle) == {"image/png", "text/plain"}
    assert bundle["text/plain"] == res.summary()
    png = base64.b64decode(bundle["image/png"])
    w, h = _png_size(png)
    assert 1000 <= w <= 2000 and 300 <= h <= 800  # ~100 dpi
    assert len(png) < 100_000
    assert plt.get_fignums() == before_figs
    assert matplotlib.get_backend() == before_backend
    # the picture is the summary figure at 100 dpi
    assert png == plots.summary_png(res, dpi=100)
    assert plt.imread(io.BytesIO(png)).shape[:2] == (h, w)
    # the palette version looks like the full-colour render
    full = plt.imread(io.BytesIO(plots.summary_png(res, dpi=100, quantize=False)))[..., :3]
    pal = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    assert full.shape == pal.shape and np.abs(full - pal).mean() < 0.01
    assert plots.static_mimebundle(res, include=["text/plain"]) == {"text/plain": res.summary()}
    assert set(plots.static_mimebundle(res, exclude=["text/plain"])) == {"image/png"}


def test_static_mimebundle_of_empty_result_still_renders():
    res = random_result(3)[[]]
    bundle = plots.static_mimebundle(res)
    assert set(bundle) == {"image/png", "text/plain"}
    _png_size(base64.b64decode(bundle["image/png"]))


def test_palette_is_json_ready_hex():
    import json
    import re

    text = json.dumps(plots.PALETTE)
    for colour in re.findall(r'"(#[^"]*)"', text):
        assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
    assert len(_style.DIVERGING) % 2 == 1  # a true middle stop for 0
