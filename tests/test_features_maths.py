"""The feature-level transforms (maths/features.py, maths/feature_sampling.py) against a
brute force of the definitions, their sums against the modality level, and the
consequences the definitions promise (null feature, within-modality feature, a feature
that multiplies another modality)."""

import numpy as np
import pytest

from intershap_widget.maths import feature_sampling as fs
from intershap_widget.maths import features, games
from reference import feature_parts_brute


def _table(fn, m, i, g, n=1):
    """v[a, S, T] = fn(a, set of modalities present, set of features present)."""
    others = [k for k in range(m) if k != i]
    v = np.zeros((n, 1 << (m - 1), 1 << g))
    for a in range(n):
        for s in range(1 << (m - 1)):
            mods = {others[b] for b in range(m - 1) if s >> b & 1}
            for t in range(1 << g):
                v[a, s, t] = fn(a, mods, {f for f in range(g) if t >> f & 1})
    return v


@pytest.mark.parametrize("m,i,g", [(2, 0, 3), (2, 1, 4), (3, 1, 3), (4, 2, 2), (3, 0, 5), (1, 0, 3)])
def test_matches_brute_force(m, i, g):
    rng = np.random.default_rng(10 * m + g + i)
    v = rng.normal(size=(4, 1 << (m - 1), 1 << g))
    effect, parts = features.feature_parts(v, i, m)
    assert effect.shape == (4, g) and parts.shape == (4, m, g)
    for a in range(4):
        e_ref, p_ref = feature_parts_brute(v[a], m, i, g)
        np.testing.assert_allclose(effect[a], e_ref, atol=1e-10)
        np.testing.assert_allclose(parts[a], p_ref, atol=1e-10)


@pytest.mark.parametrize("m,i,g", [(2, 0, 6), (3, 2, 5), (4, 1, 4), (2, 1, 12)])
def test_sums_equal_the_modality_level(m, i, g):
    rng = np.random.default_rng(g)
    v = rng.normal(size=(3, 1 << (m - 1), 1 << g))
    effect, parts = features.feature_parts(v, i, m)
    mod = features.modality_values(v, i)
    phi = games.interaction_matrices(mod)
    np.testing.assert_allclose(effect.sum(axis=1), games.shapley_values(mod)[:, i], atol=1e-10)
    np.testing.assert_allclose(parts.sum(axis=2), phi[:, i, :], atol=1e-10)
    np.testing.assert_allclose(parts.sum(axis=1), effect, atol=1e-12)


def test_joint_layout():
    rng = np.random.default_rng(0)
    m, g = 3, 2
    joint = rng.normal(size=(2, 1 << (m - 1 + g)))  # players: the 2 other modalities, then 2 features
    v = features.from_joint_values(joint, m, g)
    assert v.shape == (2, 4, 4)
    # S = {second other modality} (bit 1), T = {feature 1}: joint code 0b10 | 0b10 << 2
    assert v[1, 0b10, 0b10] == joint[1, 0b10 | (0b10 << 2)]
    with pytest.raises(ValueError, match="2\\*\\*\\(M-1\\+G\\)"):
        features.from_joint_values(joint[:, :8], m, g)


def test_modality_values_by_hand():
    m, i, g = 3, 1, 2
    v = _table(lambda a, s, t: 100 * (0 in s) + 10 * (2 in s) + len(t) + 0.5 * (1 in t), m, i, g)
    mod = features.modality_values(v, i)[0]
    assert mod[0b000] == 0 and mod[0b001] == 100 and mod[0b100] == 10
    assert mod[0b010] == 2.5 and mod[0b111] == 112.5 and mod[0b011] == 102.5


def test_null_feature_gets_zero_everywhere():
    m, i, g = 3, 0, 4
    rng = np.random.default_rng(3)
    table = rng.normal(size=(1 << (m - 1), 1 << (g - 1)))  # feature 2 never read

    def fn(a, s, t):
        s_code = sum(1 << b for b, k in enumerate([1, 2]) if k in s)
        t_code = sum(1 << b for b, f in enumerate([0, 1, 3]) if f in t)
        return table[s_code, t_code]

    effect, parts = features.feature_parts(_table(fn, m, i, g), i, m)
    assert np.all(effect[:, 2] == 0) and np.all(parts[:, :, 2] == 0)
    assert np.abs(effect).sum() > 0


def test_within_modality_feature_has_no_interaction():
    m, i, g = 3, 1, 3
    # feature 0 acts with the other features of modality i only; features 1, 2 with modality 2
    fn = lambda a, s, t: 2.0 * (0 in t) * (1 in t) + 3.0 * (1 in t) * (2 in s) - (2 in t) * (0 in s) + (2 in s)
    effect, parts = features.feature_parts(_table(fn, m, i, g), i, m)
    np.testing.assert_allclose(parts[0, [0, 2], 0], 0, atol=1e-15)
    assert effect[0, 0] == pytest.approx(1.0)  # half of the 2·x0·x1 term
    assert parts[0, 1, 0] == pytest.approx(1.0)  # the main-effect part carries it


