"""``InterSHAPWidget``: the linked InterSHAP explorer (anywidget).

Only this module knows the front end (``js/``, bundled to ``static/widget.js``) exists.

Data contract with the front end (every view draws from these synced traits only, so
an exported, kernel-less page stays linked):

* ``_phi``: float32 ``(C, N, K)`` with K = M(M+1)/2 *terms* per sample: first the M main
  effects φ_ii, then the pairs φ_ij (i < j, row-major). φ_ij is half the SII (see
  :mod:`intershap_widget.maths.games`), so a full matrix sums to prediction − base.
* ``_pred`` / ``_base``: float32 ``(C, N)``: v(N) and v(∅) per class and sample.
* ``_pclass`` / ``_label``: float32 ``(N,)`` codes (−1 = unknown) into
  ``_meta["pclass_names"]`` / ``_meta["label_names"]``, or ``(0,)`` when not given.
* ``_mobius``: float32 ``(C, N, 2**M − 1)`` Möbius dividends m_a(T) of every non-empty
  coalition T (bitmask column T − 1), for the "by order" view; shipped only when M ≥ 3
  and C·N·(2**M − 1) ≤ ``_MAX_MOBIUS_VALUES``, else ``(C, 0, 0)`` with the reason in
  ``_meta["orders_note"]``. Dividends (not coalition values) travel so that the front end
  only averages: a subset's global share needs the mean of m(T), which is linear.
* ``_phi_se`` / ``_local_se``: float32 ``(1, N, K)`` / ``(N,)`` standard errors of the
  terms and of the local InterSHAP for a :class:`~intershap_widget.explainers.sampling.SampledResult`
  (``(0, 0, 0)`` / ``(0,)`` for an exact result); ``_global_se``: ``(K,)`` standard errors
  of the dataset-wide Φ terms; ``_meta["sampled"]`` the global scores ± se and the cost.
* ``_meta``: names, sizes, target and an ``error`` text (empty / non-finite results).

C is the number of classes held (``target="all"``) or 1. Selections (``selected_*``)
are set by the views and may be set from Python; the linking itself lives in the JS
store (``js/store.js``).
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import numpy as np
import traitlets

from .buffers import array_serialization
from .plots.static import static_mimebundle
from ..maths.interactions import mobius
from ..maths.result import InteractionResult
from ..maths.sampled_result import SampledResult

__all__ = ["FrontEndMissingError", "InterSHAPWidget", "pack_terms", "term_pairs"]

_STATIC = pathlib.Path(__file__).resolve().parents[1] / "static"
_BUNDLE = _STATIC / "widget.js"
_MAX_DISPLAY_MODALITIES = 12
#: Largest Möbius buffer (C·N·(2**M − 1) float32 values, 16 MB) shipped for the by-order view.
_MAX_MOBIUS_VALUES = 4_000_000


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


def _codes(values: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    """Categorical codes ``(N,)`` float32 and their names; ``(0,)`` when absent."""
    if values is None:
        return np.zeros(0, dtype=np.float32), []
    names, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes.astype(np.float32).ravel(), [str(n) for n in names]


def _class_names(result: InteractionResult) -> list[str]:
    if result.class_values is not None:
        c = result.class_values.shape[2]
        return list(result.class_names) if result.class_names else [f"class {k}" for k in range(c)]
    t = result.target
    if isinstance(t, (int, np.integer)):
        if result.class_names and 0 <= int(t) < len(result.class_names):
            return [result.class_names[int(t)]]
        return [f"class {int(t)}"]
    return [str(t)]


def _problem(result: InteractionResult | SampledResult) -> str:
    """Why the explorer cannot show ``result`` ('' when it can)."""
    if result.n_samples == 0:
        return "This result holds no samples: explain at least one sample to explore it."
    if result.n_modalities > _MAX_DISPLAY_MODALITIES:
        return (
            f"{result.n_modalities} modalities are too many to draw as a matrix "
            f"(at most {_MAX_DISPLAY_MODALITIES}); slice the modalities before exploring."
        )
    if isinstance(result, SampledResult):
        bad = ~np.isfinite(result.phi).all(axis=(1, 2))
        if bad.any():
            return (f"{int(bad.sum())} of {result.n_samples} samples have non-finite sampled φ (NaN or inf); "
                    "check the model's outputs for these inputs.")
        return ""
    bad = ~np.isfinite(result.coalition_values)
    if result.class_values is not None:
        bad = bad | ~np.isfinite(result.class_values).all(axis=2)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        shown = ", ".join(str(r) for r in rows[:5]) + (" …" if rows.size > 5 else "")
        return (
            f"{rows.size} of {result.n_samples} samples have non-finite coalition values "
            f"(NaN or inf), e.g. sample {shown}. Check the model's outputs for these "
            "inputs, or drop them: res[np.isfinite(res.coalition_values).all(axis=1)]."
        )
    return ""


def _no_se(k: int) -> dict[str, np.ndarray]:
    """The standard-error buffers of an exact result: empty."""
    return dict(_phi_se=np.zeros((1, 0, k), np.float32), _global_se=np.zeros(0, np.float32),
                _local_se=np.zeros(0, np.float32))


def _orders_note(m: int, n_values: int) -> str:
    """Why no Möbius dividends are shipped ('' when they are)."""
    if m < 3:
        return "For M = 2 the share of order 2 is InterSHAP itself (shown above)."
    if n_values > _MAX_MOBIUS_VALUES:
        return (f"Behaviour by order needs {n_values:,} Möbius values (more than "
                f"{_MAX_MOBIUS_VALUES:,}); use isw.order_shares(result) in Python, or explore a slice.")
    return ""


class FrontEndMissingError(ImportError):
    """The widget's JS bundle was not built (an ImportError: display falls back to static)."""


