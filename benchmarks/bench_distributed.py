"""explain() on a Dask LocalCluster against the single-process run.

Prints, measured in one run on this machine, for the paper's early-fusion FCNN
(intershap_widget.paper.fusion, modalities 110/90/100/110) at N = 2,000, M = 4, K = 50
(N·(2**M − 2)·K + N + K = 1,402,050 model rows), in ``--rounds`` interleaved rounds of
(single process, machine ceiling, 1 worker, 2 workers), so that every ratio is read
against the single-process time and the ceiling measured in the same round:
  * wall time of the single-process run, of 1 and of 2 local workers (processes, one
    thread each; both clusters are started and warmed before timing), and the speed-ups
    (goal: >= 1.7x with 2 workers on 2 free cores);
  * the per-shard overhead (scheduler, transfer, gathering) = (wall time of the
    1-worker run − the workers' compute time) / shards, as a share of a shard's
    compute time (goal: < 5 %);
  * whether the sharded coalition values equal the local ones bit for bit;
  * the machine's ceiling: the throughput of two plain processes running the same
    forward passes at once against one alone (no Dask). On the 2-vCPU machine this was
    written on it is 0.9-1.2x: two busy processes there run no faster than one, so the
    2-worker speed-up is read against this ceiling.

The workers start with ``isw.DASK_WORKER_CONFIG`` (glibc's trim and mmap thresholds at
256 MB, docs/scale.md); with ``--dask-default-env`` they keep Dask's default
(MALLOC_TRIM_THRESHOLD_=65536), which made them 1.4-2.3x slower.

Usage: python benchmarks/bench_distributed.py [--n 2000] [--k 50] [--shard-size S] [--dask-default-env] [--rounds R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import intershap_widget as isw
from intershap_widget.paper.fusion import make_model

SIZES = (110, 90, 100, 110)


def compute_seconds(stream: list) -> tuple[float, int]:
    """Total compute time and count of the shard tasks in a Dask task stream."""
    total, count = 0.0, 0
    for task in stream:
        if not str(task.get("key", "")).startswith("shard_task"):
            continue
        count += 1
        total += sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
    return total, count


def forward_seconds(batch: int, repeats: int = 300) -> float:
    """Seconds of ``repeats`` forward passes of the FCNN on ``batch`` rows, one thread."""
    torch.set_num_threads(1)
    model = make_model(SIZES, "early", n_classes=2, seed=0).eval()
    x = [torch.randn(batch, d) for d in SIZES]
    with torch.inference_mode():
        for _ in range(5):
            model(x)
        start = time.perf_counter()
        for _ in range(repeats):
            model(x)
    return time.perf_counter() - start


def machine_ceiling(batch: int) -> float:
    """Throughput of two plain processes running forward passes at once, relative to one
    process alone: what two workers can reach on this machine, with no Dask at all."""
    import multiprocessing as mp

    one = forward_seconds(batch)
    with mp.get_context("spawn").Pool(2) as pool:
        two = pool.map(forward_seconds, [batch, batch])
    return 2 * one / max(two)


def timed_sharded(client, model, X, bg, shard_size, batch_size):
    from distributed import get_task_stream

    with get_task_stream(client) as ts:
        start = time.perf_counter()
        res = isw.explain(model, X, bg, client=client, shard_size=shard_size, batch_size=batch_size, progress=False)
        wall = time.perf_counter() - start
    return res, wall, ts.data


def timed_local(model, X, bg, shard_size, batch_size):
    start = time.perf_counter()
    res = isw.explain(model, X, bg, shard_size=shard_size, batch_size=batch_size, progress=False)
    return res, time.perf_counter() - start


def main(n: int = 2000, k: int = 50, shard_size: int | None = None, dask_default_env: bool = False,
         rounds: int = 2) -> None:
    """Rounds of (one process, ceiling, 1 worker, 2 workers), interleaved: each ratio is
    read against the one-process time and the ceiling of its own round."""
    import dask
    from distributed import Client, LocalCluster

    if not dask_default_env:
        dask.config.set(isw.DASK_WORKER_CONFIG)
    torch.set_num_threads(1)
    model = make_model(SIZES, "early", n_classes=2, seed=0).eval()
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, d)).astype(np.float32) for d in SIZES]
    bg = [x[:k] for x in X]
    isw.explain(model, [x[:5] for x in X], [b[:5] for b in bg], progress=False)  # warm-up
    local, _ = timed_local(model, X, bg, shard_size, None)
    step = local.settings["batch_size"]  # timed on the probe here; every run below uses it
    kw = dict(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    with LocalCluster(**kw) as one, LocalCluster(**{**kw, "n_workers": 2}) as two, \
            Client(one) as c1, Client(two) as c2:
        for c in (c1, c2):  # the workers build their model once, before any timing
            isw.explain(model, [x[:5] for x in X], [b[:5] for b in bg], client=c, progress=False)
        rows, same, overhead = local.settings["model_rows"], True, None
        print(f"distributed explain: N={n}, M=4, K={k}, early-fusion FCNN {sum(SIZES)}->{sum(SIZES) // 2}->"
              f"{sum(SIZES) // 4}->2, {rows:,} model rows, batch {step}, one thread per process; "
              f"worker environment: {'Dask default' if dask_default_env else 'isw.DASK_WORKER_CONFIG'}")
        print("  round  one process   1 worker        2 workers       ceiling  2 workers / ceiling")
        for r in range(rounds):
            res0, t0 = timed_local(model, X, bg, shard_size, step)
            ceiling = machine_ceiling(step)
            res1, t1, stream = timed_sharded(c1, model, X, bg, shard_size, step)
            res2, t2, _ = timed_sharded(c2, model, X, bg, shard_size, step)
            same &= all(np.array_equal(res.coalition_values, res0.coalition_values) for res in (res1, res2))
            if overhead is None:
                busy, shards = compute_seconds(stream)
                overhead = ((t1 - busy) / shards, busy / shards, shards)
            print(f"  {r + 1:>5}  {t0:7.2f} s     {t1:6.2f} s {t0 / t1:4.2f}x  {t2:6.2f} s {t0 / t2:4.2f}x  "
                  f"{ceiling:5.2f}x   {t0 / t2 / ceiling:6.0%}")
    per, shard_time, shards = overhead
    print(f"  shards              {shards} of about {shard_time:.2f} s compute each")
    print(f"  per-shard overhead  {per * 1e3:.0f} ms = {100 * per / shard_time:.1f} % of a shard (goal < 5 %)")
    print(f"  bit-identical to the single-process run: {same}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--shard-size", type=int, default=None)
    parser.add_argument("--dask-default-env", action="store_true", help="keep Dask's MALLOC_TRIM_THRESHOLD_")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (default 2)")
    args = parser.parse_args()
    main(args.n, args.k, args.shard_size, args.dask_default_env, args.rounds)
