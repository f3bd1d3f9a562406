"""Precision per model row: the paper's masking, the old default and the new default
against the exact expectation over the whole background (issue 13).

Set-up: the package's HD-XOR synergy generator and early-fusion FCNN (trained briefly,
seeded), N test samples explained, B validation rows as background, target = the
predicted class. Reference: the exact expectation over all B rows. For M = 2, 3, 4 it
prints, per masking: model rows, median wall time, the global-score error and the
per-sample φ error (RMS over seeds, against the reference), and the masking standard
errors the runs report.

* paper: ``RandomMasker(1000, empty="background")``: 1,000 draws per (sample, coalition)
* old default: ``precision=None``: exact over one seeded 100-row subsample for all samples
* new default: per-sample stratified rows, as many as the default precision needs

Usage: python benchmarks/bench_precision.py            # N=200, B=1000, 3 seeds (minutes)
       python benchmarks/bench_precision.py --full     # N=500, B=3000, 5 seeds (the issue's set-up)
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.paper import datasets as D
from intershap_widget.paper import fusion as F


def trained(m: int, n_samples: int, epochs: int):
    ds = D.hd_xor("synergy", m, n_samples, seed=0)
    train, valid, test = ds.split("train"), ds.split("valid"), ds.split("test")
    model = F.make_model(ds.dims, "early", n_classes=2, seed=1)
    F.train_model(model, train.X, train.y, epochs=epochs, batch_size=128, lr=1e-3, seed=1, progress=False)
    f1 = F.f1_macro(test.y, F.predict_proba(model, test.X).argmax(1))
    return model, valid, test, f1


def run(model, X, bg, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        res = isw.explain(model, X, bg, output="logits", progress=False, **kw)
        return res, time.perf_counter() - t


def bench(m: int, n: int, b: int, seeds: int, n_samples: int, epochs: int, draws: int) -> list[dict]:
    model, valid, test, f1 = trained(m, n_samples, epochs)
    X = [x[:n] for x in test.X]
    bg = [x[:b] for x in valid.X]
    ref, t_ref = run(model, X, bg, n_background=b)
    print(f"\nM={m}: N={n}, B={b}, early-fusion FCNN test F1 {f1:.3f}; reference InterSHAP "
          f"{ref.intershap:.4f} ({ref.settings['model_rows']:,} rows, {t_ref:.1f} s)")
    methods = {
        f"paper ({draws} draws)": lambda s: dict(masking=isw.RandomMasker(draws, seed=s, empty="background")),
        "old default (K=100 shared)": lambda s: dict(precision=None, n_background=100, seed=s),
        "new default": lambda s: dict(seed=s),
    }
    out = []
    for name, kw in methods.items():
        g_err, phi_err, times, rows, se_g, se_phi = [], [], [], [], [], []
        for s in range(seeds):
            res, t = run(model, X, bg, **kw(s))
            g_err.append(res.intershap - ref.intershap)
            phi_err.append(np.sqrt(np.mean((res.phi - ref.phi) ** 2)))
            times.append(t)
            rows.append(res.settings["model_rows"])
            se_g.append(res.intershap_masking_se)
            se_phi.append(res.masking_se.phi_rms)
        rec = dict(m=m, method=name, rows=int(np.mean(rows)), seconds=float(np.median(times)),
                   global_err=float(np.sqrt(np.mean(np.square(g_err)))), phi_rms=float(np.sqrt(np.mean(np.square(phi_err)))),
                   se_global=float(np.mean(se_g)), se_phi=float(np.mean(se_phi)))
        out.append(rec)
        print(f"  {name:28s} rows {rec['rows']:>11,}  {rec['seconds']:7.2f} s  global err ±{rec['global_err']:.4f} "
              f"(reported SE {rec['se_global']:.4f})  φ RMS err {rec['phi_rms']:.4f} (reported {rec['se_phi']:.4f})",
              flush=True)
    paper, new = out[0], out[2]
    print(f"  new default vs paper: {paper['rows'] / new['rows']:.1f}× fewer model rows, "
          f"{paper['seconds'] / new['seconds']:.1f}× faster; global error {new['global_err']:.4f} vs "
          f"{paper['global_err']:.4f}, φ RMS {new['phi_rms']:.4f} vs {paper['phi_rms']:.4f}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the issue's set-up: N=500, B=3000, 5 seeds")
    ap.add_argument("--n", type=int, default=None, help="samples explained")
    ap.add_argument("--background", type=int, default=None, help="background rows (validation split)")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--draws", type=int, default=1000, help="the paper's draws per coalition")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--ms", default="2,3,4")
    args = ap.parse_args()
    n = args.n or (500 if args.full else 200)
    b = args.background or (3000 if args.full else 1000)
    seeds = args.seeds or (5 if args.full else 3)
    torch.set_num_threads(1)
    print(__doc__.split("\n\n")[0])
    for m in (int(x) for x in args.ms.split(",")):
        bench(m, n, b, seeds, 20_000, args.epochs, args.draws)


if __name__ == "__main__":
    main()
