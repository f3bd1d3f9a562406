"""Speed-up of the factorised path on the transformers vision-language classifier
(``intershap_widget.paper.vision_language``: BERT text encoder, ViT image encoder, tabular
MLP, fusion head): ``isw.explain(model, X, B)`` against ``isw.explain(model.factorised(), X, B)``
at N samples, K background rows, M = 3 (text = input_ids + attention_mask). Both in one run;
the coalition values agree to float tolerance. Weights are random: speed does not depend on
training.

    PYTHONPATH=. python benchmarks/bench_transformer.py [--n 32] [--k 16] [--threads 1] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.paper import vision_language as vl


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=32)
    p.add_argument("--k", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model = vl.VisionLanguageClassifier(seed=0).eval()
    X, _ = vl.make_data(args.n, seed=0)
    B, _ = vl.make_data(args.k, seed=1)
    kw = dict(progress=False, n_background=args.k)
    t_plain, plain = best_of(lambda: isw.explain(model, X, B, **kw), args.repeat)
    t_fact, fact = best_of(lambda: isw.explain(model.factorised(), X, B, **kw), args.repeat)
    err = float(np.abs(plain.coalition_values - fact.coalition_values).max())
    print(f"N={args.n} K={args.k} M=3 model rows={plain.settings['model_rows']} threads={args.threads}")
    print(f"plain      {t_plain:8.3f} s")
    print(f"factorised {t_fact:8.3f} s")
    print(f"speed-up   {t_plain / t_fact:8.1f}x   (max |difference| of coalition values {err:.1e})")


if __name__ == "__main__":
    main()
