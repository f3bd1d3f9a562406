"""A precision target instead of a row count, and the masking error of every run.

``explain(..., precision=...)`` with a background larger than ``n_background`` rows
uses :class:`~intershap_widget.explainers.maskers.SampledMasker`: a first round of
:data:`FIRST_ROUND` rows per sample, the masking standard errors estimated from those
rows (:mod:`intershap_widget.maths.masking_error`), then as many more rows per sample
as the targets need (the standard error falls as sqrt(1/K − 1/B): first
:data:`_APPROACH` of the rows the first round predicts, then the rest extrapolated from
the variance on those rows, so the run stops near the rows an oracle knowing the
variances would take, not past them), in at most :data:`MAX_ROUNDS` rounds and :data:`MAX_ROWS_PER_SAMPLE` rows, stopping as soon as the
targets are met (a run that stops short warns). Rounds add rows
k0..k1 of every sample's own row sequence, so a run that stops at K rows gives the
same numbers as a run asked for K rows at once. With K = B rows every sample sees the
whole background: the exact expectation, masking error 0.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..maths.errors import InputError
from ..maths.masking_error import MaskingError, exact_masking_error, masking_error

__all__ = ["DEFAULT_PRECISION", "FIRST_ROUND", "MAX_ROUNDS", "MAX_KEPT_ROWS", "parse_precision",
           "check_precision_applies",
           "MAX_ROWS_PER_SAMPLE", "rows_needed", "first_round", "rounds_to_precision", "run_masking_error",
           "rows_to_keep", "attach_masking_error", "target_values", "PRECISION_KEYS", "behaviour_scale",
           "absolute_targets",
           "MaskingPrecisionWarning"]

#: default targets, 1 standard error of the masking: the global score (a ratio, free of
#: the output's units) and the RMS over samples and entries of φ *relative to the scale
#: of the model's behaviour*, the RMS over samples of v(N) − v(∅) (the paper's 1,000
#: draws: ±0.0014–0.0024 global and 0.007–0.013 φ RMS on HD-XOR, M = 2–4, where that
#: scale is about 0.45: 0.02 of it is their 0.01). ``"phi_absolute"`` sets φ's target in
#: the output's units instead.
DEFAULT_PRECISION = {"global": 0.002, "phi": 0.02}
#: keys of a precision dict ("paper": n, at least the precision of the paper's n draws
#: per coalition on the global score, φ RMS and the local scores' RMS)
PRECISION_KEYS = ("global", "phi", "phi_absolute", "paper")
#: ``precision="paper"``: the default targets, and at least the paper's 1,000 draws
PAPER_PRECISION = {"global": 0.002, "phi": 0.02, "paper": 1000.0}
FIRST_ROUND = 32
MAX_ROUNDS = 4
#: rows per sample a precision target may ask for (twice the paper's 1,000 draws);
#: beyond, the run stops there and warns (a huge background with few samples would
#: otherwise push every sample through every row)
MAX_ROWS_PER_SAMPLE = 2048
#: per-row outputs kept for the masking error (float32 entries, about 512 MB)
MAX_KEPT_ROWS = 1 << 27
_ROUND_TO = 8
#: the first round's variance comes from a few rows per sample: the second round goes
#: to this fraction of the rows it predicts (no margin), so the rows are added from
#: below and the last step is extrapolated from a variance measured on many rows
_APPROACH = 0.7
_MARGIN = 1.03  # variance margin on a row count extrapolated after the first round


def _shown(value: Any) -> str:
    """``repr(value)``, cut short for a huge number."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:12]}… ({len(text)} digits)" if text.isdigit() else text[:40] + "…"


