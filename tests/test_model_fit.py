"""The sanity line on the model itself: with labels=, the model's accuracy (or R²) on the
explained samples in settings and summary(), and ChanceLevelWarning when a model is
explained on inputs it was not trained on (the issue's digits in quadrant order)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402

import intershap_widget as isw  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x, y = d.data[:600], d.target[:600]
    return x, y, LogisticRegression(max_iter=3000).fit(x, y)


def _quadrants(x):
    img = x.reshape(-1, 8, 8)
    return [img[:, :4, :4].reshape(-1, 16), img[:, :4, 4:].reshape(-1, 16),
            img[:, 4:, :4].reshape(-1, 16), img[:, 4:, 4:].reshape(-1, 16)]


def test_quadrant_order_is_caught_as_chance_level(digits):
    x, y, model = digits
    X, B = _quadrants(x[:30]), _quadrants(x[300:310])
    with pytest.warns(isw.ChanceLevelWarning, match="another order than in training") as rec:
        res = isw.explain(model, X, B, labels=y[:30], progress=False)
    fit = res.settings["model_fit"]
    pred = model.classes_[np.argmax(model.predict_proba(np.concatenate(X, axis=1)), axis=1)]
    assert fit["metric"] == "accuracy" and fit["value"] == pytest.approx(np.mean(pred == y[:30]))
    assert fit["kappa"] < 0.2 and fit["n"] == 30
    assert "κ" in str(rec[0].message) and "class_names" in str(rec[0].message)
    assert "model: accuracy" in res.summary()


def test_the_training_order_gives_the_accuracy_and_no_warning(digits):
    x, y, model = digits
    X, B = [x[:30, :32], x[:30, 32:]], [x[300:310, :32], x[300:310, 32:]]  # top and bottom half: same order
    with warnings.catch_warnings():
        warnings.simplefilter("error", isw.ChanceLevelWarning)
        res = isw.explain(model, X, B, labels=y[:30], progress=False)
    acc = np.mean(model.predict(x[:30]) == y[:30])
    assert acc > 0.9
    assert res.settings["model_fit"]["value"] == pytest.approx(acc)
    line = [ln for ln in res.summary().splitlines() if "model:" in ln][0]
    assert f"accuracy {100 * acc:.1f} %" in line and "30 explained samples" in line
    assert "not this subset of 5" in res[:5].summary()  # a subset says the line is the run's


def test_string_labels_use_the_models_classes(digits):
    x, y, _ = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    model = LogisticRegression(max_iter=3000).fit(x, names[y])  # classes_ sorted alphabetically
    res = isw.explain(model, [x[:20, :32], x[:20, 32:]], [x[300:305, :32], x[300:305, 32:]],
                      labels=names[y[:20]], progress=False)
    assert res.settings["model_fit"]["value"] == pytest.approx(np.mean(model.predict(x[:20]) == names[y[:20]]))
    assert res.settings["model_fit"]["class_order"] == "the model's classes_"


def test_string_labels_without_a_class_order_are_undefined_not_wrong():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(12, 2)), rng.normal(size=(12, 2))]
    res = isw.explain(lambda xs: np.stack([xs[0][:, 0], -xs[0][:, 0]], 1), X, output="logits",
                      labels=np.where(X[0][:, 0] > 0, "pos", "neg"), progress=False)
    assert res.settings["model_fit"]["value"] is None and "class_names" in res.summary()
    res = isw.explain(lambda xs: np.stack([-xs[0][:, 0], xs[0][:, 0]], 1), X, output="logits",
                      labels=np.where(X[0][:, 0] > 0, "pos", "neg"), class_names=["neg", "pos"], progress=False)
    assert res.settings["model_fit"]["value"] == 1.0


def test_regression_reports_r2_and_warns_at_chance():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    y = x @ [1.0, 2.0, -1.0, 0.5] + 0.1 * rng.normal(size=200)
    model = LinearRegression().fit(x, y)
    X, B = [x[:40, :2], x[:40, 2:]], [x[100:120, :2], x[100:120, 2:]]
    res = isw.explain(model, X, B, labels=y[:40], progress=False)
    r2 = 1 - np.sum((y[:40] - model.predict(x[:40])) ** 2) / np.sum((y[:40] - y[:40].mean()) ** 2)
    assert res.settings["model_fit"]["metric"] == "R2"
    assert res.settings["model_fit"]["value"] == pytest.approx(r2, abs=1e-12)
    assert "R² = " in res.summary()
    with pytest.warns(isw.ChanceLevelWarning):  # the modalities swapped: other feature order
        isw.explain(model, X[::-1], B[::-1], labels=y[:40], progress=False)


def test_model_fit_survives_save_and_load(tmp_path, digits):
    x, y, model = digits
    res = isw.explain(model, [x[:10, :32], x[:10, 32:]], [x[300:305, :32], x[300:305, 32:]], labels=y[:10],
                      progress=False)
    res.save(tmp_path / "r.npz")
    assert isw.load_result(tmp_path / "r.npz").settings["model_fit"] == res.settings["model_fit"]
