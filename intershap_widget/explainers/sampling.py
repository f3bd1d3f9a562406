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

__all__ = [
    "MAX_SAMPLED_MODALITIES", "MIN_DRAWS_FOR_SE", "MIN_STRATUM_FOR_SE", "NEAR_ZERO_GLOBAL", "NEAR_ZERO_LOCAL",
    "SamplingWarning", "reliable_budget", "Design", "design", "phi_weights", "SampledResult", "estimate",
    "sample_interactions", "structured_game", "table_value_function", "model_value_function", "sample_explain",
]


def sample_interactions(
    value_fn: Callable[[np.ndarray], np.ndarray],
    n_players: int,
    budget: int,
    *,
    seed: int = 0,
    modality_names: Sequence[str] | None = None,
    chunk: int | None = None,
    progress: bool = False,
) -> SampledResult:
    """Sampled Shapley values, φ and InterSHAP with standard errors.

    value_fn: maps coalition masks ``(B, M)`` bool to values ``(N, B)`` (the same N
    samples on every call). budget: coalitions evaluated per sample (≥ 2M is the
    minimum; 2**M gives the exact result). chunk: coalitions per call (default all).
    """
    check_names(modality_names, int(n_players))  # fail before any model evaluation
    des = design(n_players, budget, seed)
    masks = des.masks
    step = des.n_evaluations if chunk is None else max(1, int(chunk))
    outs = []
    from tqdm.auto import tqdm

    with tqdm(total=des.n_evaluations, disable=not progress, desc="coalitions", leave=False) as bar:
        for start in range(0, des.n_evaluations, step):
            part = masks[start:start + step]
            out = np.asarray(value_fn(part.copy()), dtype=np.float64)
            if out.ndim != 2 or out.shape[1] != len(part) or (outs and out.shape[0] != outs[0].shape[0]):
                raise ValueError(
                    f"value_fn must return (N, B) values for B={len(part)} coalitions, got {out.shape}"
                )
            outs.append(out)
            bar.update(len(part))
    return estimate(np.concatenate(outs, axis=1), des, modality_names,
                    settings={"budget": int(budget), "seed": int(seed), "sampler": "stratified"})


def model_value_function(
    model: Any,
    X: Sequence[Any],
    background: Sequence[Any] | None = None,
    *,
    target: str | int = "predicted",
    output: str = "auto",
    n_background: int = 100,
    batch_size: int = 8192,
    seed: int = 0,
) -> tuple[Callable[[np.ndarray], np.ndarray], dict]:
    """A value function ``masks (B, M) → (N, B)`` for a model, with expectation masking.

    Reuses the engine's adapters and :class:`~intershap_widget.explainers.maskers.BackgroundMasker`:
    v_a(S) is the mean output over the background rows with x_a on S. Returns the
    function and a dict of settings (target classes, output mode).
    """
    from .checks import check_modalities
    from .maskers import BackgroundMasker
    from .adapters import as_model, resolve_output

    xs_in = check_modalities(X, "X")
    bg_in = xs_in if background is None else check_modalities(background, "background")
    m = len(xs_in)
    if len(bg_in) != m:
        raise ValueError(f"background has {len(bg_in)} modalities but X has {m}")
    n = xs_in[0].shape[0]
    if any(x.shape[0] != n for x in xs_in):
        raise ValueError("every modality needs the same number of samples")
    masker = BackgroundMasker(n_background=n_background, seed=seed)
    keep = masker.select_rows(bg_in[0].shape[0])
    if keep is not None:
        bg_in = [b[keep] for b in bg_in]
    adapter = as_model(model)
    out_mode = adapter.default_output() if output == "auto" else output
    with adapter.session():
        xs = [adapter.to_backend(x) for x in xs_in]
        bg = [adapter.to_backend(b) for b in bg_in]
        masker.bind(adapter, bg)
        raw = np.concatenate([_raw(adapter, [x[i:i + batch_size] for x in xs]) for i in range(0, n, batch_size)])
    if raw.ndim == 1:
        raw = raw[:, None]
    out_mode = resolve_output(out_mode, raw)
    if out_mode == "regression":
        cls = np.zeros(n, dtype=np.int64)
    elif target == "predicted":
        cls = raw.argmax(axis=1)  # softmax keeps the argmax
    else:
        if not 0 <= int(target) < raw.shape[1]:
            raise ValueError(f"target class {target} out of range: the model returns {raw.shape[1]} outputs")
        cls = np.full(n, int(target), dtype=np.int64)
    k = masker.n_rows

    def fn(masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks, dtype=bool)
        b = masks.shape[0]
        result = np.empty((n, b))
        pairs = max(1, batch_size // k)
        total = n * b
        with adapter.session():
            for start in range(0, total, pairs):
                p = np.arange(start, min(total, start + pairs))
                sample, coal = p // b, p % b
                x_block = [adapter.take(x, sample) for x in xs]
                inputs = masker.build(x_block, masks[coal], sample, coal)
                out = adapter.to_numpy(adapter.transform(adapter(inputs), out_mode))
                out = out.reshape(len(p), k, -1).mean(axis=1)
                result[sample, coal] = out[np.arange(len(p)), cls[sample]]
        return result

    return fn, {"output": out_mode, "target_class": cls, "n_background": k}


def _raw(adapter: Any, inputs: list) -> np.ndarray:
    return adapter.to_numpy(adapter(inputs))


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
    batch_size: int = 8192,
    seed: int = 0,
    progress: bool = True,
) -> SampledResult:
    """Like :func:`intershap_widget.explain`, but with ``budget`` sampled coalitions per
    sample instead of all 2**M (expectation masking over the background)."""
    check_names(modality_names, len(X))  # bad input fails before any model evaluation
    design(len(X), budget, seed)
    fn, info = model_value_function(model, X, background, target=target, output=output,
                                    n_background=n_background, batch_size=batch_size, seed=seed)
    m = len(X)
    res = sample_interactions(fn, m, budget, seed=seed, modality_names=modality_names, progress=progress)
    res.settings.update({k: v for k, v in info.items() if k != "target_class"})
    res.settings["target"] = target
    return res
