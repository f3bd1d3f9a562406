"""What a long run meets on a real Dask cluster (127.0.0.1, started and stopped here):
every worker killed mid-run, rolling ``lifetime`` restarts, the scheduler killed, a
driver that went away without ending its run, and bad cluster arguments. Each run that
finishes is bit-identical to the local one; each that cannot says why and how to resume.
No timing assertions: the waits are generous and only bound a hang."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import cloudpickle  # noqa: E402

import intershap_widget as isw  # noqa: E402
import models_for_tests  # noqa: E402
from intershap_widget.explainers import worker_state  # noqa: E402
from models_for_tests import SmoothModel, random_modalities  # noqa: E402

cloudpickle.register_pickle_by_value(models_for_tests)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

DIMS = (5, 4, 6)
N = 13
KW = dict(shard_size=2, batch_size=8, progress=False, target="all")  # 7 shards of 2, 2, ..., 1 samples


class Slow(SmoothModel):
    """SmoothModel that takes ``pause`` seconds per call: a run lasts long enough to be hit."""

    def __init__(self, pause=0.03):
        super().__init__([(d,) for d in DIMS], n_classes=3)
        self.pause = pause

    def __call__(self, xs):
        time.sleep(self.pause)
        return super().__call__(xs)


#: the environment of worker processes started here (isw.DASK_WORKER_CONFIG's settings)
_ENV = {**os.environ, "MALLOC_TRIM_THRESHOLD_": str(1 << 28), "MALLOC_MMAP_THRESHOLD_": str(1 << 28),
        "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), os.getcwd()])}


def inputs():
    return random_modalities(N, [(d,) for d in DIMS], seed=2), random_modalities(7, [(d,) for d in DIMS], seed=3)


def cluster(**worker_kwargs):
    import dask

    with dask.config.set(isw.DASK_WORKER_CONFIG):
        return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None, **worker_kwargs)


def when_shards_saved(run_dir, count, action, limit=240.0):
    """Call ``action`` in a thread once ``count`` shard files are in ``run_dir``."""

    def wait():
        deadline = time.time() + limit
        while time.time() < deadline:
            if os.path.isdir(run_dir) and sum(p.startswith("pass0_") for p in os.listdir(run_dir)) >= count:
                action()
                return
            time.sleep(0.02)

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread


def test_every_worker_killed_mid_run_the_run_finishes_bit_identical(tmp_path, caplog):
    X, bg = inputs()
    model = Slow()
    local = isw.explain(model, X, bg, **KW)
    with cluster() as lc, distributed.Client(lc) as client:
        pids = client.run(os.getpid)
        killed = []

        def kill_all():
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
            killed.append(True)

        killer = when_shards_saved(tmp_path / "run", 1, kill_all)
        with caplog.at_level(logging.WARNING, logger="intershap_widget.cluster"):
            res = isw.explain(model, X, bg, client=client, checkpoint=tmp_path / "run", **KW)
        killer.join(5)
        assert killed, "the workers were not killed mid-run"
        assert np.array_equal(res.class_values, local.class_values)
        assert res.settings["checkpoint"]["shards_run"] == 7
        assert any("Dask worker" in r.getMessage() and "lost" in r.getMessage() for r in caplog.records)
        client.wait_for_workers(2, timeout=120)
        assert all(v == [] for v in client.run(worker_state.runs_here).values())  # released everywhere


def _retire(dask_worker=None) -> None:
    """On a worker: what ``--lifetime`` with ``--lifetime-restart`` does when its time is up."""
    dask_worker.loop.add_callback(dask_worker.close_gracefully, restart=True, reason="worker-lifetime-reached")


def test_rolling_restarts_finish_bit_identical(tmp_path):
    """The two workers retire one after the other mid-run, as ``--lifetime`` with
    ``--lifetime-restart`` retires them (the same call; waiting for real lifetimes would
    make the test as long as they are), and their nannies start new ones."""
    X, bg = inputs()
    model = Slow(0.1)
    local = isw.explain(model, X, bg, **KW)
    with cluster() as lc, distributed.Client(lc) as client:
        before = client.run(os.getpid)
        retired = []

        def roll():
            for address in before:
                client.run(_retire, workers=[address])
                retired.append(address)
                deadline = time.time() + 180
                while time.time() < deadline and set(client.run(os.getpid).values()) & {before[address]}:
                    time.sleep(0.2)

        roller = when_shards_saved(tmp_path / "run", 1, roll)
        res = isw.explain(model, X, bg, client=client, checkpoint=tmp_path / "run", **KW)
        roller.join(240)
        client.wait_for_workers(2, timeout=120)
        after = set(client.run(os.getpid).values())
    assert retired, "no worker was retired mid-run"
    assert np.array_equal(res.class_values, local.class_values)
    assert np.array_equal(res.coalition_values, local.coalition_values)
    assert not after & set(before.values()), "a worker was not restarted"


_SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
              "--no-dashboard", "--scheduler-file"]


def test_the_scheduler_killed_gives_its_cause_and_the_resume_that_completes(tmp_path):
    X, bg = inputs()
    model = Slow()
    local = isw.explain(model, X, bg, **KW)
    sched_file = tmp_path / "scheduler.json"
    env = _ENV
    scheduler = subprocess.Popen(_SCHEDULER + [str(sched_file)], env=env, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.time() + 120
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.1)
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                                   str(sched_file), "--nthreads", "1", "--no-dashboard", "--no-nanny"],
                                  env=env, stderr=subprocess.DEVNULL)
        client = distributed.Client(scheduler_file=str(sched_file), timeout=120)
        client.wait_for_workers(1, timeout=120)
        killer = when_shards_saved(tmp_path / "run", 1, lambda: scheduler.send_signal(signal.SIGKILL))
        with pytest.raises(isw.DistributedRunError) as caught:
            isw.explain(model, X, bg, client=client, checkpoint=tmp_path / "run", **KW)
        killer.join(5)
        text = str(caught.value)
        assert "connection to the Dask scheduler" in text and "lost" in text
        assert f"checkpoint={str(tmp_path / 'run')!r}" in text and "only the unfinished shards run" in text
        client.close(timeout=5)
    finally:
        for proc in (scheduler, worker):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    saved = [p for p in os.listdir(tmp_path / "run") if p.startswith("pass0_")]
    assert 1 <= len(saved) < 7
    resumed = isw.explain(model, X, bg, checkpoint=tmp_path / "run", **KW)  # here, without Dask
    assert resumed.settings["checkpoint"]["shards_read_back"] == len(saved)
    assert np.array_equal(resumed.class_values, local.class_values)


@pytest.fixture(scope="module")
def client():
    with cluster() as lc, distributed.Client(lc) as c:
        yield c


def test_a_run_left_by_a_dead_driver_is_removed_by_the_next_run(client):
    X, bg = inputs()
    other = distributed.Client(client.scheduler.address)
    job = worker_state.Job("left-behind", [b[:2] for b in bg], None, None, None, None, "auto", ["0", "1", "2"])
    other.register_plugin(worker_state.RunState(SmoothModel([(d,) for d in DIMS]), None, None, job),
                          name=worker_state.plugin_name(other.id, job.key))
    assert all(v == ["left-behind"] for v in client.run(worker_state.runs_here).values())
    other.close()  # the driver goes away without ending its run
    model = SmoothModel([(d,) for d in DIMS], n_classes=3)
    res = isw.explain(model, X, bg, client=client, **KW)
    assert np.array_equal(res.class_values, isw.explain(model, X, bg, **KW).class_values)
    assert all(v == [] for v in client.run(worker_state.runs_here).values())
    plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    assert not [p for p in plugins if p.startswith(worker_state.PREFIX)]


class Unpicklable(SmoothModel):
    def __init__(self):
        super().__init__([(d,) for d in DIMS], n_classes=3)
        self.lock = threading.Lock()


class _FakeClient:
    def submit(self, *a, **k):
        return None

    def scatter(self, *a, **k):
        return None


def test_bad_cluster_arguments_are_refused_before_any_model_call(client):
    torch = pytest.importorskip("torch")
    X, bg = inputs()
    calls = []

    def model(xs):
        calls.append(len(xs[0]))
        return np.ones((len(xs[0]), 2)) / 2

    net = torch.nn.Linear(sum(DIMS), 2)
    closed = distributed.Client(client.scheduler.address)
    closed.close()
    cases = [
        (model, dict(client=_FakeClient()), "client must be a dask.distributed.Client, got _FakeClient"),
        (model, dict(client=closed), "client= is closed"),
        (isw.concatenated(net), dict(client=client, device="banana"), "'banana' is not a torch device string"),
        (isw.concatenated(net), dict(client=client, device="cuda:7"), "'cuda:7' is not available here"),
        (isw.concatenated(net), dict(client=client, device="meta"), "'meta' holds no data"),
        (model, dict(client=client, device="cpu"), "without .to()"),
        (Unpicklable(), dict(client=client), "does not pickle.*model_factory="),
    ]
    for given, kwargs, match in cases:
        with pytest.raises(isw.ClusterSetupError, match=match):
            isw.explain(given, X, bg, progress=False, **kwargs)
    assert calls == []

    def build_nothing():
        SmoothModel([(d,) for d in DIMS])

    with pytest.raises(isw.ClusterSetupError, match="model_factory .*build_nothing returned None"):
        isw.explain(None, X, bg, client=client, model_factory=build_nothing, progress=False)


class FailsOn(SmoothModel):
    """Raises its own error on the full-input row of a marked sample (every call)."""

    def __init__(self, marker):
        super().__init__([(d,) for d in DIMS], n_classes=3)
        self.marker = marker

    def __call__(self, xs):
        if np.any(np.all(xs[0] == self.marker, axis=1)):
            raise KeyError("model failure 42")
        return super().__call__(xs)


def test_a_model_error_on_a_worker_is_the_models_own_with_the_shard_named(client):
    X, bg = inputs()
    with pytest.raises(KeyError, match="model failure 42") as caught:
        isw.explain(FailsOn(X[0][9]), X, bg, client=client, **KW)  # sample 9: shard 4 (samples 8-9)
    notes = " ".join(getattr(caught.value, "__notes__", []))
    assert "shard 4, samples 8-9, on Dask worker" in notes
    assert "call=" not in str(caught.value) + notes
    assert all(v == [] for v in client.run(worker_state.runs_here).values())
