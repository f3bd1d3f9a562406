"""Precision per model row: the paper's masking and the default, against the exact
expectation over the whole background, on two models of different shapes (issues 13, 26).

Models:
* ``hdxor``: the bench model, the package's HD-XOR synergy generator and early-fusion
  FCNN (torch, trained briefly, seeded), M modalities (``--ms``), N test samples, B
  validation rows as background, target = the predicted class;
* ``digits``: scikit-learn's digits split into four 4×4 image quadrants (M = 4, ten
  classes), a small MLP, N held-out images, B training images as background.

Reference: the exact expectation over all B rows (``n_background=B``). Per masking it
prints, side by side: model rows, the RMS error over seeds of the global score, of φ
(over samples and entries) and of the local scores (over samples), and the standard
errors the runs report (global, φ RMS).

* paper: ``RandomMasker(1000, empty="background")``: 1,000 draws per (sample, coalition)
* default: per-sample stratified rows to the default precision target (v(∅) from the
  same rows: the axioms hold exactly)
* precision='paper': the default's targets, tightened to the standard errors the
  paper's 1,000 draws would have on this model (estimated from the first round)
* precision=None: exact over one seeded 100-row subsample for all samples

Usage: python benchmarks/bench_precision.py                  # both models, N=200, B=1000, 3 seeds
       python benchmarks/bench_precision.py --models digits --seeds 5
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import intershap_widget as isw


def trained(m: int, n_samples: int, epochs: int):
    """The bench model: ``(model, valid split, test split, test F1)`` (also used by
    benchmarks/bench_speed.py)."""
    import torch

    from intershap_widget.paper import datasets as D
    from intershap_widget.paper import fusion as F

    torch.set_num_threads(1)
    ds = D.hd_xor("synergy", m, n_samples, seed=0)
    train, valid, test = ds.split("train"), ds.split("valid"), ds.split("test")
    model = F.make_model(ds.dims, "early", n_classes=2, seed=1)
    F.train_model(model, train.X, train.y, epochs=epochs, batch_size=128, lr=1e-3, seed=1, progress=False)
    f1 = F.f1_macro(test.y, F.predict_proba(model, test.X).argmax(1))
    return model, valid, test, f1


def run(model, X, bg, **kw):
    """``(result, seconds)`` of a logits model's run, warnings silenced (bench_speed.py)."""
    return _run(model, X, bg, "logits", **kw)


def hdxor(m: int, n: int, b: int, epochs: int):
    model, valid, test, f1 = trained(m, 20_000, epochs)
    return (f"HD-XOR synergy M={m}, early-fusion FCNN (test F1 {f1:.3f})", model, [x[:n] for x in test.X],
            [x[:b] for x in valid.X], "logits")


def digits(n: int, b: int):
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier

    d = load_digits()
    img = d.images / 16.0
    quads = [img[:, r:r + 4, c:c + 4].reshape(len(img), -1) for r in (0, 4) for c in (0, 4)]
    flat = np.concatenate(quads, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(flat[:b], d.target[:b])
    stop = min(len(img), b + n)
    return ("digits, four 4x4 quadrants (M=4, 10 classes), MLP", mlp,
            [q[b:stop] for q in quads], [q[:b] for q in quads], "probability")


def _run(model, X, bg, output, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        res = isw.explain(model, X, bg, output=output, progress=False, **kw)
        return res, time.perf_counter() - t


def _rms(x) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.nanmean(x**2)))


def compare(title: str, model, X, bg, output: str, seeds: int, draws: int) -> list[dict]:
    """Rows and errors of each masking against the exact expectation (module docstring)."""
    b = bg[0].shape[0]
    ref, t_ref = _run(model, X, bg, output, n_background=b)
    print(f"\n{title}: N={X[0].shape[0]}, B={b}; exact InterSHAP {ref.intershap:.4f}, local mean "
          f"{ref.intershap_local_mean:.4f} ({ref.settings['model_rows']:,} rows, {t_ref:.1f} s)")
    methods = {
        f"paper ({draws} draws)": lambda s: dict(masking=isw.RandomMasker(draws, seed=s, empty="background")),
        "default": lambda s: dict(seed=s),
        "precision='paper'": lambda s: dict(seed=s, precision="paper"),
        "precision=None (K=100)": lambda s: dict(precision=None, seed=s),
    }
    print(f"  {'masking':24s} {'rows':>11s} {'s':>6s} {'global err':>10s} {'φ RMS err':>10s} {'local RMS err':>13s}"
          f" {'SE global':>9s} {'SE φ RMS':>8s}")
    out = []
    for name, kw in methods.items():
        err_g, err_phi, err_loc, rows, secs, se_g, se_phi = [], [], [], [], [], [], []
        for s in range(seeds):
            res, t = _run(model, X, bg, output, **kw(s))
            err_g.append(res.intershap - ref.intershap)
            err_phi.append(_rms(res.phi - ref.phi))
            err_loc.append(_rms(res.intershap_local - ref.intershap_local))
            rows.append(res.settings["model_rows"])
            secs.append(t)
            se_g.append(res.intershap_masking_se)
            se_phi.append(res.masking_se.phi_rms)
        rec = dict(title=title, method=name, rows=int(np.mean(rows)), seconds=float(np.median(secs)),
                   global_err=_rms(err_g), phi_rms=_rms(err_phi), local_rms=_rms(err_loc),
                   se_global=float(np.mean(se_g)), se_phi=float(np.mean(se_phi)))
        out.append(rec)
        print(f"  {name:24s} {rec['rows']:>11,} {rec['seconds']:6.1f} {rec['global_err']:10.4f} {rec['phi_rms']:10.4f}"
              f" {rec['local_rms']:13.4f} {rec['se_global']:9.4f} {rec['se_phi']:8.4f}", flush=True)
    paper, new = out[0], out[1]
    worse = [q for q in ("global_err", "phi_rms", "local_rms") if new[q] > paper[q] * 1.05]
    print(f"  default vs paper: {paper['rows'] / new['rows']:.2f}x the rows of the default; "
          + ("as precise or more on every quantity" if not worse else f"LESS precise on {', '.join(worse)}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="hdxor,digits")
    ap.add_argument("--n", type=int, default=200, help="samples explained")
    ap.add_argument("--background", type=int, default=1000, help="background rows")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--draws", type=int, default=1000, help="the paper's draws per coalition")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--ms", default="3", help="HD-XOR modality counts")
    args = ap.parse_args()
    print(__doc__.split("\n\n")[0])
    for name in args.models.split(","):
        if name == "hdxor":
            for m in (int(x) for x in args.ms.split(",")):
                compare(*hdxor(m, args.n, args.background, args.epochs), args.seeds, args.draws)
        elif name == "digits":
            compare(*digits(args.n, args.background), args.seeds, args.draws)


if __name__ == "__main__":
    main()
