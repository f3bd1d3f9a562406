"""The explorer's Python side: traits, binary buffers, the front end's aggregation."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import numpy as np
import pytest
import traitlets

from intershap_widget.views.buffers import array_from_json, array_to_json
from intershap_widget.maths.result import InteractionResult

from intershap_widget.views import encode as encode_mod
from intershap_widget.views import widget as widget_mod
from intershap_widget.views.magic import result_mimebundle
from intershap_widget.views.widget import InterSHAPWidget

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAMES = ["text", "image", "audio", "tabular"]


def make_result(n=50, m=4, seed=0, **kw):
    rng = np.random.default_rng(seed)
    return InteractionResult(rng.normal(size=(n, 2**m)), modality_names=NAMES[:m], **kw)


def make_all_classes(n=40, m=3, c=3, seed=1):
    rng = np.random.default_rng(seed)
    cv = rng.normal(size=(n, 2**m, c))
    pred = cv[:, -1, :].argmax(axis=1)
    vals = cv[np.arange(n), :, pred]
    return InteractionResult(vals, modality_names=NAMES[:m], target="all", class_values=cv,
                             class_names=["cat", "dog", "owl"], predicted_class=pred, target_class=pred,
                             labels=rng.integers(0, 2, n))


def test_buffer_round_trip_is_binary_and_exact():
    a = np.random.default_rng(0).normal(size=(3, 5, 7)).astype(np.float32)
    enc = array_to_json(a)
    assert enc["dtype"] == "float32" and enc["shape"] == [3, 5, 7]
    assert isinstance(enc["data"], memoryview) and enc["data"].nbytes == a.nbytes
    back = array_from_json({**enc, "data": bytes(enc["data"])})
    np.testing.assert_array_equal(back, a)
    # float64 input is sent as float32 (the documented wire type)
    enc64 = array_to_json(np.arange(4.0))
    assert enc64["dtype"] == "float64"
    with pytest.raises(ValueError, match="unsupported dtype"):
        array_from_json({"dtype": "complex64", "shape": [1], "data": b"\0" * 8})


def test_widget_state_uses_buffers_not_lists():
    res = make_result()
    w = InterSHAPWidget(res)
    state = w.get_state()
    from ipywidgets.widgets.widget import _remove_buffers

    _, paths, buffers = _remove_buffers(state)
    names = {p[0] for p in paths}
    assert {"_phi", "_pred", "_base", "_mobius"} <= names
    json_part = {k: v for k, v in _remove_buffers(state)[0].items() if k != "_esm"}
    assert len(json.dumps(json_part)) < 2000, "numbers must not travel as JSON lists"
    # φ terms, v(N), v(∅), dividends, and the (low, high) terms of Φ's confidence interval
    assert sum(b.nbytes for b in buffers) == 4 * (50 * 10 + 50 + 50 + 50 * 15 + 2 * 10)
    phi = array_from_json({**state["_phi"], "data": bytes(state["_phi"]["data"])})
    assert phi.shape == (1, 50, 10)


def test_terms_rebuild_phi_and_match_the_result():
    res = make_result(n=30)
    w = InterSHAPWidget(res)
    terms = w._phi[0]
    pairs = widget_mod.term_pairs(4)
    full = np.zeros((30, 4, 4))
    for q, (i, j) in enumerate(pairs):
        full[:, i, j] = full[:, j, i] = terms[:, q]
    np.testing.assert_allclose(full, res.phi, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(w._pred[0], res.prediction, rtol=1e-6)
    np.testing.assert_allclose(w._base[0], res.base_value, rtol=1e-6)
    # efficiency survives the transport: the sent terms sum to prediction - base
    sums = terms[:, :4].sum(axis=1) + 2 * terms[:, 4:].sum(axis=1)
    np.testing.assert_allclose(sums, res.prediction - res.base_value, atol=1e-5)


def test_all_classes_are_sent_per_class():
    res = make_all_classes()
    w = InterSHAPWidget(res)
    assert w._meta["class_names"] == ["cat", "dog", "owl", "predicted class"]
    assert w._phi.shape == (4, 40, 6)
    for c in range(3):
        np.testing.assert_allclose(w._phi[c], widget_mod.pack_terms(res.for_class(c).phi), atol=1e-6)
        np.testing.assert_allclose(w._pred[c], res.for_class(c).prediction, atol=1e-6)
        np.testing.assert_allclose(w._base[c], res.for_class(c).base_value, atol=1e-6)
    # the last entry is each sample's own predicted class: the result itself, the default view
    np.testing.assert_allclose(w._phi[3], widget_mod.pack_terms(res.phi), atol=1e-6)
    assert w.selected_class == 3 == w._meta["own_class"] and w.class_result is res
    assert w._pclass.shape == (40,) and set(np.unique(w._pclass)) <= {0, 1, 2}
    assert w._meta["label_names"] == ["0", "1"]
    w.selected_class = 2
    assert w.class_result.target == 2
    with pytest.raises(traitlets.TraitError, match="selected_class"):
        w.selected_class = 4
    assert InterSHAPWidget(res, selected_class=1).selected_class == 1


def test_selection_traits_validate_and_read_back():
    res = make_result(n=20)
    w = InterSHAPWidget(res)
    seen = []
    w.observe(lambda ch: seen.append(ch["new"]), "selected_sample")
    w.selected_sample = 7
    assert seen == [7]
    w.selected_indices = [3, 1, 4]
    sub = w.selection
    assert sub.n_samples == 3
    np.testing.assert_allclose(sub.Phi, res[[3, 1, 4]].Phi)
    w.selected_pair = [2, 0]  # a list (as JSON sends it) becomes a tuple
    assert w.selected_pair == (2, 0)
    w.selected_pair = ()
    for bad in [dict(selected_sample=20), dict(selected_indices=[0, 25]), dict(selected_pair=(0, 9)),
                dict(selected_pair=(1,))]:
        (name, value), = bad.items()
        with pytest.raises(traitlets.TraitError):
            setattr(w, name, value)
    # the front end sets traits through set_state (JSON values): same validation
    w.set_state({"selected_sample": 4, "selected_pair": [1, 3]})
    assert (w.selected_sample, w.selected_pair) == (4, (1, 3))


@pytest.mark.parametrize(
    "values, message",
    [(np.zeros((0, 8)), "no samples"), (np.array([[0.0, 1, np.nan, 2]] * 3), "non-finite")],
)
def test_bad_results_get_a_clear_message(values, message):
    w = InterSHAPWidget(InteractionResult(values))
    assert message in w._meta["error"]
    assert w._phi.shape[1] == 0


def test_rejects_non_results():
    with pytest.raises(TypeError, match="InteractionResult"):
        InterSHAPWidget(np.zeros((3, 4)))


def test_mimebundle_has_widget_and_text():
    res = make_result(n=5)
    bundle = result_mimebundle(res)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("InteractionResult")


def test_missing_front_end_says_how_to_build_it_and_display_falls_back(monkeypatch, tmp_path):
    monkeypatch.setattr(widget_mod, "_BUNDLE", tmp_path / "nowhere.js")
    with pytest.raises(ImportError, match="npm run build"):
        InterSHAPWidget(make_result(n=3))
    bundle = result_mimebundle(make_result(n=3))
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert bundle["text/plain"].startswith("InteractionResult")


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is needed to run the front end's aggregation")
def test_front_end_subset_aggregation_matches_python(tmp_path):
    res = make_all_classes(n=60, m=3)
    w = InterSHAPWidget(res)
    subset = [0, 5, 7, 11, 30, 59]
    raw = tmp_path / "phi.bin"
    raw.write_bytes(w._phi.astype("<f4").tobytes())
    script = f"""
