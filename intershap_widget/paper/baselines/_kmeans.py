"""Seeded k-means (k-means++ initialisation, Lloyd iterations) in numpy, for discretising modalities."""

from __future__ import annotations

import numpy as np


def _sq_dists(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(N, K) squared Euclidean distances between rows of ``x`` (N, D) and ``c`` (K, D)."""
    d = np.sum(x * x, axis=1)[:, None] - 2.0 * x @ c.T + np.sum(c * c, axis=1)[None, :]
    return np.maximum(d, 0.0)


def _kmeans_once(x: np.ndarray, k: int, rng: np.random.Generator, max_iter: int,
                 tol: float) -> tuple[np.ndarray, float]:
    n = x.shape[0]
    centers = np.empty((k, x.shape[1]))
    centers[0] = x[rng.integers(n)]
    closest = _sq_dists(x, centers[:1])[:, 0]
    for j in range(1, k):  # k-means++: next centre with probability ∝ squared distance
        total = closest.sum()
        idx = rng.choice(n, p=closest / total) if total > 0 else rng.integers(n)
        centers[j] = x[idx]
        closest = np.minimum(closest, _sq_dists(x, centers[j:j + 1])[:, 0])
    labels = np.zeros(n, dtype=np.int64)
    for it in range(max_iter):
        d = _sq_dists(x, centers)
        new = np.argmin(d, axis=1)
        if it > 0 and np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        # per-cluster sums (K, D); a one-hot matmul is pathologically slow in some BLAS builds
        sums = np.stack([x[labels == j].sum(axis=0) for j in range(k)])
        empty = counts == 0
        old = centers.copy()
        centers[~empty] = sums[~empty] / counts[~empty, None]
        if empty.any():  # re-seed empty clusters at the worst-fitted points
            far = np.argsort(d[np.arange(n), labels])[::-1][: int(empty.sum())]
            centers[empty] = x[far]
        if np.sum((centers - old) ** 2) <= tol:
            break
    inertia = float(np.sum(_sq_dists(x, centers)[np.arange(n), labels]))
    return labels, inertia


def kmeans_labels(x: np.ndarray, n_clusters: int, *, seed: int = 0, n_init: int = 4,
                  max_iter: int = 100, tol: float = 1e-4) -> np.ndarray:
    """Cluster the rows of ``x`` (N, ...) into ``n_clusters`` groups; returns (N,) int labels 0..K-1.

    Best of ``n_init`` seeded k-means++ runs (lowest within-cluster sum of squares), relabelled so
    that the labels are consecutive. A run stops when the labels no longer change or the centres
    move less than ``tol`` × the mean per-feature variance (squared, summed over centres).
    Deterministic for a given ``seed``.
    """
    x = np.asarray(x, dtype=float).reshape(x.shape[0], -1)
    n = x.shape[0]
    if not 1 <= n_clusters:
        raise ValueError(f"n_clusters must be >= 1; got {n_clusters}.")
    uniq = np.unique(x, axis=0)
    if uniq.shape[0] <= n_clusters:  # already discrete: one bin per distinct row
        return np.unique(x, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    rng = np.random.default_rng(seed)
    tol_abs = tol * float(np.mean(np.var(x, axis=0)))
    best, best_inertia = None, np.inf
    for _ in range(n_init):
        labels, inertia = _kmeans_once(x, n_clusters, rng, max_iter, tol_abs)
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    return np.unique(best, return_inverse=True)[1].reshape(-1).astype(np.int64)
