"""compare_scores: the four scores in one table, Table 2's qualitative pattern, the figure."""

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.paper.baselines import compare_scores, emap, plot_scores, shape



def _bits_data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (n, 2))
    X = [bits[:, :1] * 2 - 1.0 + 0.3 * rng.normal(size=(n, 4)),
         bits[:, 1:] * 2 - 1.0 + 0.3 * rng.normal(size=(n, 3))]
    return bits, X


def _xor(xs):
    p = ((xs[0].mean(axis=1) > 0) ^ (xs[1].mean(axis=1) > 0)).astype(float)
    return np.stack([1 - p, p], axis=1)


def _first(xs):
    p = (xs[0].mean(axis=1) > 0).astype(float)
    return np.stack([1 - p, p], axis=1)


def test_every_score_is_larger_for_synergy_than_uniqueness():
    bits, X = _bits_data()
    kw = dict(progress=False, pid_kwargs={"n_clusters": 8}, emap_kwargs={"n_samples": 120})
    syn = compare_scores(_xor, X, bits[:, 0] ^ bits[:, 1], **kw)
    uni = compare_scores(_first, X, bits[:, 0], **kw)
    for key in ("intershap", "pid", "emap", "shape"):
        assert syn.value(key) > uni.value(key) + 10 * (key != "pid") + 0.3 * (key == "pid"), key
    assert syn.value("intershap") > 90 and abs(uni.value("intershap")) < 1
    assert uni.value("emap") == 0


def test_table_matches_the_individual_scores():
    bits, X = _bits_data(seed=1)
    y = bits[:, 0] ^ bits[:, 1]
    t = compare_scores(_xor, X, y, seed=3, progress=False, emap_kwargs={"n_samples": 50})
    assert t.value("intershap") == pytest.approx(100 * isw.explain(_xor, X, seed=3, progress=False).intershap)
    assert t.value("emap") == pytest.approx(100 * emap(_xor, X, y, n_samples=50, seed=3, progress=False).gap)
    assert t.value("shape") == pytest.approx(100 * shape(_xor, X, y, seed=3).cooperation)
    assert t.value("pid") == pytest.approx(t.results["pid"].synergy)
    assert set(t.as_dict()) == {"intershap", "pid", "emap", "shape"}
    md = t.to_markdown().splitlines()
    assert len(md) == 6 and md[0].startswith("| score | value")
    assert "EMAP_gap" in str(t) and "subsample n=50" in str(t)


def test_three_modalities_leave_pid_and_emap_undefined_and_plot():
    rng = np.random.default_rng(2)
    X = [rng.normal(size=(60, 2)) for _ in range(3)]
    y = (X[0][:, 0] > 0).astype(int)

    def model(xs):
        s = xs[0][:, 0] + 0.1 * xs[2][:, 1]
        return np.stack([-s, s], axis=1)

    t = compare_scores(model, X, y, progress=False)
    assert t.value("pid") is None and t.value("emap") is None
    assert "n/a" in t.to_markdown()
    import matplotlib

    matplotlib.use("Agg")
    fig, ax = plot_scores({"a": t, "b": t})
    assert len(ax.patches) == 4                          # 2 defined scores × 2 models
    assert [tick.get_text().split("\n")[0] for tick in ax.get_yticklabels()] == [
        "InterSHAP", "PID synergy", "EMAP_gap", "SHAPE"]
    matplotlib.pyplot.close(fig)


def _exploding_model(xs):
    raise AssertionError("the model must not be called when the input is invalid")


def test_bad_input_is_rejected_before_work():
    bits, X = _bits_data(n=20)
    with pytest.raises(ValueError, match="at least 2 modalities"):
        compare_scores(_exploding_model, X[:1], bits[:, 0])
    with pytest.raises(ValueError, match="labels but X has"):
        compare_scores(_exploding_model, X, bits[:5, 0])
    with pytest.raises(ValueError, match="single class"):
        compare_scores(_exploding_model, X, np.zeros(20))
    with pytest.raises(ValueError, match="unknown scores"):
        compare_scores(_exploding_model, X, bits[:, 0], scores=("intershap", "lime"))
