"""Reproduce the synthetic-data tables of the InterSHAP paper (Tables 2, 3, 9, 10, 11).

The command line ``python -m intershap_widget.paper.reproduce`` (see the package docstring).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from typing import Any, Sequence

from .plan import FULL, QUICK, Config, plan_units
from .runner import baseline_scores, run
from .tables import markdown_tables

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m intershap_widget.paper.reproduce", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="reduced run (fewer samples, epochs and draws)")
    p.add_argument("--json", metavar="PATH", help="write one JSON record per (table, run, masking) to PATH")
    p.add_argument("--markdown", metavar="PATH", help="also write the tables to PATH")
    p.add_argument("--workers", type=int, default=1, help="processes (one torch thread each)")
    p.add_argument("--tables", nargs="+", choices=["2", "3", "9", "10", "11"], help="subset of tables")
    p.add_argument("--seeds", nargs="+", type=int, help="model seeds (default 1 42 113)")
    p.add_argument("--epochs-scale", type=float, default=1.0, help="multiply every epoch budget")
    p.add_argument("--no-frozen", action="store_true", help="skip the frozen-encoder fusion variants")
    p.add_argument("--n-samples", type=int, help="samples generated per data set")
    p.add_argument("--n-explain", type=int, help="test samples explained (and scored) per run")
    p.add_argument("--maskings", nargs="+", choices=["random", "expectation"], help="masking modes")
    p.add_argument("--log", metavar="PATH", help="append each finished run's records to PATH (JSON lines)")
    p.add_argument("--from-jsonl", metavar="PATH", help="only print the tables of the records in PATH")
    p.add_argument("--baselines", action="store_true",
                   help="also compute PID, EMAP_gap and SHAPE (needs the 'baselines' extra: cvxpy)")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    if a.from_jsonl:
        with open(a.from_jsonl) as fh:
            recs = [json.loads(line) for line in fh if line.strip()]
        sys.stdout.write(markdown_tables(recs))
        return 0
    cfg = QUICK if a.quick else FULL
    changes: dict[str, Any] = {}
    if a.tables:
        changes["tables"] = tuple(a.tables)
    if a.seeds:
        changes["seeds"] = tuple(a.seeds)
    if a.epochs_scale != 1.0:
        changes["epochs"] = tuple((m, max(1, round(e * a.epochs_scale))) for m, e in cfg.epochs)
    if a.no_frozen:
        changes["frozen_variants"] = False
    if a.n_samples:
        changes["n_samples"] = a.n_samples
    if a.n_explain:
        changes["n_explain"] = a.n_explain
    if a.maskings:
        changes["maskings"] = tuple(a.maskings)
    if changes:
        cfg = Config(**{**asdict(cfg), **changes})
    t0 = time.perf_counter()
    scorers = [baseline_scores] if a.baselines else None
    records = run(cfg, workers=a.workers, progress=not a.no_progress, log_path=a.log, extra_scorers=scorers)
    elapsed = time.perf_counter() - t0
    text = markdown_tables(records, cfg.maskings)
    head = (f"Reproduction ({'quick' if a.quick else 'full'}): {len(plan_units(cfg))} runs, "
            f"{elapsed / 60:.1f} min, config {json.dumps(asdict(cfg))}\n\n")
    sys.stdout.write(head + text)
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as fh:
            json.dump(records, fh, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as fh:
            fh.write(head + text)
    return 0
