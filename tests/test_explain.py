"""explain() end to end: against brute-force coalition values, analytic XOR, batching
invariance, determinism, every masker and every kind of model."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import games
from models_for_tests import (
    SmoothModel,
    balanced_bits_background,
    random_modalities,
    unique_model,
    xor_model,
)
from reference import coalition_values_brute

SHAPES = [(3,), (2, 2), (4,)]


def test_coalition_values_match_brute_force_every_class():
    X = random_modalities(6, SHAPES, seed=1)
    bg = random_modalities(5, SHAPES, seed=2)
    f = SmoothModel(SHAPES)
    res = isw.explain(f, X, bg, target="all", output="probability", progress=False)
    truth = coalition_values_brute(f, X, bg)
    np.testing.assert_allclose(res.class_values, truth, atol=1e-12)
    pred = truth[:, -1].argmax(axis=1)
    np.testing.assert_allclose(res.coalition_values, truth[np.arange(6), :, pred], atol=1e-12)
    np.testing.assert_array_equal(res.predicted_class, pred)


def test_xor_synergy_is_exactly_all_interaction():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(50, 2))
    X = [bits[:, :1].astype(float), bits[:, 1:].astype(float)]
    res = isw.explain(xor_model, X, balanced_bits_background(2), output="probability", progress=False)
    assert res.intershap == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(res.intershap_local, 1.0, atol=1e-12)
    np.testing.assert_allclose(np.diag(res.Phi), 0, atol=1e-12)
    np.testing.assert_allclose(res.phi[:, 0, 1], 0.25, atol=1e-12)  # ½(1 − ½ − ½ + ½)


def test_xor_uniqueness_is_exactly_no_interaction():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(50, 2))
    X = [bits[:, :1].astype(float), bits[:, 1:].astype(float)]
    res = isw.explain(unique_model, X, balanced_bits_background(2), output="probability", progress=False)
    assert res.intershap == 0.0
    np.testing.assert_allclose(res.intershap_local, 0.0, atol=1e-12)
    np.testing.assert_allclose(res.modality_contributions, [1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("masking", ["expectation", "random", "baseline"])
def test_batch_size_does_not_change_numbers(masking):
    X = random_modalities(9, SHAPES, seed=3)
    f = SmoothModel(SHAPES, seed=4)
    kw = dict(masking=masking, output="probability", progress=False, n_draws=4)
    ref = isw.explain(f, X, batch_size=100_000, **kw).coalition_values
    for bs in (1, 3, 17, 64):
        np.testing.assert_allclose(isw.explain(f, X, batch_size=bs, **kw).coalition_values, ref, atol=1e-13)


def test_random_masking_is_seeded_and_paper_like():
    X = random_modalities(8, SHAPES, seed=5)
    f = SmoothModel(SHAPES, seed=6)
    a = isw.explain(f, X, masking="random", n_draws=3, seed=11, progress=False, output="probability")
    b = isw.explain(f, X, masking="random", n_draws=3, seed=11, progress=False, output="probability")
    c = isw.explain(f, X, masking="random", n_draws=3, seed=12, progress=False, output="probability")
    np.testing.assert_array_equal(a.coalition_values, b.coalition_values)
    assert not np.allclose(a.coalition_values[:, 1:-1], c.coalition_values[:, 1:-1])
    # the full coalition needs no masking; ∅ is drawn per sample
    exact = isw.explain(f, X, progress=False, output="probability")
    np.testing.assert_allclose(a.prediction, exact.prediction, atol=1e-12)
    assert len(np.unique(np.round(a.base_value, 12))) > 1
    # each v(S) is a mean of n_draws outputs on rows drawn from the background
    masker = isw.RandomMasker(n_draws=3, seed=11)
    idx = masker.draws(np.array([2]), np.array([0b010]), 8)[0]
    rows = [np.stack([X[i][2] if i == 1 else X[i][k] for k in idx]) for i in range(3)]
    assert a.coalition_values[2, 0b010] == pytest.approx(f(rows)[:, a.target_class[2]].mean(), abs=1e-12)


def test_random_masking_error_shrinks_towards_expectation():
    X = random_modalities(20, SHAPES, seed=7)
    f = SmoothModel(SHAPES, seed=8)
    exact = isw.explain(f, X, progress=False, output="probability").coalition_values
    errs = [
        np.abs(isw.explain(f, X, masking="random", n_draws=n, progress=False, output="probability").coalition_values - exact).mean()
        for n in (2, 200)
    ]
    assert errs[1] < errs[0] / 3


def test_background_subsample_is_seeded_and_exact_over_it():
    # precision=None: one seeded subsample of n_background rows for every sample
    X = random_modalities(4, SHAPES, seed=9)
    bg = random_modalities(40, SHAPES, seed=10)
    f = SmoothModel(SHAPES, seed=11)
    res = isw.explain(f, X, bg, n_background=7, seed=3, progress=False, output="probability", target="all",
                      precision=None)
    assert res.settings["n_background"] == 7
    keep = isw.BackgroundMasker(n_background=7, seed=3).select_rows(40)
    assert len(np.unique(keep)) == 7
    truth = coalition_values_brute(f, X, [b[keep] for b in bg])
    np.testing.assert_allclose(res.class_values, truth, atol=1e-12)
    other = isw.explain(f, X, bg, n_background=7, seed=4, progress=False, output="probability", precision=None)
    assert not np.allclose(other.coalition_values, res.coalition_values)


def test_baseline_masking_equals_one_reference_row():
    X = random_modalities(5, SHAPES, seed=12)
    bg = random_modalities(30, SHAPES, seed=13)
    f = SmoothModel(SHAPES, seed=14)
    kw = dict(output="probability", progress=False, target="all")
    mean = isw.explain(f, X, bg, masking="baseline", **kw)
    np.testing.assert_allclose(
        mean.class_values, coalition_values_brute(f, X, [b.mean(axis=0, keepdims=True) for b in bg]), atol=1e-12
    )
    zeros = isw.explain(f, X, bg, masking="baseline", baseline="zeros", **kw)
    np.testing.assert_allclose(zeros.class_values, coalition_values_brute(f, X, [0 * b[:1] for b in bg]), atol=1e-12)
    given = [np.full(s, 0.5) for s in SHAPES]
    res = isw.explain(f, X, bg, masking="baseline", baseline=given, **kw)
    np.testing.assert_allclose(res.class_values, coalition_values_brute(f, X, [g[None] for g in given]), atol=1e-12)


def test_callable_masker():
    X = random_modalities(5, SHAPES, seed=15)
    bg = random_modalities(6, SHAPES, seed=16)
    f = SmoothModel(SHAPES, seed=17)

    def swap_in_background(x, present):
        out = []
        for i, xi in enumerate(x):
            tiled = np.broadcast_to(bg[i][None], (len(xi), *bg[i].shape))
            out.append(np.where(present[:, i].reshape(-1, *([1] * bg[i].ndim)), xi[:, None], tiled))
        return out

    custom = isw.explain(f, X, masking=swap_in_background, output="probability", progress=False)
    exact = isw.explain(f, X, bg, output="probability", progress=False)
    np.testing.assert_allclose(custom.coalition_values, exact.coalition_values, atol=1e-12)
    assert custom.settings["masking"] == "callable"


def test_targets_agree_with_each_other():
    X = random_modalities(10, SHAPES, seed=18)
    f = SmoothModel(SHAPES, seed=19)
    kw = dict(output="probability", progress=False)
    every = isw.explain(f, X, target="all", **kw)
    pred = isw.explain(f, X, target="predicted", **kw)
    np.testing.assert_allclose(every.coalition_values, pred.coalition_values, atol=1e-13)
    assert every.intershap == pytest.approx(pred.intershap)
    for c in range(3):
        with pytest.warns(isw.explainers.degenerate.DegenerateScoreWarning, match=f"class {c} for every sample"):
            one = isw.explain(f, X, target=c, **kw)  # a fixed class against background = X
        np.testing.assert_allclose(every.for_class(c).coalition_values, one.coalition_values, atol=1e-13)
        np.testing.assert_array_equal(one.target_class, c)


def test_logits_get_softmax_and_auto_detects():
    X = random_modalities(6, SHAPES, seed=20)
    f = SmoothModel(SHAPES, seed=21)
    from_logits = isw.explain(f.logits, X, output="logits", progress=False)
    from_probs = isw.explain(f, X, output="probability", progress=False)
    np.testing.assert_allclose(from_logits.coalition_values, from_probs.coalition_values, atol=1e-12)
    assert isw.explain(f.logits, X, progress=False).settings["output"] == "logits"
    assert isw.explain(f, X, progress=False).settings["output"] == "probability"


def test_regression_output():
    X = random_modalities(6, SHAPES, seed=22)
    w = [np.random.default_rng(i).normal(size=s) for i, s in enumerate(SHAPES)]

    def reg(xs):  # additive in modalities plus a product of modalities 0 and 2
        parts = [(x * wi).reshape(len(x), -1).sum(axis=1) for x, wi in zip(xs, w)]
        return parts[0] + parts[1] + parts[2] + parts[0] * parts[2]

    with pytest.warns(isw.explainers.degenerate.DegenerateScoreWarning, match="a regression output"):
        res = isw.explain(reg, X, progress=False)
    assert res.settings["output"] == "regression" and res.target == "regression"
    assert res.predicted_class is None
    np.testing.assert_allclose(res.prediction, reg(X), atol=1e-12)
    assert np.abs(res.phi[:, 0, 1]).max() < 1e-12  # modalities 0 and 1 enter additively
    assert np.abs(res.phi[:, 0, 2]).max() > 1e-3


def test_torch_model_matches_numpy_and_is_left_untouched():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(3, 4)
            self.b = torch.nn.Linear(4, 4)
            self.drop = torch.nn.Dropout(0.5)
            self.head = torch.nn.Linear(8, 2)

        def forward(self, xs):
            h = torch.cat([torch.tanh(self.a(xs[0])), torch.tanh(self.b(xs[1].flatten(1)))], dim=1)
            return self.head(self.drop(h))

    net = Net().double()
    net.train()
    X = random_modalities(7, [(3,), (2, 2)], seed=23)
    before = [x.copy() for x in X]

    def numpy_twin(xs):
        with torch.no_grad():
            net.eval()
            out = torch.softmax(net([torch.as_tensor(x) for x in xs]), dim=1).numpy()
            net.train()
        return out

    res = isw.explain(net, X, progress=False, batch_size=5)
    twin = isw.explain(numpy_twin, X, output="probability", progress=False)
    np.testing.assert_allclose(res.coalition_values, twin.coalition_values, atol=1e-12)
    assert res.settings["output"] == "logits"
    assert net.training and net.drop.training  # mode restored
    for x, b in zip(X, before):
        np.testing.assert_array_equal(x, b)
    # tensors work as inputs too, and float32 models get float32 inputs
    res32 = isw.explain(net.float(), [torch.as_tensor(x) for x in X], progress=False)
    np.testing.assert_allclose(res32.coalition_values, res.coalition_values, atol=1e-5)


def test_sklearn_estimator_on_concatenated_features():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression

    X = random_modalities(40, [(3,), (2, 2)], seed=24)
    flat = np.concatenate([x.reshape(40, -1) for x in X], axis=1)
    y = (flat[:, 0] * flat[:, 4] > 0).astype(int)
    clf = LogisticRegression().fit(flat, y)
    res = isw.explain(clf, X, progress=False)
    assert res.settings["output"] == "probability"
    manual = isw.explain(
        isw.concatenated(lambda z: clf.predict_proba(z)), X, output="probability", progress=False
    )
    np.testing.assert_allclose(res.coalition_values, manual.coalition_values, atol=1e-12)
    np.testing.assert_allclose(res.prediction, clf.predict_proba(flat).max(axis=1), atol=1e-12)


def test_labels_names_and_model_rows_are_recorded():
    X = random_modalities(5, SHAPES, seed=25)
    bg = random_modalities(4, SHAPES, seed=26)
    res = isw.explain(
        SmoothModel(SHAPES), X, bg, labels=np.arange(5) % 2, modality_names=["img", "txt", "tab"],
        class_names=["a", "b", "c"], progress=False,
    )
    assert res.modality_names == ["img", "txt", "tab"]
    np.testing.assert_array_equal(res.labels, np.arange(5) % 2)
    n, m, k = 5, 3, 4
    assert res.settings["model_rows"] == n * (2**m - 2) * k + n + k


def test_counts_model_rows_actually_evaluated():
    X = random_modalities(6, SHAPES, seed=27)
    bg = random_modalities(5, SHAPES, seed=28)
    f = SmoothModel(SHAPES)
    seen = []

    def counting(xs):
        seen.append(len(xs[0]))
        return f(xs)

    res = isw.explain(counting, X, bg, output="probability", progress=False)
    probes = 2 + 5  # the probe batch and one masked probe pair
    assert sum(seen) - probes == res.settings["model_rows"] == 6 * 6 * 5 + 6 + 5


def test_many_modalities_small_model():
    m = 10
    X = random_modalities(3, [(1,)] * m, seed=29)
    bg = random_modalities(2, [(1,)] * m, seed=30)
    f = SmoothModel([(1,)] * m, n_classes=2)
    res = isw.explain(f, X, bg, progress=False, output="probability")
    assert res.phi.shape == (3, m, m)
    np.testing.assert_allclose(res.phi.sum(axis=(1, 2)), res.prediction - res.base_value, atol=1e-10)
    np.testing.assert_allclose(games.shapley_values(res.coalition_values), res.shapley)


def test_random_masking_with_the_background_mean_as_empty_value():
    X = random_modalities(8, SHAPES, seed=31)
    f = SmoothModel(SHAPES, seed=32)
    kw = dict(progress=False, output="probability")
    drawn = isw.explain(f, X, masking=isw.RandomMasker(n_draws=3, seed=5), **kw)
    shared = isw.explain(f, X, masking=isw.RandomMasker(n_draws=3, seed=5, empty="background"), **kw)
    exact = isw.explain(f, X, **kw)
    # v(∅) is the exact mean over the background, evaluated once; the rest is unchanged
    np.testing.assert_allclose(shared.base_value, exact.base_value, atol=1e-12)
    np.testing.assert_allclose(shared.coalition_values[:, 1:], drawn.coalition_values[:, 1:], atol=1e-12)
    assert shared.settings["empty"] == "background" and drawn.settings["empty"] == "drawn"
    n, k = 8, 8
    assert shared.settings["model_rows"] == n * (2**3 - 2) * 3 + n + k
    with pytest.raises(ValueError, match="empty must be"):
        isw.RandomMasker(empty="mean")


def test_raw_output_explains_logits_without_softmax():
    X = random_modalities(6, SHAPES, seed=33)
    bg = random_modalities(4, SHAPES, seed=34)
    f = SmoothModel(SHAPES, seed=35)
    res = isw.explain(f.logits, X, bg, output="raw", target="all", progress=False)
    np.testing.assert_allclose(res.class_values, coalition_values_brute(f.logits, X, bg), atol=1e-12)
    np.testing.assert_array_equal(res.predicted_class, f.logits(X).argmax(axis=1))
    assert res.settings["output"] == "raw"
