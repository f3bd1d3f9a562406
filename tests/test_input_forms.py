"""Every input form, call convention and output form gives the same numbers as the same
model wrapped by hand in the plain list convention (X = list of M plain arrays)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import intershap_widget as isw  # noqa: E402

N, K, L = 6, 5, 4


class Core(torch.nn.Module):
    """image (B, 1, 3, 3) float, token ids + mask (B, L) int64, tabular (B, 2) float → (B, 3) logits."""

    def __init__(self, dtype=torch.float32):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(8, 4)
        self.l1 = torch.nn.Linear(9 + 4 + 2, 8)
        self.l2 = torch.nn.Linear(8, 3)
        self.to(dtype)

    def score(self, image, input_ids, attention_mask, tabular):
        m = attention_mask[..., None].to(self.emb.weight.dtype)
        e = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1)
        h = torch.cat([image.flatten(1), e, tabular], dim=1)
        return self.l2(torch.tanh(self.l1(h)))


def _data(seed=0, n=N):
    rng = np.random.default_rng(seed)
    img = rng.normal(size=(n, 1, 3, 3)).astype(np.float32)
    ids = rng.integers(1, 8, size=(n, L))
    mask = (rng.random((n, L)) < 0.8).astype(np.int64)
    mask[:, 0] = 1
    tab = rng.normal(size=(n, 2)).astype(np.float32)
    return img, ids, mask, tab


def _reference(core, output="probability", n=N, **kw):
    """The same model, wrapped by hand: X = [image, ids‖mask (one int array), tabular]."""
    img, ids, mask, tab = _data(n=n)
    bimg, bids, bmask, btab = _data(seed=1, n=K)

    def plain(xs):
        t = [torch.as_tensor(np.asarray(x)) for x in xs]
        with torch.no_grad():
            out = core.score(t[0].to(core.l1.weight.dtype), t[1][:, :L], t[1][:, L:], t[2].to(core.l1.weight.dtype))
        out = out.double()
        return (torch.softmax(out, 1) if output == "probability" else out).numpy()

    X = [img, np.concatenate([ids, mask], 1), tab]
    B = [bimg, np.concatenate([bids, bmask], 1), btab]
    return isw.explain(plain, X, B, output=output, progress=False, **kw)


def _grouped():
    img, ids, mask, tab = _data()
    bimg, bids, bmask, btab = _data(seed=1, n=K)
    X = {"image": img, "text": {"input_ids": ids, "attention_mask": mask}, "tabular": tab}
    B = {"image": bimg, "text": {"input_ids": bids, "attention_mask": bmask}, "tabular": btab}
    return X, B


class Keywords(Core):
    def forward(self, image, input_ids, attention_mask, tabular):
        return self.score(image, input_ids, attention_mask, tabular)


class Positional(Core):
    def forward(self, image, text, tabular):
        return self.score(image, text["input_ids"], text["attention_mask"], tabular)


class OneDict(Core):
    def forward(self, batch):
        return self.score(batch["image"], batch["input_ids"], batch["attention_mask"], batch["tabular"])


class OneList(Core):
    def forward(self, xs):
        image, (ids, mask), tab = xs
        return self.score(image, ids, mask, tab)


def _same(a, b):
    np.testing.assert_allclose(a.coalition_values, b.coalition_values, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(a.target_class, b.target_class)


@pytest.fixture(scope="module")
def reference():
    return _reference(Core())


@pytest.mark.parametrize("cls, call", [(Keywords, None), (Positional, None), (OneDict, None),
                                       (Keywords, "keywords"), (OneDict, "dict"), (Positional, "positional")])
def test_call_conventions_match_the_plain_list_form(reference, cls, call):
    X, B = _grouped()
    res = isw.explain(cls(), X, B, output="logits", progress=False, call=call)
    _same(res, reference)
    assert res.modality_names == ["image", "text", "tabular"]


def test_tuple_groups_in_a_list_match(reference):
    img, ids, mask, tab = _data()
    bimg, bids, bmask, btab = _data(seed=1, n=K)
    res = isw.explain(OneList(), [img, (ids, mask), tab], [bimg, (bids, bmask), btab], output="logits", progress=False)
    _same(res, reference)


def test_torch_tensors_and_dict_background_in_another_order(reference):
    X, B = _grouped()
    Xt = {k: ({a: torch.as_tensor(b) for a, b in v.items()} if isinstance(v, dict) else torch.as_tensor(v)) for k, v in X.items()}
    B = {"tabular": B["tabular"], "text": B["text"], "image": B["image"]}
    _same(isw.explain(Keywords(), Xt, B, output="logits", progress=False), reference)


def test_inputs_are_not_modified_and_ids_stay_integer():
    X, B = _grouped()
    seen = []

    class Spy(Keywords):
        def forward(self, image, input_ids, attention_mask, tabular):
            seen.append((input_ids.dtype, attention_mask.dtype, image.dtype))
            return super().forward(image, input_ids, attention_mask, tabular)

    before = X["text"]["input_ids"].copy()
    isw.explain(Spy(), X, B, progress=False)
    assert set(seen) == {(torch.int64, torch.int64, torch.float32)}
    np.testing.assert_array_equal(X["text"]["input_ids"], before)


OUTPUTS = {
    "tuple": lambda z: (z, z * 0 + 1),
    "dict": lambda z: {"logits": z, "hidden": z * 2},
    "one-array dict": lambda z: {"scores": z, "n": 3},
    "list": lambda z: [z, None],
}


@pytest.mark.parametrize("form", sorted(OUTPUTS))
def test_output_forms_match(reference, form):
    wrap = OUTPUTS[form]

    class Wrapped(Keywords):
        def forward(self, **kw):
            return wrap(super().forward(**kw))

    X, B = _grouped()
    _same(isw.explain(Wrapped(), X, B, output="logits", progress=False), reference)


def test_model_output_with_logits_and_output_key(reference):
    transformers = pytest.importorskip("transformers")
    from transformers.modeling_outputs import SequenceClassifierOutput

    class HF(Keywords):
        def forward(self, **kw):
            return SequenceClassifierOutput(logits=super().forward(**kw))

    class Named(Keywords):
        def forward(self, **kw):
            z = super().forward(**kw)
            return {"first": z * 3, "second": z}

    X, B = _grouped()
    _same(isw.explain(HF(), X, B, output="logits", progress=False), reference)
    _same(isw.explain(Named(), X, B, output="logits", output_key="second", progress=False), reference)
    _same(isw.explain(Named(), X, B, output="logits", output_key=lambda o: o["first"] / 3, progress=False), reference)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_models_are_explained_in_float64(dtype):
    core = Keywords(dtype)
    X, B = _grouped()
    res = isw.explain(core, X, B, output="raw", progress=False)
    ref = _reference(core, output="raw")
    _same(res, ref)
    assert res.coalition_values.dtype == np.float64


def test_sklearn_decision_function_and_the_predicted_class_of_one_score_column():
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(40, 2)), rng.normal(size=(40, 3))]
    y = (X[0][:, 0] * X[1][:, 0] + 0.3 * X[1][:, 1] > 0).astype(int)
    clf = LogisticRegression().fit(np.concatenate(X, 1), y)
    d = lambda xs: clf.decision_function(np.concatenate(xs, 1))  # noqa: E731
    hand = lambda xs: np.stack([-d(xs), d(xs)], 1)  # noqa: E731
    res = isw.explain(clf, X, output="raw", progress=False)
    ref = isw.explain(hand, X, output="raw", progress=False)
    _same(res, ref)
    np.testing.assert_allclose(res.prediction, np.abs(d(X)))
    np.testing.assert_array_equal(res.target_class, (d(X) > 0).astype(int))
    # logits: a one-column score is a binary logit: softmax of [0, s] = sigmoid(s) = predict_proba
    lg = isw.explain(clf, X, output="logits", progress=False)
    pr = isw.explain(clf, X, progress=False)
    _same(lg, pr)


def test_one_score_column_of_a_torch_model_under_target_predicted():
    class OneLogit(torch.nn.Module):
        def forward(self, xs):
            return (xs[0][:, :1] * xs[1][:, :1] + 0.5 * xs[1][:, 1:2]).float()

    rng = np.random.default_rng(1)
    X = [rng.normal(size=(10, 2)).astype(np.float32), rng.normal(size=(10, 2)).astype(np.float32)]
    res = isw.explain(OneLogit(), X, output="raw", progress=False)
    s = (X[0][:, 0] * X[1][:, 0] + 0.5 * X[1][:, 1]).astype(np.float64)
    np.testing.assert_allclose(res.prediction, np.abs(s), rtol=1e-6)
    np.testing.assert_array_equal(res.target_class, (s > 0).astype(int))
    assert res.target == "predicted"


def test_sample_explain_takes_the_same_forms():
    X, B = _grouped()
    img, ids, mask, tab = _data()
    plain_X = [img, np.concatenate([ids, mask], 1), tab]
    plain_B = [B["image"], np.concatenate([B["text"]["input_ids"], B["text"]["attention_mask"]], 1), B["tabular"]]
    core = Keywords()

    def plain(xs):
        t = [torch.as_tensor(np.asarray(x)) for x in xs]
        with torch.no_grad():
            return torch.softmax(core.score(t[0], t[1][:, :L], t[1][:, L:], t[2]).double(), 1).numpy()

    a = isw.sample_explain(core, X, B, budget=8, output="logits", progress=False)
    b = isw.sample_explain(plain, plain_X, plain_B, budget=8, output="probability", progress=False)
    np.testing.assert_allclose(a.phi, b.phi, rtol=1e-6, atol=1e-7)
    assert a.modality_names == ["image", "text", "tabular"]


def test_compare_scores_takes_a_dict_of_modalities():
    rng = np.random.default_rng(0)
    X = {"a": rng.normal(size=(40, 2)), "b": rng.normal(size=(40, 2))}
    y = (X["a"][:, 0] * X["b"][:, 0] > 0).astype(int)

    def by_name(batch):  # a model taking one dict, called model(batch)
        s = batch["a"][:, 0] * batch["b"][:, 0]
        return np.stack([1 / (1 + np.exp(4 * s)), 1 / (1 + np.exp(-4 * s))], 1)

    def by_list(xs):
        return by_name({"a": xs[0], "b": xs[1]})

    kw = dict(scores=("intershap", "shape"), progress=False)
    a = isw.compare_scores(by_name, X, y, **kw)
    b = isw.compare_scores(by_list, [X["a"], X["b"]], y, **kw)
    assert [r["value"] for r in a.rows] == [r["value"] for r in b.rows]
    assert a.results["intershap"].modality_names == ["a", "b"]


def test_a_list_x_is_called_positionally_or_by_keywords_from_the_signature(reference):
    img, ids, mask, tab = _data()
    bimg, bids, bmask, btab = _data(seed=1, n=K)
    text, btext = {"input_ids": ids, "attention_mask": mask}, {"input_ids": bids, "attention_mask": bmask}
    res = isw.explain(Positional(), [img, text, tab], [bimg, btext, btab], output="logits", progress=False)
    _same(res, reference)

    class ByName(Core):
        def forward(self, image, text, tabular):
            return self.score(image, text[0], text[1], tabular)

    named = isw.explain(ByName(), [tab, (ids, mask), img], [btab, (bids, bmask), bimg], output="logits",
                        modality_names=["tabular", "text", "image"], progress=False)
    perm = [int(f"{c:03b}"[::-1], 2) for c in range(8)]  # bit order tabular,text,image → image,text,tabular
    np.testing.assert_allclose(named.coalition_values[:, perm], reference.coalition_values, rtol=1e-6, atol=1e-7)