import {{ aggregate, localScores, nanMean }} from {json.dumps((ROOT / 'js' / 'aggregate.js').as_uri())};
import {{ readFileSync }} from "node:fs";
const b = readFileSync({json.dumps(str(raw))});
const phi = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
const out = [];
for (let c = 0; c < 3; c++) {{
  const a = aggregate(phi, c * 60 * 6, 60, 3, {json.dumps(subset)});
  const all = aggregate(phi, c * 60 * 6, 60, 3, null);
  const loc = localScores(phi, c * 60 * 6, 60, 3);
  out.push({{ sub: Array.from(a.matrix), subI: a.intershap, all: all.intershap, allPhi: Array.from(all.matrix),
             contrib: Array.from(all.contributions), loc: Array.from(loc), locMean: nanMean(loc, {json.dumps(subset)}) }});
}}
console.log(JSON.stringify(out));
"""
    (tmp_path / "run.mjs").write_text(script)
    got = json.loads(subprocess.run([NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True, check=True).stdout)
    for c, g in enumerate(got):
        rc = res.for_class(c)
        sub = rc[subset]
        np.testing.assert_allclose(np.reshape(g["sub"], (3, 3)), sub.Phi, rtol=1e-5, atol=1e-6)
        assert g["subI"] == pytest.approx(sub.intershap, rel=1e-5)
        assert g["all"] == pytest.approx(rc.intershap, rel=1e-5)
        np.testing.assert_allclose(np.reshape(g["allPhi"], (3, 3)), rc.Phi, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g["contrib"], rc.modality_contributions, rtol=1e-5)
        np.testing.assert_allclose(g["loc"], rc.intershap_local, rtol=1e-5)
        assert g["locMean"] == pytest.approx(sub.intershap_local_mean, rel=1e-5)


def test_a_result_displays_itself_with_explorer_picture_and_text():
    res = make_result(n=4)
    data = res._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == res.summary()
    assert data["image/png"]


# ------------------------------------------------------------- behaviour by order
def test_mobius_dividends_are_shipped_per_class_for_m_at_least_3(monkeypatch):
    from intershap_widget.maths.interactions import mobius

    res = make_all_classes(n=40, m=3)
    w = InterSHAPWidget(res)
    assert w._mobius.shape == (4, 40, 7) and w._meta["orders_note"] == ""
    for c in range(3):
        np.testing.assert_allclose(w._mobius[c], mobius(res.for_class(c).coalition_values)[:, 1:], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(w._mobius[3], mobius(res.coalition_values)[:, 1:], rtol=1e-6, atol=1e-6)
    # the dividends rebuild the coalition values: v(S) = v(∅) + Σ_{∅≠T⊆S} m(T)
    v = res.for_class(1).coalition_values
    full = w._mobius[1].astype(float).sum(axis=1) + v[:, 0]
    np.testing.assert_allclose(full, v[:, -1], atol=1e-5)
    two = InterSHAPWidget(make_result(n=10, m=2))
    assert two._mobius.shape == (1, 0, 0) and "InterSHAP" in two._meta["orders_note"]
    monkeypatch.setattr(encode_mod, "MAX_MOBIUS_VALUES", 100)
    big = InterSHAPWidget(make_result(n=10, m=4))
    assert big._mobius.shape == (1, 0, 0) and "order_shares" in big._meta["orders_note"]


def _node(tmp_path, script: str):
    (tmp_path / "run.mjs").write_text(script)
    proc = subprocess.run([NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.skipif(NODE is None, reason="node is needed to run the front end's order shares")
def test_front_end_order_shares_match_python(tmp_path):
    from intershap_widget.maths.interactions import order_shares

    res = make_all_classes(n=50, m=4)  # M = 4: "3+" folds orders 3 and 4
    w = InterSHAPWidget(res)
    subset = [1, 2, 9, 17, 33, 49]
    raw = tmp_path / "div.bin"
    raw.write_bytes(w._mobius.astype("<f4").tobytes())
    got = _node(tmp_path, f"""
