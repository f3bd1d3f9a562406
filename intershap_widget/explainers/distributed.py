"""The long run of :func:`intershap_widget.explain` on a Dask cluster
(``explain(..., client=dask.distributed.Client)``; ``pip install "intershap-widget[distributed]"``).

The driver checks the inputs, probes the model on a worker, then submits one task per
shard and pass (:mod:`.shards`); each task computes its samples with
:func:`~.shards.compute_shard`, the same function the local run uses, so the result is
bit-identical to the local one for the same batch size (and the same library versions
and hardware). The model and the background go to each worker once
(``client.scatter(..., broadcast=True)``; or a ``model_factory`` is called once per
worker, for models that must be loaded where they run, e.g. one per GPU), each shard's
samples once. Finished shards come back as they complete: the progress bar counts the
model rows of the whole run across workers, a checkpoint saves each one on the driver.
"""

from __future__ import annotations

import copy
import threading
import uuid
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from .adapters import ModelAdapter, _is_tensor, as_model
from .determinism import NondeterministicModelWarning
from .engine import EmptyValue, Engine
from .inputs import Group
from .probe import probe_model
from .run import Run, auto_batch_size
from .shards import PassSpec, Shard, compute_shard, plan_shards
from .started import Launched, calibrate
from .workers import check_workers

__all__ = ["DaskEngine", "launch_on_dask"]

#: times a shard is sent again after the worker holding its samples died
MAX_RESUBMITS = 3
_STATE: dict = {}
_LOCK = threading.Lock()


@dataclass
class Job:
    """What every task of a run needs, scattered to each worker once: the background
    ``(K, ...)`` on the CPU, an unbound masker, how the model is called."""

    key: str
    background: list
    masker: Any
    spec: Any
    call: Any
    output_key: Any
    output: str
    names: list
    allow_nondeterministic: bool = False


class _NoBar:
    def update(self, n: int) -> None:  # a worker's rows reach the driver's bar per shard
        pass


def _cpu(value: Any) -> Any:
    if isinstance(value, Group):
        return value.map(_cpu)
    return value.detach().cpu() if _is_tensor(value) else value


def _worker_threads(adapter: ModelAdapter) -> None:
    """A CPU worker runs as many shards at once as it has threads: a torch model then
    runs each on one thread (no oversubscription). A worker of one thread keeps what its
    environment says (``OMP_NUM_THREADS``; Dask's default is 1)."""
    if adapter.kind != "torch":
        return
    try:
        from distributed import get_worker

        worker = get_worker()
        threads = getattr(worker, "nthreads", None) or worker.state.nthreads
    except (ImportError, ValueError, AttributeError):
        return
    if int(threads) > 1:
        import torch

        torch.set_num_threads(1)


def _worker_device(device: Any) -> str | None:
    """``device``, or ``device(name of this worker)`` when it is a function."""
    if device is None or isinstance(device, str):
        return device
    from distributed import get_worker

    return str(device(get_worker().name))


def _state(model: Any, factory: Callable | None, device: Any, job: Job) -> tuple[ModelAdapter, Any]:
    """This worker's model adapter and bound masker for the run ``job.key`` (built once)."""
    with _LOCK:
        if job.key not in _STATE:
            built = factory() if factory is not None else model
            where = _worker_device(device)
            if where is not None and hasattr(built, "to"):
                built = built.to(where)
            adapter = as_model(built, job.call, job.output_key, job.output, inputs=job.spec)
            if adapter.kind == "torch":
                adapter.model.eval()  # this worker's own copy: eval for good (shards may run in threads at once)
            _worker_threads(adapter)
            masker = copy.copy(job.masker)
            masker.bind(adapter, [adapter.to_backend(b) for b in job.background])
            _STATE[job.key] = (adapter, masker)
        return _STATE[job.key]


def _forget(key: str) -> None:
    _STATE.pop(key, None)


def _probe_task(model, factory, device, job: Job, head: list, output: str, target: Any, class_names: Any,
                batch_size: int | None, n_pairs: int) -> dict:
    """On a worker: the probe (:func:`.probe.probe_model`), the batch size (given, or
    timed on this worker's hardware) and what the plan needs."""
    adapter, masker = _state(model, factory, device, job)
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
            "warnings": [str(w.message) for w in caught if isinstance(w.message, NondeterministicModelWarning)],
            }


def _shard_task(model, factory, device, job: Job, xs_part: list, shard: Shard, spec: PassSpec, target: Any,
                cls: np.ndarray | None, output: str, step: int, n_cols: int):
    """On a worker: one shard's part of a pass (:func:`.shards.compute_shard`)."""
    adapter, bound = _state(model, factory, device, job)
    masker = copy.copy(bound)  # the pass sets its rows k0..k1 on its own copy
    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_part]
        run = Run(adapter, masker, xs, output, step, names=job.names, n_cols=n_cols, offset=shard.start)
        return compute_shard(run, Shard(shard.index, 0, shard.size), spec, target, cls, _NoBar())


def _empty_task(model, factory, device, job: Job, output: str, step: int, n_cols: int) -> tuple:
    """On a worker: v(∅) ``(C,)`` and its per-row outputs ``(K, C)``."""
    adapter, masker = _state(model, factory, device, job)
    with adapter.session():
        run = Run(adapter, masker, [b[:1] for b in masker.background], output, step, names=job.names, n_cols=n_cols)
        return run.mean_over_rows(masker.empty_inputs(), _NoBar())


