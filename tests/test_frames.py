"""pandas in, pandas out: a DataFrame with named column groups (and a dict of DataFrames)
explained with the model fed one DataFrame per batch: the same numbers as a hand-written
wrapper and as coalition values computed by brute force, the original columns, order and
dtypes in every batch, whole background rows (categories included), clear refusals."""

from __future__ import annotations


import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import intershap_widget as isw  # noqa: E402


def _table(n: int = 160, seed: int = 0):
    """Numbers, a categorical, a string and an integer column; the label needs them together."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.normal(60, 10, n),
        "size": pd.Categorical(rng.choice(["small", "large"], n), categories=["small", "large"]),
        "bmi": rng.normal(25, 4, n).astype("float32"),
        "site": rng.choice(["north", "south", "east"], n).astype(object),
        "visits": rng.integers(0, 9, n),
    })
    y = pd.Series(((df["age"] > 60) ^ (df["size"] == "large")) | (df["site"] == "east"), name="y").astype(int)
    return df, y


MODS = {"clinical": ["age", "bmi", "visits"], "imaging": ["size"], "admin": ["site"]}


def _pipeline(df, y):
    ct = ColumnTransformer([("num", StandardScaler(), ["age", "bmi", "visits"]),
                            ("cat", OneHotEncoder(handle_unknown="ignore"), ["size", "site"])])
    from sklearn.ensemble import RandomForestClassifier
    return make_pipeline(ct, RandomForestClassifier(n_estimators=20, random_state=0)).fit(df, y)


@pytest.fixture(scope="module")
def setup():
    df, y = _table()
    return df, y, _pipeline(df, y)


def _brute_force(pipe, df, bg, mods, sample):
    """v(S) for every coalition of one sample: the sample's columns for S, each background
    row's columns elsewhere, predict_proba averaged (pandas all the way)."""
    names = list(mods)
    out = []
    for code in range(1 << len(names)):
        rows = bg.copy().reset_index(drop=True)
        for i, name in enumerate(names):
            if code >> i & 1:
                for c in mods[name]:
                    rows[c] = pd.Series([df[c].iloc[sample]] * len(rows), dtype=df[c].dtype)
        out.append(pipe.predict_proba(rows[df.columns]).mean(axis=0))
    return np.array(out)  # (2**M, C)


def test_pipeline_on_a_dataframe_matches_brute_force(setup):
    df, y, pipe = setup
    X, bg = df.iloc[:6], df.iloc[100:130]
    res = isw.explain(pipe, X, modalities=MODS, background=bg, target="all", progress=False)
    assert res.modality_names == ["clinical", "imaging", "admin"]
    for a in (0, 3):
        want = _brute_force(pipe, X, bg, MODS, a)
        np.testing.assert_allclose(res.class_values[a], want, rtol=0, atol=1e-12)


def _manual_wrapper(pipe, columns, dtypes, groups):
    """What a user writes without the DataFrame form: groups of numpy columns (categories
    as codes), rebuilt into the frame by hand."""

    def model(batch):
        data = {}
        for name, cols in groups.items():
            for c in cols:
                v = batch[c]
                if isinstance(dtypes[c], pd.CategoricalDtype):
                    v = pd.Categorical.from_codes(v, dtype=dtypes[c])
                elif c == "site":
                    v = np.array(["east", "north", "south"], dtype=object)[v]
                data[c] = v
        return pipe.predict_proba(pd.DataFrame(data)[columns])

    return model


def _as_groups(frame, groups):
    sites = np.array(["east", "north", "south"], dtype=object)
    out = {}
    for name, cols in groups.items():
        out[name] = {}
        for c in cols:
            col = frame[c]
            if c == "size":
                out[name][c] = col.cat.codes.to_numpy().astype(np.int64)
            elif c == "site":
                out[name][c] = np.searchsorted(sites, col.to_numpy().astype(str)).astype(np.int64)
            else:
                out[name][c] = col.to_numpy()
    return out


