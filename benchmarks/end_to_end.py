"""The command line end to end: where the time of a large render goes, and nb-render next to the
workflow it replaces. Sections of benchmarks/run.py (``--cli`` and ``--only workflow``).

* ``stages``: ``nb-render --coefs 1,0,0,0,0,0,1 --size 4096x4096 out.png`` and variants (``--depth
  16``, ``--aa 2``, ``--shading iterations``, ``--precision single``). Each is timed as a whole
  process, next to the same command at 8x8 (start-up: imports, parsing, a tiny file) and the same
  render in this process through ``render_to_file``, whose ``stage_seconds`` say where the time
  went: CPU seconds of the kernel, the smooth counts, the colouring, the finishing (borders,
  supersampling, markers), the compression, and the seconds of writing. The three are run in
  turn, several rounds, and the best of each is kept, so that a slow spell of a shared machine
  hits all of them. The target: (wall - start-up) <= 1.33 x the kernel's time, the kernel's CPU
  seconds divided by the threads (a lower bound of its wall time, so the ratio errs high).
* ``startup``: ``--help`` and an 8x8 render, against another installed nb-render (``--against``),
  alternating many runs.
* ``workflow``: nb_cpp's workflow on its README example (HSV from ``nbcli.compute``,
  matplotlib's ``hsv_to_rgb``, Pillow's PNG) against ``nb-render`` making the same picture, in
  this process and as whole processes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import nbcli
from nbcli.api import render_to_file

Z6 = ["--coefs", "1,0,0,0,0,0,1"]
VARIANTS: list[tuple[str, list[str], dict[str, Any], dict[str, Any]]] = [
    # label, extra flags, Scene.create options, Style options
    ("default (smooth shading)", [], {}, {}),
    ("--depth 16", ["--depth", "16"], {}, {"depth": 16}),
    ("--aa 2", ["--aa", "2"], {"aa": 2}, {}),
    ("--shading iterations", ["--shading", "iterations"], {}, {"shading": "iterations"}),
    ("--precision single", ["--precision", "single"], {"precision": "single"}, {}),
]
TARGET = 1.33  # (wall - start-up) / kernel
STAGES = ("kernel", "smooth", "colouring", "finishing", "compression", "writing")


def stages(suite: Any, exe: str, run_child: Callable[[list[str]], dict[str, float]]) -> None:
    size = 2048 if suite.quick else 4096
    rounds = 3 if suite.quick else 4
    threads = suite.threads
    results = {}
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.png")
        for label, flags, scene_kw, style_kw in VARIANTS:
            cmd = [exe, *Z6, "--size", f"{size}x{size}", *flags, out]
            tiny = [exe, *Z6, "--size", "8x8", *flags, out]
            scene = nbcli.Scene.create(coefs=[1, 0, 0, 0, 0, 0, 1], size=(size, size), **scene_kw)
            style = nbcli.Style(**style_kw)
            walls, starts, start_cpu, inproc = [], [], [], []
            for _ in range(rounds):
                walls.append(run_child(cmd))
                tiny_run = run_child(tiny)
                starts.append(tiny_run["wall"])
                start_cpu.append(tiny_run["cpu"])
                t0 = time.perf_counter()
                info = render_to_file(out, scene, style)
                inproc.append((time.perf_counter() - t0, info["stage_seconds"], os.path.getsize(out)))
            wall = min(w["wall"] for w in walls)
            cpu = min(w["cpu"] for w in walls)
            start = min(starts)
            best = min(inproc, key=lambda r: r[0])
            st = {k: min(r[1].get(k, 0.0) for r in inproc) for k in STAGES}
            kernel = st["kernel"] / threads
            ratio = (wall - start) / kernel
            rec = {
                "wall": wall,
                "cpu": cpu,
                "startup": start,
                "startup_cpu": min(start_cpu),
                "in_process": best[0],
                "stage_cpu_seconds": st,
                "kernel_wall_estimate": kernel,
                "ratio": ratio,
                "file_mb": best[2] / 1e6,
                "max_rss_mb": min(w["max_rss_mb"] for w in walls),
            }
            results[label] = rec
            verdict = "met" if ratio <= TARGET else "not met"
            print(
                f"cli:   {size}^2 {label}: wall {wall:.3f} s, start-up {start:.3f} s, in process {best[0]:.3f} s; "
                f"kernel {kernel:.3f} s -> (wall - start-up) / kernel = {ratio:.2f} (target <= {TARGET}: "
                f"{verdict}); file {rec['file_mb']:.1f} MB"
            )
            print(
                "       CPU seconds: "
                + ", ".join(f"{k} {st[k]:.3f}" for k in STAGES)
                + f"; the whole command {cpu:.3f} (start-up {min(start_cpu):.3f})"
            )
    suite.extra["cli_stages"] = {"size": size, "threads": threads, "variants": results}


def startup(
    suite: Any, exe: str, against: str | None, run_child: Callable[[list[str]], dict[str, float]]
) -> None:
    """--help and an 8x8 render: best and median of many runs, wall and CPU time (user + system,
    which a busy machine inflates less); alternating with ``against`` if given."""
    n = 10 if suite.quick else 30
    exes = {"this": exe} if against is None else {"this": exe, "against": against}
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "tiny.png")
        cmds = {
            "help": lambda e: [e, "--help"],
            "render 8x8": lambda e: [e, *Z6, "--size", "8x8", out],
        }
        res: dict[str, dict[str, float]] = {}
        for what, make in cmds.items():
            runs: dict[str, list[dict[str, float]]] = {k: [] for k in exes}
            for _ in range(n):
                for k, e in exes.items():
                    runs[k].append(run_child(make(e)))
            rec: dict[str, float] = {}
            for k, v in runs.items():
                for m in ("wall", "cpu"):
                    rec[f"{k}_{m}"] = min(r[m] for r in v)
                    rec[f"{k}_{m}_median"] = float(np.median([r[m] for r in v]))
            res[what] = rec
            line = ", ".join(
                f"{k} wall {rec[f'{k}_wall']:.3f} s (median {rec[f'{k}_wall_median']:.3f}), "
                f"CPU {rec[f'{k}_cpu']:.3f} s (median {rec[f'{k}_cpu_median']:.3f})"
                for k in exes
            )
            if against is not None:
                line += (
                    f"; this / against: wall {rec['this_wall'] / rec['against_wall']:.3f}x, "
                    f"CPU {rec['this_cpu'] / rec['against_cpu']:.3f}x (best of {n})"
                )
            print(f"cli:   {what}: {line}")
    suite.extra["cli_startup_compare"] = res


WORKFLOW = """
import sys
import numpy as np
from matplotlib.colors import hsv_to_rgb
from PIL import Image
import nbcli
hsv = nbcli.compute(1024, 512, [1, 0, 0, 0, 0, 0, 1], -10.0, 10.0, -5.0, 5.0, 30, 1e-6)
rgb = (hsv_to_rgb(hsv) * 255).round().astype(np.uint8)
Image.fromarray(rgb).save(sys.argv[1])
"""
README_CMD = [*Z6, "--size", "1024x512", "--xmin", "-10", "--xmax", "10", "--ymin", "-5", "--ymax", "5"]
README_CMD += ["-n", "30", "--tol", "1e-6", "--palette", "hsv", "--shading", "iterations"]


def workflow(suite: Any, exe: str, run_child: Callable[[list[str]], dict[str, float]]) -> None:
    """nb_cpp's way to an image file against nb-render's, on nb_cpp's README example."""
    from matplotlib.colors import hsv_to_rgb
    from PIL import Image

    def nb_cpp_style(path: str) -> None:
        hsv = nbcli.compute(1024, 512, [1, 0, 0, 0, 0, 0, 1], -10.0, 10.0, -5.0, 5.0, 30, 1e-6)
        rgb = (hsv_to_rgb(hsv) * 255).round().astype(np.uint8)
        Image.fromarray(rgb).save(path)

    scene = nbcli.Scene.create(
        coefs=[1, 0, 0, 0, 0, 0, 1], size=(1024, 512), xmin=-10, xmax=10, ymin=-5, ymax=5, itmax=30, tol=1e-6
    )
    style = nbcli.Style(palette="hsv", shading="iterations")
    rounds = 5 if suite.quick else 15
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "nbcpp.png"), os.path.join(d, "nbrender.png")
        script = os.path.join(d, "workflow.py")
        with open(script, "w") as f:
            f.write(WORKFLOW)
        t = {"workflow": [], "nb-render": [], "workflow process": [], "nb-render process": []}
        for _ in range(rounds):
            t0 = time.perf_counter()
            nb_cpp_style(a)
            t["workflow"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            render_to_file(b, scene, style)
            t["nb-render"].append(time.perf_counter() - t0)
            t["workflow process"].append(run_child([sys.executable, script, a])["wall"])
            t["nb-render process"].append(run_child([exe, *README_CMD, b])["wall"])
        with Image.open(a) as ia, Image.open(b) as ib:
            pa, pb = np.asarray(ia).astype(int), np.asarray(ib).astype(int)
    diff = np.abs(pa - pb)
    best = {k: min(v) for k, v in t.items()}
    print(
        f"wflow: nb_cpp README example to a PNG: in process, compute + hsv_to_rgb + Pillow {best['workflow']:.3f} s, "
        f"nb-render {best['nb-render']:.3f} s ({best['workflow'] / best['nb-render']:.1f}x); whole processes "
        f"{best['workflow process']:.3f} s and {best['nb-render process']:.3f} s "
        f"({best['workflow process'] / best['nb-render process']:.1f}x)"
    )
    print(
        f"       the pictures: {np.mean(np.any(diff > 1, axis=-1)) * 100:.1f}% of pixels differ by more than 1 "
        "(nb-render samples the centre of each pixel, nb_cpp its corner: its view is shifted by half a pixel)"
    )
    suite.extra["workflow"] = {
        **best,
        "pixels_differing": float(np.mean(np.any(diff, axis=-1))),
        "max_diff": int(diff.max()),
    }