def _target(value: Any, precision: Any) -> float:
    """One precision target as a positive finite float, or an InputError saying what to pass."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"precision must be None, a positive number (the global score's standard error, e.g. "
                         f"0.002) or a dict {{'global': ..., 'phi': ...}}, got {_shown(precision)}")
    try:
        v = float(value)
    except OverflowError:
        v = float("inf")
    if not np.isfinite(v) or v <= 0:
        raise InputError(f"precision targets must be positive finite numbers (e.g. 0.002), got {_shown(precision)}")
    return v


def parse_precision(precision: Any) -> dict | None:
    """``None`` | float g (the global score's SE g; φ's RMS SE 10·g of the behaviour's
    scale) | dict with ``"global"``, ``"phi"`` (relative to the RMS of v(N) − v(∅)) or
    ``"phi_absolute"`` (output units) → a dict of positive targets, or None."""
    if precision is None:
        return None
    if isinstance(precision, str) and precision == "paper":
        return dict(PAPER_PRECISION)
    if isinstance(precision, dict):
        unknown = set(precision) - set(PRECISION_KEYS)
        if unknown:
            raise InputError(f"precision keys are 'global', 'phi' (relative to the RMS of v(N) − v(∅)) and "
                             f"'phi_absolute' (output units), got {sorted(unknown, key=str)}")
        out = {k: _target(v, precision) for k, v in precision.items() if v is not None}
        if not out:
            raise InputError(f"precision={precision!r} sets no target; give 'global' and/or 'phi', or pass None")
        if "phi" in out and "phi_absolute" in out:
            raise InputError(f"precision={precision!r} sets φ's target twice: give 'phi' (relative to the RMS "
                             "of v(N) − v(∅)) or 'phi_absolute' (output units), not both")
        return out
    g = _target(precision, precision)
    return {"global": g, "phi": 10 * g}


def behaviour_scale(values: np.ndarray) -> float:
    """The scale φ's relative target refers to: the RMS over samples of v(N) − v(∅),
    from coalition values ``(N, 2**M)`` (the efficiency total φ sums to)."""
    gap = values[:, -1] - values[:, 0]
    return float(np.sqrt(np.mean(gap**2))) if gap.size else 0.0


def absolute_targets(targets: dict, values: np.ndarray) -> dict:
    """``targets`` with φ's in output units (``"phi"``: × :func:`behaviour_scale` of
    ``values`` ``(N, 2**M)``; dropped when the model shows no behaviour) and the scale
    kept under ``"phi_scale"``."""
    out = {k: v for k, v in targets.items() if k in ("global", "paper")}
    if "phi_absolute" in targets:
        out["phi"] = targets["phi_absolute"]
    elif "phi" in targets:
        scale = behaviour_scale(values)
        out["phi_scale"] = scale
        if np.isfinite(scale) and scale > 0:
            out["phi"] = targets["phi"] * scale
    return out


def check_precision_applies(precision: Any, masking: Any) -> None:
    """A precision target given with a masking it cannot steer (``"random"``, ``"baseline"``,
    a masking function or a fixed Masker) is refused rather than silently ignored."""
    given = precision is not None and not (isinstance(precision, str) and precision == "default")
    if given and not (isinstance(masking, str) and masking in ("expectation", "sampled")):
        name = masking if isinstance(masking, str) else type(masking).__name__
        fix = "set n_draws= instead" if name == "random" else "drop precision="
        raise InputError(f"precision={precision!r} applies to masking='expectation' or 'sampled' (background rows "
                         f"added per sample until the target holds); with masking={name!r} it would be ignored: "
                         f"{fix}, or pass precision=None")


def rows_needed(err: MaskingError, k: int, b: int, targets: dict, margin: float = _MARGIN,
                share: float = 1.0) -> int:
    """Rows per sample at which the targets are met, from the error at k of b rows (the
    variance × ``margin``); ``share`` < 1 asks for that fraction of the rows to add."""
    if k >= b:
        return k
    gap = 1.0 / k - 1.0 / b
    need = k
    for key, se in (("global", err.intershap), ("phi", err.phi_rms), ("local", _local_rms(err))):
        t = targets.get(key)
        if t is None or not np.isfinite(se) or se <= t:
            continue
        s2 = se**2 / gap * margin
        need = max(need, int(np.ceil(1.0 / (t**2 / s2 + 1.0 / b))))
    if need > k and share < 1.0:
        need = max(k + 1, int(share * need))
    need = int(np.ceil(need / _ROUND_TO) * _ROUND_TO)
    return min(need, b)


def first_round(n: int, c: int, masker: Any) -> tuple[int, int | None]:
    """A sampled run's first round for N samples and ``c`` = 2**M coalitions:
    ``(rows per sample, columns of the kept per-row outputs or None)``; a fixed
    ``rows_per_sample`` is the only round (rows kept when they fit)."""
    b = masker.n_background
    cap = max(2, min(MAX_KEPT_ROWS // max(n * c, 1), MAX_ROWS_PER_SAMPLE))
    if masker.rows_per_sample is not None:
        k = min(masker.rows_per_sample, b)
        return k, (k if n * c * k <= MAX_KEPT_ROWS else None)
    return min(FIRST_ROUND, b, cap), min(b, cap)


def rounds_to_precision(add_rows: Callable[[int, int, int], None], rows: np.ndarray | None, values: np.ndarray,
                        cls: np.ndarray, keep_all: bool, masker: Any, targets: dict,
                        k_done: int) -> tuple[int, list, dict]:
    """After a first round of ``k_done`` rows per sample, call ``add_rows(k0, k1, round)``
    (which adds rows ``k0..k1`` to ``values`` and ``rows`` ``(N, 2**M, K_max)``) until the
    targets hold, at most :data:`MAX_ROUNDS` rounds. Returns ``(rows per sample, rounds,
    the targets in output units)`` (:func:`absolute_targets` at the first round: the
    same model in other units takes the same rows); ``rounds`` lists the rows per
    sample after each round and the errors seen there."""
    rounds: list = []
    targets = absolute_targets(targets, target_values(values, cls, keep_all))
    while rows is not None:  # rows too many to keep: no error, no rounds
        err = _error(rows[:, :, :k_done], values, cls, keep_all, k_done, masker)
        rounds.append({"rows_per_sample": k_done, "intershap_se": err.intershap, "phi_rms_se": err.phi_rms})
        if len(rounds) == 1 and "paper" in targets:
            targets = _at_least_the_papers(targets, rows[:, :, :k_done], values, cls, keep_all)
        if masker.rows_per_sample is not None or len(rounds) >= MAX_ROUNDS:
            break
        # from the first round's few rows: part of the way, then the rest from a variance on many rows
        first = len(rounds) == 1
        k_next = min(rows_needed(err, k_done, masker.n_background, targets, margin=1.0 if first else _MARGIN,
                                 share=_APPROACH if first else 1.0), rows.shape[2])
        if k_next <= k_done:
            break
        add_rows(k_done, k_next, len(rounds))
        k_done = k_next
    return k_done, rounds, targets


def _local_rms(err: MaskingError) -> float:
    loc = np.asarray(err.intershap_local, dtype=np.float64)
    loc = loc[np.isfinite(loc)]
    return float(np.sqrt(np.mean(loc**2))) if loc.size else float("nan")


def _at_least_the_papers(targets: dict, rows: np.ndarray, values: np.ndarray, cls: np.ndarray,
                         keep_all: bool) -> dict:
    """``targets`` tightened to the standard errors the paper's estimator would have with
    ``targets["paper"]`` independent draws per (sample, coalition) and v(∅) exact,
    estimated from the first round's per-row outputs ``(N, 2**M, K)`` (the independent
    design's formula, scaled from K to n draws): global, φ RMS and local RMS."""
    y = target_values(values, cls, keep_all)
    k, draws = rows.shape[2], float(targets["paper"])
    flat = np.array(rows, dtype=np.float64)
    flat[:, 0, :] = y[:, :1]  # the paper's v(∅): the mean over the whole background, no draws
    flat[:, -1, :] = y[:, -1:]
    paper = masking_error(flat, y, "independent", 1.0)
    shrink = np.sqrt(k / draws)
    out = dict(targets)
    for key, se in (("global", paper.intershap), ("phi", paper.phi_rms), ("local", _local_rms(paper))):
        if np.isfinite(se) and se > 0:
            out[key] = min(out.get(key, np.inf), se * shrink)
            out[f"paper_{key}"] = se * shrink
    return out


