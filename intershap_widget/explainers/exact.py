"""``explain()``, the exact driver: check the inputs, probe the model on a small
batch, run every (sample, coalition) pair through it (:mod:`.run`) and assemble an
:class:`~intershap_widget.maths.result.InteractionResult`.

Cost: for N samples, M modalities and K background rows the model sees
N·(2**M − 2)·K + N + K rows (the full input once per sample, the empty coalition once
for the whole background, every other coalition K times per sample).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..maths.diagnostics import warn_if_degenerate
from ..maths.result import InteractionResult
from .adapters import ModelAdapter, as_model, resolve_output
from .checks import check_output, check_raw_output, copies, validate_call
from .degenerate import background_overlap, degenerate_reason, is_fixed_output, warn_degenerate
from .factorised import Factorised, encoded_inputs
from .inputs import spec_of
from .references import baseline_masker
from .maskers import MASKINGS, BackgroundMasker, BaselineMasker, CallableMasker, Masker, RandomMasker, SampledMasker
from .precision import DEFAULT_PRECISION, attach_masking_error, fill_to_precision, kept_rows, parse_precision
from .run import Run, auto_batch_size, progress_bar

__all__ = ["explain", "explain_factorised"]


def make_masker(masking: Any, n_background: int, n_draws: int, baseline: Any, seed: int) -> Masker:
    """The masker named by ``masking`` (a Masker or a callable is used as given)."""
    if isinstance(masking, Masker):
        return masking
    if callable(masking):
        return CallableMasker(masking)
    if masking == "expectation":
        return BackgroundMasker(n_background=n_background, seed=seed)
    if masking == "sampled":
        return SampledMasker(seed=seed)
    if masking == "random":
        return RandomMasker(n_draws=n_draws, seed=seed)
    if masking == "baseline":
        return baseline_masker(baseline)  # per-modality references (tokens, images) or BaselineMasker
    raise ValueError(f"masking must be one of {MASKINGS} or a callable, got {masking!r}")


def resolve_masking(masking: Any, n_rows: int, n_background: int, targets: dict | None) -> Any:
    """``"expectation"`` over more than ``n_background`` rows with a precision target
    becomes ``"sampled"`` (per-sample rows, to precision); else ``masking`` as given."""
    if isinstance(masking, str) and masking == "expectation" and targets is not None and n_rows > n_background:
        return "sampled"
    return masking


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
    precision: Any = "default",
    seed: int | None = 0,
    labels: Any = None,
    class_names: Sequence[str] | None = None,
    progress: bool = True,
    allow_nonfinite: bool = False,
    call: str | None = None,
    output_key: Any = None,
) -> InteractionResult:
    """Exact modality-level Shapley values and interactions of ``model`` on ``X``.

    Parameters
    ----------
    model : torch.nn.Module, scikit-learn estimator, callable, ``concatenated(m)`` or
        :class:`~intershap_widget.explainers.factorised.Factorised` (encoders run once per sample and per
        background row, only the fusion head per coalition: same numbers, faster)
        Called with a list of M batch arrays ``(B, ...)``; returns ``(B, C)`` outputs
        (or ``(B,)`` for regression). scikit-learn estimators get the modalities
        flattened and concatenated; wrap any other single-input model in
        :func:`intershap_widget.concatenated`.
    X : list of M arrays or tensors ``(N, ...)``, or a dict ``{name: array}``
        The samples to explain, one entry per modality (any trailing shape). An entry may
        be a dict or tuple of arrays sharing the sample axis (text = ids + mask), masked
        together (:mod:`intershap_widget.explainers.inputs`).
    background : list of M arrays ``(K, ...)``, optional
        Reference rows that replace absent modalities; defaults to ``X``. With
        ``masking="expectation"`` and at most ``n_background`` rows, v(S) is the exact
        mean over all of them (masking error 0). With more rows, each sample gets its
        own seeded rows, the same for all its coalitions, as many as ``precision``
        needs (``masking="sampled"``); with ``precision=None``, one seeded subsample of
        ``n_background`` rows serves every sample (the error it shares is reported).
    target : ``"predicted"`` | int | ``"all"``
        ``"predicted"`` (the paper's choice): per sample, the output of the class the
        model predicts on the full input. An int selects one class. ``"all"`` keeps
        every output (``res.for_class(c)``); its default view is the predicted class.
    output : ``"auto"`` | ``"logits"`` | ``"probability"`` | ``"raw"`` | ``"regression"``
        What the model returns; logits get a softmax. ``"raw"`` explains the outputs
        unchanged (e.g. a class's logit rather than its probability; the predicted
        class is still the argmax). ``"auto"`` decides on a probe batch (one column →
        regression; rows summing to 1 → probability; else logits).
    masking : ``"expectation"`` | ``"sampled"`` | ``"random"`` | ``"baseline"`` | callable | Masker
        How absent modalities are replaced (see :mod:`intershap_widget.explainers.maskers`);
        ``isw.SampledMasker(K, seed)`` fixes K rows per sample instead of a target.
    n_draws : int
        Draws per coalition for ``masking="random"`` (the paper's n).
    baseline : ``"mean"`` | ``"zeros"`` | list of M arrays | per-modality dict
        Reference values for ``masking="baseline"``; per modality also
        ``isw.TokenReference`` and ``isw.ImageReference`` (:mod:`.references`).
    batch_size : int, optional
        Model rows per forward pass; default: the fastest of a few sizes timed on the
        probe when the run is large enough (``settings["calibration_rows"]``), else
        about 16 MB of input per batch on a CPU, 64 MB on an accelerator.
    precision : ``"default"`` | float | dict | None
        Target masking error (1 standard error) when the background is sampled: a
        float for the global score (φ's RMS target is 5× it), or
        ``{"global": ..., "phi": ...}``; ``"default"`` = ``{"global": 0.002, "phi": 0.01}``
        (the paper's 1,000 draws, or better). Rows per sample are added until the
        targets hold (or every background row is used). Every result carries its
        masking error: ``res.masking_se`` (``coalition_values_se``, ``phi_masking_se``,
        ``intershap_masking_se``, ``intershap_local_masking_se``).
    seed : int or None
        Seeds the background subsample and the random draws (a whole number in
        [0, 2**63)); ``None`` draws fresh entropy, recorded in ``res.settings["seed"]``.
    call : ``"list"`` | ``"positional"`` | ``"keywords"`` | ``"dict"``, optional
        How the model takes the modalities (:mod:`intershap_widget.explainers.calls`);
        default: read from its forward signature.
    output_key : str | int | callable, optional
        What to explain from the model's output (:mod:`intershap_widget.explainers.outputs`);
        default: the array itself, ``.logits``, a dict's ``"logits"``, a tuple's first entry.
    labels : ``(N,)``, optional
        True labels, kept in the result for filtering in the explorer.
    class_names : list of C str, optional
    progress : bool
        Show a tqdm progress bar over model rows.
    allow_nonfinite : bool
        Accept NaN/inf in ``X`` and the background (refused by default, naming the
        modality and row); the model's outputs must still be finite.

    Returns
    -------
    InteractionResult
        ``coalition_values (N, 2**M)``, ``shapley (N, M)``, ``phi (N, M, M)``, ``Phi``,
        ``intershap``, ``intershap_local (N,)``, …

    Inputs are never modified: the model only sees new arrays; torch modules are put
    in eval mode for the call and restored afterwards. Every model call is checked (rows,
    width, real dtype, finite values); an error names the sample and the coalition.
    With one fixed output (regression, ``target=<int>``) and a background that is or
    overlaps X, the global score is degenerate: a
    :class:`~intershap_widget.explainers.degenerate.DegenerateScoreWarning` says why and
    what to use instead (``res.settings["degenerate_global"]`` keeps the reason).
    """
    chk = validate_call(X, background, modality_names=modality_names, labels=labels, seed=seed,
                        batch_size=batch_size, n_background=n_background, target=target, output=output,
                        allow_nonfinite=allow_nonfinite)
    xs_in, bg_in, names, labels, seed = chk.xs, chk.background, chk.names, chk.labels, chk.seed
    targets = parse_precision(DEFAULT_PRECISION if isinstance(precision, str) and precision == "default" else precision)
    masking = resolve_masking(masking, bg_in[0].shape[0], int(n_background), targets)
    if isinstance(model, Factorised):
        # encoders once per sample and background row, the head per coalition
        head, xs_in, background, baseline = encoded_inputs(  # encoders get copies, never X itself
            model, copies(xs_in), None if chk.background_is_x else copies(bg_in), masking,
            int(n_background), baseline, int(seed))
        res = explain(head, xs_in, background, target=target,
                      output=output, modality_names=names, masking=masking, n_background=n_background,
                      n_draws=n_draws, baseline=baseline, batch_size=batch_size, precision=precision, seed=seed, labels=labels,
                      class_names=class_names, progress=progress, allow_nonfinite=allow_nonfinite)
        res.settings["factorised"] = True
        return res
    res = _explain_checked(model, chk, target=target, output=output, masking=masking, n_background=n_background,
                           n_draws=n_draws, baseline=baseline, batch_size=batch_size, class_names=class_names,
                           progress=progress, call=call, output_key=output_key, given=X, targets=targets)
    warn_if_degenerate(res)  # once per call: a score dominated by cancellation
    return res


def _explain_checked(model: Any, chk: Any, *, target: Any, output: str, masking: Any, n_background: int,
                     n_draws: int, baseline: Any, batch_size: int | None, class_names: Any,
                     progress: bool, call: str | None, output_key: Any, given: Any,
                     targets: dict | None) -> InteractionResult:
    """The exact run on checked inputs (:class:`~.checks.Checked`): masker, probe, the long
    run, assembly, and the degenerate-score warning."""
    xs_in, bg_in, names, labels, seed = chk.xs, chk.background, chk.names, chk.labels, chk.seed
    masker = make_masker(masking, int(n_background), int(n_draws), baseline, int(seed))
    adapter = as_model(model, call, output_key, output, inputs=spec_of(given, xs_in, names))
    if output == "auto":
        output = adapter.default_output()
    n_source = bg_in[0].shape[0]
    if isinstance(masker, BackgroundMasker):
        keep = masker.select_rows(n_source)
        if keep is not None:
            bg_in = [b[keep] for b in bg_in]

    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        bg = [adapter.to_backend(b) for b in bg_in]
        masker.bind(adapter, bg)
        output, n_cols = _probe(adapter, masker, xs, output, target, class_names)
        step = int(batch_size) if batch_size is not None else auto_batch_size(xs, masker.n_rows)
        run = Run(adapter, masker, xs, output, step, names=names, n_cols=n_cols)
        calibration = (0, {}) if batch_size is not None else _calibrate(run, masker, bg[0].shape[0])
        full, cls, values, rows, rounds = _run_all(run, target, n_cols, progress, targets)

    settings = {
        **masker.describe(),
        "output": output,
        "seed": int(seed),
        "model_rows": int(run.rows_done),
        "batch_size": int(run.batch_size),
        "calibration_rows": calibration[0],
        "output_dtype": adapter.output_dtype or "float64",  # judges what is rounding noise (maths/scores.py)
    }
    reason = _degenerate(masker, output, target, n_cols, xs_in, bg_in, chk.background_is_x)
    if reason is not None:
        settings["degenerate_global"] = reason
    res = _assemble(values, full, cls, output, target, names, class_names, labels, settings)
    res = attach_masking_error(res, masker, rows, values, cls, target == "all", n_source, targets, rounds,
                               getattr(run, "empty_rows", None))
    if reason is not None:
        warn_degenerate(reason, float(res.intershap), float(res.intershap_local_mean))
    return res


def _degenerate(masker: Masker, output: str, target: Any, n_cols: int, xs: list, bg: list,
                background_is_x: bool) -> str | None:
    """The reason the global score is degenerate (fixed output, background overlapping X)."""
    if not isinstance(masker, (RandomMasker, BackgroundMasker, SampledMasker)) or isinstance(masker, BaselineMasker):
        return None
    if not is_fixed_output(output, target, n_cols):
        return None
    return degenerate_reason(output, target, n_cols, background_overlap(xs, bg, background_is_x))


def explain_factorised(model: Factorised, X: Sequence[Any], background: Sequence[Any] | None = None, **kwargs: Any):
    """:func:`explain` for a :class:`~intershap_widget.explainers.factorised.Factorised`
    model: encoders once per sample and per background row, the head per coalition.
    Same arguments and result as ``explain``."""
    if not isinstance(model, Factorised):
        raise TypeError(f"explain_factorised needs a Factorised model, got {type(model).__name__}")
    return explain(model, X, background, **kwargs)


def _calibrate(run: Run, masker: Masker, n_background: int) -> tuple[int, dict]:
    """Time a few batch sizes on the probe when the run is large enough (sets
    ``run.batch_size``): ``(rows spent, {batch: rows/s})``."""
    from .throughput import calibrate_batch_size

    n_rows = masker.n_rows if not isinstance(masker, SampledMasker) else min(n_background, 256)
    expected = run.xs[0].shape[0] * len(run.coalitions) * max(n_rows, 1)
    run.batch_size, spent, speed = calibrate_batch_size(run, expected, run.batch_size)
    return spent, speed


def _probe(adapter: ModelAdapter, masker: Masker, xs: list, output: str, target: Any,
           class_names: Sequence[str] | None) -> tuple[str, int]:
    """Run two full rows and one masked sample's K rows: the resolved output mode and the
    number of model outputs C, after every check that needs them."""
    probe_rows = min(xs[0].shape[0], 2)
    idx = np.arange(probe_rows)  # new arrays: the model may write into its input
    raw = adapter([adapter.take(x, idx) for x in xs])
    check_raw_output(raw, probe_rows, None, "on a probe batch")
    probe = check_output(adapter.to_numpy(raw), probe_rows, None, "on a probe batch")
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
    # a masked probe: one coalition through the masker checks its shapes
    present = np.zeros((1, len(xs)), dtype=bool)
    present[0, 0] = True
    masked = masker.build([x[:1] for x in xs], present, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64))
    raw = adapter(masked)
    check_raw_output(raw, masker.n_rows, n_cols, "on masked inputs")
    check_output(adapter.to_numpy(adapter.transform(raw, output)), masker.n_rows, n_cols, "on masked inputs")
    return output, n_cols


def _run_all(run: Run, target: Any, n_cols: int, progress: bool, targets: dict | None) -> tuple:
    """The long run: ``(full (N, C), cls (N,), values (N, 2**M, C or 1), rows, rounds)``;
    ``rows`` ``(N, 2**M, K)`` the per-row outputs kept for the masking error (or None),
    ``rounds`` the precision rounds of a sampled run."""
    n, m = run.xs[0].shape[0], len(run.xs)
    sampled = isinstance(run.masker, SampledMasker)
    empty_rows = run.masker.empty_inputs()[0].shape[0] if run.masker.shared_empty else 0
    run.total_rows = (n + empty_rows) if sampled else run.n_rows(empty_rows)
    bar = progress_bar(run.total_rows, progress)
    rows, rounds = None, []
    try:
        full = run.full_outputs(bar)
        if run.output == "regression":
            cls = np.zeros(n, dtype=np.int64)
        elif target in ("predicted", "all"):
            cls = np.argmax(full, axis=1)
        else:
            cls = np.full(n, int(target), dtype=np.int64)
        keep_all = target == "all"
        values = np.empty((n, 1 << m, n_cols if keep_all else 1))
        values[:, -1] = full if keep_all else full[np.arange(n), cls][:, None]
        if run.masker.shared_empty:
            empty = run.mean_over_rows(run.masker.empty_inputs(), bar)
            values[:, 0] = empty[None, :] if keep_all else empty[cls][:, None]
        if sampled:
            rows, _, rounds = fill_to_precision(run, values, cls, keep_all, bar, targets or DEFAULT_PRECISION,
                                                run.masker.rows_per_sample)
        else:
            rows = kept_rows(run.masker, values, cls, keep_all)
            run.fill_coalitions(values, cls, keep_all, bar, rows=rows)
    finally:
        bar.close()
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"non-finite coalition value for sample {bad[0]}, coalition {bad[1]}")
    return full, cls, values, rows, rounds


def _assemble(values: np.ndarray, full: np.ndarray, cls: np.ndarray, output: str, target: Any,
              names: list, class_names: Any, labels: Any, settings: dict) -> InteractionResult:
    """The result of the run: every class kept for ``target="all"``, else one value per sample."""
    n = values.shape[0]
    predicted = None if output == "regression" else np.argmax(full, axis=1)
    if target == "all":
        return InteractionResult(
            values[np.arange(n), :, cls], modality_names=names, target="all", target_class=cls,
            class_values=values, class_names=class_names, predicted_class=predicted, labels=labels,
            settings=settings,
        )
    return InteractionResult(
        values[:, :, 0], modality_names=names,
        target="regression" if output == "regression" else target,
        target_class=cls, class_names=class_names, predicted_class=predicted,
        labels=labels, settings=settings,
    )
