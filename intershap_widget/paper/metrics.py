"""Small numpy classification metrics (macro F1, the majority-class baseline), shared
by the paper's training loop (:mod:`intershap_widget.paper.fusion`), the reproduction and the
comparison scores; dependency-free, checked against scikit-learn in the tests."""

from __future__ import annotations

import numpy as np


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None = None) -> float:
    """Macro-averaged F1 score in [0, 1].

    ``y_true``, ``y_pred``: (N,) integer class labels. Per class c, F1_c = 2TP / (2TP + FP + FN)
    (0 when the denominator is 0); the macro F1 is the unweighted mean over ``labels``
    (default: the classes present in ``y_true`` or ``y_pred``, as scikit-learn does).
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {y_true.size} and {y_pred.size}; "
            "pass one prediction per label."
        )
    if y_true.size == 0:
        raise ValueError("macro_f1 needs at least one sample.")
    classes = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels).reshape(-1)
    t = y_true[None, :] == classes[:, None]  # (C, N)
    p = y_pred[None, :] == classes[:, None]
    tp = np.sum(t & p, axis=1)
    fp = np.sum(~t & p, axis=1)
    fn = np.sum(t & ~p, axis=1)
    denom = 2 * tp + fp + fn
    f1 = np.divide(2.0 * tp, denom, out=np.zeros(classes.size, dtype=float), where=denom > 0)
    return float(np.mean(f1))


def majority_class(y: np.ndarray) -> int:
    """The most frequent label of ``y`` (N,) (smallest label on ties)."""
    values, counts = np.unique(np.asarray(y).reshape(-1), return_counts=True)
    return values[int(np.argmax(counts))].item()


def majority_macro_f1(y: np.ndarray) -> float:
    """Macro F1 of the model that always predicts the majority class of ``y`` (N,).

    Averaged over the classes present in ``y``: for K balanced classes this is 2 / (K (K + 1)),
    e.g. 1/3 for two balanced classes.
    """
    y = np.asarray(y).reshape(-1)
    return macro_f1(y, np.full_like(y, majority_class(y)))
