"""The explorer's drill-down data for a FeatureResult (views/feature_encode.py): buffers
that hold the result's numbers, images as grey thumbnails, tokens per sample, clear errors."""

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.views.feature_encode import encode_features, no_features
from intershap_widget.views.widget import InterSHAPWidget

RNG = np.random.default_rng(2)
IMG, T = RNG.normal(size=(4, 3, 8, 8)), RNG.normal(size=(4, 2))


def _f(xs):
    return xs[0][:, :, :4, 4:].mean((1, 2, 3)) * xs[1][:, 0] + xs[1][:, 1]


def _fr(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return isw.explain_features(_f, {"image": IMG, "text": T}, call="list", output="regression", progress=False, **kw)


def test_buffers_hold_the_parts():
    fr = _fr(modality="image", patch=4)
    data = encode_features(fr, images=IMG)
    parts = data["_feature_parts"]
    assert parts.shape == (4, 3, 4) and parts.dtype == np.float32
    np.testing.assert_allclose(parts[:, :2], fr.interaction, atol=1e-6)
    np.testing.assert_allclose(parts[:, 2], fr.effect, atol=1e-6)
    meta = data["_feature_meta"]
    assert meta["n_features"] == 4 and meta["modality"] == 0 and meta["grid"] == [2, 2] and meta["shape"] == [8, 8]
    assert meta["labels"][:8] == [0, 0, 0, 0, 1, 1, 1, 1] and not meta["sampled"]
    thumb = data["_feature_image"]
    assert thumb.shape == (4, 8, 8) and thumb.dtype == np.uint8 and thumb.min() == 0 and thumb.max() == 255
    grey = IMG.mean(axis=1)
    assert np.argmax(thumb[1]) == np.argmax(grey[1])  # the brightest pixel stays the brightest
    assert data["_feature_se"].shape == (0, 0, 0)


def test_widget_from_a_feature_result_and_errors():
    fr = _fr(modality="text")
    w = InterSHAPWidget(fr, tokens=[["a", "b"]] * 4)
    assert w.result is fr.result and w._feature_meta["tokens"][0] == ["a", "b"]
    assert InterSHAPWidget(fr.result)._feature_meta == no_features()["_feature_meta"]
    with pytest.raises(ValueError, match="one str per feature"):
        InterSHAPWidget(fr, tokens=[["a"]] * 4)
    with pytest.raises(ValueError, match="images must be"):
        encode_features(_fr(modality="image", patch=4), images=IMG[:2])


def test_sampled_parts_carry_standard_errors():
    fr = _fr(modality="image", patch=4, n_permutations=6)
    data = encode_features(fr)
    assert data["_feature_meta"]["sampled"]
    np.testing.assert_allclose(data["_feature_se"][:, 2], fr.effect_se, atol=1e-6)


def test_a_feature_result_displays_as_the_explorer_with_its_line():
    fr = _fr(modality="text")
    bundle = fr._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" in bundle
    assert bundle["text/plain"].startswith("FeatureResult('text'")