import * as mob from {json.dumps((ROOT / 'js' / 'mobius.js').as_uri())};
import {{ readFileSync }} from "node:fs";
const b = readFileSync({json.dumps(str(raw))});
const div = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
const out = [];
for (let c = 0; c < 3; c++) {{
  const base = c * 50 * 15;
  out.push({{ all: Array.from(mob.globalOrderShares(div, base, 50, 4)),
             sub: Array.from(mob.groupOrders(mob.globalOrderShares(div, base, 50, 4, {json.dumps(subset)}))),
             one: Array.from(mob.sampleOrderShares(div, base + 7 * 15, 4)) }});
}}
console.log(JSON.stringify(out));
""")
    for c, g in enumerate(got):
        rc = res.for_class(c)
        ref = order_shares(rc)
        np.testing.assert_allclose(g["all"], ref.global_shares, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g["one"], ref.local_shares[7], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g["sub"], order_shares(rc[subset]).grouped(3)[0], rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------- sampled results
def _sampled(n=30, m=5, budget=22, seed=2):
    from intershap_widget.explainers import sampling as sp

    v = np.random.default_rng(seed).normal(size=(n, 2**m)) + np.arange(2**m) % 3
    return sp.sample_interactions(sp.table_value_function(v), m, budget, seed=seed,
                                  modality_names=["a", "b", "c", "d", "e"][:m])


def test_a_sampled_result_builds_with_its_standard_error_buffers():
    res = _sampled()
    w = InterSHAPWidget(res)
    state = w.get_state()
    from ipywidgets.widgets.widget import _remove_buffers

    names = {p[0] for p in _remove_buffers(state)[1]}
    assert {"_phi", "_phi_se", "_global_se", "_local_se"} <= names
    np.testing.assert_allclose(w._phi[0], widget_mod.pack_terms(res.phi), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(w._phi_se[0], widget_mod.pack_terms(res.phi_se), rtol=1e-6, atol=1e-7)
    iu = np.triu_indices(5, 1)
    np.testing.assert_allclose(w._global_se, np.r_[np.diag(res.Phi_se), res.Phi_se[iu]], rtol=1e-6)
    np.testing.assert_allclose(w._local_se, res.intershap_local_se, rtol=1e-6)
    sm = w._meta["sampled"]
    assert sm["intershap"] == res.intershap and sm["intershap_se"] == res.intershap_se > 0
    assert (sm["n_evaluations"], sm["n_coalitions"]) == (22, 32)
    assert w._mobius.shape == (1, 0, 0) and "22 of 32 coalitions" in w._meta["orders_note"]
    assert w.selection is res
    w.selected_indices = [1, 2]
    with pytest.raises(TypeError, match="phi_se"):
        w.selection
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == res.summary()
    # an exact result ships empty standard-error buffers
    exact = InterSHAPWidget(make_result(n=5))
    assert exact._phi_se.shape == (1, 0, 10) and exact._local_se.shape == (0,) and "sampled" not in exact._meta


@pytest.mark.skipif(NODE is None, reason="node is needed to run the front end's error bounds")
def test_front_end_error_bounds_cover_the_sampler_s_own_standard_errors(tmp_path):
    """The front end's ± for shares and subsets is Σ|∂q/∂x|·se (errors fully correlated):
    never below the sampler's delta-method standard error of the same number."""
    res = _sampled(n=25, m=5, budget=22)  # the smallest M = 5 budget with standard errors
    w = InterSHAPWidget(res)
    k = 15
    got = _node(tmp_path, f"""
import * as errs from {json.dumps((ROOT / 'js' / 'errors.js').as_uri())};
import {{ globalTerms }} from {json.dumps((ROOT / 'js' / 'aggregate.js').as_uri())};
const phi = Float64Array.from({json.dumps(w._phi[0].ravel().tolist())});
const se = Float64Array.from({json.dumps(w._phi_se[0].ravel().tolist())});
const gse = Float64Array.from({json.dumps(w._global_se.tolist())});
const all = errs.intershapSeBound(globalTerms(phi, 0, 25, 5), gse, 5);
const local = [];
for (let a = 0; a < 25; a++) local.push(errs.intershapSeBound(phi.subarray(a * {k}, (a + 1) * {k}), se.subarray(a * {k}, (a + 1) * {k}), 5));
console.log(JSON.stringify({{ all, local, mean: Array.from(errs.meanSe(se, 0, 25, 5, [0, 3, 5])) }}));
""")
    # numpy reference of the same bound
    terms = widget_mod.pack_terms(res.Phi[None])[0]
    wgt = np.r_[np.ones(5), 2 * np.ones(10)]
    tot = (wgt * terms).sum()
    q = (wgt[5:] * terms[5:]).sum() / tot
    ref = (wgt * np.abs((np.arange(k) >= 5) - q) * w._global_se).sum() / tot
    assert got["all"] == pytest.approx(ref, rel=1e-5)
    assert got["all"] >= res.intershap_se * (1 - 1e-5)
    assert np.all(np.asarray(got["local"]) >= res.intershap_local_se * (1 - 1e-4) - 1e-7)
    np.testing.assert_allclose(got["mean"], w._phi_se[0][[0, 3, 5]].mean(axis=0), rtol=1e-6)


