"""The long run of :func:`intershap_widget.explain` on a Dask cluster
(``explain(..., client=dask.distributed.Client)``; ``pip install "intershap-widget[distributed]"``).

The driver checks the cluster and the inputs (:mod:`.workers`), probes the model on a
worker, then submits one task per shard and pass (:mod:`.shards`); each task computes its
samples with :func:`~.shards.compute_shard`, the same function the local run uses, so the
result is bit-identical to the local one for the same batch size (and the same library
versions and hardware). The model (or a ``model_factory``, called once per worker, for
models that must be loaded where they run, e.g. one per GPU), the device and the
background reach every worker, present and future, through a worker plugin
(:mod:`.worker_state`); each shard's samples are scattered once and sent again when the
workers holding them die. Finished shards come back as they complete: the progress bar
counts the model rows of the whole run across workers, a checkpoint saves each one on
the driver. What the cluster loses on the way is reported and repaired by
:mod:`.cluster_faults`.
"""

from __future__ import annotations

import copy
import time
import uuid
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from .adapters import ModelAdapter, _is_tensor
from .cluster_faults import MAX_RESENDS, LossWatch, cancelled_by_the_cluster, lost_scheduler, too_many_losses
from .determinism import NondeterministicModelWarning
from .engine import EmptyValue, Engine
from .inputs import Group
from .shards import PassSpec, Shard, plan_shards
from .started import Launched
from .worker_state import Job, RunState, empty_task, plugin_name, probe_task, shard_task, stale_plugins
from .workers import check_cluster, send_error

__all__ = ["DaskEngine", "launch_on_dask"]

#: seconds a scatter waits for workers (while every worker restarts, there are none)
_SCATTER_TIMEOUT = 120


def _cpu(value: Any) -> Any:
    if isinstance(value, Group):
        return value.map(_cpu)
    return value.detach().cpu() if _is_tensor(value) else value


class DaskEngine(Engine):
    """The passes on Dask workers: one task per pending shard, gathered as completed;
    shards whose inputs the cluster lost are sent again (up to :data:`MAX_RESENDS` times
    each)."""

    def __init__(self, client: Any, key: str, plugin: str, xs_cpu: list, shards: list[Shard], k: int,
                 target: Any, bar, store: Any, run_args: tuple, watch: LossWatch) -> None:
        super().__init__(shards, k, target, bar, store)
        self.client, self.run_args = client, run_args  # (output, step, n_cols)
        self._key, self._plugin, self.watch = key, plugin, watch
        self.xs_cpu = xs_cpu
        self.inputs: dict[int, Any] = {}
        self.resends = dict.fromkeys((s.index for s in shards), 0)

    def _scatter(self, shard: Shard) -> Any:
        """The shard's samples on the cluster (sent now if not there); a worker that dies
        while they are sent makes the scheduler's reply fail: they are sent again."""
        if shard.index not in self.inputs:
            part = [x[shard.start:shard.stop] for x in self.xs_cpu]
            for attempt in range(MAX_RESENDS + 1):
                try:
                    sent = self.client.scatter(part, hash=False, timeout=_SCATTER_TIMEOUT)
                    break
                except (OSError, TimeoutError):
                    if self.client.status != "running" or attempt == MAX_RESENDS:
                        raise
                    time.sleep(0.5 * (attempt + 1))  # let the nannies bring workers back
            self.watch.keys.update(str(f.key) for f in sent)
            self.inputs[shard.index] = sent
        return self.inputs[shard.index]

    def _submit(self, spec: PassSpec, shard: Shard, cls: np.ndarray | None):
        part = None if cls is None else cls[shard.start:shard.stop]
        return self.client.submit(shard_task, self._key, self._scatter(shard), shard, spec, self.target,
                                  part, *self.run_args, pure=False)

    def _resend(self, spec: PassSpec, shard: Shard, cls: np.ndarray | None, err: BaseException):
        """Send a shard again (its samples too) after the cluster lost what it needed."""
        self.resends[shard.index] += 1
        if self.resends[shard.index] > MAX_RESENDS:
            raise too_many_losses(shard, self.watch, self.store) from err
        self.inputs.pop(shard.index, None)
        self.watch.resent(shard, self.resends[shard.index])
        return self._submit(spec, shard, cls)

    def _compute(self, spec: PassSpec, pending: list[Shard], cls: np.ndarray | None) -> Iterator:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        futures = {self._submit(spec, shard, cls): shard for shard in pending}
        queue = as_completed(list(futures))
        try:
            for fut in queue:
                shard = futures.pop(fut)
                self.watch.report()
                try:
                    result = fut.result()  # a model's error is raised here as it is, naming its shard
                except KilledWorker as err:
                    raise too_many_losses(shard, self.watch, self.store, killed=True) from err
                except Exception as err:  # noqa: BLE001 - sorted below: the cluster's, or the model's
                    if lost_scheduler(err, self.client):
                        raise self.watch.scheduler_error(err, self.store) from err
                    if not cancelled_by_the_cluster(err):
                        raise
                    new = self._resend(spec, shard, cls, err)
                    futures[new] = shard
                    queue.add(new)
                    continue
                self.bar.update(shard.size * spec.rows_per_sample(self.k))
                yield shard, result
        except (OSError, TimeoutError) as err:  # scattering or submitting to a scheduler that is gone
            if not lost_scheduler(err, self.client):
                raise
            raise self.watch.scheduler_error(err, self.store) from err
        finally:
            self.watch.report()
            if self.client.status == "running":
                self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Drop this run's model and masker from every worker, and its scattered data;
        never raises (an error of the run itself is what the caller must see)."""
        self.inputs = {}
        self.watch.close()
        release(self.client, self._plugin)

    def _empty(self) -> EmptyValue:
        for attempt in range(MAX_RESENDS + 1):
            try:
                mean, rows = self.client.submit(empty_task, self._key, *self.run_args, pure=False).result()
                break
            except Exception as err:  # noqa: BLE001
                if lost_scheduler(err, self.client):
                    raise self.watch.scheduler_error(err, self.store) from err
                if not cancelled_by_the_cluster(err) or attempt == MAX_RESENDS:
                    raise
        self.bar.update(rows.shape[0])
        return EmptyValue(mean, rows)


def release(client: Any, name: str) -> None:
    """Remove a run's worker plugin (every worker drops its model); quiet when the
    cluster is gone (then there is nothing left to release)."""
    if client.status != "running":
        return
    try:
        client.unregister_worker_plugin(name)
    except Exception:  # noqa: BLE001 - the scheduler may already be gone; the next run cleans up
        pass


def _clean_stale(client: Any) -> None:
    """Remove run plugins left on this cluster by drivers that went away without ending."""
    for name in client.run_on_scheduler(stale_plugins):
        release(client, name)


def _bind_here(masker: Any, background: list) -> None:
    """Bind the driver's masker on numpy copies (its description, rows and strata)."""
    adapter = ModelAdapter(lambda xs: None)
    masker.bind(adapter, [adapter.to_backend(b) for b in background])


