"""What a reproduction runs: the budget (:class:`Config`, :data:`FULL`, :data:`QUICK`) and
the units (data set × model × fusion × seed) each table needs, in run order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

__all__ = ["Config", "FULL", "QUICK", "Unit", "plan_units"]


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
