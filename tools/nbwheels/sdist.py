"""The sdist: build it, check what it contains, install it in a fresh venv (compiled
with the system's compiler) and run the tests against it."""

from __future__ import annotations

import os
import re
import tarfile
import time
from pathlib import Path

from .checks import guard_dir, pytest_command, run_dir
from .context import Context
from .proc import ROOT, StepFailed, fmt_time, note, run, say
from .pythons import discover_pythons
from .report import Results
from .venvs import make_venv, venv_bin

# What the sdist must and must not contain (paths relative to its top folder).
REQUIRED = [
    "CMakeLists.txt",
    "native/",
    "nbcli/",
    "tests/",
    "docs/",
    "LICENSE",
    "README.md",
    "pyproject.toml",
]
FORBIDDEN_DIRS = ["build", "dist", ".github", ".ci", ".cache"]
MAX_FILE = 1_000_000


def sdist(ctx: Context, results: Results, *, install: bool) -> Path | None:
    """Build and check the sdist (and install and test it); None if it was not built."""
    row = results.sdist
    row.update(built="-", contents="-", tests="-")
    say("sdist")
    try:
        sd = build_sdist(ctx)
        row["built"] = "ok"
    except StepFailed as e:
        row["built"] = "FAIL"
        results.fail(f"sdist: {e}")
        return None
    problems = check_sdist(sd)
    row["contents"] = "FAIL" if problems else "ok"
    for p in problems:
        note(f"sdist: {p}")
    if problems:
        results.fail("sdist contents: " + "; ".join(problems))
    if install:
        try:
            test_sdist(ctx, sd)
            row["tests"] = "ok"
        except StepFailed as e:
            row["tests"] = "FAIL"
            results.fail(f"sdist install/tests: {e}")
    return sd


def build_sdist(ctx: Context) -> Path:
    dest = ctx.work / "sdist"
    run(
        [ctx.tool("python"), "-m", "build", "--sdist", "--outdir", dest, ROOT],
        env=ctx.tool_env(),
        log=ctx.logs / "sdist.log",
    )
    found = sorted(dest.glob("*.tar.gz"))
    if len(found) != 1:
        raise StepFailed("no sdist built")
    return found[0]


def check_sdist(sd: Path) -> list[str]:
    """What is wrong with the sdist's file list (and the list, printed)."""
    problems = []
    with tarfile.open(sd) as t:
        members = t.getmembers()
    names = []
    for m in members:
        parts = m.name.split("/", 1)
        rel = parts[1] if len(parts) > 1 else ""
        if not rel:
            continue
        names.append(rel + ("/" if m.isdir() else ""))
        if m.isfile() and m.size > MAX_FILE:
            problems.append(f"{rel} is {m.size / 1e6:.1f} MB (> {MAX_FILE / 1e6:g} MB)")
        if rel.lower().endswith(".png"):
            problems.append(f"contains a PNG: {rel}")
        top = rel.split("/")
        for d in FORBIDDEN_DIRS:
            if d in top[:-1] or (m.isdir() and top[-1] == d):
                problems.append(f"contains {d}/: {rel}")
                break
    files = sorted(n for n in names if not n.endswith("/"))
    note(f"{sd.name}: {len(files)} files")
    for n in files:
        note(f"  {n}")
    for req in REQUIRED:
        if req.endswith("/"):
            if not any(n.startswith(req) for n in files):
                problems.append(f"lacks {req} (no files under it)")
        elif req not in names:
            problems.append(f"lacks {req}")
    return problems


def test_sdist(ctx: Context, sd: Path) -> None:
    say(f"installing {sd.name} in a fresh venv (compiled with the system compiler) and testing it")
    # the newest of the CPythons asked for that this machine has (a sid one runs only in its chroot)
    py = (
        [i for i in discover_pythons(ctx.pythons) if i.distro is None] or discover_pythons((), chroots=False)
    )[-1]
    venv = make_venv(py.path, ctx.work / "venvs" / "sdist", [], log_dir=ctx.logs, fresh=True)
    env = os.environ.copy()
    for k in ("CC", "CXX", "CMAKE_ARGS", "NB_RENDER_KERNEL", "PYTHONPATH"):
        env.pop(k, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    t0 = time.perf_counter()
    run(
        [venv_bin(venv, "python"), "-m", "pip", "install", "-v", f"{sd}[test]"],
        env=env,
        log=ctx.logs / "sdist-install.log",
    )
    note(f"built and installed in {fmt_time(time.perf_counter() - t0)}")
    so = run(
        [venv_bin(venv, "python"), "-c", "import nbcli._core as c; print(c.__file__)"],
        env=env,
        cwd=ctx.work,
        capture=True,
    ).stdout.strip()
    comment = run(["readelf", "-p", ".comment", so], capture=True, check=False).stdout
    compilers = sorted(set(re.findall(r"(GCC: \([^)]*\) [\d.]+|clang version [\d.]+)", comment)))
    note(f"compiled by: {', '.join(compilers) or '?'}")
    rundir = run_dir(ctx)
    run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=env)
    env["PYTHONPATH"] = str(guard_dir(ctx))
    run(pytest_command(ctx, venv), cwd=rundir, env=env)
