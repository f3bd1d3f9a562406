"""The explorer's units (what v(S) is, for every result type) and its selection model:
the ``filters`` trait and the one rule behind ``w.active_indices`` / ``w.selection``."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

import intershap_widget as isw
from intershap_widget.maths.result import InteractionResult
from intershap_widget.views.widget import InterSHAPWidget

RNG = np.random.default_rng(5)
X = [RNG.normal(size=(24, 3)), RNG.normal(size=(24, 2))]
BACKGROUND = [RNG.normal(size=(8, 3)), RNG.normal(size=(8, 2))]


def logits_model(xs):
    a, b = xs
    return np.stack([a[:, 0] + b[:, 0], a[:, 1] * b[:, 1], -a[:, 2]], axis=1)


def regression_model(xs):
    a, b = xs
    return (a[:, 0] * b[:, 0])[:, None]


def _explain(model, **kw):
    return isw.explain(model, X, BACKGROUND, modality_names=["left", "right"], progress=False, **kw)


def test_probabilities_are_named_for_every_class_entry():
    res = _explain(logits_model, target="all", class_names=["cat", "dog", "owl"])
    w = InterSHAPWidget(res)
    assert w._meta["output"] == "probability"
    assert w._meta["quantities"] == ["P(cat)", "P(dog)", "P(owl)", "P(predicted class)"]
    assert len(w._meta["quantities"]) == len(w._meta["class_names"])
    one = InterSHAPWidget(_explain(logits_model))  # target="predicted"
    assert one._meta["quantities"] == ["P(predicted class)"]
    assert InterSHAPWidget(_explain(logits_model, target=2))._meta["quantities"] == ["P(class 2)"]


def test_raw_outputs_regressions_and_hand_built_results_say_what_they_are():
    raw = InterSHAPWidget(_explain(logits_model, target=1, output="raw"))
    assert raw._meta["output"] == "raw" and raw._meta["quantities"] == ["raw output of class 1"]
    reg = _explain(regression_model)
    assert InterSHAPWidget(reg)._meta["quantities"] == ["regression output"]
    assert InterSHAPWidget(reg, value_name="price (k$)")._meta["quantities"] == ["price (k$)"]
    hand = InterSHAPWidget(InteractionResult(np.zeros((3, 4)) + np.arange(4)))  # target="predicted"
    assert hand._meta["output"] == "unknown" and hand._meta["quantities"] == ["value of the predicted class"]
    one = InterSHAPWidget(InteractionResult(np.zeros((3, 4)) + np.arange(4), target=0))
    assert one._meta["quantities"] == ["value of class 0"]


def test_a_sampled_result_sends_its_output_kind_too():
    res = isw.sample_explain(logits_model, X, budget=4, n_background=8, progress=False)
    w = InterSHAPWidget(res)
    assert w._meta["output"] == "probability" and w._meta["quantities"] == ["P(predicted class)"]


def _labelled(n=30):
    rng = np.random.default_rng(2)
    cv = rng.normal(size=(n, 4, 3))
    pred = cv[:, -1, :].argmax(axis=1)
    return InteractionResult(cv[np.arange(n), :, pred], modality_names=["a", "b"], target="all", class_values=cv,
                             class_names=["cat", "dog", "owl"], predicted_class=pred, labels=rng.integers(0, 2, n))


def test_filters_decide_what_selection_is_by_one_rule():
    res = _labelled()
    w = InterSHAPWidget(res)
    assert w.filter_options == {"predicted_class": ["cat", "dog", "owl"], "label": ["0", "1"]}
    assert w.active_indices is None and w.selection is res
    w.filters = {"predicted_class": "dog"}
    dogs = np.flatnonzero(res.predicted_class == 1)
    np.testing.assert_array_equal(w.active_indices, dogs)
    np.testing.assert_allclose(w.selection.Phi, res[dogs].Phi)
    w.filters = {"predicted_class": "dog", "label": 1}  # a label given as a number is its name
    both = np.flatnonzero((res.predicted_class == 1) & (res.labels == 1))
    assert w.filters == {"predicted_class": "dog", "label": "1"}
    np.testing.assert_array_equal(w.active_indices, both)
    # a brush counts where it passes the filters: brushed ∩ filtered
    w.selected_indices = [int(dogs[0]), int(both[0]), int(np.flatnonzero(res.predicted_class != 1)[0])]
    np.testing.assert_array_equal(w.active_indices, sorted({int(both[0])} | ({int(dogs[0])} & set(both.tolist()))))
    w.selected_class = 0
    np.testing.assert_allclose(w.selection.Phi, res.for_class(0)[w.active_indices].Phi)
    w.filters = {}
    w.selected_indices = [4, 2, 2]
    np.testing.assert_array_equal(w.active_indices, [2, 4])
    w.filters = {"predicted_class": None}
    assert w.filters == {}


def test_bad_filters_name_the_choices():
    w = InterSHAPWidget(_labelled())
    with pytest.raises(traitlets.TraitError, match="'owl'"):
        w.filters = {"predicted_class": "emu"}
    with pytest.raises(traitlets.TraitError, match="predicted_class"):
        w.filters = {"colour": "red"}
    plain = InterSHAPWidget(InteractionResult(np.arange(8.0)[None].repeat(3, 0)))
    assert plain.filter_options == {}
    with pytest.raises(traitlets.TraitError):
        plain.filters = {"label": "1"}
    restored = InterSHAPWidget(_labelled(), filters={"label": "0"})
    assert restored.filters == {"label": "0"} and len(restored.active_indices) > 0


def test_the_static_fallback_says_how_to_get_the_live_explorer():
    import base64

    from intershap_widget.views.plots.static import summary_png
    from intershap_widget.views.widget import LIVE_NOTE

    res = _labelled(12)
    bundle = InterSHAPWidget(res)._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"].startswith(res.summary()) and data["text/plain"].endswith(LIVE_NOTE)
    assert "trust the notebook" in LIVE_NOTE.lower() and "export_html" in LIVE_NOTE
    png = base64.b64decode(data["image/png"])
    assert png == summary_png(res, note=LIVE_NOTE) and png != summary_png(res)  # the note is in the picture
