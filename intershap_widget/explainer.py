"""``explain()``: walk samples × coalitions × background through the model in
bounded-memory batches and return an :class:`~intershap_widget.result.InteractionResult`.

Cost: for N samples, M modalities and K background rows the model sees
N·(2**M − 2)·K + N + K rows (the full input once per sample, the empty coalition once
for the whole background, every other coalition K times per sample).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import games
from .factorised import Factorised, explain_factorised
from .maskers import (
    MASKINGS,
    BackgroundMasker,
    BaselineMasker,
    CallableMasker,
    Masker,
    RandomMasker,
)
from .models import OUTPUTS, ModelAdapter, _is_tensor, as_model, resolve_output
from .result import InteractionResult

__all__ = ["explain"]

#: bytes of model input per batch when ``batch_size`` is not given
_TARGET_BATCH_BYTES = 64 << 20
_MAX_AUTO_BATCH = 1 << 16


def _shape(a: Any) -> tuple:
    return tuple(a.shape)


def _check_modalities(X: Any, what: str) -> list:
    if isinstance(X, np.ndarray) or _is_tensor(X):
        raise TypeError(
            f"{what} must be a list of M arrays, one per modality, each (N, ...); got a single "
            f"array of shape {_shape(X)}. Split it into modalities, e.g. [A[:, :d1], A[:, d1:]]."
        )
    if not isinstance(X, (list, tuple)):
        raise TypeError(f"{what} must be a list of M arrays (one per modality), got {type(X).__name__}")
    out = []
    for i, x in enumerate(X):
        if not (_is_tensor(x) or isinstance(x, np.ndarray)):
            x = np.asarray(x)
        if x.ndim < 1:
            raise ValueError(f"{what}[{i}] must have a sample axis, got a scalar")
        if x.dtype == object:
            raise TypeError(f"{what}[{i}] has dtype object; pass numeric arrays")
        out.append(x)
    return out


def _validate_inputs(X: Any, background: Any, modality_names: Any, labels: Any) -> tuple:
    xs = _check_modalities(X, "X")
    m = len(xs)
    if m < 2:
        raise ValueError(f"InterSHAP needs at least 2 modalities, got {m}")
    if m > games.MAX_EXACT_MODALITIES:
        raise ValueError(
            f"exact InterSHAP evaluates 2**M coalitions per sample; M={m} exceeds the limit "
            f"of {games.MAX_EXACT_MODALITIES}. Group modalities, or estimate with "
            "isw.sample_explain(model, X, budget=...), which samples coalitions."
        )
    counts = [x.shape[0] for x in xs]
    if len(set(counts)) != 1:
        raise ValueError(f"every modality needs the same number of samples; got {counts}")
    if counts[0] == 0:
        raise ValueError("X holds no samples (N = 0); pass at least one sample per modality")
    bg = xs if background is None else _check_modalities(background, "background")
    if len(bg) != m:
        raise ValueError(f"background has {len(bg)} modalities but X has {m}")
    bcounts = [b.shape[0] for b in bg]
    if len(set(bcounts)) != 1:
        raise ValueError(f"every background modality needs the same number of rows; got {bcounts}")
    if bcounts[0] == 0:
        raise ValueError("background holds no rows; pass at least one reference row")
    for i, (x, b) in enumerate(zip(xs, bg)):
        if _shape(x)[1:] != _shape(b)[1:]:
            raise ValueError(
                f"modality {i}: samples have shape {_shape(x)[1:]} but background rows have "
                f"{_shape(b)[1:]}; the background must have the same per-modality shapes as X"
            )
    names = [f"modality {i}" for i in range(m)] if modality_names is None else list(modality_names)
    if len(names) != m:
        raise ValueError(f"{len(names)} modality_names given for {m} modalities")
    if len({str(n) for n in names}) != m:
        raise ValueError(f"modality_names must be distinct, got {names}")
    if labels is not None:
        labels = np.asarray(labels.detach().cpu().numpy() if _is_tensor(labels) else labels)
        if labels.shape != (counts[0],):
            raise ValueError(f"labels must have shape (N,) = ({counts[0]},), got {labels.shape}")
    return xs, bg, [str(n) for n in names], labels


def _make_masker(masking: Any, n_background: int, n_draws: int, baseline: Any, seed: int) -> Masker:
    if isinstance(masking, Masker):
        return masking
    if callable(masking):
        return CallableMasker(masking)
    if masking == "expectation":
        return BackgroundMasker(n_background=n_background, seed=seed)
    if masking == "random":
        return RandomMasker(n_draws=n_draws, seed=seed)
    if masking == "baseline":
        return BaselineMasker(baseline)
    raise ValueError(f"masking must be one of {MASKINGS} or a callable, got {masking!r}")


def _check_output(raw: np.ndarray, rows: int, n_cols: int | None, what: str) -> np.ndarray:
    out = np.asarray(raw, dtype=np.float64)
    if out.ndim not in (1, 2) or out.shape[0] != rows:
        raise ValueError(
            f"the model must return (B, C) or (B,) outputs for a batch of B={rows} rows; "
            f"{what} it returned shape {out.shape}"
        )
    if out.ndim == 1:
        out = out[:, None]
    if n_cols is not None and out.shape[1] != n_cols:
        raise ValueError(f"the model returned {out.shape[1]} outputs per row {what}, earlier {n_cols}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"the model returned non-finite outputs (NaN or inf) {what}")
    return out


class _Run:
    """State of one explain() call: adapter, masker, backend inputs, output mode, batch."""

    def __init__(self, adapter: ModelAdapter, masker: Masker, xs: list, output: str, batch_size: int):
        self.adapter = adapter
        self.masker = masker
        self.xs = xs
        self.output = output
        self.batch_size = batch_size

    def forward(self, inputs: Sequence[Any]) -> Any:
        """Transformed model outputs ``(B, C)`` float64, in the backend."""
        return self.adapter.transform(self.adapter(inputs), self.output)

    def full_outputs(self, progress_bar) -> np.ndarray:
        """v(N) for every class: model outputs on the full inputs, ``(N, C)``."""
        n = self.xs[0].shape[0]
        step = self.batch_size
        chunks = []
        for start in range(0, n, step):
            stop = min(n, start + step)
            out = self.forward([x[start:stop] for x in self.xs])
            chunks.append(self.adapter.to_numpy(out))
            progress_bar.update(stop - start)
        return np.concatenate(chunks, axis=0)


def _itemsize(x: Any) -> int:
    return x.element_size() if _is_tensor(x) else x.dtype.itemsize


def _auto_batch_size(xs: list, k: int) -> int:
    row_bytes = sum(int(np.prod(_shape(x)[1:], dtype=np.int64)) * _itemsize(x) for x in xs)
    rows = max(1, _TARGET_BATCH_BYTES // max(row_bytes, 1))
    return int(min(max(rows, k, 1024), max(_MAX_AUTO_BATCH, k)))


def explain(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    target: str | int = "predicted",
    output: str = "auto",
    modality_names: Sequence[str] | None = None,
    masking: str | Callable | Masker = "expectation",
    n_background: int = 100,
    n_draws: int = 10,
    baseline: str | Sequence[Any] = "mean",
    batch_size: int | None = None,
    seed: int = 0,
    labels: Any = None,
    class_names: Sequence[str] | None = None,
    progress: bool = True,
) -> InteractionResult:
    """Exact modality-level Shapley values and interactions of ``model`` on ``X``.

    Parameters
    ----------
    model : torch.nn.Module, scikit-learn estimator, callable, ``concatenated(m)`` or
        :class:`~intershap_widget.Factorised` (encoders run once per sample and per
        background row, only the fusion head per coalition: same numbers, faster)
        Called with a list of M batch arrays ``(B, ...)``; returns ``(B, C)`` outputs
        (or ``(B,)`` for regression). scikit-learn estimators get the modalities
        flattened and concatenated; wrap any other single-input model in
        :func:`intershap_widget.concatenated`.
    X : list of M arrays or tensors, each ``(N, ...)``
        The samples to explain, one array per modality (any trailing shape).
    background : list of M arrays ``(K, ...)``, optional
        Reference rows that replace absent modalities; defaults to ``X``. With
        ``masking="expectation"`` and more than ``n_background`` rows, a seeded
        subsample of ``n_background`` rows is used.
    target : ``"predicted"`` | int | ``"all"``
        ``"predicted"`` (the paper's choice): per sample, the output of the class the
        model predicts on the full input. An int selects one class. ``"all"`` keeps
        every output (``res.for_class(c)``); its default view is the predicted class.
    output : ``"auto"`` | ``"logits"`` | ``"probability"`` | ``"raw"`` | ``"regression"``
        What the model returns; logits get a softmax. ``"raw"`` explains the outputs
        unchanged (e.g. a class's logit rather than its probability; the predicted
        class is still the argmax). ``"auto"`` decides on a probe batch (one column →
        regression; rows summing to 1 → probability; else logits).
    masking : ``"expectation"`` | ``"random"`` | ``"baseline"`` | callable | Masker
        How absent modalities are replaced (see :mod:`intershap_widget.maskers`).
    n_draws : int
        Draws per coalition for ``masking="random"`` (the paper's n).
    baseline : ``"mean"`` | ``"zeros"`` | list of M arrays
        Reference values for ``masking="baseline"``.
    batch_size : int, optional
        Model rows per forward pass; default: about 64 MB of input per batch.
    seed : int
        Seeds the background subsample and the random draws.
    labels : ``(N,)``, optional
        True labels, kept in the result for filtering in the explorer.
    class_names : list of C str, optional
    progress : bool
        Show a tqdm progress bar over model rows.

    Returns
    -------
    InteractionResult
        ``coalition_values (N, 2**M)``, ``shapley (N, M)``, ``phi (N, M, M)``, ``Phi``,
        ``intershap``, ``intershap_local (N,)``, …

    Inputs are never modified; torch modules are put in eval mode for the call and
    restored afterwards.
    """
    # ---------------------------------------------------------------- checks
    xs_in, bg_in, names, labels = _validate_inputs(X, background, modality_names, labels)
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if not (target in ("predicted", "all") or (isinstance(target, (int, np.integer)) and not isinstance(target, bool))):
        raise ValueError(f"target must be 'predicted', 'all' or a class index (int), got {target!r}")
    if isinstance(target, (int, np.integer)) and target < 0:
        raise ValueError(f"target class must be >= 0, got {target}")
    if int(n_background) < 1:
        raise ValueError(f"n_background must be >= 1, got {n_background}")
    if batch_size is not None and int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive number of model rows, got {batch_size}")
    if isinstance(model, Factorised):
        # encoders once per sample and background row, the head per coalition
        return explain_factorised(
            model, xs_in, background, target=target, output=output, modality_names=names,
            masking=masking, n_background=n_background, n_draws=n_draws, baseline=baseline,
            batch_size=batch_size, seed=seed, labels=labels, class_names=class_names, progress=progress,
        )
    masker = _make_masker(masking, int(n_background), int(n_draws), baseline, int(seed))
    adapter = as_model(model)
    if output == "auto":
        output = adapter.default_output()
    m = len(xs_in)
    n = xs_in[0].shape[0]

    if isinstance(masker, BackgroundMasker):
        keep = masker.select_rows(bg_in[0].shape[0])
        if keep is not None:
            bg_in = [b[keep] for b in bg_in]

    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        bg = [adapter.to_backend(b) for b in bg_in]
        masker.bind(adapter, bg)

        # ------------------------------------------------ probe (small batch)
        probe_rows = min(n, 2)
        raw = adapter([x[:probe_rows] for x in xs])
        probe = _check_output(adapter.to_numpy(raw), probe_rows, None, "on a probe batch")
        output = resolve_output(output, probe)
        n_cols = probe.shape[1]
        if output == "regression" and n_cols != 1:
            raise ValueError(f"output='regression' needs one value per row; the model returned {n_cols}")
        if output == "logits" and n_cols < 2:
            raise ValueError("output='logits' needs at least 2 classes; use output='regression' for one column")
        if output == "probability" and (probe.min() < -1e-6 or probe.max() > 1 + 1e-6):
            raise ValueError(
                "output='probability' but the model returned values outside [0, 1]; "
                "use output='logits' (softmax applied) or output='regression'"
            )
        if isinstance(target, (int, np.integer)) and target >= n_cols:
            raise ValueError(f"target class {target} out of range: the model returns {n_cols} outputs")
        if class_names is not None and len(class_names) != n_cols:
            raise ValueError(f"{len(class_names)} class_names for {n_cols} model outputs")
        # a masked probe: one pair per coalition type checks shapes through the masker
        present = np.zeros((1, m), dtype=bool)
        present[0, 0] = True
        masked = masker.build([x[:1] for x in xs], present, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64))
        k = masker.n_rows
        _check_output(adapter.to_numpy(adapter.transform(adapter(masked), output)), k, n_cols, "on masked inputs")

        step = int(batch_size) if batch_size is not None else _auto_batch_size(xs_in, k)
        run = _Run(adapter, masker, xs, output, step)

        # ------------------------------------------------ the long run
        inner = np.arange(1, (1 << m) - 1, dtype=np.int64)
        coalitions = inner if masker.shared_empty else np.concatenate([[0], inner])
        n_rows_total = n * len(coalitions) * k + n + (bg[0].shape[0] if masker.shared_empty else 0)
        bar = _progress(n_rows_total, progress)
        try:
            full = _check_output(run.full_outputs(bar), n, n_cols, "on the full input")
            if output == "regression":
                cls = np.zeros(n, dtype=np.int64)
            elif target == "predicted" or target == "all":
                cls = np.argmax(full, axis=1)
            else:
                cls = np.full(n, int(target), dtype=np.int64)
            keep_all = target == "all"
            width = n_cols if keep_all else 1
            values = np.empty((n, 1 << m, width))
            values[:, -1] = full if keep_all else full[np.arange(n), cls][:, None]
            if masker.shared_empty:
                empty = _mean_over_rows(run, masker.empty_inputs(), bar)
                values[:, 0] = empty[None, :] if keep_all else empty[cls][:, None]
            _fill_coalitions(run, values, coalitions, cls, keep_all, bar)
        finally:
            bar.close()

    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"non-finite coalition value for sample {bad[0]}, coalition {bad[1]}")
    settings = {
        **masker.describe(),
        "output": output,
        "seed": int(seed),
        "model_rows": int(n_rows_total),
        "batch_size": int(step),
    }
    predicted = None if output == "regression" else np.argmax(full, axis=1)
    if keep_all:
        own = values[np.arange(n), :, cls]
        return InteractionResult(
            own, modality_names=names, target="all", target_class=cls, class_values=values,
            class_names=class_names, predicted_class=predicted, labels=labels, settings=settings,
        )
    return InteractionResult(
        values[:, :, 0], modality_names=names,
        target="regression" if output == "regression" else target,
        target_class=cls, class_names=class_names, predicted_class=predicted,
        labels=labels, settings=settings,
    )


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="rows", unit_scale=True, desc="InterSHAP", leave=False)


def _mean_over_rows(run: _Run, inputs: list, bar) -> np.ndarray:
    """Mean transformed output over the K rows of ``inputs`` (M arrays ``(K, ...)``): ``(C,)``."""
    k = inputs[0].shape[0]
    total = None
    for start in range(0, k, run.batch_size):
        stop = min(k, start + run.batch_size)
        out = run.adapter.to_numpy(run.forward([x[start:stop] for x in inputs]))
        _check_output(out, stop - start, None, "on the background")
        total = out.sum(axis=0) if total is None else total + out.sum(axis=0)
        bar.update(stop - start)
    return total / k


def _fill_coalitions(run: _Run, values: np.ndarray, coalitions: np.ndarray, cls: np.ndarray, keep_all: bool, bar) -> None:
    """Evaluate every (sample, coalition) pair in blocks of ``batch_size // K`` pairs."""
    adapter, masker = run.adapter, run.masker
    n = values.shape[0]
    m = len(run.xs)
    k = masker.n_rows
    n_coal = len(coalitions)
    masks = games.coalition_masks(m)
    pairs_per_block = max(1, run.batch_size // k)
    total_pairs = n * n_coal
    for start in range(0, total_pairs, pairs_per_block):
        stop = min(total_pairs, start + pairs_per_block)
        pair = np.arange(start, stop)
        sample = pair // n_coal
        coal = coalitions[pair % n_coal]
        s0, s1 = sample[0], sample[-1] + 1
        local = sample - s0
        # gather each sample once per block, then repeat it for its coalitions
        x_block = [adapter.take(x[s0:s1], local) for x in run.xs]
        inputs = masker.build(x_block, masks[coal], sample, coal)
        out = run.forward(inputs)
        p = stop - start
        out = out.reshape(p, k, -1).mean(1)
        out = adapter.to_numpy(out)
        if not keep_all:
            out = out[np.arange(p), cls[sample]][:, None]
        values[sample, coal] = out
        bar.update(p * k)
