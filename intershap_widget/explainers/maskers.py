"""Maskers: how a modality that is absent from a coalition is replaced.

A masker turns a block of P (sample, coalition) pairs into model inputs: M arrays of
shape ``(P * K, ...)``: K rows per pair, whose outputs are averaged into v(S). All
array work goes through the model adapter's backend (numpy or torch), so inputs are
built where the model runs.

* :class:`BackgroundMasker` (default): absent modalities come from each of K fixed
  background rows; v(S) is the exact mean over them. No randomness.
* :class:`SampledMasker`: the expectation over a large background, estimated per
  sample from K of its rows: the same rows for every coalition of a sample, different
  seeded rows (a stratified arc of a seeded circle) for different samples; v(∅) too
  comes from the sample's own rows, so the axioms hold exactly. Its masking error is reported.
* :class:`RandomMasker`: the paper's strategy, n random background rows per
  (sample, coalition); the draws are a pure function of (seed, sample, coalition),
  so results do not depend on batching.
* :class:`BaselineMasker`: one reference row per modality (mean, zeros or given).
* :class:`CallableMasker`: a user function decides.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .adapters import ModelAdapter
from .inputs import Group

__all__ = [
    "Masker",
    "BackgroundMasker",
    "RandomMasker",
    "SampledMasker",
    "BaselineMasker",
    "CallableMasker",
    "MASKINGS",
]

MASKINGS = ("expectation", "sampled", "random", "baseline")


class Masker:
    """Base class. Subclasses set ``n_rows`` (K rows per pair) and implement :meth:`build`."""

    #: rows the model sees per (sample, coalition) pair
    n_rows: int = 1
    #: True when v(∅) is one number per output for every sample (evaluated once)
    shared_empty: bool = True
    #: how the rows of different coalitions and samples relate (maths.masking_error)
    design: str = "exact"

    def bind(self, adapter: ModelAdapter, background: Sequence[Any]) -> None:
        """Attach the model's backend and the (backend) background arrays ``(K, ...)``."""
        self.adapter = adapter
        self.background = list(background)

    def build(
        self, x: Sequence[Any], present: np.ndarray, sample_ids: np.ndarray, coalitions: np.ndarray
    ) -> list:
        """Model inputs for P pairs.

        x: M backend arrays ``(P, ...)`` (the samples of the pairs); present: ``(P, M)``
        bool; sample_ids, coalitions: ``(P,)`` ints. Returns M arrays ``(P*K, ...)``.
        """
        raise NotImplementedError

    def empty_inputs(self) -> list:
        """Inputs whose mean output is v(∅) for every sample: M arrays ``(K, ...)``."""
        return list(self.background)

    def describe(self) -> dict:
        """Settings recorded in the result."""
        return {"masking": type(self).__name__}


def _gather(adapter: ModelAdapter, x: Sequence[Any], present: np.ndarray, pool: Sequence[Any], pool_idx: np.ndarray) -> list:
    """Model inputs for P pairs with K rows each, as one row gather per modality.

    x: M arrays ``(P, ...)`` (the pairs' samples); pool: M arrays ``(Q, ...)`` (the
    reference rows); pool_idx: ``(P, K)`` rows of the pool that replace absent
    modalities. Row (p, k) of modality i is ``x_i[p]`` if ``present[p, i]`` else
    ``pool_i[pool_idx[p, k]]``. Returns M arrays ``(P*K, ...)``.
    """
    p, k = pool_idx.shape
    own = np.broadcast_to(np.arange(p)[:, None], (p, k))
    out = []
    for i, (xi, qi) in enumerate(zip(x, pool)):
        col = present[:, i]
        if col.all():
            src, idx = xi, own
        elif not col.any():
            src, idx = qi, pool_idx
        else:
            src, idx = adapter.concat([xi, qi]), np.where(col[:, None], own, p + pool_idx)
        out.append(adapter.take(src, idx.ravel()))
    return out


def _features(adapter: ModelAdapter, x: Any) -> np.ndarray:
    """One modality's rows as float64 ``(B, D)`` (a group: its arrays side by side), for the strata."""
    parts = x.leaves if isinstance(x, Group) else [x]
    return np.concatenate([adapter.to_numpy(p).reshape(p.shape[0], -1) for p in parts], axis=1)


