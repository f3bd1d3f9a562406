"""Per-modality references for masking="baseline" (tokens, images) against a brute-force
loop that builds every coalition's inputs by hand."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import intershap_widget as isw  # noqa: E402
from intershap_widget.explainers.references import blur  # noqa: E402
from test_input_forms import Keywords, _grouped  # noqa: E402

MASK_ID, CLS = 7, 1


def _blur_by_hand(img, sigma):
    """Direct 2-D convolution with a normalised Gaussian, edges replicated."""
    r = max(1, int(round(3 * sigma)))
    t = np.arange(-r, r + 1)
    w = np.exp(-0.5 * (t[:, None] ** 2 + t[None, :] ** 2) / sigma**2)
    w /= w.sum()
    h, wd = img.shape[-2:]
    out = np.zeros(img.shape)
    for i in range(h):
        for j in range(wd):
            rows = np.clip(np.arange(i - r, i + r + 1), 0, h - 1)
            cols = np.clip(np.arange(j - r, j + r + 1), 0, wd - 1)
            out[..., i, j] = (img[..., rows[:, None], cols[None, :]] * w).sum((-1, -2))
    return out


def test_blur_matches_a_direct_convolution_in_numpy_and_torch():
    img = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    want = _blur_by_hand(img, 1.2)
    np.testing.assert_allclose(blur(img, 1.2), want, atol=1e-12)
    np.testing.assert_allclose(blur(torch.as_tensor(img), 1.2).numpy(), want, atol=1e-12)


def _brute_force(core, X, B, refs):
    """v(S) for every sample and coalition: absent modality i replaced by refs[i](sample)."""
    names = ["image", "text", "tabular"]
    n = X["image"].shape[0]
    full = torch.softmax(core(**_kw(X, range(n))).detach().double(), 1).numpy()
    cls = full.argmax(1)
    v = np.zeros((n, 8))
    for a in range(n):
        one = {k: (v_[a:a + 1] if not isinstance(v_, dict) else {q: w[a:a + 1] for q, w in v_.items()}) for k, v_ in X.items()}
        for s in range(8):
            inp = {nm: (one[nm] if s >> i & 1 else refs[i](one[nm])) for i, nm in enumerate(names)}
            out = torch.softmax(core(**_kw(inp, [0])).detach().double(), 1).numpy()
            v[a, s] = out[0, cls[a]]
    return v


def _kw(X, rows):
    rows = list(rows)
    t = lambda a: torch.as_tensor(np.asarray(a)[rows])  # noqa: E731
    return dict(image=t(X["image"]), input_ids=t(X["text"]["input_ids"]),
                attention_mask=t(X["text"]["attention_mask"]), tabular=t(X["tabular"]))


@pytest.mark.parametrize("attention", ["keep", "zero"])
def test_token_and_image_references_match_a_brute_force_loop(attention):
    core = Keywords()
    X, B = _grouped()
    X["text"]["input_ids"][:, 0] = CLS

    def tokens(t):
        ids = np.where(t["input_ids"] == CLS, CLS, MASK_ID)
        return {"input_ids": ids, "attention_mask": t["attention_mask"] * (attention == "keep")}

    refs = [lambda im: _blur_by_hand(im, 0.8).astype(np.float32), tokens,
            lambda tab: B["tabular"].mean(0, keepdims=True).astype(np.float32)]
    baseline = {"image": isw.ImageReference("blur", sigma=0.8),
                "text": isw.TokenReference(MASK_ID, attention=attention, keep_ids=[CLS])}  # tabular: "mean"
    res = isw.explain(core, X, B, masking="baseline", baseline=baseline, output="logits", progress=False)
    np.testing.assert_allclose(res.coalition_values, _brute_force(core, X, B, refs), rtol=1e-5, atol=1e-6)
    assert res.settings["baseline"] == "per modality"


def test_fixed_references_evaluate_the_empty_coalition_once():
    rows = []

    class Counting(Keywords):
        def forward(self, **kw):
            rows.append(len(kw["image"]))
            return super().forward(**kw)

    core = Counting()
    X, B = _grouped()
    zeros = lambda t: {k: v * 0 for k, v in t.items()}  # noqa: E731
    refs = [lambda im: np.full_like(im, 0.5), zeros, lambda tab: B["tabular"].mean(0, keepdims=True)]
    res = isw.explain(core, X, B, masking="baseline", output="logits", progress=False,
                      baseline={"image": isw.ImageReference("constant", value=0.5), "text": "zeros"})
    n, probe_rows = X["image"].shape[0], 2 + 1
    assert sum(rows) == probe_rows + n * 6 + n + 1  # v(∅) once: the references are fixed rows
    np.testing.assert_allclose(res.coalition_values, _brute_force(core, X, B, refs), rtol=1e-5, atol=1e-6)


def test_reference_errors():
    X, B = _grouped()
    with pytest.raises(ValueError, match=r"baseline names the modalities \['audio'\], which are not in"):
        isw.explain(Keywords(), X, B, masking="baseline", baseline={"audio": "zeros"}, progress=False)
    with pytest.raises(ValueError, match="attention must be 'keep' or 'zero'"):
        isw.TokenReference(3, attention="drop")
    with pytest.raises(ValueError, match="kind must be 'constant', 'mean' or 'blur'"):
        isw.ImageReference("noise")
    with pytest.raises(ValueError, match=r"the modality has no array 'ids' \(it has \['input_ids', 'attention_mask'\]\)"):
        isw.explain(Keywords(), X, B, masking="baseline", progress=False,
                    baseline={"text": isw.TokenReference(3, ids="ids"), "image": "zeros"})
