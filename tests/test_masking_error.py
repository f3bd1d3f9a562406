"""Masking error: reported standard errors cover the observed errors, sampled rows do
not depend on batching or sharding, exact runs report 0 (issue 13)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.maskers import BackgroundMasker, RandomMasker, SampledMasker
from intershap_widget.maths import games
from intershap_widget.maths.masking_error import masking_error

DIMS = (3, 2, 2)


class TinyModel:
    """A cheap numpy model with main effects and a 2-way interaction, 2 classes."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.w = [rng.normal(size=(d, 2)) for d in DIMS]

    def __call__(self, xs):
        a, b, c = (np.tanh(x @ w) for x, w in zip(xs, self.w))
        h = 2 * a * b + xs[2] @ self.w[2] + 0.5 * a + 0.0 * c
        e = np.exp(h - h.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def _data(n, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, d)) for d in DIMS]


@pytest.fixture(scope="module")
def setup():
    model, X, bg = TinyModel(0), _data(100, 1), _data(2000, 2)
    ref = isw.explain(model, X, bg, n_background=2000, output="probability", progress=False)
    return model, X, bg, ref


def _coverage(setup, make_masker, runs=200):
    model, X, bg, ref = setup
    hit_g, hit_phi = [], []
    for seed in range(runs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = isw.explain(model, X, bg, masking=make_masker(seed), output="probability", progress=False)
        hit_g.append(abs(res.intershap - ref.intershap) <= 1.96 * res.intershap_masking_se)
        hit_phi.append(np.mean(np.abs(res.phi - ref.phi) <= 1.96 * res.phi_masking_se))
    return float(np.mean(hit_g)), float(np.mean(hit_phi))


@pytest.mark.parametrize("name, make", [
    ("sampled, stratified", lambda s: SampledMasker(24, seed=s)),
    ("sampled, plain", lambda s: SampledMasker(24, seed=s, stratify=False)),
    ("random draws", lambda s: RandomMasker(20, seed=s, empty="background")),
    ("one shared subsample", lambda s: BackgroundMasker(40, seed=s)),
])
def test_masking_standard_errors_cover_the_errors(setup, name, make):
    glob, phi = _coverage(setup, make)
    assert 0.9 <= glob <= 0.97, (name, glob)
    assert 0.9 <= phi <= 0.97, (name, phi)


def test_exact_over_a_fixed_background_reports_zero(setup):
    model, X, bg, _ = setup
    res = isw.explain(model, X, [b[:50] for b in bg], output="probability", progress=False)
    assert res.intershap_masking_se == 0.0
    assert not res.phi_masking_se.any() and not res.coalition_values_se.any()
    assert not res.intershap_local_masking_se.any()
    assert "exact" in res.settings["masking_error"]["note"]
    assert "masking error: 0" in res.summary()


def test_every_row_for_every_sample_is_the_exact_expectation(setup):
    model, X, bg, _ = setup
    small = [b[:60] for b in bg]
    exact = isw.explain(model, X[:1] + X[1:], small, output="probability", progress=False)
    every = isw.explain(model, X, small, masking=SampledMasker(60, seed=5), output="probability", progress=False)
    np.testing.assert_allclose(every.coalition_values, exact.coalition_values, rtol=0, atol=1e-12)
    assert every.intershap_masking_se == 0.0


def test_sampled_rows_do_not_depend_on_batch_size(setup):
    model, X, bg, _ = setup
    runs = [isw.explain(model, X[:1] + X[1:], bg, output="probability", progress=False, batch_size=b,
                        precision=0.01) for b in (7, 333, None)]
    assert runs[0].settings["masking"] == "sampled"
    for other in runs[1:]:
        np.testing.assert_allclose(other.coalition_values, runs[0].coalition_values, rtol=0, atol=1e-15)
        np.testing.assert_allclose(other.phi_masking_se, runs[0].phi_masking_se, rtol=0, atol=1e-12)
        assert other.settings["masking_error"]["rows_per_sample"] == runs[0].settings["masking_error"]["rows_per_sample"]


def test_shards_keep_every_samples_rows(setup):
    model, X, bg, _ = setup
    whole = isw.explain(model, X, bg, masking=SampledMasker(16, seed=3), output="probability", progress=False)
    parts = []
    for start, stop in ((0, 37), (37, 100)):
        masker = SampledMasker(16, seed=3)
        masker.sample_offset = start
        parts.append(isw.explain(model, [x[start:stop] for x in X], bg, masking=masker, output="probability",
                                 progress=False))
    np.testing.assert_allclose(np.concatenate([p.coalition_values for p in parts]), whole.coalition_values,
                               rtol=0, atol=1e-15)
    # (the standard errors are floored at the run's mean over samples: parts differ there)


def test_precision_target_is_met_and_equals_a_one_shot_run(setup):
    model, X, bg, _ = setup
    res = isw.explain(model, X, bg, output="probability", progress=False, precision={"global": 0.01, "phi": 0.05})
    info = res.settings["masking_error"]
    k = info["rows_per_sample"]
    assert len(info["rounds"]) >= 2 and 32 < k < 2000  # stopped early, after adding rows
    assert res.intershap_masking_se <= 0.01 * 1.05 and res.masking_se.phi_rms <= 0.05 * 1.05
    one = isw.explain(model, X, bg, masking=SampledMasker(k, seed=0), output="probability", progress=False)
    np.testing.assert_allclose(one.coalition_values, res.coalition_values, rtol=0, atol=1e-14)
    # each sample saw k rows per inner coalition, plus its full input and the background once
    assert res.settings["model_rows"] == 100 * 6 * k + 100 + 2000


def test_precision_none_keeps_one_shared_subsample(setup):
    model, X, bg, _ = setup
    res = isw.explain(model, X, bg, output="probability", progress=False, precision=None, n_background=40)
    assert res.settings["masking"] == "expectation" and res.settings["masking_error"]["design"] == "shared"
    assert res.intershap_masking_se > 0
    with pytest.raises(ValueError, match="precision"):
        isw.explain(model, X, bg, progress=False, precision=-1.0)
    with pytest.raises(ValueError, match="precision keys"):
        isw.explain(model, X, bg, progress=False, precision={"local": 0.1})


def test_paired_and_independent_formulas_against_loops():
    rng = np.random.default_rng(4)
    n, m, k = 5, 3, 9
    rows = rng.normal(size=(n, 1 << m, k))
    values = rows.mean(axis=2)
    fpc = 0.7
    err = masking_error(rows, values, "paired", fpc)
    own = np.stack([np.stack([games.interaction_matrices(rows[a, :, j])[0] for j in range(k)]).var(axis=0, ddof=1)
                    for a in range(n)]) * fpc / k
    # each sample's variance, floored at the mean over samples of the same entry
    np.testing.assert_allclose(err.phi**2, np.maximum(own, own.mean(axis=0)), rtol=1e-10)
    ind = masking_error(rows, values, "independent", 1.0)
    basis = np.stack([games.interaction_matrices(np.eye(1 << m)[s])[0] for s in range(1 << m)])
    var_v = rows.var(axis=2, ddof=1) / k
    for a in range(n):
        np.testing.assert_allclose(ind.phi[a] ** 2, np.einsum("s,sij->ij", var_v[a], basis**2), rtol=1e-10)
    # global score: finite differences of the score in the direction of one row's error
    g = ind.intershap
    assert g > 0 and np.isfinite(g)


def test_model_rows_are_what_the_model_saw(setup):
    _, X, bg, _ = setup
    seen = []
    inner = TinyModel(0)

    def counting(xs):
        seen.append(xs[0].shape[0])
        return inner(xs)

    for kw in (dict(masking="baseline"), dict(masking="random", n_draws=3), dict()):
        seen.clear()
        res = isw.explain(counting, [x[:10] for x in X], [b[:300] for b in bg], output="probability",
                          progress=False, **kw)
        # the probe: two full rows and one masked sample's rows (32 for a sampled run's first round)
        probes = 2 + {"baseline": 1, "random": 3, "sampled": 32}[res.settings["masking"]]
        assert sum(seen) - probes == res.settings["model_rows"], kw
