"""explain() against the cost floor of the model's own forward passes.

Prints, measured in one run on this machine:
  * ratio = explain() wall time (automatic batch size) / time to push the same number
    of model rows (N·(2**M − 2)·K + N + K) through the model at its best batch size
    of several (256 … 65,536 rows), for the paper's early-fusion FCNN and a wider MLP
    at N = 500, M = 4, K = 50 (goal: <= 1.1);
  * the time of the exact transform alone (coalition values → φ, Shapley, scores)
    for N = 100,000 samples at M = 8 (goal: < 1 s).

Usage: python benchmarks/bench_explain.py [--repeats 3] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.maths import games, scores

SIZES = (110, 90, 100, 110)


class EarlyFusionFCNN(torch.nn.Module):
    """The paper's early-fusion FCNN: concat → D → D/2 → D/4 → classes."""

    def __init__(self, sizes=SIZES, n_classes=2):
        super().__init__()
        d = sum(sizes)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(d, d // 2), torch.nn.ReLU(),
            torch.nn.Linear(d // 2, d // 4), torch.nn.ReLU(),
            torch.nn.Linear(d // 4, n_classes),
        )

    def forward(self, xs):
        return self.net(torch.cat(xs, dim=1))


def floor_time(model, rows: int, device: str, batch: int) -> float:
    """Seconds to run `rows` random rows through the model in batches (inputs prebuilt)."""
    gen = torch.Generator().manual_seed(0)
    inputs = [torch.randn(min(rows, batch), d, generator=gen).to(device) for d in SIZES]
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    with torch.inference_mode():
        done = 0
        while done < rows:
            b = min(batch, rows - done)
            model([x[:b] for x in inputs])
            done += b
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start


BATCHES = (256, 1024, 4096, 16384, 65536)


class WideFCNN(torch.nn.Module):
    """A wider early-fusion MLP (concat → 2048 → 512 → classes), to check the batch rule."""

    def __init__(self, sizes=SIZES, n_classes=2):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(sum(sizes), 2048), torch.nn.ReLU(),
            torch.nn.Linear(2048, 512), torch.nn.ReLU(), torch.nn.Linear(512, n_classes),
        )

    def forward(self, xs):
        return self.net(torch.cat(xs, dim=1))


def bench_explain(model_cls=EarlyFusionFCNN, n=500, k=50, repeats=3, device="cpu") -> None:
    torch.manual_seed(0)
    model = model_cls().to(device).eval()
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, d)).astype(np.float32) for d in SIZES]
    bg = [x[:k] for x in X]
    m = len(SIZES)
    rows = n * (2**m - 2) * k + n + k
    isw.explain(model, [x[:5] for x in X], [b[:5] for b in bg], progress=False)  # warm-up
    ours, floor = [], {b: [] for b in BATCHES}
    for _ in range(repeats):  # interleaved, so all see the same machine load
        t = time.perf_counter()
        res = isw.explain(model, X, bg, progress=False)
        ours.append(time.perf_counter() - t)
        for b in BATCHES:
            floor[b].append(floor_time(model, rows, device, b))
    assert res.settings["model_rows"] == rows
    print(f"  (calibration: {res.settings['calibration_rows']:,} rows)")
    best_b = min(BATCHES, key=lambda b: min(floor[b]))
    best = min(floor[best_b])
    print(f"explain: N={n}, M={m}, K={k}, {model_cls.__name__} ({model_cls.__doc__.split(':')[0].strip()}), device={device}")
    print(f"  model rows          {rows:,}; explain()'s automatic batch {res.settings['batch_size']:,} rows")
    print("  forward-pass floor  " + ", ".join(f"batch {b:,}: {min(floor[b]):.3f} s" for b in BATCHES))
    print(f"  explain()           {min(ours):.3f} s (best of {repeats})")
    print(f"  ratio explain / floor at the model's best batch ({best_b:,}) {min(ours) / best:.3f}   (goal <= 1.1)")


def bench_transform(n=100_000, m=8, repeats=3) -> None:
    v = np.random.default_rng(1).normal(size=(n, 2**m))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        phi = games.interaction_matrices(v)
        scores.intershap_score(scores.global_matrix(phi))
        scores.local_scores(phi)
        times.append(time.perf_counter() - t)
    print(f"exact transform + scores: N={n:,}, M={m}: {min(times):.3f} s (best of {repeats}; goal < 1 s)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    bench_explain(EarlyFusionFCNN, repeats=args.repeats, device=args.device)
    bench_explain(WideFCNN, n=100, repeats=args.repeats, device=args.device)
    bench_transform(repeats=args.repeats)
