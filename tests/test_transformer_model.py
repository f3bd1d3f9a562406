"""A real ``transformers`` vision-language classifier (BERT + ViT + tabular, random init):
its coalition values against a brute-force loop that masks input_ids and attention_mask
(and the other modalities) by hand; the factorised path gives the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
import intershap_widget as isw  # noqa: E402
from intershap_widget.paper import vision_language as vl  # noqa: E402

N, K = 4, 3


@pytest.fixture(scope="module")
def model():
    return vl.VisionLanguageClassifier(seed=0).eval()


def _call(model, ids, mask, px, tab):
    with torch.no_grad():
        out = model(input_ids=torch.as_tensor(ids), attention_mask=torch.as_tensor(mask),
                    pixel_values=torch.as_tensor(px), tabular=torch.as_tensor(tab))
    return torch.softmax(out.logits.double(), 1).numpy()


def _rows(X, a):
    return [X["text"]["input_ids"][a], X["text"]["attention_mask"][a], X["image"]["pixel_values"][a], X["tabular"][a]]


def _brute_force(model, X, reference):
    """v(S) for sample a: mean over the references r of p(class | modality on S from a, else from r);
    text = input_ids and attention_mask together, masked by hand."""
    full = _call(model, *_rows(X, slice(None)))
    cls = full.argmax(1)
    v = np.zeros((N, 8))
    for a in range(N):
        for s in range(8):
            outs = []
            for ref in reference(a):
                x, r = _rows(X, a), ref
                text = (x[0], x[1]) if s & 1 else (r[0], r[1])
                image = x[2] if s & 2 else r[2]
                tab = x[3] if s & 4 else r[3]
                outs.append(_call(model, text[0][None], text[1][None], image[None], tab[None])[0, cls[a]])
            v[a, s] = np.mean(outs)
    return v


def test_coalition_values_match_a_brute_force_loop(model):
    X, _ = vl.make_data(N, seed=0)
    B, _ = vl.make_data(K, seed=1)
    res = isw.explain(model, X, B, progress=False)  # keywords call, .logits read, output auto → logits
    assert res.modality_names == ["text", "image", "tabular"]
    assert res.settings["output"] == "logits"
    want = _brute_force(model, X, lambda a: [_rows(B, k) for k in range(K)])
    np.testing.assert_allclose(res.coalition_values, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("attention", ["keep", "zero"])
def test_token_reference_matches_masking_ids_by_hand(model, attention):
    X, _ = vl.make_data(N, seed=0)
    B, _ = vl.make_data(K, seed=1)
    specials = [vl.VOCAB["cls"], vl.VOCAB["sep"], vl.VOCAB["pad"]]
    baseline = {"text": isw.TokenReference(vl.VOCAB["mask"], attention=attention, keep_ids=specials),
                "image": isw.ImageReference("constant", value=0.0)}
    res = isw.explain(model, X, B, masking="baseline", baseline=baseline, progress=False)

    def reference(a):
        ids, mask, px, _ = _rows(X, a)
        ids = np.where(np.isin(ids, specials), ids, vl.VOCAB["mask"])
        mask = mask if attention == "keep" else mask * 0
        return [[ids, mask, np.zeros_like(px), B["tabular"].mean(0)]]

    want = _brute_force(model, X, reference)
    assert np.all(np.isfinite(res.coalition_values))
    np.testing.assert_allclose(res.coalition_values, want, rtol=1e-5, atol=1e-6)


def test_the_factorised_path_gives_the_same_numbers(model):
    X, _ = vl.make_data(N, seed=0)
    B, _ = vl.make_data(K, seed=1)
    plain = isw.explain(model, X, B, progress=False)
    fact = isw.explain(model.factorised(), X, B, progress=False)
    assert fact.settings["factorised"] is True
    np.testing.assert_allclose(fact.coalition_values, plain.coalition_values, rtol=1e-5, atol=1e-6)


def test_the_synthetic_label_needs_text_and_image():
    X, y = vl.make_data(400, seed=3)
    t = X["text"]["input_ids"] == vl.VOCAB["blue"]
    assert t.sum(1).max() == 1 and (X["text"]["input_ids"] == vl.VOCAB["red"]).sum(1).max() <= 1
    t = t.any(1).astype(int)
    top = X["image"]["pixel_values"][:, :, :8].mean((1, 2, 3)) > X["image"]["pixel_values"][:, :, 8:].mean((1, 2, 3))
    want = (t ^ top.astype(int)) | (X["tabular"][:, 0] > 1.0)
    np.testing.assert_array_equal(y, want)
    for alone in (t, top.astype(int)):  # either bit alone says nothing about the XOR part
        rest = X["tabular"][:, 0] <= 1.0
        assert abs(np.mean(y[rest] == alone[rest]) - 0.5) < 0.1
