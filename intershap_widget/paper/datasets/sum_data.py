"""SUM data for two modalities (paper appendix A, after Liang et al. 2023)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .dataset import MultimodalDataset, _finish

__all__ = ["sum_dataset"]

#: SUM settings: which latent entries enter the label sum, as (first k of x1, first k of x2, first k of r).
_SUM_PARTS = {
    "uniqueness1": (60, 0, 0),
    "uniqueness2": (0, 60, 0),
    "mix1": (60, 30, 0),
    "mix2": (60, 15, 0),
    "synergy": (60, 60, 0),
    "redundancy": (0, 0, 40),
}


def sum_dataset(
    setting: str = "synergy",
    n_samples: int = 20_000,
    *,
    seed: int = 0,
    threshold: float = 0.5,
    modality_names: Sequence[str] | None = None,
) -> MultimodalDataset:
    """SUM data for two modalities (paper appendix A, after Liang et al. 2023).

    Three vectors ``x1, x2 ∈ R^60`` and ``r ∈ R^40`` are drawn from N(0, I) and scaled to
    unit length; modality 1 is ``[x1, r]`` and modality 2 is ``[x2, r]`` (100 features
    each). The label is 1 iff a sum of entries exceeds ``threshold`` (0.5):
    ``uniqueness1``: all of x1; ``uniqueness2``: all of x2; ``synergy``: x1 and x2;
    ``mix1``: x1 and the first half of x2; ``mix2``: x1 and the first quarter of x2;
    ``redundancy``: r. The paper does not give the parts used for the mixes; these are
    this package's choice. ``latent`` holds the three partial sums ``(N, 3)``.
    """
    if setting not in _SUM_PARTS:
        raise ValueError(f"unknown SUM setting {setting!r}; use one of {sorted(_SUM_PARTS)}")
    if n_samples < 20:
        raise ValueError(f"n_samples must be at least 20 for a 70/15/15 split, got {n_samples}")
    rng = np.random.default_rng(seed)
    n = int(n_samples)
    x1, x2, r = (rng.standard_normal((n, k)) for k in (60, 60, 40))
    x1, x2, r = (v / np.linalg.norm(v, axis=1, keepdims=True) for v in (x1, x2, r))
    k1, k2, kr = _SUM_PARTS[setting]
    latent = np.stack([x1[:, :k1].sum(1), x2[:, :k2].sum(1), r[:, :kr].sum(1)], axis=1)
    y = (latent.sum(1) > threshold).astype(np.int64)
    X = [np.concatenate([x1, r], axis=1), np.concatenate([x2, r], axis=1)]
    carriers = [[0, 2], [1, 2]]
    params = dict(threshold=threshold, parts=dict(zip(("x1", "x2", "r"), (k1, k2, kr))))
    return _finish(X, y, latent, carriers, "sum", setting, seed, params, modality_names)
