"""The installed wheel under test: the test suite once per CPU kernel (forced with
NB_RENDER_KERNEL) in a fresh venv, and the ``nb-render`` that ``pipx install`` makes."""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from pathlib import Path

from .context import Context
from .kernels import KERNELS
from .proc import ROOT, StepFailed, fmt_time, note, run, say
from .report import Results, Row
from .venvs import make_venv, venv_bin

# Loaded into each test run (-p nbw_guard): fails the run unless nbcli comes from
# the venv under test and the forced kernel is the one selected.
GUARD_PLUGIN = """\
import os
import sys

import pytest


def pytest_report_header(config):
    import nbcli
    from nbcli import _core

    return [f"nbcli imported from {os.path.dirname(nbcli.__file__)}; kernel {_core.selected_kernel()}"]


def pytest_sessionstart(session):
    import nbcli
    from nbcli import _core

    where = os.path.realpath(nbcli.__file__)
    prefix = os.path.realpath(sys.prefix) + os.sep
    if not where.startswith(prefix):
        raise pytest.UsageError(f"nbcli was imported from {where}, not from the venv under test ({prefix})")
    want = os.environ.get("NB_RENDER_KERNEL")
    if want and _core.selected_kernel() != want:
        raise pytest.UsageError(f"NB_RENDER_KERNEL={want} but the selected kernel is {_core.selected_kernel()}")
"""


def wheel_requirements(wheel: Path, extras: set[str]) -> list[str]:
    """Requires-Dist of the wheel: the unconditional ones and those of ``extras``."""
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(meta).decode()
    reqs = []
    for line in text.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        req = line.split(":", 1)[1].strip()
        spec, _, marker = req.partition(";")
        m = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if m is None and marker.strip():
            reqs.append(req)  # an environment marker: pip evaluates it
        elif m is None or m.group(1) in extras:
            reqs.append(spec.strip())
    return reqs


def guard_dir(ctx: Context) -> Path:
    """A folder holding the guard plugin, for PYTHONPATH."""
    plugin = ctx.work / "plugin"
    plugin.mkdir(exist_ok=True)
    (plugin / "nbw_guard.py").write_text(GUARD_PLUGIN)
    return plugin


def run_dir(ctx: Context) -> Path:
    """An empty folder to run the tests from: nothing importable beside them."""
    rundir = ctx.work / "run"
    rundir.mkdir(exist_ok=True)
    return rundir


def pytest_command(ctx: Context, venv: Path) -> list[object]:
    """The test suite against what is installed in ``venv`` (with the guard plugin)."""
    return [
        venv_bin(venv, "python"),
        "-m",
        "pytest",
        ROOT / "tests",
        "-p",
        "nbw_guard",
        "-p",
        "no:cacheprovider",
        "-q",
        *ctx.pytest_args,
    ]


def test_wheel(ctx: Context, results: Results, row: Row, wheel: Path) -> None:
    """Install the wheel in a fresh venv and run the tests once per kernel this CPU runs."""
    venv = _install(ctx, row, wheel)
    env = os.environ.copy()
    for k in ("NB_RENDER_KERNEL", "PYTHONPATH", "PYTHONHOME"):
        env.pop(k, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    rundir = run_dir(ctx)
    run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=env)
    known = _kernels(venv, rundir, env)
    env["PYTHONPATH"] = str(guard_dir(ctx))
    version = row.py.version
    for k in KERNELS:
        if k not in known:
            row.tests[k] = "FAIL not built"
            results.fail(f"{version}: kernel {k} missing from the build")
            continue
        if not known[k]:
            row.tests[k] = "skip (CPU)"
            continue
        say(f"{version}: tests with NB_RENDER_KERNEL={k}")
        kenv = dict(env, NB_RENDER_KERNEL=k)
        run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=kenv)
        t0 = time.perf_counter()
        p = run(pytest_command(ctx, venv), cwd=rundir, env=kenv, check=False)
        if p.returncode == 0:
            row.tests[k] = f"ok {fmt_time(time.perf_counter() - t0)}"
        else:
            row.tests[k] = f"FAIL ({p.returncode})"
            results.fail(f"{version}: tests with NB_RENDER_KERNEL={k}")


def _install(ctx: Context, row: Row, wheel: Path) -> Path:
    """A fresh venv with the runtime and test dependencies from the index and the
    wheel itself with ``--no-index``."""
    version = row.py.version
    venv = make_venv(row.py.path, ctx.work / "venvs" / f"test-{version}", [], log_dir=ctx.logs, fresh=True)
    pip = [venv_bin(venv, "python"), "-m", "pip"]
    deps = wheel_requirements(wheel, extras={"test"})
    run([*pip, "install", "-q", *deps], log=ctx.logs / f"deps-{version}.log")
    run([*pip, "install", "-q", "--no-index", "--no-deps", wheel])
    run([*pip, "check"], capture=True)
    return venv


def _kernels(venv: Path, rundir: Path, env: dict[str, str]) -> dict[str, bool]:
    """Kernel name -> whether this CPU runs it, as the installed package reports them."""
    out = run(
        [venv_bin(venv, "python"), "-c", "import json, nbcli; print(json.dumps(nbcli.available_kernels()))"],
        cwd=rundir,
        env=env,
        capture=True,
    ).stdout
    kinfo = json.loads(out)
    note(
        "kernels: "
        + ", ".join(
            f"{k['name']} ({k['isa']}, {'runs' if k['supported'] else 'not on this CPU'})" for k in kinfo
        )
    )
    return {str(k["name"]): bool(k["supported"]) for k in kinfo}


def test_pipx(ctx: Context, row: Row, wheel: Path) -> None:
    """``pipx install`` the wheel and render a PNG with the ``nb-render`` it made."""
    home = ctx.work / "pipx" / row.py.version
    env = ctx.tool_env()
    env.update(PIPX_HOME=str(home), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    # pipx's shared pip must run on the target Python too (the newest pip may not support it)
    env["PIPX_DEFAULT_PYTHON"] = str(row.py.path)
    run(
        [ctx.tool("pipx"), "install", "--python", row.py.path, wheel],
        env=env,
        log=ctx.logs / f"pipx-{row.py.version}.log",
    )
    exe = home / "bin" / "nb-render"
    out = home / "cubic.png"
    clean = {k: v for k, v in os.environ.items() if k != "NB_RENDER_KERNEL"}
    run([exe, "--version"], env=clean, cwd=home)
    run([exe, "--coefs", "1,0,0,-1", "--size", "96x64", "--quiet", out], env=clean, cwd=home)
    if png_size(out) != (96, 64):
        raise StepFailed(f"pipx's nb-render wrote a {png_size(out)} image, not 96x64")
    note(f"pipx's nb-render wrote {out.name} (96x64)")
    row.pipx = "ok"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise StepFailed(f"{path} is not a PNG file")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
