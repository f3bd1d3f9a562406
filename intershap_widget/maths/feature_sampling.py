"""Sampled feature-level parts for many features: paired permutations over the features.

For each sample and every coalition S of the other modalities, a permutation π of the G
features gives the marginal contribution of each feature on its way in,
v(S, π_{<g} ∪ {g}) − v(S, π_{<g}); their average over permutations is A[S, g] of
:mod:`.features`, and the effect and interaction parts are the same linear map of it.
Permutations come in antithetic pairs (π and its reverse) and every S uses the same
permutations (common random numbers: the differences over S inside φ_ij lose the noise
they share). Consequences, for every draw:

* the contributions of one permutation telescope to v(S, G) − v(S, ∅), so the parts sum
  to the modality-level Shapley value and φ_ij exactly (standard error 0);
* a feature the model never reads contributes exactly 0 in every permutation;
* a feature acting only inside its modality has the same contributions for every S,
  hence interaction parts exactly 0.

Standard errors: the spread of the R/2 pair estimates, divided by √(R/2).
"""

from __future__ import annotations

import numpy as np

from .features import parts_from_feature_shapley

__all__ = ["paired_permutations", "prefix_masks", "permutation_parts"]


def paired_permutations(n_features: int, n_pairs: int, seed: int) -> np.ndarray:
    """``(2·n_pairs, G)`` permutations of the features: row 2r+1 is row 2r reversed."""
    g, p = int(n_features), int(n_pairs)
    if p < 2:
        raise ValueError(f"at least 2 pairs of permutations are needed for a standard error, got {n_pairs}")
    rng = np.random.default_rng(seed)
    first = np.argsort(rng.random((p, g)), axis=1)
    out = np.empty((2 * p, g), dtype=np.int64)
    out[0::2], out[1::2] = first, first[:, ::-1]
    return out


def prefix_masks(perms: np.ndarray) -> np.ndarray:
    """Feature subsets met along each permutation: ``(R, G+1, G)`` bool, entry [r, k] the
    first k features of permutation r (k = 0: none, k = G: all)."""
    r, g = perms.shape
    pos = np.argsort(perms, axis=1)  # position of each feature in its permutation
    return pos[:, None, :] < np.arange(g + 1)[None, :, None]


def permutation_parts(prefix_values: np.ndarray, perms: np.ndarray, modality: int,
                      n_modalities: int) -> dict[str, np.ndarray]:
    """Estimates and standard errors from the values along the permutations.

    prefix_values: ``(N, 2**(M-1), R, G+1)``: v(S, first k features of permutation r);
    perms: ``(R, G)`` from :func:`paired_permutations`. Returns ``effect (N, G)``,
    ``parts (N, M, G)`` (as :func:`~.features.parts_from_feature_shapley`) and their
    standard errors ``effect_se``, ``parts_se``.
    """
    pv = np.asarray(prefix_values, dtype=np.float64)
    n, n_s, r, g1 = pv.shape
    g = g1 - 1
    if perms.shape != (r, g) or r % 2:
        raise ValueError(f"perms must be (R, G) = ({r}, {g}) with R even, got {perms.shape}")
    steps = np.diff(pv, axis=3)  # (N, S, R, G): contribution of the k-th feature of each permutation
    pos = np.argsort(perms, axis=1)  # (R, G)
    a = np.take_along_axis(steps, np.broadcast_to(pos[None, None], steps.shape), axis=3)  # by feature
    pairs = 0.5 * (a[:, :, 0::2] + a[:, :, 1::2])  # (N, S, R/2, G)
    n_pairs = pairs.shape[2]
    folded = np.moveaxis(pairs, 2, 1).reshape(n * n_pairs, n_s, g)
    effect, parts = parts_from_feature_shapley(folded, modality, n_modalities)
    effect = effect.reshape(n, n_pairs, g)
    parts = parts.reshape(n, n_pairs, int(n_modalities), g)
    root = np.sqrt(n_pairs)
    return {
        "effect": effect.mean(axis=1), "parts": parts.mean(axis=1),
        "effect_se": effect.std(axis=1, ddof=1) / root, "parts_se": parts.std(axis=1, ddof=1) / root,
    }
