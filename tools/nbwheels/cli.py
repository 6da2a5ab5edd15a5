"""The options of tools/wheels.py, and the order of the jobs."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from . import artefacts, build, checks, disasm, release, sdist, toolchain
from .arches import ARCHES, X86_64, Arch
from .checkconfig import check_config
from .chroot import Chroot
from .context import Context, cache_dir
from .distros import BOOKWORM, CHROOTS, SID, Distro
from .places import HOST, Place
from .proc import ROOT, StepFailed, note, say
from .pythons import Interp, discover_pythons, oldest_minor
from .report import Results, Row

DESCRIPTION = (
    "Build manylinux_2_17 wheels (x86_64, aarch64) with zig (no Docker), repair, check and test them "
    "(in Debian chroots too: aarch64 under qemu, the newest CPythons in sid); and the sdist."
)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="tools/wheels.py",
        description=DESCRIPTION,
        epilog="Caches live in .cache/wheels (or --cache); results go to dist/ (or --out).",
    )
    floor = f"3.{oldest_minor()}"
    ap.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="X.Y",
        help=f"only this CPython (repeatable): pyenv's, else on PATH, else Debian {SID.suite}'s; "
        f"default: all >= {floor} under pyenv, and those of {', '.join(SID.pythons)} found only in {SID.suite}",
    )
    ap.add_argument(
        "--arch",
        action="append",
        choices=sorted(ARCHES),
        default=[],
        help="build for this architecture (repeatable; default x86_64); aarch64 wheels are built "
        "for the CPythons an arm64 chroot has "
        f"({', '.join(f'{d.name}: {d.pythons[0]}' for d in CHROOTS if not d.arch.native)}) "
        "and tested there under qemu",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="only the --python given (else this one); no pipx, no sdist install, no "
        f"{BOOKWORM.suite} chroot for the host's wheel; the whole test suite only on the kernel the "
        f"wheel selects here, and only the smoke tests ({', '.join(checks.SMOKE)}) on the other kernels "
        "and in a chroot (aarch64 under qemu, sid)",
    )
    ap.add_argument(
        "--release",
        action="store_true",
        help="then the release path: twine upload to a local index (pypiserver on 127.0.0.1), twice, "
        "and pip/pipx install nb-render from that index only, on this machine and in the chroots",
    )
    ap.add_argument(
        "--skip-chroot",
        action="store_true",
        help=f"no chroot at all: no {BOOKWORM.suite} test, no {SID.suite} CPythons, no aarch64 tests",
    )
    ap.add_argument("--skip-pipx", action="store_true", help="skip the pipx test")
    ap.add_argument(
        "--sdist-only",
        action="store_true",
        help="only build, check, install and test the sdist (and twine check it)",
    )
    ap.add_argument(
        "--check-config",
        action="store_true",
        help="check that cibuildwheel would build exactly the intended wheels, and exit",
    )
    ap.add_argument("--cache", metavar="DIR", help="cache folder (default: .cache/wheels in the repository)")
    ap.add_argument(
        "--out", metavar="DIR", help="where to copy the repaired wheels and the sdist (default: dist/)"
    )
    ap.add_argument(
        "--pytest-args",
        metavar="ARGS",
        help="extra pytest arguments for every test run, e.g. \"-x -k 'not signal'\"",
    )
    ap.add_argument(
        "--mirror", metavar="URL", help="Debian mirror for debootstrap (default: the one apt uses)"
    )
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)

    def on_term(signum: int, frame: FrameType | None) -> None:  # unmount the chroot on the way out
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)

    if args.check_config:
        return check_config(cache_dir(args.cache))
    if not args.sdist_only and (sys.platform != "linux" or os.uname().machine != "x86_64"):
        print(
            "error: the wheel build is for Linux x86-64 hosts (use --sdist-only elsewhere)", file=sys.stderr
        )
        return 2
    ctx = Context(
        cache=cache_dir(args.cache),
        out=Path(args.out).resolve() if args.out else ROOT / "dist",
        pytest_args=shlex.split(args.pytest_args or ""),
        pythons=list(args.python),
        mirror=args.mirror,
    )
    t0 = time.perf_counter()
    results = Results()
    try:
        if not everything(ctx, results, args):
            return 2
    except StepFailed as e:
        results.fail(str(e))
    except KeyboardInterrupt:
        results.fail("interrupted")
    results.summary(time.perf_counter() - t0)
    return 1 if results.failures else 0


def everything(ctx: Context, results: Results, args: argparse.Namespace) -> bool:
    """The wheels (unless --sdist-only), the sdist, twine, the copy to dist/, the release
    path; False if there is nothing to build for."""
    toolchain.prepare(ctx)
    files: list[Path] = []
    if args.sdist_only:
        sd = sdist.sdist(ctx, results, install=True)
    else:
        arches = [ARCHES[a] for a in dict.fromkeys(args.arch or [X86_64.name])]
        pythons = choose_pythons(args.python, quick=args.quick, chroots=not args.skip_chroot)
        rows = plan(pythons, arches, chroots=not args.skip_chroot)
        if not rows:
            print(f"error: no CPython >= 3.{oldest_minor()} to build for", file=sys.stderr)
            return False
        say("wheels: " + ", ".join(f"{r.label} (built in {r.py.where}, tested in {r.where})" for r in rows))
        quick = bool(args.quick)
        wheels(ctx, results, rows, quick=quick, pipx=not (quick or args.skip_pipx))
        files += [r.wheel for r in results.rows if r.wheel is not None]
        sd = sdist.sdist(ctx, results, install=not quick and X86_64 in arches)
    if sd is not None:
        files.insert(0, sd)
    artefacts.twine_check(ctx, results, files)
    artefacts.publish(ctx, files)
    if args.release:
        release.release(ctx, results, sd, [r for r in results.rows if r.wheel is not None])
    return True


def choose_pythons(wanted: list[str], *, quick: bool, chroots: bool) -> list[Interp]:
    if quick and not wanted:
        wanted = [f"{sys.version_info[0]}.{sys.version_info[1]}"]
    return discover_pythons(wanted, chroots=chroots)


def plan(pythons: list[Interp], arches: list[Arch], *, chroots: bool) -> list[Row]:
    """One row per wheel: x86_64 wheels are tested where their CPython is; those of
    another architecture in a chroot of it that has the same CPython (under qemu)."""
    rows = []
    for arch in arches:
        for py in pythons:
            if arch.native:
                rows.append(Row(py, arch, tested_in=py.distro))
                continue
            there = next((d for d in CHROOTS if d.arch is arch and py.version in d.pythons), None)
            if there is None or not chroots:
                note(
                    f"no {arch.name} system with CPython {py.version} to test in: no {arch.name} wheel for it"
                )
            elif py.distro is not None:
                note(f"CPython {py.version} is {py.distro.name}'s: no {arch.name} wheel built with it")
            else:
                rows.append(Row(py, arch, tested_in=there))
    return rows


def wheels(ctx: Context, results: Results, rows: list[Row], *, quick: bool, pipx: bool) -> None:
    compilers = {arch.name: toolchain.zig_wrappers(ctx, arch) for arch in dict.fromkeys(r.arch for r in rows)}
    for row in rows:
        results.rows.append(row)
        say(f"{row.label}: CPython {row.py.version} ({row.py.path} in {row.py.where})")
        elsewhere = (
            None if quick or row.tested_in is not None or row.py.version not in BOOKWORM.pythons else BOOKWORM
        )
        with contextlib.ExitStack() as stack:
            enter = functools.partial(_enter, ctx, stack, {})
            one_wheel(
                ctx,
                results,
                row,
                compilers[row.arch.name],
                enter,
                quick=quick,
                pipx=pipx,
                elsewhere=elsewhere,
            )


def _enter(
    ctx: Context, stack: contextlib.ExitStack, entered: dict[str, Place], distro: Distro | None
) -> Place:
    """The place of ``distro``: this machine, or its chroot, entered once into ``stack``."""
    if distro is None:
        return HOST
    if distro.name not in entered:
        entered[distro.name] = stack.enter_context(Chroot(ctx, distro))
    return entered[distro.name]


Step = tuple[str, str | None, Callable[[], None]]  # result column, heading, what to run


def one_wheel(
    ctx: Context,
    results: Results,
    row: Row,
    compilers: dict[str, str],
    enter: Callable[[Distro | None], Place],
    *,
    quick: bool,
    pipx: bool,
    elsewhere: Distro | None,
) -> None:
    """Build and repair the wheel of ``row``, then check and test it; ``enter`` gives
    the place (this machine, or a chroot entered once) for a distro."""
    label = row.label
    stage = "build"
    try:
        raw = build.build_wheel(ctx, row, enter(row.py.distro), compilers)
        stage = "auditwheel"
        wheel = build.repair(ctx, row, raw)
        row.wheel = wheel
    except StepFailed as e:
        setattr(row, "built" if stage == "build" else "audit", "FAIL")
        results.fail(f"{label}: {stage}: {e}")
        return
    # --quick: the smoke files in a chroot; here, the whole suite on the kernel the wheel
    # selects by itself and the smoke files on the others.
    scope = ("smoke" if row.tested_in is not None else "best") if quick else "whole"

    def tests() -> None:
        checks.test_wheel(ctx, results, row, wheel, enter(row.tested_in), scope=scope)

    steps: list[Step] = [
        ("asm", f"{label}: machine code check", functools.partial(disasm.check_asm, ctx, row, raw, wheel)),
        ("tests", None, tests),
    ]
    if pipx:
        steps.append(
            (
                "pipx",
                f"{label}: pipx install (in {row.where})",
                lambda: checks.test_pipx(ctx, row, wheel, enter(row.tested_in)),
            )
        )
    if elsewhere is not None:
        title = f"{label}: wheel in a Debian {elsewhere.name} chroot"
        steps.append(("chroot", title, lambda: checks.test_elsewhere(ctx, row, wheel, enter(elsewhere))))
    for name, heading, fn in steps:
        if heading:
            say(heading)
        try:
            fn()
            if name == "chroot":
                row.chroot = f"ok ({elsewhere.name if elsewhere else ''})"
        except StepFailed as e:
            if name == "tests":
                row.tests = {k: (v if v != "-" else "FAIL") for k, v in row.tests.items()}
            else:
                setattr(row, name, "FAIL")
            results.fail(f"{label}: {name}: {e}")
