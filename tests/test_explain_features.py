"""explain_features: the feature-level parts of a modality on real models, against a brute
force of the definitions on hand-built masked inputs, their sums against ``explain`` on
the same inputs, the axioms (null feature, within-modality feature, a feature times
another modality), every feature form (columns, named groups, patches, tokens, masks)
and the sampled path."""

import warnings

import numpy as np
import pytest

import intershap_widget as isw
from intershap_widget.explainers.feature_maps import Assembly, resolve_features, split_modality
from reference import feature_parts_brute, subsets

RNG = np.random.default_rng(0)
A, B, C = RNG.normal(size=(12, 4)), RNG.normal(size=(12, 3)), RNG.normal(size=(12, 2))


def model3(xs):
    """Column 2 of A is never read; column 1 acts only inside A; column 0 multiplies B."""
    a, b, c = xs
    return np.stack([a[:, 0] * b[:, 1] + 2 * a[:, 1] * a[:, 3] + np.tanh(a[:, 3] + c[:, 0]) * b[:, 0]
                     + c[:, 1] * b[:, 2], np.zeros(len(a))], axis=1)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _brute_table(f, x, bg, i, g):
    """v[S, T] for one sample x (list of M rows) by direct masking: the mean over the
    background rows b of f(x on S and on T of modality i, b elsewhere)."""
    m = len(x)
    others = [k for k in range(m) if k != i]
    v = np.zeros((1 << (m - 1), 1 << g))
    for s in range(1 << (m - 1)):
        for t in range(1 << g):
            rows = []
            for k in range(bg[0].shape[0]):
                row = [x[o] if (s >> others.index(o)) & 1 else bg[o][k] for o in others]
                xi = np.where([(t >> f_) & 1 for f_ in range(g)], x[i], bg[i][k])
                row.insert(i, xi)
                rows.append(row)
            batch = [np.stack([r[o] for r in rows]) for o in range(m)]
            v[s, t] = f(batch)[:, 0].mean()
    return v


def test_matches_brute_force_and_explain():
    bg = [A[:5], B[:5], C[:5]]
    fr = _quiet(isw.explain_features, model3, [A, B, C], bg, modality=0, samples=[1, 4, 7],
                output="raw", target=0, progress=False)
    assert fr.effect.shape == (3, 4) and fr.interaction.shape == (3, 3, 4)
    for row, a in enumerate([1, 4, 7]):
        v = _brute_table(model3, [A[a], B[a], C[a]], bg, 0, 4)
        e, p = feature_parts_brute(v, 3, 0, 4)
        np.testing.assert_allclose(fr.effect[row], e, atol=1e-10)
        np.testing.assert_allclose(fr.interaction[row], p, atol=1e-10)
    res = _quiet(isw.explain, model3, [A[[1, 4, 7]], B[[1, 4, 7]], C[[1, 4, 7]]], bg, output="raw", target=0,
                 progress=False)
    np.testing.assert_allclose(fr.effect.sum(axis=1), res.shapley[:, 0], atol=1e-10)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 0, :], atol=1e-10)
    np.testing.assert_allclose(fr.result.phi, res.phi, atol=1e-12)
    assert fr.sums_error() < 1e-12


def test_axioms_on_a_model():
    fr = _quiet(isw.explain_features, model3, [A, B, C], modality=0, output="raw", target=0, progress=False)
    assert np.abs(fr.effect[:, 2]).max() < 1e-14 and np.abs(fr.interaction[:, :, 2]).max() < 1e-14  # never read
    assert np.abs(fr.interaction[:, 1:, 1]).max() < 1e-14  # acts only inside A
    assert np.abs(fr.interaction[:, 1:, 1]).max() < 1e-3 * np.abs(fr.effect[:, 1]).max()
    # column 0 times B's column 1: its whole φ_AB part; the others carry tanh(a3 + c0)·b0's
    assert np.abs(fr.interaction[:, 2, 0]).max() < 1e-14  # column 0 does not meet C
    assert np.abs(fr.interaction[:, 1, 0]).max() > 0.01


