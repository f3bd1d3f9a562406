"""Scale-free precision targets (issue 26, item 3): φ's target is a fraction of the RMS of
v(N) − v(∅), so the same model in other units takes the same rows; absolute targets stay
available as ``"phi_absolute"``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.precision import DEFAULT_PRECISION, behaviour_scale, parse_precision

DIMS = (3, 2, 4)
_W = [np.random.default_rng(5).normal(size=d) for d in DIMS]


class Regression:
    """A smooth regression with main effects and an interaction, in chosen units."""

    def __init__(self, units: float) -> None:
        self.units = units

    def __call__(self, xs):
        a, b, c = (np.tanh(x @ w) for x, w in zip(xs, _W))
        return self.units * (100.0 + 30.0 * a + 20.0 * a * b + 10.0 * c * b)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2)
    return [rng.normal(size=(25, d)) for d in DIMS], [rng.normal(size=(1500, d)) for d in DIMS]


def _run(model, X, bg, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = isw.explain(model, X, bg, output="regression", progress=False, **kw)
    return res, [w for w in caught if isinstance(w.message, isw.MaskingPrecisionWarning)]


def test_the_same_model_in_other_units_takes_the_same_rows(data):
    X, bg = data
    big, warned_big = _run(Regression(1.0), X, bg)
    small, warned_small = _run(Regression(0.01), X, bg)
    k = big.settings["masking_error"]["rows_per_sample"]
    assert 32 < k < 1500 and small.settings["masking_error"]["rows_per_sample"] == k
    assert not warned_big and not warned_small
    np.testing.assert_allclose(small.masking_se.phi_rms, 0.01 * big.masking_se.phi_rms, rtol=1e-6)
    assert small.intershap_masking_se == pytest.approx(big.intershap_masking_se, rel=1e-6)
    # the rule: φ's RMS standard error within 2 % of the RMS of v(N) − v(∅)
    for res in (big, small):
        t = res.settings["masking_error"]["targets"]
        assert t["phi_scale"] == pytest.approx(behaviour_scale(res.coalition_values), rel=0.05)
        assert t["phi"] == pytest.approx(DEFAULT_PRECISION["phi"] * t["phi_scale"])
        assert res.masking_se.phi_rms <= t["phi"] * 1.05 and res.intershap_masking_se <= 0.002 * 1.05


def test_an_absolute_target_is_in_output_units(data):
    X, bg = data
    loose, _ = _run(Regression(1.0), X, bg, precision={"phi_absolute": 5.0})
    tight, _ = _run(Regression(1.0), X, bg, precision={"phi_absolute": 0.3})
    assert loose.settings["masking_error"]["targets"] == {"phi": 5.0}
    assert loose.settings["masking_error"]["rows_per_sample"] < tight.settings["masking_error"]["rows_per_sample"]
    assert tight.masking_se.phi_rms <= 0.3 * 1.05


def test_a_target_the_cap_cannot_reach_warns_and_says_why(data):
    X, _ = data
    bg = [np.random.default_rng(3).normal(size=(3000, d)) for d in DIMS]  # more rows than the cap
    res, warned = _run(Regression(1.0), [x[:5] for x in X], bg, precision={"global": 1e-6})
    assert res.settings["masking_error"]["rows_per_sample"] == 2048
    text = str(warned[0].message)
    assert "the cap of 2048 rows per sample" in text and "global ±" in text and "more samples" in text


def test_precision_forms():
    assert parse_precision(0.004) == {"global": 0.004, "phi": 0.04}
    assert parse_precision({"phi": 0.05}) == {"phi": 0.05}
    with pytest.raises(isw.InputError, match="phi_absolute"):
        parse_precision({"phi": 0.05, "phi_absolute": 0.1})
    with pytest.raises(isw.InputError, match="phi_absolute"):
        parse_precision({"local": 0.1})


def test_no_behaviour_has_no_phi_scale():
    from intershap_widget.explainers.precision import absolute_targets

    flat = np.full((4, 8), 0.3)
    assert absolute_targets({"global": 0.002, "phi": 0.02}, flat) == {"global": 0.002, "phi_scale": 0.0}


def test_precision_paper_is_at_least_the_papers_draws(data):
    """``precision="paper"``: the targets tighten to the standard errors the paper's 1,000
    independent draws would have (v(∅) exact), estimated from the first round; the run
    meets them (global, φ RMS, local RMS) or warns."""
    X, bg = data
    res, warned = _run(Regression(1.0), X, bg, precision="paper")
    t = res.settings["masking_error"]["targets"]
    assert {"paper_global", "paper_phi", "paper_local"} <= set(t) and t["paper"] == 1000
    assert t["global"] <= t["paper_global"] and t["phi"] <= t["paper_phi"] and t["local"] == t["paper_local"]
    loc = float(np.sqrt(np.mean(res.intershap_local_masking_se**2)))
    met = (res.intershap_masking_se <= t["global"] * 1.05 and res.masking_se.phi_rms <= t["phi"] * 1.05
           and loc <= t["local"] * 1.05)
    assert met or warned
    default, _ = _run(Regression(1.0), X, bg)
    assert res.settings["masking_error"]["rows_per_sample"] >= default.settings["masking_error"]["rows_per_sample"]
