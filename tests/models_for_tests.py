"""Small deterministic models shared by the tests."""

import numpy as np


def balanced_bits_background(m: int):
    """Every combination of M bits once: an exactly balanced, independent background."""
    combos = (np.arange(2**m)[:, None] >> np.arange(m)) & 1
    return [combos[:, i : i + 1].astype(np.float64) for i in range(m)]


def xor_model(xs):
    """One-hot probabilities of the XOR of the first entry of two modalities."""
    y = xs[0][:, 0].astype(int) ^ xs[1][:, 0].astype(int)
    return np.eye(2)[y]


def unique_model(xs):
    """One-hot probabilities of the first modality's bit; the second is ignored."""
    return np.eye(2)[xs[0][:, 0].astype(int)]


class SmoothModel:
    """A fixed random 2-layer net in numpy on M modalities of any trailing shape."""

    def __init__(self, shapes, n_classes=3, seed=0):
        rng = np.random.default_rng(seed)
        d = sum(int(np.prod(s)) for s in shapes)
        self.w1 = rng.normal(size=(d, 16)) / np.sqrt(d)
        self.w2 = rng.normal(size=(16, n_classes))

    def logits(self, xs):
        flat = np.concatenate([np.asarray(x, dtype=np.float64).reshape(len(x), -1) for x in xs], axis=1)
        return np.tanh(flat @ self.w1) @ self.w2

    def __call__(self, xs):
        z = self.logits(xs)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)


def random_modalities(n, shapes, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, *s)).astype(dtype) for s in shapes]
