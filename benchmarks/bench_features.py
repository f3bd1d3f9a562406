"""explain_features() against the row floor: the model's own forward passes of the same rows.

Prints, measured in one run on this machine (load from other processes affects both sides):
  * exact path: explain_features() wall time / time to push the same number of model rows
    (N·(2**(M−1+G) − 2)·K + N + K) through the model at its best batch size of a few, for the
    paper's early-fusion FCNN split 4 ways, modality 0 split into G column features;
  * sampled path: the same ratio for its rows (U·N·K + N + K), and the rows it needs against
    the exact path's, at G where the exact path is still possible;
  * the same exact run as plain ``explain`` over the joint players (modality 0 handed over
    already split into G modalities): what the split model adds to explain's own overhead;
  * the feature transforms alone (v(S, T) → parts) for N = 1,000 samples at M = 3, G = 12.

Usage: python benchmarks/bench_features.py [--n 40] [--k 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.maths import features

SIZES = (24, 16, 16, 16)


class EarlyFusion(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        d = sum(SIZES)
        self.net = torch.nn.Sequential(torch.nn.Linear(d, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))

    def forward(self, xs):
        return self.net(torch.cat(xs, dim=1))


def floor(model, rows: int) -> float:
    """Best seconds over a few batch sizes to run ``rows`` prebuilt rows through the model."""
    best = float("inf")
    for batch in (1024, 4096, 16384):
        xs = [torch.randn(min(rows, batch), d) for d in SIZES]
        start = time.perf_counter()
        with torch.inference_mode():
            done = 0
            while done < rows:
                b = min(batch, rows - done)
                model([x[:b] for x in xs])
                done += b
        best = min(best, time.perf_counter() - start)
    return best


class PreSplit(torch.nn.Module):
    """The model on modality 0 given as G column blocks (the joint players as plain modalities)."""

    def __init__(self, model, g: int) -> None:
        super().__init__()
        self.model, self.g = model, g

    def forward(self, xs):
        return self.model([torch.cat(xs[: self.g], 1)] + list(xs[self.g:]))


def timed(fn):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = EarlyFusion()
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(args.n, d)).astype(np.float32) for d in SIZES]
    bg = [x[: args.k] for x in X]
    isw.explain(model, X, bg, progress=False)  # warm-up: torch's first calls, imports
    for g in (6, 10):
        groups = {f"f{c}": list(range(c * SIZES[0] // g, (c + 1) * SIZES[0] // g)) for c in range(g)}
        fr, t = timed(lambda: isw.explain_features(model, X, bg, modality=0, features=groups, progress=False))
        rows = fr.settings["model_rows"]
        print(f"exact   G={g:2d}: {rows:>9,} rows  {t:6.2f} s  floor {floor(model, rows):6.2f} s  "
              f"ratio {t / floor(model, rows):5.2f}  sums error {fr.sums_error():.1e}")
        blocks = [X[0][:, cols] for cols in groups.values()] + X[1:]
        res, tj = timed(lambda: isw.explain(PreSplit(model, g), blocks, [b[: args.k] for b in blocks], progress=False))
        print(f"        explain over the same {len(blocks)} players, pre-split: {tj:6.2f} s "
              f"(explain_features / explain {t / tj:4.2f})")
        frs, ts = timed(lambda: isw.explain_features(model, X, bg, modality=0, features=groups, n_permutations=16,
                                                     progress=False))
        srows = frs.settings["coalitions"] * args.n * args.k + args.n + args.k
        print(f"sampled G={g:2d}: {srows:>9,} rows  {ts:6.2f} s  floor {floor(model, srows):6.2f} s  "
              f"ratio {ts / floor(model, srows):5.2f}  rows vs exact {srows / rows:5.2f}  "
              f"max |sampled − exact| {np.abs(frs.interaction - fr.interaction).max():.1e}  "
              f"max SE {frs.interaction_se.max():.1e}")
    v = rng.normal(size=(1000, 4, 1 << 12))
    _, t = timed(lambda: features.feature_parts(v, 1, 3))
    print(f"transform alone: N=1,000, M=3, G=12: {t:.2f} s")


if __name__ == "__main__":
    main()
