#!/usr/bin/env python3
"""Check the AArch64 NEON kernel bit for bit, without an ARM machine.

    python tools/neon_check.py              # what ``nox -s neon`` runs
    python tools/neon_check.py --require    # missing tools are an error, not a skip (CI)
    python tools/neon_check.py --native     # the same check of the host's baseline kernel

1. Cross-compiles the C++ library for aarch64 with CMake (the project's own
   CMakeLists.txt: its sources, its flags, -ffp-contract=off; on aarch64 the
   baseline kernel is simd/neon.hpp and the AVX kernels are left out) and links
   tools/neon_check.cpp against it, statically.
2. Runs that program under qemu-aarch64: it renders every job of the table
   below (every polynomial x every method x double, single and double-double
   precision x 1 and 2 threads x symmetry off and on; double-double once on
   one thread without mirrors and once on two with) with the baseline kernel,
   through the DataSink and the SmoothSink, and writes root indices, step
   counts, smooth counts and residuals to files. Two more scenes are deep
   views 1e-24 wide on basin boundaries of z^3 - 1: start points with low
   parts, rendered in double-double throughout, and with the series shortcut
   (the series on AArch64, the double kernel from where it leaves each pixel),
   each method around a boundary point of its own (tests/edges.py).
3. Compares every output bit for bit with tests/reference.py's ``exact``
   (fused, like the NEON kernel; single=True in single precision, dd=True in
   double-double; for the shortcut, from the start points and step count the
   host's series gives), with the grids of ``Viewport.grid`` and the roots of
   ``canonical_roots``, as tests/test_methods.py does. The one allowance: a NaN the machine made itself
   (inf * 0) is positive on AArch64 and negative on x86-64, where the reference
   runs; such NaNs may differ in the sign bit alone, and are counted.

4. Has the same program refine roots with nbr::polish_roots (the canonical last
   bits of every root, nbr/roots.hpp): the host root finder's approximations for
   each polynomial, as they are and moved by 3 units in the last place, compared
   bit for bit with the host's refinement of the same inputs.

Prints one line per scene (a polynomial with one method in one precision, its
four renders), one for the roots, and
exits 1 on any mismatch. Without an aarch64 cross compiler or qemu it says it
skipped and exits 0 (1 with --require). On Debian and Ubuntu:

    apt-get install g++-aarch64-linux-gnu qemu-user

Needs the nbcli package installed (for canonical_roots and Viewport.grid),
numpy, and cmake (ninja if present). The build goes to build/neon.

The jobs are one table (POLYS x VARIANTS x THREADS x SYMMETRY); tools/neon_check.cpp
reads them from a file and calls the library in one place. A new dimension (a
precision, say) is a tuple here, a field of Job, a line in write_jobs() and a key
in the program.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SYSROOT = "/usr/aarch64-linux-gnu"  # Debian's aarch64 libraries, for a dynamically linked build
CROSS_CXX = ("aarch64-linux-gnu-g++",)
QEMU = ("qemu-aarch64-static", "qemu-aarch64")
KERNEL = "baseline"  # NEON on aarch64
INSTALL = "apt-get install g++-aarch64-linux-gnu qemu-user"

# ---- the scenes ---------------------------------------------------------------------------
# One table: each polynomial is rendered with every variant, every thread count and
# symmetry off and on, in double, single and double-double precision. A job is one render;
# its name is "<scene>.<variant>[.f32|.dd].t<threads>.s<0|1>" (.f32: single precision,
# .dd: double-double).


@dataclass(frozen=True)
class Poly:
    key: str  # used in file and job names
    coefs: tuple[complex, ...]
    grid: Optional[tuple[tuple[float, ...], tuple[float, ...]]] = None  # None: the tests' GRID
    itmax: int = 30
    tol: float = 1e-6
    ties: bool = False  # some pixel converges exactly halfway between two roots: no mirroring then
    deep: Optional[str] = None  # a deep view of this width on a boundary (tests/edges.py), double-double only
    series: bool = False  # (deep) with the series shortcut
    variants: Optional[tuple[str, ...]] = None  # only these VARIANTS (keys); None: all


# (key, method, relax): every method; relaxed Newton with a real and a non-real factor
VARIANTS = [
    ("newton", "newton", 1.0),
    ("relaxed", "relaxed", 0.75),
    ("relaxedc", "relaxed", 0.7 + 0.4j),
    ("halley", "halley", 1.0),
    ("schroder", "schroder", 1.0),
    ("householder", "householder", 1.0),
]
POLYS = [
    Poly("even6", (1, 0, 0, 0, 0, 0, 1)),  # z^6 + 1: real and even, rows and columns mirror
    Poly("cubic", (1, 0, -2, 2)),  # z^3 - 2z + 2: real, odd degree, rows mirror
    Poly("odd5", (1, 0, 0, 0, -1, 0)),  # z^5 - z: real and odd, rows and columns mirror
    Poly("complex4", (1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j)),  # complex: no mirrors
    Poly("deg12", (1, *([0] * 11), -1)),  # z^12 - 1: orbits through z ~ 0, where p' underflows
    Poly("tight3", (1, 0, 0, -1), itmax=50, tol=1e-12),  # z^3 - 1 converged far down
    # z^3 - 1 at start points where p' is 0 or underflows (stuck), p overflows, and subnormals
    Poly(
        "edges3",
        (1, 0, 0, -1),
        grid=(
            (-3.0, -1e-300, -5e-324, 0.0, 5e-324, 1e-160, 1e-300, 1.0, 3.0, 1e200),
            (1e-300, 0.5, 5e-324, 0.0, -5e-324, -0.5, -1e-300),
        ),
    ),
    # z^2 at dyadic start points: Newton's orbits are exact, and some land on |p| == tol exactly
    Poly(
        "square",
        (1, 0, 0),
        grid=(
            (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0, 0.75, 1.5),
            (1.0, 0.5, 0.25, 0.0, -0.25, -0.5, -1.0),
        ),
        tol=0.0625,
    ),
    # z^2 - 1, tol 3: the imaginary axis converges at once, equidistant from both roots
    Poly("ties2", (1, 0, -1), tol=3.0, ties=True),
    # a view 1e-24 wide that only the low parts of the start points resolve; then the shortcut,
    # each method around a boundary point of its own (Z3_EDGE is Newton's)
    Poly("deep3", (1, 0, 0, -1), itmax=200, deep="1e-24"),
    *(
        Poly(f"series3{v[0]}", (1, 0, 0, -1), itmax=200, deep="1e-24", series=True, variants=(v[0],))
        for v in VARIANTS
    ),
]
DEEP_SIZE = (23, 17)
THREADS = (1, 2)
SYMMETRY = (False, True)
PRECISIONS = ("double", "single", "double-double")
SUFFIX = {"double": "", "single": ".f32", "double-double": ".dd"}
DD_RENDERS = ((1, False), (2, True))  # double-double's reference is slow: two renders per scene
FIELDS = (("root", np.int16), ("iterations", np.int32), ("smooth", np.float32), ("residual", np.float32))


@dataclass(frozen=True)
class Job:
    name: str
    poly: Poly
    variant: tuple[str, str, complex]
    threads: int
    symmetry: bool
    precision: str = "double"


def jobs() -> list[Job]:
    return [
        Job(f"{p.key}.{v[0]}{SUFFIX[f]}.t{t}.s{int(s)}", p, v, t, s, f)
        for p in POLYS
        for v in VARIANTS
        for f in (("double-double",) if p.deep else PRECISIONS)
        for t in THREADS
        for s in SYMMETRY
        if (f != "double-double" or (t, s) in DD_RENDERS) and (p.variants is None or v[0] in p.variants)
    ]


def say(msg: str) -> None:
    print(f"neon_check: {msg}", flush=True)


# ---- inputs: the same doubles for the program and for the reference --------------------------


class Inputs:
    """Grid and roots of each polynomial, computed once; for deep views the start points' low
    parts and the series' reference."""

    def __init__(self) -> None:
        from nbcli import Scene, Viewport
        from nbcli.poly import canonical_roots

        grid = Viewport(-2, 2, -1.5, 1.5).grid(57, 43)  # tests/test_methods.py's GRID
        self.coefs: dict[str, np.ndarray] = {}
        self.roots: dict[str, np.ndarray] = {}
        self.grid: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.lows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.series: dict[str, tuple[float, ...]] = {}
        for p in POLYS:
            c = np.array(p.coefs, complex)
            self.coefs[p.key] = c
            self.roots[p.key] = canonical_roots(c)
            self.grid[p.key] = grid if p.grid is None else (np.array(p.grid[0]), np.array(p.grid[1]))
            if p.deep is not None:
                from edges import Z3_EDGE, boundary_point  # tests/edges.py

                center = Z3_EDGE  # Newton's
                if p.variants is not None and p.variants != ("newton",):
                    _, method, relax = next(v for v in VARIANTS if v[0] == p.variants[0])
                    center = boundary_point(p.coefs, method, complex(relax), p.itmax, p.tol)
                scene = Scene.create(coefs=c, size=DEEP_SIZE, center=center, width=p.deep, itmax=p.itmax)
                xs, ys, lows = scene.start_points()
                assert lows is not None, "a deep view renders in double-double"
                self.grid[p.key], self.lows[p.key] = (xs, ys), lows
                if p.series:
                    self.series[p.key] = scene.viewport.series(*scene.samples).as_tuple()


