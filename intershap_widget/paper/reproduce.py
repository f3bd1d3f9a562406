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
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import datasets as D

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

# ----------------------------------------------------------------------------- paper numbers
#: The paper's numbers in percent: key → (mean, std or None).
PAPER: dict[tuple, tuple[float, float | None]] = {}
for _model, _setting, _g, _l in [
    ("xor", "uniqueness1", (0.0, None), (1.8, None)),
    ("fcnn", "uniqueness1", (0.2, 0.1), (3.4, 5.2)),
    ("xor", "synergy", (99.7, None), (96.9, None)),
    ("fcnn", "synergy", (98.0, 0.5), (85.8, 12.1)),
    ("fcnn", "redundancy", (38.6, 0.5), (37.3, 25.0)),
    ("fcnn", "random", (57.8, 1.1), (40.0, 13.3)),
]:
    PAPER[("2", _model, _setting, "intershap")] = _g
    PAPER[("2", _model, _setting, "intershap_local")] = _l
for _m, _vals in {2: [(0.2, 0.1), (98.0, 0.5), (38.6, 0.5)], 3: [(0.6, 0.2), (88.8, 0.5), (51.9, 0.3)],
                  4: [(1.2, 0.1), (64.1, 0.8), (40.2, 0.2)]}.items():
    for _s, _v in zip(("uniqueness1", "synergy", "redundancy"), _vals):
        PAPER[("3", _m, _s)] = _v
for _s, _g, _l in [
    ("uniqueness1", (2.6, 0.6), (9.3, 10.2)), ("uniqueness2", (2.3, 0.3), (9.0, 12.7)),
    ("mix1", (9.7, 0.9), (14.7, 9.9)), ("mix2", (7.1, 0.5), (13.8, 9.8)),
    ("synergy", (15.1, 0.5), (22.1, 11.2)), ("redundancy", (10.5, 0.2), (22.3, 13.3)),
]:
    PAPER[("9", _s, "intershap")] = _g
    PAPER[("9", _s, "intershap_local")] = _l
for _f, _vals in {"early": [(0.2, 0.1), (98.0, 0.5), (38.6, 0.5)],
                  "intermediate": [(0.6, 0.3), (94.8, 0.5), (47.2, 2.1)],
                  "late": [(0.5, 0.2), (0.5, 0.0), (1.1, 0.4)]}.items():
    for _s, _v in zip(("uniqueness1", "synergy", "redundancy"), _vals):
        PAPER[("10", _f, _s)] = _v
for _row, _vals in {"modality 1": [(50.3, 0.0), (99.5, 0.1), (96.7, 0.2), (49.6, 0.1)],
                    "modality 2": [(51.8, 0.0), (49.3, 0.1), (91.4, 0.5), (51.0, 0.2)],
                    "early": [(92.4, 0.3), (99.5, 0.0), (97.4, 0.1), (50.0, 1.1)],
                    "intermediate": [(80.0, 1.5), (96.0, 0.6), (92.4, 0.4), (46.5, 1.9)],
                    "late": [(49.7, 1.2), (60.5, 1.3), (57.8, 4.5), (47.3, 1.9)]}.items():
    for _s, _v in zip(("synergy", "uniqueness1", "redundancy", "random"), _vals):
        PAPER[("11", _row, _s)] = _v


# ----------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Config:
    """Budget of a reproduction run."""

    n_samples: int = 20_000  # generated per data set (70/15/15 split)
    epochs: tuple[tuple[int, int], ...] = ((2, 200), (3, 200), (4, 250))  # (M, epochs)
    batch_size: int = 5000  # the authors' default
    lr: float = 1e-4
    n_explain: int = 500  # test samples explained per unit
    n_background: int = 100  # rows of the exact background
    n_draws: tuple[tuple[int, int], ...] = ((2, 1500), (3, 100), (4, 100))  # (M, draws) random masking
    seeds: tuple[int, ...] = (1, 42, 113)
    maskings: tuple[str, ...] = ("random", "expectation")
    tables: tuple[str, ...] = ("2", "3", "9", "10", "11")
    frozen_variants: bool = True  # also train intermediate/late with frozen encoders (authors' code)
    data_seed: int = 0

    def epochs_for(self, m: int) -> int:
        return dict(self.epochs).get(m, max(e for _, e in self.epochs))

    def draws_for(self, m: int) -> int:
        return dict(self.n_draws).get(m, min(d for _, d in self.n_draws))


