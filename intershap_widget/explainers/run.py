"""The long run of the exact driver: walk samples × coalitions × background rows
through the model in bounded-memory batches and fill the coalition values.

Cost: for N samples, M modalities and K background rows the model sees
N·(2**M − 2)·K + N + K rows (the full input once per sample, the empty coalition once
for the whole background when the masker shares it, every other coalition K times per
sample).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .adapters import ModelAdapter, _is_tensor
from .calls import raise_with_context
from .checks import check_raw_output
from .inputs import leaves
from .maskers import Masker

__all__ = ["Run", "auto_batch_size", "progress_bar"]

#: bytes of model input per batch when ``batch_size`` is not given and the run is too
#: small to time a few sizes (:mod:`.throughput`): moderate on a CPU, large on an
#: accelerator
_TARGET_BATCH_BYTES = 16 << 20
_ACCELERATOR_BATCH_BYTES = 64 << 20
_MIN_AUTO_BATCH = 256
_MAX_AUTO_BATCH = 1 << 16


def _itemsize(x: Any) -> int:
    return x.element_size() if _is_tensor(x) else x.dtype.itemsize


def row_bytes(xs: list) -> int:
    """Bytes of one model row of the modalities ``xs`` (groups: all their arrays)."""
    return sum(int(np.prod(tuple(x.shape)[1:], dtype=np.int64)) * _itemsize(x) for x in leaves(xs))


def auto_batch_size(xs: list) -> int:
    """Model rows per forward pass for the (backend) inputs ``xs``: about 16 MB of input
    on a CPU, 64 MB on an accelerator, within 256..65,536 rows (large runs time a few
    sizes instead: :mod:`.throughput`)."""
    xs = leaves(xs)  # a group of arrays (ids + mask) counts every array
    on_device = any(_is_tensor(x) and x.device.type != "cpu" for x in xs)
    target = _ACCELERATOR_BATCH_BYTES if on_device else _TARGET_BATCH_BYTES
    rows = max(1, target // max(row_bytes(xs), 1))
    return int(min(max(rows, _MIN_AUTO_BATCH), _MAX_AUTO_BATCH))


def progress_bar(total: int, enabled: bool):
    """A tqdm bar over model rows."""
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="rows", unit_scale=True, desc="InterSHAP", leave=False)


class Run:
    """One explain() run: adapter, masker, backend inputs ``xs`` (M of ``(N, ...)``),
    output mode and batch size.

    Every model call is checked where it happens (:meth:`forward`, :meth:`pair_outputs`):
    row count, width (``n_cols``, known after the probe), a real dtype and finite values;
    the error names the sample and the coalition and says how many model rows had run.
    The model only ever sees new arrays (gathered rows), never the caller's memory.
    """

    def __init__(self, adapter: ModelAdapter, masker: Masker, xs: list, output: str, batch_size: int,
                 names: Sequence[str] | None = None, n_cols: int | None = None, offset: int = 0):
        self.adapter = adapter
        #: global index of ``xs``' first sample (a shard of a larger X): the masker and
        #: the messages see global sample ids
        self.offset = int(offset)
        self.masker = masker
        self.xs = xs
        self.output = output
        self.batch_size = batch_size
        self.names = list(names) if names is not None else [f"modality {i}" for i in range(len(xs))]
        self.n_cols = n_cols
        #: model rows run so far (shared with the runs of its shards), and the whole
        #: run's planned so far (set by the engine, for the messages)
        self._count = [0, None]

    @property
    def rows_done(self) -> int:
        return self._count[0]

    @rows_done.setter
    def rows_done(self, value: int) -> None:
        self._count[0] = int(value)

    @property
    def total_rows(self) -> int | None:
        return self._count[1]

    @total_rows.setter
    def total_rows(self, value: int | None) -> None:
        self._count[1] = value

    def shard(self, start: int, stop: int) -> "Run":
        """The run of samples ``start:stop`` of this one (views of its rows, global ids kept)."""
        xs = [x[start:stop] for x in self.xs]
        part = Run(self.adapter, self.masker, xs, self.output, self.batch_size, self.names, self.n_cols,
                   self.offset + start)
        part._count = self._count  # one row counter for the whole run
        return part

    def coalition_text(self, present: np.ndarray) -> str:
        """``{a, c}``: the modalities present in one coalition mask ``(M,)``."""
        return "{" + ", ".join(n for n, p in zip(self.names, present) if p) + "}"

    def _ran(self) -> str:
        total = f" of {self.total_rows}" if self.total_rows is not None else ""
        return f"{self.rows_done}{total} model rows had run"

    def forward(self, inputs: Sequence[Any], where: Callable[[], str]) -> Any:
        """Transformed model outputs ``(B, C)`` float64, in the backend; the raw outputs'
        shape, width and dtype checked (``where()`` names the batch in an error)."""
        rows = int(inputs[0].shape[0])
        try:
            raw = self.adapter(inputs)
        except Exception as exc:  # the model's own error, with the batch it happened on
            raise_with_context(exc, f"model call {where()}: {exc} ({self._ran()} before this batch)")
        try:
            check_raw_output(raw, rows, self.n_cols, "")
        except (TypeError, ValueError) as err:
            raise type(err)(f"model call {where()}: {err} ({self._ran()} before this batch)") from None
        self.rows_done += rows
        return self.adapter.transform(raw, self.output)

    def _check_finite(self, out: np.ndarray, describe: Callable[[int], str]) -> None:
        bad = ~np.isfinite(out).all(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"the model returned non-finite outputs (NaN or inf) {describe(i)}; "
                f"{self._ran()}, this batch included. Check the model on such inputs "
                "(masked modalities are replaced by background rows)"
            )

    def _fresh(self, arrays: Sequence[Any], start: int, stop: int) -> list:
        """Rows ``start:stop`` of each array as new arrays (the model may write into them)."""
        idx = np.arange(start, stop)
        return [self.adapter.take(x, idx) for x in arrays]

    def full_outputs(self, bar) -> np.ndarray:
        """v(N) for every class: model outputs on the full inputs, ``(N, C)``."""
        n, o = self.xs[0].shape[0], self.offset
        chunks = []
        for start in range(0, n, self.batch_size):
            stop = min(n, start + self.batch_size)
            out = self.adapter.to_numpy(self.forward(
                self._fresh(self.xs, start, stop), lambda: f"on the full inputs of samples {o + start}–{o + stop - 1}"))
            self._check_finite(out, lambda i: f"for sample {o + start + i} on its full input (every modality present)")
            chunks.append(out)
            bar.update(stop - start)
        return np.concatenate(chunks, axis=0)

    def mean_over_rows(self, inputs: list, bar) -> tuple[np.ndarray, np.ndarray]:
        """Transformed outputs over the K rows of ``inputs`` (M arrays ``(K, ...)``):
        ``(mean (C,), per row (K, C))`` (the rows give a subsampled run's masking error)."""
        k = inputs[0].shape[0]
        total, chunks = None, []
        for start in range(0, k, self.batch_size):
            stop = min(k, start + self.batch_size)
            out = self.adapter.to_numpy(self.forward(
                self._fresh(inputs, start, stop), lambda: f"on background rows {start}–{stop - 1} (coalition {{}})"))
            self._check_finite(out, lambda i: f"on background row {start + i} (the empty coalition {{}})")
            total = out.sum(axis=0) if total is None else total + out.sum(axis=0)
            chunks.append(out)
            bar.update(stop - start)
        return total / k, np.concatenate(chunks, axis=0)

    def pair_outputs(self, sample: np.ndarray, present: np.ndarray, codes: np.ndarray,
                     per_row: bool = False) -> np.ndarray:
        """Mean outputs over the masker's K rows for P (sample, coalition) pairs ``(P, C)``
        numpy (``per_row``: every row's, ``(P, K, C)``); sample ``(P,)`` ascending, present
        ``(P, M)`` bool, codes ``(P,)`` ints."""
        adapter, masker = self.adapter, self.masker
        s0, s1 = int(sample[0]), int(sample[-1]) + 1
        # gather each sample once per block, then repeat it for its coalitions
        x_block = [adapter.take(x[s0:s1], sample - s0) for x in self.xs]
        inputs = masker.build(x_block, present, sample + self.offset, codes)
        p, o = len(sample), self.offset

        def where() -> str:
            return (f"on the batch of samples {o + s0}–{o + s1 - 1} (from sample {o + s0} with coalition "
                    f"{self.coalition_text(present[0])} to sample {o + s1 - 1} with {self.coalition_text(present[-1])})")

        rows = adapter.to_numpy(self.forward(inputs, where)).reshape(p, masker.n_rows, -1)
        out = rows.mean(1)
        self._check_finite(out, lambda i: f"for sample {o + int(sample[i])} with coalition "
                                          f"{self.coalition_text(present[i])} present (the other modalities masked)")
        return rows if per_row else out

    def pair_values(self, codes: np.ndarray, masks: np.ndarray, cls: np.ndarray, keep_all: bool, bar,
                    keep_rows: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """v(S) of every sample of this run for the B coalitions ``codes`` ``(B,)`` with
        masks ``(B, M)`` bool, in blocks of ``batch_size // K`` (sample, coalition) pairs
        taken sample by sample: ``(values (n, B, C or 1), rows (n, B, K) float32 or None)``;
        ``rows`` (with ``keep_rows``) the per-row outputs of the explained class ``cls``
        ``(n,)`` (for the masking error)."""
        n, k, n_coal = self.xs[0].shape[0], self.masker.n_rows, len(codes)
        values = np.empty((n, n_coal, self.n_cols if keep_all else 1))
        rows = np.empty((n, n_coal, k), dtype=np.float32) if keep_rows else None
        pairs_per_block = max(1, self.batch_size // max(k, 1))
        for start in range(0, n * n_coal, pairs_per_block):
            stop = min(n * n_coal, start + pairs_per_block)
            pair = np.arange(start, stop)
            sample, col = pair // n_coal, pair % n_coal
            p = stop - start
            if rows is None:
                out = self.pair_outputs(sample, masks[col], codes[col])
            else:
                per_row = self.pair_outputs(sample, masks[col], codes[col], per_row=True)
                rows[sample, col] = per_row[np.arange(p), :, cls[sample]]
                out = per_row.mean(1)
            values[sample, col] = out if keep_all else out[np.arange(p), cls[sample]][:, None]
            bar.update(p * k)
        return values, rows
