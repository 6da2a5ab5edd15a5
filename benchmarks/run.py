"""nb-render's benchmark suite: one command, one table.

    python benchmarks/run.py            # everything but the command-line checks (a few minutes)
    python benchmarks/run.py --quick    # smaller images, fewer repeats (about a minute)
    python benchmarks/run.py --cli      # also time and measure the installed nb-render command
    python benchmarks/run.py --only workflow   # nb_cpp's compute + hsv_to_rgb + Pillow against nb-render
    nox -s bench [-- --quick ...]

Every figure is the best of several runs (the machine may be shared); ratios
are measured side by side in the same process. Output is checked before it is
timed. See docs/benchmarks.md for what each column means and how the roofline
is defined.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import end_to_end
import numba_ref
import numpy_ref

import nbcli
from nbcli import _native
from nbcli.poly import canonical_roots

README = {
    "imw": 1024,
    "imh": 512,
    "coefs": [1, 0, 0, 0, 0, 0, 1],
    "crmin": -10.0,
    "crmax": 10.0,
    "cimin": -5.0,
    "cimax": 5.0,
    "itmax": 30,
    "tol": 1e-6,
}
AGREEMENT = 0.999  # NumPy and the kernel must give the same HSV on at least this fraction of pixels
# Single precision rounds differently from double (and NumPy): on the README example it
# must give the same HSV (root and step) on at least SINGLE_AGREEMENT of the pixels; on
# the efficiency scenes the same root on SINGLE_ROOTS (steps may differ by one where tol
# comes near float's rounding noise in p, as for z^12-1 at tol 1e-6).
SINGLE_AGREEMENT = 0.99
SINGLE_ROOTS = 0.999


# ---------------------------------------------------------------------------------------------
# helpers


def best_time(fn: Callable[[], Any], repeat: int, min_time: float = 0.0) -> tuple[float, Any]:
    """Best wall time of `repeat` calls (at least until `min_time` seconds have passed), and the last result."""
    best, result, spent, n = float("inf"), None, 0.0, 0
    while n < repeat or spent < min_time:
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best, spent, n = min(best, dt), spent + dt, n + 1
    return best, result


def best_times_interleaved(fns: dict[Any, Callable[[], Any]], repeat: int) -> dict[Any, tuple[float, Any]]:
    """Best wall time of each function over `repeat` rounds that call each once, in turn: on
    a shared machine, a slow spell then hits all of them rather than one."""
    best: dict[Any, float] = dict.fromkeys(fns, float("inf"))
    last: dict[Any, Any] = {}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            last[k] = fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return {k: (best[k], last[k]) for k in fns}


def z_n_minus_1(n: int) -> np.ndarray:
    c = np.zeros(n + 1, complex)
    c[0], c[-1] = 1, -1
    return c


def ops_per_step(degree: int, real: bool) -> int:
    """Multiplies and multiply-adds (V::mul, V::fmadd, V::fnmadd) one Newton step of one pixel executes.

    Horner for p and p' together: 8 per coefficient after the first two
    (2 or 4 for those); the step z - p/p' = z - p*conj(p')/|p'|^2: 8 (plus a
    division, not counted); the test |p|^2 <= tol^2: 2. See docs/benchmarks.md.
    """
    horner = 8 * degree - 6 if real else 8 * degree - 4
    return horner + 8 + 2


_PEAK: dict[tuple[str, str], float] = {}


def peak(kernel: str, repeat: int, precision: str = "double") -> float:
    """Lane multiply-adds per second one thread can issue with this kernel's instructions,
    on vectors of doubles or (precision="single") of floats."""
    key = (kernel, precision)
    if key not in _PEAK:
        k = next(k for k in _native.kernels() if k.name == kernel)
        lanes = k.lanes_single if precision == "single" else k.lanes
        vec = max(_native.peak_fmadd(kernel, 2_000_000, precision) for _ in range(repeat))
        _PEAK[key] = vec * lanes
    return _PEAK[key]


def core_render(  # type: ignore[no-untyped-def]
    xs, ys, c, roots, itmax, tol, *, method="newton", relax=1.0, precision="double", threads=0, **kw
):
    """One render by the compiled core (nbcli._native.iterate), without the package's
    planning around it; threads=0: all hardware threads."""
    problem = _native.Problem(c, roots, itmax, tol, method=method, relax=complex(relax), precision=precision)
    return _native.iterate(problem, xs, ys, threads=threads, **kw)


def grid(size: int, span: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    return nbcli.Viewport(-span / 2, span / 2, -span / 2, span / 2).grid(size, size)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------------------------------------
# the sections


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.rep = 3 if args.quick else 7
        self.rows: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.threads = nbcli.default_threads()
        supported = [k.name for k in _native.kernels() if k.supported]
        self.kernels = supported if args.kernels == "all" else args.kernels.split(",")
        self.failures: list[str] = []

    def row(
        self,
        case: str,
        *,
        pixels: int,
        seconds: float,
        threads: int,
        iterations: int | None = None,
        roofline: float | None = None,
        ops: int | None = None,
        numpy_ratio: float | None = None,
        group: str = "",
    ) -> dict[str, Any]:
        r: dict[str, Any] = {
            "case": case,
            "group": group,
            "threads": threads,
            "seconds": seconds,
            "mpixel_s": pixels / seconds / 1e6,
        }
        if iterations is not None:
            r["pixit_s"] = iterations / seconds
        if roofline is not None and ops is not None and iterations is not None:
            r["roofline_pixit_s"] = roofline / ops
            r["roofline_pct"] = 100.0 * (iterations / seconds) * ops / roofline
            r["ops_per_step"] = ops
        if numpy_ratio is not None:
            r["numpy_ratio"] = numpy_ratio
        self.rows.append(r)
        print(fmt_row(r), flush=True)
        return r

    # 1. correctness, then nb_cpp's README example against NumPy
    def readme(self) -> None:
        a = README
        c = np.array(a["coefs"], complex)
        roots = canonical_roots(c)
        args = (
            a["imw"],
            a["imh"],
            a["coefs"],
            a["crmin"],
            a["crmax"],
            a["cimin"],
            a["cimax"],
            a["itmax"],
            a["tol"],
        )
        # the NumPy references take the same arguments plus the roots they classify by
        ref_args = (a["imw"], a["imh"], c, *args[3:], roots)
        mine = nbcli.compute(*args)
        ref = numpy_ref.compute(*ref_args)
        ref2 = numpy_ref.compute_straightforward(*ref_args)
        self.check_hsv("nbcli.compute vs NumPy (compacting)", mine, ref, AGREEMENT)
        self.extra["readme_agreement"] = self.check_hsv(
            "nbcli.compute vs NumPy (straightforward)", mine, ref2, AGREEMENT
        )
        # the same example in single precision, checked against double and NumPy first
        hsv1 = nbcli.compute(*args, precision="single")
        self.extra["readme_single_agreement"] = self.check_hsv(
            "single precision vs double (nbcli.compute)", hsv1, mine, SINGLE_AGREEMENT
        )
        self.check_hsv("single precision vs NumPy (straightforward)", hsv1, ref2, SINGLE_AGREEMENT)

        xs, ys = numpy_ref.grid(a["imw"], a["imh"], a["crmin"], a["crmax"], a["cimin"], a["cimax"])
        sym = bool(np.all(ys[1 : a["imh"] // 2] == -ys[a["imh"] - 1 : a["imh"] // 2 : -1]))
        self.extra["readme_rows_mirror"] = sym
        t_np, _ = best_time(
            lambda: numpy_ref.compute_straightforward(*ref_args),
            1 if self.quick else 2,
        )
        t_np2, _ = best_time(
            lambda: numpy_ref.compute(*ref_args),
            2 if self.quick else 3,
        )
        px = a["imw"] * a["imh"]
        self.readme_numba(ref_args, ref2, t_np, px)
        for precision, case in (("double", "nbcli.compute"), ("single", "compute single")):
            _, (_, st) = best_time(
                lambda p=precision: core_render(
                    xs, ys, c, roots, a["itmax"], a["tol"], data=True, precision=p
                ),
                1,
            )
            for th in sorted({1, self.threads}):
                t, _ = best_time(
                    lambda th=th, p=precision: nbcli.compute(*args, threads=th, precision=p),
                    5 * self.rep,
                    0.5,
                )
                self.row(
                    f"README z^6+1 {a['imw']}x{a['imh']} {case}",
                    pixels=px,
                    seconds=t,
                    threads=th,
                    iterations=st.iterations,
                    numpy_ratio=t_np / t,
                    group="readme",
                )
                if precision == "double":
                    self.extra[f"readme_vs_numpy_compacting_t{th}"] = t_np2 / t
            if precision == "double":
                self.extra["readme_pixels_computed"] = st.pixels_computed
                print(
                    f"       NumPy straightforward {t_np:.2f} s, compacting {t_np2:.3f} s; rows mirrored: {sym} "
                    f"({st.pixels_computed} of {px} pixels iterated)"
                )
        self.extra["numpy_straightforward_s"] = t_np
        self.extra["numpy_compacting_s"] = t_np2

    def readme_numba(self, ref_args: tuple[Any, ...], ref: np.ndarray, t_np: float, px: int) -> None:
        """The same example written for numba (benchmarks/numba_ref.py), checked, then timed."""
        if not numba_ref.available():
            print("       numba is not installed (pip install nb-render[bench]): no numba rows")
            return
        got = numba_ref.compute(*ref_args)  # compiles it, then checks it
        self.extra["readme_numba_agreement"] = self.check_hsv(
            "numba vs NumPy (straightforward)", got, ref, AGREEMENT
        )
        for th in sorted({1, self.threads}):
            numba_ref.set_threads(th)
            t, _ = best_time(lambda: numba_ref.compute(*ref_args), 3 * self.rep, 0.5)
            self.row(
                f"README z^6+1 {README['imw']}x{README['imh']} numba",
                pixels=px,
                seconds=t,
                threads=th,
                numpy_ratio=t_np / t,
                group="readme",
            )
            self.extra[f"numba_s_t{th}"] = t
        numba_ref.set_threads(self.threads)

    def check_hsv(self, what: str, got: np.ndarray, ref: np.ndarray, need: float) -> float:
        """Prints and records whether at least `need` of the pixels of two HSV images are identical."""
        cmp = numpy_ref.compare(got, ref)
        ok = cmp["pixels_equal"] >= need
        print(
            f"check: {what}: {100 * cmp['pixels_equal']:.4f}% of pixels identical "
            f"({cmp['pixels_differing']} differ) -> {'ok' if ok else 'FAILED'}"
        )
        if not ok:
            self.failures.append(f"README example: {what} differ")
        return float(cmp["pixels_equal"])

    # 2. single-thread kernel efficiency against the measured roofline, in double and
    # single precision (each against its own roofline: floats have twice the lanes)
    def efficiency(self) -> None:
        size = 512 if self.quick else 1024
        xs, ys = grid(size)
        speedups: dict[str, float] = {}
        for k in self.kernels:
            roof = {p: peak(k, self.rep, p) for p in ("double", "single")}
            for p, r in roof.items():
                print(f"       roofline {k} {p}: {r / 1e9:.1f} G lane multiply-adds/s (one thread)")
            for n in (3, 6, 12):
                c = z_n_minus_1(n)
                roots = canonical_roots(c)
                for label, gx, gy, itmax, tol in (
                    ("typical", xs, ys, 30, 1e-6),
                    ("steady", *grid(128 if self.quick else 256), 200, 1e-300),
                ):
                    rate = {}
                    for precision in ("double", "single"):

                        def run(
                            gx=gx, gy=gy, itmax=itmax, tol=tol, c=c, roots=roots, k=k, precision=precision
                        ):  # type: ignore[no-untyped-def]
                            return core_render(
                                gx,
                                gy,
                                c,
                                roots,
                                itmax,
                                tol,
                                threads=1,
                                kernel=k,
                                symmetry=False,
                                data=True,
                                precision=precision,
                            )

                        if precision == "single" and label == "typical":
                            self.check_single(f"{k} z^{n}-1 {label}", run()[0], run(precision="double")[0])
                        t, (_, st) = best_time(run, self.rep, 0.3)
                        rate[precision] = st.iterations / t
                        single = precision == "single"
                        self.row(
                            f"{k}{' single' if single else ''} z^{n}-1 {label} {len(gx)}^2 it{itmax}",
                            pixels=len(gx) * len(gy),
                            seconds=t,
                            threads=1,
                            iterations=st.iterations,
                            roofline=roof[precision],
                            ops=ops_per_step(n, True),
                            group=f"eff-{label}{'-single' if single else ''}",
                        )
                    # per pixel-iteration: single precision may take other numbers of steps
                    speedups[f"{k} z^{n}-1 {label}"] = rate["single"] / rate["double"]
                    print(
                        f"       single precision: {rate['single'] / rate['double']:.2f}x the pixel-iterations/s"
                    )
        self.extra["single_speedup"] = speedups

    def check_single(self, case: str, single: dict[str, np.ndarray], double: dict[str, np.ndarray]) -> None:
        """Single precision rounds differently, but must find the same basins as double."""
        roots_equal = float((single["root"] == double["root"]).mean())
        same = float(
            ((single["root"] == double["root"]) & (single["iterations"] == double["iterations"])).mean()
        )
        ok = roots_equal >= SINGLE_ROOTS
        print(
            f"check: {case} single vs double: {100 * roots_equal:.3f}% same root "
            f"({100 * same:.3f}% same root and step) -> {'ok' if ok else 'FAILED'}"
        )
        if not ok:
            self.failures.append(f"{case}: single precision differs from double")

    # 3. two threads against one
    def scaling(self) -> None:
        size = 1024 if self.quick else 2048
        xs, ys = grid(size)
        c = z_n_minus_1(6)
        roots = canonical_roots(c)
        res = {}
        timed = best_times_interleaved(
            {
                th: (lambda th=th: core_render(xs, ys, c, roots, 30, 1e-6, threads=th, data=True))
                for th in sorted({1, self.threads})
            },
            4 * self.rep,
        )
        for th, (t, (_, st)) in timed.items():
            res[th] = t
            self.row(
                f"scaling z^6-1 {size}^2",
                pixels=size * size,
                seconds=t,
                threads=th,
                iterations=st.iterations,
                group="scaling",
            )
        if self.threads > 1:
            self.extra["scaling"] = res[1] / res[self.threads]
            print(f"       {self.threads} threads: {res[1] / res[self.threads]:.2f}x one thread")

    # 4. cost against image size and against degree
    def linearity(self) -> None:
        sizes = [256, 512, 1024, 2048] + ([] if self.quick else [4096, 8192])
        c = z_n_minus_1(3)
        roots = canonical_roots(c)
        colors = np.array([[230, 60, 60], [60, 200, 60], [60, 60, 230]], np.float32)
        for s in sizes:
            xs, ys = grid(s)
            shade = np.linspace(1, 0.2, 30).astype(np.float32)
            t, (_, st) = best_time(
                lambda xs=xs, ys=ys, shade=shade: core_render(
                    xs,
                    ys,
                    c,
                    roots,
                    30,
                    1e-6,
                    palette=_native.Palette(colors, shade, np.zeros(3, np.float32), smooth=False, depth=8),
                ),
                self.rep if s <= 2048 else 2,
            )
            self.row(
                f"size z^3-1 {s}^2 rgb",
                pixels=s * s,
                seconds=t,
                threads=self.threads,
                iterations=st.iterations,
                group="size",
            )
        size = 512 if self.quick else 1024
        xs, ys = grid(size)
        for n in (2, 3, 4, 6, 8, 12, 16, 24, 32):
            c = z_n_minus_1(n)
            roots = canonical_roots(c)
            t, (_, st) = best_time(
                lambda c=c, roots=roots: core_render(xs, ys, c, roots, 30, 1e-6, data=True), self.rep
            )
            self.row(
                f"degree z^{n}-1 {size}^2",
                pixels=size * size,
                seconds=t,
                threads=self.threads,
                iterations=st.iterations,
                roofline=peak(_native.selected_kernel(), self.rep) * self.threads,
                ops=ops_per_step(n, True),
                group="degree",
            )

    # 5. the iteration methods, and Newton with smooth counts and residuals, on the README example
    def methods(self) -> None:
        a = README
        c = np.array(a["coefs"], complex)
        roots = canonical_roots(c)
        xs, ys = numpy_ref.grid(a["imw"], a["imh"], a["crmin"], a["crmax"], a["cimin"], a["cimax"])
        variants = [
            ("newton", "newton", 1.0, False),
            ("newton +smooth", "newton", 1.0, True),
            ("relaxed a=1", "relaxed", 1.0, False),
            ("relaxed a=0.9+0.3i (no mirrors)", "relaxed", 0.9 + 0.3j, False),
            ("halley", "halley", 1.0, False),
            ("schroder", "schroder", 1.0, False),
            ("householder", "householder", 1.0, False),
        ]
        for label, method, relax, smooth in variants:

            def run(method=method, relax=relax, smooth=smooth):  # type: ignore[no-untyped-def]
                return core_render(
                    xs,
                    ys,
                    c,
                    roots,
                    a["itmax"],
                    a["tol"],
                    method=method,
                    relax=relax,
                    data=True,
                    smooth=smooth,
                )

            t, (_, st) = best_time(run, 3 * self.rep, 0.3)
            self.row(
                f"method {label} README",
                pixels=a["imw"] * a["imh"],
                seconds=t,
                threads=self.threads,
                iterations=st.iterations,
                group="methods",
            )

    # 6. the installed command line
    def exe(self) -> str | None:
        exe = shutil.which("nb-render") or str(Path(sys.executable).with_name("nb-render"))
        if not Path(exe).exists():
            print("       nb-render not found: skipping the command-line checks")
            return None
        return exe

    def cli(self) -> None:
        exe = self.exe()
        if exe is None:
            return
        if self.args.against:
            self.startup()
        t_help = min(run_child([exe, "--help"])["wall"] for _ in range(5))
        self.extra["cli_help_s"] = t_help
        print(f"cli:   nb-render --help: {t_help:.3f} s (target < 0.3 s)")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.png")
            # start-up: the same command on an 8x8 image (imports, parsing, writing a tiny file)
            tiny = [exe, "--coefs", "1,0,0,0,0,0,1", "--size", "8x8", out]
            t_start = min(run_child(tiny)["wall"] for _ in range(10))
            self.extra["cli_startup_s"] = t_start
            print(f"cli:   start-up (the same command at 8x8): {t_start:.3f} s")
            end_to_end.stages(self, exe, run_child)
            if not self.quick:
                big = self.args.big
                cmd = [exe, "--coefs", "1,0,0,0,0,0,1", "--size", f"{big}x{big}", out]
                r = run_child(cmd)
                rgb_mb = big * big * 3 / 2**20
                self.extra["cli_big"] = {
                    "size": big,
                    "wall": r["wall"],
                    "max_rss_mb": r["max_rss_mb"],
                    "rgb_mb": rgb_mb,
                }
                print(
                    f"cli:   {big}x{big}: {r['wall']:.1f} s, peak RSS {r['max_rss_mb']:.0f} MB = "
                    f"{r['max_rss_mb'] / rgb_mb:.2f}x the 8-bit RGB image ({rgb_mb:.0f} MB; target < 2x)"
                )

    # --help and a tiny render, against another installed nb-render (--against) if given
    def startup(self) -> None:
        exe = self.exe()
        if exe is not None:
            end_to_end.startup(self, exe, self.args.against, run_child)

    # 7. nb_cpp's workflow (compute, hsv_to_rgb, Pillow) against nb-render, on its README example
    def workflow(self) -> None:
        exe = self.exe()
        if exe is not None:
            end_to_end.workflow(self, exe, run_child)


# Runs one command and reports its wall time and peak RSS. It runs in a small process of
# its own because a child's peak RSS (ru_maxrss) includes the memory of the process it
# was forked from, up to its exec: forked from this (large) benchmark process, every
# command would seem to need as much memory as the benchmark itself.
_RUN_ONE = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "max_rss_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}))
"""


