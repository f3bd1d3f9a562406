"""The masking error travels with the result (issue 26, items 5 and 9): files (format 2,
format 1 still loads), subsets (recomputed), for_class, intervals that include it, and
to_shap() for every shap plot."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.maskers import RandomMasker, SampledMasker
from intershap_widget.maths import masking_carry
from intershap_widget.maths.masking_error import masking_error

DIMS = (3, 3, 3)
_W = [np.random.default_rng(11).normal(size=(d, 3)) for d in DIMS]


def model(xs):
    """Three classes, main effects and a pairwise interaction."""
    a, b, c = (np.tanh(x @ w) for x, w in zip(xs, _W))
    h = a + b + c + 1.5 * a * b
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def binary(xs):
    return model(xs)[:, :2] / model(xs)[:, :2].sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    return [rng.normal(size=(20, d)) for d in DIMS], [rng.normal(size=(400, d)) for d in DIMS]


def _explain(fn, X, bg, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return isw.explain(fn, X, bg, output="probability", progress=False, **kw)


@pytest.fixture(scope="module")
def random_run(data):
    X, bg = data
    return _explain(model, X, bg, masking=RandomMasker(6, seed=1, empty="background"))


def test_a_file_keeps_the_masking_error_and_the_intervals(random_run, tmp_path):
    path = tmp_path / "r.npz"
    random_run.save(path)
    back = isw.load_result(path)
    a, b = random_run.masking_se, back.masking_se
    assert b is not None and b.design == a.design and b.rows_per_sample == a.rows_per_sample
    for name in ("coalition_values", "phi", "intershap_local", "Phi", "parts"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
    assert b.intershap == a.intershap > 0
    before, after = random_run.intervals, back.intervals
    assert before["intershap"] == after["intershap"]
    np.testing.assert_array_equal(before["Phi"], after["Phi"])


def test_a_format_1_file_still_loads(random_run, tmp_path):
    path = tmp_path / "old.npz"
    meta = {"kind": "intershap-widget result", "format_version": 1, "modality_names": random_run.modality_names,
            "target": "predicted", "class_names": None, "settings": {"seed": 1}}
    np.savez(path, meta=np.array(json.dumps(meta)), coalition_values=random_run.coalition_values,
             sample_index=random_run.sample_index)
    old = isw.load_result(path)
    assert old.masking_se is None and old.intershap_masking_se is None
    np.testing.assert_array_equal(old.phi, random_run.phi)


@pytest.mark.parametrize("design", ["paired", "independent", "shared"])
def test_a_subset_recomputes_its_errors(design):
    rng = np.random.default_rng(3)
    n, m, k = 30, 3, 12
    rows = rng.normal(size=(n, 1 << m, k)) * 0.2 + rng.normal(size=(n, 1 << m, 1)) + np.arange(1 << m)[None, :, None]
    values = rows.mean(axis=2)
    whole = masking_error(rows, values, design, 0.5)
    idx = np.arange(0, n, 3)
    sub = masking_carry.subset(whole, idx, isw.InteractionResult(values[idx]).phi)
    direct = masking_error(rows[idx], values[idx], design, 0.5)
    np.testing.assert_array_equal(sub.intershap_local, whole.intershap_local[idx])
    np.testing.assert_array_equal(sub.phi, whole.phi[idx])
    if design == "shared":  # one error common to all samples: a bound, never smaller
        assert sub.intershap >= direct.intershap > 0
        assert np.all(sub.Phi >= direct.Phi - 1e-15)
    else:
        assert np.array_equal(np.sign(values[idx].mean(0)), np.sign(values.mean(0)))
        assert sub.intershap == pytest.approx(direct.intershap, rel=1e-9)
        if design == "independent":
            np.testing.assert_allclose(sub.Phi, direct.Phi, rtol=1e-9)


def test_result_subsets_and_classes_carry_it(data, random_run):
    X, bg = data
    part = random_run[:7]
    assert part.masking_se is not None and part.intershap_masking_se > 0
    np.testing.assert_array_equal(part.phi_masking_se, random_run.phi_masking_se[:7])
    assert part.intershap_masking_se > random_run.intershap_masking_se  # fewer samples, less averaging
    two = _explain(binary, X, bg, masking=SampledMasker(16, seed=2), target="all")
    for c in (0, 1):  # two softmax outputs: the same errors for either class
        one = two.for_class(c)
        assert one.masking_se is not None
        np.testing.assert_allclose(one.phi_masking_se, two.phi_masking_se, rtol=1e-12)
    three = _explain(model, X, bg, masking=SampledMasker(16, seed=2), target="all")
    assert len(set(three.target_class.tolist())) > 1
    c = int(three.target_class[0])
    other = three.for_class(c)
    assert other.masking_se is None and "not estimated for class" in other.settings["masking_error"]["note"]
    assert three.masking_se is not None  # the original is untouched


def test_intervals_cover_where_the_masking_error_dominates():
    """Twenty near-identical samples (little spread over samples) and 4 rows per sample
    of 400: the masking error is most of the error. The 95 % intervals of the global
    and local-mean scores cover the exact expectation in >= 90 % of 30 seeds; without
    the masking error the local mean's would not."""
    from intershap_widget.maths.uncertainty import result_intervals

    rng = np.random.default_rng(9)
    X = [c + 0.05 * rng.normal(size=(20, d)) for c, d in zip((rng.normal(size=(1, d)) for d in DIMS), DIMS)]
    bg = [rng.normal(size=(400, d)) for d in DIMS]
    exact = _explain(model, X, bg, n_background=400)
    hit, hit_local, hit_local_without = [], [], []
    for seed in range(30):
        res = _explain(model, X, bg, masking=SampledMasker(4, seed=seed))
        lo, hi = res.intervals["intershap"]
        hit.append(lo <= exact.intershap <= hi)
        lo, hi = res.intervals["intershap_local_mean"]
        hit_local.append(lo <= exact.intershap_local_mean <= hi)
        res.masking_se = None
        lo, hi = result_intervals(res)["intershap_local_mean"]
        hit_local_without.append(lo <= exact.intershap_local_mean <= hi)
    assert np.mean(hit) >= 0.9 and np.mean(hit_local) >= 0.9, (np.mean(hit), np.mean(hit_local))
    assert np.mean(hit_local_without) < 0.6  # the masking error is what the interval needs


