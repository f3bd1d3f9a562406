"""The errors of the new input, call and output forms: each says what to do, on the probe
batch (at most the probe calls ran) and before the long run."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import intershap_widget as isw  # noqa: E402
from test_input_forms import Keywords, _grouped  # noqa: E402


class Counting(torch.nn.Module):
    """Calls ``fn(**kw)`` or ``fn(*args)`` and counts the calls."""

    def __init__(self, fn):
        super().__init__()
        self.fn, self.calls = fn, 0

    def forward(self, *args, **kw):  # a signature that reveals nothing
        self.calls += 1
        return self.fn(*args, **kw)


def _z(kw):
    return torch.ones(len(kw["input_ids"]), 2) if "input_ids" in kw else torch.ones(2, 2)


class ClipLike(dict):
    """Like transformers' CLIPOutput: a ModelOutput without ``.logits``."""


class Out:
    def __init__(self, scores):
        self.scores = scores


def _explain(model, **kw):
    X, B = _grouped()
    return isw.explain(model, X, B, progress=False, **kw)


@pytest.mark.parametrize("fn, kwargs, match", [
    (lambda **kw: ClipLike(logits_per_image=_z(kw), text_embeds=_z(kw)), {"call": "keywords"},
     r"fields \['logits_per_image', 'text_embeds'\] and none is called 'logits'; pass output_key='logits_per_image'"),
    (lambda **kw: Out(_z(kw)), {"call": "keywords"},
     r"returned a Out, not an array; pass output_key='<field>' \(fields: \['scores'\]\)"),
    (lambda **kw: {"logits": _z(kw)}, {"call": "keywords", "output_key": "scores"},
     r"output_key='scores' is not in what the model returned .*fields: \['logits'\]"),
    (lambda batch: batch[0], {"call": "dict"},
     r"calling the model as model\(\{'image': ..., 'input_ids': ..., 'attention_mask': ..., 'tabular': ...\}\) "
     r"failed with KeyError: 0\. It runs when called as model\(\[image, text, tabular\]\): pass call='list'"),
])
def test_output_and_call_errors_say_what_to_pass(fn, kwargs, match):
    model = Counting(fn)
    with pytest.raises(TypeError, match=match):
        _explain(model, **kwargs)
    # the failed probe call, and for a call that fails, one try of each other convention
    assert model.calls <= (1 if "output_key" in match else 4)


def test_an_ambiguous_signature_names_the_options():
    model = Counting(lambda *a: a[0])
    with pytest.raises(TypeError, match=r"cannot tell from .*forward\(\*args, \*\*kw\) how to call the model with "
                                        r"3 modalities; say how it is called with call=: 'list'"):
        _explain(model)
    assert model.calls == 0
    with pytest.raises(ValueError, match=r"call must be one of \('list', 'positional', 'keywords', 'dict'\)"):
        _explain(Keywords(), call="kwargs")


def test_integer_features_into_a_float_model():
    class Tab(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.la, self.lb = torch.nn.Linear(3, 2), torch.nn.Linear(2, 2)

        def forward(self, xs):
            return self.la(xs[0]) + self.lb(xs[1])

    X = {"a": np.arange(12).reshape(4, 3), "b": np.ones((4, 2), dtype=np.float32)}
    with pytest.raises(TypeError, match=r"modality 'a' is int64: integer arrays are passed unchanged \(token ids "
                                        r"and masks stay integer\)\. If it holds numeric features for a float model, "
                                        r"cast it, e.g\. x\.astype\('float32'\)"):
        isw.explain(Tab(), X, progress=False, call="list")


def test_merged_names_must_be_distinct_for_keywords():
    ids = np.ones((3, 2), dtype=np.int64)
    X = {"text": {"input_ids": ids, "attention_mask": ids}, "audio": {"x": np.ones((3, 2)), "attention_mask": ids}}
    with pytest.raises(ValueError, match=r"the names \['attention_mask'\] occur in more than one modality"):
        isw.explain(Keywords(), X, progress=False, call="keywords")


def test_background_needs_the_same_groups():
    X, B = _grouped()
    B["text"] = B["text"]["input_ids"]
    with pytest.raises(ValueError, match=r"modality 'text': X has Group\(input_ids: \(6, 4\), attention_mask: \(6, 4\)\) "
                                         r"but the background has one array of shape \(5, 4\); give the background the same structure"):
        isw.explain(Keywords(), X, B, progress=False)
    X, B = _grouped()
    del B["tabular"]
    with pytest.raises(ValueError, match=r"background has the modalities \['image', 'text'\] but X has"):
        isw.explain(Keywords(), X, B, progress=False)


def test_group_arrays_share_the_sample_axis():
    X, _ = _grouped()
    X["text"]["attention_mask"] = X["text"]["attention_mask"][:3]
    with pytest.raises(ValueError, match=r"X\['text'\]: the arrays of one modality must share the sample axis; got \[6, 3\] rows"):
        isw.explain(Keywords(), X, progress=False)


def test_mean_baseline_of_token_ids_says_which_reference_to_use():
    with pytest.raises(ValueError, match=r"modality 'text' holds integer arrays \(token ids, masks\) whose mean means "
                                         r"nothing; set its baseline, e\.g\. baseline=\{'text': isw\.TokenReference"):
        _explain(Keywords(), masking="baseline")


def test_a_one_column_labels_frame_is_squeezed():
    pd = pytest.importorskip("pandas")
    X, B = _grouped()
    labels = pd.DataFrame({"y": np.arange(6) % 2})
    res = isw.explain(Keywords(), X, B, labels=labels, progress=False)
    np.testing.assert_array_equal(res.labels, np.arange(6) % 2)


def test_factorised_references_are_refused_with_the_alternative():
    enc = torch.nn.Identity()
    fact = isw.Factorised([lambda **kw: torch.ones(len(kw["input_ids"]), 1), enc, enc], lambda zs: zs[0])
    X, B = _grouped()
    with pytest.raises(ValueError, match=r"for per-modality references .* or grouped modalities use masking='expectation'"):
        isw.explain(fact, X, B, masking="baseline", progress=False)


def test_a_failure_after_the_probe_is_passed_on_unchanged():
    from intershap_widget.explainers.adapters import as_model
    from intershap_widget.explainers.inputs import InputSpec

    state = {"n": 0}

    def flaky(xs):
        state["n"] += 1
        if state["n"] > 1:
            raise MemoryError("out of memory")
        return np.ones((len(xs[0]), 2))

    adapter = as_model(flaky, inputs=InputSpec("list", ("a", "b"), (None, None)))
    xs = [np.zeros((2, 1)), np.zeros((2, 1))]
    adapter(xs)
    with pytest.raises(MemoryError, match="^out of memory$"):
        adapter(xs)
