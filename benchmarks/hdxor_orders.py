"""How much of HD-XOR synergy is genuinely 3- or 4-way, and does it explain the drop of
the pairwise InterSHAP (paper Table 3: 98.0 / 88.8 / 64.1 % for 2 / 3 / 4 modalities)?

Part 1 (exact, seconds): the oracle model on the clean synergy bits, one bit per
modality, output = one-hot class probabilities, target = probability of the predicted
class, exact expectation masking over the data distribution of the bits. Two labels:
  * "parity": y = i_1 ⊕ … ⊕ i_M (the paper's Algorithm 1, GEN INFO line 3),
  * "one-hot": y = 1 iff exactly one bit is 1 (the authors' released generator, the
    default of ``datasets.hd_xor``), with the bits reweighted to balanced classes
    ("balanced", what ``hd_xor`` draws) or not.
Prints the pairwise InterSHAP (global, local) next to the behaviour by Möbius order.

Part 2 (``--train``): the package's HD-XOR synergy data (``datasets.hd_xor(...,
label=...)``, 20 000 samples, 70/15/15) and early-fusion FCNN (``fusion.make_model``),
trained as in the reproduction (Adam lr 1e-4, weight decay 1e-4, batch 5000, 200 epochs
for M = 3, 250 for M = 4); exact expectation masking over 100 training rows stratified by
bit pattern (``ds.background_index``), logits of the predicted class, ``--n-explain``
test samples. Prints F1, pairwise InterSHAP (global, local) and Möbius order shares.

    PYTHONPATH=. python benchmarks/hdxor_orders.py [--train [--seeds 1 42 113]] [--plot PNG]
"""

from __future__ import annotations

import argparse
import itertools
import time
from math import gcd

import numpy as np

from intershap_widget.maths import games
from intershap_widget.paper.datasets import label_bits
from intershap_widget.maths import interactions as ia
from intershap_widget.maths.result import InteractionResult


EPOCHS = {2: 200, 3: 200, 4: 250}  # the paper's budgets (reproduce.Config)
BATCH = 5000  # the authors' default, as in docs/reproduction.md
PAPER = {2: "98.0", 3: "88.8", 4: "64.1"}  # Table 3, FCNN early fusion, synergy


def label(bits: np.ndarray, rule: str) -> np.ndarray:
    return label_bits(bits, rule)


def oracle_result(m: int, rule: str, balanced: bool) -> InteractionResult:
    """Exact game of the oracle for every bit pattern, rows repeated by probability."""
    pats = np.array(list(itertools.product([0, 1], repeat=m)))
    y = label(pats, rule)
    if balanced and 0 < y.sum() < len(y):
        w = np.where(y == 1, 0.5 / y.sum(), 0.5 / (len(y) - y.sum()))
    else:
        w = np.full(len(pats), 1.0 / len(pats))
    masks = games.coalition_masks(m)
    values = np.empty((len(pats), 1 << m))
    for s, mask in enumerate(masks):
        # sample a's bits on S, every background pattern (weight w) elsewhere
        mixed = np.where(mask[None, None, :], pats[:, None, :], pats[None, :, :])
        values[:, s] = ((label(mixed, rule) == y[:, None]) * w[None, :]).sum(axis=1)
    # dataset = patterns with their probabilities: integer repeat counts
    denom = [round(1 / x) if abs(1 / x - round(1 / x)) < 1e-9 else 0 for x in np.unique(w)]
    lcm = 1
    for d in denom:
        lcm = lcm * d // gcd(lcm, d)
    counts = np.rint(w * lcm).astype(int)
    return InteractionResult(np.repeat(values, counts, axis=0))


def pct(a) -> str:
    return " ".join(f"{100 * x:5.1f}" for x in np.atleast_1d(a))


def describe(name: str, res: InteractionResult) -> None:
    sh = ia.order_shares(res)
    m = res.n_modalities
    print(f"{name:<24} M={m}  pairwise InterSHAP {100 * res.intershap:5.1f} (local {100 * res.intershap_local_mean:5.1f})"
          f" | Möbius order shares 1..M: global [{pct(sh.global_shares)}]"
          f"  local mean [{pct(np.nanmean(sh.local_shares, axis=0))}]")


