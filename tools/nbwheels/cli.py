"""The options of tools/wheels.py, and the order of the jobs."""

from __future__ import annotations

import argparse
import functools
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from . import artefacts, build, checks, disasm, sdist, toolchain
from .checkconfig import check_config
from .chroot import DISTRO, chroot_test
from .context import Context, cache_dir
from .proc import ROOT, StepFailed, note, say
from .pythons import Interp, discover_pythons, oldest_minor
from .report import Results, Row

DESCRIPTION = (
    "Build manylinux_2_17 x86_64 wheels with zig (no Docker), repair, check and test them; and the sdist."
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
        help=f"only this CPython (repeatable); default: all >= {floor} under pyenv",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one Python (the first --python, else this one); no pipx, no chroot, no sdist install",
    )
    ap.add_argument("--skip-chroot", action="store_true", help=f"skip the Debian {DISTRO.suite} chroot test")
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
    """The wheels (unless --sdist-only), the sdist, twine, the copy to dist/;
    False if there is no CPython to build for."""
    toolchain.prepare(ctx)
    files: list[Path] = []
    if args.sdist_only:
        sd = sdist.sdist(ctx, results, install=True)
    else:
        pythons = choose_pythons(args.python, quick=args.quick)
        if not pythons:
            print(f"error: no CPython >= 3.{oldest_minor()} found", file=sys.stderr)
            return False
        say("CPythons: " + ", ".join(f"{p.version} ({p.path})" for p in pythons))
        quick = bool(args.quick)
        wheels(
            ctx, results, pythons, pipx=not (quick or args.skip_pipx), chroot=not (quick or args.skip_chroot)
        )
        files += [r.wheel for r in results.rows if r.wheel is not None]
        sd = sdist.sdist(ctx, results, install=not quick)
    if sd is not None:
        files.insert(0, sd)
    artefacts.twine_check(ctx, results, files)
    artefacts.publish(ctx, files)
    return True


def choose_pythons(wanted: list[str], *, quick: bool) -> list[Interp]:
    pythons = discover_pythons(wanted)
    if quick:
        here = f"{sys.version_info[0]}.{sys.version_info[1]}"
        pick = wanted[0] if wanted else here
        pythons = [p for p in pythons if p.version == pick] or pythons[-1:]
    return pythons


def wheels(ctx: Context, results: Results, pythons: list[Interp], *, pipx: bool, chroot: bool) -> None:
    env = toolchain.zig_wrappers(ctx)
    for py in pythons:
        row = Row(py)
        results.rows.append(row)
        say(f"CPython {py.version} ({py.path})")
        one_wheel(ctx, results, row, env, pipx=pipx, chroot=chroot and py.version == DISTRO.python)
    if chroot and not any(r.py.version == DISTRO.python for r in results.rows):
        note(f"(no Python {DISTRO.python} in this run: no chroot test)")


Step = tuple[str, str | None, Callable[[], None]]  # result column, heading, what to run


def one_wheel(
    ctx: Context, results: Results, row: Row, env: dict[str, str], *, pipx: bool, chroot: bool
) -> None:
    """Build and repair the wheel of ``row.py``, then check and test it."""
    version = row.py.version
    stage = "build"
    try:
        raw = build.build_wheel(ctx, row, env)
        stage = "auditwheel"
        wheel = build.repair(ctx, row, raw)
        row.wheel = wheel
    except StepFailed as e:
        setattr(row, "built" if stage == "build" else "audit", "FAIL")
        results.fail(f"{version}: {stage}: {e}")
        return
    steps: list[Step] = [
        ("asm", f"{version}: disassembly check", functools.partial(disasm.check_asm, ctx, row, raw, wheel)),
        ("tests", None, functools.partial(checks.test_wheel, ctx, results, row, wheel)),
    ]
    if pipx:
        steps.append(
            ("pipx", f"{version}: pipx install", functools.partial(checks.test_pipx, ctx, row, wheel))
        )
    if chroot:
        title = f"{version}: wheel in a Debian {DISTRO.suite} chroot"
        steps.append(("chroot", title, functools.partial(chroot_test, ctx, row, wheel)))
    for name, heading, fn in steps:
        if heading:
            say(heading)
        try:
            fn()
        except StepFailed as e:
            if name == "tests":
                row.tests = {k: (v if v != "-" else "FAIL") for k, v in row.tests.items()}
            else:
                setattr(row, name, "FAIL")
            results.fail(f"{version}: {name}: {e}")
