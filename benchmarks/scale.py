"""Scale-out benchmark: a large Zarr render on a Dask cluster of 1 and 2 worker processes, the
per-task overhead, and the same render through the local band pipeline.

    python benchmarks/scale.py                 # 16384x16384 (about two minutes on 2 cores)
    python benchmarks/scale.py --size 4096     # a quick look

Every worker is a separate process with one thread (tasks render with one kernel
thread each), so 2 workers use 2 cores. All timings run one after the other in this
one run, and each is the best of ``--repeat`` runs (the machine may be shared); the
speed-up is the ratio of the two. Every store is checked against a local render of
one of its tiles before its time counts. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import nbcli
from nbcli import Scene, Style

try:
    import distributed
    import zarr
except ImportError:  # pragma: no cover - the benchmark needs the extra
    raise SystemExit("this benchmark needs the dask extra: pip install 'nb-render[dask]'") from None


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def check(store: Path, scene: Scene, style: Style) -> None:
    """A tile of the store against a local render of the same pixels."""
    g = zarr.open_group(str(store), mode="r")
    h, w = scene.height, scene.width
    rows, cols = (h // 2 - 40, h // 2 + 40), (w // 3, w // 3 + 100)
    t = nbcli.render_tile(scene, style, rows=rows, cols=cols, keep_data=False)
    assert np.array_equal(g["rgb"][rows[0] : rows[1], cols[0] : cols[1]], t.rgb), f"{store} differs"


def best(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def task_overhead(style: Style, work: Path) -> float:
    """Seconds each task adds: the same 2048x2048 store in 4 tasks and in 1024, on one worker."""
    small = Scene.create([1, 0, 0, 0, 0, 0, 1], size=(2048, 2048))
    few = best(3, lambda: nbcli.to_dask(small, style, chunks=1024).to_zarr(work / "few.zarr"))
    many = best(3, lambda: nbcli.to_dask(small, style, chunks=64).to_zarr(work / "many.zarr"))
    return (many - few) / (32 * 32 - 2 * 2)


def warm_up() -> None:
    """Task: import nb-render and render once, so the first timed task pays no start-up."""
    nbcli.render(coefs=[1, 0, -1], size=(8, 8))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=16384, help="image side in pixels (default 16384)")
    ap.add_argument("--chunks", type=int, default=1024, help="pixels per chunk side (default 1024)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per timing; the best counts (default 2)")
    ap.add_argument("--dir", default=None, help="folder for the stores (default: a temporary one)")
    args = ap.parse_args()

    scene = Scene.create([1, 0, 0, 0, 0, 0, 1], size=(args.size, args.size))
    style = Style()
    fields = ("rgb",)
    work = Path(tempfile.mkdtemp(prefix="nb-scale-", dir=args.dir))
    print(
        f"nb-render {nbcli.__version__}, {cpu_name()}, {os.cpu_count()} logical CPUs, kernel {nbcli.selected_kernel()}"
    )
    print(f"scene: z^6 + 1, {args.size}x{args.size}, Zarr store of {fields}, chunks {args.chunks}")
    try:
        results: dict[str, float] = {}
        for n in (1, 2):
            with (
                distributed.LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                client.run(warm_up)
                lazy = nbcli.to_dask(scene, style, chunks=args.chunks, fields=fields)
                out = work / f"w{n}.zarr"
                results[f"{n} worker"] = best(args.repeat, lambda lazy=lazy, out=out: lazy.to_zarr(out))
                check(out, scene, style)
                shutil.rmtree(out)
                if n == 1:
                    results["overhead"] = task_overhead(style, work)
        for threads in (1, 2):
            out = work / f"local{threads}.zarr"
            results[f"local {threads}"] = best(
                args.repeat,
                lambda out=out, threads=threads: nbcli.render_to_zarr(
                    out, scene, style, fields=fields, chunks=args.chunks, threads=threads
                ),
            )
            check(out, scene, style)
            shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mpix = args.size * args.size / 1e6
    print()
    print(f"{'how':44s} {'seconds':>8s} {'Mpixel/s':>9s}")
    rows = [
        ("Dask, 1 worker process x 1 thread", results["1 worker"]),
        ("Dask, 2 worker processes x 1 thread", results["2 worker"]),
        ("local band pipeline, 1 thread", results["local 1"]),
        ("local band pipeline, 2 threads", results["local 2"]),
    ]
    for name, t in rows:
        print(f"{name:44s} {t:8.2f} {mpix / t:9.1f}")
    print()
    print(f"speed-up, 2 workers over 1:            {results['1 worker'] / results['2 worker']:.2f}x")
    print(f"2 workers against the local pipeline:  {results['local 2'] / results['2 worker']:.2f}x")
    print(f"per-task overhead (render + write of one chunk, 1 worker): {1000 * results['overhead']:.1f} ms")


if __name__ == "__main__":
    main()
