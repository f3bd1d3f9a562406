"""Speed at the paper's precision (issue 22): our default against the paper's estimator,
side by side, on the paper's early-fusion FCNN.

Set-up: the package's HD-XOR synergy generator and early-fusion FCNN (trained briefly,
seeded), N test samples explained, B validation rows as background, target = the
predicted class, one torch thread. Reference: the exact expectation over all B rows.
For M = 2, 3, 4 and each seed it prints, per method: wall time, model rows, the
global-score error, the φ RMS error and the local-score RMS error against the
reference, and the speed ratio paper / ours measured in the same seed (same machine
state). Methods:

* paper: ``RandomMasker(1000, empty="background")`` on the model as it is
  (``factorise=False``): the paper's estimator and its cost per row
* paper, first layer factorised: the same estimator with our cheaper rows
* ours: ``isw.explain`` with its defaults (first layer factorised, per-sample
  stratified rows to the default precision, calibrated batch size)

``--batch`` times instead, per M, our default at every batch size 1,024 … 65,536 and
with the calibrated size (several runs), and prints the calibrated size's rate
against the best fixed size (issue 22, item 3).

Usage: python benchmarks/bench_speed.py                 # N=500, B=3000, M=2,3,4, 2 seeds (~20 min)
       python benchmarks/bench_speed.py --ms 4 --seeds 3
       python benchmarks/bench_speed.py --batch --n 100  # the batch-size check
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from bench_precision import run, trained  # the same trained FCNN and timed call

import intershap_widget as isw


def errors(res, ref) -> dict:
    return dict(global_err=abs(res.intershap - ref.intershap),
                phi_rms=float(np.sqrt(np.mean((res.phi - ref.phi) ** 2))),
                local_rms=float(np.sqrt(np.nanmean((res.intershap_local - ref.intershap_local) ** 2))))


def stopping(res) -> str:
    """Reported standard errors and the rows per sample K against K*, the rows at which
    the reported variances meet the targets exactly (no margin, no rounding: what an
    oracle knowing those variances would take; SE² ∝ 1/K − 1/B)."""
    me = res.settings.get("masking_error") or {}
    targets, k = me.get("targets"), me.get("rows_per_sample")
    text = f"reported SE global {me.get('intershap_se', float('nan')):.4f} phi {me.get('phi_rms_se', float('nan')):.4f}"
    if not targets or not k:
        return text
    b = res.settings["n_background"]
    need = 1
    for key, se in (("global", me["intershap_se"]), ("phi", me["phi_rms_se"])):
        if key in targets and k < b and se > 0:
            s2 = se**2 / (1 / k - 1 / b)
            need = max(need, 1 / (targets[key] ** 2 / s2 + 1 / b))
    return text + f"; K={k}, K*={need:.0f} ({k / need:.2f}x)"


METHODS = {
    "paper (1000 draws)": lambda s: dict(masking=isw.RandomMasker(1000, seed=s, empty="background"), factorise=False),
    "paper, first layer factorised": lambda s: dict(masking=isw.RandomMasker(1000, seed=s, empty="background")),
    "ours (default)": lambda s: dict(seed=s),
}


def bench(m: int, n: int, b: int, seeds: int, epochs: int) -> None:
    model, valid, test, _ = trained(m, 20_000, epochs)
    X, bg = [x[:n] for x in test.X], [x[:b] for x in valid.X]
    ref, t_ref = run(model, X, bg, n_background=b)
    print(f"\nM={m}: N={n}, B={b}; reference InterSHAP {ref.intershap:.4f} "
          f"({ref.settings['model_rows']:,} rows, {t_ref:.1f} s, first layer factorised)", flush=True)
    print(f"  {'method':30s} {'time':>8s} {'rows':>11s} {'batch':>6s} {'global err':>10s} {'phi RMS':>8s} "
          f"{'local RMS':>9s}")
    ratios, table = [], {name: [] for name in METHODS}
    for s in range(seeds):
        out = {}
        for name, kw in METHODS.items():
            res, t = run(model, X, bg, **kw(s))
            out[name] = dict(seconds=t, rows=res.settings["model_rows"], batch=res.settings["batch_size"],
                             **errors(res, ref))
            table[name].append(out[name])
            r = out[name]
            print(f"  {name:30s} {r['seconds']:7.1f}s {r['rows']:>11,} {r['batch']:>6} {r['global_err']:10.4f} "
                  f"{r['phi_rms']:8.4f} {r['local_rms']:9.4f}   (seed {s})", flush=True)
            if name.startswith("ours"):
                print(f"  {'':30s} {stopping(res)}", flush=True)
        ratios.append(out["paper (1000 draws)"]["seconds"] / out["ours (default)"]["seconds"])
        print(f"  seed {s}: ours {ratios[-1]:.1f}x faster than the paper's estimator, rows ours/paper "
              f"{out['ours (default)']['rows'] / out['paper (1000 draws)']['rows']:.2f}; factorised rows alone "
              f"{out['paper (1000 draws)']['seconds'] / out['paper, first layer factorised']['seconds']:.1f}x faster",
              flush=True)
    print(f"  M={m} summary over {seeds} seeds (RMS of the errors; time min-max):")
    for name, recs in table.items():
        rms = {k: float(np.sqrt(np.mean([r[k] ** 2 for r in recs]))) for k in ("global_err", "phi_rms", "local_rms")}
        ts = [r["seconds"] for r in recs]
        print(f"    {name:30s} {min(ts):6.1f}-{max(ts):6.1f} s  global {rms['global_err']:.4f}  phi {rms['phi_rms']:.4f}  "
              f"local {rms['local_rms']:.4f}")
    print(f"    speed-up ours vs paper: {min(ratios):.1f}-{max(ratios):.1f}x", flush=True)


def batch_check(m: int, n: int, b: int, repeats: int, epochs: int) -> None:
    model, valid, test, _ = trained(m, 20_000, epochs)
    X, bg = [x[:n] for x in test.X], [x[:b] for x in valid.X]
    rate = {}
    for size in [1 << p for p in range(10, 17)]:
        res, t = run(model, X, bg, batch_size=size)
        rate[size] = res.settings["model_rows"] / t
    picks = []
    for _ in range(repeats):
        res, t = run(model, X, bg)
        picks.append((res.settings["batch_size"], res.settings["model_rows"] / t, res.settings["calibration_rows"]))
    best = max(rate, key=rate.get)
    print(f"\nM={m}: N={n}, B={b}; our default at fixed batch sizes (k rows/s): "
          + ", ".join(f"{k}: {v / 1e3:.0f}" for k, v in rate.items()))
    for size, r, cal in picks:
        print(f"  calibrated: batch {size:6d}  {r / 1e3:5.0f}k rows/s = {r / rate[best]:.2f} of the best fixed "
              f"({best}); at its own size fixed: {rate.get(size, float('nan')) / rate[best]:.2f} (nan: not a timed size, "
              f"the run was too small to calibrate); calibration {cal:,} rows", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="samples explained")
    ap.add_argument("--background", type=int, default=3000, help="background rows (validation split)")
    ap.add_argument("--seeds", type=int, default=2, help="seeds (speed and batch: repeats)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--ms", default="2,3,4")
    ap.add_argument("--batch", action="store_true", help="the batch-size check instead")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(__doc__.split("\n\n")[0])
    for m in (int(x) for x in args.ms.split(",")):
        if args.batch:
            batch_check(m, args.n, args.background, args.seeds, args.epochs)
        else:
            bench(m, args.n, args.background, args.seeds, args.epochs)


if __name__ == "__main__":
    main()
