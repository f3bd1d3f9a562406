"""explain(..., client=...) on a real Dask LocalCluster (2 worker processes, 1 thread
each, 127.0.0.1): the sharded result is bit-identical to the local one for every masker,
model kind and target="all", the factorised path and a model built on the workers by a
factory; a run that fails on one shard resumes from its checkpoint computing only the
unfinished shards (model rows counted across the worker processes)."""

from __future__ import annotations

import functools
import os
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
torch = pytest.importorskip("torch")

import cloudpickle  # noqa: E402

import intershap_widget as isw  # noqa: E402
import models_for_tests  # noqa: E402
from intershap_widget.paper.fusion import make_model  # noqa: E402
from models_for_tests import SmoothModel, random_modalities  # noqa: E402

# the workers cannot import the test modules: send their classes by value
cloudpickle.register_pickle_by_value(models_for_tests)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

DIMS = (5, 4, 6)
N, SHARD = 13, 4  # shards of 4, 4, 4, 1 samples


@pytest.fixture(scope="module")
def client():
    import dask

    with dask.config.set(isw.DASK_WORKER_CONFIG):  # docs/scale.md
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def inputs(dtype=np.float32):
    X = random_modalities(N, [(d,) for d in DIMS], seed=2, dtype=dtype)
    bg = random_modalities(7, [(d,) for d in DIMS], seed=3, dtype=dtype)
    return X, bg


def sklearn_model(X):
    from sklearn.linear_model import LogisticRegression

    flat = np.concatenate(X, axis=1)
    y = (flat[:, 0] + flat[:, 6] * flat[:, 10] > 0).astype(int) + (flat[:, 1] > 1)
    return LogisticRegression(max_iter=500).fit(flat, y)


def model_of(kind, X):
    if kind == "torch":
        return make_model(DIMS, "early", n_classes=3, seed=0)
    if kind == "sklearn":
        return sklearn_model(X)
    return SmoothModel([(d,) for d in DIMS], n_classes=3)


@pytest.mark.parametrize("kind", ["numpy", "torch", "sklearn"])
@pytest.mark.parametrize("masking", ["expectation", "random", "baseline"])
def test_sharded_equals_local_bit_for_bit(client, kind, masking):
    X, bg = inputs()
    model = model_of(kind, X)
    kw = dict(masking=masking, n_draws=3, seed=5, shard_size=SHARD, target="all", progress=False)
    local = isw.explain(model, X, bg, **kw)
    sharded = isw.explain(model, X, bg, client=client, **kw)
    assert np.array_equal(sharded.class_values, local.class_values)
    assert np.array_equal(sharded.coalition_values, local.coalition_values)
    assert np.array_equal(sharded.phi, local.phi) and sharded.intershap == local.intershap
    assert np.array_equal(sharded.target_class, local.target_class)
    assert sharded.settings["model_rows"] == local.settings["model_rows"]
    assert sharded.settings["shards"] == 4
    assert not np.isnan(local.class_values).any()


def test_shard_size_does_not_move_the_random_draws(client):
    """Draws are keyed by global sample ids: other shards change only float rounding."""
    X, bg = inputs(np.float64)
    model = SmoothModel([(d,) for d in DIMS], n_classes=3)
    kw = dict(masking="random", n_draws=3, seed=1, progress=False, output="probability")
    one = isw.explain(model, X, bg, shard_size=N, **kw)
    many = isw.explain(model, X, bg, shard_size=2, client=client, **kw)
    np.testing.assert_allclose(many.coalition_values, one.coalition_values, rtol=0, atol=1e-14)


