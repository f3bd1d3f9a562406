"""SHAPE cross-modal cooperation: hand-computed example, a model ignoring a modality, M = 3."""

import numpy as np
import pytest

from intershap_widget.paper.baselines import shape


def _or_model(xs):
    p = ((xs[0][:, 0] > 0.5) | (xs[1][:, 0] > 0.5)).astype(float)
    return np.stack([1 - p, p], axis=1)


def test_values_by_hand_on_a_tiny_example():
    # y = AND of the bits, the model predicts OR; zero masking.
    x1 = np.array([[0.0], [1.0], [0.0], [1.0]])
    x2 = np.array([[0.0], [0.0], [1.0], [1.0]])
    y = np.array([0, 0, 0, 1])
    r = shape(_or_model, [x1, x2], y)
    # V(∅) = majority (0): F1_0 = 6/7, F1_1 = 0 -> 3/7.  V(N): OR = [0,1,1,1] -> F1 1/2 and 1/2.
    # V({1}) = V({2}) = prediction equal to that bit -> F1_0 = 4/5, F1_1 = 2/3 -> 11/15.
    np.testing.assert_allclose(r.coalition_values, [3 / 7, 11 / 15, 11 / 15, 1 / 2])
    assert r.baseline == pytest.approx(3 / 7)
    assert r.cooperation == pytest.approx(1 / 2 + 3 / 7 - 22 / 15)          # = -113/210
    np.testing.assert_allclose(r.contributions, [1 / 28, 1 / 28])           # ½(V(N) − V(∅))
    np.testing.assert_allclose(r.cooperation_per_modality.sum(), r.cooperation)


def _first_only(xs):
    s = xs[0] @ np.array([1.0, -2.0])
    return np.stack([-s, s], axis=1)


@pytest.mark.parametrize("masking", ["zeros", "mean"])
def test_model_ignoring_modality_2_has_no_cooperation(masking):
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(200, 2))
    x1 -= x1.mean(axis=0)
    y = np.r_[np.zeros(100, int), np.ones(100, int)]          # balanced: any constant model scores 1/3
    x2 = rng.normal(size=(200, 5))
    r = shape(_first_only, [x1, x2], y, masking=masking)
    assert r.coalition_values[2] == pytest.approx(1 / 3)       # only modality 2: constant prediction
    assert r.cooperation == pytest.approx(0.0, abs=1e-12)
    assert r.coalition_values[3] == r.coalition_values[1]


def test_three_modalities_efficiency_and_permute_seed():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(120, 2)) for _ in range(3)]
    y = ((X[0][:, 0] > 0) ^ (X[1][:, 0] > 0)).astype(int)

    def model(xs):
        s = np.sign(xs[0][:, 0] * xs[1][:, 0]) + 0.3 * xs[2][:, 0]
        return np.stack([s, -s], axis=1)

    r = shape(model, X, y, masking="permute", seed=3)
    assert r.coalition_values.shape == (8,)
    assert r.contributions.sum() == pytest.approx(r.coalition_values[7] - r.coalition_values[0])
    singles = r.coalition_values[[1, 2, 4]] - r.baseline
    assert r.cooperation == pytest.approx(r.coalition_values[7] - r.baseline - singles.sum())
    assert r.cooperation_per_modality.sum() == pytest.approx(r.cooperation)
    again = shape(model, X, y, masking="permute", seed=3)
    np.testing.assert_array_equal(again.coalition_values, r.coalition_values)


def test_numeric_baseline_and_custom_metric():
    x1 = np.array([[0.0], [1.0], [0.0], [1.0]])
    x2 = np.array([[0.0], [0.0], [1.0], [1.0]])
    y = np.array([0, 0, 0, 1])
    acc = lambda t, p: float(np.mean(t == p))  # noqa: E731
    r = shape(_or_model, [x1, x2], y, baseline=0.5, metric=acc)
    np.testing.assert_allclose(r.coalition_values, [0.5, 0.75, 0.75, 0.5])
    assert r.cooperation == pytest.approx(0.5 - 0.5 - 2 * 0.25)


def _exploding_model(xs):
    raise AssertionError("the model must not be called when the input is invalid")


def test_bad_input_is_rejected_before_work():
    X = [np.zeros((6, 2)), np.zeros((6, 3))]
    y = np.arange(6) % 2
    with pytest.raises(ValueError, match="at least 2 modalities"):
        shape(_exploding_model, X[:1], y)
    with pytest.raises(ValueError, match="labels but X has"):
        shape(_exploding_model, X, y[:4])
    with pytest.raises(ValueError, match="single class"):
        shape(_exploding_model, X, np.zeros(6))
    with pytest.raises(ValueError, match="masking"):
        shape(_exploding_model, X, y, masking="noise")
    with pytest.raises(ValueError, match="baseline"):
        shape(_exploding_model, X, y, baseline="minority")
    with pytest.raises(ValueError, match="column indices 0..1"):
        shape(_or_model, X, y + 1)
