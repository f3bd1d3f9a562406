"""Reproduce the synthetic-data tables of the InterSHAP paper (Tables 2, 3, 9, 10, 11).

Run ``python -m intershap_widget.paper.reproduce [--quick] [--json PATH] [--workers K]``.
Every experiment is a *unit* (data set × model × fusion × seed); each unit trains its
model once, measures macro F1 on the test split, and explains a fixed subset of test
samples with both masking modes:

* ``random``: the paper's masking, absent modalities from a training row drawn at
  random, averaged over ``n_draws`` draws (with the paper's masking error);
* ``expectation``: the exact mean over a fixed background of training rows stratified
  by latent pattern (:meth:`MultimodalDataset.background_index`).

One tidy record per (table, unit, masking) is produced; markdown tables print ours
beside the paper's numbers. More score columns (PID, EMAP, SHAPE, …) plug in as
*extra scorers*: functions ``scorer(ctx: RunContext) -> dict[str, float]`` passed in
``extra_scorers=`` (or appended to :data:`EXTRA_SCORERS`); their fields are merged into
every record of the unit.

Modules: :mod:`.plan` (the run budgets and the units each table needs), :mod:`.runner`
(training, scoring and explaining one unit; many units in processes), :mod:`.tables`
(markdown tables beside :mod:`.paper_numbers`), :mod:`.cli` (the command line).
"""

from __future__ import annotations

from .cli import main
from .paper_numbers import PAPER
from .plan import FULL, QUICK, Config, Unit, plan_units
from .runner import EXTRA_SCORERS, RunContext, baseline_scores, run, run_unit
from .tables import markdown_tables

__all__ = [
    "Config",
    "FULL",
    "QUICK",
    "Unit",
    "RunContext",
    "EXTRA_SCORERS",
    "PAPER",
    "baseline_scores",
    "plan_units",
    "run_unit",
    "run",
    "markdown_tables",
    "main",
]