FULL = Config()
QUICK = Config(
    n_samples=4000, epochs=((2, 60), (3, 60), (4, 60)), batch_size=128, n_explain=200, n_background=100,
    n_draws=((2, 200), (3, 50), (4, 30)), frozen_variants=False,
)


@dataclass(frozen=True)
class Unit:
    """One experiment: a data set, a model and a seed (trained once, explained per masking)."""

    data: str  # "hd-xor" | "sum"
    setting: str
    n_modalities: int
    model: str  # "xor" | "fcnn" | "unimodal"
    fusion: str | None  # early | intermediate | late | None (xor)
    seed: int
    tables: tuple[str, ...]
    encoders: str = "trained"  # "trained" | "frozen"
    modality: int | None = None  # unimodal models: which modality (0-based)


@dataclass
class RunContext:
    """What an extra scorer sees for one unit."""

    unit: Unit
    config: Config
    dataset: D.MultimodalDataset  # the full generated data set (splits inside)
    explained: D.MultimodalDataset  # the test samples that were explained
    predict_proba: Callable[[Sequence[np.ndarray]], np.ndarray]  # M arrays (B, d_m) → (B, C)
    model: Any = None  # the torch module (FCNN units) or the oracle function
    inputs: Callable[[D.MultimodalDataset], list[np.ndarray]] = field(default=lambda ds: ds.X)


#: Extra scorers used by :func:`run` when none are passed explicitly.
EXTRA_SCORERS: list[Callable[[RunContext], dict[str, float]]] = []


def baseline_scores(ctx: RunContext) -> dict[str, float | None]:
    """PID synergy (of the labels, bits), EMAP_gap and SHAPE cooperation (fractions of
    macro F1) on the explained samples, as in the paper's Table 2 (two-modality units;
    ``None`` elsewhere). An extra scorer: ``run(cfg, extra_scorers=[baseline_scores])``."""
    if ctx.unit.model == "unimodal" or ctx.dataset.n_modalities != 2:
        return {"pid": None, "emap_gap": None, "shape": None}
    from .baselines import emap, pid, shape

    X, y, seed = ctx.inputs(ctx.explained), ctx.explained.y, ctx.unit.seed
    model = ctx.predict_proba
    return {
        "pid": float(pid(None, ctx.explained.X, y, seed=seed).score),
        "emap_gap": float(emap(model, X, y, n_samples=None, seed=seed, progress=False).score),
        "shape": float(shape(model, X, y, seed=seed).score),
    }


def plan_units(cfg: Config) -> list[Unit]:
    """Every unit the configured tables need (shared units feed several tables)."""
    units: dict[tuple, set[str]] = {}
    order: list[tuple] = []

    def add(tables: Sequence[str], *key: Any) -> None:
        if key not in units:
            units[key] = set()
            order.append(key)
        units[key].update(tables)

    t = set(cfg.tables)
    for seed in cfg.seeds:
        if "2" in t:
            for s in ("uniqueness1", "synergy"):
                add(["2"], "hd-xor", s, 2, "xor", None, seed, "trained", None)
        for s in ("uniqueness1", "synergy", "redundancy", "random"):
            tabs = [x for x in ("2", "11") if x in t] + (["3", "10"] if s != "random" else [])
            tabs = [x for x in tabs if x in t]
            for fusion in ("early", "intermediate", "late"):
                ft = tabs if fusion == "early" else [x for x in tabs if x in ("10", "11")]
                if ft:
                    add(ft, "hd-xor", s, 2, "fcnn", fusion, seed, "trained", None)
                if fusion != "early" and cfg.frozen_variants and ft:
                    add(ft, "hd-xor", s, 2, "fcnn", fusion, seed, "frozen", None)
            if "11" in t:
                for mod in (0, 1):
                    add(["11"], "hd-xor", s, 2, "unimodal", "early", seed, "trained", mod)
        if "3" in t:
            for m in (3, 4):
                for s in ("uniqueness1", "synergy", "redundancy"):
                    add(["3"], "hd-xor", s, m, "fcnn", "early", seed, "trained", None)
        if "9" in t:
            for s in ("uniqueness1", "uniqueness2", "mix1", "mix2", "synergy", "redundancy"):
                add(["9"], "sum", s, 2, "fcnn", "early", seed, "trained", None)
    out = [
        Unit(data=k[0], setting=k[1], n_modalities=k[2], model=k[3], fusion=k[4], seed=k[5],
             encoders=k[6], modality=k[7], tables=tuple(sorted(units[k], key=int)))
        for k in order
    ]
    return sorted(out, key=lambda u: (_priority(u), u.seed))


