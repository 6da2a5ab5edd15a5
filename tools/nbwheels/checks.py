"""The installed wheel under test, on this machine or in a chroot: the test suite once
per CPU kernel (forced with NB_RENDER_KERNEL) in a fresh venv, ``nb-render --version``
naming each kernel, and the ``nb-render`` that ``pipx install`` makes. The wheel's
dependencies come from a folder of wheels downloaded for its CPython and platform,
which the release check's index serves too."""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path

from .context import Context
from .places import Place
from .proc import ROOT, StepFailed, fmt_time, note, say
from .report import Results, Row
from .venvs import make_venv, venv_bin

# Under emulation with --quick, only these test files run: every kernel path against the
# reference, the compute API, the canonical roots and the golden scenes (the PNGs must be
# those the x86-64 FMA kernels made, byte for byte).
SMOKE = ["test_golden.py", "test_roots_canonical.py", "test_kernels.py", "test_compute.py"]
# `nb-render --version` is timed as the median of this many runs.
VERSION_RUNS = 5

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


def wheelhouse(ctx: Context, row: Row, place: Place) -> Path:
    """The folder of the dependencies' wheels for ``row``'s CPython and platform in
    ``place`` (kept between runs)."""
    return ctx.cache / "wheelhouse" / f"{row.key}-{place.name}"


def python_in(row: Row, place: Place) -> Path:
    """``row``'s CPython in ``place``: the one it was built with, or the system's."""
    return row.py.path if place.name == row.py.where else Path(f"/usr/bin/python{row.py.version}")


def pytest_command(ctx: Context, venv: Path, files: list[str] | None = None) -> list[object]:
    """The test suite (or ``files`` of it) against what is installed in ``venv``
    (with the guard plugin)."""
    tests = [ROOT / "tests" / f for f in files] if files else [ROOT / "tests"]
    plugins = ["-p", "nbw_guard", "-p", "no:cacheprovider"]
    return [venv_bin(venv, "python"), "-m", "pytest", *tests, *plugins, "-q", *ctx.pytest_args]


def clean_env(place: Place) -> dict[str, str]:
    env = place.environ()
    for k in ("NB_RENDER_KERNEL", "PYTHONPATH", "PYTHONHOME"):
        env.pop(k, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_wheel(ctx: Context, results: Results, row: Row, wheel: Path, place: Place, *, scope: str) -> None:
    """Install the wheel in a fresh venv in ``place`` and run the tests once per kernel
    this CPU runs: the whole suite on every kernel (``scope`` "whole"), on the one the
    wheel selects by itself and the SMOKE files on the others ("best"), or the SMOKE
    files only ("smoke")."""
    venv = install(ctx, row, wheel, place)
    env = clean_env(place)
    if not row.arch.native:  # under qemu-user: tests/conftest.py skips the emulation_unsafe tests
        env["NB_RENDER_EMULATED"] = "1"
    rundir = run_dir(ctx)
    known, best = _kernels(venv, rundir, env, place)
    if scope != "smoke":  # a smoke run is a quick check, not a measurement
        row.version_time = time_version(venv, rundir, env, place)
        note(f"nb-render --version: {row.version_time * 1000:.0f} ms (median of {VERSION_RUNS})")
    env["PYTHONPATH"] = str(guard_dir(ctx))
    for k in row.arch.kernels:
        if k.name not in known:
            row.tests[k.name] = "FAIL not built"
            results.fail(f"{row.label}: kernel {k.name} missing from the build")
            continue
        if not known[k.name]:
            row.tests[k.name] = "skip (CPU)"
            continue
        smoke = scope == "smoke" or (scope == "best" and k.name != best)
        say(f"{row.label}: tests with NB_RENDER_KERNEL={k.name}" + (" (smoke subset)" if smoke else ""))
        kenv = dict(env, NB_RENDER_KERNEL=k.name)
        out = place.run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=kenv, capture=True).stdout
        note(out.strip())
        if f"(kernel {k.name}: {k.isa};" not in out:
            row.tests[k.name] = "FAIL --version"
            results.fail(f"{row.label}: nb-render --version does not name the {k.name} kernel ({k.isa})")
            continue
        t0 = time.perf_counter()
        p = place.run(pytest_command(ctx, venv, SMOKE if smoke else None), cwd=rundir, env=kenv, check=False)
        if p.returncode == 0:
            row.tests[k.name] = f"ok {fmt_time(time.perf_counter() - t0)}" + (" smoke" if smoke else "")
        else:
            row.tests[k.name] = f"FAIL ({p.returncode})"
            results.fail(f"{row.label}: tests with NB_RENDER_KERNEL={k.name} (in {place.name})")


