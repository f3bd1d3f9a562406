"""A sanity line on the model itself: with ``labels=``, how well the explained model does
on the explained samples, as it was called (its inputs built the way ``explain`` builds
them), and a warning when that is at chance level.

A model explained on inputs it was not trained on (other feature order, other
preprocessing) still gets an explanation, of the wrong behaviour, without a word; its
accuracy against the labels is the cheapest check there is.

* classification: accuracy of the predicted class against the labels, the class order
  taken from the model's ``classes_`` (scikit-learn, pipelines), else ``class_names`` for
  string labels, else class index = label; beside it the majority class's share and
  Cohen's κ (agreement beyond what the two marginals give by chance);
* regression: R² of the explained output against the labels.

:class:`ChanceLevelWarning` fires when κ < :data:`KAPPA_CHANCE` (Landis and Koch's
"slight" agreement) or R² < :data:`R2_CHANCE` (the explained variance of a correlation
of 0.2). The numbers go to ``res.settings["model_fit"]``; ``summary()`` prints them.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ..maths.result_text import fit_text

__all__ = ["ChanceLevelWarning", "model_fit", "check_model_fit", "KAPPA_CHANCE", "R2_CHANCE"]

#: Cohen's κ below this is "slight" agreement (Landis & Koch 1977): the warning fires
KAPPA_CHANCE = 0.2
#: R² below this (a correlation below 0.2) counts as chance level for a regression
R2_CHANCE = 0.04


class ChanceLevelWarning(UserWarning):
    """The explained model is at chance level on the explained samples (against ``labels=``)."""


def _classes(model: Any) -> np.ndarray | None:
    for obj in (model, getattr(model, "model", None)):  # FrameModel / Concatenated wrap the estimator
        classes = getattr(obj, "classes_", None)
        if classes is not None:
            return np.asarray(classes)
    return None


def _predicted_labels(pred: np.ndarray, labels: np.ndarray, classes: np.ndarray | None,
                      class_names: Sequence[str] | None, n_cols: int) -> tuple[np.ndarray | None, str]:
    """The predicted labels in the labels' own encoding, and where the class order came from."""
    if classes is not None and len(classes) == n_cols:
        return classes[pred], "the model's classes_"
    if labels.dtype.kind in "US" and class_names is not None:
        return np.asarray(class_names)[pred], "class_names"
    if labels.dtype.kind in "biuf":
        return pred, "class index = label"
    return None, ("the labels are strings and the model's class order is unknown; pass class_names= in "
                  "the model's output order")


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
        return a.astype(np.float64) == b.astype(np.float64)
    return a.astype(str) == b.astype(str)


def _classification(pred: np.ndarray, labels: np.ndarray, classes: Any, class_names: Any, n_cols: int) -> dict:
    mapped, source = _predicted_labels(pred, labels, classes, class_names, n_cols)
    if mapped is None:
        return {"metric": "accuracy", "value": None, "n": int(len(labels)), "reason": source}
    hit = _same(mapped, labels)
    keys = np.concatenate([np.asarray(mapped).astype(str), labels.astype(str)])
    _, codes = np.unique(keys, return_inverse=True)
    n = len(labels)
    p_pred = np.bincount(codes[:n], minlength=codes.max() + 1) / n
    p_true = np.bincount(codes[n:], minlength=codes.max() + 1) / n
    chance = float(p_pred @ p_true)
    acc = float(hit.mean())
    kappa = None if chance >= 1 else (acc - chance) / (1 - chance)
    return {"metric": "accuracy", "value": acc, "n": int(n), "majority": float(p_true.max()),
            "kappa": kappa, "class_order": source}


def _regression(pred: np.ndarray, labels: np.ndarray) -> dict:
    y = labels.astype(np.float64)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    value = None if ss_tot == 0 else 1 - float(((y - pred) ** 2).sum()) / ss_tot
    return {"metric": "R2", "value": value, "n": int(len(y)),
            **({"reason": "the labels are constant"} if value is None else {})}


def model_fit(res: Any, model: Any = None, class_names: Sequence[str] | None = None,
              n_cols: int | None = None) -> dict | None:
    """The model's accuracy (or R²) against ``res.labels`` on the explained samples: a dict
    ``{"metric", "value", "n", ...}`` (see the module docstring), None without labels."""
    labels = getattr(res, "labels", None)
    if labels is None:
        return None
    labels = np.asarray(labels)
    if res.predicted_class is None:
        if labels.dtype.kind not in "biuf":
            return {"metric": "R2", "value": None, "n": int(len(labels)), "reason": "the labels are not numbers"}
        return _regression(np.asarray(res.prediction, dtype=np.float64), labels)
    if n_cols is None:
        n_cols = res.class_values.shape[2] if res.class_values is not None else int(res.predicted_class.max()) + 1
    return _classification(np.asarray(res.predicted_class), labels, _classes(model), class_names, n_cols)


def check_model_fit(res: Any, model: Any = None, class_names: Sequence[str] | None = None,
                    n_cols: int | None = None) -> None:
    """Record :func:`model_fit` in ``res.settings["model_fit"]`` and warn
    (:class:`ChanceLevelWarning`) when the model is at chance level on the explained samples."""
    fit = model_fit(res, model, class_names, n_cols)
    if fit is None:
        return
    res.settings["model_fit"] = fit
    at_chance = (fit["metric"] == "R2" and fit["value"] is not None and fit["value"] < R2_CHANCE) or (
        fit["metric"] == "accuracy" and fit.get("kappa") is not None and fit["kappa"] < KAPPA_CHANCE)
    if at_chance:
        warnings.warn(
            f"the explained model is at chance level on these inputs: {fit_text(fit)}. Its explanation then "
            "describes behaviour the model never shows on its own data. Likely causes: the features reach the "
            "model in another order than in training (a list X is concatenated modality by modality; a "
            "DataFrame with modalities= keeps the columns), another preprocessing (scaling, encoding, image "
            "normalisation) than in training, or another label encoding (labels= against the model's class "
            "order: pass class_names=). Compare model.predict on your own input with res.predicted_class.",
            ChanceLevelWarning, stacklevel=4)