def _hex(values: np.ndarray) -> str:
    return " ".join(float(v).hex() for v in values)


def _complex_hex(values: np.ndarray) -> str:
    return " ".join(f"{float(z.real).hex()} {float(z.imag).hex()}" for z in values)


def write_jobs(path: Path, inputs: Inputs, todo: list[Job]) -> None:
    """The job file tools/neon_check.cpp reads (format described there)."""
    lines = []
    for j in todo:
        key = j.poly.key
        xs, ys = inputs.grid[key]
        c, r = inputs.coefs[key], inputs.roots[key]
        relax = complex(j.variant[2])
        lines += [
            f"job {j.name}",
            f"kernel {KERNEL}",
            f"method {j.variant[1]}",
            f"relax {relax.real.hex()} {relax.imag.hex()}",
            f"itmax {j.poly.itmax}",
            f"tol {float(j.poly.tol).hex()}",
            f"threads {j.threads}",
            f"symmetry {int(j.symmetry)}",
            f"precision {j.precision}",
            f"coefs {len(c)} {_complex_hex(c)}",
            f"roots {len(r)} {_complex_hex(r)}",
            f"xs {len(xs)} {_hex(xs)}",
            f"ys {len(ys)} {_hex(ys)}",
        ]
        if key in inputs.lows:
            xs_lo, ys_lo = inputs.lows[key]
            lines += [f"xs_lo {len(xs_lo)} {_hex(xs_lo)}", f"ys_lo {len(ys_lo)} {_hex(ys_lo)}"]
        if key in inputs.series:
            lines.append(f"series {_hex(np.array(inputs.series[key]))}")
        lines.append("end")
    path.write_text("\n".join(lines) + "\n")


