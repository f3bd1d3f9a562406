"""The sampled path of :func:`~.feature_explain.explain_features`: paired permutations of
the features (the same for every coalition S of the other modalities and every sample),
evaluated through the engine of :func:`~.sampling.model_value_function` (expectation
masking, the same checks, batches and background rows as ``explain``), estimated by
:func:`intershap_widget.maths.feature_sampling.permutation_parts`.

Cost: U·N·K + N + K model rows, U the distinct joint coalitions met along the
permutations (at most 2**(M−1)·(R·(G−1) + 2)).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..maths.errors import InputError
from ..maths import games
from ..maths.feature_result import FeatureResult
from ..maths.feature_sampling import paired_permutations, permutation_parts, prefix_masks
from ..maths.features import modality_values
from ..maths.result import InteractionResult
from .sampling import model_value_function

__all__ = ["sampled_parts", "joint_masks"]

#: options of ``explain`` the sampled path takes (it masks with the expectation)
_PASSED = ("target", "output", "n_background", "batch_size", "seed", "modality_names", "allow_nonfinite")


def joint_masks(m: int, perms: np.ndarray) -> np.ndarray:
    """Joint coalitions along the permutations: ``(2**(M-1), R, G+1, M-1+G)`` bool, the
    other modalities' bits first, then the first k features of permutation r."""
    s = games.coalition_masks(m - 1) if m > 1 else np.zeros((1, 0), dtype=bool)
    p = prefix_masks(perms)  # (R, G+1, G)
    n_s, (r, g1, g) = s.shape[0], p.shape
    left = np.broadcast_to(s[:, None, None, :], (n_s, r, g1, m - 1))
    right = np.broadcast_to(p[None], (n_s, r, g1, g))
    return np.concatenate([left, right], axis=3)


def sampled_parts(adapter: Any, joint_x: list, joint_bg: list, m: int, i: int, g: int, n_permutations: int,
                  options: dict, common: dict) -> FeatureResult:
    """Estimate the parts from ``n_permutations`` (rounded up to pairs) permutations."""
    from tqdm.auto import tqdm

    masking = options.get("masking", "expectation")
    if not (isinstance(masking, str) and masking == "expectation"):
        raise InputError(f"the sampled feature path masks with the expectation over the background; got "
                         f"masking={masking!r}: use masking='expectation' or fewer features (exact path)")
    seed = int(options.get("seed", 0) or 0)
    perms = paired_permutations(g, -(-n_permutations // 2), seed)
    masks = joint_masks(m, perms)
    flat = masks.reshape(-1, masks.shape[-1])
    unique, inverse = np.unique(flat, axis=0, return_inverse=True)
    kwargs = {k: options[k] for k in _PASSED if k in options}
    fn, info = model_value_function(adapter, joint_x, joint_bg, **kwargs)
    n, progress = len(common["samples"]), options.get("progress", True)
    if progress:
        print(f"explain_features: {g} features, {len(perms)} permutations (paired), {len(unique)} coalitions per "
              f"sample: {len(unique) * n * info['n_background']:,} model rows (N={n}, K={info['n_background']})")
    step = max(1, int(options.get("chunk", 256)))
    values = np.empty((n, len(unique)))
    with tqdm(total=len(unique), disable=not progress, desc="coalitions", leave=False) as bar:
        for start in range(0, len(unique), step):
            values[:, start:start + step] = fn(unique[start:start + step])
            bar.update(min(step, len(unique) - start))
    prefix = values[:, inverse.ravel()].reshape((n,) + masks.shape[:3])
    est = permutation_parts(prefix, perms, i, m)
    ends = prefix[:, :, 0, [0, g]]  # v(S, ∅), v(S, G): (N, 2**(M-1), 2)
    result = InteractionResult(modality_values(ends, i), modality_names=common["modality_names"],
                               target=options.get("target", "predicted"), target_class=info["target_class"],
                               sample_index=common["samples"], settings={"masking": "expectation", **{k: v for k, v in info.items() if k not in ("target_class", "modality_names")}})
    common.update(effect=est["effect"], interaction=est["parts"], effect_se=est["effect_se"],
                  interaction_se=est["parts_se"], result=result)
    settings = {"path": "sampled", "features": g, "n_permutations": len(perms), "coalitions": len(unique),
                "n_background": info["n_background"], "seed": seed}
    return FeatureResult(**common, settings=settings)