def _priority(u: Unit) -> int:
    """Run order: the paper's headline results first, the extras last."""
    if u.model == "xor":
        return 0
    if u.encoders == "frozen":
        return 6
    if u.data == "sum":
        return 5
    if u.n_modalities > 2:
        return 3 + (u.n_modalities > 3)
    return 1 if u.model == "fcnn" else 2


# ----------------------------------------------------------------------------- one unit
def _dataset(unit: Unit, cfg: Config) -> D.MultimodalDataset:
    if unit.data == "sum":
        return D.sum_dataset(unit.setting, cfg.n_samples, seed=cfg.data_seed)
    return D.hd_xor(unit.setting, unit.n_modalities, cfg.n_samples, seed=cfg.data_seed)


def _explained(ds: D.MultimodalDataset, cfg: Config) -> D.MultimodalDataset:
    test = ds.splits["test"]
    k = min(cfg.n_explain, test.size)
    idx = np.sort(np.random.default_rng(cfg.data_seed + 7).choice(test, size=k, replace=False))
    return ds.subset(idx)


def _explain_scores(model: Any, X: list, background: list, masking: str, m: int, cfg: Config, seed: int,
                    output: str) -> dict[str, float]:
    from ..explainers.exact import explain

    kw = dict(masking=masking, seed=seed, output=output, progress=False)
    if masking == "random":
        kw["n_draws"] = cfg.draws_for(m)
    else:
        kw["n_background"] = background[0].shape[0]
    res = explain(model, X, background, **kw)
    loc = np.asarray(res.intershap_local, dtype=float)
    return {
        "intershap": float(res.intershap),
        "intershap_local": float(np.nanmean(loc)),
        "intershap_local_sd": float(np.nanstd(loc)),
        "modality_contributions": [float(v) for v in res.modality_contributions],
    }