# ---- canonical roots ----------------------------------------------------------------------------
# nbr::polish_roots must give every root the same last bits on every platform: the approximations
# the host's root finder gives (and the same moved by a few units in the last place) are refined
# on aarch64 and compared bit for bit with the host's refinement of the same inputs.

ROOT_POLYS = {
    **{p.key: p.coefs for p in POLYS if p.deep is None},
    "z5cubic": (1, 0, 0, -3, 0, 1 + 2j),  # z^5 - 3z^2 + (1+2j)
    "triple": (1, -0.75, -1.6875, 2.109375, -0.6328125),  # (z - 0.75)^3 (z + 1.5): a triple root
    "random9": (0.3 - 1.2j, 1.1 + 0.4j, -0.7 + 0.2j, 2.5 - 0.9j, 0.1 + 0.1j, -1.3, 0.8j, 0.6 - 0.6j, -2.1 + 1.7j, 1.0),
}


def roots_jobs() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """name: (scaled coefficients, approximations, multiplicities, the host's refinement)."""
    from nbcli._native import polish_roots
    from nbcli.poly.aberth import aberth, scaled
    from nbcli.poly.multiple import group

    out = {}
    for key, coefs in ROOT_POLYS.items():
        c = np.trim_zeros(np.array(coefs, complex), "b")  # as find_roots: 0 is a root exactly
        if c.size < 2:
            continue
        a, _ = scaled(c)
        found, mults = group(a, aberth(a))
        m = np.array(mults, dtype=np.intc)
        for k in (0, 3):
            approx = np.array(found, complex)
            for _ in range(k):  # k units in the last place away, in opposite directions
                approx = np.nextafter(approx.real, np.inf) + 1j * np.nextafter(approx.imag, -np.inf)
            out[f"{key}.roots{k}"] = (a, approx, m, polish_roots(a, approx, m))
    return out