def test_factorised_and_model_factory(client):
    X, bg = inputs()
    net = make_model(DIMS, "intermediate", n_classes=2, seed=3)
    fac = isw.Factorised.from_model(net, concat=True)
    kw = dict(shard_size=SHARD, progress=False, target="predicted")
    local = isw.explain(fac, X, bg, **kw)
    sharded = isw.explain(fac, X, bg, client=client, **kw)
    assert np.array_equal(sharded.coalition_values, local.coalition_values)
    assert sharded.settings["factorised"] is True
    factory = functools.partial(make_model, DIMS, "early", 2, 7)
    # a model built on the workers is run as it is: compare with the plain path here
    built_here = isw.explain(factory(), X, bg, factorise=False, **kw)
    built_there = isw.explain(None, X, bg, client=client, model_factory=factory, device="cpu", **kw)
    assert np.array_equal(built_there.coalition_values, built_here.coalition_values)
    assert "first_layer" not in built_there.settings
    # a model passed in with device=: its first layer is factorised here, the rest moved there
    moved = isw.explain(factory(), X, bg, client=client, device=lambda name: "cpu" if name in (0, 1) else "?", **kw)
    assert np.array_equal(moved.coalition_values, isw.explain(factory(), X, bg, **kw).coalition_values)
    assert moved.settings["first_layer"]["dims"] == list(DIMS)
    with pytest.raises(isw.ClusterSetupError, match=r"device string 'worker-[01]' on worker [01]"):
        isw.explain(factory(), X, bg, client=client, device=lambda name: f"worker-{name}", **kw)


@pytest.mark.parametrize("masking", ["expectation", "sampled", "random", "baseline"])
def test_first_layer_of_early_fusion_shards_bit_for_bit(client, masking):
    """The paper's early fusion, its first layer factorised: sharded = local bit for bit,
    and the plain model's numbers to float32 rounding."""
    X, bg = inputs()
    bg = random_modalities(40, [(d,) for d in DIMS], seed=4, dtype=np.float32)
    model = make_model(DIMS, "early", n_classes=3, seed=2)
    kw = dict(masking=masking, n_draws=5, n_background=16, seed=3, shard_size=SHARD, target="all", progress=False)
    local = isw.explain(model, X, bg, **kw)
    sharded = isw.explain(model, X, bg, client=client, **kw)
    assert sharded.settings["first_layer"]["dims"] == list(DIMS) == local.settings["first_layer"]["dims"]
    assert np.array_equal(sharded.class_values, local.class_values)
    assert sharded.settings["model_rows"] == local.settings["model_rows"] and sharded.settings["shards"] == 4
    plain = isw.explain(model, X, bg, client=client, factorise=False, **kw)
    np.testing.assert_allclose(sharded.class_values, plain.class_values, rtol=0, atol=2e-6)


def test_model_factory_needs_a_client():
    X, bg = inputs()
    with pytest.raises(ValueError, match="pass client="):
        isw.explain(None, X, bg, model_factory=lambda: SmoothModel([(d,) for d in DIMS]), progress=False)


class FailingCounter(SmoothModel):
    """Logs its batch sizes to a file (shared by the worker processes) and raises on the
    full-input row of sample ``fail_at`` while ``flag`` exists."""

    def __init__(self, log, flag, marker):
        super().__init__([(d,) for d in DIMS], n_classes=3)
        self.log, self.flag, self.marker = str(log), str(flag), marker

    def __call__(self, xs):
        with open(self.log, "a") as f:
            f.write(f"{len(xs[0])}\n")
        if os.path.exists(self.flag) and np.any(np.all(xs[0] == self.marker, axis=1)):
            raise RuntimeError("model failed on the marked sample")
        return super().__call__(xs)


