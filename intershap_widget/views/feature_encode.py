"""What the explorer's drill-down panel (``js/drilldown.js``) receives for a
:class:`~intershap_widget.FeatureResult`: float32 buffers and a small JSON dict.

* ``_feature_parts``: float32 ``(N, M + 1, G)``: rows 0..M−1 are ``fr.interaction`` (row j:
  each feature's part of φ_ij, row i: its main-effect part), row M is ``fr.effect`` (its
  part of φ_i); ``(0, 0, 0)`` without features.
* ``_feature_se``: the same shape of standard errors for a sampled result, else ``(0, 0, 0)``.
* ``_feature_image``: uint8 ``(N, H, W)`` grey thumbnails of the explained images (patch
  features with ``images=``), else ``(0, 0, 0)``.
* ``_feature_meta``: ``n_features``, ``modality`` (i), ``names`` (G), ``kind``
  (``"columns"``, ``"patches"``, ``"tokens"``, ``"masks"``), ``grid`` (patch rows, cols),
  ``labels`` (the patch of every pixel, row-major, for patches), ``tokens`` (per sample,
  one str per feature, when given), ``sampled``.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["encode_features", "no_features"]


def no_features() -> dict:
    """The traits of a result without feature parts (the panel stays hidden)."""
    empty = np.zeros((0, 0, 0), dtype=np.float32)
    return {"_feature_parts": empty, "_feature_se": empty, "_feature_image": np.zeros((0, 0, 0), dtype=np.uint8),
            "_feature_meta": {"n_features": 0}}


def _thumbnails(images: Any, n: int, grid_shape: tuple) -> np.ndarray:
    img = np.asarray(images, dtype=np.float64)
    if img.ndim == 4:  # (N, C, H, W) or (N, H, W, C)
        img = img.mean(axis=1) if img.shape[1] in (1, 3, 4) and img.shape[-1] not in (1, 3, 4) else img.mean(axis=-1)
    if img.shape != (n,) + tuple(grid_shape):
        raise ValueError(f"images must be the {n} explained samples' images with {grid_shape} pixels "
                         f"((N, C, H, W), (N, H, W, C) or (N, H, W)), got shape {np.shape(images)}")
    lo = img.min(axis=(1, 2), keepdims=True)
    hi = img.max(axis=(1, 2), keepdims=True)
    scaled = np.where(hi > lo, (img - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)
    return np.round(255 * scaled).astype(np.uint8)


def encode_features(fr: Any, images: Any = None, tokens: Sequence[Sequence[str]] | None = None) -> dict:
    """The drill-down traits of ``fr`` (module docstring); ``images``: the explained
    samples' images in ``fr.samples`` order; ``tokens``: per sample, one str per feature."""
    n, m, g = fr.interaction.shape
    parts = np.concatenate([fr.interaction, fr.effect[:, None, :]], axis=1).astype(np.float32)
    out = no_features()
    out["_feature_parts"] = parts
    if fr.interaction_se is not None:
        out["_feature_se"] = np.concatenate([fr.interaction_se, fr.effect_se[:, None, :]], axis=1).astype(np.float32)
    meta = {"n_features": int(g), "modality": int(fr.modality), "names": [str(s) for s in fr.feature_names],
            "kind": fr.kind, "grid": list(fr.grid) if fr.grid else None, "sampled": fr.interaction_se is not None}
    if fr.kind == "patches" and fr.labels is not None:
        labels = np.asarray(fr.labels)
        labels = labels.reshape(labels.shape[-2:]) if labels.ndim > 2 else labels
        meta["shape"] = list(labels.shape)
        meta["labels"] = labels.ravel().astype(int).tolist()
        if images is not None:
            out["_feature_image"] = _thumbnails(images, n, labels.shape)
    if tokens is not None:
        tok = [[str(t) for t in row] for row in tokens]
        if len(tok) != n or any(len(row) != g for row in tok):
            raise ValueError(f"tokens must give, for each of the {n} explained samples, one str per feature ({g})")
        meta["tokens"] = tok
    out["_feature_meta"] = meta
    return out
