"""The exact transforms against brute force, shapiq, and the axioms; the conventions
written in games.py's docstring."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from intershap_widget.maths import games
from reference import interaction_brute, shapley_brute


@pytest.mark.parametrize("m", [2, 3, 4, 5, 6])
def test_matches_brute_force_loops(m):
    rng = np.random.default_rng(m)
    v = rng.normal(size=(7, 2**m))
    phi = games.interaction_matrices(v)
    sv = games.shapley_values(v)
    for a in range(v.shape[0]):
        np.testing.assert_allclose(sv[a], shapley_brute(v[a], m), atol=1e-12)
        np.testing.assert_allclose(phi[a], interaction_brute(v[a], m), atol=1e-12)


@pytest.mark.parametrize("m", [3, 4, 5, 6, 7])
def test_matches_shapiq(m):
    shapiq = pytest.importorskip("shapiq")
    rng = np.random.default_rng(100 + m)
    vals = rng.normal(size=2**m)

    def game(coalitions):
        idx = (np.asarray(coalitions, dtype=bool) * (1 << np.arange(m))).sum(axis=1)
        return vals[idx]

    computer = shapiq.ExactComputer(game, n_players=m)
    sii = computer(index="SII", order=2).dict_values
    ksii = computer(index="k-SII", order=2).dict_values
    sv = computer(index="SV", order=1).dict_values
    phi = games.interaction_matrices(vals)[0]
    ours_sv = games.shapley_values(vals)[0]
    for i in range(m):
        assert ours_sv[i] == pytest.approx(sv[(i,)], abs=1e-10)
        # k-SII order-2 singletons are our main effects
        assert phi[i, i] == pytest.approx(ksii[(i,)], abs=1e-10)
        for j in range(i + 1, m):
            # shapiq's SII pair is twice our (halved) pair value
            assert 2 * phi[i, j] == pytest.approx(sii[(i, j)], abs=1e-10)
    # shapiq's () entry of SII is not v(∅): the convention we do not follow
    assert abs(sii[()] - vals[0]) > 1e-6


def test_bit_order_convention():
    masks = games.coalition_masks(3)
    assert masks.shape == (8, 3)
    assert not masks[0].any() and masks[7].all()
    assert masks[0b101].tolist() == [True, False, True]  # bit i = modality i
    assert games.coalition_sizes(3).tolist() == [0, 1, 1, 2, 1, 2, 2, 3]


def test_two_modality_closed_forms():
    v = np.array([[0.1, 0.5, 0.3, 1.0]])  # ∅, {0}, {1}, {0,1}
    phi = games.interaction_matrices(v)[0]
    assert phi[0, 0] == pytest.approx(0.5 - 0.1)
    assert phi[1, 1] == pytest.approx(0.3 - 0.1)
    assert phi[0, 1] == pytest.approx(0.5 * (1.0 - 0.5 - 0.3 + 0.1))


@pytest.mark.parametrize("m", [2, 4, 8, 12])
def test_axioms(m):
    rng = np.random.default_rng(m)
    v = rng.normal(size=(5, 2**m))
    phi = games.interaction_matrices(v)
    sv = games.shapley_values(v)
    np.testing.assert_allclose(phi, np.swapaxes(phi, 1, 2), atol=0)  # symmetric
    np.testing.assert_allclose(phi.sum(axis=2), sv, atol=1e-10)  # rows sum to Shapley
    np.testing.assert_allclose(phi.sum(axis=(1, 2)), v[:, -1] - v[:, 0], atol=1e-10)  # efficiency


def test_dummy_modality_gets_zero():
    rng = np.random.default_rng(1)
    m = 4
    base = rng.normal(size=(3, 2**3))
    # modality 3 is a dummy: v(S ∪ {3}) = v(S)
    idx = np.arange(2**m) & 0b0111
    v = base[:, idx]
    phi = games.interaction_matrices(v)
    np.testing.assert_allclose(phi[:, 3, :], 0, atol=1e-12)
    np.testing.assert_allclose(phi[:, :, 3], 0, atol=1e-12)


def test_additive_game_has_no_interactions():
    rng = np.random.default_rng(2)
    w = rng.normal(size=5)
    v = games.coalition_masks(5) @ w + 0.7
    phi = games.interaction_matrices(v)[0]
    np.testing.assert_allclose(np.diag(phi), w, atol=1e-12)
    np.testing.assert_allclose(phi - np.diag(np.diag(phi)), 0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=6).flatmap(
        lambda m: arrays(np.float64, (3, 2**m), elements=st.floats(-1e3, 1e3, allow_nan=False))
    )
)
def test_property_efficiency_and_linearity(v):
    phi = games.interaction_matrices(v)
    scale = 1 + np.abs(v).max()
    np.testing.assert_allclose(phi.sum(axis=(1, 2)), v[:, -1] - v[:, 0], atol=1e-9 * scale)
    np.testing.assert_allclose(games.interaction_matrices(2 * v - 3), 2 * phi, atol=1e-9 * scale)


def test_float32_input_runs_in_float64():
    v = np.random.default_rng(3).normal(size=(4, 16)).astype(np.float32)
    phi = games.interaction_matrices(v)
    assert phi.dtype == np.float64
    np.testing.assert_allclose(phi.sum(axis=(1, 2)), v[:, -1].astype(np.float64) - v[:, 0], atol=1e-12)


def test_bad_shapes_and_limits():
    with pytest.raises(ValueError, match="2\\*\\*M columns"):
        games.interaction_matrices(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="limited to M <="):
        games.shapley_weights(games.MAX_EXACT_MODALITIES + 1)
