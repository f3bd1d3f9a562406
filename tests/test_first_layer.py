"""Early fusion with its first layer factorised (explainers/first_layer.py): the same
numbers as the plain model on every masking path, the axioms exact, detection only
where the model computes a Linear over the concatenation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import intershap_widget as isw  # noqa: E402
from intershap_widget.explainers import first_layer_masking  # noqa: E402
from intershap_widget.explainers.first_layer import FirstLayer, detect  # noqa: E402
from intershap_widget.paper.fusion import make_model  # noqa: E402

DIMS = (6, 5, 7)


def data(n, seed, dims=DIMS, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)).astype(dtype) for d in dims]


def explain(model, X, bg, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # precision and cancellation warnings: not what is tested here
        return isw.explain(model, X, bg, progress=False, **kw)


MASKINGS = {
    "expectation (all rows)": dict(n_background=300),
    "expectation (shared subsample)": dict(n_background=40, precision=None),
    "sampled per sample (to precision)": dict(n_background=40),
    "sampled, fixed K": dict(masking=isw.SampledMasker(24, seed=3)),
    "sampled, unstratified": dict(masking=isw.SampledMasker(24, seed=3, stratify=False)),
    "random": dict(masking="random", n_draws=9),
    "random, paper's empty": dict(masking=isw.RandomMasker(30, seed=2, empty="background")),
    "baseline mean": dict(masking="baseline"),
    "baseline zeros": dict(masking="baseline", baseline="zeros"),
    "baseline given": dict(masking="baseline", baseline=[np.full(d, 0.3) for d in DIMS]),
}


@pytest.mark.parametrize("name", list(MASKINGS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_plain_path_on_every_masking(name, dtype):
    model = make_model(DIMS, "early", n_classes=3, seed=4)
    if dtype == np.float64:
        model = model.double()
    X, bg = data(23, 1, dtype=dtype), data(300, 2, dtype=dtype)
    kw = dict(MASKINGS[name], target="all", seed=7)
    plain = explain(model, X, bg, factorise=False, **kw)
    fact = explain(model, X, bg, **kw)
    assert fact.settings["first_layer"] == {"dims": list(DIMS), "hidden": sum(DIMS) // 2}
    assert "first_layer" not in plain.settings
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(fact.class_values, plain.class_values, rtol=0, atol=tol)
    np.testing.assert_array_equal(fact.target_class, plain.target_class)
    for key in ("masking", "n_background", "rows_per_sample", "n_strata", "n_draws", "empty", "baseline", "model_rows"):
        assert fact.settings.get(key) == plain.settings.get(key), key
    if plain.masking_se is not None:
        np.testing.assert_allclose(fact.coalition_values_se, plain.coalition_values_se, rtol=1e-4, atol=tol)


def test_table_fallback_gives_the_same_numbers(monkeypatch):
    model = make_model(DIMS, "early", seed=1).double()
    X, bg = data(11, 3), data(200, 4)
    fast = explain(model, X, bg, n_background=50)
    monkeypatch.setattr(first_layer_masking, "TABLE_BYTES", 0)  # rows gathered per modality
    slow = explain(model, X, bg, n_background=50)
    np.testing.assert_allclose(slow.coalition_values, fast.coalition_values, rtol=0, atol=1e-13)


def test_sequential_on_the_concatenation_detected_and_declared():
    shapes = [(2, 3), (5,), (4, 2)]  # modality 0 and 2 are flattened into the concatenation
    widths = (6, 5, 8)
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(19, 9), torch.nn.Tanh(), torch.nn.Linear(9, 2)).double()
    rng = np.random.default_rng(5)
    X = [rng.normal(size=(9, *s)) for s in shapes]
    bg = [rng.normal(size=(60, *s)) for s in shapes]
    plain = explain(isw.concatenated(seq), X, bg, factorise=False, n_background=20)
    auto = explain(isw.concatenated(seq), X, bg, n_background=20)
    declared = explain(isw.Factorised.first_layer(seq, widths), X, bg, n_background=20)
    read = explain(isw.Factorised.first_layer(seq), X, bg, n_background=20)
    for res in (auto, declared, read):
        assert res.settings["first_layer"]["dims"] == list(widths)
        np.testing.assert_allclose(res.coalition_values, plain.coalition_values, rtol=0, atol=1e-12)
    # the declared object is the plain model too
    ref = seq(torch.as_tensor(np.concatenate([x.reshape(9, -1) for x in X], axis=1))).detach().numpy()
    np.testing.assert_allclose(isw.Factorised.first_layer(seq)(X).numpy(), ref, atol=1e-12)


class NotConcatenated(torch.nn.Module):
    """Looks like early fusion (identity encoders, a Sequential head), but scales modality 1."""

    def __init__(self):
        super().__init__()
        self.encoders = torch.nn.ModuleList(torch.nn.Identity() for _ in DIMS)
        self.head = torch.nn.Sequential(torch.nn.Linear(sum(DIMS), 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))

    def forward(self, xs):
        return self.head(torch.cat([xs[0], 2 * xs[1], xs[2]], dim=1))


def test_detection_checks_what_the_model_computes():
    X = data(8, 6, dtype=np.float32)
    assert detect(make_model(DIMS, "early", seed=0), X) is not None
    assert detect(NotConcatenated(), X) is None
    assert detect(make_model(DIMS, "intermediate", seed=0), X) is None
    assert detect(make_model(DIMS, "early", seed=0), X[:2]) is None  # widths do not match
    res = explain(NotConcatenated(), X, data(30, 7, dtype=np.float32), n_background=30)
    assert "first_layer" not in res.settings and "factorised" not in res.settings


def null_player_model():
    """Early fusion whose first layer never reads modality 1."""
    model = make_model(DIMS, "early", n_classes=2, seed=3).double()
    with torch.no_grad():
        model.head[0].weight[:, DIMS[0]:DIMS[0] + DIMS[1]] = 0
    return model


AXIOM_MASKINGS = ["expectation (all rows)", "expectation (shared subsample)", "sampled per sample (to precision)",
                  "sampled, fixed K", "baseline mean"]


@pytest.mark.parametrize("name", AXIOM_MASKINGS)
def test_null_player_gets_exactly_zero(name):
    X, bg = data(17, 8), data(1200, 9)
    kw = dict(MASKINGS[name])
    if kw.get("n_background") == 300:
        kw["n_background"] = 1200
    res = explain(null_player_model(), X, bg, **kw)
    assert res.settings["first_layer"]["dims"] == list(DIMS)
    tol = 1e-12 * np.abs(res.prediction - res.base_value).max()  # the axioms issue's "exact": rounding
    assert np.abs(res.shapley[:, 1]).max() <= tol
    assert np.abs(res.phi[:, 1, :]).max() <= tol and np.abs(res.phi[:, :, 1]).max() <= tol
    assert np.abs(res.shapley[:, [0, 2]]).max() > 1e-3  # the others do matter


@pytest.mark.parametrize("name", AXIOM_MASKINGS)
def test_additive_model_has_no_interaction(name):
    torch.manual_seed(2)
    seq = torch.nn.Sequential(torch.nn.Linear(sum(DIMS), 8), torch.nn.Linear(8, 1)).double()  # linear: additive
    X, bg = data(17, 10), data(1200, 11)
    kw = dict(MASKINGS[name])
    if kw.get("n_background") == 300:
        kw["n_background"] = 1200
    res = explain(isw.concatenated(seq), X, bg, **kw)
    assert res.settings["first_layer"]["dims"] == list(DIMS)
    scale = np.abs(res.prediction - res.base_value).max()
    off = res.phi[:, ~np.eye(3, dtype=bool)]
    assert np.abs(off).max() <= 1e-12 * scale
    np.testing.assert_allclose(res.phi.sum(axis=(1, 2)), res.prediction - res.base_value, atol=1e-12 * scale)


def test_bad_requests_are_refused_before_any_run():
    model = make_model(DIMS, "early", seed=0)
    X = data(5, 0, dtype=np.float32)
    with pytest.raises(ValueError, match="factorise must be"):
        explain(model, X, None, factorise="yes")
    with pytest.raises(ValueError, match="factorise=True needs"):
        explain(NotConcatenated(), X, None, factorise=True)
    with pytest.raises(ValueError, match="factorise=True needs"):
        explain(isw.Factorised.first_layer(model), X, None, masking=lambda x, p: [a[:, None] for a in x])
    with pytest.raises(ValueError, match="flattened widths"):
        explain(isw.Factorised.first_layer(model, (5, 6, 7)), X, None)
    with pytest.raises(ValueError, match="add up to"):
        isw.Factorised.first_layer(model, (5, 6))
    with pytest.raises(TypeError, match="nn.Sequential starting with nn.Linear"):
        isw.Factorised.first_layer(make_model(DIMS, "late", seed=0).encoders)
    with pytest.raises(TypeError, match="torch.nn.Linear"):
        FirstLayer(torch.nn.ReLU(), torch.nn.Identity(), DIMS)
