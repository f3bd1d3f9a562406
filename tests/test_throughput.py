"""The batch-size calibration (explainers/throughput.py) on a fake clock: the model's
cost per row is a known function of the batch, with interference from "other
processes" on some blocks; the pick is the middle of the plateau whatever the
interference, the budget holds, and the run's row count is untouched. No real timing."""

from __future__ import annotations

import types

import numpy as np
import pytest

from intershap_widget.explainers import throughput
from intershap_widget.explainers.adapters import as_model
from intershap_widget.explainers.maskers import BackgroundMasker, SampledMasker
from intershap_widget.explainers.run import Run
from intershap_widget.explainers.throughput import CANDIDATES, calibrate_batch_size, plateau_pick


class Clock:
    """A clock that only the model moves: ``cost(rows)`` seconds per call, times an
    interference factor drawn (seeded) for each call."""

    def __init__(self, per_row, seed, interference=0.3):
        self.now, self.per_row = 0.0, per_row
        self.rng, self.interference = np.random.default_rng(seed), interference

    def perf_counter(self):
        return self.now

    def model(self, xs):
        rows = xs[0].shape[0]
        slow = 1.0 + (self.rng.random() < self.interference) * self.rng.uniform(0.2, 3.0)
        self.now += rows * self.per_row(rows) * slow
        s = sum(x.sum(axis=1) for x in xs)
        return np.stack([np.tanh(s), -np.tanh(s)], axis=1)


def plateau_cost(rows):
    """Seconds per row: per-call overhead (within 10 % of the best from 4,096 rows),
    cache misses above 16,384 rows."""
    return 1e-6 * (1 + 384 / rows + max(0, np.log2(rows / 16384)))


def make_run(clock, masker, n=50):
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(n, 2)) for _ in range(3)]
    bg = [rng.normal(size=(400, 2)) for _ in range(3)]
    adapter = as_model(clock.model)
    masker.bind(adapter, bg)
    return Run(adapter, masker, xs, "probability", 256, n_cols=2)


@pytest.fixture
def fake_time(monkeypatch):
    def use(clock):
        monkeypatch.setattr(throughput, "time", types.SimpleNamespace(perf_counter=clock.perf_counter))
    return use


def test_plateau_pick_is_the_middle_of_the_sizes_near_the_best():
    assert plateau_pick({1024: 100, 2048: 95, 4096: 97, 8192: 60}) == 2048
    assert plateau_pick({1024: 50, 2048: 100, 4096: 95, 8192: 92, 16384: 91, 32768: 40}) == 4096
    assert plateau_pick({1024: 10, 65536: 11}) == 1024  # both on it: the lower middle
    assert plateau_pick({1024: 5, 65536: 11}) == 65536


@pytest.mark.parametrize("masker", [SampledMasker(32, seed=1), BackgroundMasker(400)], ids=["K=32", "K=400"])
def test_the_same_pick_whatever_the_interference(fake_time, masker):
    picks, spent = [], []
    for seed in range(8):
        clock = Clock(plateau_cost, seed)
        fake_time(clock)
        run = make_run(clock, masker)
        size, rows, speed = calibrate_batch_size(run, expected_rows=100_000_000, default=256)
        assert run.rows_done == 0  # calibration rows are not the run's
        picks.append(size)
        spent.append(rows)
        assert set(speed) <= set(CANDIDATES)
    # true plateau (within 10 % of the best rate): 4,096 … 16,384 rows per block
    assert set(picks) <= {4096, 8192, 16384} and picks.count(8192) >= 6, picks
    assert max(spent) <= 100_000_000 // 25


def test_stops_past_the_plateau_and_keeps_to_its_budget(fake_time):
    clock = Clock(lambda rows: 1e-6 * (1 + max(0.0, np.log2(rows / 1024))), seed=0, interference=0)
    fake_time(clock)
    size, rows, speed = calibrate_batch_size(make_run(clock, SampledMasker(32)), 100_000_000, 256)
    assert size == 1024 and sorted(speed) == [1024, 2048, 4096]  # 2,048 and 4,096 fell off: stop
    budget = 3 * (4096 + 4096) * 25  # room for two sizes only
    clock = Clock(plateau_cost, seed=1, interference=0)
    fake_time(clock)
    size, rows, speed = calibrate_batch_size(make_run(clock, SampledMasker(32)), budget, 256)
    assert sorted(speed) == [1024, 2048] and rows <= budget // 25 + 4096 and size == 2048


def test_a_small_run_keeps_the_memory_rule(fake_time):
    clock = Clock(plateau_cost, seed=0)
    fake_time(clock)
    run = make_run(clock, SampledMasker(32))
    assert calibrate_batch_size(run, expected_rows=50_000, default=777) == (777, 0, {})
    assert clock.now == 0.0  # the model was not called


def test_calibration_works_past_the_exact_limit_of_modalities():
    """The sampler (and the feature path's joint players) may have M > 16: calibrating the
    batch size builds its coalitions from bits, not the exact path's table of 2**M masks."""
    import warnings

    import intershap_widget as isw

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(300, 1)) for _ in range(18)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = isw.sample_explain(lambda xs: sum(x[:, 0] for x in xs) + xs[0][:, 0] * xs[1][:, 0], X, budget=64,
                                 output="regression", progress=False)
    assert res.phi.shape == (300, 18, 18)