@pytest.mark.parametrize("masking", ["baseline", "sampled"])
def test_sums_equal_explain_for_other_maskings(masking):
    kw = dict(output="raw", target=0, progress=False, masking=masking, seed=3)
    if masking == "sampled":
        kw["masking"] = isw.SampledMasker(rows_per_sample=4, seed=3)
    fr = _quiet(isw.explain_features, model3, [A, B, C], modality=1, **kw)
    if masking == "sampled":
        kw["masking"] = isw.SampledMasker(rows_per_sample=4, seed=3)
    res = _quiet(isw.explain, model3, [A, B, C], **kw)
    np.testing.assert_allclose(fr.effect.sum(axis=1), res.shapley[:, 1], atol=1e-10)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 1, :], atol=1e-10)


def test_random_masking_draws_as_explain_does():
    kw = dict(masking="random", n_draws=3, seed=5, output="raw", target=0, progress=False)
    fr = _quiet(isw.explain_features, model3, [A, B, C], modality=2, **kw)
    res = _quiet(isw.explain, model3, [A, B, C], **kw)
    np.testing.assert_allclose(fr.result.coalition_values, res.coalition_values, atol=1e-12)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 2], atol=1e-10)
    assert fr.result.settings["masking"] == "random"


def test_named_groups_of_dataframes_and_rest():
    pd = pytest.importorskip("pandas")
    labs = pd.DataFrame(A, columns=["age", "bmi", "unused", "bp"])
    vitals = pd.DataFrame(B, columns=["hr", "spo2", "temp"])
    notes = pd.DataFrame(C, columns=["n0", "n1"])
    seen = []

    def model_df(df):  # the model gets one DataFrame with every column, by name
        seen.append(list(df.columns))
        arrays = [df[list(f.columns)].to_numpy() for f in (labs, vitals, notes)]
        return model3(arrays)

    X = {"labs": labs, "vitals": vitals, "notes": notes}
    fr = _quiet(isw.explain_features, model_df, X, modality="labs", features={"body": ["bmi", "bp"], "age": [0]},
                output="raw", target=0, progress=False)
    assert seen[-1] == ["age", "bmi", "unused", "bp", "hr", "spo2", "temp", "n0", "n1"]
    assert fr.feature_names == ["body", "age", "(rest)"]
    assert np.abs(fr.effect[:, 2]).max() < 1e-14  # the rest is the unused column
    res = _quiet(isw.explain, model_df, X, output="raw", target=0, progress=False)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 0], atol=1e-10)
    full = _quiet(isw.explain_features, model_df, X, modality="labs", output="raw", target=0, progress=False)
    assert full.feature_names == ["age", "bmi", "unused", "bp"]
    plain = _quiet(isw.explain_features, model3, [A, B, C], modality=0, output="raw", target=0, progress=False)
    np.testing.assert_allclose(full.interaction, plain.interaction, atol=1e-12)  # number for number


def test_target_all_and_labels():
    y = (A[:, 0] > 0).astype(int)
    fr = _quiet(isw.explain_features, model3, [A, B, C], modality=0, target="all", output="logits",
                labels=y, samples=[0, 2], progress=False)
    assert fr.result.class_values.shape == (2, 8, 2)
    assert list(fr.result.labels) == [y[0], y[2]]
    assert fr.sums_error() < 1e-12


def test_inputs_untouched_and_cost_printed(capsys):
    a0, b0, c0 = A.copy(), B.copy(), C.copy()
    _quiet(isw.explain_features, model3, [A, B, C], modality=0, output="raw", target=0, n_background=6)
    assert np.array_equal(A, a0) and np.array_equal(B, b0) and np.array_equal(C, c0)
    out = capsys.readouterr().out
    assert f"{12 * (2 ** 6 - 2) * 6 + 12 + 6:,} model rows" in out


# ------------------------------------------------------------------ images and text

