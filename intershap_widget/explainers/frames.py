"""pandas in, pandas out: a DataFrame with named column groups as the modalities.

``explain(model, df, modalities={"mean": [...], "error": [...]}, background=df_bg)``
(or ``X = {"mean": df_mean, "error": df_error}``, a dict of DataFrames) explains a model
that takes one DataFrame, e.g. a scikit-learn ``Pipeline`` with a ``ColumnTransformer``
that selects columns by name and a ``OneHotEncoder`` on string or categorical columns.

How it works, outside the hot path: :func:`prepare` turns every column into one numpy
array ``(N,)`` and every column group into a dict group of those arrays (the package's
grouped-modality form, :mod:`.inputs`), so masking copies whole rows of a group's
columns from the background, row for row, with the same numpy gathers as any other
input. Columns whose dtype numpy cannot gather as numbers (strings, ``category``,
pandas' nullable and string dtypes) travel as integer codes into their values, shared
by X and the background. The model is wrapped in :class:`FrameModel`: per batch,
:meth:`FrameLayout.frame` decodes the codes (one ``take`` per column) and builds one
DataFrame with the original columns, in the original order, with the original dtypes;
the adapter then calls the model with it as it would call it with one array
(``predict_proba``/``predict``/``decision_function`` for scikit-learn, else
``model(frame)``).

A polars DataFrame is refused with the conversion to pass (``df.to_pandas()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["FrameModel", "FrameLayout", "is_frame", "uses_frames", "prepare"]


def is_frame(obj: Any) -> bool:
    """True for a pandas DataFrame (checked without importing pandas)."""
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "columns") and hasattr(obj, "dtypes")


def _is_polars(obj: Any) -> bool:
    return type(obj).__module__.startswith("polars")


def uses_frames(X: Any, modalities: Any) -> bool:
    """Whether ``X`` (with ``modalities=``) is given as DataFrames: one DataFrame, or a dict
    whose values are DataFrames. A polars frame is refused here with what to pass."""
    if _is_polars(X) or (isinstance(X, Mapping) and any(_is_polars(v) for v in X.values())):
        raise TypeError("X is a polars DataFrame; pass a pandas DataFrame (df.to_pandas()) with modalities=, "
                        "or a dict of arrays")
    if is_frame(X):
        return True
    if modalities is not None:
        raise TypeError(f"modalities= names column groups of a pandas DataFrame X; X is a {type(X).__name__}. "
                        "For arrays, pass X as a dict {name: array} or a list of M arrays")
    return isinstance(X, Mapping) and bool(X) and any(is_frame(v) for v in X.values())


@dataclass(frozen=True)
class FrameLayout:
    """How to rebuild the model's DataFrame from the M modality groups.

    columns : the original column labels, in order; groups : per modality, its column
    labels (in the order of its arrays); dtypes : per column, the original dtype;
    decoders : per column, None (the array is the column) or the values its integer
    codes index (a numpy array or a pandas ExtensionArray, taken with ``.take``).
    """

    columns: tuple
    groups: tuple
    dtypes: tuple
    decoders: tuple

    def frame(self, values: Sequence[Any]) -> Any:
        """One DataFrame ``(B, n_columns)`` from M groups of column arrays ``(B,)``."""
        import pandas as pd

        by_label: dict = {}
        decoders = dict(zip(self.columns, self.decoders))
        dtypes = dict(zip(self.columns, self.dtypes))
        for cols, group in zip(self.groups, values):
            for col, arr in zip(cols, group.leaves):
                dec = decoders[col]
                if dec is None:
                    by_label[col] = arr
                elif isinstance(dtypes[col], pd.CategoricalDtype):
                    by_label[col] = pd.Categorical.from_codes(arr, dtype=dtypes[col])
                else:
                    by_label[col] = dec.take(arr)
        return pd.DataFrame({c: by_label[c] for c in self.columns}, copy=False)


@dataclass(frozen=True)
class FrameModel:
    """A model that takes one DataFrame, and the :class:`FrameLayout` it is fed through
    (the adapter builds the frame per batch and calls ``model`` with it)."""

    model: Any
    layout: FrameLayout

    def __call__(self, values: Sequence[Any]) -> Any:
        """The model's output on the frame built from M column groups."""
        return self.model(self.layout.frame(values))


