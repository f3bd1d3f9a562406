"""PID (CVX estimator): analytic cases, brute force on binary variables, input checks."""

import numpy as np
import pytest

from intershap_widget.paper.baselines import pid, pid_from_distribution
from intershap_widget.paper.baselines.pid import joint_distribution



def _table(fn):
    """Uniform distribution over two independent bits, Y = fn(x1, x2)."""
    P = np.zeros((2, 2, 2))
    for a in range(2):
        for b in range(2):
            P[a, b, fn(a, b)] += 0.25
    return P


def _terms(r):
    return np.array([r.redundancy, r.unique1, r.unique2, r.synergy])


@pytest.mark.parametrize("fn, expected", [
    (lambda a, b: a, [0, 1, 0, 0]),        # Y = X1: pure uniqueness of modality 1
    (lambda a, b: b, [0, 0, 1, 0]),        # Y = X2
    (lambda a, b: a ^ b, [0, 0, 0, 1]),    # XOR: one bit of pure synergy
])
def test_known_answers_bits(fn, expected):
    r = pid_from_distribution(_table(fn))
    np.testing.assert_allclose(_terms(r), expected, atol=1e-5)
    assert r.score == r.synergy


def test_copied_bit_is_pure_redundancy():
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[1, 1, 1] = 0.5          # Y = X1 = X2
    np.testing.assert_allclose(_terms(pid_from_distribution(P)), [1, 0, 0, 0], atol=1e-5)


def test_independent_noise_is_all_zero():
    rng = np.random.default_rng(3)
    P = np.einsum("a,b,c->abc", rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(2)))
    r = pid_from_distribution(P)
    np.testing.assert_allclose(_terms(r), 0, atol=1e-5)
    assert abs(r.total) < 1e-12


def test_nats_are_bits_times_ln2():
    P = _table(lambda a, b: a ^ b)
    assert pid_from_distribution(P, unit="nats").synergy == pytest.approx(np.log(2), abs=1e-5)


@pytest.mark.parametrize("shape, seed", [((2, 2, 2), 0), ((3, 4, 2), 1), ((5, 3, 3), 2), ((8, 8, 2), 3)])
def test_terms_sum_to_joint_mutual_information(shape, seed):
    P = np.random.default_rng(seed).random(shape) ** 3
    r = pid_from_distribution(P)
    P = P / P.sum()
    py = P.sum(axis=(0, 1))
    pxx = P.sum(axis=2)
    mi = np.sum(P * np.log2(P / (pxx[:, :, None] * py[None, None, :])))
    assert r.total == pytest.approx(mi, abs=1e-10)
    assert _terms(r).sum() == pytest.approx(mi, abs=1e-10)
    assert np.all(_terms(r) > -1e-5)                     # the optimum lies in the feasible set


def _brute_force_min_iq(P, grid=801):
    """min over Δ_p of I_q(X1,X2;Y) for binary X1, X2: one free cell per value of y."""
    P = P / P.sum()
    ts = []
    for y in range(P.shape[2]):
        r, c = P[:, :, y].sum(axis=1), P[:, :, y].sum(axis=0)
        lo, hi = max(0.0, r[0] - c[1]), min(r[0], c[0])
        ts.append(np.linspace(lo, hi, grid))
    t0, t1 = np.meshgrid(*ts, indexing="ij")
    qs = []
    for y, t in enumerate((t0, t1)):
        r, c = P[:, :, y].sum(axis=1), P[:, :, y].sum(axis=0)
        qs.append(np.stack([t, r[0] - t, c[0] - t, r[1] - c[0] + t], axis=-1))
    q = np.clip(np.stack(qs, axis=-1), 0, None)          # (g, g, 4 cells, 2 labels)
    qxx = q.sum(axis=-1, keepdims=True)
    py = P.sum(axis=(0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * np.log2(q / (qxx * py)), 0.0)
    return terms.sum(axis=(-1, -2)).min()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synergy_matches_brute_force_on_binary_variables(seed):
    P = np.random.default_rng(seed).random((2, 2, 2))
    P /= P.sum()
    r = pid_from_distribution(P)
    assert r.total - r.synergy == pytest.approx(_brute_force_min_iq(P), abs=2e-5)


def test_swapping_modalities_swaps_unique_terms():
    P = np.random.default_rng(5).random((3, 4, 2))
    a, b = pid_from_distribution(P), pid_from_distribution(P.transpose(1, 0, 2))
    assert a.unique1 == pytest.approx(b.unique2, abs=1e-5)
    assert a.synergy == pytest.approx(b.synergy, abs=1e-5)


def _balanced_bits(reps=25):
    bits = np.array([[a, b] for a in range(2) for b in range(2)] * reps)
    # each bit becomes a 3-d vector; k-means with 2 bins recovers it exactly
    x1 = np.repeat(bits[:, :1] * 4.0 - 2.0, 3, axis=1)
    x2 = np.repeat(bits[:, 1:] * 4.0 - 2.0, 3, axis=1)
    return bits, x1, x2


def test_pid_on_data_labels_vs_predictions():
    bits, x1, x2 = _balanced_bits()
    y_xor = bits[:, 0] ^ bits[:, 1]
    r = pid(None, [x1, x2], y_xor, n_clusters=2, seed=0)
    np.testing.assert_allclose(_terms(r), [0, 0, 0, 1], atol=1e-5)
    assert r.info["target"] == "labels"

    def copy_first(xs):                                  # a model that only reads modality 1
        p = (xs[0][:, 0] > 0).astype(float)
        return np.stack([1 - p, p], axis=1)

    r = pid(copy_first, [x1, x2], y_xor, target="predictions", n_clusters=2)
    np.testing.assert_allclose(_terms(r), [0, 1, 0, 0], atol=1e-5)


def test_joint_distribution_counts():
    P = joint_distribution(np.array([0, 0, 1, 1]), np.array([5, 5, 5, 7]), np.array([1, 1, 0, 0]))
    assert P.shape == (2, 2, 2)
    assert P[0, 0, 1] == 0.5 and P[1, 0, 0] == 0.25 and P[1, 1, 0] == 0.25


def _exploding_model(xs):
    raise AssertionError("the model must not be called when the input is invalid")


def test_bad_input_is_rejected_before_work():
    bits, x1, x2 = _balanced_bits()
    y = bits[:, 0]
    with pytest.raises(ValueError, match="exactly 2 modalities"):
        pid(_exploding_model, [x1], y)
    with pytest.raises(ValueError, match="labels but X has"):
        pid(_exploding_model, [x1, x2], y[:-1], target="predictions")
    with pytest.raises(ValueError, match="single class"):
        pid(None, [x1, x2], np.zeros(len(y)))
    with pytest.raises(ValueError, match="needs y"):
        pid(None, [x1, x2])
    with pytest.raises(ValueError, match="needs a model"):
        pid(None, [x1, x2], y, target="predictions")
    with pytest.raises(TypeError, match="list of per-modality arrays"):
        pid(None, np.hstack([x1, x2]), y)
    with pytest.raises(ValueError, match="non-negative"):
        pid_from_distribution(-np.ones((2, 2, 2)))
