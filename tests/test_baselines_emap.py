"""EMAP projection and EMAP_gap: additive models, XOR, brute force, chunking, input checks."""

import numpy as np
import pytest

from intershap_widget.paper.baselines import emap, emap_projection, macro_f1


def _additive(xs):
    a = np.tanh(xs[0] @ np.array([0.5, -1.0, 2.0]))
    b = np.sin(xs[1].reshape(len(xs[1]), -1) @ np.array([1.0, 0.3, -0.2, 0.7]))
    return np.stack([a + b, -a + 2 * b, 0.1 * a], axis=1)


def _interacting(xs):
    return np.stack([xs[0][:, 0] * xs[1][:, 0, 0], xs[0][:, 1] - xs[1][:, 1, 1] ** 2], axis=1)


def _data(n=23, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, 3)), rng.normal(size=(n, 2, 2))]


def test_additive_model_equals_its_projection():
    X = _data()
    proj, out = emap_projection(_additive, X, batch_size=50)   # several chunks
    np.testing.assert_allclose(out, _additive(X))
    np.testing.assert_allclose(proj, out, atol=1e-12)
    y = np.argmax(out, axis=1)
    r = emap(_additive, X, y, n_samples=None, progress=False)
    assert r.gap == 0 and r.f1_model == 1.0 and not r.subsampled


@pytest.mark.parametrize("batch_size", [1, 7, 23, 24, 1000])
def test_projection_matches_brute_force_loop(batch_size):
    X = _data(n=9, seed=1)
    n = 9
    full = np.array([[_interacting([X[0][i:i + 1], X[1][j:j + 1]])[0] for j in range(n)] for i in range(n)])
    expected = full.mean(axis=1) + full.mean(axis=0) - full.mean(axis=(0, 1))
    proj, out = emap_projection(_interacting, X, batch_size=batch_size)
    np.testing.assert_allclose(proj, expected, atol=1e-12)
    np.testing.assert_allclose(out, np.diagonal(full).T)


def _xor(xs):
    p = ((xs[0][:, 0] > 0) ^ (xs[1][:, 0] > 0)).astype(float)
    return np.stack([1 - p, p], axis=1)


def test_xor_on_balanced_bits_has_constant_projection():
    bits = np.array([[a, b] for a in range(2) for b in range(2)] * 10)
    X = [bits[:, :1] * 2.0 - 1.0, bits[:, 1:] * 2.0 - 1.0]
    y = bits[:, 0] ^ bits[:, 1]
    proj, _ = emap_projection(_xor, X)
    np.testing.assert_allclose(proj, 0.5)
    r = emap(_xor, X, y, n_samples=None, progress=False)
    chance = macro_f1(y, np.zeros_like(y))                    # constant prediction (argmax tie -> class 0)
    assert r.f1_model == 1.0
    assert r.f1_projection == pytest.approx(chance)
    assert r.gap == pytest.approx(1.0 - chance)


def test_subsample_is_seeded_and_recorded():
    rng = np.random.default_rng(2)
    X = [rng.normal(size=(200, 1)), rng.normal(size=(200, 1))]
    y = (X[0][:, 0] * X[1][:, 0] > 0).astype(int)
    a = emap(_xor, X, y, n_samples=60, seed=4, progress=False)
    b = emap(_xor, X, y, n_samples=60, seed=4, progress=False)
    assert a == b and a.subsampled and a.n_samples == 60 and a.info["model_rows"] == 3600
    assert "subsample of 60" in repr(a)
    full = emap(_xor, X, y, n_samples=None, progress=False)
    assert not full.subsampled and full.n_samples == 200


def test_torch_module_model():
    import torch

    class Additive(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(3, 2), torch.nn.Linear(4, 2)

        def forward(self, xs):
            return self.a(xs[0]) + self.b(xs[1].flatten(1))

    torch.manual_seed(0)
    X = _data(n=30)
    m = Additive()
    y = np.argmax(m([torch.as_tensor(x, dtype=torch.float32) for x in X]).detach().numpy(), axis=1)
    if np.unique(y).size < 2:
        y[0] = 1 - y[0]
    r = emap(m, X, y, n_samples=None, progress=False)
    assert r.f1_model == pytest.approx(r.f1_projection)


def _exploding_model(xs):
    raise AssertionError("the model must not be called when the input is invalid")


def test_bad_input_is_rejected_before_work():
    X = _data(n=10)
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="exactly 2 modalities"):
        emap(_exploding_model, X[:1], y)
    with pytest.raises(ValueError, match="exactly 2 modalities"):
        emap(_exploding_model, X + X[:1], y)
    with pytest.raises(ValueError, match="labels but X has"):
        emap(_exploding_model, X, y[:5])
    with pytest.raises(ValueError, match="single class"):
        emap(_exploding_model, X, np.ones(10))
    with pytest.raises(ValueError, match="same number of samples"):
        emap(_exploding_model, [X[0], X[1][:5]], y)
    with pytest.raises(ValueError, match="n_samples"):
        emap(_exploding_model, X, y, n_samples=1)


def test_labels_must_be_output_columns():
    X = _data(n=10)
    with pytest.raises(ValueError, match="column indices 0..2"):
        emap(_additive, X, np.arange(10) % 2 + 2, progress=False)
    with pytest.raises(ValueError, match="integer class indices"):
        emap(_additive, X, np.array(["a", "b"] * 5), progress=False)
