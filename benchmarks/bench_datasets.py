"""Time the synthetic generators: 20,000 samples per data set (the paper's size).

Prints seconds per data set and the ratio to the 1 s budget of issue 4; run with
``PYTHONPATH=. python benchmarks/bench_datasets.py``.
"""

import time

from intershap_widget.paper import datasets as D


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(f"{'data set':32s} {'seconds':>8s} {'of 1 s budget':>14s}")
    cases = [(f"hd-xor {s} M={m}", lambda s=s, m=m: D.hd_xor(s, m, 20_000))
             for m in (2, 3, 4, 5) for s in ("uniqueness1", "synergy", "redundancy", "random")]
    cases += [(f"sum {s}", lambda s=s: D.sum_dataset(s, 20_000)) for s in ("uniqueness1", "mix1", "synergy")]
    for name, fn in cases:
        sec = best_of(fn)
        print(f"{name:32s} {sec:8.3f} {sec / 1.0:13.0%}")


if __name__ == "__main__":
    main()
