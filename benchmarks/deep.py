"""Double-double and deep views: the precision table and the two targets of deep zooms.

    python benchmarks/deep.py            # a couple of minutes
    python benchmarks/deep.py --quick    # smaller images, fewer repeats

1. Precisions side by side (one thread, the selected kernel, the same view and
   scene): single, double and double-double (the kernel run throughout, no
   shortcut): Mpixel/s, pixel-iterations/s, time per pixel-iteration against
   double's, and the deepest view each renders (from the core's limits).
2. Deep renders: a view 1e-20 wide on a basin boundary of z^3 - 1 and of z^6 + 1
   (double-double, with the series shortcut, through nbcli.render on all cores)
   against the same render at a moderate zoom (1e-3 wide, double), side by
   side; with where the time goes: the steps the series took for every pixel,
   the steps per pixel, the series' own time, and the render without the
   shortcut.

Every time is the best of several rounds that run the cases in turn (the
machine may be shared). Results and the machine they ran on are in
docs/benchmarks.md (section Double-double and deep views).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import best_times_interleaved, core_render, cpu_name  # the main suite's helpers

import nbcli
from nbcli import _core, _native
from nbcli.poly import canonical_roots

# points on basin boundaries, to 42 digits (bisection at 60 digits, tests/test_series.py)
EDGES = {
    "z^3-1": (
        [1, 0, 0, -1],
        "-0.309729504061940918920755412529645838471586+0.13784438220371328383827924436258601705158j",
    ),
    "z^6+1": (
        [1, 0, 0, 0, 0, 0, 1],
        "0.305681511067321630042589952944874783545918+0.533889251606546703047567711586710160808901j",
    ),
}


def deepest(precision: str, samples: int = 1024) -> float:
    """The narrowest view, relative to its coordinates, that `precision` renders well at `samples`
    samples across: samples 2^margin units in the last place apart (auto's margin for double,
    the refusal's for double-double, one unit for single, where nb-render warns)."""
    bits = _native.PRECISION_BITS[precision]
    margin = {
        "single": 0,
        "double": _native.LIMITS.auto_margin_bits,
        "double-double": _native.LIMITS.min_margin_bits,
    }
    return samples * 2.0 ** (margin[precision] + 1 - bits)


def precision_table(size: int, repeat: int) -> list[dict[str, Any]]:
    """The kernel alone on one thread, in each precision, side by side on the same view."""
    xs, ys = nbcli.Viewport(-2, 2, -2, 2).grid(size, size)
    rows = []
    for name, coefs in (("z^3-1", [1, 0, 0, -1]), ("z^6+1", [1, 0, 0, 0, 0, 0, 1])):
        rows += _precisions(f"{name} {size}^2 it60", np.array(coefs, complex), xs, ys, repeat)
    return rows


def _precisions(
    scene: str, c: np.ndarray, xs: np.ndarray, ys: np.ndarray, repeat: int
) -> list[dict[str, Any]]:
    rows = []
    roots = canonical_roots(c)
    runs = {
        p: lambda p=p: core_render(
            xs, ys, c, roots, 60, 1e-6, precision=p, threads=1, symmetry=False, data=True
        )
        for p in ("single", "double", "double-double")
    }
    res = best_times_interleaved(runs, repeat)
    per_it = {p: t / r[1].iterations for p, (t, r) in res.items()}
    for p, (t, r) in res.items():
        rows.append(
            {
                "scene": scene,
                "precision": p,
                "Mpixel/s": xs.size * ys.size / t / 1e6,
                "Mit/s": r[1].iterations / t / 1e6,
                "cost": per_it[p] / per_it["double"],
                "deepest": deepest(p),
                "kernel": r[1].kernel,
            }
        )
    return rows


def deep_renders(size: tuple[int, int], repeat: int, itmax: int) -> list[dict[str, Any]]:
    """A view 1e-20 wide on a boundary (auto: double-double, with the series shortcut) against
    the same render 1e-3 wide (auto: double), side by side; then the deep view in double-double
    throughout, and the series alone (one pixel)."""
    rows = []
    for name, (coefs, center) in EDGES.items():
        rows += _deep(name, coefs, center, size, repeat, itmax)
    return rows


def _deep(
    name: str, coefs: list[int], center: str, size: tuple[int, int], repeat: int, itmax: int
) -> list[dict[str, Any]]:
    rows = []
    kw: dict[str, Any] = {"coefs": coefs, "size": size, "center": center, "itmax": itmax}
    cases = {
        "moderate 1e-3 (double)": lambda kw=kw: nbcli.render(**kw, width="1e-3"),
        "deep 1e-20 (double-double + series)": lambda kw=kw: nbcli.render(**kw, width="1e-20"),
    }
    res = best_times_interleaved(cases, repeat)
    scene = res["deep 1e-20 (double-double + series)"][1].scene
    xs, ys, lows = scene.start_points()
    assert lows is not None
    c, roots = np.array(scene.coefs, complex), scene.canonical_roots()
    series = scene.viewport.series(*scene.samples)
    one = {"xs_lo": lows[0][:1], "ys_lo": lows[1][:1]}
    extra = best_times_interleaved(
        {
            "full": lambda: core_render(
                xs,
                ys,
                c,
                roots,
                itmax,
                1e-6,
                precision="double-double",
                xs_lo=lows[0],
                ys_lo=lows[1],
                data=True,
            ),
            "series": lambda: _core._series_starts(
                xs[:1], ys[:1], c, itmax, 1e-6, "newton", 1, series.as_tuple(), **one
            ),
        },
        max(1, repeat // 2),
    )
    base = res["moderate 1e-3 (double)"][0]
    for case, (t, r) in res.items():
        st = r.stats
        steps = st["iterations"] / st["pixels_computed"]
        stages = st.get("stage_seconds", {})
        rows.append(
            {
                "case": f"{name} {case}",
                "seconds": t,
                "ratio": t / base,
                "steps/pixel": steps,
                "series steps": st.get("series_steps", 0),
                "kernel cpu": stages.get("kernel", float("nan")),
                "other cpu": sum(v for k, v in stages.items() if k != "kernel"),
            }
        )
    t_full, (_, full) = extra["full"]
    rows.append(
        {
            "case": f"{name} deep 1e-20, double-double throughout (kernel alone)",
            "seconds": t_full,
            "ratio": t_full / base,
            "steps/pixel": full.iterations / full.pixels_computed,
            "series steps": 0,
            "kernel cpu": full.kernel_seconds,
            "other cpu": full.smooth_seconds + full.sink_seconds,
        }
    )
    rows[-2]["series alone"] = extra["series"][0]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller images and fewer repeats")
    args = ap.parse_args(argv)
    size, repeat = (256, 3) if args.quick else (512, 5)
    print(
        f"# {cpu_name()}; kernel {_native.selected_kernel()}; {nbcli.default_threads()} threads; nb-render {nbcli.__version__}"
    )
    print("\n## Precisions (one thread, the kernel alone)\n")
    print(
        "| scene | precision | Mpixel/s | pixel-iterations/s | time per pixel-iteration vs double | deepest view (x coordinates, 1024 samples) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for r in precision_table(size, repeat):
        print(
            f"| {r['scene']} | {r['precision']} | {r['Mpixel/s']:.1f} | {r['Mit/s']:.0f} M | {r['cost']:.2f}x | {r['deepest']:.0e} |"
        )
    print(
        f"\n## Deep renders ({'384x288' if args.quick else '640x480'}, itmax 400, all cores, nbcli.render)\n"
    )
    print("| case | seconds | vs moderate | steps/pixel | by the series | kernel CPU s | other CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in deep_renders((384, 288) if args.quick else (640, 480), max(2, repeat - 2), 400):
        extra = f" (the series alone: {1e3 * r['series alone']:.1f} ms)" if "series alone" in r else ""
        print(
            f"| {r['case']}{extra} | {r['seconds']:.3f} | {r['ratio']:.2f}x | {r['steps/pixel']:.1f} | "
            f"{r['series steps']} | {r['kernel cpu']:.3f} | {r['other cpu']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