class BackgroundMasker(Masker):
    """Exact expectation over K background rows (default).

    v_a(S) = (1/K) Σ_k f(x_a on S, b_k elsewhere). With more than ``n_background``
    rows the background is subsampled once, with ``seed``.
    """

    def __init__(self, n_background: int = 100, seed: int = 0) -> None:
        self.n_background = int(n_background)
        self.seed = seed

    def select_rows(self, n_rows: int) -> np.ndarray | None:
        """Indices of the background rows kept (None = all)."""
        if n_rows <= self.n_background:
            return None
        rng = np.random.default_rng(self.seed)
        self.design = "shared"  # one subsample for every sample: its error is shared
        return np.sort(rng.choice(n_rows, size=self.n_background, replace=False))

    def kept_background(self, background: Sequence[Any]) -> list:
        """The background rows this masker averages over: all of them, or its seeded
        subsample of ``n_background`` (M arrays ``(K, ...)``, new lists, arrays indexed)."""
        keep = self.select_rows(background[0].shape[0])
        return list(background) if keep is None else [b[keep] for b in background]

    def bind(self, adapter: ModelAdapter, background: Sequence[Any]) -> None:
        super().bind(adapter, background)
        self.n_rows = self.background[0].shape[0]

    def build(self, x, present, sample_ids, coalitions):
        every_row = np.broadcast_to(np.arange(self.n_rows), (len(present), self.n_rows))
        return _gather(self.adapter, x, present, self.background, every_row)

    def describe(self) -> dict:
        return {"masking": "expectation", "n_background": self.n_rows}


class SampledMasker(Masker):
    """The expectation over a background of B rows, estimated per sample from K rows.

    Sample a (its global index in ``X``) uses rows ``circle[(offset_a + k) % B]``,
    k = 0..K−1, for every coalition (common rows: the differences inside φ lose the
    noise the coalitions share); ``circle`` is a seeded, stratified permutation and
    offsets are low-discrepancy (:mod:`.strata`), so different samples use different
    rows and the errors of the global score average over samples. Rows depend only on
    (seed, sample, k): results are the same whatever the batch size or sharding.
    v(∅) of sample a is the mean over the same K rows (taken from one pass over the
    whole background), so the estimate is itself an exact game: a modality the model
    ignores gets exactly 0 and an additive model no interaction. ``rows_per_sample`` = K (None:
    chosen by ``explain(precision=...)``); rows ``k0 .. k0 + K`` are used when a run
    adds rows in rounds.
    """

    design = "paired"

    def __init__(self, rows_per_sample: int | None = None, seed: int = 0, stratify: bool = True) -> None:
        if rows_per_sample is not None and int(rows_per_sample) < 2:
            raise ValueError(f"rows_per_sample must be >= 2 (to estimate the masking error), got {rows_per_sample}")
        self.rows_per_sample = None if rows_per_sample is None else int(rows_per_sample)
        self.n_rows = self.rows_per_sample or 32
        self.k0 = 0
        self.seed = int(seed)
        self.stratify = bool(stratify)
        #: added to the run's sample positions: a shard of a larger X sets it to the
        #: global index of its first sample, so every sample keeps its own rows
        self.sample_offset = 0

    def bind(self, adapter: ModelAdapter, background: Sequence[Any]) -> None:
        from .strata import stratified_circle, strata

        super().bind(adapter, background)
        b = self.background[0].shape[0]
        labels = strata([_features(adapter, x) for x in self.background], self.seed) if self.stratify else np.zeros(b, dtype=np.int64)
        self.labels = labels
        self.circle = stratified_circle(labels, self.seed)
        self.n_strata = int(labels.max()) + 1

    @property
    def n_background(self) -> int:
        return int(self.background[0].shape[0])

    def count_cov(self, k: int) -> np.ndarray:
        """Covariance of the strata counts in an arc of K rows ``(H, H)`` (:mod:`.strata`)."""
        from .strata import window_count_cov

        return window_count_cov(self.labels[self.circle], k)

    def rows(self, sample_ids: np.ndarray, k0: int, k1: int) -> np.ndarray:
        """Background rows of samples ``(P,)`` for k in ``k0..k1``: ``(P, k1 − k0)``."""
        from .strata import arc_offsets

        b = self.n_background
        off = arc_offsets(np.asarray(sample_ids, dtype=np.int64) + self.sample_offset, b, self.seed)
        return self.circle[(off[:, None] + np.arange(k0, k1)[None, :]) % b]

    def build(self, x, present, sample_ids, coalitions):
        idx = self.rows(sample_ids, self.k0, self.k0 + self.n_rows)
        return _gather(self.adapter, x, present, self.background, idx)

    def describe(self) -> dict:
        return {"masking": "sampled", "n_background": self.n_background, "stratified": self.stratify,
                "n_strata": self.n_strata, "rows_per_sample": self.k0 + self.n_rows,
                "row_design": "same rows for every coalition of a sample; per-sample arcs of a seeded stratified circle"}


