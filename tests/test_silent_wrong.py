"""Inputs that used to give a wrong number without a word (issue 20): each now gives the
right result (checked against the plain form of the same call) or a clear InputError
that names the argument, the value given and what to pass."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pd = pytest.importorskip("pandas")
import intershap_widget as isw  # noqa: E402
from test_input_forms import Keywords, _grouped  # noqa: E402


def _text_baseline(order):
    ids, mask = np.full(4, 3, dtype=np.int64), np.ones(4, dtype=np.int64)
    parts = {"input_ids": ids, "attention_mask": mask}
    return {"text": {k: parts[k] for k in order}, "image": "zeros"}


def test_a_group_baseline_is_matched_by_key_not_by_order():
    X, B = _grouped()
    kw = dict(masking="baseline", output="logits", progress=False)
    given = isw.explain(Keywords(), X, B, baseline=_text_baseline(["input_ids", "attention_mask"]), **kw)
    swapped = isw.explain(Keywords(), X, B, baseline=_text_baseline(["attention_mask", "input_ids"]), **kw)
    np.testing.assert_array_equal(swapped.coalition_values, given.coalition_values)
    # and the reference is what the model sees: v(∅) by hand with ids 3 and a full mask
    core = Keywords()
    with torch.no_grad():
        out = core.score(torch.zeros(1, 1, 3, 3), torch.full((1, 4), 3), torch.ones(1, 4, dtype=torch.int64),
                         torch.as_tensor(B["tabular"].mean(0, keepdims=True)))
    p = torch.softmax(out.double(), 1).numpy()[0]
    np.testing.assert_allclose(given.base_value, p[given.target_class], rtol=1e-6)


@pytest.mark.parametrize("text, match", [
    ({"input_ids": np.full(7, 3)}, r"baseline for modality 'text' has the arrays \['input_ids'\], the modality has "
                                   r"\['input_ids', 'attention_mask'\]; missing \['attention_mask'\]"),
    ({"input_ids": np.full(4, 3), "attention_mask": np.ones(4, dtype=np.int64), "pixels": np.zeros(4)},
     r"unknown \['pixels'\]"),
    ({"input_ids": np.full(7, 3), "attention_mask": np.ones(7, dtype=np.int64)},
     r"baseline for modality 'text'\['input_ids'\] has shape \(7,\), expected one sample's shape \(4,\)"),
    ((np.full(4, 3),), r"baseline for modality 'text' is a dict|gives 1 arrays"),
])
def test_a_group_baseline_with_a_wrong_leaf_is_refused_before_any_model_call(text, match):
    X, B = _grouped()
    calls = []

    class Counting(Keywords):
        def forward(self, **kw):
            calls.append(1)
            return super().forward(**kw)

    with pytest.raises(isw.InputError, match=match):
        isw.explain(Counting(), X, B, masking="baseline", baseline={"text": text, "image": "zeros"}, progress=False)
    assert calls == []


class Doubling(torch.nn.Module):
    """An encoder that writes into its input (x.mul_(2)) before a linear map."""

    def __init__(self, d, seed):
        super().__init__()
        torch.manual_seed(seed)
        self.lin = torch.nn.Linear(d, 3).double()

    def forward(self, x):
        return torch.tanh(self.lin(x.mul_(2)))


class Head(torch.nn.Module):
    def forward(self, zs):
        return torch.stack([zs[0].sum(1) * zs[1].sum(1), zs[0][:, 0] - zs[1][:, 1]], 1)


@pytest.mark.parametrize("masking", ["expectation", "random", "baseline"])
def test_a_factorised_encoder_that_writes_into_its_input_gives_the_plain_numbers(masking):
    encoders = [Doubling(4, 0), Doubling(3, 1)]

    fm = isw.Factorised(encoders, Head())
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(8, 4)), rng.normal(size=(8, 3))]
    kept = [x.copy() for x in X]
    kw = dict(masking=masking, n_draws=3, output="raw", target="all", progress=False)
    fact = isw.explain(fm, X, **kw)
    plain = isw.explain(lambda xs: fm([torch.as_tensor(x) for x in xs]).numpy(), X, **kw)
    np.testing.assert_allclose(fact.class_values, plain.class_values, rtol=0, atol=1e-12)
    for x, k in zip(X, kept):
        np.testing.assert_array_equal(x, k)  # the caller's arrays are untouched


class OneOutput(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.lin = torch.nn.Linear(5, 1).double()

    def forward(self, xs):
        return 0.1 + self.lin(torch.cat(xs, 1)) * xs[0][:, :1]


@pytest.mark.parametrize("output", ["raw", "logits"])
def test_target_0_on_one_output_column_is_refused_as_ambiguous(output):
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(6, 2)), rng.normal(size=(6, 3))]
    with pytest.raises(isw.InputError, match=rf"target=0 on a model that returns one output column s is ambiguous: "
                                             rf"output='{output}'.*Pass target=1 .*output='regression'"):
        isw.explain(OneOutput(), X, output=output, target=0, progress=False)


def test_target_1_on_one_output_column_explains_the_column_itself():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(6, 2)), rng.normal(size=(6, 3))]
    B = [rng.normal(size=(5, 2)), rng.normal(size=(5, 3))]  # held out: no degenerate-score warning
    model = OneOutput()
    raw = isw.explain(model, X, B, output="raw", target=1, progress=False)
    plain = isw.explain(model, X, B, output="regression", progress=False)
    np.testing.assert_allclose(raw.coalition_values, plain.coalition_values, rtol=0, atol=1e-12)
    with torch.no_grad():
        mean = model([torch.as_tensor(b) for b in B]).mean().item()
    assert raw.base_value[0] == pytest.approx(mean)  # v(∅) is the model's mean, with its sign


def _two():
    rng = np.random.default_rng(2)
    return [rng.normal(size=(6, 2)), rng.normal(size=(6, 3))]


def _never_called(xs):
    raise AssertionError("the model must not be called")


@pytest.mark.parametrize("kwargs, match", [
    (dict(modality_names="ab"), r"modality_names must be a list of 2 names, got the string 'ab'"),
    (dict(precision=True), r"precision must be None, a positive number .* got True"),
    (dict(precision=10**400), r"precision targets must be positive finite numbers \(e.g. 0.002\), got 10000000000.*… \(401 digits\)"),
    (dict(precision={"global": 10**400}), r"precision targets must be positive finite numbers"),
    (dict(precision="high"), r"precision must be None, a positive number"),
    (dict(precision=0.01, masking="random"), r"precision=0.01 applies to masking='expectation' or 'sampled' .*"
                                             r"masking='random' it would be ignored: set n_draws= instead"),
    (dict(precision=0.01, masking="baseline"), r"masking='baseline' it would be ignored: drop precision="),
    (dict(checkpoint=""), r"checkpoint='' names no folder \(it would write into the current one\)"),
    (dict(labels=pd.Series(["a", None, "b", "a", "b", "a"])),
     r"labels hold a missing value \(None, NaN or NA\) at rows \[1\]"),
    (dict(labels=pd.Series([1, None, 0, 1, 0, 1])), r"missing value .* at rows \[1\]"),
    (dict(labels=pd.Series(["a", None, "b", "a", "b", "a"], dtype="string")),
     r"missing value .* at rows \[1\]"),
])
def test_silently_wrong_arguments_are_refused_before_any_model_call(kwargs, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(isw.InputError, match=match):
        isw.explain(_never_called, _two(), progress=False, **kwargs)
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder


def test_precision_none_and_default_still_run_with_random_masking():
    def model(xs):
        return np.stack([xs[0].sum(1) * xs[1].sum(1), xs[0][:, 0]], 1)

    a = isw.explain(model, _two(), masking="random", output="raw", target="all", progress=False)
    b = isw.explain(model, _two(), masking="random", output="raw", target="all", precision=None, progress=False)
    np.testing.assert_array_equal(a.class_values, b.class_values)


def _result():
    rng = np.random.default_rng(0)
    return isw.InteractionResult(rng.normal(size=(5, 4)))


@pytest.mark.parametrize("idx, match", [
    (np.array([[0, 1]]), r"got an array of shape \(1, 2\): pass res\[idx.ravel\(\)\]"),
    (True, r"res\[True\]: a single bool is not a sample index"),
    (np.bool_(False), r"a single bool is not a sample index"),
])
def test_result_indexing_refuses_what_numpy_would_misread(idx, match):
    with pytest.raises(IndexError, match=match):
        _result()[idx]


def test_result_indexing_by_list_mask_and_int_still_works():
    res = _result()
    np.testing.assert_array_equal(res[[3, 1]].coalition_values, res.coalition_values[[3, 1]])
    np.testing.assert_array_equal(res[np.array([False, True, False, False, True])].sample_index, [1, 4])
    np.testing.assert_array_equal(res[np.int64(2)].coalition_values, res.coalition_values[[2]])


@pytest.mark.parametrize("device", ["cuda", "banana"])
def test_a_device_without_a_cluster_is_refused_not_ignored(device):
    with pytest.raises(ValueError, match=r"model_factory= and device= place the model on Dask workers: pass client= "
                                         r"as well"):
        isw.explain(_never_called, _two(), device=device, progress=False)
