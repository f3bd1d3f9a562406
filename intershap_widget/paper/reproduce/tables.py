"""Markdown tables of reproduction records, ours per masking mode beside the paper's numbers."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .paper_numbers import PAPER

__all__ = ["markdown_tables"]


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


#: row label of our numbers per masking mode
_LAB = {"random": "ours, random", "expectation": "ours, exact"}
#: Table 2's comparison scores as the paper prints them, per column
_PAPER_CMP = {"pid": ["0.01", "0.01 ± 0.01", "0.39", "0.39 ± 0.01", "0.14 ± 0.02", "0.48 ± 0.01"],
              "emap_gap": ["0", "0 ± 0", "49.1", "43.5 ± 1.0", "1.8 ± 0.4", "0.6 ± 0.4"],
              "shape": ["1.6", "16.5 ± 0.6", "33.1", "27.6 ± 1.5", "−47.1 ± 0.5", "15.1 ± 1.9"]}
_TABLE2_COLS = [("xor", "uniqueness1"), ("fcnn", "uniqueness1"), ("xor", "synergy"), ("fcnn", "synergy"),
                ("fcnn", "redundancy"), ("fcnn", "random")]


def _table2_comparison_rows(records: list[dict], mk: list[str]) -> list[list[str]]:
    """Table 2's PID / EMAP_gap / SHAPE rows (paper, ours) for the scores the records have."""
    rows = []
    for key, name in (("pid", "PID synergy"), ("emap_gap", "EMAP_gap"), ("shape", "SHAPE")):
        have = [r for r in records if r["table"] == "2" and r.get(key) is not None]
        if not have:
            continue
        rows.append([f"{name} (paper)"] + _PAPER_CMP[key])
        cells = []
        for mo, s in _TABLE2_COLS:
            rs = [r for r in _sel(have, model=mo, setting=s, masking=mk[0]) if r["fusion"] in (None, "early")]
            v = [r[key] for r in rs]
            if key == "pid":
                cells.append(f"{np.mean(v):.2f} ± {np.std(v):.2f}" if v else "–")
            else:
                cells.append(_pct(v))
        rows.append([f"{name} (ours)"] + cells)
    return rows


def _table2(records: list[dict], mk: list[str]) -> str:
    cols = _TABLE2_COLS
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
            rows.append([f"{name} ({_LAB[mask]})"] + cells)
    rows += _table2_comparison_rows(records, mk)
    return ("### Table 2: InterSHAP (%), HD-XOR, two modalities, XOR oracle and early-fusion FCNN\n\n"
            + _table(header, rows))


def _table3(records: list[dict], mk: list[str]) -> str:
    settings = ("uniqueness1", "synergy", "redundancy")
    rows = []
    for m in sorted({r["n_modalities"] for r in records if r["table"] == "3"}):
        rows.append([f"{m} modalities (paper)"] + [_paper(("3", m, s)) for s in settings])
        for mask in mk:
            rows.append([f"{m} modalities ({_LAB[mask]})"] + [
                _pct([r["intershap"] for r in _sel(records, table="3", n_modalities=m, setting=s, masking=mask)])
                for s in settings])
    return ("### Table 3: InterSHAP (%), early-fusion FCNN, 2/3/4 modalities\n\n"
            + _table(["Table 3"] + [_NAMES[s] for s in settings], rows))


def _table9(records: list[dict], mk: list[str]) -> str:
    settings = ("uniqueness1", "uniqueness2", "mix1", "mix2", "synergy", "redundancy")
    rows = []
    for metric, name in (("intershap", "InterSHAP"), ("intershap_local", "InterSHAP local")):
        rows.append([f"{name} (paper)"] + [_paper(("9", s, metric)) for s in settings])
        for mask in mk:
            cells = []
            for s in settings:
                rs = _sel(records, table="9", setting=s, masking=mask)
                cells.append(_pct([r[metric] for r in rs]) if metric == "intershap" else _local(rs))
            rows.append([f"{name} ({_LAB[mask]})"] + cells)
    f1 = ["F1 macro (ours)"] + [_pct([r["f1_macro"] for r in _sel(records, table="9", setting=s,
                                                                    masking=mk[0] if mk else None)])
                                for s in settings]
    rows.append(f1)
    return ("### Table 9: InterSHAP (%), SUM data, early-fusion FCNN\n\n"
            + _table(["Table 9"] + [_NAMES[s] for s in settings], rows))


def _table10(records: list[dict], mk: list[str]) -> str:
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
                    rows.append([f"{fusion} ({_LAB[mask]}{tag})"] + [_pct([r["intershap"] for r in x]) for x in rs])
    return ("### Table 10: InterSHAP (%) by fusion, HD-XOR, two modalities\n\n"
            + _table(["Table 10"] + [_NAMES[s] for s in settings], rows))


def _table11(records: list[dict], mk: list[str]) -> str:
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
    return ("### Table 11: test macro F1 (%), HD-XOR, two modalities\n\n"
            + _table(["Table 11"] + [_NAMES[s] for s in settings], rows))


#: each table's builder, in print order
_TABLES = {"2": _table2, "3": _table3, "9": _table9, "10": _table10, "11": _table11}


def markdown_tables(records: list[dict], maskings: Sequence[str] = ("random", "expectation")) -> str:
    """Markdown tables (ours per masking mode beside the paper), in percent."""
    mk = [m for m in maskings if any(r.get("masking") == m for r in records)]
    tabs = {r["table"] for r in records}
    parts = [build(records, mk) for key, build in _TABLES.items() if key in tabs]
    return "\n\n".join(parts) + "\n"