def test_sampled_result_without_standard_errors_sends_null_not_nan():
    import json
    import warnings

    from intershap_widget.explainers import sampling as sp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SamplingWarning)
        res = _sampled(n=10, m=5, budget=12)
    assert np.isnan(res.intershap_se)
    w = InterSHAPWidget(res)
    sampled = w._meta["sampled"]
    assert sampled["has_se"] is False and sampled["intershap_se"] is None
    json.dumps(w._meta, allow_nan=False)  # valid JSON: no NaN anywhere


def test_a_sampled_result_displays_itself_with_explorer_picture_and_text():
    import warnings

    from intershap_widget.explainers import sampling as sp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SamplingWarning)
        res = _sampled(n=12, m=5, budget=22)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the static picture must not fail
        data = res._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/png"] and data["text/plain"] == res.summary()
    assert res.target == "value"


# ------------------------------------------------ slices, intervals, build speed
def test_a_slice_sends_its_original_sample_numbers():
    res = make_result(n=40)
    w = InterSHAPWidget(res[10:20], selected_sample=3)
    assert w._meta["sample_index_is_identity"] is False
    np.testing.assert_array_equal(w._index, np.arange(10, 20))
    assert w._index.dtype == np.int32
    assert InterSHAPWidget(res)._index.shape == (0,)