def test_same_numbers_as_the_manual_wrapper(setup):
    df, y, pipe = setup
    X, bg = df.iloc[:20], df.iloc[100:140]
    res = isw.explain(pipe, X, modalities=MODS, background=bg, labels=y.iloc[:20], progress=False)
    manual = _manual_wrapper(pipe, list(df.columns), dict(df.dtypes), MODS)
    ref = isw.explain(manual, _as_groups(X, MODS), _as_groups(bg, MODS), labels=y.iloc[:20].to_numpy(),
                      progress=False)
    np.testing.assert_array_equal(res.coalition_values, ref.coalition_values)
    np.testing.assert_array_equal(res.phi, ref.phi)
    assert res.intershap == ref.intershap
    np.testing.assert_array_equal(res.labels, y.iloc[:20].to_numpy())  # labels given as a Series


class Recorder:
    """A model of one DataFrame that keeps every batch it saw (and returns two columns)."""

    def __init__(self):
        self.frames = []

    def __call__(self, frame):
        self.frames.append(frame.copy())
        z = frame["age"].to_numpy() / 100 + (frame["size"] == "large").to_numpy() * frame["bmi"].to_numpy() / 50
        z = z + (frame["site"] == "east").to_numpy()
        return np.stack([z, -z], axis=1)


def test_the_model_gets_the_original_columns_dtypes_and_whole_background_rows(setup):
    df, _, _ = setup
    X, bg = df.iloc[:4], df.iloc[50:60]
    rec = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", isw.CancellationWarning)  # not what this test is about
        isw.explain(rec, X, modalities=MODS, background=bg, output="raw", progress=False)
    assert rec.frames
    rows_x = {tuple(r) for r in X.astype(object).itertuples(index=False)}
    rows_b = [tuple(r) for r in bg.astype(object).itertuples(index=False)]
    for frame in rec.frames:
        assert list(frame.columns) == list(df.columns)
        assert list(frame.dtypes) == list(df.dtypes)  # category, float32, object, int64 kept
        assert frame["size"].cat.categories.tolist() == ["small", "large"]
        for row in frame.astype(object).itertuples(index=False):
            row = dict(zip(df.columns, row))
            for cols in MODS.values():  # a group comes whole from one X row or one background row
                part = tuple(row[c] for c in cols)
                idx = [list(df.columns).index(c) for c in cols]
                from_x = {tuple(r[i] for i in idx) for r in rows_x}
                from_b = {tuple(r[i] for i in idx) for r in rows_b}
                assert part in from_x or part in from_b


def test_dict_of_dataframes_is_the_same_as_column_groups(setup):
    df, _, pipe = setup
    X, bg = df.iloc[:8], df.iloc[100:120]
    order = [c for cols in MODS.values() for c in cols]
    as_dict = isw.explain(lambda frame: pipe.predict_proba(frame[list(df.columns)]),
                          {k: X[v] for k, v in MODS.items()}, {k: bg[v] for k, v in MODS.items()}, progress=False)
    grouped = isw.explain(pipe, X[order], modalities=MODS, background=bg[order], progress=False)
    np.testing.assert_array_equal(as_dict.coalition_values, grouped.coalition_values)
    assert as_dict.modality_names == list(MODS)


def test_inputs_are_not_modified_and_sample_explain_takes_frames(setup):
    df, _, pipe = setup
    X, bg = df.iloc[:5].copy(), df.iloc[100:110].copy()
    X0, bg0 = X.copy(), bg.copy()
    exact = isw.explain(pipe, X, modalities=MODS, background=bg, progress=False)
    sampled = isw.sample_explain(pipe, X, modalities=MODS, background=bg, budget=8, progress=False)
    pd.testing.assert_frame_equal(X, X0)
    pd.testing.assert_frame_equal(bg, bg0)
    np.testing.assert_allclose(sampled.phi, exact.phi, atol=1e-12)


def test_a_large_background_is_sampled_per_sample(setup):
    df, _, pipe = setup
    res = isw.explain(pipe, df.iloc[:3], modalities=MODS, background=df, progress=False)
    assert res.settings["masking"] == "sampled"
    assert np.all(np.isfinite(res.phi))


