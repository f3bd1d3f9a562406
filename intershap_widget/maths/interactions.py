"""Higher-order modality interactions: Möbius transform and the Shapley interaction
indices of any order (pure numpy, float64, vectorised over samples).

Every index here is a linear map of the coalition values. Each is written as
``index = mobius @ C`` with a small "Möbius → index" matrix ``C`` whose entry for a
coalition T and an explained set S ⊆ T depends only on |T| and |S|; the weight
matrix ``W = A @ C`` (``A`` the Möbius matrix) is precomputed once per (index, M,
order) and applied to all samples with one product ``values @ W``.

Conventions (the one place they are written down; tests in ``tests/test_interactions.py``)
---------------------------------------------------------------------------------------
* Coalitions are bitmasks as in :mod:`intershap_widget.maths.games` (bit i = modality i
  present). Explained sets are returned as sorted **modality tuples**, e.g. ``(0, 2)``,
  in the order: by size, then lexicographically (the order of
  ``itertools.combinations``), which is also shapiq's order.
* **Möbius transform** (Harsanyi dividends): m(S) = Σ_{T⊆S} (−1)^{|S|−|T|} v(T);
  inverse v(S) = Σ_{T⊆S} m(T). m(∅) = v(∅).
* **SII** (Grabisch–Roubens): SII(S) = Σ_{T⊇S} m(T) / (|T| − |S| + 1). For |S| = 1 it is
  the Shapley value; for |S| = 2 it is **twice** the pair value φ_ij of
  :mod:`intershap_widget.maths.games` / the InterSHAP paper. SII(∅) = Σ_T m(T)/(|T|+1) is the
  Banzhaf-like "expected value" of shapiq's SII ``()`` entry, *not* v(∅).
* **k-SII** (Bord et al. 2023), order k: k-SII(S) = Σ_{W ⊆ N∖S, |S|+|W| ≤ k} B_{|W|}
  SII(S∪W), with Bernoulli numbers B_0 = 1, B_1 = −½, B_2 = 1/6, … For |S| = k it equals
  SII; for k = 2 the singletons equal our main effects φ_ii. k-SII(∅) = v(∅).
* **STII** (Shapley–Taylor, Sundararajan et al. 2020), order k: STII(S) = m(S) for
  |S| < k; STII(S) = Σ_{T⊇S} m(T) / C(|T|, k) for |S| = k (every higher dividend is
  split evenly over its k-subsets). shap's ``Exact(interactions=2)`` reports STII/2
  off the diagonal.
* **FSII** (Faith-Shapley, Tsai et al. 2023), order k: the best Shapley-kernel weighted
  least-squares fit of v by sets of size ≤ k, constrained to be exact at ∅ and N.
  Closed form (Tsai et al., Thm. 19): FSII(S) = m(S) + (−1)^{k−s} · s/(k+s) · C(k, s) ·
  Σ_{T⊋S, |T|>k} C(|T|−1, k)/C(|T|+k−1, k+s) · m(T), s = |S|. FSII(∅) = v(∅).
  shapiq computes FSII by a weighted regression with a large finite weight (1e8) on
  ∅ and N, so its values agree with the closed form only to ~1e-8.
* **Efficiency**: k-SII, STII and FSII of order k, summed over all 1 ≤ |S| ≤ k, give
  v(N) − v(∅) for every sample. SII is not efficient beyond order 1.
* By default the empty set is left out (``min_order=1``); pass ``min_order=0`` to get
  it (it is the entry shapiq reports as ``()``).
* **Global values** follow the paper's Φ: |mean over samples| per explained set
  (absolute value *after* averaging).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from math import comb
from typing import Any, Sequence

import numpy as np

from . import games

__all__ = [
    "INDICES",
    "mobius",
    "inverse_mobius",
    "index_weights",
    "interaction_values",
    "Interactions",
    "interactions",
    "OrderShares",
    "order_shares",
]

#: Supported index names (case-insensitive; "Moebius" is accepted for "Mobius").
INDICES = ("Mobius", "SII", "k-SII", "STII", "FSII")

#: Largest weight matrix (2**M rows × K explained sets) built, in entries.
_MAX_WEIGHT_ENTRIES = 60_000_000


# --------------------------------------------------------------------- Möbius
def _as_values(values: np.ndarray) -> tuple[np.ndarray, int]:
    return games._as_values(values)  # same shape checks and messages as games


def _butterfly(x: np.ndarray, m: int, sign: float, axis_last: bool) -> np.ndarray:
    """In-place subset (axis_last) or superset (axis 0) sum/difference transform."""
    for b in range(m):
        if axis_last:
            y = x.reshape(x.shape[0], 1 << (m - b - 1), 2, 1 << b)
            y[:, :, 1, :] += sign * y[:, :, 0, :]
        else:
            y = x.reshape(1 << (m - b - 1), 2, 1 << b, -1)
            y[:, 0] += sign * y[:, 1]
    return x


def mobius(values: np.ndarray) -> np.ndarray:
    """Möbius transform (Harsanyi dividends) of every coalition.

    values: ``(N, 2**M)`` coalition values. Returns ``(N, 2**M)`` float64 with
    ``m[:, S] = Σ_{T⊆S} (−1)^{|S|−|T|} v[:, T]`` (bitmask columns).
    """
    v, m = _as_values(values)
    return _butterfly(v.copy(), m, -1.0, axis_last=True)


def inverse_mobius(dividends: np.ndarray) -> np.ndarray:
    """Inverse Möbius transform: ``v[:, S] = Σ_{T⊆S} m[:, T]``, ``(N, 2**M)`` → ``(N, 2**M)``."""
    d, m = _as_values(dividends)
    return _butterfly(d.copy(), m, +1.0, axis_last=True)


# ------------------------------------------------------------ index weights
def _canonical(index: str) -> str:
    key = str(index).strip().lower().replace("_", "-").replace("ö", "o").replace("oe", "o")
    table = {"mobius": "Mobius", "sii": "SII", "k-sii": "k-SII", "ksii": "k-SII",
             "stii": "STII", "fsii": "FSII"}
    if key not in table:
        raise ValueError(f"unknown interaction index {index!r}; choose one of {INDICES}")
    return table[key]


def _bernoulli(n: int) -> list[Fraction]:
    """Bernoulli numbers B_0..B_n with B_1 = −1/2."""
    b = [Fraction(0)] * (n + 1)
    b[0] = Fraction(1)
    for j in range(1, n + 1):
        b[j] = -sum(comb(j + 1, i) * b[i] for i in range(j)) / (j + 1)
    return b


def _coefficient(index: str, m: int, order: int) -> np.ndarray:
    """``c[t, s]``: weight of a dividend m(T), |T| = t, in the index of S ⊆ T, |S| = s."""
    c = np.zeros((m + 1, order + 1))
    bern = _bernoulli(order)
    for t in range(m + 1):
        for s in range(min(t, order) + 1):
            d = t - s
            if index == "Mobius":
                val = 1.0 if d == 0 else 0.0
            elif index == "SII":
                val = 1.0 / (d + 1)
            elif index == "k-SII":
                val = (1.0 if d == 0 else 0.0) if s == 0 else float(sum(bern[j] * Fraction(comb(d, j), d - j + 1)
                                for j in range(0, min(order - s, d) + 1)))
            elif index == "STII":
                if s < order:
                    val = 1.0 if d == 0 else 0.0
                else:
                    val = 1.0 / comb(t, order)
            else:  # FSII
                if d == 0:
                    val = 1.0
                elif t <= order or s == 0:
                    val = 0.0
                else:
                    val = float((-1) ** (order - s) * Fraction(s, order + s) * comb(order, s)
                                * Fraction(comb(t - 1, order), comb(t + order - 1, order + s)))
            c[t, s] = val
    return c


@lru_cache(maxsize=None)
def _explained_sets(m: int, min_order: int, order: int) -> tuple[tuple[int, ...], ...]:
    return tuple(t for k in range(min_order, order + 1) for t in combinations(range(m), k))


def _check_order(index: str, m: int, order: int | None, min_order: int) -> int:
    if order is None:
        order = m if index == "Mobius" else 2
    order = int(order)
    if not 1 <= order <= m:
        raise ValueError(f"order must be between 1 and M={m}, got {order}")
    if not 0 <= int(min_order) <= order:
        raise ValueError(f"min_order must be between 0 and order={order}, got {min_order}")
    return order


@lru_cache(maxsize=32)
def _index_weights(index: str, m: int, order: int, min_order: int) -> np.ndarray:
    sets = _explained_sets(m, min_order, order)
    n_rows = 1 << m
    if n_rows * len(sets) > _MAX_WEIGHT_ENTRIES:
        raise ValueError(
            f"{index} of order {order} for M={m} needs a {n_rows} x {len(sets)} weight "
            "matrix; lower the order or the number of modalities"
        )
    bits = np.array([sum(1 << i for i in s) for s in sets], dtype=np.int64)
    sizes = np.array([len(s) for s in sets])
    coal = np.arange(n_rows, dtype=np.int64)
    t_size = games.coalition_sizes(m)
    superset = (coal[:, None] & bits[None, :]) == bits[None, :]
    coef = _coefficient(index, m, order)
    c_mat = np.where(superset, coef[t_size[:, None], sizes[None, :]], 0.0)  # (2**M, K)
    # W = A @ C with A the Möbius matrix: a superset difference transform of C's rows
    w = _butterfly(c_mat, m, -1.0, axis_last=False)
    w.setflags(write=False)
    return w


def index_weights(index: str, n_players: int, order: int | None = None,
                  min_order: int = 1) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """Weights of an interaction index: ``(W, sets)`` with ``values @ W`` = the index.

    ``W`` has shape ``(2**M, K)``, one column per explained set in ``sets`` (K tuples
    of modality indices with min_order ≤ size ≤ order).
    """
    idx = _canonical(index)
    m = games._check_m(n_players)
    order = _check_order(idx, m, order, min_order)
    return _index_weights(idx, m, order, int(min_order)), _explained_sets(m, int(min_order), order)


def interaction_values(values: np.ndarray, index: str = "k-SII", order: int | None = None,
                       min_order: int = 1) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """An interaction index of every sample's game.

    values: ``(N, 2**M)`` coalition values. index: one of :data:`INDICES`. order: the
    largest set size (default 2; M for Möbius). Returns ``(vals (N, K), sets)`` with
    ``sets`` the K explained modality tuples (see module docstring for conventions).
    """
    v, m = _as_values(values)
    w, sets = index_weights(index, m, order, min_order)
    return v @ w, sets


# ------------------------------------------------------------- typed results
@dataclass(frozen=True)
class Interactions:
    """Interaction values of N samples, one column per explained set of modalities.

    ``values`` ``(N, K)``; ``tuples`` the K modality-index tuples; ``names`` the K
    tuples of modality names; ``global_values`` ``(K,)`` = |mean over samples| (the
    paper's Φ convention); ``index`` and ``order`` as requested.
    """

    values: np.ndarray
    tuples: tuple[tuple[int, ...], ...]
    modality_names: tuple[str, ...]
    index: str
    order: int
    names: tuple[tuple[str, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(tuple(self.modality_names[i] for i in t)
                                                for t in self.tuples))

    @property
    def global_values(self) -> np.ndarray:
        """``(K,)`` |mean over samples| of each set's value."""
        return np.abs(self.values.mean(axis=0)) if len(self.values) else np.full(len(self.tuples), np.nan)

    @property
    def mean_values(self) -> np.ndarray:
        """``(K,)`` signed mean over samples."""
        return self.values.mean(axis=0)

    def labels(self, sep: str = " × ") -> list[str]:
        """K display labels such as ``"text × image"`` (``"∅"`` for the empty set)."""
        return [sep.join(n) if n else "∅" for n in self.names]

    def column(self, key: Sequence[int] | Sequence[str]) -> np.ndarray:
        """``(N,)`` values of one set, given by modality indices or names (any order)."""
        key = tuple(key)
        if all(isinstance(k, str) for k in key) and key:
            key = tuple(self.modality_names.index(k) for k in key)
        key = tuple(sorted(int(k) for k in key))
        try:
            return self.values[:, self.tuples.index(key)]
        except ValueError:
            raise KeyError(f"{key} is not among the explained sets of order {self.order}") from None

    def of_order(self, k: int) -> "Interactions":
        """The columns of sets of size k only."""
        cols = [i for i, t in enumerate(self.tuples) if len(t) == k]
        return Interactions(self.values[:, cols], tuple(self.tuples[i] for i in cols),
                            self.modality_names, self.index, self.order)

    def summary(self, top: int = 10) -> str:
        """The ``top`` sets with the largest global values, one per line."""
        g = self.global_values
        order = np.argsort(-np.nan_to_num(g, nan=-np.inf), kind="stable")[:top]
        labels = self.labels()
        width = max([len(labels[i]) for i in order] + [4])
        lines = [f"Interactions: {self.index} of order <= {self.order}, N={len(self.values)} samples, "
                 f"{len(self.tuples)} sets; largest |mean|:"]
        lines += [f"  {labels[i]:<{width}}  {g[i]:.4g}" for i in order]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def to_dict(self, sample: int | None = None) -> dict[tuple[int, ...], float]:
        """``{tuple: value}`` of one sample, or of the global values when sample is None."""
        vals = self.global_values if sample is None else self.values[sample]
        return {t: float(x) for t, x in zip(self.tuples, vals)}


def _result_parts(res: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    if hasattr(res, "coalition_values"):
        return np.asarray(res.coalition_values), tuple(res.modality_names)
    v, m = _as_values(res)
    return v, tuple(f"modality {i}" for i in range(m))


def interactions(res: Any, index: str = "k-SII", order: int | None = None,
                 min_order: int = 1) -> Interactions:
    """Interaction index of an ``InteractionResult`` (or a raw ``(N, 2**M)`` array).

    Returns :class:`Interactions` with ``.values (N, K)``, ``.tuples``, ``.names`` and
    ``.global_values (K,)``. Example: ``interactions(res, "k-SII", order=3)``.
    """
    v, names = _result_parts(res)
    idx = _canonical(index)
    vals, sets = interaction_values(v, idx, order, min_order)
    k = max((len(s) for s in sets), default=0)
    return Interactions(vals, sets, names, idx, k)


# ---------------------------------------------------------- behaviour by order
@dataclass(frozen=True)
class OrderShares:
    """Share of a model's behaviour carried by each interaction order (Möbius based).

    ``global_shares`` ``(M,)``: entry k−1 is Σ_{|T|=k} |mean_a m_a(T)| / Σ_{T≠∅} |mean_a m_a(T)|.
    ``local_shares`` ``(N, M)``: the same with |m_a(T)| per sample (NaN for a constant game).
    ``global_amounts`` ``(M,)``: the unnormalised numerators. Orders are 1..M.
    """

    global_shares: np.ndarray
    local_shares: np.ndarray
    global_amounts: np.ndarray

    @property
    def orders(self) -> np.ndarray:
        """``(M,)`` the orders 1..M."""
        return np.arange(1, len(self.global_shares) + 1)

    def grouped(self, top: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Shares of orders 1, 2, …, top−1 and "top and beyond": ``((top,), (N, top))``."""
        def fold(a: np.ndarray) -> np.ndarray:
            head = a[..., : top - 1]
            tail = a[..., top - 1:].sum(axis=-1, keepdims=True)
            return np.concatenate([head, tail], axis=-1)
        return fold(self.global_shares), fold(self.local_shares)

    def __repr__(self) -> str:
        glob = ", ".join(f"{k}: {100 * x:.1f} %" for k, x in zip(self.orders, self.global_shares))
        loc = ", ".join(f"{k}: {100 * x:.1f} %" for k, x in zip(self.orders, np.nanmean(self.local_shares, axis=0))) \
            if len(self.local_shares) else "n/a"
        return f"OrderShares (Möbius, by order)\n  global      {glob}\n  local mean  {loc}"

    @property
    def interaction_share(self) -> float:
        """Global share of every order ≥ 2 (equals InterSHAP for M = 2)."""
        return float(self.global_shares[1:].sum())

    @property
    def local_interaction_share(self) -> np.ndarray:
        """``(N,)`` per-sample share of orders ≥ 2 (equals the local InterSHAP for M = 2)."""
        return self.local_shares[:, 1:].sum(axis=1)


def order_shares(res: Any) -> OrderShares:
    """Behaviour by interaction order from the Möbius decomposition.

    res: an ``InteractionResult`` or ``(N, 2**M)`` coalition values. The global share
    takes |·| of the dataset mean of each dividend (the paper's Φ convention), the
    local share |·| per sample (paper Eq. 10). For M = 2 the order-2 shares are
    exactly the paper's global and local InterSHAP.
    """
    v, _ = _result_parts(res)
    d = mobius(v)
    m = d.shape[1].bit_length() - 1
    size = games.coalition_sizes(m)
    onehot = (size[1:, None] == np.arange(1, m + 1)[None, :]).astype(float)  # (2**M-1, M)
    amounts = (np.abs(d[:, 1:].mean(axis=0)) @ onehot) if len(d) else np.full(m, np.nan)
    total = amounts.sum()
    glob = amounts / total if np.isfinite(total) and total > 0 else np.full(m, np.nan)
    local_amt = np.abs(d[:, 1:]) @ onehot
    local_tot = local_amt.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(local_tot > 0, local_amt / np.where(local_tot > 0, local_tot, 1.0), np.nan)
    return OrderShares(glob, local, amounts)
