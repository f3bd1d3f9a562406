"""The cancellation warning says what applies (issue 26, item 8): a background shared
with the explained samples or not, one fixed class or each sample's own; a borderline
ratio says so."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.maths import diagnostics


def _mixed(flip: float) -> np.ndarray:
    """Coalition values (400, 4): a main effect and an interaction whose sign flips on a
    share ``flip`` of the samples (test_honest_scores' game)."""
    from test_honest_scores import _mixed_signs

    return _mixed_signs(n=400, flip=flip)


def _message(flip: float, **settings) -> str:
    target = settings.pop("target", "predicted")
    res = isw.InteractionResult(_mixed(flip), target=target, settings=settings)
    msg = diagnostics.cancellation_message(res)
    assert msg is not None and res.cancellation_ratio < diagnostics.CANCELLATION_WARN
    return msg


def test_a_separate_background_and_predicted_classes_say_the_cancellation_is_the_models():
    msg = _message(0.45, background_overlap=0.0)
    assert "the cancellation is in the model" in msg and "already separate" in msg
    assert "use a background separate" not in msg and "target='predicted' (each" not in msg
    assert "res.intershap_local_mean" in msg and "res.intershap_abs" in msg


def test_a_shared_background_is_named_with_its_share():
    msg = _message(0.45, background_overlap=1.0)
    assert "holds the explained samples (100.0 % of its rows)" in msg and "use a background separate" in msg
    assert "in the model" not in msg
    part = _message(0.45, background_overlap=0.25)
    assert "(25.0 % of its rows)" in part


def test_one_fixed_class_is_told_to_explain_the_predicted_class():
    msg = _message(0.45, background_overlap=0.0, target=1)
    assert "explain target='predicted'" in msg and "in the model" not in msg


def test_unknown_situation_gives_every_remedy():
    msg = _message(0.45)
    assert "target='predicted'" in msg and "a background separate" in msg


def test_a_borderline_ratio_says_so():
    near = _message(0.385, background_overlap=0.0)  # ratio 0.488: just under 0.5
    assert "borderline" in near
    far = _message(0.45, background_overlap=0.0)
    assert "borderline" not in far


def test_explain_records_whether_the_background_is_the_samples():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(30, 2)), rng.normal(size=(30, 2))]

    def model(xs):
        return np.tanh(xs[0][:, 0] * xs[1][:, 0]) + 0.1 * xs[0][:, 1]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = isw.explain(model, X, output="regression", progress=False)
        held_out = isw.explain(model, X, [rng.normal(size=(40, 2)), rng.normal(size=(40, 2))],
                               output="regression", progress=False)
        base = isw.explain(model, X, masking="baseline", output="regression", progress=False)
    assert own.settings["background_overlap"] == 1.0 and held_out.settings["background_overlap"] == 0.0
    assert "background_overlap" not in base.settings


@pytest.mark.parametrize("flip", [0.385, 0.45])
def test_the_ratio_is_what_the_message_prints(flip):
    res = isw.InteractionResult(_mixed(flip), settings={"background_overlap": 0.0})
    assert f"= {res.cancellation_ratio:.3f}" in diagnostics.cancellation_message(res)