def test_a_background_with_other_columns_or_dtypes_is_refused(setup):
    df, _, pipe = setup
    X = df.iloc[:4]
    with pytest.raises(ValueError, match=r"background's columns differ.*missing \['site'\]"):
        isw.explain(pipe, X, modalities=MODS, background=df.drop(columns="site"), progress=False)
    with pytest.raises(ValueError, match=r"background's dtypes differ.*'bmi': float32 vs float64.*astype"):
        isw.explain(pipe, X, modalities=MODS, background=df.astype({"bmi": "float64"}), progress=False)
    with pytest.raises(ValueError, match=r"'size': category"):
        isw.explain(pipe, X, modalities=MODS, background=df.astype({"size": object}), progress=False)
    with pytest.raises(TypeError, match="background must be too"):
        isw.explain(pipe, X, modalities=MODS, background=[df.to_numpy()], progress=False)


@pytest.mark.parametrize("mods, pattern", [
    ({"a": ["age", "bmi", "visits"], "b": ["size"]}, r"columns \['site'\] of X are in no modality"),
    ({"a": ["age", "bmi", "visits", "size"], "b": ["size", "site"]}, r"column 'size' is in modalities 'a' and 'b'"),
    ({"a": ["age", "bmi", "visits", "nope"], "b": ["size", "site"]}, r"names columns \['nope'\]"),
])
def test_column_groups_are_checked(setup, mods, pattern):
    df, _, pipe = setup
    with pytest.raises(ValueError, match=pattern):
        isw.explain(pipe, df.iloc[:4], modalities=mods, progress=False)


def test_a_dataframe_without_modalities_says_what_to_pass(setup):
    df, _, pipe = setup
    with pytest.raises(TypeError, match="say which columns form each modality"):
        isw.explain(pipe, df.iloc[:4], progress=False)
    with pytest.raises(TypeError, match="modalities= names column groups of a pandas DataFrame"):
        isw.explain(pipe, [np.ones((4, 2)), np.ones((4, 2))], modalities=MODS, progress=False)


def test_a_torch_module_is_refused_with_a_dataframe(setup):
    torch = pytest.importorskip("torch")
    df, _, _ = setup
    with pytest.raises(TypeError, match="torch module, which takes tensors"):
        isw.explain(torch.nn.Linear(2, 2), df.iloc[:4], modalities=MODS, progress=False)


def test_a_column_group_the_model_ignores_gets_zero(setup):
    df, y, _ = setup
    pipe = make_pipeline(ColumnTransformer([("num", StandardScaler(), ["age", "bmi"]),
                                            ("cat", OneHotEncoder(), ["size"])]),
                         LogisticRegression()).fit(df, y)  # ignores 'visits' and 'site'
    mods = {"clinical": ["age", "bmi"], "imaging": ["size"], "unused": ["visits", "site"]}
    res = isw.explain(pipe, df.iloc[:10], modalities=mods, background=df.iloc[100:120], progress=False)
    # zero to rounding (predict_proba of the same rows in another batch differs in the last bit)
    np.testing.assert_allclose(res.phi[:, 2, :], 0, atol=1e-15)
    np.testing.assert_allclose(res.shapley[:, 2], 0, atol=1e-15)
    assert np.abs(res.shapley[:, :2]).max() > 1e-3


def test_pandas_extension_dtypes_travel_and_an_additive_model_has_no_interaction():
    """pandas' string dtype, a nullable Int64 column with a missing value and a bool column
    reach the model as they were; an additive model of the groups gets no interaction."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=30), "s": pd.array(rng.choice(["x", "y"], 30), dtype="string"),
                       "n": pd.array(rng.integers(0, 3, 30), dtype="Int64"), "b": rng.random(30) > 0.5})
    df.loc[3, "n"] = pd.NA
    seen = []

    def model(frame):
        seen.append(dict(frame.dtypes))
        z = (frame["a"].to_numpy() + frame["b"].to_numpy()
             + (frame["s"] == "x").to_numpy(dtype=float) + frame["n"].fillna(0).to_numpy(dtype=float))
        return np.stack([z, -z], 1)

    res = isw.explain(model, df, modalities={"A": ["a", "b"], "S": ["s", "n"]}, output="raw", progress=False)
    assert all(d == dict(df.dtypes) for d in seen)
    np.testing.assert_allclose(res.phi[:, 0, 1], 0, atol=1e-12)
    assert np.abs(res.shapley).max() > 0.1
