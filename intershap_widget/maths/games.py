"""Exact cooperative-game transforms at modality level (pure numpy).

Conventions (the one place they are written down; tests in ``tests/test_games.py``)
--------------------------------------------------------------------------------
* **Players** are the M modalities, numbered 0..M-1 in the order they are passed.
* **Coalition index**: a coalition S is an integer bitmask; bit i set means modality i
  is present. Column 0 of a coalition-value array is the empty coalition ∅ (every
  modality masked), column ``2**M - 1`` is the full input. Coalition values therefore
  come as an array ``v`` of shape ``(N, 2**M)``: one row per sample.
* **Shapley value** φ_i = Σ_{S ⊆ N∖{i}} |S|!(M−|S|−1)!/M! · [v(S∪{i}) − v(S)].
* **Pair value** φ_ij (i ≠ j) is *half* the Grabisch–Roubens Shapley interaction
  index (the convention of SHAP's interaction values and of the InterSHAP paper)::

      φ_ij = Σ_{S ⊆ N∖{i,j}} |S|!(M−|S|−2)! / (2(M−1)!) · Δ_ij v(S),
      Δ_ij v(S) = v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S).

  The matrix is symmetric; shapiq's order-2 SII value for the pair is ``2 * φ_ij``.
* **Main effect** φ_ii = φ_i − Σ_{j≠i} φ_ij, so row i of φ sums to the Shapley value
  φ_i and the whole matrix sums to v(N) − v(∅) (efficiency). shapiq's k-SII order-2
  singleton values equal our φ_ii. shapiq's SII entry for ``()`` is *not* v(∅); our
  base value is v(∅) itself.
* **Global matrix** Φ = |mean over samples of φ| (InterSHAP paper, Eq. 5): the
  absolute value is taken *after* averaging, so opposite-signed contributions cancel.
* **Local score** of sample a takes |φ^a| elementwise *before* summing (paper Eq. 10):
  I_a = Σ_{i≠j} |φ^a_ij| / Σ_{i,j} |φ^a_ij|; a sample whose φ is all zero has no
  behaviour to share out and gets NaN (ignored by the mean, ``numpy.nanmean``).
* Every transform runs in float64, whatever the model's dtype, so the axioms above
  hold to ~1e-12.

All transforms are linear maps, precomputed once per M as weight matrices over the
``2**M`` coalitions and applied to every sample with one matrix product.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

__all__ = [
    "MAX_EXACT_MODALITIES",
    "n_coalitions",
    "coalition_masks",
    "coalition_sizes",
    "shapley_weights",
    "pair_weights",
    "shapley_values",
    "interaction_matrices",
]

#: Largest M for which exact transforms are offered (2**M coalitions per sample).
MAX_EXACT_MODALITIES = 16


def _check_m(n_players: int) -> int:
    m = int(n_players)
    if m < 1:
        raise ValueError(f"a game needs at least one player, got M={n_players}")
    if m > MAX_EXACT_MODALITIES:
        raise ValueError(
            f"exact transforms are limited to M <= {MAX_EXACT_MODALITIES} modalities "
            f"(2**M coalitions per sample); got M={m}. Merge modalities or use a "
            "sampling estimator."
        )
    return m


def n_coalitions(n_players: int) -> int:
    """Number of coalitions of M players, ``2**M``."""
    return 1 << _check_m(n_players)


@lru_cache(maxsize=None)
def _masks(n_players: int) -> np.ndarray:
    idx = np.arange(1 << n_players, dtype=np.int64)
    out = ((idx[:, None] >> np.arange(n_players)) & 1).astype(bool)
    out.setflags(write=False)
    return out


def coalition_masks(n_players: int) -> np.ndarray:
    """Membership table of every coalition, shape ``(2**M, M)`` bool.

    Row ``s`` is coalition ``s``: entry ``[s, i]`` is True when bit i of s is set.
    """
    return _masks(_check_m(n_players))


def coalition_sizes(n_players: int) -> np.ndarray:
    """Size |S| of every coalition, shape ``(2**M,)`` int."""
    return coalition_masks(n_players).sum(axis=1)


@lru_cache(maxsize=None)
def _shapley_weights(m: int) -> np.ndarray:
    masks = _masks(m)
    size = masks.sum(axis=1)
    # w(s) = s!(M-s-1)!/M! for s = 0..M-1
    w = np.array([factorial(s) * factorial(m - s - 1) / factorial(m) for s in range(m)])
    # coalition T with i in T contributes +w(|T|-1); with i not in T contributes -w(|T|)
    present = w[np.clip(size - 1, 0, m - 1)][:, None]
    absent = w[np.clip(size, 0, m - 1)][:, None]
    weights = np.where(masks, present, -absent)
    weights.setflags(write=False)
    return weights


def shapley_weights(n_players: int) -> np.ndarray:
    """Weights ``W`` with ``shapley = v @ W``, shape ``(2**M, M)`` float64."""
    return _shapley_weights(_check_m(n_players))


@lru_cache(maxsize=None)
def _pair_weights(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    iu, ju = np.triu_indices(m, k=1)
    if m < 2:
        empty = np.zeros((1 << m, 0))
        empty.setflags(write=False)
        return iu, ju, empty
    masks = _masks(m)
    size = masks.sum(axis=1)
    # c(s) = s!(M-s-2)!/(2(M-1)!) for s = |S \ {i,j}| = 0..M-2
    c = np.array(
        [factorial(s) * factorial(m - s - 2) / (2 * factorial(m - 1)) for s in range(m - 1)]
    )
    in_i = masks[:, iu]  # (2**M, P)
    in_j = masks[:, ju]
    rest = size[:, None] - in_i - in_j  # |T \ {i, j}|
    sign = np.where(in_i == in_j, 1.0, -1.0)
    weights = sign * c[rest]
    weights.setflags(write=False)
    return iu, ju, weights


def pair_weights(n_players: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of the off-diagonal pair values.

    Returns ``(i, j, W)``: the upper-triangle pairs ``i < j`` (each ``(P,)``,
    P = M(M−1)/2) and ``W`` of shape ``(2**M, P)`` with ``φ_ij = (v @ W)[:, p]``.
    """
    return _pair_weights(_check_m(n_players))


