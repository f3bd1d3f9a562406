"""explain_features through the engine's scale-out paths: a checkpointed run resumes (and a
different feature split is refused), and a run on Dask workers equals the local run."""

import os
import warnings

import numpy as np
import pytest

import intershap_widget as isw

RNG = np.random.default_rng(0)
A, B = RNG.normal(size=(30, 4)), RNG.normal(size=(30, 3))
CALLS = [0]


def f(xs):
    CALLS[0] += 1
    return xs[0][:, 0] * xs[1][:, 1] + xs[0][:, 2]


def _run(model, X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw.setdefault("output", "regression")
        return isw.explain_features(model, X, modality=0, progress=False, shard_size=10,
                                    batch_size=64, **kw)


def test_checkpoint_resumes_and_refuses_another_split(tmp_path):
    run = str(tmp_path / "run")
    CALLS[0] = 0
    first = _run(f, [A, B], checkpoint=run)
    assert CALLS[0] > 100
    CALLS[0] = 0
    again = _run(f, [A, B], checkpoint=run)
    assert CALLS[0] <= 2  # the probe only: every shard read back
    assert again.settings["checkpoint"]["shards_read_back"] == 3
    np.testing.assert_array_equal(again.interaction, first.interaction)
    with pytest.raises(isw.CheckpointMismatch):
        _run(f, [A, B], checkpoint=run, features={"a": [0, 1], "b": [2, 3]})


def test_dask_workers_equal_the_local_run():
    distributed = pytest.importorskip("distributed")
    from sklearn.linear_model import LogisticRegression

    flat = np.concatenate([A, B], axis=1)
    clf = LogisticRegression().fit(flat, (flat[:, 0] * flat[:, 5] + flat[:, 2] > 0).astype(int))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = _run(clf, [A, B], client=client, output="auto")
    local = _run(clf, [A, B], output="auto")
    np.testing.assert_array_equal(remote.interaction, local.interaction)
    assert remote.settings["shards"] == 3 and remote.sums_error() < 1e-12
