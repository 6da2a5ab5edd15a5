"""Renders from Python threads: N renders one after another against the same N renders
started together from N threads, each render on one kernel thread.

    python benchmarks/threads.py                # 2 and 8 threads, 256x256 scenes
    python benchmarks/threads.py --size 512 --threads 2 4

On a CPython with the GIL the core releases the GIL, so the kernels overlap but the
Python around them (scene, colouring, finishing) takes turns; on a free-threaded
CPython (3.14t) everything runs in parallel. The ratio serial / parallel is the
speed-up; with more threads than cores it is bounded by the core count. Each timing is
the best of ``--repeat`` runs, serial and parallel alternating (the machine may be shared).
See docs/platforms.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import sysconfig
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import nbcli

POLYS = [[1, 0, 0, -1], [1, 0, 0, 0, 0, 0, 1], [1, 0, -2, 2], [1, 2j, -1, 0.5]]


def scenes(n: int, size: int) -> list[nbcli.Scene]:
    return [nbcli.Scene.create(POLYS[i % len(POLYS)], size=size, itmax=200) for i in range(n)]


def serial(jobs: list[nbcli.Scene]) -> float:
    t0 = time.perf_counter()
    for s in jobs:
        nbcli.render(s, threads=1, keep_data=False)
    return time.perf_counter() - t0


def parallel(jobs: list[nbcli.Scene]) -> float:
    start = threading.Barrier(len(jobs) + 1)

    def run(s: nbcli.Scene) -> None:
        start.wait()
        nbcli.render(s, threads=1, keep_data=False)

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run, s) for s in jobs]
        start.wait()
        t0 = time.perf_counter()
        for f in futures:
            f.result()
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", type=int, nargs="+", default=[2, 8])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    build = "free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else "with the GIL"
    print(
        f"Python {platform.python_version()} ({build}; GIL {'on' if gil else 'off'}), {os.cpu_count()} CPUs"
    )
    print(f"nb-render {nbcli.__version__}, kernel {nbcli.available_kernels()[-1]['name']} (best supported)")
    nbcli.render(scenes(1, 16)[0], threads=1)  # warm up: imports, tables
    print(f"{'renders':>8} {'size':>9} {'serial s':>9} {'parallel s':>11} {'speed-up':>9}")
    for n in args.threads:
        jobs = scenes(n, args.size)
        best_s = best_p = float("inf")
        for _ in range(args.repeat):
            best_s = min(best_s, serial(jobs))
            best_p = min(best_p, parallel(jobs))
        print(f"{n:>8} {args.size:>4}x{args.size:<4} {best_s:>9.3f} {best_p:>11.3f} {best_s / best_p:>8.2f}x")


if __name__ == "__main__":
    main()
