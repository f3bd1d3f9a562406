"""Coalition sampling for many modalities, on a model: :func:`sample_explain` builds a
value function ``masks (B, M) -> (N, B)`` from the model (expectation masking over the
background) and hands it to :func:`sample_interactions`, which evaluates the sampled coalitions of any
value function and estimates with :mod:`intershap_widget.maths.sampling_estimate`
(design and theory: :mod:`intershap_widget.maths.sampling_design`).

The sampler's names are re-exported here for convenience.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..maths.sampled_result import SampledResult
from ..maths.sampling_bias import BIAS_WARN_SE
from ..maths.sampling_design import (
    MAX_SAMPLED_MODALITIES,
    MIN_DRAWS_FOR_SE,
    MIN_STRATUM_FOR_SE,
    NEAR_ZERO_GLOBAL,
    NEAR_ZERO_LOCAL,
    Design,
    SamplingWarning,
    design,
    phi_weights,
    reliable_budget,
)
from ..maths.sampling_estimate import check_names, estimate, structured_game, table_value_function
from .checks import check_count, check_seed, validate_call
from .frames import prepare as prepare_frames, uses_frames
from .degenerate import background_overlap, degenerate_reason, is_fixed_output, warn_degenerate
from .inputs import spec_of
from .launch import launch, store_opener
from .maskers import BackgroundMasker
from .placement import Placement, check_placement
from .run import progress_bar
from .shards import PassSpec, target_classes

__all__ = [
    "MAX_SAMPLED_MODALITIES", "MIN_DRAWS_FOR_SE", "MIN_STRATUM_FOR_SE", "NEAR_ZERO_GLOBAL", "NEAR_ZERO_LOCAL",
    "SamplingWarning", "BIAS_WARN_SE", "reliable_budget", "Design", "design", "phi_weights", "SampledResult", "estimate",
    "sample_interactions", "structured_game", "table_value_function", "model_value_function", "sample_explain",
]


def sample_interactions(
    value_fn: Callable[[np.ndarray], np.ndarray],
    n_players: int,
    budget: int,
    *,
    seed: int | None = 0,
    modality_names: Sequence[str] | None = None,
    chunk: int | None = None,
    progress: bool = False,
) -> SampledResult:
    """Sampled Shapley values, φ and InterSHAP with standard errors.

    value_fn: maps coalition masks ``(B, M)`` bool to values ``(N, B)`` (the same N
    samples on every call). budget: coalitions evaluated per sample (≥ 2M is the
    minimum; 2**M or more gives the exact result: every coalition once, standard
    errors 0). chunk: coalitions per call (default all). seed: a whole number ≥ 0, or
    None for fresh entropy (recorded in ``settings["seed"]``).
    """
    check_names(modality_names, int(n_players))  # fail before any model evaluation
    seed = check_seed(seed)
    budget = check_count(budget, "budget (coalitions per sample)")
    des = design(n_players, budget, seed)
    masks = des.masks
    step = des.n_evaluations if chunk is None else check_count(chunk, "chunk")
    outs = []
    from tqdm.auto import tqdm

    with tqdm(total=des.n_evaluations, disable=not progress, desc="coalitions", leave=False) as bar:
        for start in range(0, des.n_evaluations, step):
            part = masks[start:start + step]
            out = np.asarray(value_fn(part.copy()))
            if np.iscomplexobj(out):
                raise TypeError(f"value_fn returned complex values ({out.dtype}); return real numbers")
            out = out.astype(np.float64, copy=False)
            if out.ndim != 2 or out.shape[1] != len(part) or (outs and out.shape[0] != outs[0].shape[0]):
                raise ValueError(
                    f"value_fn must return (N, B) values for B={len(part)} coalitions, got {out.shape}"
                )
            if not np.all(np.isfinite(out)):
                a, b = np.argwhere(~np.isfinite(out))[0]
                raise ValueError(
                    f"value_fn returned NaN or inf for sample {a} at coalition {np.flatnonzero(part[b]).tolist()} "
                    f"(call {len(outs) + 1}, coalitions {start}–{start + len(part) - 1} of {des.n_evaluations})")
            outs.append(out)
            bar.update(len(part))
    settings = {"budget": int(budget), "seed": int(seed), "sampler": "exact" if des.is_exact else "stratified"}
    return estimate(np.concatenate(outs, axis=1), des, modality_names, settings=settings)


def model_value_function(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    target: str | int = "predicted",
    output: str = "auto",
    n_background: int = 100,
    batch_size: int | None = None,
    seed: int | None = 0,
    modality_names: Sequence[str] | None = None,
    allow_nonfinite: bool = False,
    call: str | None = None,
    output_key: Any = None,
) -> tuple[Callable[[np.ndarray], np.ndarray], dict]:
    """A value function ``masks (B, M) → (N, B)`` for a model, with expectation masking.

    The same checks and engine as :func:`~intershap_widget.explainers.exact.explain`
    (one input validation, a probe, every model call checked, the model only sees new
    arrays): v_a(S) is the mean output over the background rows with x_a on S; v(N) is
    evaluated once per sample and v(∅) once over the background. Returns the function
    and a dict of settings (target classes, output mode, background rows, seed).
    """
    job, fn, info = _start(model, X, background, Placement(), None, target=target, output=output,
                           n_background=n_background, batch_size=batch_size, seed=seed,
                           modality_names=modality_names, allow_nonfinite=allow_nonfinite, call=call,
                           output_key=output_key, budget=None, progress=False)
    return fn, info


def _start(model: Any, X: Any, background: Any, place: Placement, bar, *, target: Any, output: str,
           n_background: int, batch_size: int | None, seed: Any, modality_names: Any, allow_nonfinite: bool,
           call: Any, output_key: Any, budget: int | None, progress: bool) -> tuple:
    """Check, probe and start the run; v(N) and v(∅): ``(launched run, value function, settings)``."""
    chk = validate_call(X, background, modality_names=modality_names, seed=seed, batch_size=batch_size,
                        n_background=n_background, target=target, output=output, targets=("predicted",),
                        max_modalities=MAX_SAMPLED_MODALITIES, allow_nonfinite=allow_nonfinite)
    xs_in, bg_in, m = chk.xs, chk.background, len(chk.xs)
    if budget is not None:
        design(m, budget, 0)  # a budget too small fails before any model call
    masker = BackgroundMasker(n_background=chk.n_background, seed=chk.seed)
    bg_in = masker.kept_background(bg_in)
    n_eval = max(1, min(budget if budget is not None else 1 << min(m, 20), (1 << min(m, 40)) - 2))
    extra = {"budget": budget, "sampler": "coalitions"}
    bar = progress_bar(0, progress) if bar is None else bar
    job = launch(place, model, masker, xs_in, bg_in, chk.names, spec_of(X, xs_in, chk.names), bar,
                 n_coalitions=n_eval, call=call, output_key=output_key, output=output, target=target,
                 class_names=None, batch_size=chk.batch_size,
                 open_store=store_opener(place, model, xs_in, bg_in, target, chk.seed, extra=extra, call=call,
                                         output_key=output_key))
    try:
        fn, cls = _engine_value_function(job, m, target)
    except BaseException:
        job.close()
        raise
    reason = None
    if is_fixed_output(job.output, target, job.n_cols):
        reason = degenerate_reason(job.output, target, job.n_cols,
                                   background_overlap(xs_in, bg_in, chk.background_is_x))
    info = {"output": job.output, "target_class": cls, "n_background": masker.n_rows, "seed": chk.seed,
            "batch_size": job.step, "degenerate_global": reason, "modality_names": chk.names,
            "shards": len(job.engine.shards)}
    return job, fn, info


def _engine_value_function(job: Any, m: int, target: Any) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray]:
    """v(N) and v(∅) now, and ``masks (B, M) → (N, B)`` evaluating the other coalitions
    as one pass over the shards per call: ``(function, explained classes (N,))``."""
    engine = job.engine
    none = np.zeros((0, m), dtype=bool)
    first = engine.run_pass(PassSpec(0, np.zeros(0, dtype=np.int64), none, with_full=True), None)
    empty = engine.empty(engine.k)  # expectation masking: v(∅) over the K background rows
    n, calls = engine.n, [0]
    cls = target_classes(first.full, job.output, target)
    full, nothing = first.full[np.arange(n), cls], empty.mean[cls]
    bits = np.left_shift(np.int64(1), np.arange(m, dtype=np.int64))

    def fn(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        result = np.empty((n, masks.shape[0]))
        everyone, nobody = masks.all(axis=1), ~masks.any(axis=1)
        result[:, everyone] = full[:, None]
        result[:, nobody] = nothing[:, None]
        inner = np.flatnonzero(~everyone & ~nobody)
        calls[0] += 1
        part = engine.run_pass(PassSpec(calls[0], masks[inner] @ bits, masks[inner], with_full=False), cls)
        result[:, inner] = part.values[:, :, 0]
        return result

    return fn, cls


def sample_explain(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    budget: int = 256,
    target: str | int = "predicted",
    output: str = "auto",
    modality_names: Sequence[str] | None = None,
    n_background: int = 100,
    batch_size: int | None = None,
    seed: int | None = 0,
    progress: bool = True,
    allow_nonfinite: bool = False,
    call: str | None = None,
    output_key: Any = None,
    client: Any = None,
    checkpoint: str | None = None,
    checkpoint_key: str | None = None,
    shard_size: int | None = None,
    model_factory: Any = None,
    device: Any = None,
    modalities: Any = None,
) -> SampledResult:
    """Like :func:`intershap_widget.explain`, but with ``budget`` sampled coalitions per
    sample instead of all 2**M (expectation masking over the background). ``X`` takes the
    same forms (list, dict, groups, a DataFrame with ``modalities=``) and ``call``/``output_key`` the same meaning.

    The same input checks as ``explain`` (``target="all"`` is not available here). A
    budget of 2**M or more is the exact computation (every coalition once, at the exact
    path's cost: N·(2**M − 2)·K + N + K model rows; standard errors 0): asking for it
    is never more expensive than ``explain``. ``client``, ``checkpoint``, ``checkpoint_key``, ``shard_size``,
    ``model_factory`` and ``device`` shard the samples as in ``explain`` (docs/scale.md):
    each call of the value function is one pass over the shards.
    """
    budget = check_count(budget, "budget (coalitions per sample)")
    if uses_frames(X, modalities):  # a DataFrame with column groups, as in explain
        model, X, background = prepare_frames(model, X, background, modalities)
    place = check_placement(model, client, checkpoint, shard_size, model_factory, device, checkpoint_key)
    m = len(X) if isinstance(X, (list, tuple, dict)) else 0
    bar = progress_bar(0, progress)
    try:
        job, fn, info = _start(model, X, background, place, bar, target=target, output=output,
                               n_background=n_background, batch_size=batch_size, seed=seed,
                               modality_names=modality_names, allow_nonfinite=allow_nonfinite, call=call,
                               output_key=output_key, budget=budget, progress=progress)
        try:
            res = sample_interactions(fn, m, budget, seed=info["seed"], modality_names=info["modality_names"])
        finally:
            job.close()
    finally:
        bar.close()
    res.settings.update({k: v for k, v in info.items()
                         if k not in ("target_class", "modality_names") and v is not None})
    res.settings["model_rows"] = int(job.engine.model_rows)
    if place.checkpoint is not None:
        res.settings["checkpoint"] = {"path": place.checkpoint, "shards_read_back": job.engine.shards_loaded,
                                      "shards_run": job.engine.shards_run}
    res.settings["target"] = target
    res.settings["budget_asked"] = budget
    if info["degenerate_global"] is not None:  # fixed output against its own samples
        warn_degenerate(info["degenerate_global"], res.intershap, res.intershap_local_mean)
    return res