def write_roots_jobs(path: Path, todo: dict[str, tuple[np.ndarray, ...]]) -> None:
    """Appends the roots blocks (format in tools/neon_check.cpp)."""
    lines = []
    for name, (a, approx, m, _) in todo.items():
        mult = " ".join(str(int(x)) for x in m)
        lines += [f"roots {name}", f"coefs {len(a)} {_complex_hex(a)}", f"approx {len(approx)} {_complex_hex(approx)}"]
        lines += [f"mult {len(m)} {mult}", "end"]
    with path.open("a") as f:
        f.write("\n".join(lines) + "\n")


def check_roots(out: Path, todo: dict[str, tuple[np.ndarray, ...]]) -> list[str]:
    """The roots blocks whose refinement differs from the host's, bit for bit."""
    bad = []
    for name, (*_, want) in todo.items():
        try:
            got = np.fromfile(out / f"{name}.roots.bin", dtype=np.complex128)
        except OSError as e:
            bad.append(f"{name}: {e}")
            continue
        if got.shape != want.shape or not np.array_equal(got.view(np.uint64), want.view(np.uint64)):
            bad.append(f"{name}: {got.tolist()} against the host's {want.tolist()}")
    return bad


# ---- build and run ------------------------------------------------------------------------------


class BuildError(Exception):
    pass