def run_unit(unit: Unit, cfg: Config, extra_scorers: Sequence[Callable] | None = None,
             progress: bool = False) -> list[dict]:
    """Train/evaluate/explain one unit; returns its records (one per table and masking)."""
    import torch

    from . import fusion as F

    extra_scorers = list(EXTRA_SCORERS if extra_scorers is None else extra_scorers)
    t0 = time.perf_counter()
    ds = _dataset(unit, cfg)
    m = ds.n_modalities
    expl = _explained(ds, cfg)
    train = ds.split("train")
    bg_idx = ds.background_index(min(cfg.n_background, train.n_samples), seed=cfg.data_seed)
    base = dict(
        data=unit.data, setting=unit.setting, model=unit.model, fusion=unit.fusion, encoders=unit.encoders,
        n_modalities=m, seed=unit.seed, data_seed=cfg.data_seed, n_samples=cfg.n_samples,
        n_explained=expl.n_samples, modality=unit.modality,
    )
    records: list[dict] = []
    scores: dict[str | None, dict] = {}
    train_s = 0.0
    if unit.model == "xor":
        views = lambda d: d.bits_view()  # noqa: E731
        model: Any = ds.oracle()  # the dataset's label rule
        predict = model
        output = "probability"
        f1 = F.f1_macro(expl.y, predict(views(expl)).argmax(1))
        epochs = None
    else:
        cols = [unit.modality] if unit.model == "unimodal" else list(range(m))
        views = lambda d: [d.X[c] for c in cols]  # noqa: E731
        torch.manual_seed(unit.seed)
        np.random.seed(unit.seed)
        dims = [ds.dims[c] for c in cols]
        model = F.make_model(dims, unit.fusion or "early", n_classes=2, seed=unit.seed)
        epochs = cfg.epochs_for(m)
        log = F.train_model(model, views(train), train.y, epochs=epochs, batch_size=cfg.batch_size,
                            lr=cfg.lr, seed=unit.seed, train_encoders=unit.encoders == "trained", progress=progress)
        train_s = log.seconds
        predict = lambda X: F.predict_proba(model, X)  # noqa: E731
        test = ds.split("test")
        f1 = F.f1_macro(test.y, predict(views(test)).argmax(1))
        output = "logits"
    t1 = time.perf_counter()
    if unit.model != "unimodal":
        for masking in cfg.maskings:
            bg = views(train) if masking == "random" else views(ds.subset(bg_idx))
            scores[masking] = _explain_scores(model, views(expl), bg, masking, m, cfg, unit.seed, output)
    else:
        scores[None] = {}
    extra: dict[str, Any] = {}
    if extra_scorers:
        ctx = RunContext(unit=unit, config=cfg, dataset=ds, explained=expl, predict_proba=predict,
                         model=model, inputs=views)
        for scorer in extra_scorers:
            extra.update(scorer(ctx))
    t2 = time.perf_counter()
    for table in unit.tables:
        for masking, sc in scores.items():
            rec = dict(table=table, **base, masking=masking,
                       n_draws=cfg.draws_for(m) if masking == "random" else None,
                       n_background=int(bg_idx.size) if masking == "expectation" else None,
                       epochs=epochs, batch_size=cfg.batch_size if epochs else None,
                       intershap=sc.get("intershap"), intershap_local=sc.get("intershap_local"),
                       intershap_local_sd=sc.get("intershap_local_sd"),
                       modality_contributions=sc.get("modality_contributions"),
                       f1_macro=float(f1), seconds_train=round(train_s, 2), seconds_explain=round(t2 - t1, 2),
                       seconds_total=round(t2 - t0, 2))
            rec.update(extra)
            records.append(rec)
    return records


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)


def _run_one(args: tuple) -> list[dict]:
    unit, cfg, scorers = args
    return run_unit(unit, cfg, scorers)


def run(cfg: Config, *, workers: int = 1, extra_scorers: Sequence[Callable] | None = None,
        progress: bool = True, units: Sequence[Unit] | None = None, log_path: str | None = None) -> list[dict]:
    """Run every unit of ``cfg`` (in ``workers`` processes); returns all records.

    With ``log_path`` every finished unit's records are appended there as JSON lines,
    so a long run that is stopped early still leaves its results
    (``--from-jsonl`` prints tables from such a file).
    """
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    def emit(out: list[dict]) -> None:
        records.extend(out)
        if log_path:
            with open(log_path, "a") as fh:
                for r in out:
                    fh.write(json.dumps(r) + "\n")
        bar.update(1)

    units = plan_units(cfg) if units is None else list(units)
    scorers = list(EXTRA_SCORERS if extra_scorers is None else extra_scorers)
    jobs = [(u, cfg, scorers) for u in units]
    records: list[dict] = []
    bar = tqdm(total=len(jobs), desc="reproduce", unit="run", disable=not progress)
    if workers <= 1:
        _worker_init()
        for job in jobs:
            emit(_run_one(job))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
            futures = [pool.submit(_run_one, job) for job in jobs]
            for fut in as_completed(futures):
                emit(fut.result())
    bar.close()
    return sorted(records, key=lambda r: (r["table"], r["model"], str(r["fusion"]), r["setting"],
                                          r["n_modalities"], r["seed"], str(r["masking"])))


