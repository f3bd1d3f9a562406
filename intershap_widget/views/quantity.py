"""What the explorer's numbers are: the quantity and unit of v(S) for each class entry.

A result's coalition values are outputs of the model: probabilities of a class
(``output="logits"`` gets a softmax, ``"probability"`` is taken as is), its raw outputs
(``"raw"``: e.g. a logit), or a regression's prediction. The explorer writes this
quantity on its colour keys, the waterfall's axis and the scatter's axis, so that a
reader sees "P(predicted class)" or "raw output of dog" rather than bare numbers.

The output kind comes from ``result.settings["output"]`` (set by ``isw.explain`` and
``isw.sample_explain`` after ``output="auto"`` is resolved); a result built by hand has
none and its values are called "value of …". ``value_name`` (the widget's keyword) names
the values of a regression or of raw outputs, e.g. ``"price (k$)"``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["output_kind", "quantities", "PROBABILITY_OUTPUTS"]

#: Output kinds whose explained values are probabilities (``"logits"`` gets a softmax).
PROBABILITY_OUTPUTS = ("logits", "probability")


def output_kind(result: Any) -> str:
    """The resolved output kind of ``result`` (``"probability"``, ``"raw"``, ``"regression"``
    or ``"unknown"`` for a result built by hand); ``"logits"`` reads as ``"probability"``."""
    settings = getattr(result, "settings", None) or {}
    kind = str(settings.get("output") or "")
    if kind in PROBABILITY_OUTPUTS:
        return "probability"
    if kind in ("raw", "regression"):
        return kind
    return "regression" if str(getattr(result, "target", "")) == "regression" else "unknown"


def quantities(kind: str, class_names: list[str], predicted_entry: bool, value_name: str | None = None) -> list[str]:
    """One label per class entry of the explorer, e.g. ``["P(cat)", "P(dog)", "P(predicted class)"]``.

    ``class_names`` are the class menu's entries (the last is each sample's own predicted
    class when ``predicted_entry``); ``value_name`` names regression or raw values."""
    out = []
    for q, name in enumerate(class_names):
        own = predicted_entry and q == len(class_names) - 1
        cls = "predicted class" if own else name
        if kind == "probability" and not value_name:
            out.append(f"P({cls})")
        elif kind == "regression" or (kind == "unknown" and name in ("value", "sampled value")):
            out.append(value_name or ("regression output" if kind == "regression" else "value"))
        elif kind == "raw":
            out.append(f"{value_name or 'raw output'} of {'the ' if own else ''}{cls}")
        else:
            out.append(f"{value_name or 'value'} of {'the ' if own else ''}{cls}")
    return out