class DaskEngine(Engine):
    """The passes on Dask workers: one task per pending shard, gathered as completed."""

    def __init__(self, client: Any, key: str, common: tuple, xs_cpu: list, shards: list[Shard], k: int,
                 target: Any, bar, store: Any, run_args: tuple) -> None:
        super().__init__(shards, k, target, bar, store)
        self.client, self.common, self.run_args = client, common, run_args  # (output, step, n_cols)
        self._key = key
        self.xs_cpu = xs_cpu
        self.inputs = client.scatter([[x[s.start:s.stop] for x in xs_cpu] for s in shards], hash=False)

    def _submit(self, spec: PassSpec, shard: Shard, cls: np.ndarray | None):
        part = None if cls is None else cls[shard.start:shard.stop]
        return self.client.submit(_shard_task, *self.common, self.inputs[shard.index], shard, spec, self.target,
                                  part, *self.run_args, pure=False)

    def _rescatter(self, shard: Shard) -> None:
        """Send a shard's samples again: their only copy died with a worker."""
        self.inputs[shard.index] = self.client.scatter([x[shard.start:shard.stop] for x in self.xs_cpu],
                                                       hash=False)

    def _compute(self, spec: PassSpec, pending: list[Shard], cls: np.ndarray | None) -> Iterator:
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        futures = {self._submit(spec, shard, cls): shard for shard in pending}
        tries = dict.fromkeys((s.index for s in pending), 0)
        queue = as_completed(list(futures))
        try:
            for fut in queue:
                shard = futures.pop(fut)
                try:
                    result = fut.result()  # a worker's error is raised here, naming its sample and coalition
                except KilledWorker as err:
                    raise RuntimeError(
                        f"shard {shard.index} (samples {shard.start}–{shard.stop - 1}) took down every worker that "
                        "ran it: the model crashes its process on these samples (out of memory? a segfault?). "
                        "Try a smaller batch_size=, or run those samples here to see the error") from err
                except FutureCancelledError:
                    tries[shard.index] += 1
                    if tries[shard.index] > MAX_RESUBMITS:
                        raise
                    self._rescatter(shard)  # a worker died holding the shard's samples: run it elsewhere
                    new = self._submit(spec, shard, cls)
                    futures[new] = shard
                    queue.add(new)
                    continue
                self.bar.update(shard.size * spec.rows_per_sample(self.k))
                yield shard, result
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Drop this run's model and masker from every worker, and its scattered data."""
        self.client.run(_forget, self._key)
        self.inputs = []

    def _empty(self) -> EmptyValue:
        mean, rows = self.client.submit(_empty_task, *self.common, *self.run_args, pure=False).result()
        self.bar.update(rows.shape[0])
        return EmptyValue(mean, rows)


def _bind_here(masker: Any, background: list) -> None:
    """Bind the driver's masker on numpy copies (its description, rows and strata)."""
    adapter = ModelAdapter(lambda xs: None)
    masker.bind(adapter, [adapter.to_backend(b) for b in background])


def launch_on_dask(place: Any, model: Any, masker: Any, xs_in: list, bg_in: list, names: list, spec: Any, bar, *,
                   n_coalitions: int, call: Any, output_key: Any, output: str, target: Any, class_names: Any,
                   batch_size: int | None, open_store: Callable[..., Any],
                   allow_nondeterministic: bool = False) -> Launched:
    """Probe on a worker, plan, open the checkpoint: the started run (see :func:`.launch.launch`)."""
    client, key = place.client, uuid.uuid4().hex
    xs_cpu, bg_cpu = [_cpu(x) for x in xs_in], [_cpu(b) for b in bg_in]
    job = Job(key, bg_cpu, copy.copy(masker), spec, call, output_key, output, list(names), allow_nondeterministic)
    model_ref = None if model is None else client.scatter(model, broadcast=True, hash=False)
    common = (model_ref, place.model_factory, place.device, client.scatter(job, broadcast=True, hash=False))
    try:
        check_workers(client)
        probe = client.submit(_probe_task, *common, [x[:2] for x in xs_cpu], output, target, class_names,
                              batch_size, xs_in[0].shape[0] * n_coalitions, pure=False).result()
        _bind_here(masker, bg_cpu)
        for text in probe.get("warnings", []):
            warnings.warn(text, NondeterministicModelWarning, stacklevel=4)
        masker.n_rows = probe["k"]  # a masking function's K is known after its first call
        step = int(probe["step"])
        output, n_cols = probe["output"], probe["n_cols"]
        shards = plan_shards(xs_in[0].shape[0], n_coalitions * probe["k"] + 1, place.shard_size)
        store = open_store(output, step, shards, probe["describe"])
        link = getattr(client, "dashboard_link", None)
        if link and not bar.disable:
            bar.write(f"InterSHAP on Dask: {len(shards)} shards, dashboard {link}")
        engine = DaskEngine(client, key, common, xs_cpu, shards, probe["k"], target, bar, store, (output, step, n_cols))
    except BaseException:
        client.run(_forget, key)
        raise
    return Launched(engine, output, n_cols, step, probe["calibration_rows"], probe["output_dtype"])
