"""Inputs and model failures that used to end in a raw library traceback (issue 20): each
is now refused before any model call with an InputError saying what to pass, or works;
a model's own error keeps its type and names the batch it happened on."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import intershap_widget as isw  # noqa: E402


def _two(n=6):
    rng = np.random.default_rng(2)
    return [rng.normal(size=(n, 2)), rng.normal(size=(n, 3))]


class Bilinear(torch.nn.Module):
    """(B, 2), (B, 3) → (B, 2) logits with an interaction; float64."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a, self.b = torch.nn.Linear(2, 2).double(), torch.nn.Linear(3, 2).double()

    def forward(self, xs):
        return self.a(xs[0]) * self.b(xs[1]) + self.a(xs[0])


def _numpy_model(xs):
    s = xs[0].sum(1) * xs[1].sum(1)
    return np.stack([s, -s + xs[0][:, 0]], 1)


def _never_called(xs):
    raise AssertionError("the model must not be called")


class Counting(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, xs):
        self.calls += 1
        return torch.stack([xs[0].sum(1), xs[1].sum(1)], 1)


@pytest.mark.parametrize("bad, match", [
    (np.array([["a", "b"]] * 6), r"an input array of shape \(6, 2\) holds <U1 values, and a torch model takes "
                                 r"tensors of numbers; encode them first"),
    (np.array(["2020-01-01"] * 12, dtype="datetime64[D]").reshape(6, 2), r"holds datetime64\[D\] values"),
])
def test_strings_and_dates_into_a_torch_model_are_refused_before_any_model_call(bad, match):
    X, model = _two(), Counting()
    with pytest.raises(isw.InputError, match=match):
        isw.explain(model, [bad, X[1]], progress=False)
    with pytest.raises(isw.InputError, match=match):
        isw.explain(model, X, [bad, X[1]], progress=False)
    assert model.calls == 0


def test_strings_reach_a_numpy_model_that_takes_them():
    words = np.array([["a", "bb"], ["ccc", "a"], ["bb", "bb"], ["a", "ccc"]])

    def model(xs):
        n = np.char.str_len(xs[0]).sum(1).astype(float)
        return np.stack([n * xs[1][:, 0], n], 1)

    res = isw.explain(model, [words, np.arange(8.0).reshape(4, 2)], output="raw", target=1, progress=False)
    np.testing.assert_allclose(res.prediction, np.char.str_len(words).sum(1))


def test_meta_tensors_are_refused_before_any_model_call():
    X, model = _two(), Counting()
    meta = torch.zeros(6, 2, device="meta")
    match = r"\[0\] is a tensor on the 'meta' device: it has a shape but no values"
    with pytest.raises(isw.InputError, match="X" + match):
        isw.explain(model, [meta, X[1]], progress=False)
    with pytest.raises(isw.InputError, match="background" + match):
        isw.explain(model, X, [meta, X[1]], progress=False)
    assert model.calls == 0


def test_a_reversed_view_into_a_torch_model_gives_the_numbers_of_its_copy():
    X = _two()
    view = [X[0][::-1], X[1][:, ::-1]]
    got = isw.explain(Bilinear(), view, output="raw", target="all", progress=False)
    want = isw.explain(Bilinear(), [np.ascontiguousarray(v) for v in view], output="raw", target="all", progress=False)
    np.testing.assert_array_equal(got.class_values, want.class_values)


def test_bfloat16_tensors_into_a_numpy_callable_give_their_float32_numbers():
    X = [torch.as_tensor(x).to(torch.bfloat16) for x in _two()]
    got = isw.explain(_numpy_model, X, output="raw", target="all", progress=False)
    want = isw.explain(_numpy_model, [x.float().numpy() for x in X], output="raw", target="all", progress=False)
    np.testing.assert_array_equal(got.class_values, want.class_values)


class Failing(torch.nn.Module):
    """Fails with its own RuntimeError on the call numbered ``on`` (0 = the first)."""

    def __init__(self, on):
        super().__init__()
        self.on, self.calls = on, 0

    def forward(self, xs):
        self.calls += 1
        if self.calls > self.on:
            raise RuntimeError("CUDA out of memory (simulated)")
        return torch.stack([xs[0].sum(1), xs[1].sum(1)], 1)


def test_the_models_own_error_on_the_first_call_keeps_its_type_and_names_the_batch():
    model = Failing(on=0)
    with pytest.raises(RuntimeError, match=r"CUDA out of memory \(simulated\) \(the model's own error on its first "
                                           r"call, called as model\(\[modality 0, modality 1\]\)\) \[on the probe "
                                           r"batch: sample 0 twice, every modality present\]") as info:
        isw.explain(model, _two(), progress=False)
    assert not isinstance(info.value, isw.explainers.calls.ModelCallError)
    assert "call=" not in str(info.value)


def test_the_models_own_error_later_in_the_run_names_the_batch():
    model = Failing(on=3)  # the two probe calls work, then the run fails
    with pytest.raises(RuntimeError, match=r"model call on .*CUDA out of memory \(simulated\) \(\d+ of \d+ model rows"
                                           r" had run before this batch\)"):
        isw.explain(model, _two(), batch_size=4, progress=False)


def test_a_plain_function_that_wants_tensors_is_told_it_gets_numpy():
    def wants_tensors(xs):
        return torch.stack([torch.cat(xs, 1).sum(1), xs[0][:, 0]], 1)  # torch.cat of numpy arrays fails

    with pytest.raises(TypeError, match=r"expected Tensor .* A plain function receives numpy arrays: convert inside "
                                        r"it \(torch.as_tensor\(x\)\) or pass the torch.nn.Module itself") as info:
        isw.explain(wants_tensors, _two(), progress=False)
    assert not isinstance(info.value, isw.explainers.calls.ModelCallError)


def test_another_calling_convention_that_works_is_named():
    class TwoArgs(torch.nn.Module):
        def forward(self, *xs):  # the signature does not say how many
            return torch.stack([xs[0].sum(1), xs[1].sum(1)], 1)

    with pytest.raises(isw.explainers.calls.ModelCallError,
                       match=r"calling the model as model\(\[modality 0, modality 1\]\) failed with .*It runs when "
                             r"called as model\(modality 0, modality 1\): pass call='positional'"):
        isw.explain(TwoArgs(), _two(), call="list", progress=False)


def test_reversed_and_read_only_views_into_a_factorised_model_give_the_numbers_of_their_copies():
    torch.manual_seed(1)
    encoders = [torch.nn.Linear(2, 3).double(), torch.nn.Linear(3, 3).double()]
    model = isw.Factorised(encoders, Head())
    X = _two()
    frozen = X[1][:, ::-1]
    frozen.flags.writeable = False
    view = [X[0][::-1], frozen]
    kw = dict(output="raw", target="all", progress=False)
    got = isw.explain(model, view, **kw)
    want = isw.explain(model, [np.ascontiguousarray(v) for v in view], **kw)
    np.testing.assert_array_equal(got.class_values, want.class_values)


class Head(torch.nn.Module):
    def forward(self, zs):
        return torch.stack([(zs[0] * zs[1]).sum(1), zs[0][:, 0]], 1)