def _load_bundle() -> pathlib.Path:
    if not _BUNDLE.exists():
        raise FrontEndMissingError(
            f"the widget's front end {_BUNDLE} is missing: install the package with "
            "`pip install .` (which builds it) or run `npm install && npm run build` in js/"
        )
    return _BUNDLE


class InterSHAPWidget(anywidget.AnyWidget):
    """Linked explorer of an :class:`InteractionResult`: Φ heatmaps, bars and waterfall,
    a sample selector, a class selector, the distribution of a pair's φ_ij and, for
    M ≥ 3, the share of behaviour by interaction order (Möbius). A
    :class:`~intershap_widget.explainers.sampling.SampledResult` shows every value ± its standard error.

    Selection traits (read, observe and set them from Python):

    * ``selected_sample``: int position of the sample shown locally.
    * ``selected_indices``: list of int positions brushed in the sample selector
      (empty = all samples); ``w.selection`` gives that subset of the selected class.
    * ``selected_class``: int position of the class shown (``target="all"``), else 0.
    * ``selected_pair``: ``(i, j)`` of the highlighted heatmap cell, or ``()``.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _meta = traitlets.Dict().tag(sync=True)
    _phi = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _pred = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _base = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _pclass = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _label = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _mobius = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _phi_se = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _global_se = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)
    _local_se = traitlets.Any(None, allow_none=True).tag(sync=True, **array_serialization)

    selected_sample = traitlets.Int(0).tag(sync=True)
    selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)
    selected_class = traitlets.Int(0).tag(sync=True)
    selected_pair = traitlets.Tuple().tag(sync=True)

    def __init__(self, result: InteractionResult | SampledResult, **kwargs: Any) -> None:
        if not isinstance(result, (InteractionResult, SampledResult)):
            raise TypeError(
                "InterSHAPWidget needs an InteractionResult (from isw.explain) or a SampledResult "
                f"(from isw.sample_explain), got {type(result).__name__}"
            )
        self.result = result
        data = self._encode_sampled(result) if isinstance(result, SampledResult) else self._encode(result)
        super().__init__(_esm=_load_bundle().read_text(encoding="utf-8"), **data, **kwargs)

    # ---------------------------------------------------------------- encoding
    @staticmethod
    def _encode(result: InteractionResult) -> dict[str, Any]:
        m = result.n_modalities
        classes = _class_names(result)
        pcls, pcls_names = _codes(result.predicted_class)
        if result.predicted_class is not None and result.class_names:
            pcls_names = [
                result.class_names[int(c)] if 0 <= int(c) < len(result.class_names) else str(c)
                for c in pcls_names
            ]
        lab, lab_names = _codes(result.labels)
        meta = {
            "modality_names": list(result.modality_names),
            "class_names": classes,
            "n_samples": int(result.n_samples),
            "n_modalities": int(m),
            "target": str(result.target),
            "pclass_names": pcls_names,
            "label_names": lab_names,
            "sample_index_is_identity": bool(np.array_equal(result.sample_index, np.arange(result.n_samples))),
            "error": _problem(result),
        }
        k = m * (m + 1) // 2
        no_se = _no_se(k)
        if meta["error"]:
            empty = np.zeros((len(classes), 0), dtype=np.float32)
            return dict(_meta=meta, _phi=np.zeros((len(classes), 0, k), np.float32), _pred=empty,
                        _base=empty, _pclass=np.zeros(0, np.float32), _label=np.zeros(0, np.float32),
                        _mobius=np.zeros((len(classes), 0, 0), np.float32), **no_se)
        if result.class_values is not None:
            per_class = [result.for_class(c) for c in range(result.class_values.shape[2])]
        else:
            per_class = [result]
        phi = np.stack([pack_terms(r.phi) for r in per_class]).astype(np.float32)
        pred = np.stack([r.prediction for r in per_class]).astype(np.float32)
        base = np.stack([r.base_value for r in per_class]).astype(np.float32)
        meta["orders_note"] = _orders_note(m, len(per_class) * result.n_samples * ((1 << m) - 1))
        if meta["orders_note"]:
            div = np.zeros((len(per_class), 0, 0), np.float32)
        else:
            div = np.stack([mobius(r.coalition_values)[:, 1:] for r in per_class]).astype(np.float32)
        return dict(_meta=meta, _phi=phi, _pred=pred, _base=base, _pclass=pcls, _label=lab, _mobius=div, **no_se)

    @staticmethod
    def _encode_sampled(result: SampledResult) -> dict[str, Any]:
        m, n = result.n_modalities, result.n_samples
        k = m * (m + 1) // 2
        settings = result.settings or {}
        name = str(settings.get("output", "sampled value"))
        meta = {
            "modality_names": list(result.modality_names),
            "class_names": [name],
            "n_samples": int(n),
            "n_modalities": int(m),
            "target": name,
            "pclass_names": [],
            "label_names": [],
            "sample_index_is_identity": True,
            "error": _problem(result),
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
        if meta["error"]:
            return dict(_meta=meta, _phi=np.zeros((1, 0, k), np.float32), _pred=np.zeros((1, 0), np.float32),
                        _base=np.zeros((1, 0), np.float32), _pclass=empty, _label=empty,
                        _mobius=np.zeros((1, 0, 0), np.float32), **_no_se(k))
        return dict(
            _meta=meta,
            _phi=pack_terms(result.phi)[None].astype(np.float32),
            _pred=np.asarray(result.prediction, np.float32)[None],
            _base=np.asarray(result.base_value, np.float32)[None],
            _pclass=empty, _label=empty,
            _mobius=np.zeros((1, 0, 0), np.float32),
            _phi_se=pack_terms(result.phi_se)[None].astype(np.float32),
            _global_se=pack_terms(result.mean_phi_se[None])[0].astype(np.float32),
            _local_se=np.asarray(result.intershap_local_se, np.float32),
        )

    # -------------------------------------------------------------- validation
    @traitlets.validate("selected_sample")
    def _check_sample(self, proposal: Any) -> int:
        s, n = int(proposal["value"]), self.result.n_samples
        if n and not 0 <= s < n:
            raise traitlets.TraitError(f"selected_sample must be in [0, {n}), got {s}")
        return s

    @traitlets.validate("selected_indices")
    def _check_indices(self, proposal: Any) -> list[int]:
        idx = [int(i) for i in proposal["value"]]
        n = self.result.n_samples
        if idx and (min(idx) < 0 or max(idx) >= n):
            raise traitlets.TraitError(f"selected_indices must lie in [0, {n})")
        return idx

    @traitlets.validate("selected_class")
    def _check_class(self, proposal: Any) -> int:
        c, n = int(proposal["value"]), len(self._meta.get("class_names", [None]))
        if not 0 <= c < n:
            raise traitlets.TraitError(f"selected_class must be in [0, {n}), got {c}")
        return c

    @traitlets.validate("selected_pair")
    def _check_pair(self, proposal: Any) -> tuple:
        pair = tuple(int(x) for x in proposal["value"])
        m = self.result.n_modalities
        if pair and (len(pair) != 2 or not all(0 <= x < m for x in pair)):
            raise traitlets.TraitError(f"selected_pair must be () or (i, j) with 0 <= i, j < {m}, got {pair}")
        return pair

    # -------------------------------------------------------------- read back
    @property
    def selection(self) -> InteractionResult:
        """What the explorer shows: ``class_result[selected_indices]`` (all samples when
        nothing is brushed)."""
        res = self.class_result
        if not self.selected_indices:
            return res
        if isinstance(res, SampledResult):
            raise TypeError(
                "a SampledResult cannot be sliced (its standard errors are for all samples); "
                "read w.result.phi[w.selected_indices] and w.result.phi_se[w.selected_indices]"
            )
        return res[self.selected_indices]

    @property
    def class_result(self) -> InteractionResult | SampledResult:
        """The result for ``selected_class`` (``result.for_class`` with ``target="all"``)."""
        if isinstance(self.result, SampledResult) or self.result.class_values is None:
            return self.result
        return self.result.for_class(self.selected_class)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        """The widget view plus a static PNG and text summary (for places without JS)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None and isinstance(self.result, InteractionResult):
            data.update(static_mimebundle(self.result, include, exclude))
        elif data is not None:
            data["text/plain"] = self.result.summary()
        return bundle


def _finite_or_none(x: float) -> float | None:
    """JSON has no NaN: a missing number travels as null."""
    return float(x) if np.isfinite(x) else None
