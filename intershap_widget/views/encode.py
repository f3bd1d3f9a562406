"""What the explorer sends to its front end: a result turned into float32 buffers and a
small JSON ``meta`` dict (the data contract is described in :mod:`.widget`).

Speed: φ, v(N), v(∅) and the Möbius dividends are linear in the coalition values, so
every class is encoded by one matrix product ``(C, N, 2**M) @ (2**M, K + 2**M + 1)``
instead of building a result per class (≈ 10× faster at N = 100,000).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..maths.games import interaction_matrices
from ..maths.interactions import mobius
from ..maths.result import InteractionResult
from ..maths.errors import InputError
from ..maths.uncertainty import check_interval_level
from ..explainers.sampling import SampledResult
from .quantity import output_kind, quantities

__all__ = ["term_pairs", "pack_terms", "encode_exact", "encode_sampled", "MAX_DISPLAY_MODALITIES",
           "PREDICTED_CLASS"]

MAX_DISPLAY_MODALITIES = 12
#: Largest Möbius buffer (C·N·(2**M − 1) float32 values, 16 MB) shipped for the by-order view.
MAX_MOBIUS_VALUES = 4_000_000
#: The class-menu entry of a multi-class result that shows each sample's own predicted class.
PREDICTED_CLASS = "predicted class"


def term_pairs(m: int) -> list[tuple[int, int]]:
    """The K = M(M+1)/2 (i, j) entries sent per sample: diagonals, then pairs i < j."""
    return [(i, i) for i in range(m)] + [(i, j) for i in range(m) for j in range(i + 1, m)]


def pack_terms(phi: np.ndarray) -> np.ndarray:
    """``(N, M, M)`` symmetric φ → ``(N, K)`` upper-triangle terms (order of :func:`term_pairs`)."""
    phi = np.asarray(phi)
    pairs = term_pairs(phi.shape[-1])
    rows = np.array([p[0] for p in pairs], dtype=np.intp)
    cols = np.array([p[1] for p in pairs], dtype=np.intp)
    return phi[:, rows, cols]


@lru_cache(maxsize=16)
def _linear_map(m: int) -> np.ndarray:
    """``(2**M, K + 2**M + 1)``: coalition values → [φ terms, Möbius dividends of T ≠ ∅, v(N), v(∅)].

    Columns of the unit games e_S; exact because every output is linear in v."""
    eye = np.eye(1 << m)
    out = np.concatenate([pack_terms(interaction_matrices(eye)), mobius(eye)[:, 1:],
                          eye[:, -1:], eye[:, :1]], axis=1)
    out.setflags(write=False)
    return out


def _codes(values: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    """Categorical codes ``(N,)`` float32 and their names; ``(0,)`` when absent."""
    if values is None:
        return np.zeros(0, dtype=np.float32), []
    names, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes.astype(np.float32).ravel(), [str(n) for n in names]


def _class_names(result: InteractionResult) -> list[str]:
    if result.class_values is not None:
        c = result.class_values.shape[2]
        names = list(result.class_names) if result.class_names else [f"class {k}" for k in range(c)]
        return names + [PREDICTED_CLASS]
    t = result.target
    if isinstance(t, (int, np.integer)):
        if result.class_names and 0 <= int(t) < len(result.class_names):
            return [result.class_names[int(t)]]
        return [f"class {int(t)}"]
    return [str(t)]


def problem(result: InteractionResult | SampledResult) -> str:
    """Why the explorer cannot show ``result`` ('' when it can)."""
    if result.n_samples == 0:
        return "This result holds no samples: explain at least one sample to explore it."
    if result.n_modalities > MAX_DISPLAY_MODALITIES:
        return (
            f"{result.n_modalities} modalities are too many to draw as a matrix "
            f"(at most {MAX_DISPLAY_MODALITIES}); slice the modalities before exploring."
        )
    if isinstance(result, SampledResult):
        bad = ~np.isfinite(result.phi).all(axis=(1, 2))
        if bad.any():
            return (f"{int(bad.sum())} of {result.n_samples} samples have non-finite sampled φ (NaN or inf); "
                    "check the model's outputs for these inputs.")
        return ""
    sums = [result.coalition_values.sum()] + ([] if result.class_values is None else [result.class_values.sum()])
    if np.isfinite(sums).all():  # one pass; an overflow to inf falls through to the exact check
        return ""
    bad = ~np.isfinite(result.coalition_values)
    if result.class_values is not None:
        bad = bad | ~np.isfinite(result.class_values).all(axis=2)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        shown = ", ".join(str(r) for r in rows[:5]) + (" …" if rows.size > 5 else "")
        return (
            f"{rows.size:,} of {result.n_samples:,} samples have non-finite coalition values "
            f"(NaN or inf), e.g. sample {shown}. Check the model's outputs for these "
            "inputs, or drop them: res[np.isfinite(res.coalition_values).all(axis=1)]."
        )
    return ""


def _no_se(k: int) -> dict[str, np.ndarray]:
    """The standard-error buffers of an exact result: empty."""
    return dict(_phi_se=np.zeros((1, 0, k), np.float32), _global_se=np.zeros(0, np.float32),
                _local_se=np.zeros(0, np.float32))


def orders_note(m: int, n_values: int) -> str:
    """Why no Möbius dividends are shipped ('' when they are)."""
    if m < 3:
        return "With two modalities the pair's share is InterSHAP itself (shown above)."
    if n_values > MAX_MOBIUS_VALUES:
        return (f"Behaviour by order needs {n_values:,} Möbius values (more than "
                f"{MAX_MOBIUS_VALUES:,}); use isw.order_shares(result) in Python, or explore a slice.")
    return ""


def _finite_or_none(x: Any) -> float | None:
    """JSON has no NaN: a missing number travels as null."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _index(result: InteractionResult | SampledResult) -> np.ndarray:
    """Original sample numbers ``(N,)`` int32 of a slice; ``(0,)`` when they are 0..N−1."""
    idx = getattr(result, "sample_index", None)
    if idx is None or np.array_equal(idx, np.arange(result.n_samples)):
        return np.zeros(0, np.int32)
    return np.asarray(idx, np.int32)


