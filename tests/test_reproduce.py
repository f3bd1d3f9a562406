"""A very reduced reproduction of the paper's synthetic tables (intershap_widget.paper.reproduce)."""

import json

import numpy as np
import pytest

from intershap_widget.paper import fusion as F
from intershap_widget.paper import reproduce as R
from intershap_widget.paper.reproduce import tables as T

REQUIRED = {"table", "setting", "model", "fusion", "n_modalities", "masking", "seed", "intershap",
            "intershap_local", "f1_macro"}


def test_plan_covers_every_table_cell_with_three_seeds():
    units = R.plan_units(R.FULL)
    assert len(units) == len(set(units))
    cells = {}
    for u in units:
        for t in u.tables:
            cells.setdefault((t, u.data, u.setting, u.n_modalities, u.model, u.fusion, u.encoders, u.modality),
                             set()).add(u.seed)
    assert all(seeds == {1, 42, 113} for seeds in cells.values())
    keys = set(cells)
    assert ("3", "hd-xor", "synergy", 4, "fcnn", "early", "trained", None) in keys
    assert ("9", "sum", "mix2", 2, "fcnn", "early", "trained", None) in keys
    assert ("11", "hd-xor", "random", 2, "unimodal", "early", "trained", 1) in keys
    assert ("10", "hd-xor", "synergy", 2, "fcnn", "late", "frozen", None) in keys
    assert ("2", "hd-xor", "synergy", 2, "xor", None, "trained", None) in keys
    # the early-fusion two-modality synergy run feeds Tables 2, 3, 10 and 11 and is trained once
    early = [u for u in units if u.data == "hd-xor" and u.model == "fcnn" and u.fusion == "early" and u.setting == "synergy"
             and u.n_modalities == 2 and u.seed == 1]
    assert len(early) == 1 and early[0].tables == ("2", "3", "10", "11")
    # headline results run first
    assert units[0].model == "xor" and units[-1].encoders == "frozen"


def _f1_on_explained(ctx: R.RunContext) -> dict:
    pred = ctx.predict_proba(ctx.inputs(ctx.explained)).argmax(1)
    return {"f1_explained": F.f1_macro(ctx.explained.y, pred), "n_ctx": ctx.explained.n_samples}


def test_reduced_reproduction_shows_the_papers_findings():
    cfg = R.Config(n_samples=20_000, epochs=((2, 4),), batch_size=128, lr=1e-3, n_explain=150, n_background=100,
                   n_draws=((2, 300),), seeds=(1,), tables=("2", "10"), frozen_variants=False)
    want = {("xor", None, "uniqueness1"), ("xor", None, "synergy"), ("fcnn", "early", "uniqueness1"),
            ("fcnn", "early", "synergy"), ("fcnn", "late", "synergy")}
    units = [u for u in R.plan_units(cfg) if (u.model, u.fusion, u.setting) in want]
    assert len(units) == 5
    recs = R.run(cfg, units=units, progress=False, extra_scorers=[_f1_on_explained])
    assert all(REQUIRED <= set(r) for r in recs)

    def score(model, fusion, setting, masking):
        vals = {r["intershap"] for r in recs if (r["model"], r["fusion"], r["setting"], r["masking"])
                == (model, fusion, setting, masking)}
        assert len(vals) == 1  # same run in every table it feeds
        return vals.pop()

    # XOR oracle: exact expectation gives exactly 0 and 1; random replacement is close
    assert score("xor", None, "synergy", "expectation") == pytest.approx(1.0, abs=1e-12)
    assert score("xor", None, "uniqueness1", "expectation") == pytest.approx(0.0, abs=1e-12)
    assert 0.95 < score("xor", None, "synergy", "random") <= 1.0
    assert score("xor", None, "uniqueness1", "random") < 0.03
    for masking in ("expectation", "random"):
        uniq = score("fcnn", "early", "uniqueness1", masking)
        early = score("fcnn", "early", "synergy", masking)
        late = score("fcnn", "late", "synergy", masking)
        assert uniq < 0.05, (masking, uniq)
        assert early > 0.8, (masking, early)
        assert late < early / 4, (masking, late, early)
    # the extra-scorer hook sees the trained model and the explained samples
    fcnn = [r for r in recs if r["model"] == "fcnn" and r["setting"] == "uniqueness1"]
    assert all(r["n_ctx"] == 150 and r["f1_explained"] > 0.8 for r in fcnn)
    text = R.markdown_tables(recs)
    assert "Table 2" in text and "Table 10" in text and "98.0 ± 0.5" in text


def test_cli_writes_tidy_json_records(tmp_path, capsys):
    path = tmp_path / "out" / "records.json"
    log = tmp_path / "records.jsonl"
    rc = R.main(["--quick", "--tables", "2", "--seeds", "1", "--epochs-scale", "0.05", "--n-samples", "1000",
                 "--maskings", "expectation", "--json", str(path), "--log", str(log), "--no-progress"])
    assert rc == 0
    recs = json.loads(path.read_text())
    assert len(recs) == 6  # XOR × 2 settings + early FCNN × 4 settings, one masking
    assert all(REQUIRED <= set(r) and r["table"] == "2" and r["masking"] == "expectation" for r in recs)
    assert {r["setting"] for r in recs} == {"uniqueness1", "synergy", "redundancy", "random"}
    assert all(0 <= r["intershap"] <= 1 and 0 <= r["f1_macro"] <= 1 for r in recs)
    out = capsys.readouterr().out
    assert "| InterSHAP (paper) |" in out and "ours, exact" in out
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert sorted(r["setting"] for r in lines) == sorted(r["setting"] for r in recs)
    assert R.main(["--from-jsonl", str(log)]) == 0
    assert "Table 2" in capsys.readouterr().out


def test_percent_formatting():
    assert T._pct([0.5, 0.6, 0.7]) == f"60.0 ± {np.std([50, 60, 70]):.1f}"
    assert T._pct([0.123]) == "12.3"
    assert T._paper(("2", "xor", "synergy", "intershap")) == "99.7"


def test_baseline_scores_plug_in_as_extra_scorers():
    cfg = R.Config(n_samples=2000, n_explain=200, n_background=100, n_draws=((2, 10),), seeds=(1,),
                   maskings=("expectation",), tables=("2",), frozen_variants=False)
    units = [u for u in R.plan_units(cfg) if u.model == "xor"]
    recs = R.run(cfg, units=units, progress=False, extra_scorers=[R.baseline_scores])
    by = {r["setting"]: r for r in recs}
    # the oracle gains ~half its F1 from the interaction on synergy, nothing on uniqueness
    assert by["synergy"]["emap_gap"] > 0.3 and by["uniqueness1"]["emap_gap"] == pytest.approx(0, abs=1e-9)
    assert all(isinstance(r["pid"], float) and isinstance(r["shape"], float) for r in recs)
    # Table 2's pattern: every comparison score is larger on synergy than on uniqueness
    for score in ("pid", "emap_gap", "shape"):
        assert by["synergy"][score] > by["uniqueness1"][score] + 0.05, score
    assert "EMAP_gap (ours)" in R.markdown_tables(recs)
