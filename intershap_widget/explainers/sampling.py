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
from .degenerate import background_overlap, degenerate_reason, is_fixed_output, warn_degenerate

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
    from .adapters import as_model
    from .exact import _probe
    from .maskers import BackgroundMasker
    from .inputs import spec_of
    from .run import Run, auto_batch_size

    chk = validate_call(X, background, modality_names=modality_names, seed=seed, batch_size=batch_size,
                        n_background=n_background, target=target, output=output, targets=("predicted",),
                        max_modalities=MAX_SAMPLED_MODALITIES, allow_nonfinite=allow_nonfinite)
    xs_in, bg_in = chk.xs, chk.background
    masker = BackgroundMasker(n_background=chk.n_background, seed=chk.seed)
    keep = masker.select_rows(bg_in[0].shape[0])
    if keep is not None:
        bg_in = [b[keep] for b in bg_in]
    adapter = as_model(model, call, output_key, output, inputs=spec_of(X, xs_in, chk.names))
    out_mode = adapter.default_output() if output == "auto" else output
    n = xs_in[0].shape[0]
    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        masker.bind(adapter, [adapter.to_backend(b) for b in bg_in])
        out_mode, n_cols = _probe(adapter, masker, xs, out_mode, target, None)
        step = chk.batch_size or auto_batch_size(xs, masker.n_rows)  # as explain()
        run = Run(adapter, masker, xs, out_mode, step, names=chk.names, n_cols=n_cols)
        bar = _NoBar()
        full = run.full_outputs(bar)
        empty = run.mean_over_rows(masker.empty_inputs(), bar)
    if out_mode == "regression":
        cls = np.zeros(n, dtype=np.int64)
    elif target == "predicted":
        cls = full.argmax(axis=1)  # softmax keeps the argmax
    else:
        cls = np.full(n, int(target), dtype=np.int64)
    rows = np.arange(n)
    k = masker.n_rows

    def fn(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        result = np.empty((n, masks.shape[0]))
        everyone, nobody = masks.all(axis=1), ~masks.any(axis=1)
        result[:, everyone] = full[rows, cls][:, None]
        result[:, nobody] = empty[cls][:, None]
        inner = np.flatnonzero(~everyone & ~nobody)
        total, pairs = n * len(inner), max(1, run.batch_size // k)
        with adapter.session():
            for start in range(0, total, pairs):
                p = np.arange(start, min(total, start + pairs))
                sample, col = p // len(inner), inner[p % len(inner)]
                out = run.pair_outputs(sample, masks[col], col)
                result[sample, col] = out[np.arange(len(p)), cls[sample]]
        return result

    reason = None
    if is_fixed_output(out_mode, target, n_cols):
        reason = degenerate_reason(out_mode, target, n_cols, background_overlap(xs_in, bg_in, chk.background_is_x))
    return fn, {"output": out_mode, "target_class": cls, "n_background": k, "seed": chk.seed, "batch_size": step,
                "degenerate_global": reason,
                "modality_names": chk.names}


class _NoBar:
    def update(self, n: int) -> None:
        pass


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
) -> SampledResult:
    """Like :func:`intershap_widget.explain`, but with ``budget`` sampled coalitions per
    sample instead of all 2**M (expectation masking over the background). ``X`` takes the
    same forms (list, dict, groups) and ``call``/``output_key`` the same meaning.

    The same input checks as ``explain`` (``target="all"`` is not available here). A
    budget of 2**M or more is the exact computation (every coalition once, at the exact
    path's cost: N·(2**M − 2)·K + N + K model rows; standard errors 0): asking for it
    is never more expensive than ``explain``.
    """
    budget = check_count(budget, "budget (coalitions per sample)")
    m = len(X) if isinstance(X, (list, tuple, dict)) else 0
    if m >= 2:
        design(m, budget, 0)  # a budget too small fails before any model call
    fn, info = model_value_function(model, X, background, target=target, output=output,
                                    n_background=n_background, batch_size=batch_size, seed=seed,
                                    modality_names=modality_names, allow_nonfinite=allow_nonfinite,
                                    call=call, output_key=output_key)
    res = sample_interactions(fn, m, budget, seed=info["seed"], modality_names=info["modality_names"],
                              progress=progress)
    res.settings.update({k: v for k, v in info.items()
                         if k not in ("target_class", "modality_names") and v is not None})
    res.settings["target"] = target
    res.settings["budget_asked"] = budget
    if info["degenerate_global"] is not None:  # fixed output against its own samples
        warn_degenerate(info["degenerate_global"], res.intershap, res.intershap_local_mean)
    return res