def test_feature_multiplying_another_modality_carries_phi_ij():
    m, i, j, g = 3, 0, 2, 4
    fn = lambda a, s, t: 5.0 * (3 in t) * (j in s) + (0 in t) + 0.7 * (1 in s)
    v = _table(fn, m, i, g)
    effect, parts = features.feature_parts(v, i, m)
    phi = games.interaction_matrices(features.modality_values(v, i))
    assert phi[0, i, j] == pytest.approx(2.5)  # half of the pair term
    np.testing.assert_allclose(parts[0, j], [0, 0, 0, 2.5], atol=1e-12)  # all of it on feature 3
    np.testing.assert_allclose(parts[0, 1], 0, atol=1e-12)  # modality 1 only adds


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="2\\*\\*\\(M-1\\)"):
        features.feature_parts(np.zeros((1, 3, 4)), 0, 3)
    with pytest.raises(ValueError, match="2\\*\\*G"):
        features.feature_parts(np.zeros((1, 2, 6)), 0, 2)
    with pytest.raises(ValueError, match="out of range"):
        features.parts_from_feature_shapley(np.zeros((1, 2, 3)), 2, 2)


# ---------------------------------------------------------------- sampled path

def _prefix_values(v, perms):
    """v[a, S, prefix of each permutation]: (N, S, R, G+1) read from a full table."""
    masks = fs.prefix_masks(perms)
    codes = (masks * (1 << np.arange(perms.shape[1]))).sum(axis=2)
    return v[:, :, codes]


def test_permutations_are_paired_and_complete():
    perms = fs.paired_permutations(6, 5, seed=1)
    assert perms.shape == (10, 6)
    assert np.array_equal(perms[1::2], perms[0::2, ::-1])
    assert np.array_equal(np.sort(perms, axis=1), np.tile(np.arange(6), (10, 1)))
    masks = fs.prefix_masks(perms)
    assert not masks[:, 0].any() and masks[:, -1].all()
    assert np.array_equal(masks.sum(axis=2), np.tile(np.arange(7), (10, 1)))
    with pytest.raises(ValueError, match="at least 2 pairs"):
        fs.paired_permutations(4, 1, 0)


def test_sampled_sums_exact_and_axioms_exact():
    m, i, g = 3, 1, 7
    rng = np.random.default_rng(5)
    weights = rng.normal(size=g)
    # feature 4 never read, feature 0 only within the modality, feature 6 times modality 2
    fn = lambda a, s, t: (sum(weights[f] for f in t if f not in (4,)) * (1 + 0.3 * a)
                          + 1.5 * (0 in t) * (2 in t) + 2.0 * (6 in t) * (2 in s) + 0.4 * (1 in t) * (0 in s) * (2 in t))
    v = _table(fn, m, i, g, n=3)
    est = fs.permutation_parts(_prefix_values(v, fs.paired_permutations(g, 4, 0)), fs.paired_permutations(g, 4, 0), i, m)
    mod = features.modality_values(v, i)
    phi = games.interaction_matrices(mod)
    np.testing.assert_allclose(est["effect"].sum(axis=1), games.shapley_values(mod)[:, i], atol=1e-12)
    np.testing.assert_allclose(est["parts"].sum(axis=2), phi[:, i, :], atol=1e-12)
    assert np.all(est["effect"][:, 4] == 0) and np.all(est["parts"][:, :, 4] == 0)
    assert np.all(est["effect_se"][:, 4] == 0)
    np.testing.assert_allclose(est["parts"][:, [0, 2], 0], 0, atol=1e-15)  # feature 0: no interaction
    exact_e, exact_p = features.feature_parts(v, i, m)
    np.testing.assert_allclose(est["parts"][:, 2, 6], exact_p[:, 2, 6], atol=1e-12)  # pure pair term


def test_sampled_equals_exact_with_every_permutation_weighting():
    # with G = 2 the two orders are one antithetic pair: the estimate is exact, SE 0
    m, i, g = 2, 0, 2
    v = np.random.default_rng(2).normal(size=(4, 2, 4))
    perms = fs.paired_permutations(g, 3, 0)
    est = fs.permutation_parts(_prefix_values(v, perms), perms, i, m)
    e, p = features.feature_parts(v, i, m)
    np.testing.assert_allclose(est["effect"], e, atol=1e-12)
    np.testing.assert_allclose(est["parts"], p, atol=1e-12)
    np.testing.assert_allclose(est["parts_se"], 0, atol=1e-12)


def test_standard_errors_cover_over_seeds():
    """Over 200 seeded runs of a random game (M=3, G=8, 12 pairs), the exact value lies in
    ±1.96 SE about as often as a 95% interval should."""
    m, i, g = 3, 2, 8
    v = np.random.default_rng(11).normal(size=(2, 1 << (m - 1), 1 << g))
    e_true, p_true = features.feature_parts(v, i, m)
    hits, total = 0, 0
    for seed in range(200):
        perms = fs.paired_permutations(g, 12, seed)
        est = fs.permutation_parts(_prefix_values(v, perms), perms, i, m)
        z_e = np.abs(est["effect"] - e_true) / est["effect_se"]
        z_p = np.abs(est["parts"] - p_true)[:, :2] / est["parts_se"][:, :2]
        hits += int((z_e <= 1.96).sum() + (z_p <= 1.96).sum())
        total += z_e.size + z_p.size
    coverage = hits / total
    assert 0.90 <= coverage <= 0.98, coverage
