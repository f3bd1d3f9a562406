"""The static feature pictures draw the result's numbers: bar lengths and order, patch
colours, token colours, keys with units."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import intershap_widget as isw  # noqa: E402
from intershap_widget.views.plots import _style  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _tabular():
    A, B = RNG.normal(size=(6, 5)), RNG.normal(size=(6, 2))
    f = lambda xs: np.stack([xs[0][:, 0] * xs[1][:, 0] - 2 * xs[0][:, 3] * xs[1][:, 1], xs[0][:, 1]], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return isw.explain_features(f, {"labs": A, "vitals": B}, modality="labs", call="list", output="logits",
                                    progress=False)


def _image():
    img = RNG.normal(size=(4, 3, 8, 8))
    t = RNG.normal(size=(4, 1))
    f = lambda xs: xs[0][:, :, :4, 4:].mean((1, 2, 3)) * xs[1][:, 0] + xs[0][:, :, 4:, :].mean((1, 2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return isw.explain_features(f, {"image": img, "text": t}, modality="image", patch=4, call="list",
                                    output="regression", progress=False), img


def test_bars_sorted_with_units():
    fr = _tabular()
    fig, ax = isw.plots.feature_bars(fr, sample=2, part="vitals")
    values = fr.interaction[2, 1]
    widths = [p.get_width() for p in ax.patches]
    order = np.argsort(-np.abs(values), kind="stable")
    np.testing.assert_allclose(widths, values[order])
    assert [t.get_text() for t in ax.get_yticklabels()] == [fr.feature_names[k] for k in order]
    assert ax.get_yticks()[0] > ax.get_yticks()[-1]  # largest on top
    assert ax.get_xlabel() == "part of φ(labs, vitals) [probability]"
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches if p.get_width() > 0}
    assert colours <= {_style.POSITIVE.lower()}
    fig, ax = isw.plots.feature_bars(fr, sample=0, part=None, top=2)
    assert len(ax.patches) == 2 and "3 smaller" in ax.get_title()


def test_patch_overlay_colours_each_patch():
    fr, img = _image()
    fig, ax = isw.plots.patch_overlay(fr, img[1], sample=1, part="text")
    overlay = ax.images[1].get_array()
    values = fr.interaction[1, 1]
    assert overlay[0, 7] == pytest.approx(values[1]) and overlay[7, 0] == pytest.approx(values[2])
    assert abs(values[1]) > 0 and np.allclose(values[[0, 2, 3]], 0, atol=1e-12)
    lim = max(abs(values))
    assert ax.images[1].get_clim() == pytest.approx((-lim, lim))
    assert fig.axes[-1].get_ylabel() == "part of φ(image, text) [model output]"  # the key, with units


def test_tokens_and_dispatch():
    fr = _tabular()
    fig, ax = isw.plots.token_highlight(fr, ["a", "b", "c", "d", "e"], sample=0, part="vitals")
    texts = [t for t in ax.texts]
    assert [t.get_text() for t in texts] == ["a", "b", "c", "d", "e"]
    values = fr.interaction[0, 1]
    lim = np.abs(values).max()
    cmap = _style.diverging_cmap()
    for t, v in zip(texts, values):
        np.testing.assert_allclose(t.get_bbox_patch().get_facecolor(), cmap(0.5 + 0.5 * v / lim), atol=1e-6)
    with pytest.raises(ValueError, match="one str per feature"):
        isw.plots.token_highlight(fr, ["a"], sample=0)
    fr2, img = _image()
    assert len(isw.plots.feature_plot(fr2, 0, image=img[0])[1].images) == 2
    assert len(isw.plots.feature_plot(fr, 0)[1].patches) == 5


def test_bad_input():
    fr = _tabular()
    with pytest.raises(IndexError):
        isw.plots.feature_bars(fr, sample=9)
    with pytest.raises(ValueError, match="not one of the modalities"):
        isw.plots.feature_bars(fr, part="audio")
    with pytest.raises(TypeError, match="FeatureResult"):
        isw.plots.feature_bars(fr.result)
    with pytest.raises(ValueError, match="patches"):
        isw.plots.patch_overlay(fr, np.zeros((8, 8)))
