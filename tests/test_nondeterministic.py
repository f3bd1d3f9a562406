"""A model that does not repeat itself is caught before the long run (issue 26, item 7):
the probe batch is evaluated twice."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import intershap_widget as isw

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = [RNG.normal(size=(30, 4)).astype(np.float32) for _ in range(2)]
BG = [RNG.normal(size=(20, 4)).astype(np.float32) for _ in range(2)]


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(16, 2))


class Counting:
    """A numpy model with fresh noise on every call; counts the rows it saw."""

    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, xs):
        self.rows += xs[0].shape[0]
        h = np.tanh(xs[0].sum(1)) * xs[1][:, 0] + np.random.default_rng().normal(scale=0.05, size=xs[0].shape[0])
        return h


def test_noise_in_the_model_is_refused_before_the_long_run():
    model = Counting()
    with pytest.raises(isw.NondeterministicModelError, match=r"model\.eval\(\).*allow_nondeterministic=True") as exc:
        isw.explain(model, X, BG, output="regression", progress=False)
    assert "differs by up to" in str(exc.value) and isinstance(exc.value, isw.InputError)
    assert model.rows <= 4  # the probe rows only: nothing of the long run


def test_a_function_around_a_network_in_train_mode_is_refused():
    net = _net().train()

    def forward(xs):
        return net(torch.cat([torch.as_tensor(x) for x in xs], dim=1))

    with pytest.raises(isw.NondeterministicModelError, match="dropout"):
        isw.explain(forward, X, BG, progress=False)
    net.eval()  # the remedy the error names
    a = isw.explain(forward, X, BG, progress=False)
    b = isw.explain(forward, X, BG, progress=False)
    np.testing.assert_array_equal(a.coalition_values, b.coalition_values)


def test_a_module_in_train_mode_is_evaluated_in_eval_mode():
    net = _net().train()
    res = isw.explain(_Cat(net), X, BG, progress=False)
    assert net.training  # restored afterwards
    np.testing.assert_array_equal(res.coalition_values, isw.explain(_Cat(net), X, BG, progress=False).coalition_values)


class _Cat(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, xs):
        return self.net(torch.cat(xs, dim=1))


def test_allow_nondeterministic_runs_with_a_named_warning():
    net = _net().train()

    def mc_dropout(xs):
        return net(torch.cat([torch.as_tensor(x) for x in xs], dim=1))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = isw.explain(mc_dropout, X, BG, progress=False, allow_nondeterministic=True)
    named = [w for w in caught if isinstance(w.message, isw.NondeterministicModelWarning)]
    assert len(named) == 1 and "averages over the model's randomness" in str(named[0].message)
    assert np.isfinite(res.coalition_values).all()


def test_repeat_difference_allows_rounding_only():
    from intershap_widget.explainers.determinism import repeat_difference

    a = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert repeat_difference(a, a + 1e-9, "float32") is None  # within float32 rounding of the scale
    assert repeat_difference(a, a + 1e-4, "float32") == pytest.approx(1e-4)
    assert repeat_difference(a, a + 1e-3, "torch.bfloat16") is None
    assert repeat_difference(a, a[:1], "float64") == float("inf")
