"""DataFrame input: explain(pipe, df, modalities=...) against the same run written by hand
(numpy groups and a wrapper that builds the frame) and against the bare forward passes
(predict_proba on frames of the same rows, built beforehand). Prints ratios measured in
one run; the frame is built once per batch, so the overhead over the hand-written
wrapper should stay near 1x.

    python benchmarks/bench_frames.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import intershap_widget as isw


def main(n: int = 200, k: int = 100, repeats: int = 3) -> None:
    data = load_breast_cancer(as_frame=True)
    df = data.data.copy()
    df["size"] = pd.cut(df["mean area"], [0, 400, 800, np.inf], labels=["small", "medium", "large"])
    groups = {"mean": [c for c in df if c.startswith("mean")] + ["size"],
              "error": [c for c in df if c.endswith("error")], "worst": [c for c in df if c.startswith("worst")]}
    numeric = [c for c in df if c != "size"]
    pipe = make_pipeline(ColumnTransformer([("n", StandardScaler(), numeric), ("c", OneHotEncoder(), ["size"])]),
                         LogisticRegression(max_iter=5000)).fit(df, data.target)
    X, B = df.iloc[:n], df.iloc[n:n + k]
    dtype = df["size"].dtype

    def groups_of(frame):
        return {g: {c: (frame[c].cat.codes.to_numpy() if c == "size" else frame[c].to_numpy()) for c in cols}
                for g, cols in groups.items()}

    def wrapper(batch):
        cols = {c: (pd.Categorical.from_codes(v, dtype=dtype) if c == "size" else v) for c, v in batch.items()}
        return pipe.predict_proba(pd.DataFrame(cols)[list(df.columns)])

    rows = n * 6 * k + n + k
    frames = [pd.concat([B] * (4096 // k + 1)).iloc[:4096] for _ in range(1)]

    def bare():
        for _ in range(rows // 4096 + 1):
            pipe.predict_proba(frames[0])

    def timed(fn):
        best = np.inf
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        return best

    t_frame = timed(lambda: isw.explain(pipe, X, modalities=groups, background=B, batch_size=4096, progress=False))
    t_hand = timed(lambda: isw.explain(wrapper, groups_of(X), groups_of(B), batch_size=4096, progress=False))
    t_bare = timed(bare)
    print(f"N={n}, K={k}, M=3: {rows:,} model rows in batches of 4,096")
    print(f"DataFrame form   {t_frame:.3f} s   ({t_frame / t_hand:.2f}x the hand-written wrapper, "
          f"{t_frame / t_bare:.2f}x the bare forward passes)")
    print(f"hand-written     {t_hand:.3f} s   ({t_hand / t_bare:.2f}x the bare forward passes)")
    print(f"bare predict_proba on prebuilt frames {t_bare:.3f} s")


if __name__ == "__main__":
    main()
