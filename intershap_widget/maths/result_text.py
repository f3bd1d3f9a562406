"""The text summary of an :class:`~intershap_widget.maths.result.InteractionResult`:
scores with their intervals over samples, why a score is NaN, the cancellation ratio, Φ."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError
from .uncertainty import check_interval_level

__all__ = ["pct", "pct_interval", "summary_text", "fit_text"]


def pct(x: float) -> str:
    """``"45.5 %"``, or ``"nan"``."""
    return "nan" if not np.isfinite(x) else f"{100 * x:.1f} %"


def pct_interval(x: float, interval: Any) -> str:
    """``"45.5 % [44.1, 46.9]"`` (the interval left out where it is NaN)."""
    lo, hi = (float(v) for v in interval)
    if not np.isfinite(x) or not (np.isfinite(lo) and np.isfinite(hi)):
        return pct(x)
    return f"{100 * x:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]"


def fit_text(fit: dict) -> str:
    """The model's own fit against the labels (``settings["model_fit"]``, written by
    :mod:`intershap_widget.explainers.model_fit`) in one line, e.g. ``accuracy 95.0 %
    against the labels on the 40 explained samples (majority class 62.5 %, Cohen's κ = 0.89)``."""
    if fit.get("value") is None:
        return f"{fit['metric']} against the labels: undefined ({fit.get('reason', '')})"
    if fit["metric"] == "R2":
        return f"R² = {fit['value']:.3f} against the labels on the {fit['n']} explained samples"
    kappa = "" if fit.get("kappa") is None else f", Cohen's κ = {fit['kappa']:.2f}"
    return (f"accuracy {100 * fit['value']:.1f} % against the labels on the {fit['n']} explained samples "
            f"(majority class {100 * fit['majority']:.1f} %{kappa})")


def _notes(res: Any) -> list[str]:
    lines = []
    if res.nan_reason:
        lines.append(f"  global InterSHAP is NaN: {res.nan_reason}")
    degenerate = res.settings.get("degenerate_global")
    if degenerate:
        lines.append(f"  warning: {degenerate}; read the local mean")
    ratio = res.cancellation_ratio
    if np.isfinite(ratio):
        lines.append(f"  cancellation ratio sum|mean phi| / sum mean|phi| = {ratio:.3f}"
                     f"   absolute-first InterSHAP = {pct(res.intershap_abs)}")
    if res.local_nan_reason:
        lines.append(f"  local: {res.local_nan_reason}")
    fit = res.settings.get("model_fit")
    if fit:
        run = "" if fit.get("n") == res.n_samples else f" (of the whole run, not this subset of {res.n_samples})"
        lines.append(f"  model: {fit_text(fit)}{run}")
    return lines


def summary_text(res: Any) -> str:
    """A few lines: sizes, target, global and local InterSHAP with their intervals over
    samples, NaN reasons, the cancellation ratio, modality contributions and Φ."""
    m = res.n_modalities
    width = max(8, max(len(s) for s in res.modality_names))
    nan2 = (float("nan"), float("nan"))
    try:  # a result without intervals prints its numbers alone
        level, iv, unusable = check_interval_level(res.settings), res.intervals or {}, None
    except InputError as exc:  # an edited settings["interval_level"]: the numbers, and what to set
        level, iv, unusable = 0.95, {}, str(exc)
    contrib_iv = iv.get("modality_contributions", np.full((2, m), np.nan))
    contrib = res.modality_contributions
    lines = [
        f"InteractionResult: N={res.n_samples} samples, M={m} modalities, target={res.target!r}",
        f"  InterSHAP (global) = {pct_interval(res.intershap, iv.get('intershap', nan2))}   "
        f"InterSHAP (local mean) = {pct_interval(res.intershap_local_mean, iv.get('intershap_local_mean', nan2))}"
        + (f"   [{100 * level:g} % intervals over samples]" if iv else ""),
        *_notes(res),
        *([f"  no intervals: {unusable}"] if unusable else []),
        "  modality contributions: "
        + ", ".join(f"{n} {pct_interval(c, contrib_iv[:, i])}"
                    for i, (n, c) in enumerate(zip(res.modality_names, contrib))),
        "  Phi = |mean phi|:",
        "    " + " " * width + "".join(f"{n[:10]:>12}" for n in res.modality_names),
    ]
    for i, name in enumerate(res.modality_names):
        lines.append(f"    {name:<{width}}" + "".join(f"{x:12.4g}" for x in res.Phi[i]))
    masking = getattr(res, "masking_se", None)  # issue 13's masking error, where the run has it
    if masking is not None and hasattr(masking, "describe"):
        lines.append("  " + masking.describe())
    return "\n".join(lines)
