"""The InterSHAP paper's published numbers for the synthetic tables (2, 3, 9, 10, 11)."""

from __future__ import annotations

__all__ = ["PAPER"]

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
