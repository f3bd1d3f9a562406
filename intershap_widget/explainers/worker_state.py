"""What a Dask worker holds for one run, and the tasks that run there.

The model (or its ``model_factory``), the device and the :class:`Job` travel inside a
worker plugin (:class:`RunState`) registered with the scheduler, not as scattered data:
the scheduler installs it on every worker that is there when the run starts *and on
every worker that joins later* (a nanny's restart, ``--lifetime`` retirements, ``adapt``).
Losing every worker therefore loses no part of the run's set-up; each worker builds its
model once, at its first task. The plugin's name carries the run key and the driver's
client id (:func:`plugin_name`): the run removes it when it ends
(``client.unregister_worker_plugin``: every worker drops the model), and the next run on
the same cluster removes any left by a driver that went away without ending its run
(:func:`stale_plugins`, run on the scheduler).
"""

from __future__ import annotations

import copy
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from distributed.diagnostics.plugin import WorkerPlugin

from .adapters import ModelAdapter, as_model
from .determinism import NondeterministicModelWarning
from .probe import probe_model
from .run import Run, auto_batch_size
from .shards import PassSpec, Shard, compute_shard
from .started import calibrate
from .workers import ClusterSetupError, movable, resolve_device

__all__ = ["Job", "RunState", "PREFIX", "plugin_name", "stale_plugins", "runs_here", "probe_task", "shard_task",
           "empty_task"]

#: the start of every worker plugin name of this package's runs
PREFIX = "intershap-run"
_RUNS: dict[str, "RunState"] = {}


@dataclass
class Job:
    """What every task of a run needs: the background ``(K, ...)`` on the CPU, an
    unbound masker, how the model is called."""

    key: str
    background: list
    masker: Any
    spec: Any
    call: Any
    output_key: Any
    output: str
    names: list
    allow_nondeterministic: bool = False


def plugin_name(client_id: str, key: str) -> str:
    """The worker plugin name of run ``key`` started by the client ``client_id``."""
    return f"{PREFIX}|{client_id}|{key}"


def stale_plugins(dask_scheduler: Any = None) -> list[str]:
    """On the scheduler: this package's run plugins whose driver (client) is gone."""
    live = set(dask_scheduler.clients)
    return [name for name in dask_scheduler.worker_plugins
            if name.startswith(PREFIX + "|") and name.split("|")[1] not in live]


def runs_here() -> list[str]:
    """The run keys whose state this worker process holds (for tests and clean-up checks)."""
    return sorted(_RUNS)


class _NoBar:
    def update(self, n: int) -> None:  # a worker's rows reach the driver's bar per shard
        pass


def _worker_threads(adapter: ModelAdapter, threads: int) -> None:
    """A CPU worker runs as many shards at once as it has threads: a torch model then
    runs each on one thread (no oversubscription). A worker of one thread keeps what its
    environment says (``OMP_NUM_THREADS``; Dask's default is 1)."""
    if adapter.kind == "torch" and int(threads) > 1:
        import torch

        torch.set_num_threads(1)


def _factory_name(factory: Callable) -> str:
    return getattr(factory, "__qualname__", None) or repr(factory)


class RunState(WorkerPlugin):
    """One run's model, device and :class:`Job` on a worker; the model adapter and bound
    masker are built at the worker's first task of the run (:meth:`state`)."""

    idempotent = True  # registering it again (a retry) keeps the built model

    def __init__(self, model: Any, factory: Callable | None, device: Any, job: Job) -> None:
        self.model, self.factory, self.device, self.job = model, factory, device, job
        self.worker_name: Any = None
        self.threads = 1
        self.built: tuple | None = None
        self.identity: Any = None

    def setup(self, worker: Any) -> None:
        self.worker_name = worker.name
        self.threads = int(getattr(worker, "nthreads", 1) or 1)
        self._lock = threading.Lock()
        _RUNS[self.job.key] = self

    def teardown(self, worker: Any) -> None:
        _RUNS.pop(self.job.key, None)
        self.built = self.model = None

    def _build(self) -> Any:
        built = self.factory() if self.factory is not None else self.model
        if built is None:
            raise ClusterSetupError(f"model_factory {_factory_name(self.factory)} returned None on worker "
                                    f"{self.worker_name!r}: it must return the model it builds (add `return model`)")
        where = resolve_device(self.device, self.worker_name)
        if where is not None:
            inner = movable(built)
            if not hasattr(inner, "to"):
                raise ClusterSetupError(f"device={where!r} moves a torch model, but the model is a "
                                        f"{type(built).__name__} without .to(): leave device= out, or move it "
                                        "yourself in model_factory=")
            return built.to(where) if inner is built else type(built)(inner.to(where))  # concatenated(model)
        return built

    def state(self, identify: bool = False) -> tuple[ModelAdapter, Any]:
        """This worker's model adapter and bound masker (built once); with ``identify``,
        the built model's identity is taken first (before any call: see
        :mod:`.identity`)."""
        with self._lock:
            if self.built is None:
                job = self.job
                built = self._build()
                if identify:
                    from .checkpoint import model_identity

                    self.identity = model_identity(built)
                adapter = as_model(built, job.call, job.output_key, job.output, inputs=job.spec)
                if adapter.kind == "torch":
                    adapter.model.eval()  # this worker's own copy: eval for good (shards may run in threads at once)
                _worker_threads(adapter, self.threads)
                masker = copy.copy(job.masker)
                masker.bind(adapter, [adapter.to_backend(b) for b in job.background])
                self.built = (adapter, masker)
            return self.built