def part1() -> None:
    print("Pure order-t game (one Möbius dividend on t modalities): pairwise InterSHAP = t/(2(t-1)):",
          ", ".join(f"t={t}: {100 * t / (2 * (t - 1)):.1f} %" for t in range(2, 6)))
    print("\nOracle on clean synergy bits (exact expectation masking over the bit distribution)")
    for m in (2, 3, 4, 5):
        describe("parity", oracle_result(m, "parity", balanced=False))
        if m >= 3:
            describe("one-hot, uniform bits", oracle_result(m, "onehot", balanced=False))
            describe("one-hot, balanced", oracle_result(m, "onehot", balanced=True))


# ------------------------------------------------------------------ part 2
def part2(ms: list[int], labels: list[str], seeds: list[int], n_explain: int, n_samples: int,
          batch: int = BATCH, epoch_scale: float = 1.0) -> list[dict]:
    """Train the package's early-fusion FCNN on the package's HD-XOR synergy data (each
    label rule), explain ``n_explain`` test samples exactly; one record per run."""
    import torch

    import intershap_widget as isw
    from intershap_widget.paper import datasets as D
    from intershap_widget.paper import fusion as F

    torch.set_num_threads(1)
    records = []
    for m in ms:
        for rule in labels:
            ds = D.hd_xor("synergy", m, n_samples, seed=0, label=rule)
            train, test = ds.split("train"), ds.split("test")
            pick = np.random.default_rng(7).choice(test.n_samples, size=min(n_explain, test.n_samples), replace=False)
            expl = test.subset(np.sort(pick))
            bg = ds.subset(ds.background_index(100, seed=0))  # stratified by bit pattern, as paper/reproduce
            for seed in seeds:
                t0 = time.perf_counter()
                model = F.make_model(ds.dims, "early", n_classes=2, seed=seed)
                epochs = max(1, round(EPOCHS[m] * epoch_scale))
                F.train_model(model, train.X, train.y, epochs=epochs, batch_size=batch, lr=1e-4,
                              weight_decay=1e-4, seed=seed, progress=False)
                f1 = F.f1_macro(test.y, F.predict_proba(model, test.X).argmax(1))
                res = isw.explain(model, expl.X, bg.X, masking="expectation", n_background=100,
                                  output="logits", progress=False)
                sh = res.order_shares()
                rec = dict(m=m, label=rule, seed=seed, batch=batch, epochs=epochs, f1=float(f1), intershap=float(res.intershap),
                           local=float(res.intershap_local_mean), shares=sh.global_shares.tolist(),
                           seconds=time.perf_counter() - t0)
                records.append(rec)
                describe(f"FCNN {rule} s={seed} F1={100 * f1:.1f}", res)
                print(f"   ({epochs} epochs of batch {batch}, {rec['seconds']:.0f} s)", flush=True)
    return records


def summary(records: list[dict]) -> None:
    """Markdown table, mean ± sd over seeds."""

    def ms(vals) -> str:
        a = 100 * np.asarray(vals, dtype=float)
        return f"{a.mean():.1f} ± {a.std():.1f}" if a.size > 1 else f"{a.mean():.1f}"

    print("\n| label | M | seeds | test F1 | pairwise InterSHAP | local | Möbius order shares, global (1..M) | paper |")
    print("|---|---|---|---|---|---|---|---|")
    keys = sorted({(r["m"], r["label"]) for r in records})
    for m, rule in keys:
        rs = [r for r in records if r["m"] == m and r["label"] == rule]
        shares = 100 * np.mean([r["shares"] for r in rs], axis=0)
        print(f"| {rule} | {m} | {len(rs)} | {ms([r['f1'] for r in rs])} | {ms([r['intershap'] for r in rs])} | "
              f"{ms([r['local'] for r in rs])} | {' / '.join(f'{x:.1f}' for x in shares)} | {PAPER[m]} |")


