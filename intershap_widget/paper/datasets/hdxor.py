"""HD-XOR data (paper Algorithm 1): the bits, their Gaussian vectors and the projections
(details in the package docstring, :mod:`intershap_widget.paper.datasets`)."""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np

from .dataset import MultimodalDataset, _finish
from .labels import LABELS, label_bits

__all__ = ["HD_XOR_DIMS", "hd_xor"]

#: Modality sizes used by the paper for 2–5 modalities (appendix B.1).
HD_XOR_DIMS: dict[int, tuple[int, ...]] = {
    2: (110, 90),
    3: (110, 90, 100),
    4: (110, 90, 100, 110),
    5: (110, 90, 100, 110, 90),
}
_LATENT = 200


def _bit_vectors(bits: np.ndarray, width: int, loc: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``(N, A)`` bits → ``(N, A, width)`` Gaussians with mean ±loc and std ``scale``."""
    out = rng.standard_normal((bits.shape[0], bits.shape[1], width), dtype=np.float32)
    out *= np.float32(scale)
    out += (np.float32(2 * loc) * bits[:, :, None] - np.float32(loc)).astype(np.float32)
    return out



def _synergy_patterns(n: int, m: int, rng: np.random.Generator, label: str = "onehot") -> np.ndarray:
    """``(n, m)`` bit patterns, exactly balanced between the two classes of ``label``."""
    patterns = np.array(list(itertools.product((0, 1), repeat=m)), dtype=np.int8)[:, ::-1]
    positive = label_bits(patterns, label) == 1
    pos, neg = patterns[positive], patterns[~positive]
    n_pos = n // 2
    rows = np.concatenate([pos[rng.integers(0, len(pos), n_pos)], neg[rng.integers(0, len(neg), n - n_pos)]])
    return rows[rng.permutation(n)]


def _check_args(
    setting: str, m: int, n_samples: int, dims: Sequence[int] | None, label: str, latent_dim: int
) -> tuple[tuple[int, ...], str, int | None, int]:
    """Check :func:`hd_xor`'s arguments before any drawing: ``(dims, base setting,
    unique modality (0-based) or None, latent size d)``."""
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
    return dims, base, unique, d


def _latent_vectors(
    base: str, n: int, m: int, d: int, unique: int | None, loc: float | None, scale: float | None, label: str,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, list[list[int]], float, float]:
    """Draw the clear variables and each modality's latent vector for setting ``base``.

    Returns ``(z (n, m, d), y (n,) for "random" else None, latent (n, L) int8,
    carriers per modality, loc used, scale used)``.
    """
    y = None
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
    return z, y, latent, carriers, loc_used, scale_used


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
    """HD-XOR data (paper Algorithm 1; details in the docstring of :mod:`intershap_widget.paper.datasets`).

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
    dims, base, unique, d = _check_args(setting, m, n_samples, dims, label, latent_dim)
    rng = np.random.default_rng(seed)
    proj = [rng.uniform(-0.5, 0.5, size=(dm, d)).astype(np.float32) for dm in dims]
    n = int(n_samples)
    z, y, latent, carriers, loc_used, scale_used = _latent_vectors(base, n, m, d, unique, loc, scale, label, rng)
    if base != "random":
        y = label_bits(latent, label)
    X = [z[:, i] @ proj[i].T for i in range(m)]
    params = dict(latent_dim=d, loc=loc_used, scale=scale_used, dims=dims, unique_modality=unique, label=label)
    return _finish(X, y, latent, carriers, "hd-xor", setting if base != "uniqueness" else f"uniqueness{unique + 1}",
                   seed, params, modality_names)
