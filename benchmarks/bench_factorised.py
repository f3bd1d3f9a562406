"""Speed-up of the factorised path (encoders once, head per coalition) against the
plain path, for the paper's late-fusion FCNN at N = 500, M = 4, K = 50.

Late fusion (paper appendix B, ``intershap_widget.paper.fusion``): per modality a two-layer
encoder, the encodings concatenated, then the class layer. Modality sizes (110, 90, 100, 110)
as in the paper's four-modality HD-XOR. Weights are random: speed does not depend on
training.

    PYTHONPATH=. python benchmarks/bench_factorised.py [--threads 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.explainers.exact import explain_factorised
from intershap_widget.explainers.factorised import Factorised
from intershap_widget.paper.fusion import make_model

DIMS = (110, 90, 100, 110)


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--k", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = make_model(DIMS, "late", seed=0)
    X = [rng.normal(size=(args.n, d)).astype(np.float32) for d in DIMS]
    bg = [rng.normal(size=(args.k, d)).astype(np.float32) for d in DIMS]
    kw = dict(n_background=args.k, progress=False)
    t_plain, plain = best_of(lambda: isw.explain(model, X, bg, **kw), args.repeat)
    fm = Factorised.from_model(model, concat=True)
    t_fact, fact = best_of(lambda: explain_factorised(fm, X, bg, **kw), args.repeat)
    rows = plain.settings["model_rows"]
    diff = np.abs(fact.coalition_values - plain.coalition_values).max()
    print(f"late-fusion FCNN {DIMS}, N={args.n}, M={len(DIMS)}, K={args.k}, torch threads={args.threads}")
    print(f"  plain path      {t_plain:8.3f} s  ({rows} full-model rows)")
    print(f"  factorised path {t_fact:8.3f} s  ({args.n + args.k} encoder rows per modality, {rows} head rows)")
    print(f"  speed-up        {t_plain / t_fact:8.1f} x")
    print(f"  max |difference| of coalition values: {diff:.2e} (float32 model)")
    print(f"  InterSHAP plain {100 * plain.intershap:.3f} %  factorised {100 * fact.intershap:.3f} %")


if __name__ == "__main__":
    main()