def _run_of(key: str) -> RunState:
    try:
        return _RUNS[key]
    except KeyError:
        raise RuntimeError(f"this Dask worker holds no state of run {key}: its plugin was removed (the run "
                           "ended or was cleaned up as stale)") from None


def probe_task(key: str, head: list, output: str, target: Any, class_names: Any, batch_size: int | None,
               n_pairs: int, identify: bool) -> dict:
    """On a worker: the probe (:func:`.probe.probe_model`), the batch size (given, or
    timed on this worker's hardware), what the plan needs and, with ``identify``, the
    built model's identity (a ``model_factory`` run)."""
    run_state = _run_of(key)
    adapter, masker = run_state.state(identify)
    job = run_state.job
    if output == "auto":
        output = adapter.default_output()
    with adapter.session(), warnings.catch_warnings(record=True) as caught:  # a worker's warning, to the driver
        warnings.simplefilter("always", NondeterministicModelWarning)
        xs = [adapter.to_backend(x) for x in head]
        output, n_cols = probe_model(adapter, masker, xs, output, target, class_names, job.allow_nondeterministic)
        step = int(batch_size) if batch_size is not None else auto_batch_size(xs)
        run = Run(adapter, masker, xs, output, step, names=job.names, n_cols=n_cols)
        spent = 0 if batch_size is not None else calibrate(run, masker, n_pairs)
    return {"output": output, "n_cols": n_cols, "k": masker.n_rows, "describe": masker.describe(),
            "step": run.batch_size, "calibration_rows": spent, "output_dtype": adapter.output_dtype,
            "identity": run_state.identity,
            "warnings": [str(w.message) for w in caught if isinstance(w.message, NondeterministicModelWarning)]}


def _probed(key: str) -> tuple[RunState, ModelAdapter, Any]:
    run_state = _run_of(key)
    adapter, masker = run_state.state()
    adapter.called_ok = True  # the probe called it: a later error is the model's own, passed on as it is
    return run_state, adapter, masker


def shard_task(key: str, xs_part: list, shard: Shard, spec: PassSpec, target: Any, cls: np.ndarray | None,
               output: str, step: int, n_cols: int):
    """On a worker: one shard's part of a pass (:func:`.shards.compute_shard`); an
    error of the model is raised as it is, with a note naming the shard and the worker."""
    run_state, adapter, bound = _probed(key)
    masker = copy.copy(bound)  # the pass sets its rows k0..k1 on its own copy
    try:
        with adapter.session():
            xs = [adapter.to_backend(x) for x in xs_part]
            run = Run(adapter, masker, xs, output, step, names=run_state.job.names, n_cols=n_cols,
                      offset=shard.start)
            return compute_shard(run, Shard(shard.index, 0, shard.size), spec, target, cls, _NoBar())
    except Exception as err:
        err.add_note(f"(in shard {shard.index}, samples {shard.start}-{shard.stop - 1}, on Dask worker "
                     f"{run_state.worker_name!r})")
        raise


def empty_task(key: str, output: str, step: int, n_cols: int) -> tuple:
    """On a worker: v(∅) ``(C,)`` and its per-row outputs ``(K, C)``."""
    run_state, adapter, masker = _probed(key)
    with adapter.session():
        run = Run(adapter, masker, [b[:1] for b in masker.background], output, step, names=run_state.job.names,
                  n_cols=n_cols)
        return run.mean_over_rows(masker.empty_inputs(), _NoBar())
