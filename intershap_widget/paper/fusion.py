"""The InterSHAP paper's fully connected fusion networks (appendix B.3) and their training.

Every network is ``head(concat([encoder_m(x_m) for m]))`` with per-modality
``encoders`` (an ``nn.ModuleList``) and a fusion ``head``, so a caller can run the
encoders once and the head per coalition ("factorised" evaluation):

* ``early``: encoders are identities; head = Linear(D, D/2)-ReLU-Linear(D/2, D/4)-ReLU-
  Linear(D/4, C) on the concatenation (D = Σ d_m).
* ``intermediate``: encoder m = Linear(d_m, d_m/2) (no activation, as in the authors'
  code); head = Linear(H, H/2)-ReLU-Linear(H/2, C), H = Σ d_m/2.
* ``late``: encoder m = Linear(d_m, d_m/2)-ReLU-Linear(d_m/2, d_m/4); head =
  Linear(Σ d_m/4, C).

Sizes follow the paper's text: hidden = half the input, output = half the hidden (integer
division). Training: Adam (lr 1e-4, weight decay 1e-4), cross-entropy, no early
stopping, seeded. Evaluation: macro F1 (:func:`f1_macro`, an alias of :func:`intershap_widget.paper.metrics.macro_f1`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .metrics import macro_f1 as f1_macro

__all__ = ["FUSIONS", "FusionNet", "make_model", "train_model", "predict_proba", "f1_macro", "TrainLog"]

FUSIONS = ("early", "intermediate", "late")


class _Concat(nn.Module):
    def forward(self, parts: Sequence[torch.Tensor]) -> torch.Tensor:  # pragma: no cover - trivial
        return torch.cat(list(parts), dim=-1)


class FusionNet(nn.Module):
    """FCNN with ``fusion`` in ``{"early", "intermediate", "late"}`` on M modality inputs.

    ``forward(xs)`` takes a list of M tensors ``(B, d_m)`` and returns logits ``(B, C)``.
    Attributes: ``encoders`` (M modules, ``(B, d_m) → (B, e_m)``), ``head``
    (``(B, Σ e_m) → (B, C)``), ``fusion``, ``dims``, ``embed_dims`` (e_m).
    """

    def __init__(self, dims: Sequence[int], fusion: str = "early", n_classes: int = 2) -> None:
        super().__init__()
        dims = tuple(int(d) for d in dims)
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        if not dims or min(dims) < 4:
            raise ValueError(f"need at least one modality with >= 4 features, got dims={dims}")
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        self.fusion = fusion
        self.dims = dims
        self.n_classes = int(n_classes)
        if fusion == "early":
            self.encoders = nn.ModuleList([nn.Identity() for _ in dims])
            emb = list(dims)
            d = sum(dims)
            self.head = nn.Sequential(
                nn.Linear(d, d // 2), nn.ReLU(), nn.Linear(d // 2, d // 4), nn.ReLU(), nn.Linear(d // 4, n_classes)
            )
        elif fusion == "intermediate":
            self.encoders = nn.ModuleList([nn.Linear(d, d // 2) for d in dims])
            emb = [d // 2 for d in dims]
            h = sum(emb)
            self.head = nn.Sequential(nn.Linear(h, h // 2), nn.ReLU(), nn.Linear(h // 2, n_classes))
        else:
            self.encoders = nn.ModuleList(
                [nn.Sequential(nn.Linear(d, d // 2), nn.ReLU(), nn.Linear(d // 2, d // 4)) for d in dims]
            )
            emb = [d // 4 for d in dims]
            self.head = nn.Linear(sum(emb), n_classes)
        self.embed_dims = tuple(emb)

    def encode(self, xs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """Per-modality embeddings: M tensors ``(B, e_m)``."""
        if len(xs) != len(self.encoders):
            raise ValueError(f"the model takes {len(self.encoders)} modalities, got {len(xs)} inputs")
        return [enc(x) for enc, x in zip(self.encoders, xs)]

    def forward(self, xs: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.head(torch.cat(self.encode(xs), dim=-1))


def make_model(dims: Sequence[int], fusion: str = "early", n_classes: int = 2, seed: int = 0) -> FusionNet:
    """A :class:`FusionNet` with weights initialised from ``seed``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return FusionNet(dims, fusion, n_classes)


def _as_tensors(X: Sequence[np.ndarray | torch.Tensor]) -> list[torch.Tensor]:
    return [torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=torch.float32) for x in X]


@dataclass
class TrainLog:
    """Losses per epoch and validation macro F1 (when a validation set was given)."""

    loss: list[float] = field(default_factory=list)
    valid_f1: list[tuple[int, float]] = field(default_factory=list)
    seconds: float = 0.0


def train_model(
    model: FusionNet,
    X: Sequence[np.ndarray],
    y: np.ndarray,
    *,
    epochs: int = 200,
    batch_size: int = 5000,
    lr: float = 1e-4,
    weight_decay: float = 1e-4,
    seed: int = 0,
    train_encoders: bool = True,
    valid: tuple[Sequence[np.ndarray], np.ndarray] | None = None,
    eval_every: int = 10,
    progress: bool = True,
) -> TrainLog:
    """Train ``model`` in place on M arrays ``X[m]`` ``(N, d_m)`` and labels ``y`` ``(N,)``.

    Adam with ``lr``/``weight_decay``, cross-entropy, mini-batches of ``batch_size``
    (the authors' code uses 5000) reshuffled every epoch from ``seed``.
    ``train_encoders=False`` leaves the per-modality encoders at their random
    initialisation (what the authors' released intermediate/late models do, because
    their encoders are kept in a plain Python list). Returns a :class:`TrainLog`.
    """
    import time

    xs = _as_tensors(X)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.long)
    n = yt.shape[0]
    if any(x.shape[0] != n for x in xs):
        raise ValueError(f"every modality needs {n} rows (one per label), got {[x.shape[0] for x in xs]}")
    if len(xs) != len(model.encoders):
        raise ValueError(f"the model takes {len(model.encoders)} modalities, got {len(xs)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    if int(yt.min()) < 0 or int(yt.max()) >= model.n_classes:
        raise ValueError(f"labels must be in 0..{model.n_classes - 1}")
    params = list(model.parameters()) if train_encoders else list(model.head.parameters())
    opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(int(seed))
    loss_fn = nn.CrossEntropyLoss()
    log = TrainLog()
    t0 = time.perf_counter()
    model.train()
    bar = tqdm(range(epochs), desc=f"train {model.fusion}", disable=not progress, leave=False)
    for epoch in bar:
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model([x[idx] for x in xs]), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * idx.shape[0]
        log.loss.append(total / n)
        if valid is not None and ((epoch + 1) % eval_every == 0 or epoch + 1 == epochs):
            pred = predict_proba(model, valid[0]).argmax(1)
            log.valid_f1.append((epoch + 1, f1_macro(valid[1], pred)))
            model.train()
        bar.set_postfix(loss=f"{log.loss[-1]:.4f}")
    model.eval()
    log.seconds = time.perf_counter() - t0
    return log


@torch.no_grad()
def predict_proba(model: nn.Module, X: Sequence[np.ndarray], batch_size: int = 8192) -> np.ndarray:
    """Softmax class probabilities ``(N, C)`` (float32) of ``model`` on M arrays ``(N, d_m)``."""
    xs = _as_tensors(X)
    was = model.training
    model.eval()
    out = [
        torch.softmax(model([x[s : s + batch_size] for x in xs]), dim=-1)
        for s in range(0, xs[0].shape[0], batch_size)
    ]
    model.train(was)
    return torch.cat(out).numpy()
