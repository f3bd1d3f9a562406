"""Two levels: the features inside one modality (pure numpy).

Fix a sample, a modality i with G features (columns, image patches, tokens) and the
other modalities N∖{i}. For S ⊆ N∖{i} and T ⊆ G, v(S, T) is the model's value with the
modalities in S present, the features T of modality i present and everything else from
the background. Values come as an array ``(N, 2**(M-1), 2**G)``: axis 1 is the bitmask
of S over the *other* modalities in their order (modality i's bit removed), axis 2 the
bitmask of T over the features. With the Shapley value over the features
Sh_g(u) = Σ_{T ⊆ G∖{g}} |T|!(G−|T|−1)!/G! · (u(T ∪ {g}) − u(T)):

* **effect** of g (its part of φ_i, the Owen value with the modalities as teams):
  Σ_{S ⊆ N∖{i}} |S|!(M−|S|−1)!/M! · Sh_g(T ↦ v(S, T) − v(S, ∅)); Σ_g = φ_i.
* **interaction** of g with j ≠ i (its part of φ_ij, half the SII as in :mod:`.games`):
  Σ_{S ⊆ N∖{i,j}} |S|!(M−|S|−2)!/(2(M−1)!) ·
  Sh_g(T ↦ v(S∪{j}, T) − v(S, T) − v(S∪{j}, ∅) + v(S, ∅)); Σ_g = φ_ij.
* **main-effect part**: effect − Σ_{j≠i} interaction_j; Σ_g = φ_ii.

Both are linear in A[S, g] = Sh_g(T ↦ v(S, T)) (a constant shift in T changes no
Shapley value). Put w_g(S') = A[S'∖{i}, g] when i ∈ S' and 0 otherwise: a modality-level
game whose Shapley value of i is the effect of g and whose φ_ij is g's part of φ_ij
(w_g is 0 without i, so Δ_ij w_g(S) = A[S∪{j}, g] − A[S, g]). Summed over g, w_g is
v(S') − v(S'∖{i}), which has the same φ_i and row i of φ as v: the parts add up.
So the transforms below are :mod:`.games`' on w_g, vectorised over samples and features.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

from . import games

__all__ = [
    "feature_shapley",
    "parts_from_feature_shapley",
    "feature_parts",
    "split_codes",
    "modality_values",
    "from_joint_values",
]


def _check_values(values: np.ndarray, n_modalities: int) -> tuple[np.ndarray, int]:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 3:
        raise ValueError(f"feature-level values must have shape (N, 2**(M-1), 2**G), got {v.shape}")
    m = int(n_modalities)
    if m < 1 or v.shape[1] != 1 << (m - 1):
        raise ValueError(f"axis 1 must hold the 2**(M-1) = {1 << max(m - 1, 0)} coalitions of the other "
                         f"modalities (M={m}), got {v.shape[1]}")
    g = v.shape[2].bit_length() - 1
    if g < 1 or v.shape[2] != 1 << g:
        raise ValueError(f"axis 2 must hold 2**G feature subsets, got {v.shape[2]}")
    return v, g


def feature_shapley(values: np.ndarray, n_modalities: int) -> np.ndarray:
    """A[S, g]: the Shapley value of feature g in the game T ↦ v(S, T), for every S.

    values: ``(N, 2**(M-1), 2**G)``. Returns ``(N, 2**(M-1), G)``.
    """
    v, g = _check_values(values, n_modalities)
    _, weights = _marginal_design(g)
    n, n_s = v.shape[:2]
    out = np.empty((n, n_s, g))
    for f in range(g):  # G steps, each vectorised over samples, coalitions and subsets
        halves = v.reshape(n, n_s, 1 << (g - f - 1), 2, 1 << f)  # axis 3: feature f absent / present
        # differences first: a feature that changes nothing gets exactly 0, not rounding
        diffs = (halves[:, :, :, 1] - halves[:, :, :, 0]).reshape(n, n_s, -1)  # subsets without f, ascending
        out[:, :, f] = diffs @ weights[f]
    return out


@lru_cache(maxsize=None)
def _marginal_design(g: int) -> tuple[np.ndarray, np.ndarray]:
    """For each feature f ``(G, 2**(G-1))``: the subsets T without f, and their weights
    |T|!(G−|T|−1)!/G!."""
    games.n_coalitions(g)  # the size check
    codes = np.arange(1 << g, dtype=np.int64)
    without = np.stack([codes[(codes >> f) & 1 == 0] for f in range(g)])
    sizes = games.coalition_sizes(g)[without]
    w = np.array([factorial(s) * factorial(g - s - 1) / factorial(g) for s in range(g)])
    return without, w[sizes]


def split_codes(n_modalities: int, modality: int) -> np.ndarray:
    """For every modality-level coalition S' ``(2**M,)``: the code of S'∖{i} over the
    other modalities (bit i removed, higher bits shifted down)."""
    m, i = int(n_modalities), int(modality)
    codes = np.arange(1 << m, dtype=np.int64)
    low = codes & ((1 << i) - 1)
    high = (codes >> (i + 1)) << i
    return low | high


def parts_from_feature_shapley(a: np.ndarray, modality: int, n_modalities: int) -> tuple[np.ndarray, np.ndarray]:
    """Effects and interaction parts from A (:func:`feature_shapley`).

    a: ``(N, 2**(M-1), G)``. Returns ``(effect (N, G), parts (N, M, G))``: row j ≠ i of
    ``parts`` is each feature's part of φ_ij, row i its main-effect part; the rows of a
    feature sum to its effect.
    """
    a = np.asarray(a, dtype=np.float64)
    m, i = int(n_modalities), int(modality)
    if not 0 <= i < m:
        raise ValueError(f"modality index {modality} out of range for M={m}")
    n, _, g = a.shape
    present = games.coalition_masks(m)[:, i]  # (2**M,)
    w = np.zeros((n, g, 1 << m))
    w[:, :, present] = np.swapaxes(a, 1, 2)[:, :, split_codes(m, i)[present]]
    phi = games.interaction_matrices(w.reshape(n * g, 1 << m)).reshape(n, g, m, m)
    parts = np.swapaxes(phi[:, :, i, :], 1, 2)  # (N, M, G)
    return parts.sum(axis=1), np.ascontiguousarray(parts)


def feature_parts(values: np.ndarray, modality: int, n_modalities: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact feature-level effects and interaction parts of modality ``modality``.

    values: ``(N, 2**(M-1), 2**G)`` (see the module docstring). Returns
    ``(effect (N, G), parts (N, M, G))`` as :func:`parts_from_feature_shapley`.
    """
    return parts_from_feature_shapley(feature_shapley(values, n_modalities), modality, n_modalities)


