"""How much of HD-XOR synergy is genuinely 3- or 4-way, and does it explain the drop of
the pairwise InterSHAP (paper Table 3: 98.0 / 88.8 / 64.1 % for 2 / 3 / 4 modalities)?

Part 1 (exact, seconds): the oracle model on the clean synergy bits, one bit per
modality, output = one-hot class probabilities, target = probability of the predicted
class, exact expectation masking over the data distribution of the bits. Two labels:
  * "parity": y = i_1 ⊕ … ⊕ i_M (the paper's Algorithm 1, GEN INFO line 3),
  * "one-hot": y = 1 iff exactly one bit is 1 (PAPER_NOTES' account of the released
    generator), with the bits reweighted to balanced classes ("balanced") or not.
Prints the pairwise InterSHAP (global, local) next to the behaviour by Möbius order.

Part 2 (``--train``, a few minutes on CPU): a local HD-XOR synergy generator (paper
Algorithm 1), an early-fusion FCNN (input → input/2 → input/4 → 2; Adam, lr 1e-4,
weight decay 1e-4), exact explanation of test samples with expectation masking.

    PYTHONPATH=. python benchmarks/hdxor_orders.py [--train] [--epochs 200]
"""

from __future__ import annotations

import argparse
import itertools
import time
from math import gcd

import numpy as np

from intershap_widget import games
from intershap_widget import interactions as ia
from intershap_widget.result import InteractionResult


def label(bits: np.ndarray, rule: str) -> np.ndarray:
    if rule == "parity" or bits.shape[-1] == 2:
        return bits.sum(axis=-1) % 2
    return (bits.sum(axis=-1) == 1).astype(int)


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
DIMS = {2: (110, 90), 3: (110, 90, 100), 4: (110, 90, 100, 110)}


def hdxor_synergy(m: int, n: int, rule: str, seed: int, d: int = 50, shift: float = 0.35):
    """Local HD-XOR synergy generator (paper Algorithm 1): bit a → N(±shift, 1)^d, normalised
    to unit length, times a U(−0.5, 0.5) matrix to the modality's size."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, m))
    y = label(bits, rule)
    if rule != "parity" and m >= 3:  # balance the classes by downsampling the majority
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        k = min(len(pos), len(neg))
        keep = np.sort(np.concatenate([rng.choice(pos, k, replace=False), rng.choice(neg, k, replace=False)]))
        bits, y = bits[keep], y[keep]
    mats = [rng.uniform(-0.5, 0.5, size=(DIMS[m][i], d)) for i in range(m)]
    xs = []
    for i in range(m):
        v = rng.normal(size=(len(y), d)) + np.where(bits[:, i:i + 1] == 1, shift, -shift)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        xs.append((v @ mats[i].T).astype(np.float32))
    return xs, y


def part2(epochs: int, rule: str, n: int) -> None:
    import torch

    import intershap_widget as isw

    torch.set_num_threads(1)
    for m in (2, 3, 4):
        t0 = time.perf_counter()
        xs, y = hdxor_synergy(m, n, rule, seed=m)
        n_tr = int(0.7 * len(y))
        x_all = torch.tensor(np.concatenate(xs, axis=1))
        y_all = torch.tensor(y)
        d_in = x_all.shape[1]
        torch.manual_seed(1)
        net = torch.nn.Sequential(torch.nn.Linear(d_in, d_in // 2), torch.nn.ReLU(),
                                  torch.nn.Linear(d_in // 2, d_in // 4), torch.nn.ReLU(),
                                  torch.nn.Linear(d_in // 4, 2))
        opt = torch.optim.Adam(net.parameters(), lr=1e-4, weight_decay=1e-4)
        ep = epochs if m < 4 else int(epochs * 1.25)
        for _ in range(ep):
            perm = torch.randperm(n_tr)
            for i in range(0, n_tr, 128):
                idx = perm[i:i + 128]
                loss = torch.nn.functional.cross_entropy(net(x_all[idx]), y_all[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        with torch.no_grad():
            pred = net(x_all[n_tr:]).argmax(1).numpy()
        yt = y[n_tr:]
        f1 = np.mean([2 * np.sum((pred == c) & (yt == c)) / max(1, np.sum(pred == c) + np.sum(yt == c)) for c in (0, 1)])
        test = [x[n_tr:n_tr + 1000] for x in xs]
        bg = [x[:100] for x in xs]
        res = isw.explain(isw.concatenated(net), test, bg, progress=False)
        describe(f"FCNN early ({rule}) F1={100 * f1:.1f}", res)
        print(f"   ({ep} epochs, {time.perf_counter() - t0:.0f} s)")


def plot(path: str) -> None:
    """Stacked Möbius order shares (global) of the oracles, with the pairwise InterSHAP."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = [(f"parity\nM={m}", oracle_result(m, "parity", False)) for m in (2, 3, 4, 5)]
    cases += [(f"exactly one\nM={m}", oracle_result(m, "onehot", True)) for m in (3, 4, 5)]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=130)
    colours = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d"]
    seen: set[int] = set()
    for x, (name, res) in enumerate(cases):
        shares = ia.order_shares(res).global_shares
        bottom = 0.0
        for k, sh in enumerate(shares):
            ax.bar(x, 100 * sh, bottom=bottom, color=colours[k], width=0.6,
                   label=None if k in seen else f"order {k + 1}")
            seen.add(k)
            bottom += 100 * sh
        ax.plot([x - 0.35, x + 0.35], [100 * res.intershap] * 2, color="black", lw=2.5,
                label="pairwise InterSHAP" if x == 0 else None)
    ax.set_xticks(range(len(cases)), [c[0] for c in cases], fontsize=8)
    ax.set_ylabel("% of behaviour")
    ax.set_ylim(0, 105)
    ax.set_title("HD-XOR synergy oracle: behaviour by Möbius order vs pairwise InterSHAP", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    ax.legend([handles[i] for i in order], [labels[i] for i in order], fontsize=8,
              loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--rule", default="parity", choices=["parity", "onehot"])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--plot", metavar="PNG", help="also draw the oracle order shares to this file")
    args = ap.parse_args()
    part1()
    if args.plot:
        plot(args.plot)
    if args.train:
        print("\nTrained early-fusion FCNN on a local HD-XOR synergy generator, 1000 test samples, "
              "expectation masking over 100 training rows")
        part2(args.epochs, args.rule, args.n)


if __name__ == "__main__":
    main()
