"""The numpy helpers of the baselines against scikit-learn."""

import numpy as np
import pytest

from intershap_widget.paper.baselines import discretize, macro_f1
from intershap_widget.paper.baselines._kmeans import kmeans_labels
from intershap_widget.paper.metrics import majority_macro_f1


@pytest.mark.parametrize("seed, k", [(0, 2), (1, 3), (2, 5)])
def test_macro_f1_matches_sklearn(seed, k):
    from sklearn import metrics
    rng = np.random.default_rng(seed)
    t, p = rng.integers(0, k, 97), rng.integers(0, k - 1 if k > 2 else k, 97)
    assert macro_f1(t, p) == pytest.approx(metrics.f1_score(t, p, average="macro", zero_division=0))


def test_majority_macro_f1_balanced():
    assert majority_macro_f1(np.array([0, 1] * 5)) == pytest.approx(1 / 3)
    assert majority_macro_f1(np.array([0, 1, 2] * 5)) == pytest.approx(2 / 12)


def test_kmeans_recovers_separated_clusters_and_is_seeded():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=20, size=(4, 6))
    truth = rng.integers(0, 4, 300)
    x = centers[truth] + rng.normal(size=(300, 6))
    labels = kmeans_labels(x, 4, seed=1)
    # same partition up to renaming: a bijection between found and true labels
    pairs = set(zip(labels.tolist(), truth.tolist()))
    assert len(pairs) == 4 and len({a for a, _ in pairs}) == 4
    np.testing.assert_array_equal(labels, kmeans_labels(x, 4, seed=1))
    assert discretize(x, 4, seed=1, n_components=2).shape == (300,)


def test_discrete_input_gets_one_bin_per_value():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(kmeans_labels(x, 5), [1, 0, 1])
