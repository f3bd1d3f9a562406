"""Diagnostics of a global score: the cancellation warning (docs/honest_numbers.md).

Φ = |mean φ| takes the absolute value *after* averaging over the samples (the paper's
definition, kept as the default). Where the signs of φ differ between samples, the
global score measures what is left after they cancelled. The cancellation ratio
Σ|mean φ| / Σ mean|φ| (``res.cancellation_ratio``, 1 = nothing cancelled) says how much
is left; below :data:`CANCELLATION_WARN`, when cancelling also moves the score by more
than :data:`CANCELLATION_SHIFT` from the absolute-first aggregate, the global score is
dominated by cancellation and :func:`warn_if_degenerate` (called once at the end of ``explain()``) issues a
:class:`CancellationWarning` that says what to do.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

__all__ = ["CancellationWarning", "CANCELLATION_WARN", "CANCELLATION_SHIFT", "cancellation_message",
           "warn_if_degenerate"]

#: below this share of the absolute behaviour surviving the mean, the global score is
#: dominated by cancellation
CANCELLATION_WARN = 0.5
#: ... and only when cancelling moves the global score by more than this (absolute share)
#: from the absolute-first aggregate: a model without interactions scores 0 either way
CANCELLATION_SHIFT = 0.05
#: a ratio this close below the threshold is called borderline in the warning
BORDERLINE = 0.05


class CancellationWarning(UserWarning):
    """The global InterSHAP is dominated by cancellation: the signs of φ differ between
    samples and Φ = |mean φ| is what is left after they cancel."""


def _pct(x: float) -> str:
    return "nan" if not np.isfinite(x) else f"{100 * x:.1f} %"


_SEPARATE = ("the background holds the explained samples ({share} of its rows): use a background separate from "
             "them (held-out rows), against which the samples' interactions need not cancel")
_UNKNOWN = ("use target='predicted' (each sample explains its own predicted class) or a background separate "
            "from the explained samples, if either does not hold already")
_PREDICTED = "explain target='predicted' (each sample its own predicted class) instead of one class for every sample"
_IN_THE_MODEL = ("the background is already separate from the explained samples and each sample explains its own "
                 "predicted class, so the cancellation is in the model: its interactions raise the explained output "
                 "on some samples and lower it on others (as XOR-type synergy does). The global score is what "
                 "survives the average (the paper's definition); report the local mean or the absolute-first "
                 "aggregate beside it")
_READ = ("Read res.intershap_local_mean = {local} (|phi| per sample) or res.intershap_abs = {absf} "
         "(mean |phi|). See docs/honest_numbers.md, section 2.")


def _advice(result: Any) -> str:
    """What applies to ``result``: a background shared with the samples or not (known from
    ``settings["background_overlap"]``), one fixed class or each sample's own."""
    settings = getattr(result, "settings", None) or {}
    overlap = settings.get("background_overlap")
    fixed = getattr(result, "target", None) not in ("predicted", "all", "regression")
    steps = [_PREDICTED] if fixed else []
    if overlap is None:  # a result not from explain(): the situation is unknown
        steps = [_UNKNOWN]
    elif overlap > 0:
        steps.append(_SEPARATE.format(share=_pct(float(overlap))))
    elif not fixed:
        steps.append(_IN_THE_MODEL)
    read = _READ.format(local=_pct(result.intershap_local_mean), absf=_pct(result.intershap_abs))
    text = "; ".join(steps)
    if steps and steps[-1] != _IN_THE_MODEL:
        text = "To measure interactions rather than what survives the average: " + text
    return text[:1].upper() + text[1:] + ". " + read


def cancellation_message(result: Any) -> str | None:
    """The :class:`CancellationWarning` text for ``result``, or None when its global
    score is not dominated by cancellation (or the engine already reported the
    degenerate fixed-output case in ``settings["degenerate_global"]``). The advice
    depends on the situation (:func:`_advice`)."""
    if (getattr(result, "settings", None) or {}).get("degenerate_global"):
        return None
    ratio = float(result.cancellation_ratio)
    reason = result.nan_reason or ""
    if reason.startswith("the behaviour cancels"):
        return f"global InterSHAP is NaN: {reason}. {_advice(result)}"
    if not np.isfinite(ratio) or ratio >= CANCELLATION_WARN:
        return None
    if abs(float(result.intershap) - float(result.intershap_abs)) <= CANCELLATION_SHIFT:
        return None  # the signs cancel, but the score is the same either way
    border = (f"; borderline: the warning starts below {CANCELLATION_WARN}"
              if ratio >= CANCELLATION_WARN - BORDERLINE else "")
    return (f"global InterSHAP = {_pct(result.intershap)} is dominated by cancellation: only "
            f"{100 * ratio:.0f} % of the behaviour survives averaging phi over the samples "
            f"(cancellation ratio sum |mean phi| / sum mean |phi| = {ratio:.3f}{border}). {_advice(result)}")


def _outside_stacklevel() -> int:
    """``stacklevel`` for a warning issued by the caller of this function's caller, that
    points at the first frame outside this package."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("intershap_widget"):
        frame, level = frame.f_back, level + 1
    return level


def warn_if_degenerate(result: Any) -> str | None:
    """Issue one :class:`CancellationWarning` when ``result``'s global score is dominated
    by cancellation (see :func:`cancellation_message`); returns its text or None."""
    msg = cancellation_message(result)
    if msg is not None:
        warnings.warn(msg, CancellationWarning, stacklevel=_outside_stacklevel())
    return msg