class _WithIntervals(InteractionResult):
    """A result as the honest-numbers branch makes it: ``intervals`` and ``nan_reason``."""

    intervals = None
    nan_reason = None


def test_confidence_intervals_and_nan_reason_travel_when_the_result_has_them():
    rng = np.random.default_rng(5)
    res = _WithIntervals(rng.normal(size=(30, 8)), modality_names=NAMES[:3], settings={"interval_level": 0.9})
    phi = res.Phi
    res.intervals = {"intershap": (0.40, 0.5), "intershap_local_mean": (0.2, float("nan")),
                     "Phi": np.stack([phi * 0.9, phi * 1.1]), "modality_contributions": np.zeros((2, 3))}
    w = InterSHAPWidget(res)
    iv = w._meta["intervals"]
    assert iv["level"] == 0.9 and iv["intershap"] == [0.4, 0.5] and iv["local_mean"] == [0.2, None]
    assert w._phi_ci.shape == (2, 6)
    np.testing.assert_allclose(w._phi_ci[1], widget_mod.pack_terms((phi * 1.1)[None])[0], rtol=1e-6)
    json.dumps(w._meta)  # no NaN in the JSON part
    plain = make_result(n=5, m=3)  # every result carries its intervals over samples
    w_plain = InterSHAPWidget(plain)
    assert w_plain._phi_ci.shape == (2, 6) and w_plain._meta["intervals"]["nan_reason"] == ""
    np.testing.assert_allclose(w_plain._phi_ci, widget_mod.pack_terms(plain.intervals["Phi"]), rtol=1e-6)
    no_intervals = InterSHAPWidget(_WithIntervals(rng.normal(size=(5, 8)), modality_names=NAMES[:3]))
    assert no_intervals._phi_ci.shape == (0, 6) and no_intervals._meta["intervals"] == {"nan_reason": ""}
    zero = _WithIntervals(np.zeros((4, 8)))
    zero.nan_reason = "the model's output does not change with the inputs"
    assert InterSHAPWidget(zero)._meta["intervals"]["nan_reason"].startswith("the model")


def test_linear_encoding_matches_the_per_class_results_at_scale():
    res = make_all_classes(n=2000, m=4)
    w = InterSHAPWidget(res)
    for c in range(3):
        np.testing.assert_allclose(w._phi[c], widget_mod.pack_terms(res.for_class(c).phi), rtol=1e-5, atol=1e-5)
    # a trait notifies once per new array (identity, not an element-wise comparison)
    seen = []
    w.observe(lambda ch: seen.append(ch["name"]), "_pred")
    w._pred = w._pred
    w._pred = w._pred.copy()
    assert seen == ["_pred"]
