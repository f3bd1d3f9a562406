"""Higher-order interaction indices: shapiq, brute-force definitions, axioms, order shares."""

from __future__ import annotations

from itertools import combinations
from math import comb, factorial

import numpy as np
import pytest

from intershap_widget.maths import interactions as ia
from intershap_widget.maths.result import InteractionResult

shapiq = pytest.importorskip("shapiq")


def _bits(s) -> int:
    return sum(1 << i for i in s)


def _subsets(items):
    items = list(items)
    for k in range(len(items) + 1):
        yield from combinations(items, k)


def _random_values(m: int, n: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 1 << m))


# ------------------------------------------------------------------ shapiq
@pytest.mark.parametrize("m", [3, 4, 5, 6, 7])
def test_every_index_and_order_matches_shapiq(m):
    v = _random_values(m, seed=m)[0]

    def game(coal):
        return v[(coal.astype(np.int64) << np.arange(m)).sum(axis=1)]

    exact = shapiq.ExactComputer(n_players=m, game=game)
    for index in ia.INDICES:
        for order in range(1, m + 1):
            ref = exact(index="Moebius" if index == "Mobius" else index, order=order)
            ours, sets = ia.interaction_values(v, index, order, min_order=0)
            # shapiq's () entry of SII is v(∅) at order 1 and SII(∅) above (see docstring)
            keep = [i for i, s in enumerate(sets) if s or not (index == "SII" and order == 1)]
            want = np.array([ref[sets[i]] for i in keep])
            # shapiq solves FSII as a regression with a finite 1e8 weight on ∅ and N
            tol = 1e-8 if index == "FSII" else 1e-10
            np.testing.assert_allclose(ours[0, keep], want, rtol=0, atol=tol,
                                       err_msg=f"{index} order {order} M={m}")


# ---------------------------------------------------------- brute force
def _derivative(v, s, t) -> float:
    """Δ_S v(T) = Σ_{L⊆S} (−1)^{|S|−|L|} v(T ∪ L)."""
    return sum((-1) ** (len(s) - len(sub)) * v[_bits(t) | _bits(sub)] for sub in _subsets(s))


def _brute_sii(v, m, s) -> float:
    rest = [i for i in range(m) if i not in s]
    k = len(s)
    return sum(factorial(m - len(t) - k) * factorial(len(t)) / factorial(m - k + 1)
               * _derivative(v, s, t) for t in _subsets(rest))


def _brute_stii(v, m, s, order) -> float:
    if len(s) < order:
        return _derivative(v, s, ())
    rest = [i for i in range(m) if i not in s]
    return order / m * sum(_derivative(v, s, t) / comb(m - 1, len(t)) for t in _subsets(rest))


def _brute_ksii(v, m, s, order) -> float:
    if not s:
        return v[0]
    bern = [1.0, -0.5, 1 / 6, 0.0, -1 / 30, 0.0, 1 / 42, 0.0]
    rest = [i for i in range(m) if i not in s]
    return sum(bern[len(w)] * _brute_sii(v, m, tuple(sorted(s + w)))
               for w in _subsets(rest) if len(s) + len(w) <= order)


def _brute_fsii(v, m, order) -> dict:
    """Shapley-kernel weighted least squares, exact at ∅ and N (KKT system)."""
    sets = [s for s in _subsets(range(m)) if 1 <= len(s) <= order]
    rows, targets, weights = [], [], []
    for t in _subsets(range(m)):
        if 0 < len(t) < m:
            rows.append([1.0 if set(s) <= set(t) else 0.0 for s in sets])
            targets.append(v[_bits(t)] - v[0])
            weights.append((m - 1) / (comb(m, len(t)) * len(t) * (m - len(t))))
    a, y, w = np.array(rows), np.array(targets), np.array(weights)
    k = len(sets)
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = a.T @ (w[:, None] * a)
    kkt[:k, k] = kkt[k, :k] = 1.0
    rhs = np.concatenate([a.T @ (w * y), [v[-1] - v[0]]])
    beta = np.linalg.solve(kkt, rhs)[:k]
    return {s: b for s, b in zip(sets, beta)} | {(): v[0]}


@pytest.mark.parametrize("m", [2, 3, 4])
def test_brute_force_definitions(m):
    v = _random_values(m, seed=10 + m)[0]
    mob, sets = ia.interaction_values(v, "Mobius", m, min_order=0)
    for s, x in zip(sets, mob[0]):
        assert x == pytest.approx(_derivative(v, s, ()), abs=1e-12)
    for order in range(1, m + 1):
        sii, sets = ia.interaction_values(v, "SII", order)
        np.testing.assert_allclose(sii[0], [_brute_sii(v, m, s) for s in sets], atol=1e-12)
        st, sets = ia.interaction_values(v, "STII", order, min_order=0)
        np.testing.assert_allclose(st[0], [_brute_stii(v, m, s, order) for s in sets], atol=1e-12)
        ks, sets = ia.interaction_values(v, "k-SII", order, min_order=0)
        np.testing.assert_allclose(ks[0], [_brute_ksii(v, m, s, order) for s in sets], atol=1e-12)
        fs, sets = ia.interaction_values(v, "FSII", order, min_order=0)
        ref = _brute_fsii(v, m, order)
        np.testing.assert_allclose(fs[0], [ref[s] for s in sets], atol=1e-10)


