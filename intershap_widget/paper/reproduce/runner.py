"""Running units: train (or take the XOR oracle), measure macro F1, explain the chosen test
samples per masking mode, add the extra scorers' fields; many units in worker processes."""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .. import datasets as D
from .plan import Config, Unit, plan_units

__all__ = ["RunContext", "EXTRA_SCORERS", "baseline_scores", "run_unit", "run"]


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
    from ..baselines import emap, pid, shape

    X, y, seed = ctx.inputs(ctx.explained), ctx.explained.y, ctx.unit.seed
    model = ctx.predict_proba
    return {
        "pid": float(pid(None, ctx.explained.X, y, seed=seed).score),
        "emap_gap": float(emap(model, X, y, n_samples=None, seed=seed, progress=False).score),
        "shape": float(shape(model, X, y, seed=seed).score),
    }


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
    from ...explainers.exact import explain

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

    from .. import fusion as F

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
