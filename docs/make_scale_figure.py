"""The cost model's picture for docs/scale.md: measured seconds of each run of
benchmarks/cost_model.py against rows × (seconds per row of its model's fit run).

Usage: python docs/make_scale_figure.py [docs/scale_costs.json] [docs/img/scale_cost_model.png]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src: str = "docs/scale_costs.json", out: str = "docs/img/scale_cost_model.png") -> None:
    runs = json.loads(Path(src).read_text())["runs"]
    models = list(dict.fromkeys(r["model"] for r in runs))
    fig, ax = plt.subplots(figsize=(6.4, 4.6), dpi=150)
    for i, name in enumerate(models):
        mine = [r for r in runs if r["model"] == name]
        colour = f"C{i}"
        for fit, marker in ((True, "o"), (False, "s")):
            pts = [r for r in mine if r["fit"] is fit]
            ax.scatter([r["predicted_seconds"] for r in pts], [r["seconds"] for r in pts], s=40, marker=marker,
                       color=colour, edgecolor="white", linewidth=0.6, label=name if fit else None, zorder=3)
    lo = min(min(r["seconds"], r["predicted_seconds"]) for r in runs) / 1.5
    hi = max(max(r["seconds"], r["predicted_seconds"]) for r in runs) * 1.5
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=1, zorder=1)
    ax.fill_between([lo, hi], [lo / 1.25, hi / 1.25], [lo * 1.25, hi * 1.25], color="0.85", zorder=0,
                    label="within 25 %")
    ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi), xlabel="predicted: rows × s/row of the fit run (s)",
           ylabel="measured wall time (s)",
           title="Cost model: one process, one thread\n(circles: fit runs, squares: 4× N or 4× K)")
    ax.legend(fontsize=7.5, loc="upper left", frameon=False)
    ax.grid(True, which="major", color="0.92", zorder=0)
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
