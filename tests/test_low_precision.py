"""A "no behaviour" tolerance an honest low-precision model passes (issue 26, item 6):
the bfloat16 and float16 twins of a float32 network get finite scores within a few
percent of it; a constant bfloat16 model still gets NaN with the reason."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import games, scores

torch = pytest.importorskip("torch")


class Net(torch.nn.Module):
    """Three modalities, per-modality layers, a small tanh head, two logits."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.enc = torch.nn.ModuleList(torch.nn.Linear(4, 8) for _ in range(3))
        self.head = torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(24, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
        with torch.no_grad():
            for p in self.parameters():
                p.mul_(2.0)

    def forward(self, xs):
        return self.head(torch.cat([e(x) for e, x in zip(self.enc, xs)], dim=1))


class Constant(torch.nn.Module):
    """Reads every modality, returns the same logits for all of them (0 · x + b)."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(12, 2)
        with torch.no_grad():
            self.lin.weight.zero_()
            self.lin.bias.copy_(torch.tensor([0.3, -1.1]))

    def forward(self, xs):
        return self.lin(torch.cat(xs, dim=1))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(60, 4)).astype(np.float32) for _ in range(3)], \
        [rng.normal(size=(80, 4)).astype(np.float32) for _ in range(3)]


def _explain(model, X, bg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cancellation warning of this model is not the point
        return isw.explain(model, X, bg, n_background=80, progress=False)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_a_low_precision_twin_gets_the_float32_scores(data, dtype):
    X, bg = data
    ref = _explain(Net(), X, bg)
    low = _explain(copy.deepcopy(Net()).to(getattr(torch, dtype)), X, bg)
    assert low.settings["output_dtype"] == f"torch.{dtype}" and low.nan_reason is None
    assert np.isfinite(low.intershap_local).all() and np.isfinite(low.modality_contributions).all()
    assert low.intershap == pytest.approx(ref.intershap, rel=0.03)
    assert low.intershap_local_mean == pytest.approx(ref.intershap_local_mean, rel=0.03)
    np.testing.assert_allclose(low.Phi, ref.Phi, atol=0.02 * ref.Phi.max())
    # the old rule (16 units of rounding on every v(S), the L1 norm of the transform):
    # a tolerance above the behaviour itself, a NaN for an honest model
    old = scores.TOL_ULPS * scores.transform_l1(3) * low.output_precision * np.abs(low.coalition_values).max(1).mean()
    assert old > low.behaviour > low._tol


def test_a_constant_bfloat16_model_is_still_nan_with_the_reason(data):
    X, bg = data
    res = _explain(Constant().to(torch.bfloat16), X, bg)
    assert np.isnan(res.intershap) and res.nan_reason.startswith("no behaviour")
    assert np.isnan(res.intershap_local).all() and res.local_nan_reason.startswith("60 of 60")


def test_rounding_tolerance_is_derived_from_the_transform():
    for m in (2, 3, 4):
        w = games.interaction_matrices(np.eye(1 << m))
        # one output per v(S): the sum of the Euclidean norms of φ_ij's weights
        assert scores.transform_l2(m) == pytest.approx(np.sqrt((w**2).sum(axis=0)).sum())
        # many rows per masked v(S): only the rounding of v(N), a single output, is left
        assert scores.transform_l2(m, 10**9) == pytest.approx(np.abs(w[-1]).sum(), rel=1e-3)
    v = np.random.default_rng(1).normal(size=(100, 8))
    eps = 2.0**-7
    one = scores.local_tolerance(v, eps, rows=1)
    many = scores.local_tolerance(v, eps, rows=100)
    assert np.all(many < one)
    np.testing.assert_allclose(one, scores.TOL_SIGMAS * eps / 2 * scores.transform_l2(3) * np.abs(v).max(1))
    # the global tolerance: independent rounding averages over the samples
    assert scores.global_tolerance(v, eps, 100) == pytest.approx(many.mean() / 10)
