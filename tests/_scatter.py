"""Where the explorer's scatter draws each sample, from the mapping its canvas publishes
(``data-x-mode``, ``data-x-domain``, ``data-x-pixels``, ``data-y-pixels``, ``data-view``):
the browser tests click samples through it, in every x axis and zoom."""

from __future__ import annotations

import numpy as np


def x_values(pred: np.ndarray, mode: str) -> np.ndarray:
    """``(N,)`` x of each sample on the axis ``mode`` (the front end's js/scatterx.js, independently)."""
    pred = np.asarray(pred, np.float32).astype(np.float64)
    if mode == "log-odds":
        p = np.clip(pred, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))
    if mode == "rank":
        order = np.lexsort((np.arange(len(pred)), np.where(np.isfinite(pred), pred, np.inf)))
        out = np.empty(len(pred))
        out[order] = np.arange(len(pred))
        return out
    return pred


def pixels(canvas, pred: np.ndarray, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Screen pixels ``(x, y)`` (relative to the canvas) of every sample as drawn now."""
    get = canvas.get_attribute
    mode = get("data-x-mode")
    X0, X1 = map(float, get("data-x-pixels").split(","))
    Y0, Y1 = map(float, get("data-y-pixels").split(","))
    lo, hi = map(float, get("data-x-domain").split(","))
    kx, tx, ky, ty = map(float, get("data-view").split(","))
    xv = x_values(pred, mode)
    x = X0 + (xv - lo) / (hi - lo) * (X1 - X0)
    y = Y0 + np.nan_to_num(np.asarray(local, float), nan=-10.0) * (Y1 - Y0)
    return x * kx + tx, y * ky + ty


def separated(x: np.ndarray, y: np.ndarray, ok: np.ndarray | None = None, box=None) -> int:
    """The sample farthest from its nearest neighbour (among ``ok``, inside ``box`` = (x0, x1, y0, y1))."""
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) + np.eye(len(x)) * 1e9
    good = np.ones(len(x), bool) if ok is None else ok.copy()
    if box is not None:
        good &= (x > box[0]) & (x < box[1]) & (y > box[2]) & (y < box[3])
    return int(np.argmax(np.where(good, d.min(axis=1), -1)))
