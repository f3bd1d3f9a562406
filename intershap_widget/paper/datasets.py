"""Synthetic multimodal benchmarks of the InterSHAP paper (appendix A) and the XOR oracle.

* :func:`hd_xor` — high-dimensional XOR (Algorithm 1), 2–5 modalities, settings
  ``"uniqueness<u>"`` (only modality u carries the label), ``"synergy"``,
  ``"redundancy"`` and ``"random"``.
* :func:`sum_dataset` — the SUM ensemble for two modalities (Liang et al. 2023 style),
  settings ``"uniqueness1"``, ``"uniqueness2"``, ``"mix1"``, ``"mix2"``, ``"synergy"``,
  ``"redundancy"``.
* :func:`xor_oracle` — the paper's baseline "model" (Algorithm 2): XOR of the clear bits,
  as one-hot class probabilities, computed from per-modality *bit views*
  (:meth:`MultimodalDataset.bits_view`) so that masking a modality masks its bits.

Generator details (Algorithm 1 plus the authors' released generator where the paper is
silent): latent size ``d = 200``; two bits (or M bits for synergy with M >= 3) drawn
from Bernoulli(1/2); label 1 iff exactly one bit is 1 (XOR for two bits; for M >= 3
synergy the classes are balanced exactly, label-1 samples uniform over the M one-hot
patterns, label-0 samples uniform over the others). ``label="parity"`` instead labels
by y = i_1 ⊕ … ⊕ i_M (the paper's Algorithm 1 as printed), again with exactly balanced
classes, each half uniform over its 2**(M-1) patterns; for two bits both rules are XOR. A bit becomes a Gaussian vector
with mean +loc (bit 1) or -loc (bit 0): for uniqueness/redundancy each of the two bits
fills ``d/2`` entries, ``loc = 0.35`` (uniqueness) and ``0.25`` (redundancy), scale 1;
for synergy each bit fills a whole ``d`` vector of its own modality with ``loc = 0.35``
and scale 2. Redundancy copies the same latent vector to every modality; uniqueness
gives the other modalities N(0, 1) noise. Each modality m is finally projected to its
size by its own matrix ``P_m ~ U(-0.5, 0.5)`` of shape ``(dims[m], d)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable, Sequence

import numpy as np

__all__ = [
    "MultimodalDataset",
    "HD_XOR_DIMS",
    "hd_xor",
    "sum_dataset",
    "xor_oracle",
    "label_bits",
    "stratified_split",
]

#: Modality sizes used by the paper for 2–5 modalities (appendix B.1).
HD_XOR_DIMS: dict[int, tuple[int, ...]] = {
    2: (110, 90),
    3: (110, 90, 100),
    4: (110, 90, 100, 110),
    5: (110, 90, 100, 110, 90),
}
_LATENT = 200
_SPLITS = ("train", "valid", "test")


def stratified_split(
    y: np.ndarray, fractions: Sequence[float] = (0.7, 0.15, 0.15), seed: int = 0
) -> dict[str, np.ndarray]:
    """Seeded stratified split of ``(N,)`` labels into train/valid/test index arrays.

    Every class is shuffled and cut at the cumulative ``fractions``; the returned
    index arrays (sorted) partition ``range(N)``.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D (N,), got shape {y.shape}")
    frac = np.asarray(fractions, dtype=float)
    if frac.shape != (3,) or np.any(frac < 0) or not np.isclose(frac.sum(), 1.0):
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for cls in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == cls))
        cuts = np.round(np.cumsum(frac)[:2] * idx.size).astype(int)
        for k, chunk in enumerate(np.split(idx, cuts)):
            parts[k].append(chunk)
    return {name: np.sort(np.concatenate(p)) for name, p in zip(_SPLITS, parts)}


