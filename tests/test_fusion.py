"""The paper's fusion FCNNs, their training loop and macro F1 (intershap_widget.paper.fusion)."""

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from intershap_widget.paper import datasets as D
from intershap_widget.paper import fusion as F


def _linear_shapes(module):
    return [(m.in_features, m.out_features) for m in module.modules() if isinstance(m, torch.nn.Linear)]


def test_layer_sizes_follow_the_paper():
    early = F.FusionNet((110, 90), "early")
    assert _linear_shapes(early.head) == [(200, 100), (100, 50), (50, 2)]
    assert all(isinstance(e, torch.nn.Identity) for e in early.encoders)
    inter = F.FusionNet((110, 90), "intermediate")
    assert [_linear_shapes(e) for e in inter.encoders] == [[(110, 55)], [(90, 45)]]
    assert _linear_shapes(inter.head) == [(100, 50), (50, 2)]
    late = F.FusionNet((110, 90, 100), "late", n_classes=3)
    assert [_linear_shapes(e) for e in late.encoders] == [[(110, 55), (55, 27)], [(90, 45), (45, 22)], [(100, 50), (50, 25)]]
    assert _linear_shapes(late.head) == [(74, 3)]
    assert late.embed_dims == (27, 22, 25)


@pytest.mark.parametrize("fusion", F.FUSIONS)
def test_forward_is_head_of_concatenated_encodings(fusion):
    model = F.make_model((12, 8, 6), fusion, seed=0)
    xs = [torch.randn(5, d) for d in (12, 8, 6)]
    out = model(xs)
    assert out.shape == (5, 2)
    emb = model.encode(xs)
    assert [e.shape[1] for e in emb] == list(model.embed_dims)
    torch.testing.assert_close(model.head(torch.cat(emb, dim=1)), out)
    # parameters of every encoder are registered (trained by the optimiser)
    n_enc = sum(p.numel() for p in model.encoders.parameters())
    assert (n_enc > 0) == (fusion != "early")


def test_seeded_init_and_training_are_deterministic():
    ds = D.hd_xor("uniqueness1", 2, 600, seed=0)
    tr = ds.split("train")
    runs = []
    for _ in range(2):
        model = F.make_model(ds.dims, "late", seed=5)
        log = F.train_model(model, tr.X, tr.y, epochs=3, batch_size=64, seed=9, progress=False)
        runs.append((log.loss, [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    other = F.make_model(ds.dims, "late", seed=6)
    assert not torch.equal(next(other.parameters()), next(F.make_model(ds.dims, "late", seed=5).parameters()))


def test_training_learns_a_unique_modality():
    ds = D.hd_xor("uniqueness1", 2, 3000, seed=1)
    tr, va, te = ds.split("train"), ds.split("valid"), ds.split("test")
    model = F.make_model(ds.dims, "early", seed=1)
    log = F.train_model(model, tr.X, tr.y, epochs=12, batch_size=256, lr=1e-3, seed=1, valid=(va.X, va.y),
                        eval_every=4, progress=False)
    assert log.loss[-1] < log.loss[0] / 3
    assert [e for e, _ in log.valid_f1] == [4, 8, 12]
    proba = F.predict_proba(model, te.X)
    assert proba.shape == (te.n_samples, 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    assert F.f1_macro(te.y, proba.argmax(1)) > 0.9
    assert not model.training  # left in eval mode


def test_frozen_encoders_stay_at_their_initialisation():
    ds = D.hd_xor("synergy", 2, 400, seed=2)
    tr = ds.split("train")
    model = F.make_model(ds.dims, "intermediate", seed=3)
    enc0 = [p.detach().clone() for p in model.encoders.parameters()]
    head0 = [p.detach().clone() for p in model.head.parameters()]
    F.train_model(model, tr.X, tr.y, epochs=2, batch_size=50, train_encoders=False, progress=False)
    for a, b in zip(enc0, model.encoders.parameters()):
        assert torch.equal(a, b)
    assert any(not torch.equal(a, b) for a, b in zip(head0, model.head.parameters()))


@pytest.mark.parametrize("seed", range(6))
def test_f1_macro_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    n_cls = 2 + seed % 3
    y = rng.integers(0, n_cls, 200)
    pred = np.where(rng.random(200) < 0.6, y, rng.integers(0, n_cls + 1, 200))  # may add a class
    assert F.f1_macro(y, pred) == pytest.approx(f1_score(y, pred, average="macro"), abs=1e-12)
    labels = list(range(n_cls + 2))  # classes absent from both score 0, as in sklearn
    assert F.f1_macro(y, pred, labels=labels) == pytest.approx(
        f1_score(y, pred, average="macro", labels=labels, zero_division=0), abs=1e-12)


def test_f1_macro_edge_cases():
    assert F.f1_macro([1, 1, 0], [1, 1, 0]) == 1.0
    assert F.f1_macro([0, 0, 0, 0], [1, 1, 1, 1]) == 0.0
    # always predicting the majority class: F1 of the majority class / 2
    assert F.f1_macro([0, 0, 0, 1], [0, 0, 0, 0]) == pytest.approx((2 * 3 / (2 * 3 + 1)) / 2)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="fusion"):
        F.FusionNet((10, 10), "mid")
    model = F.make_model((10, 10), "early")
    with pytest.raises(ValueError, match="modalities"):
        model([torch.zeros(2, 10)])
    with pytest.raises(ValueError, match="rows"):
        F.train_model(model, [np.zeros((5, 10)), np.zeros((4, 10))], np.zeros(5, dtype=int), epochs=1, progress=False)
    with pytest.raises(ValueError, match="labels"):
        F.train_model(model, [np.zeros((5, 10))] * 2, np.full(5, 2), epochs=1, progress=False)
    with pytest.raises(ValueError, match="same length"):
        F.f1_macro([0, 1], [0])


@pytest.mark.parametrize("fusion", ["intermediate", "late"])
def test_encoders_and_head_factorise_the_model(fusion):
    """``Factorised.from_model`` (encoders once, head per coalition) gives the same values."""
    import intershap_widget as isw

    ds = D.hd_xor("synergy", 3, 300, seed=4)
    model = F.make_model(ds.dims, fusion, seed=2)
    X, bg = [x[:40] for x in ds.X], [x[100:130] for x in ds.X]
    plain = isw.explain(model, X, bg, output="logits", progress=False)
    fact = isw.explain(isw.Factorised.from_model(model, concat=True), X, bg, output="logits", progress=False)
    np.testing.assert_allclose(fact.coalition_values, plain.coalition_values, rtol=1e-5, atol=1e-6)