def test_pairwise_convention_matches_games():
    """SII pairs are twice φ_ij; 2-SII singletons are the main effects φ_ii."""
    v = _random_values(5, n=7, seed=3)
    res = InteractionResult(v)
    sii = ia.interactions(res, "SII", 2)
    ks = ia.interactions(res, "k-SII", 2)
    for i, j in combinations(range(5), 2):
        np.testing.assert_allclose(sii.column((i, j)), 2 * res.phi[:, i, j], atol=1e-12)
    for i in range(5):
        np.testing.assert_allclose(ks.column((i,)), res.phi[:, i, i], atol=1e-12)
        np.testing.assert_allclose(sii.column((i,)), res.shapley[:, i], atol=1e-12)


# ------------------------------------------------------------------ axioms
@pytest.mark.parametrize("m", [3, 6, 9])
def test_mobius_inversion_recovers_every_value(m):
    v = _random_values(m, n=5, seed=m)
    d = ia.mobius(v)
    np.testing.assert_allclose(ia.inverse_mobius(d), v, atol=1e-11)
    assert np.array_equal(d[:, 0], v[:, 0])
    # the Möbius weight matrix agrees with the butterfly transform
    w, sets = ia.index_weights("Mobius", m, m, min_order=0)
    cols = [sum(1 << i for i in s) for s in sets]
    np.testing.assert_allclose(v @ w, d[:, cols], atol=1e-11)


@pytest.mark.parametrize("index", ["k-SII", "STII", "FSII"])
@pytest.mark.parametrize("m", [3, 5, 8])
def test_efficiency(index, m):
    v = _random_values(m, n=4, seed=m + 1)
    for order in range(1, m + 1):
        vals, _ = ia.interaction_values(v, index, order)
        np.testing.assert_allclose(vals.sum(axis=1), v[:, -1] - v[:, 0], atol=1e-10)


def test_interactions_object_names_and_global():
    v = _random_values(3, n=6, seed=1)
    res = InteractionResult(v, modality_names=["text", "image", "audio"])
    out = ia.interactions(res, "stii", order=3)
    assert out.index == "STII" and out.order == 3
    assert out.values.shape == (6, 7)
    assert out.names[-1] == ("text", "image", "audio")
    assert out.labels()[3] == "text × image"
    np.testing.assert_allclose(out.global_values, np.abs(out.values.mean(axis=0)))
    np.testing.assert_allclose(out.column(("audio", "text")), out.column((0, 2)))
    assert out.of_order(2).tuples == ((0, 1), (0, 2), (1, 2))
    assert "text × image × audio" in repr(out) and "STII" in repr(out)
    with pytest.raises(ValueError, match="unknown interaction index"):
        ia.interactions(res, "banzhaf")
    with pytest.raises(ValueError, match="order must be between"):
        ia.interactions(res, "SII", order=4)


# ---------------------------------------------------------- order shares
def test_order_shares_reduce_to_intershap_for_two_modalities():
    v = _random_values(2, n=50, seed=4) + np.array([0.0, 0.3, -0.2, 0.4])
    res = InteractionResult(v)
    sh = ia.order_shares(res)
    assert sh.interaction_share == pytest.approx(res.intershap, abs=1e-12)
    np.testing.assert_allclose(sh.local_interaction_share, res.intershap_local, atol=1e-12)
    assert sh.global_shares.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("t", [2, 3, 4, 5])
def test_pure_order_t_game(t):
    """A game with a single dividend on t players: all behaviour is order t, while the
    pairwise InterSHAP is t / (2(t − 1)) (derivation in docs/higher_order.md)."""
    m = 5
    rng = np.random.default_rng(t)
    amp = rng.uniform(0.5, 1.5, size=20)
    d = np.zeros((20, 1 << m))
    d[:, (1 << t) - 1] = amp
    d[:, 0] = rng.normal(size=20)
    v = ia.inverse_mobius(d)
    sh = ia.order_shares(v)
    expected = np.zeros(m)
    expected[t - 1] = 1.0
    np.testing.assert_allclose(sh.global_shares, expected, atol=1e-12)
    np.testing.assert_allclose(sh.local_shares, np.tile(expected, (20, 1)), atol=1e-12)
    assert InteractionResult(v).intershap == pytest.approx(t / (2 * (t - 1)), abs=1e-12)
    assert f"{t}: 100.0 %" in repr(sh)
    g, loc = sh.grouped(3)
    assert g.shape == (3,) and loc.shape == (20, 3)
    assert g[min(t, 3) - 1] == pytest.approx(1.0)
