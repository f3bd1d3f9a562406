"""Row order for per-sample background sampling: a seeded circle of the B background
rows on which any run of consecutive rows is stratified, and low-discrepancy offsets
that give each sample its own arc of the circle.

Strata: per modality, the background rows are split at the median of their first
principal component (a few power iterations, numpy), and the modalities' halves are
combined into up to 2**M strata (fewer modalities are used when strata would hold
fewer than 8 rows). The circle visits the strata round-robin in proportion to their
sizes, each stratum shuffled, so K consecutive rows hold every stratum in proportion
(proportional stratified sampling: never more variance than simple random sampling,
less when the model's output depends on where a row sits in that split).

"In proportion" holds only to a row: K consecutive rows hold stratum h
``K·W_h ± 1`` times, and that rounding moves the mean by ``Σ_h (n_h/K − W_h) μ_h``.
When the strata differ a lot and vary little inside (binary modalities), this is the
whole masking error; :func:`window_count_cov` gives the covariance of the counts over
the arcs of the circle, from which :func:`intershap_widget.maths.masking_error.masking_error`
adds it to the within-stratum variance.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["strata", "stratified_circle", "arc_offsets", "window_count_cov"]

_GOLDEN = 0.6180339887498949
_MIN_STRATUM = 8


def _first_component(x: np.ndarray, rng: np.random.Generator, n_iter: int = 8) -> np.ndarray:
    """Projection of the rows of ``x`` ``(B, d)`` on their first principal axis ``(B,)``."""
    xc = x - x.mean(axis=0)
    v = rng.normal(size=xc.shape[1])
    for _ in range(n_iter):
        v = xc.T @ (xc @ v)
        norm = np.linalg.norm(v)
        if not np.isfinite(norm) or norm == 0:
            return np.zeros(x.shape[0])
        v /= norm
    return xc @ v


def strata(background: Sequence[np.ndarray], seed: int = 0) -> np.ndarray:
    """Stratum label of every background row, ``(B,)`` int (see module docstring)."""
    b = background[0].shape[0]
    rng = np.random.default_rng([int(seed), 0x5717A])
    label = np.zeros(b, dtype=np.int64)
    n_strata = 1
    for x in background:
        if 2 * n_strata * _MIN_STRATUM > b:
            break
        proj = _first_component(np.asarray(x, dtype=np.float64).reshape(b, -1), rng)
        half = proj > np.median(proj)
        if half.all() or not half.any():
            continue
        label = 2 * label + half
        n_strata *= 2
    return label


def stratified_circle(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """A permutation of the B rows, ``(B,)``, whose every run of consecutive entries
    holds each stratum in proportion to its size."""
    b = labels.shape[0]
    rng = np.random.default_rng([int(seed), 0xC1C1E])
    order = rng.permutation(b)
    order_labels = labels[order]
    counts = np.bincount(order_labels)
    # position of each row inside its (shuffled) stratum, as a fraction, jittered
    rank = np.empty(b)
    by = np.argsort(order_labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    within = np.arange(b) - starts[order_labels[by]]
    rank[by] = (within + rng.random(b)) / counts[order_labels[by]]
    return order[np.argsort(rank, kind="stable")]


def arc_offsets(sample_ids: np.ndarray, n_rows: int, seed: int = 0) -> np.ndarray:
    """Start of sample a's arc on a circle of ``n_rows``: ``floor(frac(a·g + u)·B)``
    with g the golden ratio and u from the seed, ``(P,)`` int64. Samples near in index
    start far apart; a function of (seed, a) only, so shards and batches agree."""
    u = np.random.default_rng([int(seed), 0x0FF5E7]).random()
    a = np.asarray(sample_ids, dtype=np.float64)
    frac = np.mod(a * _GOLDEN + u, 1.0)
    return np.minimum((frac * n_rows).astype(np.int64), n_rows - 1)


def window_count_cov(circle_labels: np.ndarray, k: int) -> np.ndarray:
    """Covariance, over the B start positions of an arc, of how many rows of each
    stratum K consecutive entries of the circle hold: ``(H, H)`` from the strata of the
    circle's rows in circle order ``(B,)``. Zero when K = B (every arc is the circle)."""
    b = circle_labels.shape[0]
    h = int(circle_labels.max()) + 1 if b else 1
    k = int(min(max(k, 0), b))
    onehot = np.zeros((2 * b + 1, h))
    onehot[np.arange(1, 2 * b + 1), np.concatenate([circle_labels, circle_labels])] = 1.0
    cum = np.cumsum(onehot, axis=0)
    counts = cum[k:k + b] - cum[:b]  # (B, H): arc starting at each position
    return np.atleast_2d(np.cov(counts, rowvar=False, bias=True))