def run(cmd: list[str]) -> None:
    """Runs a build step quietly; on failure shows what it printed."""
    proc = subprocess.run(cmd, check=False, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        raise BuildError(f"{' '.join(cmd)} exited with {proc.returncode}")


def build(build_dir: Path, cxx: str, cross: bool) -> Path:
    """libnbr through CMakeLists.txt, then the driver linked against it."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise BuildError("cmake not found (pip install cmake)")
    cfg = [
        cmake, "-S", str(ROOT), "-B", str(build_dir),
        f"-DCMAKE_CXX_COMPILER={cxx}", "-DCMAKE_BUILD_TYPE=Release", "-DNBR_WERROR=ON",
    ]  # fmt: skip
    if cross:
        cfg += ["-DCMAKE_SYSTEM_NAME=Linux", "-DCMAKE_SYSTEM_PROCESSOR=aarch64"]
    if shutil.which("ninja"):
        cfg += ["-G", "Ninja"]
    # configure and build afresh (like cmake --fresh, which needs CMake 3.24): a cache made
    # for another compiler would be half reused, and the target taken for the host's
    (build_dir / "CMakeCache.txt").unlink(missing_ok=True)
    shutil.rmtree(build_dir / "CMakeFiles", ignore_errors=True)
    run(cfg)
    run([cmake, "--build", str(build_dir), "--target", "nbr", "--parallel", "2"])
    lib = build_dir / "libnbr.a"
    exe = build_dir / "neon_check"
    link = [
        cxx, "-std=c++17", "-O2", "-Wall", "-Wextra", "-Wconversion", "-Werror",
        f"-I{ROOT / 'native' / 'include'}", str(ROOT / "tools" / "neon_check.cpp"), str(lib),
        "-pthread", "-o", str(exe),
    ]  # fmt: skip
    if cross:
        link.append("-static")  # no aarch64 shared libraries needed at run time
    run(link)
    return exe


@dataclass
class Ran:
    arch: str
    kernels: dict[str, dict[str, str]]
    stats: dict[str, dict[str, str]]


def run_driver(exe: Path, qemu: Optional[str], jobs_file: Path, out: Path) -> Ran:
    cmd = [str(exe), str(jobs_file), str(out)]
    if qemu is not None:
        cmd = [qemu, "-L", SYSROOT, *cmd]
    proc = subprocess.run(cmd, check=False, text=True, capture_output=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"neon_check: FAILED: {' '.join(cmd)} exited with {proc.returncode}")
    ran = Ran("", {}, {})
    for line in proc.stdout.splitlines():
        head, _, rest = line.partition(" ")
        if head == "arch":
            ran.arch = rest
        elif head in ("kernel", "job"):
            name, *pairs = rest.split()
            (ran.kernels if head == "kernel" else ran.stats)[name] = dict(p.split("=", 1) for p in pairs)
    return ran


# ---- compare ------------------------------------------------------------------------------------


def load(path: Path, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    n = shape[0] * shape[1]
    want = sum(n * np.dtype(t).itemsize for _, t in FIELDS)
    if len(raw) != want:
        raise ValueError(f"{path.name}: {len(raw)} bytes, expected {want}")
    out, at = {}, 0
    for key, t in FIELDS:
        a = np.frombuffer(raw, dtype=np.dtype(t).newbyteorder("<"), count=n, offset=at)
        out[key] = a.astype(t).reshape(shape)
        at += n * np.dtype(t).itemsize
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel bit-for-bit equality (NaNs included)."""
    same = a.view(np.uint8).reshape(*a.shape, -1) == b.view(np.uint8).reshape(*b.shape, -1)
    return np.asarray(np.all(same, axis=-1))


def default_nans(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Pixels where `got` has AArch64's default NaN and `want` x86-64's.

    An invalid operation (inf * 0, inf - inf) makes a "default NaN", whose bits
    IEEE 754 leaves to the machine: positive on AArch64, negative on x86-64. The
    reference runs on x86-64, so a NaN the kernel made (a residual where p
    overflowed) differs from the reference's in the sign bit alone.
    """
    if got.dtype != np.float32:
        return np.zeros(got.shape, bool)
    return np.asarray((got.view(np.uint32) == 0x7FC00000) & (want.view(np.uint32) == 0xFFC00000))


def compare(got: dict[str, np.ndarray], want: dict[str, np.ndarray], cross: bool) -> tuple[list[str], int]:
    """One description per field that does not match bit for bit (none: all match), and the
    number of values that match only up to the sign of a default NaN (cross: allowed)."""
    problems = []
    nans = 0
    for key, t in FIELDS:
        w = np.asarray(want[key])
        if w.dtype != t:
            problems.append(f"reference {key} has dtype {w.dtype}, not {np.dtype(t)}")
            continue
        bad = ~same_bits(got[key], w)
        if cross:
            nan = bad & default_nans(got[key], w)
            nans += int(nan.sum())
            bad &= ~nan
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            problems.append(
                f"{key} differs at {int(bad.sum())} px, first (row {row}, col {col}): "
                f"{got[key][row, col]!r} != {w[row, col]!r}"
            )
    return problems, nans


def reference_options(
    key: str, method: str, relax: complex, precision: str, inputs: Inputs
) -> dict[str, Any]:
    """tests/reference.py's options for one scene: the precision, the low parts of deep start
    points and, for the shortcut, the start points and step count of the host's series (the
    same scalar code as AArch64's; a difference shows up as a mismatch)."""
    kw: dict[str, Any] = {"method": method, "relax": complex(relax), "full": True}
    kw.update(single=precision == "single", dd=precision == "double-double" and key not in inputs.series)
    if key in inputs.lows and key not in inputs.series:
        kw.update(xs_lo=inputs.lows[key][0], ys_lo=inputs.lows[key][1])
    if key in inputs.series:
        from nbcli import _core

        (xs, ys), (xs_lo, ys_lo) = inputs.grid[key], inputs.lows[key]
        c, poly = inputs.coefs[key], next(p for p in POLYS if p.key == key)
        steps, zr, zi = _core._series_starts(
            xs,
            ys,
            c,
            poly.itmax,
            poly.tol,
            method,
            complex(relax),
            inputs.series[key],
            xs_lo=xs_lo,
            ys_lo=ys_lo,
        )
        if steps == 0:
            sys.exit(f"neon_check: FAILED: {key}.{method}: the series shortcut does not hold for this view")
        kw.update(starts=(zr, zi), skip=steps)
    return kw


def mirrors_expected(job: Job, inputs: Inputs) -> bool:
    """Whether the render should compute fewer pixels than it delivers (see native/src/mirror.hpp)."""
    ys = inputs.grid[job.poly.key][1]
    return (
        job.symmetry
        and not job.poly.ties
        and not np.any(inputs.coefs[job.poly.key].imag)
        and complex(job.variant[2]).imag == 0
        and any(y > 0 and -y in ys for y in ys)
    )


def check_stats(
    job: Job, stats: Optional[dict[str, str]], total: int, inputs: Inputs, kernel: str
) -> list[str]:
    if stats is None:
        return ["the program did not report this render"]
    problems = []
    if stats["kernel"] != kernel:
        problems.append(f"ran kernel {stats['kernel']}, not {kernel}")
    if stats["method"] != job.variant[1]:
        problems.append(f"ran method {stats['method']}, not {job.variant[1]}")
    if stats["precision"] != job.precision:
        problems.append(f"ran in {stats['precision']} precision, not {job.precision}")
    if (int(stats.get("series_steps", "0")) > 0) != job.poly.series:
        problems.append(f"the series took {stats.get('series_steps')} steps for every pixel")
    if int(stats["pixels"]) != total:
        problems.append(f"delivered {stats['pixels']} of {total} pixels")
    computed = int(stats["computed"])
    if mirrors_expected(job, inputs) != (computed < total):
        problems.append(
            f"computed {computed} of {total} pixels: mirroring {'not ' * (computed == total)}used"
        )
    return problems


# ---- main ---------------------------------------------------------------------------------------


def find_tools(args: argparse.Namespace) -> tuple[Optional[str], Optional[str]]:
    if args.native:
        return args.cxx or os.environ.get("CXX") or shutil.which("c++") or "c++", None
    cxx = (
        args.cxx
        or os.environ.get("NBR_AARCH64_CXX")
        or next(filter(None, map(shutil.which, CROSS_CXX)), None)
    )
    qemu = args.qemu or next(filter(None, map(shutil.which, QEMU)), None)
    return cxx, qemu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--require", action="store_true", help="fail instead of skipping when the tools are missing"
    )
    ap.add_argument("--native", action="store_true", help="check the host's own baseline kernel (no qemu)")
    ap.add_argument(
        "--cxx", help="the C++ compiler (default: aarch64-linux-gnu-g++; with --native: $CXX or c++)"
    )
    ap.add_argument("--qemu", help="the emulator (default: qemu-aarch64-static or qemu-aarch64)")
    ap.add_argument("--build-dir", type=Path, help="default: build/neon (build/neon-native with --native)")
    ap.add_argument("-k", dest="select", help="only jobs whose name contains this (e.g. deg12.halley)")
    args = ap.parse_args()

    cxx, qemu = find_tools(args)
    if cxx is None or (qemu is None and not args.native):
        missing = " and ".join(
            w for w, ok in (("aarch64 cross compiler", cxx), ("qemu-aarch64", qemu)) if ok is None
        )
        why = f"no aarch64 cross compiler / qemu ({missing} not found; {INSTALL})"
        say(f"FAILED: {why}" if args.require else f"skipped: {why}")
        return 1 if args.require else 0

    sys.path.insert(0, str(ROOT / "tests"))
    import reference as ref

    todo = [j for j in jobs() if not args.select or args.select in j.name]
    if not todo:
        say(f"no job matches {args.select!r}")
        return 1
    build_dir = (args.build_dir or ROOT / "build" / ("neon-native" if args.native else "neon")).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    out = build_dir / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()

    t0 = time.perf_counter()
    try:
        exe = build(build_dir, cxx, cross=not args.native)
    except BuildError as e:
        say(f"FAILED: build: {e}")
        return 1
    t_build = time.perf_counter() - t0

    inputs = Inputs()
    jobs_file = build_dir / "jobs.txt"
    write_jobs(jobs_file, inputs, todo)
    root_todo = roots_jobs()
    write_roots_jobs(jobs_file, root_todo)
    t0 = time.perf_counter()
    ran = run_driver(exe, qemu, jobs_file, out)
    t_run = time.perf_counter() - t0

    base = ran.kernels.get(KERNEL)
    if base is None:
        say(f"FAILED: the program has no {KERNEL} kernel")
        return 1
    say(f"{'native' if args.native else 'emulated with ' + str(qemu)}: arch {ran.arch}, {KERNEL} kernel "
        f"{base['isa']}, {base['lanes']} lanes ({base['lanes_single']} in single precision), "
        f"fused {base['fused']}; built in {t_build:.1f} s, {len(todo)} renders in {t_run:.1f} s")  # fmt: skip
    failed = 0
    neon = ("aarch64", "NEON", "2", "4", "1")
    if (
        not args.native
        and (ran.arch, base["isa"], base["lanes"], base["lanes_single"], base["fused"]) != neon
    ):
        say("FAILED: expected an aarch64 build whose baseline is NEON, 2 lanes (4 floats), fused")
        failed += 1
    fused = base["fused"] == "1"

    # one scene = one polynomial with one variant in one precision: its renders
    # compared with one reference
    t0 = time.perf_counter()
    scenes: dict[tuple[str, str, str], list[Job]] = {}
    for j in todo:
        scenes.setdefault((j.poly.key, j.variant[0], j.precision), []).append(j)
    teeth = 0
    nan_total = 0
    for (pkey, vkey, precision), group in scenes.items():
        poly, (_, method, relax) = group[0].poly, group[0].variant
        xs, ys = inputs.grid[pkey]
        shape = (len(ys), len(xs))
        args_ref = (xs, ys, inputs.coefs[pkey], inputs.roots[pkey], poly.itmax, poly.tol)
        kw = reference_options(pkey, method, relax, precision, inputs)
        want = ref.exact(*args_ref, fused=fused, **kw)
        other = ref.exact(*args_ref, fused=not fused, **kw)
        # pixels where the fused and the unfused reference differ: what this scene can catch
        differ = int((~np.all([same_bits(want[k], other[k]) for k, _ in FIELDS], axis=0)).sum())
        teeth += differ
        bad = []
        computed = []
        nans = 0
        for j in group:
            try:
                problems, n = compare(load(out / f"{j.name}.bin", shape), want, cross=not args.native)
                nans = max(nans, n)
            except (OSError, ValueError) as e:
                problems = [str(e)]
            problems += check_stats(j, ran.stats.get(j.name), shape[0] * shape[1], inputs, KERNEL)
            computed.append(ran.stats.get(j.name, {}).get("computed", "?"))
            bad += [f"  {j.name}: {p}" for p in problems]
        tag = f"{pkey}.{vkey}{SUFFIX[precision]}"
        what = (
            f"{len(group)} renders, {shape[1]}x{shape[0]} px, computed {'/'.join(computed)}; "
            f"{'un' * (not fused)}fused and {'un' * fused}fused reference differ at {differ} px"
        )
        if nans:
            what += f"; {nans} NaN(s) equal but for the default NaN's sign"
            nan_total += nans
        if bad:
            failed += 1
            say(f"FAIL {tag:22} {what}")
            for line in bad:
                print(line, flush=True)
        else:
            say(f"ok   {tag:22} {what}")
    t_ref = time.perf_counter() - t0

    root_bad = check_roots(out, root_todo)
    for line in root_bad:
        say(f"FAIL roots {line}")
    if root_bad:
        failed += 1
    else:
        say(f"ok   canonical roots: {len(root_todo)} sets of roots refined as on this machine, bit for bit")
    if teeth == 0 and not args.select:
        say("FAILED: no scene tells a fused kernel from an unfused one; the check would not notice")
        failed += 1
    summary = (
        f"{len(todo)} renders in {len(scenes)} scenes (build {t_build:.0f} s, "
        f"{'run' if args.native else 'emulated run'} {t_run:.0f} s, reference {t_ref:.0f} s)"
    )
    if failed:
        say(f"FAILED: {failed} scene(s) or check(s) failed; {summary}")
        return 1
    nan_note = f" (NaNs: up to the default NaN's sign, {nan_total} in all)" if nan_total else ""
    say(f"all outputs match the reference bit for bit{nan_note}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
