"""``InteractionResult``: the coalition values of an explanation and every score derived
from them (Shapley values, interaction matrices φ, global Φ, InterSHAP global/local).

Only the coalition values are stored; everything else is derived on first access and
cached. Conventions: :mod:`intershap_widget.maths.games`.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from . import games, masking_carry, result_file_checks, result_io, scores
from .honest import HonestScores
from .result_text import summary_text

__all__ = ["InteractionResult", "load_result"]

def _normalise_index(idx: Any, n: int) -> np.ndarray:
    """Turn an int / slice / bool mask / sequence of ints into sorted-as-given int indices;
    a bare True/False and arrays of more than one axis are refused (numpy would read them
    as sample 1 and as a flattened list)."""
    if isinstance(idx, (bool, np.bool_)):
        raise IndexError(f"res[{idx!r}]: a single bool is not a sample index; pass a bool mask of shape ({n},) "
                         "or sample numbers, e.g. res[[0, 1]]")
    if isinstance(idx, (int, np.integer)):
        idx = [int(idx)]
    if isinstance(idx, slice):
        return np.arange(n)[idx]
    arr = np.asarray(idx)
    if arr.ndim > 1:
        raise IndexError(f"sample indices must be one list of ints or a bool mask of shape ({n},); got an array of "
                         f"shape {arr.shape}: pass res[idx.ravel()] for its samples in order")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise IndexError(f"a boolean mask must have shape ({n},), got {arr.shape}")
        return np.flatnonzero(arr)
    if not np.issubdtype(arr.dtype, np.integer):
        raise IndexError(f"index samples with ints, a slice or a bool mask, not {arr.dtype}")
    arr = arr.astype(np.int64).ravel()
    if arr.size and (arr.max() >= n or arr.min() < -n):
        raise IndexError(f"sample index out of range for a result with {n} samples")
    return np.where(arr < 0, arr + n, arr)


class InteractionResult(HonestScores):
    """Exact modality-level explanation of N samples by M modalities.

    Parameters
    ----------
    coalition_values : ``(N, 2**M)`` float
        v_a(S) for the explained target; bit i of the column = modality i present.
    modality_names : list of M str, optional
    target : ``"predicted"``, an int class, ``"all"`` or ``"regression"``
        What the values are the output of (see :func:`intershap_widget.explain`).
    target_class : ``(N,)`` int, optional
        The output column explained for each sample (the predicted class for
        ``"predicted"``).
    class_values : ``(N, 2**M, C)`` float, optional
        Coalition values of every output column (kept with ``target="all"``);
        enables :meth:`for_class`.
    class_names : list of C str, optional
    predicted_class : ``(N,)`` int, optional
        Class the model predicts on the full input.
    labels : ``(N,)``, optional
        True labels, when given to ``explain``; used for filtering in the explorer.
    sample_index : ``(N,)`` int, optional
        Position of each sample in the data passed to ``explain`` (kept by slicing).
    settings : dict, optional
        How the values were computed (masker, background size, output, seed, …).
    """

    def __init__(
        self,
        coalition_values: np.ndarray,
        *,
        modality_names: Sequence[str] | None = None,
        target: str | int = "predicted",
        target_class: np.ndarray | None = None,
        class_values: np.ndarray | None = None,
        class_names: Sequence[str] | None = None,
        predicted_class: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        sample_index: np.ndarray | None = None,
        settings: dict | None = None,
    ) -> None:
        v = np.array(coalition_values, dtype=np.float64)
        if v.ndim != 2:
            raise ValueError(f"coalition_values must be (N, 2**M), got shape {v.shape}")
        m = v.shape[1].bit_length() - 1
        if v.shape[1] < 4 or (1 << m) != v.shape[1]:
            raise ValueError(
                f"coalition_values need 2**M columns with M >= 2, got {v.shape[1]}"
            )
        n = v.shape[0]
        v.setflags(write=False)
        self._values = v
        names = (
            [f"modality {i}" for i in range(m)]
            if modality_names is None
            else [str(s) for s in modality_names]
        )
        if len(names) != m:
            raise ValueError(f"{len(names)} modality names given for {m} modalities")
        if len(set(names)) != m:
            raise ValueError(f"modality names must be distinct, got {names}")
        self.modality_names: list[str] = names
        self.target = target
        self.target_class = None if target_class is None else self._per_sample(target_class, "target_class", int)
        if class_values is not None:
            cv = np.array(class_values, dtype=np.float64)
            if cv.ndim != 3 or cv.shape[:2] != v.shape:
                raise ValueError(f"class_values must be (N, 2**M, C) = {v.shape + ('C',)}, got {cv.shape}")
            cv.setflags(write=False)
            class_values = cv
        self.class_values = class_values
        n_cls = None if class_values is None else class_values.shape[2]
        if class_names is not None:
            class_names = [str(c) for c in class_names]
            if n_cls is not None and len(class_names) != n_cls:
                raise ValueError(f"{len(class_names)} class names for {n_cls} classes")
        self.class_names = class_names
        self.predicted_class = None if predicted_class is None else self._per_sample(predicted_class, "predicted_class", int)
        self.labels = None if labels is None else self._per_sample(labels, "labels", None)
        self.sample_index = (
            np.arange(n, dtype=np.int64)
            if sample_index is None
            else self._per_sample(sample_index, "sample_index", np.int64)
        )
        self.settings: dict = dict(settings or {})

    def _per_sample(self, arr: Any, name: str, dtype: Any) -> np.ndarray:
        out = np.array(arr, dtype=dtype)
        if out.shape != (self._values.shape[0],):
            raise ValueError(f"{name} must have shape (N,) = ({self._values.shape[0]},), got {out.shape}")
        out.setflags(write=False)
        return out

    # ------------------------------------------------------------------ sizes
    @property
    def coalition_values(self) -> np.ndarray:
        """``(N, 2**M)`` float64 coalition values (read-only)."""
        return self._values

    @property
    def n_samples(self) -> int:
        """N, the number of explained samples."""
        return self._values.shape[0]

    @property
    def n_modalities(self) -> int:
        """M, the number of modalities (players)."""
        return len(self.modality_names)

    def __len__(self) -> int:
        return self.n_samples

    @property
    def n_classes(self) -> int | None:
        """Number of output columns kept (``target="all"``), else None."""
        return None if self.class_values is None else self.class_values.shape[2]

    # ----------------------------------------------------------- derived values
    @cached_property
    def shapley(self) -> np.ndarray:
        """``(N, M)`` exact Shapley values of the modalities."""
        return _readonly(games.shapley_values(self._values))

    @cached_property
    def phi(self) -> np.ndarray:
        """``(N, M, M)`` interaction matrices; off-diagonal = half SII, diagonal = main effects."""
        return _readonly(games.interaction_matrices(self._values))

    @property
    def base_value(self) -> np.ndarray:
        """``(N,)`` v(∅): the output with every modality masked."""
        return self._values[:, 0]

    @property
    def prediction(self) -> np.ndarray:
        """``(N,)`` v(N): the output on the full input."""
        return self._values[:, -1]

    @cached_property
    def Phi(self) -> np.ndarray:
        """``(M, M)`` global matrix Φ = |mean_a φ^a| (paper Eq. 5)."""
        return _readonly(scores.global_matrix(self.phi))

    @cached_property
    def intershap(self) -> float:
        """Global InterSHAP in [0, 1] (paper Eq. 8); NaN with :attr:`nan_reason` when the
        behaviour Σ Φ is within rounding of the output scale (see :mod:`.scores`)."""
        return scores.intershap_score(self.Phi, self._tol)

    @cached_property
    def intershap_local(self) -> np.ndarray:
        """``(N,)`` per-sample InterSHAP (paper Eq. 10); NaN where Σ|φ^a| is within
        rounding of the sample's output scale (:func:`.scores.local_tolerance`)."""
        tol = scores.local_tolerance(self._values, self.output_precision, self.rows_averaged)
        return _readonly(scores.local_scores(self.phi, tol))

    @property
    def intershap_local_mean(self) -> float:
        """InterSHAP_local: mean of the per-sample scores (NaN entries ignored)."""
        loc = self.intershap_local
        if loc.size == 0 or np.all(np.isnan(loc)):
            return float("nan")
        return float(np.nanmean(loc))

    @cached_property
    def modality_contributions(self) -> np.ndarray:
        """``(M,)`` |Φ_ii| / Behaviour; sums to 1 − InterSHAP (NaN where it is)."""
        return _readonly(scores.modality_contributions(self.Phi, self._tol))

    @property
    def behaviour(self) -> float:
        """Σ_ij Φ_ij, the denominator of InterSHAP."""
        return scores.behaviour(self.Phi)

    # ------------------- masking error (maths/masking_error.py); None when unknown
    masking_se: Any = None  # MaskingError of the run; subsets, for_class and files carry it (maths/masking_carry.py)
    coalition_values_se = property(lambda self: _se(self, "coalition_values"), doc="``(N, 2**M)`` masking SE of v(S)")
    phi_masking_se = property(lambda self: _se(self, "phi"), doc="``(N, M, M)`` masking SE of φ")
    intershap_masking_se = property(lambda self: _se(self, "intershap"), doc="Masking SE of global InterSHAP")
    intershap_local_masking_se = property(lambda self: _se(self, "intershap_local"), doc="``(N,)`` masking SE, local")

    # ------------------------------------------------------ higher orders
    def interactions(self, index: str = "k-SII", order: int = 2, min_order: int = 1):
        """Interaction values of any order (Möbius, SII, k-SII, STII, FSII), per sample
        ``(N, K)`` and globally; see :mod:`intershap_widget.maths.interactions`."""
        from .interactions import interactions

        return interactions(self, index, order, min_order)

    def order_shares(self):
        """Share of behaviour carried by single modalities, pairs, triples, … (Möbius
        orders), globally and per sample; see :func:`intershap_widget.order_shares`."""
        from .interactions import order_shares

        return order_shares(self)

    # ---------------------------------------------------------------- slicing
    def __getitem__(self, idx: Any) -> "InteractionResult":
        """Subset of samples (ints, slice or bool mask); global scores recomputed on it."""
        rows = _normalise_index(idx, self.n_samples)
        return self._replace(rows=rows)

    def _replace(self, rows: np.ndarray | None = None, **changes: Any) -> "InteractionResult":
        def take(a):
            return None if a is None or rows is None else a[rows]

        kw = dict(
            coalition_values=self._values if rows is None else self._values[rows],
            modality_names=self.modality_names,
            target=self.target,
            target_class=self.target_class if rows is None else take(self.target_class),
            class_values=self.class_values if rows is None else take(self.class_values),
            class_names=self.class_names,
            predicted_class=self.predicted_class if rows is None else take(self.predicted_class),
            labels=self.labels if rows is None else take(self.labels),
            sample_index=self.sample_index if rows is None else take(self.sample_index),
            settings=self.settings,
        )
        kw.update(changes)
        out = InteractionResult(**kw)
        if self.masking_se is not None and rows is not None:  # recomputed for the subset
            out.masking_se = masking_carry.subset(self.masking_se, rows, out.phi)
        return out

    def for_class(self, cls: int | str) -> "InteractionResult":
        """The explanation of one output column (needs ``target="all"``)."""
        if self.class_values is None:
            raise ValueError(
                "this result holds one target only; call explain(..., target='all') "
                "to keep every class"
            )
        c = self._class_position(cls)
        out = self._replace(
            coalition_values=self.class_values[:, :, c],
            target=c,
            target_class=np.full(self.n_samples, c, dtype=int),
        )
        if self.masking_se is not None and self.target_class is not None:
            out.masking_se, why = masking_carry.for_class(self.masking_se, self.target_class, c,
                                                          self.class_values.shape[2],
                                                          str(self.settings.get("output", "")), out.phi)
            if why:  # say so instead of silently dropping it
                out.settings = {**out.settings, "masking_error": {"estimated": False, "note": why}}
        return out

    def _class_position(self, cls: int | str) -> int:
        n_cls = self.class_values.shape[2]
        if isinstance(cls, str):
            if self.class_names is None or cls not in self.class_names:
                raise KeyError(f"unknown class {cls!r}; classes are {self.class_names}")
            return self.class_names.index(cls)
        c = int(cls)
        if not 0 <= c < n_cls:
            raise IndexError(f"class {cls} out of range: the result has {n_cls} classes")
        return c

    # ------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> None:
        """Write the result (values, names, settings) to one ``.npz`` file, atomically
        (see :mod:`.result_io`); labels of None or mixed types are refused."""
        result_io.save_result(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "InteractionResult":
        """Read a result written by :meth:`save`; anything else raises a ValueError
        starting ``"not an intershap-widget result file: "``."""
        values, arrays, meta = result_io.read_result_file(path)
        masking = masking_carry.from_file(arrays, meta.get("masking_error"))
        try:
            res = cls(values, modality_names=meta["modality_names"], target=meta["target"],
                      class_names=meta["class_names"], settings=meta["settings"], **arrays)
        except (ValueError, TypeError) as exc:
            raise result_file_checks.not_ours(path, f"inconsistent contents: {exc}") from None
        if masking is not None and masking.phi.shape != res.phi.shape:
            raise result_file_checks.not_ours(path, "inconsistent contents: the masking error's shape is not the result's")
        res.masking_se = masking
        return res

    # ------------------------------------------------------------ interop
    def to_shap(self, interactions: bool = False):
        """A ``shap.Explanation`` of the modality Shapley values ``(N, M)``.

        With ``interactions=True`` its values are the ``(N, M, M)`` matrices φ, in
        SHAP's own interaction convention (which is ours). Every ``shap.plots`` function
        takes it, for one sample (``ex[0]``: waterfall, bar) and for all (bar,
        beeswarm, heatmap). ``output_names`` is the explained class's name when every
        sample explains the same class; with a class per sample (``target="predicted"``)
        it is None (the classes are ``res.target_class``): shap reads a list there as
        one output per entry, which one explained output per sample is not. Needs
        ``pip install shap``.
        """
        try:
            import shap
        except ImportError as exc:  # pragma: no cover - exercised without shap
            raise ImportError("to_shap() needs shap: pip install 'intershap-widget[shap]'") from exc
        values = self.phi if interactions else self.shapley
        name = None
        if self.class_names is not None and self.target_class is not None and self.n_samples:
            classes = np.unique(self.target_class)
            if classes.size == 1 and 0 <= classes[0] < len(self.class_names):
                name = self.class_names[int(classes[0])]
        return shap.Explanation(
            values=np.array(values),
            base_values=np.array(self.base_value),
            feature_names=list(self.modality_names),
            output_names=name,
        )

    # ------------------------------------------------------------ display
    def summary(self) -> str:
        """A few lines: sizes, target, global and local InterSHAP with intervals over
        samples, NaN reasons, the cancellation ratio, Φ (:mod:`.result_text`)."""
        return summary_text(self)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        """Rich display: the explorer widget, a static PNG and the text summary."""
        from .display import rich_display

        return rich_display(self, include, exclude)


def _se(res: InteractionResult, name: str) -> Any:
    return None if res.masking_se is None else getattr(res.masking_se, name)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def load_result(path: str | os.PathLike) -> InteractionResult:
    """Read an :class:`InteractionResult` saved with ``res.save(path)``."""
    return InteractionResult.load(path)
