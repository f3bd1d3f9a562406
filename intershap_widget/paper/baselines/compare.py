"""All four cross-modal interaction scores for one model, as one table and one figure.

InterSHAP (Wenderoth et al., AAAI 2025) via :func:`intershap_widget.explain`, PID synergy
(Liang et al. 2023), EMAP_gap (Hessel & Lee 2020) and SHAPE cooperation (Hu et al. 2022) — the
comparison of the InterSHAP paper's Table 2, computed the same way for a user's model and data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ._common import as_labels, as_modalities
from .emap import emap
from .pid import pid
from .shape import shape

SCORES = ("intershap", "pid", "emap", "shape")


@dataclass
class ScoreTable:
    """One row per score. ``rows``: list of dicts with keys ``score``, ``value`` (in ``unit``;
    None where the score is undefined for this input), ``unit``, ``scale`` (the value that means
    "maximal", used to put the scores on one axis) and ``detail``. ``results`` keeps the full
    result objects (``InteractionResult``, ``PIDResult``, ``EMAPResult``, ``SHAPEResult``)."""

    rows: list[dict]
    results: dict = field(default_factory=dict, repr=False)

    def value(self, score: str) -> float | None:
        """The value of one score by its key ("intershap", "pid", "emap", "shape")."""
        for r in self.rows:
            if r["key"] == score:
                return r["value"]
        raise KeyError(f"no score {score!r}; have {[r['key'] for r in self.rows]}")

    def as_dict(self) -> dict[str, float | None]:
        """``{key: value}`` for JSON records."""
        return {r["key"]: r["value"] for r in self.rows}

    def _cells(self) -> list[list[str]]:
        out = [["score", "value", "unit", "detail"]]
        for r in self.rows:
            v = "n/a" if r["value"] is None else f"{r['value']:.2f}"
            out.append([r["score"], v, r["unit"], r["detail"]])
        return out

    def to_markdown(self) -> str:
        cells = self._cells()
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
        lines += ["| " + " | ".join(c) + " |" for c in cells[1:]]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        fmt = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
        return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(c) for c in cells[1:]])

    __repr__ = __str__


def _plain_modalities(model: Any, X: Any) -> tuple[list, Any]:
    """``X`` as a list of M plain arrays and the model the other scores call with it: a dict
    ``{name: array}`` X keeps its names for the model's call (``isw.explain``'s conventions)."""
    if not isinstance(X, Mapping):
        return as_modalities(X, min_modalities=2, score="compare_scores"), model
    from ...explainers.adapters import as_model
    from ...explainers.inputs import InputSpec

    grouped = [str(k) for k, v in X.items() if isinstance(v, (Mapping, tuple))]
    if grouped:
        raise TypeError(f"compare_scores needs one array per modality (PID, EMAP and SHAPE work on features); "
                        f"{grouped} are groups of arrays. Use isw.explain for grouped modalities.")
    keys = tuple(str(k) for k in X)
    xs = as_modalities(list(X.values()), min_modalities=2, score="compare_scores")
    return xs, as_model(model, inputs=InputSpec("dict", keys, (None,) * len(keys)))


def compare_scores(model: Any, X: Sequence[Any], y: Any, *, background: Sequence[Any] | None = None,
                   seed: int = 0, scores: Sequence[str] = SCORES, pid_target: str = "labels",
                   pid_unit: str = "bits", explain_kwargs: Mapping[str, Any] | None = None,
                   pid_kwargs: Mapping[str, Any] | None = None, emap_kwargs: Mapping[str, Any] | None = None,
                   shape_kwargs: Mapping[str, Any] | None = None, progress: bool = True) -> ScoreTable:
    """InterSHAP, PID synergy, EMAP_gap and SHAPE for one model on (X, y), as a :class:`ScoreTable`.

    ``X``: list of M arrays (N, ...); ``y``: (N,) labels; ``model``: anything ``isw.explain``
    accepts (callable on a list of M arrays, torch module, scikit-learn estimator).
    Units follow the paper's Table 2: InterSHAP in percent (global, :func:`isw.explain` with
    ``background`` and ``explain_kwargs``), PID synergy in ``pid_unit`` (of the ``pid_target``:
    "labels" = the data, as in the paper, or "predictions" = the model), EMAP_gap and SHAPE
    cooperation in macro-F1 points. PID and EMAP exist for two modalities only; with M > 2 their
    rows hold ``None``. All randomness is seeded with ``seed``. Checks the input before any work
    (the engine's one input check; ``seed=None`` draws one seed for every score).
    """
    seed = _check_inputs(X, background, seed, scores, explain_kwargs)
    X_given = X
    X, scored_model = _plain_modalities(model, X)
    n, m = X[0].shape[0], len(X)
    y = as_labels(y, n)
    unknown = set(scores) - set(SCORES)
    if unknown:
        raise ValueError(f"unknown scores {sorted(unknown)}; choose from {SCORES}.")
    if pid_target not in ("labels", "predictions"):
        raise ValueError(f"pid_target must be 'labels' or 'predictions'; got {pid_target!r}.")
    rows: list[dict] = []
    results: dict = {}
    n_classes = int(np.unique(y).size)
    if "intershap" in scores:
        from ...explainers.exact import explain

        kw = dict(seed=seed, progress=progress, labels=y)
        kw.update(explain_kwargs or {})
        res = explain(model, X_given, background, **kw)
        results["intershap"] = res
        rows.append(dict(key="intershap", score="InterSHAP", value=100 * float(res.intershap), unit="%",
                         scale=100.0, detail=f"local mean {100 * float(res.intershap_local_mean):.1f}%, "
                                             f"N={res.n_samples}"))
    if "pid" in scores:
        if m != 2:
            rows.append(dict(key="pid", score="PID synergy", value=None, unit=pid_unit, scale=1.0,
                             detail="defined for 2 modalities only"))
        else:
            kw = dict(target=pid_target, seed=seed, unit=pid_unit)
            kw.update(pid_kwargs or {})
            r = pid(scored_model, X, y, **kw)
            results["pid"] = r
            cap = np.log2(n_classes) if r.unit == "bits" else np.log(n_classes)
            rows.append(dict(key="pid", score="PID synergy", value=r.synergy, unit=r.unit, scale=float(cap),
                             detail=f"R {r.redundancy:.2f}, U1 {r.unique1:.2f}, U2 {r.unique2:.2f} "
                                    f"({r.info['target']}, {r.info['n_clusters'][0]} bins)"))
    if "emap" in scores:
        if m != 2:
            rows.append(dict(key="emap", score="EMAP_gap", value=None, unit="F1 points", scale=100.0,
                             detail="defined for 2 modalities only"))
        else:
            kw = dict(seed=seed, progress=progress)
            kw.update(emap_kwargs or {})
            r = emap(scored_model, X, y, **kw)
            results["emap"] = r
            sub = f", subsample n={r.n_samples}" if r.subsampled else f", n={r.n_samples}"
            rows.append(dict(key="emap", score="EMAP_gap", value=100 * r.gap, unit="F1 points", scale=100.0,
                             detail=f"F1 model {100 * r.f1_model:.1f}, EMAP {100 * r.f1_projection:.1f}{sub}"))
    if "shape" in scores:
        kw = dict(seed=seed)
        kw.update(shape_kwargs or {})
        r = shape(scored_model, X, y, **kw)
        results["shape"] = r
        rows.append(dict(key="shape", score="SHAPE", value=100 * r.cooperation, unit="F1 points", scale=100.0,
                         detail=f"F1 model {100 * r.coalition_values[-1]:.1f}, baseline "
                                f"{100 * r.baseline:.1f}, masking {r.masking}"))
    return ScoreTable(rows=rows, results=results)


def _check_inputs(X: Any, background: Any, seed: Any, scores: Sequence[str],
                  explain_kwargs: Mapping[str, Any] | None) -> int:
    """The engine's input check (:func:`~intershap_widget.explainers.checks.validate_call`)
    on X, the background, the seed and the explain settings; returns the seed to use."""
    from ...explainers.checks import validate_call
    from ...maths.games import MAX_EXACT_MODALITIES

    kw = dict(explain_kwargs or {})
    chk = validate_call(X, background, modality_names=kw.get("modality_names"), seed=seed,
                        batch_size=kw.get("batch_size"), n_background=kw.get("n_background", 100),
                        target=kw.get("target", "predicted"), output=kw.get("output", "auto"),
                        max_modalities=MAX_EXACT_MODALITIES if "intershap" in scores else None,
                        allow_nonfinite=bool(kw.get("allow_nonfinite", False)))
    return chk.seed


def plot_scores(tables: ScoreTable | Mapping[str, ScoreTable], ax: Any = None) -> tuple[Any, Any]:
    """Horizontal bars of the scores of one model (or several: ``{name: table}``), on one axis.

    Each bar is the score divided by its maximum (``row["scale"]``: 100 % / 100 F1 points /
    log2 C bits), so scores in different units share the axis [−1, 1]; the text next to each bar
    gives the value in its own unit. Returns ``(fig, ax)``.
    """
    import matplotlib.pyplot as plt

    named = {"": tables} if isinstance(tables, ScoreTable) else dict(tables)
    if not named:
        raise ValueError("plot_scores needs at least one ScoreTable.")
    keys = [r["key"] for r in next(iter(named.values())).rows]
    labels = {r["key"]: f"{r['score']}\n({r['unit']})" for t in named.values() for r in t.rows}
    n_models = len(named)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4 + 1.2 * (n_models > 1), 0.9 + 0.55 * len(keys) * max(1, n_models) ** 0.7))
    else:
        fig = ax.figure
    height = 0.8 / n_models
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for k, (name, table) in enumerate(named.items()):
        by_key = {r["key"]: r for r in table.rows}
        for i, key in enumerate(keys):
            r = by_key.get(key)
            y = i - 0.4 + height * (k + 0.5)
            if r is None or r["value"] is None:
                ax.text(0.0, y, " n/a", va="center", ha="left", fontsize=8, color="0.5")
                continue
            value = 0.0 if abs(r["value"]) < 5e-3 else float(r["value"])  # no "-0.00"
            frac = value / r["scale"] if r["scale"] else 0.0
            ax.barh(y, frac, height=height * 0.9, color=colors[k % len(colors)],
                    label=name if (i == 0 and name) else None)
            txt = f"{value:.2f}" if r["unit"] in ("bits", "nats") else f"{value:.1f}"
            ax.text(frac + (0.02 if frac >= 0 else -0.02), y, txt, va="center",
                    ha="left" if frac >= 0 else "right", fontsize=8)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([labels[k] for k in keys], fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    ax.set_xlim(-1.15, 1.15)
    ax.set_xlabel("score / its maximum (100 %, 100 F1 points, log2 C bits)")
    ax.set_title("Cross-modal interaction scores", fontsize=10)
    if n_models > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig, ax
