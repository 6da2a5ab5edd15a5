"""Build a wheel with zig's compilers, then ``auditwheel repair`` it to manylinux_2_17."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from .context import Context
from .proc import ROOT, StepFailed, fmt_time, note, run
from .report import Row
from .toolchain import zig_bin
from .venvs import make_venv, venv_bin

PLAT = "manylinux_2_17_x86_64"
BUILD_VENV = ["build>=1.2"]


def build_dir(ctx: Context) -> Path:
    """scikit-build-core's build folders (``zig-{wheel_tag}``), kept between runs."""
    return ctx.cache / "build"


def build_wheel(ctx: Context, row: Row, env: Mapping[str, str]) -> Path:
    """The wheel for ``row.py``, built with ``python -m build`` in a venv of that Python."""
    py = row.py
    bvenv = make_venv(
        py.path, ctx.cache / "venvs" / f"build-{py.version}", BUILD_VENV, log_dir=ctx.logs, fresh=False
    )
    bindir = zig_bin(ctx)
    raw = ctx.work / "raw" / py.version
    defines = {
        "CMAKE_CXX_COMPILER": bindir / "zig-c++",
        "CMAKE_AR": bindir / "zig-ar",
        "CMAKE_RANLIB": bindir / "zig-ranlib",
        "CMAKE_STRIP": bindir / "strip-keep",
    }
    cmd: list[object] = [venv_bin(bvenv, "python"), "-m", "build", "--wheel", "--outdir", raw, ROOT]
    cmd += ["-C", f"build-dir={build_dir(ctx)}/zig-{{wheel_tag}}", "-C", "cmake.build-type=Release"]
    for k, v in defines.items():
        cmd += ["-C", f"cmake.define.{k}={v}"]
    t0 = time.perf_counter()
    run(cmd, env=env, log=ctx.logs / f"build-{py.version}.log")
    wheels = sorted(raw.glob("*.whl"))
    if len(wheels) != 1:
        raise StepFailed(f"expected one wheel in {raw}, found {len(wheels)}")
    row.built = f"ok {fmt_time(time.perf_counter() - t0)}"
    return wheels[0]


def repair(ctx: Context, row: Row, raw: Path) -> Path:
    """``auditwheel repair --plat manylinux_2_17_x86_64 --only-plat``: the repaired wheel."""
    version = row.py.version
    dest = ctx.work / "repaired" / version
    env = ctx.tool_env()
    run([ctx.tool("auditwheel"), "show", raw], env=env, log=ctx.logs / f"auditwheel-show-{version}.log")
    run(
        [ctx.tool("auditwheel"), "repair", "--plat", PLAT, "--only-plat", "-w", dest, raw],
        env=env,
        log=ctx.logs / f"auditwheel-{version}.log",
    )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1 or PLAT not in wheels[0].name:
        raise StepFailed(f"auditwheel did not write a {PLAT} wheel")
    note(f"repaired: {wheels[0].name}")
    row.audit = "ok"
    return wheels[0]