def modality_values(values: np.ndarray, modality: int) -> np.ndarray:
    """The modality-level coalition values of the same run: v(S') = v(S'∖{i}, G) when
    i ∈ S', else v(S', ∅). values ``(N, 2**(M-1), 2**G)`` → ``(N, 2**M)``."""
    v = np.asarray(values)
    m = v.shape[1].bit_length()  # 2**(M-1) columns
    present = games.coalition_masks(m)[:, int(modality)]
    codes = split_codes(m, int(modality))
    return np.where(present[None, :], v[:, codes, -1], v[:, codes, 0])


def from_joint_values(joint: np.ndarray, n_modalities: int, n_features: int) -> np.ndarray:
    """Coalition values of the joint game whose players are the M − 1 other modalities
    (bits 0..M−2) then the G features (bits M−1..): ``(N, 2**(M-1+G))`` →
    ``(N, 2**(M-1), 2**G)``."""
    j = np.asarray(joint)
    mo, g = int(n_modalities) - 1, int(n_features)
    if j.shape[-1] != 1 << (mo + g):
        raise ValueError(f"joint values need 2**(M-1+G) = {1 << (mo + g)} columns, got {j.shape[-1]}")
    return np.swapaxes(j.reshape(j.shape[0], 1 << g, 1 << mo), 1, 2)
