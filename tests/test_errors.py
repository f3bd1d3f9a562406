"""Every bad input raises a clear error before the long run; inputs are never modified."""

import numpy as np
import pytest

import intershap_widget as isw
from models_for_tests import SmoothModel, random_modalities

SHAPES = [(3,), (2,)]


class CountingModel:
    def __init__(self, fn=None):
        self.calls = 0
        self.fn = fn or SmoothModel(SHAPES)

    def __call__(self, xs):
        self.calls += 1
        return self.fn(xs)


def _X(n=5):
    return random_modalities(n, SHAPES, seed=0)


@pytest.mark.parametrize(
    "X, background, kwargs, match",
    [
        (lambda: np.zeros((4, 5)), None, {}, "list of M arrays"),
        (lambda: [np.zeros((4, 3))], None, {}, "at least 2 modalities"),
        (lambda: [np.zeros((4, 3)), np.zeros((5, 2))], None, {}, "same number of samples"),
        (lambda: [np.zeros((0, 3)), np.zeros((0, 2))], None, {}, "no samples"),
        (lambda: _X(), lambda: [np.zeros((3, 3)), np.zeros((3, 4))], {}, "same per-modality shapes"),
        (lambda: _X(), lambda: [np.zeros((3, 3))], {}, "background has 1 modalities"),
        (lambda: _X(), lambda: [np.zeros((0, 3)), np.zeros((0, 2))], {}, "no rows"),
        (lambda: _X(), None, {"modality_names": ["a"]}, "modality_names"),
        (lambda: _X(), None, {"modality_names": ["a", "a"]}, "distinct"),
        (lambda: _X(), None, {"target": "best"}, "target must be"),
        (lambda: _X(), None, {"target": 7}, "out of range"),
        (lambda: _X(), None, {"target": -1}, ">= 0"),
        (lambda: _X(), None, {"output": "probs"}, "output must be one of"),
        (lambda: _X(), None, {"masking": "zeros"}, "masking must be one of"),
        (lambda: _X(), None, {"n_background": 0}, "n_background"),
        (lambda: _X(), None, {"batch_size": 0}, "batch_size"),
        (lambda: _X(), None, {"labels": np.zeros(3)}, "labels must have shape"),
        (lambda: _X(), None, {"output": "regression"}, "one value per row"),
        (lambda: _X(), None, {"masking": "random", "n_draws": 0}, "n_draws"),
        (lambda: _X(), None, {"class_names": ["x"]}, "class_names"),
    ],
)
def test_bad_input_fails_before_the_long_run(X, background, kwargs, match):
    model = CountingModel()
    with pytest.raises((ValueError, TypeError), match=match):
        isw.explain(model, X(), None if background is None else background(), progress=False, **kwargs)
    assert model.calls <= 2  # at most the probes ran


def test_too_many_modalities():
    X = [np.zeros((2, 1))] * (isw.MAX_EXACT_MODALITIES + 1)
    with pytest.raises(ValueError, match="exceeds the limit"):
        isw.explain(CountingModel(), X, progress=False)


@pytest.mark.parametrize(
    "fn, match",
    [
        (lambda xs: np.zeros((len(xs[0]) + 1, 2)), "batch of B="),
        (lambda xs: np.full((len(xs[0]), 2), np.nan), "non-finite"),
        (lambda xs: np.zeros((len(xs[0]), 2, 2)), "must return"),
        (lambda xs: np.full((len(xs[0]), 2), 3.0), "outside \\[0, 1\\]"),
    ],
)
def test_bad_model_output_is_caught_on_the_probe(fn, match):
    model = CountingModel(fn)
    kwargs = {"output": "probability"} if "outside" in match else {}
    with pytest.raises(ValueError, match=match):
        isw.explain(model, _X(), progress=False, **kwargs)
    assert model.calls == 1


def test_model_that_breaks_on_masked_inputs_is_caught_before_the_long_run():
    f = SmoothModel(SHAPES)
    X = _X()

    def fragile(xs):  # fine on real samples, NaN as soon as a row is masked
        out = f(xs)
        masked = ~np.isin(xs[0][:, 0], X[0][:, 0]) | ~np.isin(xs[1][:, 0], X[1][:, 0])
        out[masked] = np.nan
        return out

    bg = random_modalities(4, SHAPES, seed=9)
    model = CountingModel(fragile)
    with pytest.raises(ValueError, match="non-finite.*masked"):
        isw.explain(model, X, bg, progress=False)
    assert model.calls == 2


def test_model_that_is_not_a_model():
    with pytest.raises(TypeError, match="torch.nn.Module, a scikit-learn estimator or a callable"):
        isw.explain(42, _X(), progress=False)


def test_bad_baseline_shape():
    with pytest.raises(ValueError, match="baseline for modality 1"):
        isw.explain(SmoothModel(SHAPES), _X(), masking="baseline", baseline=[np.zeros(3), np.zeros(5)], progress=False)


def test_inputs_are_never_modified():
    X = _X()
    bg = random_modalities(4, SHAPES, seed=3)
    copies = [a.copy() for a in X + bg]
    names = ["a", "b"]
    isw.explain(SmoothModel(SHAPES), X, bg, modality_names=names, progress=False)
    isw.explain(SmoothModel(SHAPES), X, bg, masking="random", progress=False)
    for a, c in zip(X + bg, copies):
        np.testing.assert_array_equal(a, c)
    assert names == ["a", "b"]