def test_resume_after_a_failing_shard_runs_only_the_rest(client, tmp_path):
    X, bg = inputs()
    log, flag, run_dir = tmp_path / "rows.log", tmp_path / "fail", tmp_path / "run"
    model = FailingCounter(log, flag, X[0][9])  # sample 9: shard 2 (samples 8..11)
    kw = dict(shard_size=SHARD, progress=False, target="all")
    local = isw.explain(model, X, bg, **kw)
    flag.touch()
    with pytest.raises(RuntimeError, match="marked sample"):
        isw.explain(model, X, bg, client=client, checkpoint=run_dir, **kw)
    done = sorted(p for p in os.listdir(run_dir) if p.startswith("pass0_"))
    assert "pass0_shard00002.npz" not in done and (run_dir / "empty.npz").exists()
    flag.unlink()
    log.unlink()
    resumed = isw.explain(model, X, bg, client=client, checkpoint=run_dir, **kw)
    per_sample = (2 ** 3 - 2) * 7 + 1
    todo = sum(min(N, s + SHARD) - s for s in range(0, N, SHARD) if f"pass0_shard{s // SHARD:05d}.npz" not in done)
    rows = sum(int(line) for line in open(log))
    assert rows == 2 + 7 + todo * per_sample  # the probe, then only the unfinished shards
    assert np.array_equal(resumed.class_values, local.class_values)
    other = [x.copy() for x in X]
    other[2][0, 0] += 1
    with pytest.raises(isw.explainers.checkpoint.CheckpointMismatch, match="inputs"):
        isw.explain(model, other, bg, client=client, checkpoint=run_dir, **kw)


class DiesOnce(SmoothModel):
    """Kills its worker process (``os._exit``) on the full-input row of a marked sample,
    once: the first call that sees it removes ``flag``."""

    def __init__(self, flag, marker):
        super().__init__([(d,) for d in DIMS], n_classes=3)
        self.flag, self.marker = str(flag), marker

    def __call__(self, xs):
        if np.any(np.all(xs[0] == self.marker, axis=1)) and os.path.exists(self.flag):
            os.remove(self.flag)
            os._exit(3)  # the worker process dies mid-shard, with the shard's samples
        return super().__call__(xs)


def test_a_worker_killed_mid_run_is_replaced_and_the_numbers_do_not_change(client, tmp_path):
    X, bg = inputs()
    flag = tmp_path / "die"
    model = DiesOnce(flag, X[0][6])  # sample 6: shard 1
    kw = dict(shard_size=SHARD, progress=False, target="all")
    local = isw.explain(model, X, bg, **kw)
    flag.touch()
    sharded = isw.explain(model, X, bg, client=client, checkpoint=tmp_path / "run", **kw)
    assert not flag.exists()  # a worker did die
    assert np.array_equal(sharded.class_values, local.class_values)
    assert sharded.settings["checkpoint"]["shards_run"] == 4
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_a_sampled_background_to_a_precision_target_shards_pass_by_pass(client, tmp_path):
    X, _ = inputs(np.float64)
    big = random_modalities(300, [(d,) for d in DIMS], seed=9)
    model = SmoothModel([(d,) for d in DIMS], n_classes=3)
    kw = dict(shard_size=SHARD, progress=False, output="probability", precision={"global": 1e-4, "phi": 1e-3})
    local = isw.explain(model, X, big, **kw)
    rounds = local.settings["masking_error"]["rounds"]
    assert local.settings["masking"] == "sampled" and len(rounds) >= 2  # more than one pass
    sharded = isw.explain(model, X, big, client=client, checkpoint=tmp_path / "run", **kw)
    assert np.array_equal(sharded.coalition_values, local.coalition_values)
    assert sharded.settings["masking_error"] == local.settings["masking_error"]
    assert sharded.settings["model_rows"] == local.settings["model_rows"]
    names = sorted(os.listdir(tmp_path / "run"))
    assert [f"pass{i}_shard00003.npz" in names for i in range(len(rounds))] == [True] * len(rounds)
    again = isw.explain(model, X, big, checkpoint=tmp_path / "run", **kw)  # resumed here, every pass read back
    assert again.settings["checkpoint"]["shards_run"] == 0
    assert np.array_equal(again.coalition_values, local.coalition_values)