# ----------------------------------------------------------------------------- tables
def _pct(vals: Sequence[float], std: bool = True) -> str:
    v = np.asarray([x for x in vals if x is not None and not math.isnan(x)], dtype=float) * 100
    if v.size == 0:
        return "–"
    if v.size == 1 or not std:
        return f"{v.mean():.1f}"
    return f"{v.mean():.1f} ± {v.std():.1f}"


def _local(recs: list[dict]) -> str:
    """Local score: mean over runs ± std over explained samples pooled over the runs."""
    if not recs:
        return "–"
    mu = np.array([r["intershap_local"] for r in recs], dtype=float)
    sd = np.array([r["intershap_local_sd"] for r in recs], dtype=float)
    pooled = math.sqrt(float(np.mean(sd**2 + (mu - mu.mean()) ** 2)))
    return f"{100 * mu.mean():.1f} ± {100 * pooled:.1f}"


def _paper(key: tuple) -> str:
    if key not in PAPER:
        return "–"
    mean, std = PAPER[key]
    return f"{mean:.1f}" if std is None else f"{mean:.1f} ± {std:.1f}"


def _sel(records: list[dict], **kw: Any) -> list[dict]:
    return [r for r in records if all(r.get(k) == v for k, v in kw.items())]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


_NAMES = {"uniqueness1": "Uniqueness", "uniqueness2": "Uniqueness 2", "synergy": "Synergy",
          "redundancy": "Redundancy", "random": "Random", "mix1": "Mix 1", "mix2": "Mix 2"}