def intervals(result: Any, m: int) -> tuple[dict, np.ndarray]:
    """Confidence intervals of the result's own scores (``result.intervals``, when it has
    them) as meta and a ``(2, K)`` buffer of Φ's (low, high) terms; ``{}`` / ``(0, K)`` if not."""
    k = m * (m + 1) // 2
    meta: dict[str, Any] = {"nan_reason": getattr(result, "nan_reason", None) or ""}
    try:  # an edited settings["interval_level"] shows the numbers without intervals
        settings = getattr(result, "settings", None) or {}
        level, ivs = check_interval_level(settings), getattr(result, "intervals", None)
    except InputError:
        return meta, np.zeros((0, k), np.float32)
    if not isinstance(ivs, dict) or not ivs:
        return meta, np.zeros((0, k), np.float32)
    meta["level"] = level
    for key, name in (("intershap", "intershap"), ("intershap_local_mean", "local_mean")):
        if key in ivs and ivs[key] is not None:
            meta[name] = [_finite_or_none(v) for v in ivs[key]]
    if ivs.get("modality_contributions") is not None:
        meta["contributions"] = [[_finite_or_none(v) for v in row]
                                 for row in np.asarray(ivs["modality_contributions"], float)]
    phi = ivs.get("Phi")
    if phi is None:
        return meta, np.zeros((0, k), np.float32)
    return meta, pack_terms(np.asarray(phi, float)).astype(np.float32)


def _units(result: Any, classes: list[str], value_name: str | None) -> dict[str, Any]:
    """``output`` (the output kind, for every result type) and ``quantities`` (one label per
    class entry: what v(S) is, e.g. "P(predicted class)"), see :mod:`.quantity`."""
    kind = output_kind(result)
    own = isinstance(result, InteractionResult) and result.class_values is not None
    own = own or str(getattr(result, "target", "")) == "predicted"
    return {"output": kind, "quantities": quantities(kind, classes, own, value_name)}