def test_sample_explain_shards_bit_for_bit(client):
    dims = (3, 2, 4, 2, 3)
    X = random_modalities(N, [(d,) for d in dims], seed=4)
    bg = random_modalities(6, [(d,) for d in dims], seed=5)
    model = SmoothModel([(d,) for d in dims], n_classes=3)
    kw = dict(budget=14, shard_size=SHARD, progress=False, output="probability")
    local = isw.sample_explain(model, X, bg, **kw)
    sharded = isw.sample_explain(model, X, bg, client=client, **kw)
    assert np.array_equal(sharded.phi, local.phi) and sharded.intershap == local.intershap
    assert np.array_equal(sharded.shapley, local.shapley)
    assert sharded.settings["shards"] == local.settings["shards"] == 4
    assert sharded.settings["model_rows"] == local.settings["model_rows"]


def test_placement_errors_come_before_any_model_call(client):
    X, bg = inputs()
    calls = []

    def model(xs):
        calls.append(len(xs[0]))
        return np.ones((len(xs[0]), 2)) / 2

    for kwargs, match in [
        (dict(client=object()), "dask.distributed.Client"),
        (dict(device="cuda"), "pass client="),
        (dict(client=client, model_factory=lambda: model), "not both"),
        (dict(shard_size=0), "shard_size"),
        (dict(client=client, device=0), "device must be a string"),
    ]:
        with pytest.raises((TypeError, ValueError), match=match):
            isw.explain(model, X, bg, progress=False, **kwargs)
    with pytest.raises(ValueError, match="model_factory= with client="):
        isw.explain(None, X, bg, progress=False)
    assert calls == []