def target_values(values: np.ndarray, cls: np.ndarray, keep_all: bool) -> np.ndarray:
    """The explained class's coalition values ``(N, 2**M)`` of ``values`` ``(N, 2**M, C or 1)``."""
    return values[np.arange(values.shape[0]), :, cls] if keep_all else values[:, :, 0]


def _error(rows: np.ndarray, values: np.ndarray, cls: np.ndarray, keep_all: bool, k: int, masker: Any) -> MaskingError:
    n, m, b = values.shape[0], values.shape[1].bit_length() - 1, masker.n_background
    if k >= b:
        return exact_masking_error(n, m, f"every sample used all {b} background rows")
    groups = masker.labels[masker.rows(np.arange(n), 0, k)] if masker.n_strata > 1 else None
    cov = masker.count_cov(k) if groups is not None else None
    return masking_error(rows, target_values(values, cls, keep_all), "paired", 1.0 - k / b, groups, cov)


def run_masking_error(masker: Any, rows: np.ndarray | None, values: np.ndarray, cls: np.ndarray,
                      keep_all: bool, n_source: int | None) -> MaskingError | None:
    """The masking error of a finished run, from its design (None: not estimated)."""
    n, c = values.shape[:2]
    m = c.bit_length() - 1
    design = getattr(masker, "design", None)
    if design == "exact":
        return exact_masking_error(n, m, "exact expectation over the given background rows"
                                   if type(masker).__name__ == "BackgroundMasker"
                                   else "deterministic masking, no sampling")
    if rows is None or design not in ("paired", "independent", "shared"):
        return None
    k = rows.shape[2]
    if k < 2:
        return None
    fpc = 1.0 if design == "independent" else 1.0 - k / max(n_source or k, k)
    if fpc <= 0:
        return exact_masking_error(n, m, "every background row was used")
    return masking_error(rows, target_values(values, cls, keep_all), design, fpc)


