"""Issue 12: a fixed output explained against a background that is (or overlaps) the
explained samples has a degenerate global score: the mean Shapley values cancel
(the mean coalition values form a self-dual game). Detected, explained, warned."""

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.degenerate import DegenerateScoreWarning
from models_for_tests import SmoothModel, random_modalities

A = np.random.default_rng(0).normal(size=(80, 4))
X = [A[:, :2], A[:, 2:]]


def _no_degenerate_warning(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateScoreWarning)
        return isw.explain(*args, progress=False, **kwargs)


def test_linear_regression_reproducer_warns_with_reason_and_remedy():
    lin = pytest.importorskip("sklearn.linear_model").LinearRegression().fit(A, A @ [1, 2, 3, 4])
    with pytest.warns(DegenerateScoreWarning) as rec:
        res = isw.explain(lin, X, progress=False)
    text = str(rec[0].message)
    assert "one fixed output (a regression output)" in text and "background=None" in text
    assert "mean Shapley values cancel" in text and "local mean" in text and "target='predicted'" in text
    assert res.settings["degenerate_global"].startswith("one fixed output")
    # why: every interaction is rounding noise and so is every mean Shapley value
    assert np.abs(res.phi[:, 0, 1]).max() < 1e-13
    assert np.abs(res.shapley.mean(axis=0)).max() < 1e-13 < np.abs(res.shapley).mean()


def test_gradient_boosting_regressor_is_forced_to_one_half():
    ens = pytest.importorskip("sklearn.ensemble")
    gbr = ens.GradientBoostingRegressor(random_state=0, n_estimators=30).fit(A, A[:, 0] * A[:, 2] + A[:, 1])
    with pytest.warns(DegenerateScoreWarning, match="forced to >= 0.5"):
        res = isw.explain(gbr, X, progress=False)
    assert res.intershap == pytest.approx(0.5, abs=1e-9)


def test_the_mean_coalition_values_are_self_dual():
    """Independent check of the reason: with background = X the dataset mean of v(S)
    equals that of v(N∖S) for every S, so the mean Shapley values are 0."""
    shapes = [(2,), (3,), (1,)]
    Xs = random_modalities(12, shapes, seed=4)
    f = SmoothModel(shapes, seed=5)
    with pytest.warns(DegenerateScoreWarning, match="class 1 for every sample"):
        res = isw.explain(f, Xs, target=1, progress=False)
    mean_v = res.coalition_values.mean(axis=0)  # (2**M,)
    full = (1 << 3) - 1
    np.testing.assert_allclose(mean_v, mean_v[full ^ np.arange(1 << 3)], atol=1e-12)
    np.testing.assert_allclose(res.shapley.mean(axis=0), 0, atol=1e-12)


def test_overlapping_background_is_named_with_its_share():
    lin = pytest.importorskip("sklearn.linear_model").LinearRegression().fit(A, A @ [1, 2, 3, 4])
    other = np.random.default_rng(1).normal(size=(60, 4))
    bg = np.concatenate([A[:20], other])
    with pytest.warns(DegenerateScoreWarning, match="25 % of the background rows are explained samples"):
        isw.explain(lin, X, [bg[:, :2], bg[:, 2:]], progress=False)


def test_no_warning_where_the_score_is_not_degenerate():
    lin = pytest.importorskip("sklearn.linear_model").LinearRegression().fit(A, A @ [1, 2, 3, 4])
    other = np.random.default_rng(1).normal(size=(60, 4))
    held_out = _no_degenerate_warning(lin, X, [other[:, :2], other[:, 2:]])
    assert held_out.intershap == pytest.approx(0.0, abs=1e-12)  # additive: exactly no interaction
    assert "degenerate_global" not in held_out.settings
    _no_degenerate_warning(lin, X, masking="baseline")  # one reference row: not self-dual
    shapes = [(2,), (3,)]
    Xs = random_modalities(10, shapes, seed=6)
    _no_degenerate_warning(SmoothModel(shapes, seed=7), Xs)  # target="predicted", the default


def test_the_sampler_detects_it_too():
    lin = pytest.importorskip("sklearn.linear_model").LinearRegression().fit(A, A @ [1, 2, 3, 4])
    sp = pytest.importorskip("intershap_widget.explainers.sampling")
    with pytest.warns(DegenerateScoreWarning, match="a regression output"):
        res = sp.sample_explain(lin, X, budget=4, progress=False)
    assert res.settings["degenerate_global"].startswith("one fixed output")
    other = np.random.default_rng(1).normal(size=(60, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateScoreWarning)
        held_out = sp.sample_explain(lin, X, [other[:, :2], other[:, 2:]], budget=4, progress=False)
    assert "degenerate_global" not in held_out.settings
