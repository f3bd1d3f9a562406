"""The multimodal data set type, its seeded stratified 70/15/15 split and the helper the
generators (:mod:`.hdxor`, :mod:`.sum_data`) build it with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable, Sequence

import numpy as np

from .labels import xor_oracle

__all__ = ["MultimodalDataset", "stratified_split"]

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
