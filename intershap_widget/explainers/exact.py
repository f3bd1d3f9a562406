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
from ..maths.errors import InputError
from ..maths.result import InteractionResult
from .checks import copies, validate_call
from .degenerate import background_overlap, degenerate_reason, is_fixed_output, warn_degenerate
from .factorised import Factorised, encoded_inputs
from .frames import prepare as prepare_frames, uses_frames
from .inputs import spec_of
from .references import baseline_masker
from .maskers import MASKINGS, BackgroundMasker, BaselineMasker, CallableMasker, Masker, RandomMasker, SampledMasker
from .launch import launch, store_opener
from .model_fit import check_model_fit
from .passes import coalition_codes, run_passes
from .placement import Placement, check_placement
from .precision import DEFAULT_PRECISION, attach_masking_error, check_precision_applies, parse_precision
from .run import progress_bar

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
    raise InputError(f"masking must be one of {MASKINGS} or a callable, got {masking!r}")


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
    allow_nondeterministic: bool = False,
    call: str | None = None,
    output_key: Any = None,
    client: Any = None,
    checkpoint: str | None = None,
    checkpoint_key: str | None = None,
    shard_size: int | None = None,
    model_factory: Callable[[], Any] | None = None,
    device: Any = None,
    modalities: Any = None,
    factorise: bool | str = "auto",
) -> InteractionResult:
    """Exact modality-level Shapley values and interactions of ``model`` on ``X``.

    Parameters
    ----------
    model : torch.nn.Module, scikit-learn estimator, callable, ``concatenated(m)`` or
        :class:`~intershap_widget.explainers.factorised.Factorised` (encoders run once per sample and per
        background row, only the fusion head per coalition: same numbers, faster)
        Called with a list of M batch arrays ``(B, ...)`` (a dict for a dict ``X``, one
        DataFrame for DataFrame input: the README's table); returns ``(B, C)`` outputs
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
        Model rows per forward pass; default: the middle of the plateau of rows/s over
        1,024 … 65,536, timed on blocks built like the run's, when the run is large enough
        (:mod:`.throughput`) (``settings["calibration_rows"]``), else
        about 16 MB of input per batch on a CPU, 64 MB on an accelerator.
    precision : ``"default"`` | ``"paper"`` | float | dict | None
        Target masking error (1 standard error) when the background is sampled:
        ``{"global": ..., "phi": ...}`` with φ's target (the RMS over samples and entries)
        a fraction of the RMS over samples of v(N) − v(∅), so it does not depend on the
        output's units (``"phi_absolute"``: in output units instead); a float g means
        ``{"global": g, "phi": 10·g}``; ``"default"`` = ``{"global": 0.002, "phi": 0.02}``
        (the paper's 1,000 draws or better on HD-XOR; not on every model:
        docs/masking_error.md); ``"paper"`` adds targets at the standard errors the
        paper's 1,000 draws would have on this model, for the global score, φ RMS and
        the local scores' RMS (more rows where needed). Rows per sample are added until the
        targets hold (or every background row is used; a run stopped short by the cap
        of 2,048 rows warns, ``isw.MaskingPrecisionWarning``). Every result carries its
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
        Show a tqdm progress bar over model rows (of the whole run, across workers).
    client : dask.distributed.Client, optional
        Run the shards on this Dask cluster (``pip install "intershap-widget[distributed]"``,
        docs/scale.md); the result is bit-identical to the local run with the same
        ``batch_size`` (the default is timed on the probe locally, taken from the memory
        rule on a worker: pin it to compare runs).
    checkpoint : str or path, optional
        A run folder: each finished shard is written there (atomically) as it completes,
        and a rerun with the same arguments computes only the unfinished shards; other
        inputs, model, settings or seed are refused (``CheckpointMismatch``). With and
        without ``client``.
    checkpoint_key : str, optional
        Vouches for the model in the checkpoint instead of its computed identity (for a
        model that cannot be identified: docs/scale.md, section 9).
    shard_size : int, optional
        Samples per shard (default: equal shards of at most about 262,144 model rows);
        a function of N and K only, never of the workers.
    model_factory : callable, optional
        With ``client``: a function of no arguments called once per worker to build the
        model there (e.g. loading weights onto that worker's GPU); pass ``model=None``.
    device : str or callable, optional
        With ``client``: each worker moves the torch model to this device once; a function
        gets the worker's name and returns its device (``lambda name: f"cuda:{int(name) % 4}"``).
    factorise : ``"auto"`` | bool
        An early-fusion model whose first layer is an ``nn.Linear`` over the concatenated
        modalities (``isw.concatenated(nn.Sequential(nn.Linear, ...))``, the paper's early
        fusion, or declared with ``isw.Factorised.first_layer(model, dims)``) computes
        that layer once per sample and per background row, per modality
        (:mod:`.first_layer`): same numbers up to float rounding, cheaper rows.
        ``"auto"`` does so where the model shows it, ``False`` never, ``True`` insists.
    allow_nonfinite : bool
        Accept NaN/inf in ``X`` and the background (refused by default, naming the
        modality and row); the model's outputs must still be finite.
    allow_nondeterministic : bool
        The probe batch is evaluated twice; a model whose outputs differ (dropout on,
        noise, an unseeded sampler) raises ``NondeterministicModelError`` naming the
        remedy (``model.eval()``, fixed seeds). ``True`` explains it as it is (e.g.
        Monte-Carlo dropout) with an ``isw.NondeterministicModelWarning``: its
        randomness is in the result and in none of its error bars.
    modalities : dict ``{name: [column, ...]}``, optional
        With ``X`` a pandas DataFrame: the columns of each modality (every column in one).
        The model then gets one DataFrame per batch with ``X``'s columns, order and dtypes
        (a ``Pipeline``/``ColumnTransformer`` works untouched); the background must be a
        DataFrame of the same columns and dtypes. ``X`` may also be a dict of DataFrames,
        one per modality (:mod:`intershap_widget.explainers.frames`).

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
    if uses_frames(X, modalities):  # pandas in, pandas out: column groups, one DataFrame per batch
        model, X, background = prepare_frames(model, X, background, modalities)
    chk = validate_call(X, background, modality_names=modality_names, labels=labels, seed=seed,
                        batch_size=batch_size, n_background=n_background, target=target, output=output,
                        allow_nonfinite=allow_nonfinite)
    xs_in, bg_in, names, labels, seed = chk.xs, chk.background, chk.names, chk.labels, chk.seed
    place = check_placement(model, client, checkpoint, shard_size, model_factory, device, checkpoint_key)
    targets = parse_precision(DEFAULT_PRECISION if isinstance(precision, str) and precision == "default" else precision)
    check_precision_applies(precision, masking)
    masking = resolve_masking(masking, bg_in[0].shape[0], int(n_background), targets)
    inner = dict(target=target, output=output, modality_names=names, n_background=n_background, n_draws=n_draws,
                 batch_size=batch_size, precision=precision, seed=seed, labels=labels, class_names=class_names,
                 progress=progress, allow_nonfinite=allow_nonfinite, client=client, checkpoint=checkpoint,
                 checkpoint_key=checkpoint_key, shard_size=shard_size, factorise=False, allow_nondeterministic=allow_nondeterministic)
    if isinstance(model, Factorised):
        if place.model_factory is not None or place.device is not None:
            raise ValueError("a Factorised model runs its encoders here: model_factory= and device= do not apply")
        # encoders once per sample and background row, the head per coalition
        head, xs_in, background, baseline = encoded_inputs(  # encoders get copies, never X itself
            model, copies(xs_in), None if chk.background_is_x else copies(bg_in), masking,
            int(n_background), baseline, int(seed))
        res = explain(head, xs_in, background, masking=masking, baseline=baseline, **inner)
        res.settings["factorised"] = True
        return res
    first = _first_layer(model, chk, factorise, place, call, output_key,
                         make_masker(masking, int(n_background), int(n_draws), baseline, int(seed)))
    if first is not None:  # early fusion: the first layer per modality, once per row
        fl, masker = first
        from .first_layer_masking import first_layer_inputs

        head, zs, z_bg, masker = first_layer_inputs(fl, xs_in, None if chk.background_is_x else bg_in, masker)
        res = explain(head, zs, z_bg, masking=masker, device=device, **inner)
        res.settings["factorised"] = True
        res.settings["first_layer"] = {"dims": list(fl.dims), "hidden": int(fl.linear.out_features)}
        return res
    res = _explain_checked(model, chk, target=target, output=output, masking=masking, n_background=n_background,
                           n_draws=n_draws, baseline=baseline, batch_size=batch_size, class_names=class_names,
                           progress=progress, call=call, output_key=output_key, given=X, targets=targets,
                           place=place, allow_nondeterministic=allow_nondeterministic)
    warn_if_degenerate(res)  # once per call: a score dominated by cancellation
    return res


def _first_layer(model: Any, chk: Any, factorise: Any, place: Placement, call: Any, output_key: Any,
                 masker: Masker) -> tuple | None:
    """``(first layer, masker)`` when the run factorises an early-fusion first layer
    (:mod:`.first_layer`), else None; ``factorise=True`` or a declared first layer
    that cannot be used is an error."""
    if factorise not in ("auto", True, False):
        raise ValueError(f"factorise must be 'auto', True or False, got {factorise!r}")
    try:
        from . import first_layer as fl_mod
        from .first_layer_masking import supported
    except ImportError:  # pragma: no cover - torch is optional
        return None
    declared = isinstance(model, fl_mod.FirstLayer)
    if factorise is False:
        return None
    usable = place.model_factory is None and call is None and output_key is None
    fl = fl_mod.resolve(model, chk.xs) if declared else (fl_mod.detect(model, chk.xs) if usable else None)
    if fl is not None and usable and supported(masker):
        return fl, masker
    if declared or factorise is True:
        raise ValueError(
            "factorise=True needs a first layer over the concatenated modalities that the run can use "
            f"(model {type(model).__name__}, masking {type(masker).__name__}, call={call!r}, output_key="
            f"{output_key!r}, model_factory given: {place.model_factory is not None}); declare it with "
            "isw.Factorised.first_layer(model, dims) or pass factorise='auto'")
    return None


def _explain_checked(model: Any, chk: Any, *, target: Any, output: str, masking: Any, n_background: int,
                     n_draws: int, baseline: Any, batch_size: int | None, class_names: Any,
                     progress: bool, call: str | None, output_key: Any, given: Any,
                     targets: dict | None, place: Placement, allow_nondeterministic: bool = False) -> InteractionResult:
    """The exact run on checked inputs (:class:`~.checks.Checked`): masker, probe, the long
    run (here or on Dask workers), assembly, and the degenerate-score warning."""
    xs_in, bg_in, names, labels, seed = chk.xs, chk.background, chk.names, chk.labels, chk.seed
    masker = make_masker(masking, int(n_background), int(n_draws), baseline, int(seed))
    n_source = bg_in[0].shape[0]
    if isinstance(masker, BackgroundMasker):
        bg_in = masker.kept_background(bg_in)
    spec = spec_of(given, xs_in, names)
    bar = progress_bar(0, progress)
    try:
        job = launch(place, model, masker, xs_in, bg_in, names, spec, bar,
                     n_coalitions=len(coalition_codes(len(xs_in), masker.shared_empty)), call=call,
                     output_key=output_key, output=output, target=target, class_names=class_names,
                     batch_size=batch_size,
                     open_store=store_opener(place, model, xs_in, bg_in, target, seed, baseline, targets,
                                             call=call, output_key=output_key),
                     allow_nondeterministic=allow_nondeterministic)
        try:
            run = run_passes(job.engine, masker, len(xs_in), job.n_cols, job.output, target, targets)
        finally:
            job.close()
    finally:
        bar.close()
    output, engine = job.output, job.engine
    settings = {
        **masker.describe(), "output": output, "seed": int(seed), "model_rows": int(engine.model_rows),
        "batch_size": int(job.step), "calibration_rows": job.calibration_rows,
        "output_dtype": job.output_dtype or "float64",  # judges what is rounding noise (maths/scores.py)
        "shards": len(engine.shards),
    }
    if place.checkpoint is not None:
        settings["checkpoint"] = {"path": place.checkpoint, "shards_read_back": engine.shards_loaded,
                                  "shards_run": engine.shards_run}
    if _has_background(masker):  # which advice the cancellation warning gives (maths/diagnostics.py)
        settings["background_overlap"] = background_overlap(xs_in, bg_in, chk.background_is_x)
    reason = _degenerate(masker, output, target, job.n_cols, settings.get("background_overlap", 0.0))
    if reason is not None:
        settings["degenerate_global"] = reason
    res = _assemble(run.values, run.full, run.cls, output, target, names, class_names, labels, settings)
    res = attach_masking_error(res, masker, run.rows, run.values, run.cls, target == "all", n_source, run.targets,
                               run.rounds, run.empty_rows)
    if reason is not None:
        warn_degenerate(reason, float(res.intershap), float(res.intershap_local_mean))
    check_model_fit(res, model, class_names, job.n_cols)  # with labels: the model's accuracy, chance level warned
    return res


def _has_background(masker: Masker) -> bool:
    """Whether absent modalities come from background rows (not a baseline or a function)."""
    return isinstance(masker, (RandomMasker, BackgroundMasker, SampledMasker)) and not isinstance(masker, BaselineMasker)


def _degenerate(masker: Masker, output: str, target: Any, n_cols: int, overlap: float) -> str | None:
    """The reason the global score is degenerate (fixed output, background overlapping X)."""
    if not _has_background(masker) or not is_fixed_output(output, target, n_cols):
        return None
    return degenerate_reason(output, target, n_cols, overlap)


def explain_factorised(model: Factorised, X: Sequence[Any], background: Sequence[Any] | None = None, **kwargs: Any):
    """:func:`explain` for a :class:`~intershap_widget.explainers.factorised.Factorised`
    model: encoders once per sample and per background row, the head per coalition.
    Same arguments and result as ``explain``."""
    if not isinstance(model, Factorised):
        raise TypeError(f"explain_factorised needs a Factorised model, got {type(model).__name__}")
    return explain(model, X, background, **kwargs)


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