def _stack(ax, cases: list, colours: list[str], seen: set[int]) -> None:
    """Bars of Möbius order shares (%), a black tick at the pairwise InterSHAP (%)."""
    for x, (name, shares, score) in enumerate(cases):
        bottom = 0.0
        for k, sh in enumerate(shares):
            ax.bar(x, 100 * sh, bottom=bottom, color=colours[k], width=0.6,
                   label=None if k in seen else f"order {k + 1}")
            seen.add(k)
            bottom += 100 * sh
        ax.plot([x - 0.35, x + 0.35], [100 * score] * 2, color="black", lw=2.5,
                label="pairwise InterSHAP" if x == 0 and -1 not in seen else None)
        seen.add(-1)
    ax.set_xticks(range(len(cases)), [c[0] for c in cases], fontsize=8)
    ax.set_ylim(0, 105)


def plot(path: str, records: list[dict] | None = None) -> None:
    """Stacked Möbius order shares (global) of the oracles, with the pairwise InterSHAP;
    with training ``records``, a second panel for the trained FCNNs (mean over seeds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = []
    for name, rule, ms, bal in (("parity", "parity", (2, 3, 4, 5), False), ("exactly one", "onehot", (3, 4, 5), True)):
        for m in ms:
            res = oracle_result(m, rule, bal)
            cases.append((f"{name}\nM={m}", ia.order_shares(res).global_shares, res.intershap))
    trained = []
    for m, rule in sorted({(r["m"], r["label"]) for r in records or []}, key=lambda k: (k[1] != "parity", k[0])):
        rs = [r for r in records if r["m"] == m and r["label"] == rule]
        name = "parity" if rule == "parity" else "exactly one"
        f1 = 100 * np.mean([r["f1"] for r in rs])
        trained.append((f"{name}\nM={m}\nF1 {f1:.0f}", np.mean([r["shares"] for r in rs], axis=0),
                        np.mean([r["intershap"] for r in rs])))
    colours = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d"]
    if trained:
        fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), dpi=130,
                                 gridspec_kw=dict(width_ratios=[len(cases), len(trained) + 0.6]))
    else:
        fig, ax0 = plt.subplots(figsize=(8, 3.6), dpi=130)
        axes = [ax0]
    seen: set[int] = set()
    _stack(axes[0], cases, colours, seen)
    axes[0].set_ylabel("% of behaviour")
    axes[0].set_title("XOR oracle on the clean bits (exact)", fontsize=9)
    if trained:
        _stack(axes[1], trained, colours, seen)
        n_seeds = len({r["seed"] for r in records})
        axes[1].set_title(f"trained early-fusion FCNN ({n_seeds} seed{'s' * (n_seeds > 1)})", fontsize=9)
        axes[1].set_yticklabels([])
    fig.suptitle("HD-XOR synergy: behaviour by Möbius order vs pairwise InterSHAP", fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    axes[-1].legend([handles[i] for i in order], [labels[i] for i in order], fontsize=8,
                    loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--m", type=int, nargs="+", default=[3, 4], choices=[2, 3, 4])
    ap.add_argument("--labels", nargs="+", default=["onehot", "parity"], choices=["onehot", "parity"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--n-explain", type=int, default=1000)
    ap.add_argument("--n-samples", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=BATCH, help="mini-batch size (paper budget: 5000)")
    ap.add_argument("--epoch-scale", type=float, default=1.0, help="multiply the epoch budgets")
    ap.add_argument("--json", metavar="PATH", help="write the training records here")
    ap.add_argument("--from-json", metavar="PATH", help="plot/summarise these training records instead of training")
    ap.add_argument("--plot", metavar="PNG", help="also draw the order shares to this file")
    args = ap.parse_args()
    part1()
    recs = None
    if args.from_json:
        import json

        with open(args.from_json) as fh:
            recs = json.load(fh)
        summary(recs)
    elif args.train:
        print(f"\nTrained early-fusion FCNN on datasets.hd_xor synergy data, {args.n_explain} test samples, "
              "exact expectation masking over 100 training rows")
        recs = part2(args.m, args.labels, args.seeds, args.n_explain, args.n_samples, args.batch, args.epoch_scale)
        summary(recs)
        if args.json:
            import json

            with open(args.json, "w") as fh:
                json.dump(recs, fh, indent=1)
    if args.plot:
        plot(args.plot, recs)


if __name__ == "__main__":
    main()