def _as_values(values: np.ndarray) -> tuple[np.ndarray, int]:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2:
        raise ValueError(f"coalition values must have shape (N, 2**M), got {v.shape}")
    n_cols = v.shape[1]
    m = n_cols.bit_length() - 1
    if n_cols < 2 or (1 << m) != n_cols:
        raise ValueError(
            f"coalition values need 2**M columns (one per coalition), got {n_cols}"
        )
    return v, m


def shapley_values(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values of every sample's game.

    values: ``(N, 2**M)`` coalition values (bitmask columns). Returns ``(N, M)``.
    """
    v, m = _as_values(values)
    return v @ shapley_weights(m)


def interaction_matrices(values: np.ndarray) -> np.ndarray:
    """Exact pairwise interaction matrices φ (SHAP convention, see module docstring).

    values: ``(N, 2**M)`` coalition values. Returns ``(N, M, M)`` float64, symmetric,
    off-diagonal = half SII, diagonal = main effects; row sums = Shapley values.
    """
    v, m = _as_values(values)
    n = v.shape[0]
    iu, ju, w_pair = pair_weights(m)
    # one product for Shapley values and all pairs together
    both = v @ np.concatenate([shapley_weights(m), w_pair], axis=1)
    shap, pairs = both[:, :m], both[:, m:]
    phi = np.zeros((n, m, m))
    phi[:, iu, ju] = pairs
    phi[:, ju, iu] = pairs
    diag = shap - phi.sum(axis=2)
    idx = np.arange(m)
    phi[:, idx, idx] = diag
    return phi