torch = pytest.importorskip("torch")


class ImageText(torch.nn.Module):
    """Image (3, 8, 8) and text (ids + mask, 6 tokens): the top-left quarter's mean times
    the count of token 5 (a cross-modal pair), plus the bottom-right quarter alone."""

    def forward(self, image, text):
        ids, mask = text
        count = ((ids == 5) & (mask == 1)).double().sum(1)
        tl, br = image[:, :, :4, :4].double().mean((1, 2, 3)), image[:, :, 4:, 4:].double().mean((1, 2, 3))
        return torch.stack([tl * count + br, -br], dim=1)


def _image_text(n=6):
    rng = np.random.default_rng(1)
    img = rng.normal(size=(n, 3, 8, 8)).astype(np.float32)
    ids = rng.integers(4, 8, (n, 6))
    ids[:, 0] = 1
    return [img, (ids, np.ones_like(ids))]


def test_patches_and_split_round_trip():
    X = _image_text()
    fmap = resolve_features(X[0], patch=4)
    assert fmap.names == ("patch (0, 0)", "patch (0, 1)", "patch (1, 0)", "patch (1, 1)") and fmap.grid == (2, 2)
    parts = split_modality(X[0], fmap)
    from intershap_widget.explainers.feature_maps import assemble_modality

    assert np.array_equal(assemble_modality(parts, Assembly.of(X[0], fmap)), X[0])
    fr = _quiet(isw.explain_features, ImageText(), X, modality=0, patch=4, output="raw", target=0, progress=False)
    res = _quiet(isw.explain, ImageText(), X, output="raw", target=0, progress=False)
    np.testing.assert_allclose(fr.effect.sum(axis=1), res.shapley[:, 0], atol=1e-6)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 0], atol=1e-6)
    assert np.abs(fr.interaction[:, 1, [1, 2, 3]]).max() < 1e-6  # only the top-left patch meets the text
    assert np.abs(fr.interaction[:, 1, 0]).max() > 1e-3
    assert np.abs(fr.effect[:, [1, 2]]).max() < 1e-6  # never read


def test_tokens_with_ids_and_mask_together():
    X = _image_text()
    ref = isw.TokenReference(mask_id=0, keep_ids=[1], ids=0, attention_mask=1)
    fr = _quiet(isw.explain_features, ImageText(), X, modality=1, masking="baseline",
                baseline=[ "mean", ref], output="raw", target=0, progress=False)
    assert fr.kind == "tokens" and len(fr.feature_names) == 6
    assert np.abs(fr.effect[:, 0]).max() == 0  # [CLS] kept by the reference: exactly nothing
    res = _quiet(isw.explain, ImageText(), X, masking="baseline", baseline=["mean", ref], output="raw", target=0,
                 progress=False)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 1], atol=1e-6)
    is5 = X[1][0] == 5
    assert np.abs(fr.interaction[:, 0][~is5]).max() < 1e-6  # only the 5s meet the image
    assert np.abs(fr.interaction[:, 0][is5]).min() > 0


def test_bool_masks():
    X = _image_text()
    left = np.zeros((8, 8), dtype=bool)
    left[:, :4] = True
    fr = _quiet(isw.explain_features, ImageText(), X, modality=0, features={"left": left, "right": ~left},
                output="raw", target=0, progress=False)
    assert fr.feature_names == ["left", "right"] and fr.kind == "masks"
    assert fr.sums_error() < 1e-6


# ------------------------------------------------------------------ sampled path

