"""Issue 12: one input check for every entry point (explain, sample_explain, the
factorised path, compare_scores), raised before any model call."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers import sampling as sp
from intershap_widget.explainers.checks import check_seed
from models_for_tests import SmoothModel, random_modalities

SHAPES = [(3,), (2,)]


class Counting:
    def __init__(self):
        self.calls, self.f = 0, SmoothModel(SHAPES, n_classes=2)

    def __call__(self, xs):
        self.calls += 1
        return self.f(xs)


def _X(n=6):
    return random_modalities(n, SHAPES, seed=0)


def _explain(model, X, background=None, **kw):
    return isw.explain(model, X, background, progress=False, **kw)


def _sample(model, X, background=None, **kw):
    return sp.sample_explain(model, X, background, budget=4, progress=False, **kw)


def _factorised(model, X, background=None, **kw):
    fact = isw.Factorised([lambda x: x, lambda x: x], model)
    return isw.explain(fact, X, background, progress=False, **kw)


def _compare(model, X, background=None, **kw):
    seed = kw.pop("seed", 0)
    n = len(X[0]) if isinstance(X, list) and len(X) and hasattr(X[0], "__len__") else 1
    y = np.arange(n) % 2
    return isw.compare_scores(model, X, y, background=background, seed=seed, scores=("intershap",),
                              explain_kwargs=kw, progress=False)


ENTRIES = [_explain, _sample, _factorised, _compare]
NAN_ROW = np.where(np.arange(18).reshape(6, 3) == 10, np.nan, 0.5)

BAD = [
    (lambda: [np.zeros((0, 3)), np.zeros((0, 2))], None, {}, "no samples"),
    (lambda: _X(), lambda: [np.zeros((3, 3)), np.zeros((3, 4))], {}, "same per-modality shapes"),
    (lambda: _X(), None, {"batch_size": 0}, "batch_size .* must be >= 1, got 0"),
    (lambda: _X(), None, {"batch_size": 2.5}, "batch_size .* must be a whole number"),
    (lambda: _X(), None, {"n_background": 0}, "n_background must be >= 1, got 0"),
    (lambda: _X(), None, {"n_background": 10.5}, "n_background must be a whole number, got 10.5"),
    (lambda: _X(), None, {"output": "probs"}, "output must be one of"),
    (lambda: _X(), None, {"target": "best"}, "target must be"),
    (lambda: _X(), None, {"seed": -1}, "seed must be None or a whole number >= 0, got -1"),
    (lambda: _X(), None, {"seed": 2**70}, "seed must be below 2\\*\\*63"),
    (lambda: _X(), None, {"seed": 1.5}, "seed must be None or a whole number >= 0, got 1.5"),
    (lambda: _X(), None, {"seed": "0"}, "seed must be None or a whole number"),
    (lambda: [_X()[0] + 1j, _X()[1]], None, {}, "X\\[0\\] is complex"),
    (lambda: _X(), lambda: [_X()[0] * 1j, _X()[1]], {}, "background\\[0\\] is complex"),
    (lambda: [NAN_ROW, _X()[1]], None, {}, "X\\[0\\] \\(modality 0\\) holds NaN or inf in row 3"),
    (lambda: _X(), lambda: [_X()[0], np.full((6, 2), np.inf)], {}, "background\\[1\\] .* row 0"),
    (lambda: _X(), None, {"modality_names": ["a", "a"]}, "distinct"),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("X, background, kwargs, match", BAD)
def test_every_entry_point_refuses_bad_input_before_any_model_call(entry, X, background, kwargs, match):
    model = Counting()
    with pytest.raises(isw.InputError, match=match):  # the package's own type (a ValueError and a TypeError)
        entry(model, X(), None if background is None else background(), **kwargs)
    assert model.calls == 0


def test_sampler_refuses_target_all_and_small_budgets_before_any_model_call():
    model = Counting()
    with pytest.raises(ValueError, match="target='all' is not available here"):
        _sample(model, _X(), target="all")
    with pytest.raises(ValueError, match="budget .* must be a whole number"):
        sp.sample_explain(model, random_modalities(4, [(1,)] * 5), budget=12.5, progress=False)
    with pytest.raises(ValueError, match="too small"):
        sp.sample_explain(model, random_modalities(4, [(1,)] * 5), budget=6, progress=False)
    assert model.calls == 0


@pytest.mark.parametrize("entry", [_explain, _sample, _factorised], ids=lambda f: f.__name__)
def test_seed_none_draws_fresh_entropy_and_records_it(entry):
    X = _X()
    a, b = entry(SmoothModel(SHAPES), X, seed=None), entry(SmoothModel(SHAPES), X, seed=None)
    sa, sb = a.settings["seed"], b.settings["seed"]
    assert isinstance(sa, int) and 0 <= sa < 2**63 and sa != sb
    # the recorded seed reproduces the run (random masking: the draws depend on it)
    if entry is _explain:
        r1 = isw.explain(SmoothModel(SHAPES), X, masking="random", seed=None, progress=False)
        r2 = isw.explain(SmoothModel(SHAPES), X, masking="random", seed=r1.settings["seed"], progress=False)
        np.testing.assert_array_equal(r1.coalition_values, r2.coalition_values)


def test_seed_accepts_whole_numbers_only():
    assert check_seed(0) == 0 and check_seed(np.int64(7)) == 7 and check_seed(3.0) == 3
    assert check_seed(2**63 - 1) == 2**63 - 1
    for bad in (-1, 2**63, 2**70, 1.5, True, "1", [1]):
        with pytest.raises(ValueError, match="seed must"):
            check_seed(bad)


def test_labels_with_none_are_refused_at_explain_time():
    with pytest.raises(ValueError, match=r"labels hold a missing value \(None, NaN or NA\) at rows \[1, 4\]; give every sample a label"):
        _explain(Counting(), _X(), labels=["a", None, "b", "a", None, "b"])
    res = _explain(SmoothModel(SHAPES), _X(), labels=["a", "b", "b", "a", "c", "b"])
    assert res.labels.dtype.kind == "U" and list(res.labels[:2]) == ["a", "b"]
    with pytest.raises(ValueError, match="holds None"):
        isw.compare_scores(Counting(), _X(), [0, 1, None, 1, 0, 1], scores=("shape",), progress=False)


def test_nonfinite_inputs_with_the_opt_in():
    X = [NAN_ROW, _X()[1]]

    def tolerant(xs):
        return SmoothModel(SHAPES)([np.nan_to_num(xs[0]), xs[1]])

    res = isw.explain(tolerant, X, allow_nonfinite=True, progress=False)
    ref = isw.explain(SmoothModel(SHAPES), [np.nan_to_num(X[0]), X[1]], progress=False)
    np.testing.assert_allclose(res.coalition_values, ref.coalition_values, atol=1e-12)
    with pytest.raises(ValueError, match="non-finite outputs"):  # the outputs must still be finite
        isw.explain(SmoothModel(SHAPES), X, allow_nonfinite=True, progress=False)