def markdown_tables(records: list[dict], maskings: Sequence[str] = ("random", "expectation")) -> str:
    """Markdown tables (ours per masking mode beside the paper), in percent."""
    parts: list[str] = []
    mk = [m for m in maskings if any(r.get("masking") == m for r in records)]
    lab = {"random": "ours, random", "expectation": "ours, exact"}
    tabs = {r["table"] for r in records}

    if "2" in tabs:
        cols = [("xor", "uniqueness1"), ("fcnn", "uniqueness1"), ("xor", "synergy"), ("fcnn", "synergy"),
                ("fcnn", "redundancy"), ("fcnn", "random")]
        header = ["Table 2"] + [f"{_NAMES[s]} {mo.upper()}" for mo, s in cols]
        rows = []
        for metric, name in (("intershap", "InterSHAP"), ("intershap_local", "InterSHAP local")):
            rows.append([f"{name} (paper)"] + [_paper(("2", mo, s, metric)) for mo, s in cols])
            for mask in mk:
                cells = []
                for mo, s in cols:
                    rs = _sel(records, table="2", model=mo, setting=s, masking=mask, encoders="trained")
                    rs = [r for r in rs if r["fusion"] in (None, "early")]
                    cells.append(_pct([r[metric] for r in rs]) if metric == "intershap" else _local(rs))
                rows.append([f"{name} ({lab[mask]})"] + cells)
        paper_cmp = {"pid": ["0.01", "0.01 ± 0.01", "0.39", "0.39 ± 0.01", "0.14 ± 0.02", "0.48 ± 0.01"],
                     "emap_gap": ["0", "0 ± 0", "49.1", "43.5 ± 1.0", "1.8 ± 0.4", "0.6 ± 0.4"],
                     "shape": ["1.6", "16.5 ± 0.6", "33.1", "27.6 ± 1.5", "−47.1 ± 0.5", "15.1 ± 1.9"]}
        for key, name in (("pid", "PID synergy"), ("emap_gap", "EMAP_gap"), ("shape", "SHAPE")):
            have = [r for r in records if r["table"] == "2" and r.get(key) is not None]
            if not have:
                continue
            rows.append([f"{name} (paper)"] + paper_cmp[key])
            cells = []
            for mo, s in cols:
                rs = [r for r in _sel(have, model=mo, setting=s, masking=mk[0]) if r["fusion"] in (None, "early")]
                v = [r[key] for r in rs]
                if key == "pid":
                    cells.append(f"{np.mean(v):.2f} ± {np.std(v):.2f}" if v else "–")
                else:
                    cells.append(_pct(v))
            rows.append([f"{name} (ours)"] + cells)
        parts.append("### Table 2: InterSHAP (%), HD-XOR, two modalities, XOR oracle and early-fusion FCNN\n\n"
                     + _table(header, rows))
    if "3" in tabs:
        settings = ("uniqueness1", "synergy", "redundancy")
        rows = []
        for m in sorted({r["n_modalities"] for r in records if r["table"] == "3"}):
            rows.append([f"{m} modalities (paper)"] + [_paper(("3", m, s)) for s in settings])
            for mask in mk:
                rows.append([f"{m} modalities ({lab[mask]})"] + [
                    _pct([r["intershap"] for r in _sel(records, table="3", n_modalities=m, setting=s, masking=mask)])
                    for s in settings])
        parts.append("### Table 3: InterSHAP (%), early-fusion FCNN, 2/3/4 modalities\n\n"
                     + _table(["Table 3"] + [_NAMES[s] for s in settings], rows))
    if "9" in tabs:
        settings = ("uniqueness1", "uniqueness2", "mix1", "mix2", "synergy", "redundancy")
        rows = []
        for metric, name in (("intershap", "InterSHAP"), ("intershap_local", "InterSHAP local")):
            rows.append([f"{name} (paper)"] + [_paper(("9", s, metric)) for s in settings])
            for mask in mk:
                cells = []
                for s in settings:
                    rs = _sel(records, table="9", setting=s, masking=mask)
                    cells.append(_pct([r[metric] for r in rs]) if metric == "intershap" else _local(rs))
                rows.append([f"{name} ({lab[mask]})"] + cells)
        f1 = ["F1 macro (ours)"] + [_pct([r["f1_macro"] for r in _sel(records, table="9", setting=s,
                                                                        masking=mk[0] if mk else None)])
                                    for s in settings]
        rows.append(f1)
        parts.append("### Table 9: InterSHAP (%), SUM data, early-fusion FCNN\n\n"
                     + _table(["Table 9"] + [_NAMES[s] for s in settings], rows))
    if "10" in tabs:
        settings = ("uniqueness1", "synergy", "redundancy")
        rows = []
        for fusion in ("early", "intermediate", "late"):
            rows.append([f"{fusion} (paper)"] + [_paper(("10", fusion, s)) for s in settings])
            for enc in ("trained", "frozen"):
                for mask in mk:
                    rs = [_sel(records, table="10", fusion=fusion, setting=s, masking=mask, encoders=enc)
                          for s in settings]
                    if any(rs):
                        tag = "" if enc == "trained" else ", frozen encoders"
                        rows.append([f"{fusion} ({lab[mask]}{tag})"] + [_pct([r["intershap"] for r in x]) for x in rs])
        parts.append("### Table 10: InterSHAP (%) by fusion, HD-XOR, two modalities\n\n"
                     + _table(["Table 10"] + [_NAMES[s] for s in settings], rows))
    if "11" in tabs:
        settings = ("synergy", "uniqueness1", "redundancy", "random")
        rows = []
        first = mk[0] if mk else None
        for row in ("modality 1", "modality 2", "early", "intermediate", "late"):
            rows.append([f"{row} (paper)"] + [_paper(("11", row, s)) for s in settings])
            for enc in ("trained", "frozen"):
                if row.startswith("modality"):
                    if enc == "frozen":
                        continue
                    rs = [_sel(records, table="11", model="unimodal", modality=int(row[-1]) - 1, setting=s)
                          for s in settings]
                else:
                    rs = [_sel(records, table="11", model="fcnn", fusion=row, setting=s, masking=first, encoders=enc)
                          for s in settings]
                if any(rs):
                    tag = "ours" if enc == "trained" else "ours, frozen encoders"
                    rows.append([f"{row} ({tag})"] + [_pct([r["f1_macro"] for r in x]) for x in rs])
        parts.append("### Table 11: test macro F1 (%), HD-XOR, two modalities\n\n"
                     + _table(["Table 11"] + [_NAMES[s] for s in settings], rows))
    return "\n\n".join(parts) + "\n"


# ----------------------------------------------------------------------------- CLI
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
