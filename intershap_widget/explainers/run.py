"""The long run of the exact driver: walk samples × coalitions × background rows
through the model in bounded-memory batches and fill the coalition values.

Cost: for N samples, M modalities and K background rows the model sees
N·(2**M − 2)·K + N + K rows (the full input once per sample, the empty coalition once
for the whole background when the masker shares it, every other coalition K times per
sample).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..maths import games
from .adapters import ModelAdapter, _is_tensor
from .checks import check_output
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


def auto_batch_size(xs: list, k: int) -> int:
    """Model rows per forward pass for the (backend) inputs ``xs``: about 16 MB of input
    on a CPU, 64 MB on an accelerator, within 256..65,536 rows (large runs time a few
    sizes instead: :mod:`.throughput`)."""
    row_bytes = sum(int(np.prod(tuple(x.shape)[1:], dtype=np.int64)) * _itemsize(x) for x in xs)
    on_device = any(_is_tensor(x) and x.device.type != "cpu" for x in xs)
    target = _ACCELERATOR_BATCH_BYTES if on_device else _TARGET_BATCH_BYTES
    rows = max(1, target // max(row_bytes, 1))
    return int(min(max(rows, _MIN_AUTO_BATCH), _MAX_AUTO_BATCH))


def progress_bar(total: int, enabled: bool):
    """A tqdm bar over model rows."""
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="rows", unit_scale=True, desc="InterSHAP", leave=False)


class Run:
    """One explain() run: adapter, masker, backend inputs ``xs`` (M of ``(N, ...)``),
    output mode and batch size."""

    def __init__(self, adapter: ModelAdapter, masker: Masker, xs: list, output: str, batch_size: int):
        self.adapter = adapter
        self.masker = masker
        self.xs = xs
        self.output = output
        self.batch_size = batch_size
        #: model rows evaluated so far (probes excluded)
        self.rows_seen = 0

    @property
    def coalitions(self) -> np.ndarray:
        """Coalition indices evaluated per sample (∅ only when the masker does not share it)."""
        m = len(self.xs)
        inner = np.arange(1, (1 << m) - 1, dtype=np.int64)
        return inner if self.masker.shared_empty else np.concatenate([[0], inner])

    def n_rows(self, n_background: int) -> int:
        """Model rows of the whole run."""
        n = self.xs[0].shape[0]
        shared = n_background if self.masker.shared_empty else 0
        return n * len(self.coalitions) * self.masker.n_rows + n + shared

    def forward(self, inputs: Sequence[Any]) -> Any:
        """Transformed model outputs ``(B, C)`` float64, in the backend."""
        self.rows_seen += int(inputs[0].shape[0])
        return self.adapter.transform(self.adapter(inputs), self.output)

    def full_outputs(self, bar) -> np.ndarray:
        """v(N) for every class: model outputs on the full inputs, ``(N, C)``."""
        n = self.xs[0].shape[0]
        chunks = []
        for start in range(0, n, self.batch_size):
            stop = min(n, start + self.batch_size)
            chunks.append(self.adapter.to_numpy(self.forward([x[start:stop] for x in self.xs])))
            bar.update(stop - start)
        return np.concatenate(chunks, axis=0)

    def mean_over_rows(self, inputs: list, bar) -> np.ndarray:
        """Mean transformed output over the K rows of ``inputs`` (M arrays ``(K, ...)``): ``(C,)``."""
        k = inputs[0].shape[0]
        total, chunks = None, []
        for start in range(0, k, self.batch_size):
            stop = min(k, start + self.batch_size)
            out = self.adapter.to_numpy(self.forward([x[start:stop] for x in inputs]))
            check_output(out, stop - start, None, "on the background")
            total = out.sum(axis=0) if total is None else total + out.sum(axis=0)
            chunks.append(out)
            bar.update(stop - start)
        #: per-row outputs ``(K, C)`` of the last call (a subsampled run's masking error)
        self.empty_rows = np.concatenate(chunks, axis=0)
        return total / k

    def fill_coalitions(self, values: np.ndarray, cls: np.ndarray, keep_all: bool, bar,
                        rows: np.ndarray | None = None, k0: int = 0) -> None:
        """Evaluate every (sample, coalition) pair into ``values`` ``(N, 2**M, C or 1)``,
        in blocks of ``batch_size // K`` pairs. With ``rows`` ``(N, 2**M, K_total)`` the
        per-row outputs of the explained class go to ``rows[:, :, k0:k0 + K]`` (for the
        masking error)."""
        adapter, masker, coalitions = self.adapter, self.masker, self.coalitions
        n, k, n_coal = values.shape[0], masker.n_rows, len(coalitions)
        masks = games.coalition_masks(len(self.xs))
        pairs_per_block = max(1, self.batch_size // k)
        for start in range(0, n * n_coal, pairs_per_block):
            stop = min(n * n_coal, start + pairs_per_block)
            pair = np.arange(start, stop)
            sample = pair // n_coal
            coal = coalitions[pair % n_coal]
            s0, s1 = sample[0], sample[-1] + 1
            # gather each sample once per block, then repeat it for its coalitions
            x_block = [adapter.take(x[s0:s1], sample - s0) for x in self.xs]
            out = self.forward(masker.build(x_block, masks[coal], sample, coal))
            p = stop - start
            if rows is None:
                out = adapter.to_numpy(out.reshape(p, k, -1).mean(1))
            else:
                per_row = adapter.to_numpy(out).reshape(p, k, -1)
                rows[sample, coal, k0:k0 + k] = per_row[np.arange(p), :, cls[sample]]
                out = per_row.mean(1)
            if not keep_all:
                out = out[np.arange(p), cls[sample]][:, None]
            values[sample, coal] = out
            bar.update(p * k)