@pytest.fixture(scope="module")
def shap_runs(data):
    pytest.importorskip("shap")
    X, bg = data
    runs = {}
    for names in (None, ["cat", "dog", "emu"]):
        for target in ("predicted", "all", 1):
            runs[(names is not None, target)] = _explain(model, X, [b[:30] for b in bg],
                                                        class_names=names, target=target)
    return runs


@pytest.mark.parametrize("plot", ["waterfall", "bar one", "bar", "beeswarm", "heatmap"])
def test_every_shap_plot_takes_to_shap(shap_runs, plot):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    draw = {"waterfall": lambda ex: shap.plots.waterfall(ex[0], show=False),
            "bar one": lambda ex: shap.plots.bar(ex[0], show=False),
            "bar": lambda ex: shap.plots.bar(ex, show=False),
            "beeswarm": lambda ex: shap.plots.beeswarm(ex, show=False),
            "heatmap": lambda ex: shap.plots.heatmap(ex, show=False)}[plot]
    for (named, target), res in shap_runs.items():
        for r in ([res, res.for_class(2)] if target == "all" else [res]):
            ex = r.to_shap()
            assert ex.values.shape == (r.n_samples, 3) and ex.base_values.shape == (r.n_samples,)
            draw(ex)
            assert plt.gcf().axes, (named, target, plot)
            plt.close("all")
    ex = shap_runs[(True, 1)].to_shap()
    assert ex.output_names == "dog"  # one class explained: its name
    np.testing.assert_allclose(ex.values.sum(axis=1) + ex.base_values, shap_runs[(True, 1)].prediction, atol=1e-12)
