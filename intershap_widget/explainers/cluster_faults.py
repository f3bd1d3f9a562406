"""What a Dask cluster loses during a run, said in this package's words, and the errors
that end a run the cluster cannot finish.

* A worker that leaves (killed, out of memory, retired by ``--lifetime``, its SLURM job
  ended) is reported as it happens: one line on the progress bar (or a WARNING on the
  ``intershap_widget.cluster`` logger when the bar is off), and the bar's postfix
  counts the workers lost and the shards sent again. Dask's own ERROR line about the
  run's lost scattered samples is replaced by that report (the samples are sent again).
* A shard is sent again at most :data:`MAX_RESENDS` times; a shard whose worker died
  while running it more than Dask's ``distributed.scheduler.allowed-failures`` times
  ends the run too. Both raise :class:`DistributedRunError`, naming the shard, the
  workers lost and how to resume.
* The scheduler going away ends the run at once with its real cause and how to resume.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

__all__ = ["MAX_RESENDS", "DistributedRunError", "LossWatch", "cancelled_by_the_cluster", "lost_scheduler",
           "too_many_losses", "resume_hint"]

#: times one shard is sent again after the cluster lost what it needed
MAX_RESENDS = 5
LOGGER = logging.getLogger("intershap_widget.cluster")


class DistributedRunError(RuntimeError):
    """A run on Dask could not finish: the scheduler went away, or the cluster lost a
    shard more often than the retries allow. The message says how to resume."""


def resume_hint(store: Any) -> str:
    """How to resume: from the checkpoint folder, or why nothing can be resumed."""
    if store is None:
        return ("Nothing was saved: pass checkpoint='a folder' so that running the same call again resumes "
                "where a run stopped")
    return (f"The finished shards are saved in {str(store.path)!r}: run the same call again with "
            f"checkpoint={str(store.path)!r} (on a working cluster, or without client= in this process) and only "
            "the unfinished shards run")


def cancelled_by_the_cluster(err: BaseException) -> bool:
    """True for a task that Dask cancelled because its inputs were lost with a worker."""
    from concurrent.futures import CancelledError  # Dask's FutureCancelledError

    return isinstance(err, CancelledError) and getattr(err, "reason", "") != "scheduler-connection-lost"


def lost_scheduler(err: BaseException, client: Any) -> bool:
    """True when ``err`` comes from the connection to the scheduler, not from the model."""
    if getattr(err, "reason", None) in ("scheduler-connection-lost", "scheduler-restart"):
        return True
    return isinstance(err, (OSError, TimeoutError)) and client.status != "running"


def _shard_text(shard: Any) -> str:
    return f"shard {shard.index} (samples {shard.start}-{shard.stop - 1})"


def too_many_losses(shard: Any, watch: "LossWatch", store: Any, killed: bool = False) -> DistributedRunError:
    """The error when ``shard`` was lost more often than the retries allow."""
    lost = ", ".join(watch.lost) if watch.lost else "none reported"
    if killed:
        from dask import config

        n = int(config.get("distributed.scheduler.allowed-failures", 3)) + 1
        why = (f"{_shard_text(shard)} was running on a worker that died, {n} times. Either the model crashes its "
               "process on these samples (out of memory? a segfault? try a smaller batch_size=, or run those "
               "samples without client= to see the error), or the cluster loses workers this often")
    else:
        why = (f"the cluster lost the samples of {_shard_text(shard)} {MAX_RESENDS + 1} times (each time every "
               f"worker holding them left), so it was not sent again")
    return DistributedRunError(f"{why}. Workers lost during the run: {lost}. {resume_hint(store)}")


class _DaskLossFilter(logging.Filter):
    """Drops the scheduler's ERROR about lost scattered data when the data is this run's
    (its samples are sent again, and :class:`LossWatch` says so)."""

    def __init__(self, watch: "LossWatch") -> None:
        super().__init__()
        self.watch = watch

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "lose scattered data" in text and self.watch.owns(text):
            return False
        return True


class LossWatch:
    """Reports the workers a run loses and the shards it sends again (see the module
    docstring); ``lost`` lists the workers' addresses."""

    def __init__(self, client: Any, bar: Any) -> None:
        self.client, self.bar = client, bar
        self.lost: list[str] = []
        self.n_resent = 0
        self.keys: set[str] = set()
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._filter = _DaskLossFilter(self)
        logging.getLogger("distributed.scheduler").addFilter(self._filter)
        try:
            client.subscribe_topic("all", self._event)
            self._subscribed = True
        except Exception:  # noqa: BLE001 - reports are a courtesy; the run goes on without them
            self._subscribed = False

    def owns(self, text: str) -> bool:
        """True when a Dask message names one of this run's scattered keys."""
        return any(key in text for key in list(self.keys))

    def _event(self, event: Any) -> None:
        msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
        if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
            return
        address = str(msg.get("worker"))
        running = len(msg.get("processing-tasks") or ())
        lost_data = [k for k in (msg.get("lost-scattered-tasks") or ()) if str(k) in self.keys]
        how = "retired" if msg.get("expected") else "lost"
        text = f"InterSHAP: Dask worker {address} {how}"
        if running:
            text += f"; its {running} running task(s) run again on other workers"
        if lost_data:
            text += f"; the samples of {len(lost_data)} shard(s) it held are sent again"
        with self._lock:
            self.lost.append(address)
            self._pending.append(text)

    def resent(self, shard: Any, attempt: int) -> None:
        """Count and report a shard sent again."""
        with self._lock:
            self.n_resent += 1
            self._pending.append(f"InterSHAP: {_shard_text(shard)} sent again (try {attempt} of {MAX_RESENDS}): "
                                 "the workers holding its samples left")

    def report(self) -> None:
        """Show the reports gathered since the last call (bar line or log)."""
        with self._lock:
            pending, self._pending = self._pending, []
            lost, resent = len(self.lost), self.n_resent
        for text in pending:
            if getattr(self.bar, "disable", True):
                LOGGER.warning(text)
            else:
                self.bar.write(text)
        if pending and not getattr(self.bar, "disable", True):
            self.bar.set_postfix_str(f"{lost} worker(s) lost, {resent} shard(s) sent again")

    def scheduler_error(self, err: BaseException, store: Any) -> DistributedRunError:
        """The error for a scheduler that went away: its real cause and how to resume."""
        address = getattr(getattr(self.client, "scheduler", None), "address", "?")
        cause = f"{type(err).__name__}: {err}".strip()
        return DistributedRunError(f"the connection to the Dask scheduler at {address} was lost mid-run ({cause}); "
                                   f"the run cannot go on without it. {resume_hint(store)}")

    def close(self) -> None:
        """Stop watching (unsubscribe, remove the log filter)."""
        logging.getLogger("distributed.scheduler").removeFilter(self._filter)
        if self._subscribed and self.client.status == "running":
            try:
                self.client.unsubscribe_topic("all")
            except Exception:  # noqa: BLE001
                pass
        self._subscribed = False
