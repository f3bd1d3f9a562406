"""Comparison scores for cross-modal interactions, beside InterSHAP.

- :func:`pid` — partial information decomposition, CVX estimator (Liang et al. 2023); synergy.
- :func:`emap` — empirical multimodally-additive projection gap (Hessel & Lee 2020).
- :func:`shape` — SHAPE cross-modal cooperation (Hu et al. 2022).
- :func:`compare_scores` — all four scores (with InterSHAP) for one model as one table.

Each is called as ``score(model, X, y, seed=...)`` with ``X`` a list of per-modality arrays
(N, ...) and ``y`` (N,) labels, and returns a small result record with a ``.score`` float.
"""

from ..metrics import macro_f1
from .compare import SCORES, ScoreTable, compare_scores, plot_scores
from .emap import EMAPResult, emap, emap_projection
from .pid import PIDResult, discretize, joint_distribution, pid, pid_from_distribution
from .shape import SHAPEResult, shape

__all__ = [
    "EMAPResult",
    "SCORES",
    "ScoreTable",
    "PIDResult",
    "SHAPEResult",
    "compare_scores",
    "discretize",
    "emap",
    "emap_projection",
    "joint_distribution",
    "macro_f1",
    "pid",
    "pid_from_distribution",
    "plot_scores",
    "shape",
]
