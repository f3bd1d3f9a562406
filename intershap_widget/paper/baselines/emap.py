"""EMAP: the empirical multimodally-additive function projection of a two-modality model.

Reference: J. Hessel and L. Lee, "Does my multimodal model learn cross-modal interactions? It's
harder to tell than you might think!", EMNLP 2020. Used as a comparison score (EMAP_gap, macro F1)
in Wenderoth et al., "Measuring Cross-Modal Interactions in Multimodal Models", AAAI 2025
(Table 2 and appendix B.4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from ._common import as_labels, as_modalities, check_class_indices, model_function
from ..metrics import macro_f1


@dataclass(frozen=True)
class EMAPResult:
    """Macro F1 (fractions in [0, 1]) of the model and of its EMAP projection on the same samples.

    ``gap = f1_model − f1_projection``: how much performance needs cross-modal interactions
    (positive = the model gains from interactions; multiply by 100 for the paper's F1 points).
    """

    f1_model: float
    f1_projection: float
    gap: float
    n_samples: int
    subsampled: bool
    info: dict = field(default_factory=dict, compare=False)

    @property
    def score(self) -> float:
        """The interaction score of the InterSHAP paper's Table 2: EMAP_gap (fraction of F1)."""
        return self.gap

    def as_dict(self) -> dict:
        return asdict(self)

    def __repr__(self) -> str:
        sub = f", subsample of {self.n_samples}" if self.subsampled else ""
        return (f"EMAPResult(F1 model={self.f1_model:.4f}, F1 EMAP={self.f1_projection:.4f}, "
                f"gap={self.gap:+.4f}, n={self.n_samples}{sub})")


def emap_projection(model: Any, X: Sequence[Any], *, batch_size: int = 16384,
                    progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """EMAP projection of ``model`` on all N² modality pairs of ``X`` = [X1 (N, ...), X2 (N, ...)].

    Returns ``(projection, outputs)``, both (N, C): outputs[i] = f(x1_i, x2_i) and
    projection[i] = mean_j f(x1_i, x2_j) + mean_j f(x1_j, x2_i) − mean_{j,k} f(x1_j, x2_k).
    Evaluates the model on N² rows in chunks of about ``batch_size`` rows (block of i × all j),
    so memory stays bounded; no per-sample Python loop inside a block.
    """
    X = as_modalities(X, exactly=2, score="EMAP")
    f = model_function(model)
    x1, x2 = X
    n = x1.shape[0]
    rows = max(1, batch_size // n)
    starts = range(0, n, rows)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="EMAP (N² model calls)", unit="block")
    row_mean: np.ndarray | None = None
    col_sum: np.ndarray | None = None
    diag: np.ndarray | None = None
    for s in starts:
        e = min(n, s + rows)
        b = e - s
        a = np.repeat(x1[s:e], n, axis=0)                      # (b·n, ...): x1_i repeated
        c = np.tile(x2, (b,) + (1,) * (x2.ndim - 1))            # (b·n, ...): all x2_j per i
        out = f([a, c])
        out = out.reshape(b, n, out.shape[-1])                 # [i, j] = f(x1_i, x2_j)
        if row_mean is None:
            C = out.shape[-1]
            row_mean, col_sum, diag = np.empty((n, C)), np.zeros((n, C)), np.empty((n, C))
        row_mean[s:e] = out.mean(axis=1)
        col_sum += out.sum(axis=0)
        diag[s:e] = out[np.arange(b), np.arange(s, e)]
    col_mean = col_sum / n
    grand = row_mean.mean(axis=0, keepdims=True)
    return row_mean + col_mean - grand, diag


def emap(model: Any, X: Sequence[Any], y: Any, *, n_samples: int | None = 1000, seed: int = 0,
         batch_size: int = 16384, progress: bool = True) -> EMAPResult:
    """EMAP_gap = macroF1(model) − macroF1(EMAP projection) for a two-modality classifier.

    Definition (Hessel & Lee 2020): the EMAP projection of f on a set of N samples is
    f̂(x1_i, x2_i) = mean_j f(x1_i, x2_j) + mean_j f(x1_j, x2_i) − mean_{j,k} f(x1_j, x2_k), applied
    to the model's output vectors (logits or probabilities, whichever ``model`` returns; Hessel &
    Lee project logits); its prediction is argmax_c f̂. A model without cross-modal interactions
    (f = g1(x1) + g2(x2)) equals its projection, so the gap measures the performance that needs
    interactions. ``X`` = [X1 (N, ...), X2 (N, ...)], ``y`` (N,) labels; ``model`` is called with a
    list of 2 batch arrays and returns (B, C). The N² model calls are bounded by evaluating on a
    seeded random subsample of ``n_samples`` rows (None = all N; the result records
    ``subsampled``); both F1 scores are computed on that same subsample.
    """
    X = as_modalities(X, exactly=2, score="EMAP")
    n = X[0].shape[0]
    y = as_labels(y, n)
    if n_samples is not None and n_samples < 2:
        raise ValueError(f"n_samples must be >= 2 or None; got {n_samples}.")
    subsampled = n_samples is not None and n_samples < n
    if subsampled:
        idx = np.sort(np.random.default_rng(seed).choice(n, size=n_samples, replace=False))
        X = [x[idx] for x in X]
        y = y[idx]
        as_labels(y, len(y), what="y (after subsampling; increase n_samples)")
    check_class_indices(y, model_function(model)([x[:1] for x in X]).shape[1])  # one-row probe
    proj, out = emap_projection(model, X, batch_size=batch_size, progress=progress)
    f1_model = macro_f1(y, np.argmax(out, axis=1))
    f1_proj = macro_f1(y, np.argmax(proj, axis=1))
    return EMAPResult(f1_model=f1_model, f1_projection=f1_proj, gap=f1_model - f1_proj,
                      n_samples=int(len(y)), subsampled=bool(subsampled),
                      info={"seed": seed, "n_total": int(n), "model_rows": int(len(y)) ** 2,
                            "metric": "macro F1"})
