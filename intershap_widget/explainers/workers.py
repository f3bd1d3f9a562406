"""What the Dask workers of a run must share with the driver, checked before any work:
a running ``client``, the same intershap-widget (the tasks are its functions), numpy and
torch (else the last bits of the numbers may differ from a local run), glibc memory
settings that do not slow the model down (:data:`DASK_WORKER_CONFIG`), and a ``device``
that exists on every worker (:func:`check_cluster`). Each refusal is a
:class:`ClusterSetupError` naming the argument, the bad value and the fix."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

__all__ = ["DASK_WORKER_CONFIG", "ClusterSetupError", "SlowWorkerWarning", "WorkerVersionWarning", "check_cluster",
           "check_workers", "judge_workers", "worker_report", "device_problem", "resolve_device", "send_error"]

_PACKAGES = ("intershap_widget", "numpy", "torch")


class ClusterSetupError(ValueError):
    """The Dask placement of a run cannot work (a closed client, a device a worker does
    not have, a model that cannot be sent, a factory that builds nothing)."""


class SlowWorkerWarning(UserWarning):
    """The Dask workers run with a setting that makes the model much slower there."""


#: ``dask.config.set(DASK_WORKER_CONFIG)`` before creating a cluster: Dask's nannies set
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which fixes glibc's mmap threshold at 128 kB, so
#: every batch's arrays are mapped and unmapped again; measured on the paper's FCNN,
#: forward passes on a worker took 1.4x (up to 2.3x) the driver's time, 1.04x with both
#: thresholds at 256 MB (a worker then keeps up to 256 MB of freed memory)
DASK_WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(1 << 28),
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": str(1 << 28),
}
_FAST_MMAP = 1 << 25


def _slow(env: dict) -> bool:
    """True when glibc's mmap threshold is fixed small (Dask's default trim setting)."""
    trim, mmap = env.get("MALLOC_TRIM_THRESHOLD_"), env.get("MALLOC_MMAP_THRESHOLD_")
    if trim is None and mmap is None:
        return False  # glibc's own dynamic thresholds
    try:
        return mmap is None or int(mmap) < _FAST_MMAP
    except ValueError:
        return True


class WorkerVersionWarning(UserWarning):
    """The workers run other numpy or torch versions than the driver."""


def worker_report() -> dict:
    """Python, package versions and glibc memory settings of this process."""
    out: dict[str, Any] = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = importlib.import_module(name).__version__
        except ImportError:
            out[name] = None
    out["malloc"] = {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")}
    return out


def check_workers(client: Any) -> None:
    """Refuse workers without this intershap-widget version; warn when their numpy or
    torch differ from the driver's (:class:`WorkerVersionWarning`) or their memory
    settings slow the model down (:class:`SlowWorkerWarning`)."""
    here = worker_report()
    try:
        reports = run_on_workers(client, worker_report)
    except (ImportError, AttributeError) as err:
        raise RuntimeError(f"the Dask workers cannot run intershap-widget ({err}); install intershap-widget "
                           f"{here['intershap_widget']} on them (docs/scale.md)") from err
    judge_workers(here, reports)


def run_on_workers(client: Any, function: Any, *args: Any) -> dict:
    """``client.run(function, *args)``, leaving out the workers that leave meanwhile (a
    closing worker's connection error is no answer; any other error is raised)."""
    answers = client.run(function, *args, on_error="return")
    for answer in answers.values():
        if isinstance(answer, BaseException) and not isinstance(answer, OSError):
            raise answer
    return {w: a for w, a in answers.items() if not isinstance(a, BaseException)}


def judge_workers(here: dict, reports: dict) -> None:
    """:func:`check_workers` on this process's :func:`worker_report` and the workers'
    ``{address: report}``."""
    if not reports:
        raise RuntimeError("the Dask cluster has no workers yet: scale it up (cluster.scale(...)) or wait for them "
                           "(client.wait_for_workers(n))")
    other = {w: r["intershap_widget"] for w, r in reports.items() if r["intershap_widget"] != here["intershap_widget"]}
    if other:
        raise RuntimeError(f"the Dask workers run intershap-widget {sorted(set(other.values()))}, this process "
                           f"{here['intershap_widget']} (e.g. worker {next(iter(other))}): install the same version "
                           "on every worker")
    for name in ("numpy", "torch"):
        seen = sorted({str(r[name]) for r in reports.values()} - {str(here[name])})
        if seen:
            warnings.warn(f"the Dask workers run {name} {', '.join(seen)}, this process {here[name]}: the results "
                          "may differ from a local run in the last bits; install the same versions for bit-identical "
                          "runs", WorkerVersionWarning, stacklevel=7)
    slow = [r["malloc"] for r in reports.values() if _slow(r["malloc"])]
    if slow:
        env = slow[0]
        warnings.warn(
            f"{len(slow)} of {len(reports)} Dask workers run with MALLOC_TRIM_THRESHOLD_="
            f"{env['MALLOC_TRIM_THRESHOLD_']} and MALLOC_MMAP_THRESHOLD_={env['MALLOC_MMAP_THRESHOLD_']} (Dask's "
            "default), which made batches of model rows 1.4-2.3x slower on a worker than in one process here. "
            "Before creating the cluster, run dask.config.set(isw.DASK_WORKER_CONFIG) (see docs/scale.md)",
            SlowWorkerWarning, stacklevel=7)


def check_client(client: Any) -> None:
    """Refuse anything but a running ``dask.distributed.Client``."""
    from distributed import Client

    if not isinstance(client, Client):
        raise ClusterSetupError(f"client must be a dask.distributed.Client, got {type(client).__name__}: create one "
                                "with Client(cluster) or Client('tcp://scheduler:8786') (docs/scale.md)")
    if client.status != "running":
        raise ClusterSetupError(f"client= is {client.status} (status {client.status!r}): it cannot run tasks; "
                                "create a new Client for the cluster, or leave client= out to run here")


def device_problem(where: str) -> str | None:
    """What is wrong with the device string ``where`` in this process, or None."""
    try:
        import torch
    except ImportError:
        return None
    try:
        dev = torch.device(where)
    except (RuntimeError, TypeError, ValueError):
        return f"{where!r} is not a torch device string (use e.g. 'cuda', 'cuda:0' or 'cpu')"
    if dev.type == "meta":
        return "'meta' holds no data: a model there computes no outputs (use 'cuda' or 'cpu')"
    backend = getattr(torch, dev.type, None) if dev.type != "cpu" else None
    if backend is not None and hasattr(backend, "is_available") and not backend.is_available():
        return f"{where!r} is not available here: torch {torch.__version__} finds no {dev.type} device"
    count = getattr(backend, "device_count", None) if backend is not None else None
    if dev.index is not None and count is not None and dev.index >= count():
        return f"{where!r} does not exist here: {count()} {dev.type} device(s) visible ({dev.type}:0 .. {dev.type}:{count() - 1})"
    return None


def resolve_device(device: Any, worker_name: Any) -> str | None:
    """``device``, or ``device(worker_name)`` when it is a function; checked on this worker."""
    if device is None:
        return None
    where = device if isinstance(device, str) else device(worker_name)
    if not isinstance(where, str):
        raise ClusterSetupError(f"device= gave {where!r} for worker {worker_name!r}: it must return a device string "
                                "such as 'cuda:0' or 'cpu'")
    problem = device_problem(where)
    if problem is not None:
        raise ClusterSetupError(f"device= gives the device string {where!r} on worker {worker_name!r}, but {problem}")
    return where


def _device_here(device: Any, dask_worker: Any = None) -> str | None:
    """On a worker: the problem with its device, or None (see :func:`resolve_device`)."""
    try:
        resolve_device(device, getattr(dask_worker, "name", None))
    except ClusterSetupError as err:
        return str(err)
    except Exception as err:  # noqa: BLE001 - the user's device function failed
        return f"device= raised {type(err).__name__}: {err} on worker {getattr(dask_worker, 'name', None)!r}"
    return None


def check_cluster(client: Any, model: Any, factory: Any, device: Any) -> None:
    """Everything about the cluster that can be checked before any work: a running
    client, the workers' versions and memory settings (:func:`check_workers`), and the
    device on every worker."""
    check_client(client)
    check_workers(client)
    if device is None:
        return
    if isinstance(device, str) and device_problem(device) and "not available here" not in device_problem(device):
        raise ClusterSetupError(f"device={device!r}: {device_problem(device)}")
    if model is not None and not hasattr(movable(model), "to"):
        raise ClusterSetupError(f"device={device!r} moves a torch model, but the model is a {type(model).__name__} "
                                "without .to(): leave device= out (it runs where it is)")
    problems = {w: p for w, p in run_on_workers(client, _device_here, device).items() if p is not None}
    if problems:
        worker, problem = next(iter(problems.items()))
        raise ClusterSetupError(f"{problem} ({len(problems)} of the workers refuse it, e.g. {worker}); pass a "
                                "device every worker has, or a function of the worker's name that returns one")


def movable(model: Any) -> Any:
    """What ``device=`` moves: the model, or the model inside :func:`~.adapters.concatenated`."""
    return model.model if type(model).__name__ == "Concatenated" else model


def send_error(model: Any, err: BaseException) -> BaseException:
    """The error to raise when the run could not be sent to the workers: a model that
    does not pickle is named with the fix (``model_factory=``); any other error as is."""
    if model is None:
        return err
    try:
        import cloudpickle

        cloudpickle.dumps(model)
    except Exception as why:  # noqa: BLE001 - any pickling failure means the same fix
        return ClusterSetupError(
            f"the model ({type(model).__name__}) cannot be sent to the Dask workers: it does not pickle "
            f"({type(why).__name__}: {why}). Pass model=None and model_factory= a function of no arguments that "
            "builds the model on each worker (docs/scale.md, section 3)")
    return err
