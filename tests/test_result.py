"""InteractionResult: scores against independent formulas, slicing, classes, save/load,
shap interop, display."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import scores
from models_for_tests import SmoothModel, random_modalities
from reference import interaction_brute

SHAPES = [(3,), (2,), (4,)]


@pytest.fixture(scope="module")
def res():
    X = random_modalities(12, SHAPES, seed=1)
    return isw.explain(SmoothModel(SHAPES, seed=2), X, target="all", labels=np.arange(12) % 3,
                       class_names=["x", "y", "z"], modality_names=["img", "txt", "tab"], progress=False)


def _scores_by_hand(phi):
    """Paper Eqs. 5-10 written out with loops."""
    n, m, _ = phi.shape
    Phi = np.abs(sum(phi[a] for a in range(n)) / n)
    inter = sum(Phi[i, j] for i in range(m) for j in range(m) if i != j)
    total = sum(Phi[i, j] for i in range(m) for j in range(m))
    local = []
    for a in range(n):
        num = sum(abs(phi[a, i, j]) for i in range(m) for j in range(m) if i != j)
        den = sum(abs(phi[a, i, j]) for i in range(m) for j in range(m))
        local.append(num / den)
    return Phi, inter / total, np.array(local), np.array([abs(Phi[i, i]) / total for i in range(m)])


def test_scores_match_the_paper_formulas(res):
    phi = np.stack([interaction_brute(v, 3) for v in res.coalition_values])
    np.testing.assert_allclose(res.phi, phi, atol=1e-12)
    Phi, g, loc, contrib = _scores_by_hand(phi)
    np.testing.assert_allclose(res.Phi, Phi, atol=1e-12)
    assert res.intershap == pytest.approx(g, abs=1e-12)
    np.testing.assert_allclose(res.intershap_local, loc, atol=1e-12)
    assert res.intershap_local_mean == pytest.approx(loc.mean(), abs=1e-12)
    np.testing.assert_allclose(res.modality_contributions, contrib, atol=1e-12)
    assert res.modality_contributions.sum() == pytest.approx(1 - res.intershap, abs=1e-12)
    np.testing.assert_allclose(res.base_value, res.coalition_values[:, 0])
    np.testing.assert_allclose(res.prediction, res.coalition_values[:, -1])


def test_abs_of_mean_not_mean_of_abs():
    # two samples whose interactions cancel: Φ takes |mean|, the local score |φ| per sample
    v = np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, -1.0]])
    r = isw.InteractionResult(v)
    np.testing.assert_allclose(r.Phi, 0.0)
    assert np.isnan(r.intershap)
    np.testing.assert_allclose(r.intershap_local, [1.0, 1.0])


def test_zero_behaviour_sample_gets_nan_local_score():
    v = np.array([[0.2, 0.2, 0.2, 0.2], [0.0, 1.0, 0.0, 1.0]])
    r = isw.InteractionResult(v)
    assert np.isnan(r.intershap_local[0]) and r.intershap_local[1] == 0.0
    assert r.intershap_local_mean == 0.0
    assert np.isnan(scores.local_scores(np.zeros((1, 2, 2)))[0])


def test_indexing_recomputes_global_scores(res):
    idx = [1, 4, 5, 9]
    sub = res[idx]
    assert sub.n_samples == 4
    np.testing.assert_array_equal(sub.sample_index, idx)
    np.testing.assert_allclose(sub.phi, res.phi[idx])
    np.testing.assert_allclose(sub.Phi, np.abs(res.phi[idx].mean(axis=0)))
    assert sub.intershap == pytest.approx(scores.intershap_score(np.abs(res.phi[idx].mean(axis=0))))
    np.testing.assert_array_equal(sub.labels, res.labels[idx])
    # masks, slices and nested indexing keep the original positions
    mask = np.zeros(12, dtype=bool)
    mask[idx] = True
    np.testing.assert_allclose(res[mask].coalition_values, sub.coalition_values)
    np.testing.assert_array_equal(res[2:8][::2].sample_index, [2, 4, 6])
    assert res[3].n_samples == 1
    with pytest.raises(IndexError):
        res[[12]]


def test_empty_subset_is_allowed_but_scores_are_nan(res):
    empty = res[[]]
    assert empty.n_samples == 0
    assert np.isnan(empty.intershap) and np.isnan(empty.intershap_local_mean)
    assert empty.nan_reason == "no samples" and "global InterSHAP is NaN: no samples" in repr(empty)
    assert np.isnan(empty.intervals["intershap"]).all()


def test_for_class(res):
    one = res.for_class(2)
    np.testing.assert_allclose(one.coalition_values, res.class_values[:, :, 2])
    np.testing.assert_allclose(res.for_class("z").coalition_values, one.coalition_values)
    assert one.target == 2
    # class probabilities sum to one, so the class games sum to a constant game
    total = sum(res.for_class(c).phi for c in range(3))
    np.testing.assert_allclose(total, 0.0, atol=1e-12)
    with pytest.raises(IndexError, match="3 classes"):
        res.for_class(3)
    with pytest.raises(KeyError):
        res.for_class("w")
    # a per-class view can switch class again
    np.testing.assert_allclose(one.for_class(0).coalition_values, res.class_values[:, :, 0])
    with pytest.raises(ValueError, match="target='all'"):
        isw.InteractionResult(res.coalition_values).for_class(0)


def test_save_load_round_trip(res, tmp_path):
    path = tmp_path / "res.npz"
    res.save(path)
    back = isw.load_result(path)
    for name in ("coalition_values", "class_values", "target_class", "predicted_class", "labels", "sample_index", "phi"):
        np.testing.assert_array_equal(getattr(back, name), getattr(res, name))
    assert back.modality_names == res.modality_names
    assert back.class_names == res.class_names
    assert back.target == res.target
    assert back.settings == res.settings
    assert back.intershap == res.intershap
    sub = res[[0, 3]]
    sub.save(path)
    np.testing.assert_array_equal(isw.load_result(path).sample_index, [0, 3])


def test_results_are_read_only(res):
    with pytest.raises(ValueError):
        res.phi[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        res.coalition_values[0, 0] = 1.0
    v = np.zeros((2, 4))
    r = isw.InteractionResult(v)
    v[0, 0] = 5  # the caller's array stays theirs
    assert r.coalition_values[0, 0] == 0


def test_to_shap(res):
    shap = pytest.importorskip("shap")
    exp = res.to_shap()
    assert isinstance(exp, shap.Explanation)
    np.testing.assert_allclose(exp.values, res.shapley)
    np.testing.assert_allclose(exp.base_values, res.base_value)
    assert list(exp.feature_names) == res.modality_names
    np.testing.assert_allclose(res.to_shap(interactions=True).values, res.phi)
    # shap's additivity: base + Σ shapley = prediction
    np.testing.assert_allclose(exp.base_values + exp.values.sum(axis=1), res.prediction, atol=1e-12)


def test_repr_is_readable(res):
    text = repr(res)
    assert "N=12 samples, M=3 modalities" in text
    assert f"{100 * res.intershap:.1f} %" in text
    for name in res.modality_names:
        assert name in text


def test_constructor_validation():
    with pytest.raises(ValueError, match="2\\*\\*M columns"):
        isw.InteractionResult(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="names"):
        isw.InteractionResult(np.zeros((3, 4)), modality_names=["a"])
    with pytest.raises(ValueError, match="labels"):
        isw.InteractionResult(np.zeros((3, 4)), labels=[1, 2])


def test_subsets_and_classes_keep_the_precision_and_their_own_nan_reasons(res):
    v = np.array([[0.5, 0.5, 0.5, 0.5 + 1e-8], [0.1, 0.5, 0.3, 1.0]])
    r = isw.InteractionResult(v, settings={"output_dtype": "float32"})
    assert np.isnan(r.intershap_local[0]) and np.isfinite(r.intershap_local[1])
    assert r[[0]].output_precision == r.output_precision
    assert r[[0]].nan_reason.startswith("no behaviour") and r[[1]].nan_reason is None
    assert r.nan_reason is None and np.isfinite(r.intershap)
    for c in range(3):
        one = res.for_class(c)
        assert one.nan_reason is None and one.intervals["Phi"].shape == (2, 3, 3)
