"""What the Dask workers of a run must share with the driver, checked before any work:
the same intershap-widget (the tasks are its functions), numpy and torch (else the last
bits of the numbers may differ from a local run), and glibc memory settings that do not
slow the model down (:data:`DASK_WORKER_CONFIG`)."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

__all__ = ["DASK_WORKER_CONFIG", "SlowWorkerWarning", "WorkerVersionWarning", "check_workers", "judge_workers",
           "worker_report"]

_PACKAGES = ("intershap_widget", "numpy", "torch")


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
        reports = client.run(worker_report)
    except (ImportError, AttributeError) as err:
        raise RuntimeError(f"the Dask workers cannot run intershap-widget ({err}); install intershap-widget "
                           f"{here['intershap_widget']} on them (docs/scale.md)") from err
    judge_workers(here, reports)


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
