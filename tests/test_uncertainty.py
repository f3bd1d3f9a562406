"""Confidence intervals over samples (maths/uncertainty.py): shapes and names the
explorer reads, seeding, the masking error added in quadrature, and coverage of a known
population value on synthetic games (numbers reported in docs/honest_numbers.md)."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import games, uncertainty
from intershap_widget.maths.interval_coverage import interval_coverage, synthetic_games


def _coverage(kind: str, n: int, reps: int = 200):
    phi_pop = games.interaction_matrices(synthetic_games(kind))
    return interval_coverage(phi_pop, n, reps)[0]


@pytest.mark.parametrize("kind", ["clean", "zero"])
def test_coverage_of_a_known_population_value(kind):
    # 200 seeded samples of N = 100 from 50,000 games; binomial sd of a 95 % rate: 1.5 points
    cov = _coverage(kind, 100)
    assert np.all(cov >= 0.90), cov
    # where an entry of Φ is unresolved (kind "zero": the interactions), the global
    # interval also spans its range, by design conservative; elsewhere near nominal
    upper = np.array([1.0 if kind == "zero" else 0.99, 0.99, 0.99, 0.99])
    assert np.all(cov <= upper), cov


@pytest.fixture(scope="module")
def res():
    v = synthetic_games("clean", size=300)
    return isw.InteractionResult(v, modality_names=["a", "b", "c"], settings={"seed": 3})


def test_interval_names_shapes_and_estimate_inside(res):
    iv = res.intervals
    assert set(iv) == {"intershap", "intershap_local_mean", "Phi", "modality_contributions"}
    for key, est in (("intershap", res.intershap), ("intershap_local_mean", res.intershap_local_mean)):
        lo, hi = iv[key]
        assert isinstance(lo, float) and isinstance(hi, float)
        assert 0 <= lo < est < hi <= 1
    assert iv["Phi"].shape == (2, 3, 3) and iv["modality_contributions"].shape == (2, 3)
    assert np.all(iv["Phi"][0] <= res.Phi) and np.all(res.Phi <= iv["Phi"][1])
    mc = res.modality_contributions
    assert np.all(iv["modality_contributions"][0] <= mc) and np.all(mc <= iv["modality_contributions"][1])
    # Φ: the |·| image of mean φ ± z·SE (an independent formula)
    se = res.phi.std(axis=0, ddof=1) / np.sqrt(res.n_samples)
    m = res.phi.mean(axis=0)
    lo, hi = m - 1.959963984540054 * se, m + 1.959963984540054 * se
    expect_lo = np.where((lo <= 0) & (hi >= 0), 0, np.minimum(np.abs(lo), np.abs(hi)))
    np.testing.assert_allclose(iv["Phi"][0], expect_lo, atol=1e-12)
    np.testing.assert_allclose(iv["Phi"][1], np.maximum(np.abs(lo), np.abs(hi)), atol=1e-12)
    # the local mean: mean ± z·sd/√n
    loc = res.intershap_local
    half = 1.959963984540054 * loc.std(ddof=1) / np.sqrt(loc.size)
    np.testing.assert_allclose(iv["intershap_local_mean"], (loc.mean() - half, loc.mean() + half))


def test_level_seed_and_summary(res):
    narrow = isw.InteractionResult(res.coalition_values, settings={"interval_level": 0.5, "seed": 3}).intervals
    wide = res.intervals
    assert wide["intershap"][0] < narrow["intershap"][0] < narrow["intershap"][1] < wide["intershap"][1]
    again = isw.InteractionResult(res.coalition_values, settings={"seed": 3}).intervals
    assert again["intershap"] == wide["intershap"]  # seeded
    lo, hi = wide["intershap"]
    assert f"InterSHAP (global) = {100 * res.intershap:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]" in res.summary()
    assert "[95 % intervals over samples]" in repr(res)
    with pytest.raises(ValueError, match="interval level"):
        uncertainty.z_value(1.5)


def test_nan_scores_and_tiny_samples_give_nan_intervals():
    const = isw.InteractionResult(np.full((20, 4), 0.7))
    assert np.isnan(const.intervals["intershap"]).all() and np.isnan(const.intervals["intershap_local_mean"]).all()
    one = isw.InteractionResult(np.array([[0.0, 1.0, 0.5, 2.0]]))
    assert np.isnan(one.intervals["intershap"]).all() and np.isnan(one.intervals["Phi"]).all()
    assert "InterSHAP (global) = 25.0 %   " in one.summary()


class _WithMasking(isw.InteractionResult):
    intershap_masking_se = 0.01
    intershap_local_masking_se = None
    Phi_masking_se = None


def test_masking_error_adds_in_quadrature(res):
    masked = _WithMasking(res.coalition_values, settings={"seed": 3})
    lo0, hi0 = res.intervals["intershap"]
    lo1, hi1 = masked.intervals["intershap"]
    z, g = 1.959963984540054, res.intershap
    assert hi1 - g == pytest.approx(np.hypot(hi0 - g, z * 0.01))
    assert g - lo1 == pytest.approx(np.hypot(g - lo0, z * 0.01))
    assert masked.intervals["intershap_local_mean"] == res.intervals["intershap_local_mean"]
    _WithMasking.intershap_local_masking_se = np.full(res.n_samples, 0.05)
    _WithMasking.Phi_masking_se = np.full((3, 3), 0.02)
    both = _WithMasking(res.coalition_values, settings={"seed": 3})
    lo, hi = both.intervals["intershap_local_mean"]
    se = 0.05 / np.sqrt(res.n_samples)  # independent per-sample errors average out
    a0, b0 = res.intervals["intershap_local_mean"]
    assert hi - both.intershap_local_mean == pytest.approx(np.hypot(b0 - res.intershap_local_mean, z * se))
    assert np.all(both.intervals["Phi"][1] > res.intervals["Phi"][1])


def test_fast_enough_for_large_n():
    # vectorised: the work is one (N, M(M+1)/2) covariance and 1,000 draws of it
    phi = np.random.default_rng(0).normal(size=(2000, 4, 4))
    phi = phi + phi.transpose(0, 2, 1)
    draws = uncertainty.mean_phi_draws(phi, 1000, seed=0)
    assert draws.shape == (1000, 4, 4)
    np.testing.assert_allclose(draws, draws.transpose(0, 2, 1))
    np.testing.assert_allclose(draws.mean(axis=0), phi.mean(axis=0), atol=4 * phi.std(axis=0).max() / np.sqrt(2000))
    np.testing.assert_allclose(draws.std(axis=0), phi.std(axis=0) / np.sqrt(2000), rtol=0.1)
