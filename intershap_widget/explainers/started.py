"""A started run (:class:`Launched`), and the batch-size timing both launchers share:
:func:`.launch.launch` in this process and :func:`.distributed.launch_on_dask` on a Dask
worker. Kept apart from both so that neither imports the other's module (no import
cycle: ``launch`` dispatches to ``distributed``; ``distributed`` needs only this)."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Engine
from .maskers import Masker, SampledMasker
from .run import Run

__all__ = ["Launched", "calibrate"]


@dataclass
class Launched:
    """A started run: its engine, the resolved output mode, C, the batch size, rows spent
    timing batch sizes, and the dtype of the model's outputs."""

    engine: Engine
    output: str
    n_cols: int
    step: int
    calibration_rows: int
    output_dtype: str | None

    def close(self) -> None:
        """Release what the run holds (a Dask run's worker state, the checkpoint's lock)."""
        try:
            self.engine.close()
        finally:
            if self.engine.store is not None:
                self.engine.store.close()


def calibrate(run: Run, masker: Masker, n_pairs: int) -> int:
    """Time a few batch sizes on the probe when a run of ``n_pairs`` (sample, coalition)
    pairs is large enough (sets ``run.batch_size``): the rows spent."""
    from .throughput import calibrate_batch_size

    n_rows = masker.n_rows if not isinstance(masker, SampledMasker) else min(masker.n_background, 256)
    expected = n_pairs * max(n_rows, 1)
    run.batch_size, spent, _ = calibrate_batch_size(run, expected, run.batch_size)
    return spent