def test_sampled_path_adds_up_and_keeps_the_axioms():
    D = np.random.default_rng(4).normal(size=(8, 20))

    def f(xs):
        d, b = xs
        return d[:, :10].sum(1) * b[:, 0] + d[:, 10] * d[:, 11] + b[:, 1]  # columns 12.. never read

    fr = _quiet(isw.explain_features, f, [D, B[:8]], modality=0, output="regression", progress=False)
    assert fr.settings["path"] == "sampled" and fr.effect_se.shape == (8, 20)
    res = _quiet(isw.explain, f, [D, B[:8]], output="regression", progress=False)
    np.testing.assert_allclose(fr.effect.sum(axis=1), res.shapley[:, 0], atol=1e-10)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 0], atol=1e-10)
    assert np.all(np.abs(fr.effect[:, 12:]) < 1e-12) and np.all(fr.effect_se[:, 12:] < 1e-12)
    np.testing.assert_allclose(fr.interaction[:, 1, 10:12], 0, atol=1e-12)  # only inside the modality
    # the pure pair term: each of the first 10 columns carries its own part exactly,
    # ½·Δ = ½·((x_c − μ_c)(b − μ_b) + cov(c, b)) over the background rows (here X itself)
    dc, db = D[:, :10] - D[:, :10].mean(0), B[:8, :1] - B[:8, 0].mean()
    np.testing.assert_allclose(fr.interaction[:, 1, :10], 0.5 * (dc * db + (dc * db).mean(0)), atol=1e-10)


def test_sampled_refuses_other_maskings():
    with pytest.raises(ValueError, match="expectation"):
        isw.explain_features(model3, [A, B, C], modality=0, n_permutations=4, masking="baseline", progress=False)


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("kwargs,match", [
    (dict(modality="sound"), "not one of the modalities"),
    (dict(modality=5), "out of range"),
    (dict(modality=0, features={"x": [0, 1], "y": [1]}), "overlap"),
    (dict(modality=0, features={"x": [9]}), "out of range"),
    (dict(modality=0, samples=[40]), "samples must be"),
    (dict(modality=0, features={"x": [0, 1, 2, 3]}), "at least 2 features"),
])
def test_bad_arguments(kwargs, match):
    calls = []

    def f(xs):
        calls.append(1)
        return model3(xs)

    with pytest.raises(isw.InputError, match=match):
        isw.explain_features(f, [A, B, C], progress=False, **kwargs)
    assert not calls  # before any model call


def test_patch_must_divide():
    with pytest.raises(ValueError, match="must divide"):
        isw.explain_features(ImageText(), _image_text(), modality=0, patch=3, progress=False)
    with pytest.raises(ValueError, match="patch="):
        isw.explain_features(ImageText(), _image_text(), modality=0, progress=False)


def test_per_sample_words():
    """Word ids per sample (a tokenizer's word_ids, −1 for special tokens): each sentence's
    words are its features; the same as explaining each sentence with its own masks."""
    X = _image_text(4)
    word_ids = np.array([[-1, 0, 0, 1, 2, 2], [-1, 0, 1, 1, 1, 2], [-1, 0, 0, 1, 2, 2], [-1, 0, 1, 2, 3, 3]])
    ref = isw.TokenReference(mask_id=0, keep_ids=[1], ids=0, attention_mask=1)
    kw = dict(masking="baseline", baseline=["mean", ref], output="raw", target=0, progress=False)
    fr = _quiet(isw.explain_features, ImageText(), X, modality=1, features=word_ids, **kw)
    assert fr.feature_names == ["word 0", "word 1", "word 2", "word 3", "(rest)"]
    assert fr.settings["feature_runs"] == 3  # samples 0 and 2 share their map
    one = _quiet(isw.explain_features, ImageText(), X, modality=1, samples=[3],
                 features={f"w{w}": word_ids[3] == w for w in range(4)}, **kw)
    np.testing.assert_allclose(fr.interaction[3], one.interaction[0], atol=1e-12)
    assert np.all(fr.interaction[1, :, 3] == 0)  # sample 1 has 3 words
    res = _quiet(isw.explain, ImageText(), X, **kw)
    np.testing.assert_allclose(fr.interaction.sum(axis=2), res.phi[:, 1], atol=1e-6)
    np.testing.assert_allclose(fr.result.phi, res.phi, atol=1e-6)
    assert fr.effect[:, 4].tolist() == [0, 0, 0, 0]  # [CLS], kept by the reference
