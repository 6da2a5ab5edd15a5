"""Build a wheel with zig's compilers (on this machine, or in the chroot that has its
CPython; for another architecture, cross-compiled), then ``auditwheel repair`` it to
manylinux_2_17."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .context import Context
from .places import Place
from .proc import ROOT, StepFailed, fmt_time, note, run
from .report import Row
from .toolchain import zig_bin
from .venvs import make_venv, venv_bin

BUILD_VENV = ["build>=1.2"]


def build_dir(ctx: Context) -> Path:
    """scikit-build-core's build folders (``zig-{wheel_tag}``), kept between runs."""
    return ctx.cache / "build"


def build_wheel(ctx: Context, row: Row, place: Place, compilers: Mapping[str, str]) -> Path:
    """The wheel of ``row``, built with ``python -m build`` in a venv of its CPython."""
    py, arch = row.py, row.arch
    bvenv = make_venv(
        py.path,
        ctx.cache / "venvs" / f"build-{py.version}-{py.where}",
        BUILD_VENV,
        log_dir=ctx.logs,
        fresh=False,
        place=place,
    )
    bindir = zig_bin(ctx, arch)
    raw = ctx.work / "raw" / row.key
    defines: dict[str, object] = {
        "CMAKE_CXX_COMPILER": bindir / "zig-c++",
        "CMAKE_AR": bindir / "zig-ar",
        "CMAKE_RANLIB": bindir / "zig-ranlib",
        "CMAKE_STRIP": bindir / "strip-keep",
        # No link-time optimisation of the bindings (pybind11's default): with zig, its
        # checks and the final link need LTO builds of zig's libc++, about a minute on
        # 2 cores with an empty cache. The kernels are not LTO-built either way.
        "CMAKE_INTERPROCEDURAL_OPTIMIZATION": "OFF",
    }
    env = {**place.environ(), **compilers, "PYTHONDONTWRITEBYTECODE": "1"}
    if not arch.native:
        # Cross-compiling: CMake is told the target, and scikit-build-core and pybind11
        # the module's file name and the wheel's platform (they would ask the running
        # Python otherwise); the Python headers are the same on every 64-bit Linux.
        suffix = f".cpython-{py.tag[2:]}-{arch.name}-linux-gnu.so"
        defines.update(
            CMAKE_SYSTEM_NAME="Linux", CMAKE_SYSTEM_PROCESSOR=arch.name, PYTHON_MODULE_EXTENSION=suffix
        )
        env.update(SETUPTOOLS_EXT_SUFFIX=suffix, _PYTHON_HOST_PLATFORM=f"linux-{arch.name}")
    cmd: list[object] = [venv_bin(bvenv, "python"), "-m", "build", "--wheel", "--outdir", raw, ROOT]
    cmd += ["-C", f"build-dir={build_dir(ctx)}/zig-{{wheel_tag}}", "-C", "cmake.build-type=Release"]
    for k, v in defines.items():
        cmd += ["-C", f"cmake.define.{k}={v}"]
    t0 = time.perf_counter()
    place.run(cmd, env=env, log=ctx.logs / f"build-{row.key}.log")
    wheels = sorted(raw.glob("*.whl"))
    if len(wheels) != 1:
        raise StepFailed(f"expected one wheel in {raw}, found {len(wheels)}")
    if not wheels[0].name.endswith(f"linux_{arch.name}.whl"):
        raise StepFailed(f"{wheels[0].name} is not a linux_{arch.name} wheel")
    with zipfile.ZipFile(wheels[0]) as z:
        stray = [n for n in z.namelist() if n.endswith(".unstripped")]
    if stray:
        raise StepFailed(f"{wheels[0].name} holds a build leftover: {stray[0]}")
    row.built = f"ok {fmt_time(time.perf_counter() - t0)}"
    return wheels[0]


def repair(ctx: Context, row: Row, raw: Path) -> Path:
    """``auditwheel repair --plat manylinux_2_17_ARCH --only-plat``: the repaired wheel.
    auditwheel reads the architecture from the wheel, and checks every symbol
    version and library the module needs against that policy."""
    plat = row.arch.plat
    dest = ctx.work / "repaired" / row.key
    env = ctx.tool_env()
    run([ctx.tool("auditwheel"), "show", raw], env=env, log=ctx.logs / f"auditwheel-show-{row.key}.log")
    # auditwheel's --plat offers this machine's architecture only; for another one,
    # "auto" takes the oldest glibc policy the wheel satisfies, checked to be 2.17 below.
    given = plat if row.arch.native else "auto"
    run(
        [ctx.tool("auditwheel"), "repair", "--plat", given, "--only-plat", "-w", dest, raw],
        env=env,
        log=ctx.logs / f"auditwheel-{row.key}.log",
    )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1 or plat not in wheels[0].name:
        raise StepFailed(f"auditwheel did not write a {plat} wheel")
    note(f"repaired: {wheels[0].name}")
    row.audit = "ok"
    return wheels[0]
