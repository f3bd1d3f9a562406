"""Resumable runs: explain(..., checkpoint=run_dir) writes each finished shard atomically,
resumes a crashed run computing only the unfinished shards (model rows counted), gives
the same numbers bit for bit, and refuses a folder written for other inputs or settings."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers import checkpoint as ckpt
from intershap_widget.explainers.checkpoint import CheckpointMismatch, fingerprint
from models_for_tests import SmoothModel, random_modalities

SHAPES = [(3,), (2,), (4,)]
N, SHARD = 23, 5  # shards of 5, 5, 5, 5, 3 samples


class RowCounter(SmoothModel):
    """SmoothModel that appends its batch sizes to a log file and raises once ``fail_file``
    exists and the batch holds a full-input row of sample ``fail_at``."""

    def __init__(self, log, fail_file=None, fail_at=None):
        super().__init__(SHAPES, n_classes=3, seed=0)
        self.log, self.fail_file, self.fail_at = str(log), fail_file and str(fail_file), fail_at

    def __call__(self, xs):
        time.sleep(float(os.environ.get("ISW_TEST_PAUSE", 0)))
        with open(self.log, "a") as f:
            f.write(f"{len(xs[0])}\n")
        if self.fail_file and os.path.exists(self.fail_file):
            if np.any(np.all(xs[0] == self.marker, axis=1)):
                raise RuntimeError(f"model failed on sample {self.fail_at}")
        return super().__call__(xs)


def rows_logged(log) -> int:
    return sum(int(line) for line in open(log)) if os.path.exists(log) else 0


def data():
    X = random_modalities(N, SHAPES, seed=4)
    return X, [b[:6] for b in random_modalities(6, SHAPES, seed=5)]


def probe_rows(k: int) -> int:
    return 2 + k  # two full rows and one masked sample's K rows


def shard_rows(size: int, k: int, m: int = 3, shared_empty: bool = True) -> int:
    """Rows of a shard: the full input once, every coalition but N (and ∅ when not shared) K times."""
    return size * ((2**m - 2 + (not shared_empty)) * k + 1)


def test_checkpointed_run_equals_plain_run_and_resumes_without_model_rows(tmp_path):
    X, bg = data()
    log = tmp_path / "rows.log"
    model = RowCounter(log)
    plain = isw.explain(model, X, bg, shard_size=SHARD, progress=False, target="all")
    rows_plain = rows_logged(log)
    run_dir = tmp_path / "run"
    first = isw.explain(model, X, bg, shard_size=SHARD, progress=False, target="all", checkpoint=run_dir)
    assert rows_logged(log) - rows_plain == rows_plain  # the same work as a plain run
    assert np.array_equal(first.class_values, plain.class_values)
    files = sorted(os.listdir(run_dir))
    assert files == ["checksums.sha256", "empty.npz", "manifest.json"] + [f"pass0_shard{i:05d}.npz" for i in range(5)]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["inputs"] == fingerprint(X) and manifest["seed"] == 0
    assert manifest["settings"]["shards"] == [[0, 5], [5, 10], [10, 15], [15, 20], [20, 23]]
    before = rows_logged(log)
    again = isw.explain(model, X, bg, shard_size=SHARD, progress=False, target="all", checkpoint=run_dir)
    assert rows_logged(log) - before == probe_rows(6)  # only the probe: every shard was done
    assert np.array_equal(again.class_values, plain.class_values)
    assert np.array_equal(again.phi, plain.phi)


@pytest.mark.parametrize("masking", ["expectation", "random"])
def test_a_crash_mid_run_resumes_with_only_the_unfinished_shards(tmp_path, masking):
    X, bg = data()
    X[0][:, 0] = np.arange(N)  # a marker: sample a's modality 0 starts with a
    fail_at = 12  # in shard 2 (samples 10..14)
    log, flag = tmp_path / "rows.log", tmp_path / "fail"
    model = RowCounter(log, flag, fail_at)
    model.marker = X[0][fail_at]
    kw = dict(masking=masking, n_draws=4, shard_size=SHARD, progress=False, target="predicted")
    plain = isw.explain(model, X, bg, **kw)
    flag.touch()
    run_dir = tmp_path / "run"
    with pytest.raises(RuntimeError, match="failed on sample 12"):
        isw.explain(model, X, bg, checkpoint=run_dir, **kw)
    done = sorted(p for p in os.listdir(run_dir) if p.startswith("pass"))
    assert done == ["pass0_shard00000.npz", "pass0_shard00001.npz"]
    flag.unlink()
    before = rows_logged(log)
    resumed = isw.explain(model, X, bg, checkpoint=run_dir, **kw)
    k, shared = (6, True) if masking == "expectation" else (4, False)  # random draws v(∅) per sample
    unfinished = shard_rows(5, k, shared_empty=shared) * 2 + shard_rows(3, k, shared_empty=shared)
    assert rows_logged(log) - before == probe_rows(k) + unfinished
    assert np.array_equal(resumed.coalition_values, plain.coalition_values)


def test_other_inputs_seed_or_settings_are_refused(tmp_path):
    X, bg = data()
    model = SmoothModel(SHAPES, n_classes=3)
    run_dir = tmp_path / "run"
    isw.explain(model, X, bg, shard_size=SHARD, progress=False, checkpoint=run_dir, masking="random", seed=1)
    other = [x.copy() for x in X]
    other[1][3, 0] += 1e-9
    with pytest.raises(CheckpointMismatch, match=r"holds another run than this call: inputs: \w+… -> \w+…"):
        isw.explain(model, other, bg, shard_size=SHARD, progress=False, checkpoint=run_dir, masking="random", seed=1)
    with pytest.raises(CheckpointMismatch, match="seed: 1 -> 2"):
        isw.explain(model, X, bg, shard_size=SHARD, progress=False, checkpoint=run_dir, masking="random", seed=2)
    with pytest.raises(CheckpointMismatch, match=r"settings.shards"):
        isw.explain(model, X, bg, shard_size=4, progress=False, checkpoint=run_dir, masking="random", seed=1)
    with pytest.raises(CheckpointMismatch, match=r"settings.output_key: null -> \w+…"):
        isw.explain(model, X, bg, shard_size=SHARD, progress=False, checkpoint=run_dir, masking="random", seed=1,
                    output_key=lambda out: out[:, ::-1])
    with pytest.raises(CheckpointMismatch, match=r"model.attributes.w1: \w+… -> \w+…; model.attributes.w2"):
        isw.explain(SmoothModel(SHAPES, n_classes=3, seed=1), X, bg, shard_size=SHARD, progress=False,
                    checkpoint=run_dir, masking="random", seed=1)
    # nothing was overwritten: the original call still resumes
    isw.explain(model, X, bg, shard_size=SHARD, progress=False, checkpoint=run_dir, masking="random", seed=1)


def test_a_crash_while_writing_leaves_the_previous_state(tmp_path, monkeypatch):
    store = ckpt.Checkpoint(tmp_path, {"format": 1})
    from intershap_widget.explainers.shards import PassSpec, Shard, ShardResult

    shard, spec = Shard(0, 0, 2), PassSpec(0, np.arange(1, 3), np.eye(2, dtype=bool))
    store.save_shard(spec, shard, ShardResult(np.ones((2, 3)), np.ones((2, 2, 1)), None, 10))

    def broken(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(ckpt.np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        store.save_shard(spec, shard, ShardResult(np.zeros((2, 3)), np.zeros((2, 2, 1)), None, 10))
    assert sorted(os.listdir(tmp_path)) == ["checksums.sha256", "manifest.json", "owner.json", "pass0_shard00000.npz"]
    monkeypatch.undo()
    back = store.load_pass(spec, [shard])[0]
    assert np.array_equal(back.full, np.ones((2, 3))) and np.array_equal(back.values, np.ones((2, 2, 1)))
    assert back.rows is None and back.model_rows == 10


def test_fingerprint_and_model_identity():
    torch = pytest.importorskip("torch")
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert fingerprint([a]) == fingerprint([torch.from_numpy(a.copy())])
    assert fingerprint([a]) != fingerprint([a.astype(np.float64)])
    assert fingerprint([a]) != fingerprint([a.reshape(3, 4)])
    from intershap_widget.paper.fusion import make_model

    assert ckpt.model_identity(make_model([4, 4], seed=0)) == ckpt.model_identity(make_model([4, 4], seed=0))
    assert ckpt.model_identity(make_model([4, 4], seed=0)) != ckpt.model_identity(make_model([4, 4], seed=1))


_CRASHING_RUN = """
import os, sys
import intershap_widget as isw
from test_checkpoint import RowCounter, SHAPES
from models_for_tests import random_modalities

