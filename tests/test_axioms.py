"""The Shapley axioms hold exactly under every masking path (issue 26, item 1): a modality
the model never reads gets 0 in every Shapley value, φ entry and local score, an additive
model gets no interaction, and every run is efficient, with a background of 1,000+ rows
(larger than ``n_background``, so the default samples rows per sample)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.factorised import Factorised
from intershap_widget.explainers.maskers import RandomMasker, SampledMasker

DIMS = (4, 3, 5)
_W = [np.random.default_rng(7).normal(size=(d, 2)) for d in DIMS]
#: rounding, relative to the output scale
TOL = 1e-12


def _encoders():
    return [lambda x, w=w: np.tanh(x @ w) for w in _W]


def _null_head(zs):
    """Reads modalities 0 and 1 (with an interaction), never modality 2: two classes."""
    h = 2.0 * zs[0] * zs[1] + zs[0]
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _additive_head(zs):
    """A sum of one function per modality: one regression output."""
    return (np.sin(zs[0][:, 0]) + zs[1][:, 1] ** 2 + 3.0 * zs[2][:, 0])[:, None]


def null_model(xs):
    return _null_head([e(x) for e, x in zip(_encoders(), xs)])


def additive_model(xs):
    return _additive_head([e(x) for e, x in zip(_encoders(), xs)])


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    return [rng.normal(size=(30, d)) for d in DIMS], [rng.normal(size=(1200, d)) for d in DIMS]


PATHS = {
    "default (per-sample rows to the precision target)": dict(),
    "masking='sampled'": dict(masking="sampled"),
    "fixed rows per sample": dict(masking=SampledMasker(16, seed=3)),
    "precision=None (one seeded subsample)": dict(precision=None),
    "sharded": dict(shard_size=7, precision={"global": 0.02}),
    "factorised": dict(factorised=True),
    "factorised, precision=None": dict(factorised=True, precision=None),
}


def _run(model, head, X, bg, kw, **more):
    kw = dict(kw)
    if kw.pop("factorised", False):
        model = Factorised(_encoders(), head)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # precision / degenerate warnings are not the point here
        return isw.explain(model, X, bg, progress=False, **kw, **more)


def _efficient(res):
    scale = np.abs(res.prediction - res.base_value).max()
    gap = res.phi.sum(axis=(1, 2)) - (res.prediction - res.base_value)
    assert np.abs(gap).max() <= TOL * max(scale, 1.0)
    assert np.abs(res.shapley.sum(axis=1) - (res.prediction - res.base_value)).max() <= TOL * max(scale, 1.0)


@pytest.mark.parametrize("path", list(PATHS))
def test_null_player_gets_exactly_nothing(data, path):
    X, bg = data
    res = _run(null_model, _null_head, X, bg, PATHS[path], output="probability")
    assert res.settings["masking"] in ("sampled", "expectation")
    scale = np.abs(res.prediction - res.base_value).max()
    assert scale > 0.05  # the model does something
    assert np.abs(res.shapley[:, 2]).max() <= TOL * scale
    assert np.abs(res.phi[:, 2, :]).max() <= TOL * scale and np.abs(res.phi[:, :, 2]).max() <= TOL * scale
    assert res.modality_contributions[2] <= TOL
    # the other two interact: the scores are real, and the ignored modality adds nothing
    assert np.abs(res.phi[:, 0, 1]).max() > 0.01
    _efficient(res)


@pytest.mark.parametrize("path", list(PATHS))
def test_additive_model_has_exactly_no_interaction(data, path):
    X, bg = data
    res = _run(additive_model, _additive_head, X, bg, PATHS[path])
    scale = np.abs(res.prediction - res.base_value).max()
    off = res.phi * (1 - np.eye(3))
    assert np.abs(off).max() <= TOL * scale
    assert abs(res.intershap) <= TOL and np.abs(res.intershap_local).max() <= TOL
    assert np.abs(res.shapley).min(axis=0).max() > 0  # real main effects
    _efficient(res)


def test_the_sampled_paths_used_many_rows_per_sample(data):
    """The paths above are the sampled ones (not silently exact)."""
    X, bg = data
    res = _run(null_model, _null_head, X, bg, {}, output="probability")
    assert res.settings["masking"] == "sampled" and 32 <= res.settings["rows_per_sample"] < 1200
    sub = _run(null_model, _null_head, X, bg, dict(precision=None), output="probability")
    assert sub.settings["n_background"] == 100 and sub.intershap_masking_se > 0


def test_random_masking_is_the_papers_estimator_and_keeps_its_errors(data):
    """RandomMasker draws fresh rows per coalition (the paper's estimator): efficient,
    but a modality the model ignores gets sampling noise, as documented."""
    X, bg = data
    res = _run(null_model, _null_head, X, bg, dict(masking=RandomMasker(8, seed=0)), output="probability")
    _efficient(res)
    assert np.abs(res.shapley[:, 2]).max() > 1e-6
    assert "may keep" in RandomMasker.__doc__
