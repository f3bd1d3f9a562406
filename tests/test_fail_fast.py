"""Issue 12, fail fast on every batch: every model call is checked (rows, width, dtype,
finiteness), the error names the sample and the coalition and how many rows ran, and no
more than the faulty batch runs."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers import sampling as sp
from models_for_tests import SmoothModel, random_modalities

SHAPES = [(3,), (2,), (2,)]
NAMES = ["img", "txt", "tab"]


class Faulty:
    """SmoothModel (3 classes) that misbehaves from call ``start`` on (``start`` 1-based)."""

    def __init__(self, fault, start=1):
        self.f, self.fault, self.start = SmoothModel(SHAPES), fault, start
        self.calls = 0
        self.first_fault = None

    def __call__(self, xs):
        self.calls += 1
        out = self.f(xs)
        if self.calls >= self.start:
            bad = self.fault(xs, out)
            if bad is not out and self.first_fault is None:
                self.first_fault = self.calls
            return bad
        return out


def _X(n=6):
    return random_modalities(n, SHAPES, seed=0), random_modalities(4, SHAPES, seed=1)


def test_width_changing_from_the_fifth_call_is_caught_at_that_batch():
    X, bg = _X()
    model = Faulty(lambda xs, out: out[:, :2], start=5)  # 3 outputs, then 2
    with pytest.raises(ValueError) as err:
        isw.explain(model, X, bg, batch_size=8, modality_names=NAMES, progress=False)
    text = str(err.value)
    assert "returned 2 outputs per row" in text and "earlier 3" in text
    assert "samples" in text and "coalition {" in text and "model rows had run" in text
    assert model.calls == 5  # the faulty batch was the last one run
    # rows run before the faulty batch (probes not counted): 6 full rows + 4 background
    # rows, of N·(2**M − 2)·K + N + K = 6·6·4 + 6 + 4 = 154
    assert "(10 of 154 model rows had run before this batch)" in text


def test_one_dimensional_output_under_target_all_is_not_broadcast():
    X, bg = _X()
    model = Faulty(lambda xs, out: out[:, 0], start=3)  # (B, 3) on the probes, then (B,) from v(∅) on
    with pytest.raises(ValueError, match=r"on background rows 0–3 \(coalition \{\}\): the model returned 1 outputs per row \(shape \(4,\)\), earlier 3"):
        isw.explain(model, X, bg, target="all", batch_size=8, progress=False)
    assert model.calls == 3


def test_nan_from_one_coalition_of_the_last_sample_stops_at_its_batch():
    X, bg = _X()
    last = X[0][-1, 0]

    def nan_for_last_sample_with_img_only(xs, out):
        hit = (xs[0][:, 0] == last) & ~np.isin(xs[1][:, 0], X[1][-1:, 0]) & ~np.isin(xs[2][:, 0], X[2][-1:, 0])
        if not hit.any():
            return out
        out = out.copy()
        out[hit] = np.nan
        return out

    model = Faulty(nan_for_last_sample_with_img_only)
    with pytest.raises(ValueError) as err:
        isw.explain(model, X, bg, batch_size=4, modality_names=NAMES, progress=False)
    text = str(err.value)
    assert "non-finite" in text and "sample 5 with coalition {img} present" in text, text
    assert "of 154 model rows had run, this batch included" in text
    assert model.calls == model.first_fault  # nothing ran after the faulty batch


def test_wrong_row_count_mid_run():
    X, bg = _X()
    model = Faulty(lambda xs, out: out[:-1], start=4)  # probe, masked probe, v(∅), then the full inputs
    with pytest.raises(ValueError, match=r"on the full inputs of samples 0–5: .*batch of B=6 rows; it returned shape \(5, 3\)"):
        isw.explain(model, X, bg, batch_size=8, progress=False)
    assert model.calls == 4


def test_complex_outputs_are_refused_not_made_real():
    X, bg = _X()
    with pytest.raises(TypeError, match="complex outputs"):
        isw.explain(Faulty(lambda xs, out: out + 0j), X, bg, progress=False)
    with pytest.raises(TypeError, match="complex outputs"):
        isw.explain(Faulty(lambda xs, out: out + 0j, start=3), X, bg, progress=False)


def test_the_sampler_checks_every_batch_too():
    X, bg = _X()
    model = Faulty(lambda xs, out: out[:, :2], start=5)
    with pytest.raises(ValueError, match=r"returned 2 outputs per row.*earlier 3"):
        sp.sample_explain(model, X, bg, budget=8, batch_size=8, progress=False)
    assert model.calls == 5
    def nan_for_sample_1(masks):
        v = np.ones((3, len(masks)))
        v[1, masks[:, 0] & ~masks[:, 1:].any(axis=1)] = np.nan
        return v

    with pytest.raises(ValueError, match=r"value_fn returned NaN or inf for sample 1 at coalition \[0\]"):
        sp.sample_interactions(nan_for_sample_1, 3, 8)
    with pytest.raises(TypeError, match="complex"):
        sp.sample_interactions(lambda m: np.ones((2, len(m))) + 1j, 3, 8)
