"""Issue 12: the caller's arrays are never modified, even by a model that writes into its
input: one test per path (numpy callable, torch module, sklearn, background, sampler,
factorised encoders, maskings, baselines)."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers import sampling as sp
from models_for_tests import SmoothModel, random_modalities

SHAPES = [(3,), (2,)]


def _snapshot(arrays):
    return [np.array(a, copy=True) for a in arrays]


def _assert_unchanged(arrays, before):
    for a, b in zip(arrays, before):
        a = a.detach().numpy() if hasattr(a, "detach") else a
        assert a.tobytes() == b.tobytes()  # bit for bit


class Vandal:
    """Computes SmoothModel's outputs, then writes into every input it was given."""

    def __init__(self):
        self.f = SmoothModel(SHAPES)

    def __call__(self, xs):
        out = self.f(xs)
        xs[0] *= 2
        xs[1][:] = -7.0
        return out


@pytest.mark.parametrize("masking", ["expectation", "random", "baseline"])
def test_numpy_callable_writing_into_its_input(masking):
    X, bg = random_modalities(5, SHAPES, seed=0), random_modalities(4, SHAPES, seed=1)
    before_x, before_bg = _snapshot(X), _snapshot(bg)
    res = isw.explain(Vandal(), X, bg, masking=masking, progress=False)
    _assert_unchanged(X, before_x)
    _assert_unchanged(bg, before_bg)
    # and the numbers are those of the same model that leaves its input alone
    ref = isw.explain(SmoothModel(SHAPES), X, bg, masking=masking, progress=False)
    np.testing.assert_array_equal(res.coalition_values, ref.coalition_values)


def test_default_background_is_x_and_stays_untouched():
    X = random_modalities(5, SHAPES, seed=2)
    before = _snapshot(X)
    isw.explain(Vandal(), X, progress=False)
    _assert_unchanged(X, before)


def test_torch_module_on_float32_numpy_shares_no_memory_with_the_model():
    torch = pytest.importorskip("torch")

    class InPlace(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(5, 2)

        def forward(self, xs):
            out = self.lin(torch.cat(xs, dim=1))
            xs[0].mul_(2)
            xs[1].zero_()
            return out

    torch.manual_seed(0)
    net = InPlace()  # float32, so torch.as_tensor would share the caller's float32 memory
    X = random_modalities(6, SHAPES, seed=3, dtype=np.float32)
    bg = random_modalities(3, SHAPES, seed=4, dtype=np.float32)
    tensors = [torch.as_tensor(x.copy()) for x in X]
    before, before_bg, before_t = _snapshot(X), _snapshot(bg), _snapshot([t.numpy() for t in tensors])
    isw.explain(net, X, bg, progress=False)
    isw.explain(net, X, progress=False)
    isw.explain(net, tensors, progress=False)
    _assert_unchanged(X, before)
    _assert_unchanged(bg, before_bg)
    _assert_unchanged(tensors, before_t)


def test_sklearn_estimator_writing_into_its_input():
    class VandalRegressor:
        def fit(self, A, y):
            return self

        def predict(self, A):
            out = A[:, 0] * A[:, 3] + A[:, 1]
            A *= 3
            return out

    X, bg = random_modalities(5, SHAPES, seed=5), random_modalities(4, SHAPES, seed=6)
    before, before_bg = _snapshot(X), _snapshot(bg)
    isw.explain(VandalRegressor(), X, bg, progress=False)
    _assert_unchanged(X, before)
    _assert_unchanged(bg, before_bg)


def test_sampler_with_a_model_writing_into_its_input():
    X, bg = random_modalities(5, SHAPES, seed=7), random_modalities(4, SHAPES, seed=8)
    before, before_bg = _snapshot(X), _snapshot(bg)
    res = sp.sample_explain(Vandal(), X, bg, budget=4, progress=False)
    _assert_unchanged(X, before)
    _assert_unchanged(bg, before_bg)
    ref = isw.explain(SmoothModel(SHAPES), X, bg, progress=False)
    np.testing.assert_allclose(res.phi, ref.phi, atol=1e-12)


def test_factorised_encoders_writing_into_their_input():
    def enc(i):
        def f(x):
            out = np.tanh(x * (i + 1))
            x *= 5
            return out
        return f

    def head(zs):
        z = np.concatenate(zs, axis=1)
        return np.stack([z.sum(1) + z[:, 0] * z[:, 3], -z.sum(1)], axis=1)

    X, bg = random_modalities(5, SHAPES, seed=9), random_modalities(4, SHAPES, seed=10)
    before, before_bg = _snapshot(X), _snapshot(bg)
    isw.explain(isw.Factorised([enc(0), enc(1)], head), X, bg, progress=False)
    isw.explain(isw.Factorised([enc(0), enc(1)], head), X, progress=False)
    _assert_unchanged(X, before)
    _assert_unchanged(bg, before_bg)


def test_compare_scores_baselines_with_a_model_writing_into_its_input():
    X = random_modalities(40, SHAPES, seed=11)
    y = (X[0][:, 0] > 0).astype(int)
    before = _snapshot(X)
    isw.compare_scores(Vandal(), X, y, scores=("intershap", "shape"), progress=False)
    _assert_unchanged(X, before)
