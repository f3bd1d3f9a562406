"""Factorised models: encoders once, head per coalition, same numbers as the full model."""

from __future__ import annotations

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.exact import explain_factorised
from intershap_widget.explainers.factorised import Factorised, encode

torch = pytest.importorskip("torch")


class LateFusion(torch.nn.Module):
    """Per-modality two-layer encoders, concatenated, then the class layer."""

    def __init__(self, dims, n_classes=2):
        super().__init__()
        self.encoders = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Linear(d, d // 2), torch.nn.ReLU(),
                                torch.nn.Linear(d // 2, d // 4), torch.nn.ReLU())
            for d in dims
        )
        self.head = torch.nn.Linear(sum(d // 4 for d in dims), n_classes)

    def forward(self, xs):
        return self.head(torch.cat([e(x) for e, x in zip(self.encoders, xs)], dim=1))


def _data(dims, n, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)) for d in dims]


@pytest.mark.parametrize("masking", ["expectation", "random", "baseline"])
def test_factorised_equals_plain_path(masking):
    torch.manual_seed(0)
    dims = (12, 8, 16)
    model = LateFusion(dims).double()
    X, bg = _data(dims, 9, 1), _data(dims, 30, 2)
    kw = dict(masking=masking, n_background=20, n_draws=4, progress=False, target="all")
    plain = isw.explain(model, X, bg, **kw)
    fact = explain_factorised(Factorised.from_model(model, concat=True), X, bg, **kw)
    np.testing.assert_allclose(fact.class_values, plain.class_values, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fact.target_class, plain.target_class)
    assert fact.settings["factorised"] is True


def test_numpy_encoders_and_list_head():
    rng = np.random.default_rng(3)
    mats = [rng.normal(size=(d, 3)) for d in (4, 5)]
    encoders = [lambda x, a=a: np.tanh(x @ a) for a in mats]

    def head(zs):
        s = zs[0].sum(axis=1) * zs[1].sum(axis=1)
        return np.stack([s, -s, zs[0][:, 0]], axis=1)

    fm = Factorised(encoders, head)
    X, bg = _data((4, 5), 7, 4), _data((4, 5), 11, 5)
    plain = isw.explain(lambda xs: head([e(x) for e, x in zip(encoders, xs)]), X, bg, progress=False)
    fact = explain_factorised(fm, X, bg, progress=False)
    np.testing.assert_allclose(fact.coalition_values, plain.coalition_values, atol=1e-12)
    np.testing.assert_allclose(np.asarray(fm(X)), head([e(x) for e, x in zip(encoders, X)]), atol=1e-12)
    assert [z.shape for z in encode(fm, X)] == [(7, 3), (7, 3)]


def test_encoders_run_once_per_row():
    calls = []
    enc = [lambda x, i=i: (calls.append((i, len(x))), x * 2.0)[1] for i in range(3)]
    fm = Factorised(enc, lambda zs: np.stack([z.sum(axis=1) for z in zs], axis=1).sum(axis=1, keepdims=True))
    X, bg = _data((2, 2, 2), 10, 6), _data((2, 2, 2), 50, 7)
    explain_factorised(fm, X, bg, n_background=20, progress=False, precision=None)
    rows = {i: sum(n for j, n in calls if j == i) for i in range(3)}
    assert rows == {0: 30, 1: 30, 2: 30}  # 10 samples + 20 kept background rows
    calls.clear()  # sampled per sample (the default): any of the 50 rows may be used
    explain_factorised(fm, X, bg, n_background=20, progress=False)
    rows = {i: sum(n for j, n in calls if j == i) for i in range(3)}
    assert rows == {0: 60, 1: 60, 2: 60}  # 10 samples + 50 background rows, once each


def test_bad_inputs():
    with pytest.raises(ValueError, match="one encoder per modality"):
        Factorised([lambda x: x], lambda zs: zs[0])
    fm = Factorised([lambda x: x, lambda x: x], lambda zs: zs[0])
    with pytest.raises(ValueError, match="cannot be factorised"):
        explain_factorised(fm, _data((2, 2), 3, 0), masking=lambda x, p: x)
    with pytest.raises(ValueError, match="2 encoders"):
        encode(fm, _data((2, 2, 2), 3, 0))


def test_explain_dispatches_factorised_models_after_checking_inputs():
    torch.manual_seed(1)
    dims = (6, 4)
    model = LateFusion(dims).double()
    X, bg = _data(dims, 5, 3), _data(dims, 7, 4)
    fm = Factorised.from_model(model, concat=True)
    res = isw.explain(fm, X, bg, progress=False, modality_names=["a", "b"])
    assert res.settings["factorised"] is True and res.modality_names == ["a", "b"]
    np.testing.assert_allclose(res.coalition_values, isw.explain(model, X, bg, progress=False).coalition_values, atol=1e-12)
    # bad raw inputs are reported before any encoder runs
    with pytest.raises(ValueError, match="same number of samples"):
        isw.explain(fm, [X[0], X[1][:3]], progress=False)


def test_result_methods_for_higher_orders():
    dims = (6, 4, 5)
    model = LateFusion(dims).double()
    res = isw.explain(model, _data(dims, 4, 5), progress=False)
    from intershap_widget.maths.interactions import interactions, order_shares

    np.testing.assert_allclose(res.interactions("STII", 2).values, interactions(res, "STII", 2).values)
    assert res.order_shares().global_shares.shape == order_shares(res).global_shares.shape