os.environ["ISW_TEST_PAUSE"] = "0.02"  # slow, same model (its code and attributes unchanged)
X = random_modalities(23, SHAPES, seed=4)
bg = random_modalities(6, SHAPES, seed=5)
isw.explain(RowCounter(sys.argv[2]), X, bg, shard_size=2, batch_size=8, progress=False,
            target="all", checkpoint=sys.argv[1])
"""


def test_a_killed_process_resumes_from_its_last_finished_shard(tmp_path):
    """SIGKILL of the process running explain() (no clean-up at all), then a resume that
    computes only the shards not on disk, with the same numbers."""
    import signal
    import subprocess
    import sys
    import time

    run_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), os.getcwd()])}
    log = tmp_path / "rows.log"
    proc = subprocess.Popen([sys.executable, "-c", _CRASHING_RUN, str(run_dir), str(log)], env=env)
    deadline = time.time() + 120
    while time.time() < deadline and not (run_dir / "pass0_shard00003.npz").exists():
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = sorted(p for p in os.listdir(run_dir) if p.startswith("pass0_"))
    assert 4 <= len(done) < 12, done  # killed part-way through its 12 shards
    assert not [p for p in os.listdir(run_dir) if p.endswith(".npz") and p not in done and p != "empty.npz"]
    X, bg = random_modalities(23, SHAPES, seed=4), random_modalities(6, SHAPES, seed=5)
    model = RowCounter(log)
    kw = dict(shard_size=2, batch_size=8, progress=False, target="all")
    before = rows_logged(log)
    resumed = isw.explain(model, X, bg, checkpoint=run_dir, **kw)
    todo = sum(min(23, s + 2) - s for s in range(0, 23, 2) if f"pass0_shard{s // 2:05d}.npz" not in done)
    assert rows_logged(log) - before == probe_rows(6) + shard_rows(1, 6) * todo
    assert resumed.settings["checkpoint"]["shards_read_back"] == len(done)
    log.unlink()
    plain = isw.explain(model, X, bg, **kw)
    assert np.array_equal(resumed.class_values, plain.class_values)


def test_sample_explain_resumes_and_refuses_another_budget(tmp_path):
    shapes = [(3,), (2,), (4,), (2,), (3,)]
    X, bg = random_modalities(N, shapes, seed=4), random_modalities(6, shapes, seed=5)

    class Counter(SmoothModel):
        def __init__(self, log):
            super().__init__(shapes, n_classes=3, seed=0)
            self.log = str(log)

        def __call__(self, xs):
            with open(self.log, "a") as f:
                f.write(f"{len(xs[0])}\n")
            return super().__call__(xs)

    log, run_dir = tmp_path / "rows.log", tmp_path / "run"
    model = Counter(log)
    kw = dict(budget=14, shard_size=SHARD, progress=False, output="probability")
    plain = isw.sample_explain(model, X, bg, **kw)
    first = isw.sample_explain(model, X, bg, checkpoint=run_dir, **kw)
    before = rows_logged(log)
    again = isw.sample_explain(model, X, bg, checkpoint=run_dir, **kw)
    assert rows_logged(log) - before == probe_rows(6)  # every shard of both passes read back
    assert again.settings["checkpoint"]["shards_run"] == 0 and first.settings["checkpoint"]["shards_run"] == 10
    assert np.array_equal(again.phi, plain.phi) and np.array_equal(first.shapley, plain.shapley)
    with pytest.raises(CheckpointMismatch, match="settings"):
        isw.sample_explain(model, X, bg, checkpoint=run_dir, **{**kw, "budget": 16})


def _resume_kw(run_dir, **extra):
    return dict(shard_size=SHARD, progress=False, target="all", checkpoint=run_dir, **extra)


def test_a_checkpoint_never_mixes_two_models_and_names_what_differs(tmp_path):
    torch = pytest.importorskip("torch")
    X, bg = data()

    def closure_model(net):
        return lambda xs: net(xs)  # identified by its code *and* what it closes over

    isw.explain(closure_model(SmoothModel(SHAPES, seed=0)), X, bg, **_resume_kw(tmp_path / "lambda"))
    with pytest.raises(CheckpointMismatch, match=r"model.closure.net: \w+… -> \w+…"):
        isw.explain(closure_model(SmoothModel(SHAPES, seed=1)), X, bg, **_resume_kw(tmp_path / "lambda"))

    class Tempered(torch.nn.Module):
        def __init__(self, temperature):
            super().__init__()
            self.lin, self.temperature = torch.nn.Linear(9, 2), temperature
            torch.nn.init.constant_(self.lin.weight, 0.1)

        def forward(self, x):
            return self.lin(x) / self.temperature

    isw.explain(isw.concatenated(Tempered(0.5)), X, bg, **_resume_kw(tmp_path / "torch"))
    with pytest.raises(CheckpointMismatch, match=r"model.attributes.temperature: 0.5 -> 0.7"):
        isw.explain(isw.concatenated(Tempered(0.7)), X, bg, **_resume_kw(tmp_path / "torch"))
    model = SmoothModel(SHAPES, n_classes=3)
    isw.explain(model, X, bg, output_key=lambda out: out[:, ::-1], **_resume_kw(tmp_path / "key"))
    with pytest.raises(CheckpointMismatch, match=r"settings.output_key: \w+… -> \w+…"):
        isw.explain(model, X, bg, output_key=lambda out: out[:, ::1], **_resume_kw(tmp_path / "key"))
    manifest = json.loads((tmp_path / "key" / "manifest.json").read_text())
    assert manifest["versions"]["numpy"] == np.__version__ and manifest["versions"]["torch"] == torch.__version__
    manifest["settings"]["precision"] = {"phi": 0.002}
    manifest["versions"]["numpy"] = "1.0"
    (tmp_path / "key" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CheckpointMismatch, match=r"settings.precision.phi: 0.002 -> 0.02; "
                                                 rf"versions.numpy: 1.0 -> {np.__version__}"):
        isw.explain(model, X, bg, output_key=lambda out: out[:, ::-1], **_resume_kw(tmp_path / "key"))


class CallCounter(SmoothModel):
    """Counts its calls on itself: state that changes during a run, not an other model."""

    def __init__(self):
        super().__init__(SHAPES, n_classes=3)
        self.calls = 0

    def __call__(self, xs):
        self.calls += 1
        return super().__call__(xs)


def test_state_the_model_changes_during_a_run_does_not_block_its_resume(tmp_path):
    X, bg = data()
    model = CallCounter()
    first = isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    assert model.calls > 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["volatile"] == ["model.attributes.calls"] and manifest["model"]["attributes"]["calls"] == 0
    again = isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    assert again.settings["checkpoint"]["shards_run"] == 0
    assert np.array_equal(again.class_values, first.class_values)
    other = CallCounter()
    other.w1 = other.w1 * 2  # not state of the run: another model
    with pytest.raises(CheckpointMismatch, match="model.attributes.w1"):
        isw.explain(other, X, bg, **_resume_kw(tmp_path / "run"))


def test_a_model_that_cannot_be_identified_needs_a_checkpoint_key(tmp_path):
    import threading

    X, bg = data()
    model = SmoothModel(SHAPES, n_classes=3)
    lock = threading.Lock()

    def guarded(xs):
        with lock:
            return model(xs)

    with pytest.raises(ckpt.CheckpointError, match=r"cannot identify the model.*'lock'.*checkpoint_key="):
        isw.explain(guarded, X, bg, **_resume_kw(tmp_path / "run"))
    first = isw.explain(guarded, X, bg, checkpoint_key="smooth-v1", **_resume_kw(tmp_path / "run"))
    again = isw.explain(guarded, X, bg, checkpoint_key="smooth-v1", **_resume_kw(tmp_path / "run"))
    assert again.settings["checkpoint"]["shards_run"] == 0 and np.array_equal(again.phi, first.phi)
    with pytest.raises(CheckpointMismatch, match="model.checkpoint_key: smooth-v1 -> smooth-v2"):
        isw.explain(guarded, X, bg, checkpoint_key="smooth-v2", **_resume_kw(tmp_path / "run"))


def _damage(path, how, foreign):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flipped":
        path.write_bytes(data[:200] + bytes([data[200] ^ 1]) + data[201:])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "random":
        path.write_bytes(b"\x93NUMPY" + os.urandom(300))
    elif how == "foreign":
        path.write_bytes(foreign.read_bytes())
    elif how == "altered":
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["values"] = arrays["values"] + 1e-3
        np.savez(path, **arrays)


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "random", "altered", "foreign"])
def test_a_damaged_shard_is_named_and_computed_again(tmp_path, how):
    X, bg = data()
    model = SmoothModel(SHAPES, n_classes=3)
    plain = isw.explain(model, X, bg, shard_size=SHARD, progress=False, target="all")
    other = isw.explain(model, X, bg, **_resume_kw(tmp_path / "other", seed=7, masking="random", n_draws=2))
    isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    victim = tmp_path / "run" / "pass0_shard00002.npz"
    _damage(victim, how, tmp_path / "other" / "pass0_shard00002.npz")
    with pytest.warns(ckpt.DamagedShardWarning, match=rf"{victim}.*computed again") as caught:
        again = isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    assert not any("allow_pickle" in str(w.message) for w in caught)
    assert again.settings["checkpoint"]["shards_run"] == 1 and other is not None
    assert np.array_equal(again.class_values, plain.class_values)
    with warnings_as_errors():
        isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))  # repaired: read back without a warning


def warnings_as_errors():
    import warnings

    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("error", ckpt.DamagedShardWarning)

    class _Exit:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            ctx.__exit__(*exc)
            return False

    return _Exit()


def test_a_damaged_manifest_is_named(tmp_path):
    X, bg = data()
    model = SmoothModel(SHAPES, n_classes=3)
    isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    (tmp_path / "run" / "manifest.json").write_text('{"format": 2, "inputs": ')
    with pytest.raises(ckpt.CheckpointError, match=r"manifest.json is damaged.*delete the folder") as caught:
        isw.explain(model, X, bg, **_resume_kw(tmp_path / "run"))
    assert "allow_pickle" not in str(caught.value)


def test_a_second_live_driver_is_refused_and_a_dead_ones_folder_taken_over(tmp_path):
    import socket
    import subprocess
    import sys

    X, bg = data()
    model = SmoothModel(SHAPES, n_classes=3)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        owner = {"host": socket.gethostname(), "pid": sleeper.pid, "token": "x", "alive_at": time.time()}
        (run_dir / "owner.json").write_text(json.dumps(owner))
        with pytest.raises(ckpt.CheckpointInUse, match=rf"process {sleeper.pid} on {socket.gethostname()}"):
            isw.explain(model, X, bg, **_resume_kw(run_dir))
        store = ckpt.Checkpoint(tmp_path / "mine", {"format": 2, "settings": {}})
        with pytest.raises(ckpt.CheckpointInUse):  # another run of this same process
            isw.explain(model, X, bg, **_resume_kw(tmp_path / "mine"))
        store.close()
    finally:
        sleeper.kill()
        sleeper.wait()
    res = isw.explain(model, X, bg, **_resume_kw(run_dir))  # its owner is dead: the folder is taken over
    assert res.settings["checkpoint"]["shards_run"] == 5 and not (run_dir / "owner.json").exists()
