"""SHAPE: performance-based modality contributions and cross-modal cooperation.

Reference: P. Hu, X. Li and Y. Zhou, "SHAPE: An Unified Approach to Evaluate the Contribution and
Cooperation of Individual Modalities", IJCAI 2022. Re-implemented as in Wenderoth et al.,
"Measuring Cross-Modal Interactions in Multimodal Models", AAAI 2025 (appendix B.4): macro F1 as
the performance metric and a model that always predicts the majority class as the baseline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from math import factorial
from typing import Any, Callable, Literal, Sequence

import numpy as np

from ._common import as_labels, as_modalities, check_class_indices, model_function, predict_batched
from ..metrics import macro_f1, majority_class

Masking = Literal["zeros", "mean", "permute"]


@dataclass(frozen=True)
class SHAPEResult:
    """SHAPE scores (fractions of the metric; ×100 for the paper's F1 points).

    ``coalition_values`` (2**M,): V(S), bit i of the index = modality i present, V(∅) = baseline.
    ``contributions`` (M,): Shapley values of V. ``cooperation_per_modality`` (M,):
    φ_i − (V({i}) − V(∅)). ``cooperation`` = their sum = V(N) − V(∅) − Σ_i (V({i}) − V(∅)).
    """

    cooperation: float
    cooperation_per_modality: np.ndarray
    contributions: np.ndarray
    coalition_values: np.ndarray
    baseline: float
    masking: str
    info: dict = field(default_factory=dict, compare=False)

    @property
    def score(self) -> float:
        """The interaction score of the InterSHAP paper's Table 2: the cross-modal cooperation."""
        return self.cooperation

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("cooperation_per_modality", "contributions", "coalition_values"):
            d[k] = np.asarray(d[k]).tolist()
        return d

    def __repr__(self) -> str:
        return (f"SHAPEResult(cooperation={self.cooperation:+.4f}, V(N)={self.coalition_values[-1]:.4f}, "
                f"baseline={self.baseline:.4f}, contributions={np.round(self.contributions, 4).tolist()}, "
                f"masking={self.masking!r})")


def _shapley_from_values(v: np.ndarray, m: int) -> np.ndarray:
    """Exact Shapley values (M,) of a game given as (2**M,) bitmask-indexed values."""
    phi = np.zeros(m)
    for s in range(2 ** m):
        size = bin(s).count("1")
        for i in range(m):
            if not s >> i & 1:
                w = factorial(size) * factorial(m - size - 1) / factorial(m)
                phi[i] += w * (v[s | 1 << i] - v[s])
    return phi


def _reference(x: np.ndarray, masking: Masking, rng: np.random.Generator) -> np.ndarray:
    """What replaces an absent modality (same shape as ``x``)."""
    if masking == "zeros":
        return np.zeros_like(x)
    if masking == "mean":
        return np.repeat(x.mean(axis=0, keepdims=True), x.shape[0], axis=0)
    return x[rng.permutation(x.shape[0])]


def shape(model: Any, X: Sequence[Any], y: Any, *, masking: Masking = "zeros",
          baseline: Literal["majority"] | float = "majority",
          metric: Callable[[np.ndarray, np.ndarray], float] = macro_f1, seed: int = 0,
          batch_size: int = 4096) -> SHAPEResult:
    """SHAPE cross-modal cooperation of a classifier on M >= 2 modalities.

    Definition used here (Hu et al. 2022, as re-implemented for InterSHAP's Table 2):
    the value of a coalition S of modalities is the performance of the model when the
    modalities outside S are replaced,

        V(S) = metric(y, argmax_c f(x_S, r_{N∖S}))  for S ≠ ∅,    V(∅) = b,

    with b the metric of a model that always predicts the majority class of ``y`` (``baseline=
    "majority"``; or pass a number). ``masking`` chooses r: "zeros" (the InterSHAP authors'
    choice), "mean" (per-feature mean of the modality over X) or "permute" (the modality of
    another sample, seeded permutation). SHAPE's modality contributions are the Shapley values
    φ_i of V; the cross-modal cooperation is what the full model gains beyond the sum of the
    unimodal gains,

        cooperation = V(N) − V(∅) − Σ_i [V({i}) − V(∅)] = Σ_i (φ_i − [V({i}) − V(∅)]),

    negative when the unimodal models together gain more than the full model (redundancy).
    ``X``: list of M arrays (N, ...); ``y`` (N,) labels; ``metric`` defaults to macro F1.
    Cost: 2**M − 1 passes of the model over N samples.
    """
    X = as_modalities(X, min_modalities=2, score="SHAPE")
    n, m = X[0].shape[0], len(X)
    y = as_labels(y, n)
    if masking not in ("zeros", "mean", "permute"):
        raise ValueError(f"masking must be 'zeros', 'mean' or 'permute'; got {masking!r}.")
    if m > 12:
        raise ValueError(f"SHAPE evaluates 2**M coalitions; M = {m} is too many (at most 12).")
    if isinstance(baseline, str):
        if baseline != "majority":
            raise ValueError(f"baseline must be 'majority' or a number; got {baseline!r}.")
        b = float(metric(y, np.full_like(y, majority_class(y))))
    else:
        b = float(baseline)
    f = model_function(model)
    check_class_indices(y, f([x[:1] for x in X]).shape[1])  # one-row probe before 2**M passes
    rng = np.random.default_rng(seed)
    refs = [_reference(x, masking, rng) for x in X]
    v = np.empty(2 ** m)
    v[0] = b
    for s in range(1, 2 ** m):
        xs = [X[i] if s >> i & 1 else refs[i] for i in range(m)]
        v[s] = metric(y, np.argmax(predict_batched(f, xs, batch_size), axis=1))
    phi = _shapley_from_values(v, m)
    single = np.array([v[1 << i] - v[0] for i in range(m)])
    coop_i = phi - single
    return SHAPEResult(cooperation=float(v[-1] - v[0] - single.sum()), cooperation_per_modality=coop_i,
                       contributions=phi, coalition_values=v, baseline=b, masking=masking,
                       info={"seed": seed, "n_samples": n, "metric": getattr(metric, "__name__", "metric")})