def run_child(cmd: list[str]) -> dict[str, float]:
    """Wall time, CPU time (user and system, all threads) and peak resident memory of one child process."""
    out = subprocess.run([sys.executable, "-c", _RUN_ONE, *cmd], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    if r["code"] != 0:
        raise subprocess.CalledProcessError(r["code"], cmd)
    return {
        "wall": r["wall"],
        "cpu": r["cpu"],
        "max_rss_mb": r["max_rss_kb"] / 1024,
    }  # ru_maxrss: KiB on Linux


# ---------------------------------------------------------------------------------------------
# output


HEADER = f"{'case':<44} {'Mpixel/s':>9} {'Gpix-it/s':>9} {'%roof':>6} {'vs NumPy':>9} {'threads':>7}"


def fmt_row(r: dict[str, Any]) -> str:
    pit = f"{r['pixit_s'] / 1e9:9.3f}" if "pixit_s" in r else f"{'':>9}"
    roof = f"{r['roofline_pct']:5.0f}%" if "roofline_pct" in r else f"{'':>6}"
    npr = f"{r['numpy_ratio']:8.0f}x" if "numpy_ratio" in r else f"{'':>9}"
    return f"{r['case']:<44} {r['mpixel_s']:9.1f} {pit} {roof} {npr} {r['threads']:7d}"


def markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| case | Mpixel/s | pixel-iterations/s | % of roofline | vs NumPy | threads |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pit = f"{r['pixit_s'] / 1e6:.0f} M" if "pixit_s" in r else ""
        roof = f"{r['roofline_pct']:.0f}%" if "roofline_pct" in r else ""
        npr = f"{r['numpy_ratio']:.0f}x" if "numpy_ratio" in r else ""
        out.append(f"| {r['case']} | {r['mpixel_s']:.1f} | {pit} | {roof} | {npr} | {r['threads']} |")
    return "\n".join(out)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3.2), dpi=80)
    size = [r for r in rows if r["group"] == "size"]
    xs = [int(r["case"].split()[2].split("^")[0]) for r in size]
    a1.plot(xs, [r["mpixel_s"] for r in size], "o-")
    a1.set_xscale("log", base=2)
    a1.set_ylim(bottom=0)
    a1.set_xlabel("image side (pixels), z^3-1")
    a1.set_ylabel("Mpixel/s")
    a1.set_title("Throughput vs image size")
    deg = [r for r in rows if r["group"] == "degree"]
    ns = [int(r["case"].split()[1][2:].split("-")[0]) for r in deg]
    a2.plot(ns, [r["pixit_s"] / 1e6 for r in deg], "o-", label="pixel-iterations/s")
    a2.plot(ns, [r["roofline_pixit_s"] / 1e6 for r in deg], "--", label="roofline")
    a2.set_xscale("log", base=2)
    a2.set_yscale("log")
    a2.set_xlabel("degree n, z^n-1")
    a2.set_ylabel("M pixel-iterations/s")
    a2.set_title("Throughput vs degree")
    a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller images and fewer repeats")
    p.add_argument("--cli", action="store_true", help="also measure the installed nb-render command")
    p.add_argument(
        "--big", type=int, default=16384, help="side of the memory test's image with --cli (16384)"
    )
    p.add_argument(
        "--kernels", default="all", help="kernels for the efficiency section: all, or e.g. avx2,avx512"
    )
    p.add_argument(
        "--only",
        default="",
        help="comma-separated sections: readme,efficiency,scaling,linearity,methods,cli,startup,workflow",
    )
    p.add_argument(
        "--against",
        metavar="NB_RENDER",
        help="startup (and --cli): time --help and an 8x8 render against this other nb-render, alternating",
    )
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown at the end")
    p.add_argument("--json", type=Path, help="write all results to this JSON file")
    p.add_argument(
        "--plot", type=Path, help="write a PNG plot (needs matplotlib: pip install nb-render[bench])"
    )
    args = p.parse_args(argv)

    print(
        f"nb-render {nbcli.__version__}, kernel {_native.selected_kernel()}, {nbcli.default_threads()} threads; "
        f"CPU {cpu_name()}; Python {platform.python_version()}, NumPy {np.__version__}"
    )
    suite = Suite(args)
    sections = (
        args.only.split(",") if args.only else ["readme", "efficiency", "scaling", "linearity", "methods"]
    )
    if args.cli and "cli" not in sections:
        sections.append("cli")
    print(HEADER)
    for s in sections:
        getattr(suite, s)()
    if args.markdown:
        print()
        print(markdown(suite.rows))
    if args.json:
        args.json.write_text(
            json.dumps({"rows": suite.rows, "extra": suite.extra, "cpu": cpu_name()}, indent=1)
        )
    if args.plot:
        plot(suite.rows, args.plot)
    for f in suite.failures:
        print(f"FAILED: {f}", file=sys.stderr)
    return 1 if suite.failures else 0


if __name__ == "__main__":
    sys.exit(main())
