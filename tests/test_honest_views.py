"""The static summary picture shows the intervals over samples and why a score is NaN."""

import numpy as np
import pytest

import intershap_widget as isw

pytest.importorskip("matplotlib")


def _title(res):
    from matplotlib.figure import Figure

    fig, _ = isw.plots.summary_figure(res, fig=Figure())
    return fig._suptitle.get_text()


def test_summary_picture_shows_intervals():
    res = isw.InteractionResult(np.random.default_rng(0).normal(1.0, 0.3, size=(200, 8)))
    lo, hi = res.intervals["intershap"]
    llo, lhi = res.intervals["intershap_local_mean"]
    text = _title(res)
    assert f"InterSHAP global {100 * res.intershap:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]" in text
    assert f"local mean {100 * res.intershap_local_mean:.1f} % [{100 * llo:.1f}, {100 * lhi:.1f}]" in text
    assert "95 % intervals" in text and "NaN" not in text


def test_summary_picture_says_why_the_global_score_is_nan():
    res = isw.InteractionResult(np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, -1.0]]))
    text = _title(res)
    assert text.startswith("InterSHAP global nan · local mean 100.0 %")
    assert text.endswith("\nglobal score NaN: the behaviour cancels over the samples (res.nan_reason says more)")