def rows_to_keep(masker: Any, n: int, c: int) -> int | None:
    """Columns K of the per-row outputs ``(N, 2**M, K)`` kept for the masking error of a
    random or subsampled run, or None when there is no masking error to estimate or
    they would not fit in :data:`MAX_KEPT_ROWS`."""
    k = masker.n_rows
    if getattr(masker, "design", None) not in ("independent", "shared") or k < 2 or n * c * k > MAX_KEPT_ROWS:
        return None
    return k


def attach_masking_error(res: Any, masker: Any, rows: np.ndarray | None, values: np.ndarray, cls: np.ndarray,
                         keep_all: bool, n_source: int, targets: dict | None, rounds: list,
                         empty_rows: np.ndarray | None = None) -> Any:
    """Put the run's :class:`MaskingError` on ``res.masking_se`` and a summary in
    ``res.settings["masking_error"]``; warn when a sampled run missed its targets."""
    import warnings

    design = getattr(masker, "design", None)
    if rows is not None and design == "shared" and empty_rows is not None:
        rows[:, 0] = empty_rows[:, cls].T if cls.size else 0.0  # v(∅) per subsample row
    if design == "paired" and rows is not None:
        err = _error(rows, values, cls, keep_all, rows.shape[2], masker)
    elif design == "paired":
        err = None
    else:
        err = run_masking_error(masker, rows, values, cls, keep_all, n_source)
    res.masking_se = err
    if err is None:
        why = ("a masking function's randomness is unknown" if design == "unknown"
               else "too many rows to keep (see precision.MAX_KEPT_ROWS)")
        res.settings["masking_error"] = {"estimated": False, "note": f"not estimated: {why}"}
        return res
    res.settings["masking_error"] = {
        "estimated": True, "design": err.design, "rows_per_sample": err.rows_per_sample,
        "intershap_se": err.intershap, "phi_rms_se": err.phi_rms, "note": err.note,
        "targets": targets if design == "paired" and masker.rows_per_sample is None else None, "rounds": rounds,
    }
    if design == "paired" and targets and masker.rows_per_sample is None:  # the loop chose the rows
        missed = [f"{key} ±{se:.2g} > {targets[key]:.2g}" for key, se in
                  (("global", err.intershap), ("phi", err.phi_rms), ("local", _local_rms(err)))
                  if key in targets and se > targets[key] * 1.05]
        if missed:
            if "phi_scale" in targets and any(m.startswith("phi") for m in missed):
                missed.append(f"φ's target is relative to the RMS of v(N) − v(∅), {targets['phi_scale']:.3g}")
            why = (f"the cap of {MAX_ROWS_PER_SAMPLE} rows per sample" if err.rows_per_sample >= MAX_ROWS_PER_SAMPLE
                   else f"{MAX_ROUNDS} rounds" if len(rounds) >= MAX_ROUNDS else "the rows that fit in memory")
            warnings.warn(
                f"masking error above the precision target after {err.rows_per_sample} rows per sample, stopped "
                f"by {why} ({'; '.join(missed)}); the estimates are unbiased and their intervals (res.intervals) "
                "include this error. For less: more samples (the global error falls as 1/sqrt(N)), a fixed "
                "isw.SampledMasker(K) with more rows, or a looser precision= to silence this",
                MaskingPrecisionWarning, stacklevel=3)
    return res


class MaskingPrecisionWarning(UserWarning):
    """A sampled run stopped before its masking error met the precision target."""