def test_dask_default_memory_trimming_is_warned_about(monkeypatch):
    """Dask's nannies set MALLOC_TRIM_THRESHOLD_ (1.4-2.3x slower model batches, measured):
    a run on such workers says what to change; the fixture's workers do not warn."""
    X, bg = inputs()
    model = SmoothModel([(d,) for d in DIMS], n_classes=3)
    for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"):  # nannies export theirs to this process
        monkeypatch.delenv(name, raising=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        with pytest.warns(isw.SlowWorkerWarning, match="MALLOC_TRIM_THRESHOLD_=65536.*DASK_WORKER_CONFIG"):
            slow = isw.explain(model, X, bg, client=c, progress=False)
    assert np.array_equal(slow.coalition_values, isw.explain(model, X, bg, progress=False).coalition_values)


def test_a_worker_with_two_threads_runs_shards_at_once_with_the_same_numbers():
    """Two shards at a time in one worker process share its model copy: a torch model left
    in training mode (dropout) still gives the local eval-mode numbers, bit for bit."""
    import dask

    net = torch.nn.Sequential(torch.nn.Linear(sum(DIMS), 16), torch.nn.Dropout(0.5), torch.nn.Tanh(),
                              torch.nn.Linear(16, 3))
    net.train()
    X, bg = inputs()
    kw = dict(shard_size=2, batch_size=16, progress=False, target="all")
    wrapped = isw.concatenated(net)
    local = isw.explain(wrapped, X, bg, **kw)
    assert net.training  # restored after the run
    with dask.config.set(isw.DASK_WORKER_CONFIG):
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, host="127.0.0.1",
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as c:
            sharded = isw.explain(wrapped, X, bg, client=c, **kw)
    assert np.array_equal(sharded.class_values, local.class_values)
    assert net.training  # the caller's model is untouched


def test_nothing_the_caller_passed_is_modified(client, tmp_path):
    X, bg = inputs()
    net = make_model(DIMS, "early", n_classes=3, seed=0)
    before = ([x.copy() for x in X], [b.copy() for b in bg], {k: v.clone() for k, v in net.state_dict().items()})
    for x in X + bg:
        x.flags.writeable = False  # a write would raise
    isw.explain(net, X, bg, client=client, checkpoint=tmp_path / "run", shard_size=SHARD, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(X + bg, before[0] + before[1]))
    assert all(torch.equal(v, before[2][k]) for k, v in net.state_dict().items())


def test_workers_with_another_intershap_widget_are_refused_before_any_work(client, monkeypatch):
    X, bg = inputs()
    calls = []

    def model(xs):
        calls.append(len(xs[0]))
        return np.ones((len(xs[0]), 2)) / 2

    import re

    real = isw.__version__
    monkeypatch.setattr(isw, "__version__", "0.0.0-other")
    with pytest.raises(RuntimeError, match=re.escape(f"workers run intershap-widget ['{real}'], this process 0.0.0-other")):
        isw.explain(model, X, bg, client=client, progress=False)
    assert calls == []


def test_other_numpy_or_torch_on_the_workers_is_warned_and_no_workers_refused():
    from intershap_widget.explainers.workers import judge_workers, worker_report

    here = worker_report()
    fast = {"MALLOC_TRIM_THRESHOLD_": None, "MALLOC_MMAP_THRESHOLD_": None}
    other = {**here, "numpy": "1.0.0", "malloc": fast}
    with pytest.warns(isw.WorkerVersionWarning, match=f"workers run numpy 1.0.0, this process {here['numpy']}"):
        judge_workers(here, {"tcp://a": {**here, "malloc": fast}, "tcp://b": other})
    with pytest.warns(isw.SlowWorkerWarning, match="1 of 2 Dask workers"):
        judge_workers(here, {"tcp://a": {**here, "malloc": fast},
                             "tcp://b": {**here, "malloc": {**fast, "MALLOC_TRIM_THRESHOLD_": "65536"}}})
    with pytest.raises(RuntimeError, match="no workers yet"):
        judge_workers(here, {})


def test_a_transformers_model_with_grouped_dict_inputs_shards_bit_for_bit(client):
    """BERT + ViT + tabular (dict inputs; the text is ids + mask, masked together): the
    plain, factorised and sampled paths give the local numbers on the cluster."""
    pytest.importorskip("transformers")
    from intershap_widget.paper import vision_language as vl

    model = vl.load()
    X_train, _ = vl.make_data(60, seed=0)
    X, _ = vl.make_data(9, seed=1)
    bg = {"text": {k: a[:6] for k, a in X_train["text"].items()},
          "image": {"pixel_values": X_train["image"]["pixel_values"][:6]}, "tabular": X_train["tabular"][:6]}
    kw = dict(progress=False, shard_size=4, batch_size=64)
    for make in (lambda: model, model.factorised):
        local = isw.explain(make(), X, bg, **kw)
        sharded = isw.explain(make(), X, bg, client=client, **kw)
        assert np.array_equal(sharded.coalition_values, local.coalition_values)
        assert sharded.settings["shards"] == 3
    local = isw.sample_explain(model, X, bg, budget=6, **kw)
    assert np.array_equal(isw.sample_explain(model, X, bg, budget=6, client=client, **kw).phi, local.phi)


def test_a_model_factory_is_identified_by_the_model_it_builds(client, tmp_path):
    """Two factories of the same name building other weights never share a checkpoint:
    the identity is the built model's, taken on the first worker before any call."""
    X, bg = inputs()
    kw = dict(shard_size=SHARD, progress=False, target="all", checkpoint=tmp_path / "run")

    def factory_of(seed):
        def build():
            return make_model(DIMS, "early", 3, seed)
        return build

    first = isw.explain(None, X, bg, client=client, model_factory=factory_of(0), factorise=False, **kw)
    again = isw.explain(None, X, bg, client=client, model_factory=factory_of(0), factorise=False, **kw)
    assert again.settings["checkpoint"]["shards_run"] == 0 and np.array_equal(again.phi, first.phi)
    with pytest.raises(isw.CheckpointMismatch, match=r"model.state: \w+… -> \w+…"):
        isw.explain(None, X, bg, client=client, model_factory=factory_of(1), factorise=False, **kw)