class BaselineMasker(BackgroundMasker):
    """Absent modality i is replaced by one reference row ``baseline_i`` (K = 1).

    ``baseline="mean"`` (of the background), ``"zeros"``, or a list of M arrays, each
    of one sample's shape.
    """

    def __init__(self, baseline: str | Sequence[Any] = "mean") -> None:
        super().__init__(n_background=1)
        self.baseline = baseline

    def select_rows(self, n_rows: int) -> np.ndarray | None:
        return None

    def bind(self, adapter: ModelAdapter, background: Sequence[Any]) -> None:
        if isinstance(self.baseline, str):
            if self.baseline == "mean":
                rows = [b.mean(0, keepdim=True) if adapter.backend == "torch" else b.mean(axis=0, keepdims=True) for b in background]
            elif self.baseline == "zeros":
                rows = [b[:1] * 0 for b in background]
            else:
                raise ValueError(f"baseline must be 'mean', 'zeros' or a list of M arrays, got {self.baseline!r}")
        else:
            rows = []
            for i, (given, b) in enumerate(zip(self.baseline, background)):
                row = adapter.to_backend(given)
                if tuple(row.shape) != tuple(b.shape[1:]):
                    raise ValueError(
                        f"baseline for modality {i} has shape {tuple(row.shape)}, expected one "
                        f"sample's shape {tuple(b.shape[1:])}"
                    )
                rows.append(row[None])
        super().bind(adapter, rows)

    def describe(self) -> dict:
        return {"masking": "baseline", "baseline": self.baseline if isinstance(self.baseline, str) else "given"}


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Counter-based hash (SplitMix64 finaliser), vectorised over uint64."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class RandomMasker(Masker):
    """The paper's masking: for each (sample, coalition), n background rows drawn at
    random; the absent modalities all come from the same drawn row; outputs averaged.

    The draw for (sample a, coalition S, draw d) is a hash of (seed, a, S, d): the same
    whatever the batching. This replicates the paper's estimator and may keep its
    errors: each coalition has its own draws, so the axioms hold only in expectation
    (a modality the model ignores gets sampling noise, an additive model small
    interactions); efficiency still holds exactly. For estimates that keep every axiom
    use the default masking (:class:`SampledMasker`: the same rows for every coalition
    of a sample). ``empty`` says what v(∅) is: ``"drawn"`` (default) draws
    n rows per sample like every other coalition; ``"background"`` takes the mean
    output over the whole background once, as the paper's released code does (less
    masking error in the local scores).
    """

    def __init__(self, n_draws: int = 10, seed: int = 0, empty: str = "drawn") -> None:
        if int(n_draws) < 1:
            raise ValueError(f"n_draws must be >= 1, got {n_draws}")
        if empty not in ("drawn", "background"):
            raise ValueError(f"empty must be 'drawn' or 'background', got {empty!r}")
        self.n_rows = int(n_draws)
        self.design = "independent"
        self.seed = int(seed)
        self.empty = empty
        self.shared_empty = empty == "background"

    def draws(self, sample_ids: np.ndarray, coalitions: np.ndarray, n_background: int) -> np.ndarray:
        """Background row index per pair and draw, ``(P, n_draws)`` int64."""
        s = np.asarray(sample_ids, dtype=np.uint64)[:, None]
        c = np.asarray(coalitions, dtype=np.uint64)[:, None]
        d = np.arange(self.n_rows, dtype=np.uint64)[None, :]
        with np.errstate(over="ignore"):
            key = _splitmix64(np.uint64(self.seed) ^ _splitmix64(s * np.uint64(0x100000001B3) + c))
            h = _splitmix64(key + d)
        return (h % np.uint64(n_background)).astype(np.int64)

    def build(self, x, present, sample_ids, coalitions):
        idx = self.draws(sample_ids, coalitions, self.background[0].shape[0])  # (P, n)
        return _gather(self.adapter, x, present, self.background, idx)

    def describe(self) -> dict:
        return {"masking": "random", "n_draws": self.n_rows, "n_background": int(self.background[0].shape[0]), "empty": self.empty}


class CallableMasker(Masker):
    """A user function ``fn(x, present) -> list of M arrays (P, K, ...)``.

    ``x`` is a list of M arrays ``(P, ...)`` (the model's array type), ``present`` a
    ``(P, M)`` bool numpy array; K must be the same for every call. v(∅) is computed
    per sample through the same function.
    """

    shared_empty = False
    design = "unknown"

    def __init__(self, fn: Callable[[list, np.ndarray], Sequence[Any]]) -> None:
        self.fn = fn
        self.n_rows = 0  # known after the first call

    def build(self, x, present, sample_ids, coalitions):
        out = list(self.fn(list(x), present.copy()))
        p = present.shape[0]
        if len(out) != len(x):
            raise ValueError(f"the masking function returned {len(out)} arrays for {len(x)} modalities")
        k = out[0].shape[1] if out[0].ndim > 1 else 0
        for i, (o, xi) in enumerate(zip(out, x)):
            if tuple(o.shape[:1]) != (p,) or tuple(o.shape[2:]) != tuple(xi.shape[1:]) or o.shape[1] != k:
                raise ValueError(
                    f"the masking function must return arrays (P, K, ...) = ({p}, K, "
                    f"{', '.join(map(str, xi.shape[1:]))}) for modality {i}, got {tuple(o.shape)}"
                )
        if self.n_rows and k != self.n_rows:
            raise ValueError(f"the masking function returned K={k} rows per pair, earlier {self.n_rows}")
        self.n_rows = k
        return [self.adapter.to_backend(o).reshape((-1,) + tuple(o.shape[2:])) for o in out]

    def describe(self) -> dict:
        return {"masking": "callable", "function": getattr(self.fn, "__name__", repr(self.fn))}