@dataclass(frozen=True, eq=False)
class MultimodalDataset:
    """M modalities of N samples with labels and the clear latent variables behind them.

    Attributes
    ----------
    X : list of M ``(N, d_m)`` float32 arrays
    y : ``(N,)`` int64 labels
    latent : ``(N, L)`` the clear variables the data were made from (HD-XOR: the bits
        as int8; SUM: the partial sums as float64)
    carriers : per modality, the latent columns that modality carries (tuple of tuples)
    modality_names : list of M str
    name, setting : what generated it, e.g. ``"hd-xor"``, ``"synergy"``
    splits : ``{"train", "valid", "test"}`` → sorted index arrays into the N samples
    index : ``(N,)`` positions of these samples in the generated dataset
    """

    X: list[np.ndarray]
    y: np.ndarray
    latent: np.ndarray
    carriers: tuple[tuple[int, ...], ...]
    modality_names: list[str]
    name: str
    setting: str
    splits: dict[str, np.ndarray] = field(repr=False)
    index: np.ndarray = field(repr=False)
    params: dict = field(default_factory=dict, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_modalities(self) -> int:
        return len(self.X)

    @property
    def dims(self) -> tuple[int, ...]:
        return tuple(int(x.shape[1]) for x in self.X)

    @property
    def n_classes(self) -> int:
        return 2

    def __len__(self) -> int:
        return self.n_samples

    def subset(self, idx: np.ndarray | Sequence[int]) -> "MultimodalDataset":
        """The samples ``idx`` (int indices) as a dataset of their own (no splits)."""
        idx = np.asarray(idx, dtype=np.int64)
        return replace(
            self,
            X=[x[idx] for x in self.X],
            y=self.y[idx],
            latent=self.latent[idx],
            splits={},
            index=self.index[idx],
        )

    def split(self, name: str) -> "MultimodalDataset":
        """The ``"train"``, ``"valid"`` (alias ``"val"``) or ``"test"`` part (70/15/15)."""
        key = "valid" if name == "val" else name
        if key not in self.splits:
            have = sorted(self.splits) or "none (this is already a subset)"
            raise KeyError(f"unknown split {name!r}; available: {have}")
        return self.subset(self.splits[key])

    def bits_view(self) -> list[np.ndarray]:
        """Per modality, the clear latent columns it carries, as M ``(N, L)`` float32 arrays.

        Column l of modality m's view holds latent l if m carries it and 0 otherwise,
        so for settings where every latent belongs to exactly one modality (uniqueness,
        synergy) the sum of the views is the latent matrix. Feed the views to
        :func:`xor_oracle`; masking a modality then replaces exactly the bits it holds.
        """
        if self.name != "hd-xor" or self.setting in ("redundancy", "random"):
            raise ValueError(
                "the XOR oracle is defined on HD-XOR uniqueness and synergy data only "
                f"(paper appendix B.3); this dataset is {self.name} / {self.setting}"
            )
        lat = self.latent.astype(np.float32)
        views = []
        for cols in self.carriers:
            v = np.zeros_like(lat)
            v[:, list(cols)] = lat[:, list(cols)]
            views.append(v)
        return views

    def oracle(self) -> Callable[[Sequence[np.ndarray]], np.ndarray]:
        """The XOR oracle (:func:`xor_oracle`) with this dataset's label rule, to be fed
        :meth:`bits_view` arrays: ``views (M × (B, L)) → (B, 2)`` probabilities."""
        if self.name != "hd-xor" or self.setting in ("redundancy", "random"):
            raise ValueError(
                "the XOR oracle is defined on HD-XOR uniqueness and synergy data only "
                f"(paper appendix B.3); this dataset is {self.name} / {self.setting}"
            )
        return partial(xor_oracle, label=self.params.get("label", "onehot"))

    def background_index(self, k: int, seed: int = 0, split: str = "train") -> np.ndarray:
        """``k`` indices (into this dataset) from ``split``, stratified by latent pattern.

        For HD-XOR every clear bit pattern gets (as near as possible) the share it has
        in the generating distribution (uniform over the patterns that occur), so the
        background expectation matches the generator's expectation; for other data
        (SUM, random) the strata are the labels, each with its share of the pool.
        Sampled without replacement, seeded.
        """
        pool = self.splits.get("valid" if split == "val" else split)
        if pool is None:
            raise KeyError(f"unknown split {split!r}; available: {sorted(self.splits)}")
        if not 0 < k <= pool.size:
            raise ValueError(f"k must be in 1..{pool.size} (rows in {split}), got {k}")
        if self.name == "hd-xor" and self.setting != "random":
            key = self.latent[pool].astype(np.int64) @ (1 << np.arange(self.latent.shape[1]))
            if self.setting == "synergy" and self.n_modalities >= 3:
                # label-balanced generator: each half is uniform over its patterns
                key = key + (self.y[pool].astype(np.int64) << 20)
        else:
            key = self.y[pool].astype(np.int64)
        rng = np.random.default_rng(seed)
        strata = np.unique(key)
        if self.name != "hd-xor" or self.setting == "random":
            # proportional to the class frequencies in the pool
            share = np.array([np.mean(key == s) for s in strata])
        elif self.setting == "synergy" and self.n_modalities >= 3:
            lab = strata >> 20
            n1 = np.sum(lab == 1)
            share = np.where(lab == 1, 0.5 / n1, 0.5 / (strata.size - n1))
        else:
            share = np.full(strata.size, 1.0 / strata.size)
        quota = np.floor(share * k).astype(int)
        rest = k - quota.sum()
        if rest:
            quota[rng.choice(strata.size, size=rest, replace=False, p=share)] += 1
        out = []
        for s, q in zip(strata, quota):
            members = pool[key == s]
            out.append(rng.choice(members, size=min(q, members.size), replace=False))
        idx = np.concatenate(out)
        if idx.size < k:  # a stratum was too small: top up at random
            left = np.setdiff1d(pool, idx)
            idx = np.concatenate([idx, rng.choice(left, size=k - idx.size, replace=False)])
        return np.sort(idx)


def _finish(
    X: list[np.ndarray],
    y: np.ndarray,
    latent: np.ndarray,
    carriers: Sequence[Sequence[int]],
    name: str,
    setting: str,
    seed: int,
    params: dict,
    modality_names: Sequence[str] | None,
) -> MultimodalDataset:
    m = len(X)
    names = [f"m{i + 1}" for i in range(m)] if modality_names is None else [str(s) for s in modality_names]
    if len(names) != m:
        raise ValueError(f"{len(names)} modality names for {m} modalities")
    y = y.astype(np.int64)
    return MultimodalDataset(
        X=[np.ascontiguousarray(x, dtype=np.float32) for x in X],
        y=y,
        latent=latent,
        carriers=tuple(tuple(int(c) for c in cs) for cs in carriers),
        modality_names=names,
        name=name,
        setting=setting,
        splits=stratified_split(y, seed=seed),
        index=np.arange(y.size, dtype=np.int64),
        params=dict(params, seed=seed),
    )


def _bit_vectors(bits: np.ndarray, width: int, loc: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``(N, A)`` bits → ``(N, A, width)`` Gaussians with mean ±loc and std ``scale``."""
    out = rng.standard_normal((bits.shape[0], bits.shape[1], width), dtype=np.float32)
    out *= np.float32(scale)
    out += (np.float32(2 * loc) * bits[:, :, None] - np.float32(loc)).astype(np.float32)
    return out


LABELS = ("onehot", "parity")


def label_bits(bits: np.ndarray, label: str = "onehot") -> np.ndarray:
    """HD-XOR class of ``(..., L)`` clear bits: ``"onehot"`` = exactly one bit is 1,
    ``"parity"`` = odd number of ones (both are XOR for two bits). Returns ``(...)`` int64."""
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}, got {label!r}")
    total = np.rint(np.asarray(bits)).astype(np.int64).sum(axis=-1)
    return (total == 1).astype(np.int64) if label == "onehot" else total % 2


def _synergy_patterns(n: int, m: int, rng: np.random.Generator, label: str = "onehot") -> np.ndarray:
    """``(n, m)`` bit patterns, exactly balanced between the two classes of ``label``."""
    patterns = np.array(list(itertools.product((0, 1), repeat=m)), dtype=np.int8)[:, ::-1]
    positive = label_bits(patterns, label) == 1
    pos, neg = patterns[positive], patterns[~positive]
    n_pos = n // 2
    rows = np.concatenate([pos[rng.integers(0, len(pos), n_pos)], neg[rng.integers(0, len(neg), n - n_pos)]])
    return rows[rng.permutation(n)]


def hd_xor(
    setting: str = "synergy",
    n_modalities: int = 2,
    n_samples: int = 20_000,
    *,
    dims: Sequence[int] | None = None,
    seed: int = 0,
    latent_dim: int = _LATENT,
    loc: float | None = None,
    scale: float | None = None,
    label: str = "onehot",
    modality_names: Sequence[str] | None = None,
) -> MultimodalDataset:
    """HD-XOR data (paper Algorithm 1; details in the module docstring).

    Parameters
    ----------
    setting : ``"uniqueness<u>"`` (u = 1..M, e.g. ``"uniqueness1"``; plain
        ``"uniqueness"`` means modality 1), ``"synergy"``, ``"redundancy"`` or ``"random"``.
    n_modalities : 2..5 (any M >= 2 with explicit ``dims``).
    dims : modality sizes; default the paper's :data:`HD_XOR_DIMS`.
    loc, scale : override the bit-vector mean / std of the setting.
    label : ``"onehot"`` (default; label 1 iff exactly one bit is 1, the released
        generator) or ``"parity"`` (y = XOR of all bits, the paper's Algorithm 1). They
        differ only for synergy with M >= 3; ``ds.params["label"]`` records the rule and
        :meth:`MultimodalDataset.oracle` follows it.

    Returns a :class:`MultimodalDataset` whose ``X[m]`` is ``(n_samples, dims[m])``
    float32 and whose ``latent`` holds the clear bits ``(n_samples, 2 or M)`` (int8).
    """
    m = int(n_modalities)
    if dims is None:
        if m not in HD_XOR_DIMS:
            raise ValueError(f"the paper defines sizes for 2..5 modalities; pass dims= for M={m}")
        dims = HD_XOR_DIMS[m]
    dims = tuple(int(d) for d in dims)
    if len(dims) != m or m < 2 or min(dims) < 1:
        raise ValueError(f"need M >= 2 positive modality sizes, got n_modalities={m}, dims={dims}")
    if n_samples < 20:
        raise ValueError(f"n_samples must be at least 20 for a 70/15/15 split, got {n_samples}")
    base = setting.rstrip("0123456789")
    if base not in ("uniqueness", "synergy", "redundancy", "random") or (base != "uniqueness" and base != setting):
        raise ValueError(
            f"unknown HD-XOR setting {setting!r}; use 'uniqueness<u>' (u = 1..{m}), 'synergy', 'redundancy' or 'random'"
        )
    if label not in LABELS:
        raise ValueError(f"label must be 'onehot' (exactly one bit is 1) or 'parity' (XOR of all bits), got {label!r}")
    unique = int(setting[len(base):] or 1) - 1 if base == "uniqueness" else None
    if unique is not None and not 0 <= unique < m:
        raise ValueError(f"{setting!r}: the unique modality must be 1..{m}")
    d = int(latent_dim)
    if d < 2 or d % 2:
        raise ValueError(f"latent_dim must be an even number >= 2, got {latent_dim}")
    rng = np.random.default_rng(seed)
    proj = [rng.uniform(-0.5, 0.5, size=(dm, d)).astype(np.float32) for dm in dims]
    n = int(n_samples)

    if base == "random":
        z = rng.standard_normal((n, m, d), dtype=np.float32)
        y = rng.permutation(np.arange(n) % 2)
        latent = y[:, None].astype(np.int8)
        carriers: list[list[int]] = [[] for _ in range(m)]
        loc_used, scale_used = 0.0, 1.0
    elif base == "synergy":
        bits = (_synergy_patterns(n, m, rng, label) if m >= 3 else rng.integers(0, 2, (n, 2))).astype(np.int8)
        loc_used = 0.35 if loc is None else loc
        scale_used = 2.0 if scale is None else scale
        z = _bit_vectors(bits, d, loc_used, scale_used, rng)  # (n, m, d)
        latent = bits
        carriers = [[i] for i in range(m)]
    else:
        bits = rng.integers(0, 2, (n, 2)).astype(np.int8)
        loc_used = (0.25 if base == "redundancy" else 0.35) if loc is None else loc
        scale_used = 1.0 if scale is None else scale
        signal = _bit_vectors(bits, d // 2, loc_used, scale_used, rng).reshape(n, d)
        latent = bits
        if base == "redundancy":
            z = np.broadcast_to(signal[:, None, :], (n, m, d))
            carriers = [[0, 1] for _ in range(m)]
        else:
            z = rng.standard_normal((n, m, d), dtype=np.float32)
            z[:, unique] = signal
            carriers = [[0, 1] if i == unique else [] for i in range(m)]
    if base != "random":
        y = label_bits(latent, label)
    X = [z[:, i] @ proj[i].T for i in range(m)]
    params = dict(latent_dim=d, loc=loc_used, scale=scale_used, dims=dims, unique_modality=unique, label=label)
    return _finish(X, y, latent, carriers, "hd-xor", setting if base != "uniqueness" else f"uniqueness{unique + 1}",
                   seed, params, modality_names)


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


def xor_oracle(views: Sequence[np.ndarray], label: str = "onehot") -> np.ndarray:
    """The paper's XOR baseline (Algorithm 2) on per-modality bit views.

    ``views``: M arrays ``(B, L)`` from :meth:`MultimodalDataset.bits_view` (or rows of
    them, possibly mixed across samples by a masker). The clear bits are the sum of the
    views; the class follows ``label`` (:func:`label_bits`: ``"onehot"`` = exactly one
    bit is set, ``"parity"`` = odd number of bits set). Use
    :meth:`MultimodalDataset.oracle` to get the rule of a dataset. Returns ``(B, 2)``
    float32 one-hot class probabilities.
    """
    if label not in LABELS:
        raise ValueError(f"label must be one of {LABELS}, got {label!r}")
    arrs = [np.asarray(v.detach().cpu() if hasattr(v, "detach") else v, dtype=np.float32) for v in views]
    if not arrs:
        raise ValueError("xor_oracle needs at least one modality view")
    shapes = {a.shape for a in arrs}
    if len(shapes) != 1 or arrs[0].ndim != 2:
        raise ValueError(f"bit views must be M arrays of one shape (B, L), got {[a.shape for a in arrs]}")
    cls = label_bits(np.sum(arrs, axis=0), label)
    out = np.zeros((cls.shape[0], 2), dtype=np.float32)
    out[np.arange(cls.shape[0]), cls] = 1.0
    return out