def _register(client: Any, model: Any, place: Any, job: Job) -> str:
    """Register the run's worker plugin: every worker, present and future, gets the model."""
    name = plugin_name(client.id, job.key)
    plugin = RunState(model, place.model_factory, place.device, job)
    for attempt in range(MAX_RESENDS + 1):
        try:
            client.register_plugin(plugin, name=name)
            return name
        except OSError:  # a worker left while the plugin was sent: new workers get it as they join
            if client.status != "running" or attempt == MAX_RESENDS:
                raise
            time.sleep(0.5 * (attempt + 1))
        except Exception as err:  # noqa: BLE001 - a model that does not pickle is named; anything else passes
            raise send_error(model, err) from err
    return name


def launch_on_dask(place: Any, model: Any, masker: Any, xs_in: list, bg_in: list, names: list, spec: Any, bar, *,
                   n_coalitions: int, call: Any, output_key: Any, output: str, target: Any, class_names: Any,
                   batch_size: int | None, open_store: Callable[..., Any],
                   allow_nondeterministic: bool = False) -> Launched:
    """Check the cluster, probe on a worker, plan, open the checkpoint: the started run
    (see :func:`.launch.launch`)."""
    client, key = place.client, uuid.uuid4().hex
    check_cluster(client, model, place.model_factory, place.device)
    _clean_stale(client)
    xs_cpu, bg_cpu = [_cpu(x) for x in xs_in], [_cpu(b) for b in bg_in]
    job = Job(key, bg_cpu, copy.copy(masker), spec, call, output_key, output, list(names), allow_nondeterministic)
    name = _register(client, model, place, job)
    watch, store = LossWatch(client, bar), None
    try:
        probe = client.submit(probe_task, key, [x[:2] for x in xs_cpu], output, target, class_names,
                              batch_size, xs_in[0].shape[0] * n_coalitions, model is None, pure=False).result()
        _bind_here(masker, bg_cpu)
        for text in probe.get("warnings", []):
            warnings.warn(text, NondeterministicModelWarning, stacklevel=4)
        masker.n_rows = probe["k"]  # a masking function's K is known after its first call
        step = int(probe["step"])
        output, n_cols = probe["output"], probe["n_cols"]
        shards = plan_shards(xs_in[0].shape[0], n_coalitions * probe["k"] + 1, place.shard_size)
        store = open_store(output, step, shards, probe["describe"], probe["identity"])
        link = getattr(client, "dashboard_link", None)
        if link and not bar.disable:
            bar.write(f"InterSHAP on Dask: {len(shards)} shards, dashboard {link}")
        engine = DaskEngine(client, key, name, xs_cpu, shards, probe["k"], target, bar, store,
                            (output, step, n_cols), watch)
    except BaseException:
        watch.close()
        release(client, name)
        if store is not None:
            store.close()
        raise
    return Launched(engine, output, n_cols, step, probe["calibration_rows"], probe["output_dtype"])
