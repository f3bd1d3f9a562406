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
* ``_index``: int32 ``(N,)`` original sample numbers of a slice (``result.sample_index``),
  or ``(0,)`` when they are 0..N−1: the views show these numbers.
* ``_phi_ci``: float32 ``(2, K)`` (low, high) terms of Φ's confidence interval when the
  result carries ``intervals`` (else ``(0, K)``); ``_meta["intervals"]`` holds the level,
  the scores' intervals and ``nan_reason`` (why the global InterSHAP is NaN).
* ``_meta``: names, sizes, target, ``own_class`` (the class position of the result's own
  values), ``output`` (the output kind: "probability", "raw", "regression" or "unknown",
  for every result type), ``quantities`` (per class entry, what v(S) is, e.g.
  "P(predicted class)": written on the keys and axes, :mod:`.quantity`) and an ``error``
  text (empty / non-finite results).

C is the number of class entries: with ``target="all"`` every class plus a last
"predicted class" entry (each sample's own predicted class, the result itself); else 1. Selections (``selected_*``)
are set by the views and may be set from Python; the linking itself lives in the JS
store (``js/store.js``).
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import numpy as np
import traitlets

from .buffers import ArrayTrait, array_serialization
from .feature_encode import encode_features, no_features
from .encode import MAX_DISPLAY_MODALITIES, encode_exact, encode_sampled, pack_terms, term_pairs
from .plots.static import static_mimebundle
from ..maths.feature_result import FeatureResult
from ..maths.result import InteractionResult
from ..maths.sampled_result import SampledResult

__all__ = ["FrontEndMissingError", "InterSHAPWidget", "pack_terms", "term_pairs"]

_STATIC = pathlib.Path(__file__).resolve().parents[1] / "static"
_BUNDLE = _STATIC / "widget.js"
_MAX_DISPLAY_MODALITIES = MAX_DISPLAY_MODALITIES


#: What the static picture (shown where the explorer cannot run) says about the live one.
LIVE_NOTE = ("A static picture. For the live explorer: trust the notebook in JupyterLab (File > Trust Notebook,\n"
             "or `jupyter trust nb.ipynb`), or open the offline HTML page: isw.export_html('nb.ipynb').")


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
    A :class:`~intershap_widget.FeatureResult` (``isw.explain_features``) shows its modality-level
    result plus a drill-down panel: the selected sample's features coloured by their part of
    the picked pair's φ_ij (``images=`` the explained images for a patch overlay, ``tokens=``
    per sample one str per feature for highlighted text).

    Selection traits (read, observe and set them from Python):

    * ``selected_sample``: int position of the sample shown locally.
    * ``selected_indices``: list of int positions brushed in the sample selector
      (empty = all samples); ``w.selection`` gives that subset of the selected class.
    * ``selected_class``: int position of the class shown. With ``target="all"`` the
      menu's last entry (position C, "predicted class", the default) shows every sample's
      own predicted class: the numbers of ``res.summary()``; 0..C−1 show one class.
    * ``selected_pair``: ``(i, j)`` of the highlighted heatmap cell, or ``()``.
    * ``filters``: the sample filters, ``{"predicted_class": name, "label": name}`` (either
      key may be absent = no filter); the names are those of the filter menus
      (``w.filter_options``).

    One rule decides which samples the page's global numbers use, and ``w.selection``
    returns exactly those (``w.active_indices`` their positions): the brushed samples
    (``selected_indices``) that pass the filters when something is brushed, else every
    sample that passes the filters, else all samples. Changing a filter in the page
    clears the brush. ``value_name`` names the values of a regression or of raw outputs
    on the keys and axes (e.g. ``"price (k$)"``).
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _meta = traitlets.Dict().tag(sync=True)
    _phi = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _pred = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _base = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _pclass = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _label = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _mobius = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _phi_se = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _global_se = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _local_se = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _index = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _phi_ci = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    # the drill-down panel of a FeatureResult (views/feature_encode.py, js/drilldown.js)
    _feature_parts = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _feature_se = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _feature_image = ArrayTrait(None, allow_none=True).tag(sync=True, **array_serialization)
    _feature_meta = traitlets.Dict().tag(sync=True)

    selected_sample = traitlets.Int(0).tag(sync=True)
    selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)
    selected_class = traitlets.Int(0).tag(sync=True)
    selected_pair = traitlets.Tuple().tag(sync=True)
    filters = traitlets.Dict().tag(sync=True)

    def __init__(self, result: InteractionResult | SampledResult | FeatureResult, *, value_name: str | None = None,
                 images: Any = None, tokens: Any = None, **kwargs: Any) -> None:
        features = result if isinstance(result, FeatureResult) else None
        result = features.result if features is not None else result
        if not isinstance(result, (InteractionResult, SampledResult)):
            raise TypeError(
                "InterSHAPWidget needs an InteractionResult (from isw.explain) or a SampledResult "
                f"(from isw.sample_explain), got {type(result).__name__}"
            )
        self.result = result
        encode = encode_sampled if isinstance(result, SampledResult) else encode_exact
        data = encode(result, value_name)
        data.update(no_features() if features is None else encode_features(features, images, tokens))
        kwargs.setdefault("selected_class", data["_meta"]["own_class"])
        super().__init__(_esm=_load_bundle().read_text(encoding="utf-8"), **data, **kwargs)

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

    @traitlets.validate("filters")
    def _check_filters(self, proposal: Any) -> dict:
        value, options = dict(proposal["value"]), self.filter_options
        for key, name in list(value.items()):
            if name is None:
                del value[key]
            elif key not in options or str(name) not in options[key]:
                raise traitlets.TraitError(
                    f"filters[{key!r}] = {name!r} is not a filter of this result; the filters are "
                    f"{options} (a key and one of its names; None or no key: no filter)")
            else:
                value[key] = str(name)
        return value

    # -------------------------------------------------------------- read back
    @property
    def filter_options(self) -> dict[str, list[str]]:
        """The filters this result offers and their names: ``{"predicted_class": [...], "label": [...]}``."""
        out = {}
        if len(self._pclass):
            out["predicted_class"] = list(self._meta.get("pclass_names", []))
        if len(self._label):
            out["label"] = list(self._meta.get("label_names", []))
        return out

    @property
    def active_indices(self) -> np.ndarray | None:
        """``(n,)`` int positions of the samples the page's global numbers use (the rule in
        the class docstring), or ``None`` when that is every sample."""
        keep = None
        for key, codes in (("predicted_class", self._pclass), ("label", self._label)):
            if key in self.filters:
                q = self.filter_options[key].index(self.filters[key])
                hit = np.asarray(codes) == q
                keep = hit if keep is None else keep & hit
        if self.selected_indices:
            brushed = np.unique(np.asarray(self.selected_indices, dtype=np.intp))
            return brushed if keep is None else brushed[keep[brushed]]
        return None if keep is None else np.flatnonzero(keep)

    @property
    def selection(self) -> InteractionResult:
        """What the explorer shows: ``class_result`` restricted to :attr:`active_indices`
        (the brushed samples that pass the filters, else those passing the filters, else all)."""
        res = self.class_result
        active = self.active_indices
        if active is None:
            return res
        if isinstance(res, SampledResult):
            raise TypeError(
                "a SampledResult cannot be sliced (its standard errors are for all samples); "
                "read w.result.phi[w.active_indices] and w.result.phi_se[w.active_indices]"
            )
        return res[active]

    @property
    def class_result(self) -> InteractionResult | SampledResult:
        """The result for ``selected_class`` (``result.for_class`` with ``target="all"``; the
        result itself for the last entry, "predicted class")."""
        if isinstance(self.result, SampledResult) or self.result.class_values is None:
            return self.result
        if self.selected_class == self._meta.get("own_class", -1):
            return self.result
        return self.result.for_class(self.selected_class)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> Any:
        """The widget view plus a static PNG and text summary (for places without JS)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None and isinstance(self.result, InteractionResult):
            data.update(static_mimebundle(self.result, include, exclude, note=LIVE_NOTE))
        elif data is not None:
            data["text/plain"] = self.result.summary()
        return bundle