def install(ctx: Context, row: Row, wheel: Path, place: Place) -> Path:
    """A fresh venv with the runtime and test dependencies from the wheelhouse and the
    wheel itself, all with ``--no-index``."""
    venv = make_venv(
        python_in(row, place),
        ctx.work / "venvs" / f"test-{row.key}",
        [],
        log_dir=ctx.logs,
        fresh=True,
        place=place,
    )
    pip = [venv_bin(venv, "python"), "-m", "pip"]
    deps = wheel_requirements(wheel, extras={"test"})
    house = wheelhouse(ctx, row, place)
    log = ctx.logs / f"deps-{row.key}.log"
    download = [*pip, "download", "-q", "--only-binary=:all:", "-d", house, "pip"]
    try:
        place.run([*download, *deps], log=log)
    except StepFailed:
        # The newest CPython may lack wheels of a test-only package (zarr's numcodecs, say): test
        # without it (its tests skip) and say so; every runtime dependency must still install.
        runtime = wheel_requirements(wheel, extras=set())
        place.run([*download, *runtime], log=log)
        left = [d for d in deps if d not in runtime and not _downloads(place, download, d, log)]
        if left:
            note(
                f"no wheels for CPython {row.py.version} of {', '.join(left)}: the tests that need them skip"
            )
        deps = [d for d in deps if d not in left]
    place.run([*pip, "install", "-q", "--no-index", "--find-links", house, *deps], log=log)
    place.run([*pip, "install", "-q", "--no-index", "--no-deps", wheel])
    place.run([*pip, "check"], capture=True)
    return venv


def _downloads(place: Place, download: list[object], requirement: str, log: Path) -> bool:
    """Whether pip finds wheels for this requirement (and its dependencies) here."""
    try:
        place.run([*download, requirement], log=log)
    except StepFailed:
        return False
    return True


_KERNELS = (
    "import json, nbcli; from nbcli import _native; "
    "print(json.dumps([nbcli.available_kernels(), _native.selected_kernel()]))"
)


def _kernels(venv: Path, rundir: Path, env: dict[str, str], place: Place) -> tuple[dict[str, bool], str]:
    """Kernel name -> whether this CPU runs it, as the installed package reports them, and
    the kernel it selects by itself (``env`` forces none)."""
    out = place.run([venv_bin(venv, "python"), "-c", _KERNELS], cwd=rundir, env=env, capture=True).stdout
    kinfo, selected = json.loads(out.strip().splitlines()[-1])
    note(
        "kernels: "
        + ", ".join(
            f"{k['name']} ({k['isa']}, {'runs' if k['supported'] else 'not on this CPU'})" for k in kinfo
        )
    )
    return {str(k["name"]): bool(k["supported"]) for k in kinfo}, str(selected)


def time_version(venv: Path, rundir: Path, env: dict[str, str], place: Place) -> float:
    """The median time of ``nb-render --version``, in seconds, as the shell runs it."""
    exe = venv_bin(venv, "nb-render")
    script = f"for i in $(seq {VERSION_RUNS}); do s=$(date +%s%N); {exe} --version >/dev/null; echo $(( $(date +%s%N) - s )); done"
    out = place.run(["/bin/sh", "-c", script], cwd=rundir, env=env, capture=True).stdout
    times = sorted(int(x) / 1e9 for x in out.split())
    if len(times) != VERSION_RUNS:
        raise StepFailed(f"could not time nb-render --version: {out!r}")
    return times[VERSION_RUNS // 2]


def test_pipx(ctx: Context, row: Row, wheel: Path, place: Place) -> None:
    """``pipx install`` the wheel (its dependencies from the wheelhouse; pipx's own
    environments made afresh, as a first install makes them), timed, and render a PNG
    with the ``nb-render`` it made."""
    home = ctx.work / "pipx" / row.key
    env = clean_env(place)
    env.update(PIPX_HOME=str(home), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    python = python_in(row, place)
    if place.name == "host":
        pipx: object = ctx.tool("pipx")
        env["PATH"] = ctx.tool_env()["PATH"]
    else:
        pipx = "pipx"  # Debian's
    # pipx's shared pip must run on the target Python too (the newest pip may not support it)
    env["PIPX_DEFAULT_PYTHON"] = str(python)
    pip_args = f"--no-index --find-links {wheelhouse(ctx, row, place)}"
    t0 = time.perf_counter()
    place.run(
        [pipx, "install", "--python", python, "--pip-args", pip_args, wheel],
        env=env,
        log=ctx.logs / f"pipx-{row.key}.log",
    )
    row.pipx_time = time.perf_counter() - t0
    note(f"pipx install: {row.pipx_time:.1f} s")
    exe = home / "bin" / "nb-render"
    out = home / "cubic.png"
    place.run([exe, "--version"], env=env, cwd=home)
    place.run([exe, "--coefs", "1,0,0,-1", "--size", "96x64", "--quiet", out], env=env, cwd=home)
    if png_size(out) != (96, 64):
        raise StepFailed(f"pipx's nb-render wrote a {png_size(out)} image, not 96x64")
    note(f"pipx's nb-render wrote {out.name} (96x64)")
    row.pipx = "ok"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise StepFailed(f"{path} is not a PNG file")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_elsewhere(ctx: Context, row: Row, wheel: Path, place: Place) -> None:
    """The wheel in another system (a chroot with its own Python): installed, a PNG
    rendered, and the SMOKE tests run with the kernel it selects."""
    venv = install(ctx, row, wheel, place)
    env = clean_env(place)
    rundir = run_dir(ctx)
    place.run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=env)
    out = rundir / f"quintic-{row.key}.png"
    place.run(
        [venv_bin(venv, "nb-render"), "-c", "1,0,0,0,0,-1", "-s", "120x80", "-q", out], cwd=rundir, env=env
    )
    if png_size(out) != (120, 80):
        raise StepFailed(f"nb-render wrote a {png_size(out)} image, not 120x80")
    note(f"rendered {out.name} (120x80)")
    env["PYTHONPATH"] = str(guard_dir(ctx))
    place.run(pytest_command(ctx, venv, SMOKE), cwd=rundir, env=env)