def _numeric(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "biufcmM"


def _column_groups(X: Any, modalities: Any, what: str) -> tuple[dict, list]:
    """``({name: [(frame, column label), ...]}, frames)`` from a DataFrame with
    ``modalities={name: [columns]}``, or a dict of DataFrames (each one group)."""
    if is_frame(X):
        if not isinstance(modalities, Mapping) or not modalities:
            raise TypeError(
                f"{what} is a DataFrame: say which columns form each modality, e.g. modalities={{'mean': "
                "['mean radius', ...], 'error': [...]}} (a dict: modality name -> list of column names)")
        cols = list(X.columns)
        if len(set(cols)) != len(cols):
            dup = sorted({str(c) for c in cols if cols.count(c) > 1})
            raise ValueError(f"{what} has duplicate column names {dup}; give every column its own name")
        seen: dict = {}
        groups = {}
        for name, members in modalities.items():
            members = [members] if isinstance(members, str) else list(members)
            if not members:
                raise ValueError(f"modalities[{name!r}] lists no columns; give every modality at least one column")
            unknown = [c for c in members if c not in set(cols)]
            if unknown:
                raise ValueError(f"modalities[{name!r}] names columns {unknown} that {what} does not have; "
                                 f"its columns are {cols}")
            for c in members:
                if c in seen:
                    raise ValueError(f"column {c!r} is in modalities {seen[c]!r} and {name!r}; put each column "
                                     "in exactly one modality")
                seen[c] = name
            groups[str(name)] = [(X, c) for c in members]
        left = [c for c in cols if c not in seen]
        if left:
            raise ValueError(
                f"the columns {left} of {what} are in no modality; the model gets every column of {what}, so "
                "add each to a modality (a column the model ignores gets a Shapley value of 0), or drop it from "
                f"{what} if the model does not take it")
        return groups, [X]
    bad = [str(k) for k, v in X.items() if not is_frame(v)]
    if bad:
        raise TypeError(f"{what} is a dict of DataFrames but {bad} are not DataFrames; pass every modality as a "
                        "DataFrame of its columns (the model gets them side by side), or every one as arrays")
    if modalities is not None:
        raise TypeError(f"{what} is a dict of DataFrames, whose keys already name the modalities; leave out modalities=")
    groups = {str(k): [(v, c) for c in v.columns] for k, v in X.items()}
    labels = [c for g in groups.values() for _, c in g]
    if len(set(labels)) != len(labels):
        dup = sorted({str(c) for c in labels if labels.count(c) > 1})
        raise ValueError(f"the DataFrames of {what} share the column names {dup}; the model gets one DataFrame "
                         "of all columns, so give every column its own name")
    lengths = {len(v) for v in X.values()}
    if len(lengths) != 1:
        raise ValueError(f"the DataFrames of {what} have {sorted(lengths)} rows; every modality needs the same rows")
    return groups, list(X.values())


def _background_frames(background: Any, groups: dict, x_frames: list) -> dict:
    """Per column label, the background's column (Series), checked against X's columns and dtypes."""
    if isinstance(background, Mapping) and not is_frame(background):
        bad = [str(k) for k, v in background.items() if not is_frame(v)]
        if bad or set(map(str, background)) != set(groups):
            raise ValueError(f"background must be a dict of DataFrames with the modalities {list(groups)}, "
                             f"as X; got {[str(k) for k in background]}")
        by_col = {c: v[c] for v in background.values() for c in v.columns}
    elif is_frame(background):
        by_col = {c: background[c] for c in background.columns}
    else:
        raise TypeError(f"X is given as DataFrames, so background must be too (the same columns and dtypes); "
                        f"got {type(background).__name__}")
    x_cols = [c for g in groups.values() for _, c in g]
    missing = [c for c in x_cols if c not in by_col]
    extra = [c for c in by_col if c not in set(x_cols)]
    if missing or extra:
        raise ValueError(f"the background's columns differ from X's: missing {missing}, not in X {extra}; "
                         "pass background rows with X's columns, e.g. df_bg[df.columns]")
    x_dtype = {c: f[c].dtype for g in groups.values() for f, c in g}
    wrong = {c: (str(x_dtype[c]), str(by_col[c].dtype)) for c in x_cols if not _same_dtype(x_dtype[c], by_col[c].dtype)}
    if wrong:
        raise ValueError(
            "the background's dtypes differ from X's (column: X's, background's): "
            + ", ".join(f"{c!r}: {a} vs {b}" for c, (a, b) in wrong.items())
            + "; the model gets the background's values in X's columns, so cast it, e.g. df_bg.astype(df.dtypes)")
    return by_col


def _same_dtype(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and str(a) == str(b)
    except TypeError:
        return False


def _encode(x_col: Any, b_col: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    """``(X's array (N,), the background's (K,), decoder)`` of one column: numbers as they
    are (decoder None); categories as their codes; any other dtype as codes into the
    values of X and the background together (missing values included)."""
    import pandas as pd

    dtype = x_col.dtype
    if _numeric(dtype):
        return x_col.to_numpy(), b_col.to_numpy(), None
    if isinstance(dtype, pd.CategoricalDtype):
        return (np.asarray(x_col.cat.codes, dtype=np.int64), np.asarray(b_col.cat.codes, dtype=np.int64),
                np.asarray(dtype.categories))
    both = pd.concat([x_col, b_col], ignore_index=True)
    codes, uniques = pd.factorize(both.array, use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    return codes[:len(x_col)], codes[len(x_col):], uniques


def prepare(model: Any, X: Any, background: Any, modalities: Any) -> tuple[FrameModel, dict, dict | None]:
    """``(FrameModel, X as groups, background as groups or None)``: the DataFrame input in
    the package's grouped dict form ``{modality: {column: (N,) array}}`` and the model
    wrapped to get one DataFrame per batch (raises, naming what to change, before any
    model call)."""
    if isinstance(model, FrameModel):
        model = model.model
    if model is None or type(model).__name__ in ("Factorised", "Concatenated"):
        raise TypeError(f"X is a DataFrame, so the model must take one DataFrame (a scikit-learn Pipeline, or a "
                        f"callable model(df)); got {type(model).__name__}. model_factory= does not apply here")
    if hasattr(model, "parameters") and hasattr(model, "state_dict"):
        raise TypeError("X is a DataFrame but the model is a torch module, which takes tensors; pass X as a "
                        "dict of arrays (e.g. {name: df[cols].to_numpy('float32')}) instead")
    groups, _ = _column_groups(X, modalities, "X")
    x_cols = {c: f[c] for g in groups.values() for f, c in g}
    b_cols = x_cols if background is None else _background_frames(background, groups, [])
    xs: dict = {}
    bg: dict = {}
    decoders: dict = {}
    for name, members in groups.items():
        xs[name], bg[name] = {}, {}
        for _, c in members:
            xa, ba, dec = _encode(x_cols[c], b_cols[c])
            xs[name][str(c)], bg[name][str(c)], decoders[c] = xa, ba, dec
    columns = tuple(X.columns) if is_frame(X) else tuple(c for g in groups.values() for _, c in g)
    layout = FrameLayout(columns=columns, groups=tuple(tuple(c for _, c in g) for g in groups.values()),
                         dtypes=tuple(x_cols[c].dtype for c in columns),
                         decoders=tuple(decoders[c] for c in columns))
    return FrameModel(model, layout), xs, (None if background is None else bg)
