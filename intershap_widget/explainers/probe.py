"""The probe: before the long run, two full rows (sample 0 twice: the same outputs, or a
clear error) and one masked sample's K rows through the model settle the output mode and the number of outputs C and check every shape,
so a wrong model or setting fails in a second, not after hours."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .adapters import ModelAdapter, resolve_output
from .calls import raise_with_context
from .checks import check_output, check_raw_output
from .determinism import check_repeatable
from .maskers import Masker
from ..maths.errors import InputError

__all__ = ["probe_model"]


def probe_model(adapter: ModelAdapter, masker: Masker, xs: list, output: str, target: Any,
                class_names: Sequence[str] | None, allow_nondeterministic: bool = False) -> tuple[str, int]:
    """Run two full rows (sample 0 twice: a model must repeat itself, :mod:`.determinism`) and one
    masked sample's K rows: the resolved output mode and the number of model outputs C,
    after every check that needs them."""
    probe_rows = 2
    idx = np.zeros(probe_rows, dtype=np.int64)  # new arrays: the model may write into its input
    try:  # sample 0 twice in one call: a model must repeat itself (:mod:`.determinism`)
        raw = adapter([adapter.take(x, idx) for x in xs])
    except Exception as exc:  # the model's own error, with the batch named
        raise_with_context(exc, f"{exc} [on the probe batch: sample 0 twice, every modality present]")
    check_raw_output(raw, probe_rows, None, "on a probe batch")
    probe = check_output(adapter.to_numpy(raw), probe_rows, None, "on a probe batch")
    check_repeatable(probe[:1], probe[1:], adapter.output_dtype, allow_nondeterministic)
    output = resolve_output(output, probe)
    n_cols = probe.shape[1]
    if output == "regression" and n_cols != 1:
        raise ValueError(f"output='regression' needs one value per row; the model returned {n_cols}")
    if output == "logits" and n_cols < 2:
        raise ValueError("output='logits' needs at least 2 classes; use output='regression' for one column")
    if output == "probability" and (probe.min() < -1e-6 or probe.max() > 1 + 1e-6):
        raise ValueError(
            "output='probability' but the model returned values outside [0, 1]; "
            "use output='logits' (softmax applied) or output='regression'"
        )
    _check_one_column(adapter, target)
    if isinstance(target, (int, np.integer)) and target >= n_cols:
        raise ValueError(f"target class {target} out of range: the model returns {n_cols} outputs")
    if class_names is not None and len(class_names) != n_cols:
        raise ValueError(f"{len(class_names)} class_names for {n_cols} model outputs")
    # a masked probe: one coalition through the masker checks its shapes
    present = np.zeros((1, len(xs)), dtype=bool)
    present[0, 0] = True
    masked = masker.build([x[:1] for x in xs], present, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64))
    try:
        raw = adapter(masked)
    except Exception as exc:
        raise_with_context(exc, f"{exc} [on the masked probe: sample 0 with only modality 0 present, "
                                f"{masker.n_rows} background rows; the model runs on full inputs]")
    check_raw_output(raw, masker.n_rows, n_cols, "on masked inputs")
    check_output(adapter.to_numpy(adapter.transform(raw, output)), masker.n_rows, n_cols, "on masked inputs")
    if n_cols == probe_rows == masker.n_rows:  # a (B, B) output looks like B classes here: one row tells
        check_raw_output(adapter([adapter.take(x, idx[:1]) for x in xs]), 1, n_cols, "on one probe row")
    return output, n_cols


def _check_one_column(adapter: ModelAdapter, target: Any) -> None:
    """``target=0`` on a one-column model explained as ``"raw"``/``"logits"`` is ambiguous:
    the column is widened to a binary classifier's two classes (``[-s, s]`` or ``[0, s]``),
    so class 0 is the negation of the column, not the column the caller named."""
    if not adapter.one_column or isinstance(target, str) or int(target) != 0:
        return
    sides = "[-s, s]" if adapter.requested == "raw" else "[0, s] (softmax: 1 - sigmoid(s), sigmoid(s))"
    raise InputError(
        f"target=0 on a model that returns one output column s is ambiguous: output={adapter.requested!r} "
        f"explains it as the two classes of a binary classifier, {sides}, so class 0 is not the column "
        "itself but its opposite. Pass target=1 to explain the column (the positive class), "
        "output='regression' to explain s unchanged, or target='predicted' for the predicted side"
    )