def encode_exact(result: InteractionResult, value_name: str | None = None) -> dict[str, Any]:
    """Trait values for an :class:`InteractionResult` (see the contract in :mod:`.widget`)."""
    m = result.n_modalities
    classes = _class_names(result)
    pcls, pcls_names = _codes(result.predicted_class)
    if result.predicted_class is not None and result.class_names:
        pcls_names = [result.class_names[int(c)] if 0 <= int(c) < len(result.class_names) else str(c)
                      for c in pcls_names]
    lab, lab_names = _codes(result.labels)
    iv_meta, iv_phi = intervals(result, m)
    own = len(classes) - 1  # the result's own values: the predicted class, or the only class
    meta = {
        "modality_names": list(result.modality_names), "class_names": classes,
        "n_samples": int(result.n_samples), "n_modalities": int(m), "target": str(result.target),
        "pclass_names": pcls_names, "label_names": lab_names,
        "sample_index_is_identity": bool(np.array_equal(result.sample_index, np.arange(result.n_samples))),
        "own_class": own, "intervals": iv_meta, "error": problem(result),
        **_units(result, classes, value_name),
    }
    k = m * (m + 1) // 2
    common = dict(_meta=meta, _index=_index(result), _phi_ci=iv_phi, **_no_se(k))
    c = len(classes)
    if meta["error"]:
        empty = np.zeros((c, 0), dtype=np.float32)
        return dict(common, _phi=np.zeros((c, 0, k), np.float32), _pred=empty, _base=empty,
                    _pclass=np.zeros(0, np.float32), _label=np.zeros(0, np.float32),
                    _mobius=np.zeros((c, 0, 0), np.float32))
    d = (1 << m) - 1
    n = result.n_samples
    meta["orders_note"] = orders_note(m, c * n * d)
    shipped = 0 if meta["orders_note"] else d
    a = _linear_map(m)
    if not shipped:
        a = np.concatenate([a[:, :k], a[:, k + d:]], axis=1)
    phi = np.empty((c, n, k), np.float32)
    div = np.empty((c, n, shipped), np.float32) if shipped else np.zeros((c, 0, 0), np.float32)
    pred, base = np.empty((c, n), np.float32), np.empty((c, n), np.float32)
    for q in range(c):  # every class, then each sample's own (predicted) class: the result itself
        v = result.coalition_values if q == c - 1 else result.class_values[:, :, q]
        out = v @ a  # (N, K [+ D] + 2), float64; cast to float32 on assignment
        phi[q] = out[:, :k]
        if shipped:
            div[q] = out[:, k:k + d]
        pred[q], base[q] = out[:, -2], out[:, -1]
    return dict(common, _phi=phi, _pred=pred, _base=base, _pclass=pcls, _label=lab, _mobius=div)


def encode_sampled(result: SampledResult, value_name: str | None = None) -> dict[str, Any]:
    """Trait values for a :class:`SampledResult` (every value ± its standard error)."""
    m, n = result.n_modalities, result.n_samples
    k = m * (m + 1) // 2
    settings = result.settings or {}
    name = str(settings.get("output", "sampled value"))
    iv_meta, iv_phi = intervals(result, m)
    meta = {
        "modality_names": list(result.modality_names), "class_names": [name],
        "n_samples": int(n), "n_modalities": int(m), "target": name,
        "pclass_names": [], "label_names": [], "sample_index_is_identity": True,
        "own_class": 0, "intervals": iv_meta, "error": problem(result),
        **_units(result, [name], value_name),
        "orders_note": (
            "" if m < 3 else
            f"Behaviour by order needs every coalition value; this sampled result evaluated "
            f"{result.n_evaluations} of {2 ** m} coalitions per sample. Use isw.explain for it."
        ),
        "sampled": {
            "intershap": _finite_or_none(result.intershap),
            "intershap_se": _finite_or_none(result.intershap_se),
            "local_mean": _finite_or_none(result.intershap_local_mean),
            "local_mean_se": _finite_or_none(result.intershap_local_mean_se),
            "has_se": bool(np.isfinite(result.intershap_se)),
            "n_evaluations": int(result.n_evaluations),
            "n_coalitions": int(2 ** m),
        },
    }
    empty = np.zeros(0, np.float32)
    common = dict(_meta=meta, _index=np.zeros(0, np.int32), _phi_ci=iv_phi, _pclass=empty, _label=empty,
                  _mobius=np.zeros((1, 0, 0), np.float32))
    if meta["error"]:
        return dict(common, _phi=np.zeros((1, 0, k), np.float32), _pred=np.zeros((1, 0), np.float32),
                    _base=np.zeros((1, 0), np.float32), **_no_se(k))
    return dict(
        common,
        _phi=pack_terms(result.phi)[None].astype(np.float32),
        _pred=np.asarray(result.prediction, np.float32)[None],
        _base=np.asarray(result.base_value, np.float32)[None],
        _phi_se=pack_terms(result.phi_se)[None].astype(np.float32),
        _global_se=pack_terms(result.mean_phi_se[None])[0].astype(np.float32),
        _local_se=np.asarray(result.intershap_local_se, np.float32),
    )
