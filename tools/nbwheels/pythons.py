"""The CPython versions the project supports (read from pyproject.toml, the one
place they are written) and the interpreters to build with: this machine's, and for
the versions it lacks, those of a Debian chroot (sid has the newest)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .distros import SID, Distro
from .proc import ROOT, StepFailed


@cache
def pyproject() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def minor(version: str) -> int:
    """3 for "3.X" -> X."""
    m = re.fullmatch(r"3\.(\d+)", version)
    if m is None:
        raise StepFailed(f"not a Python 3 version: {version!r}")
    return int(m.group(1))


def oldest_minor() -> int:
    """X of requires-python = ">=3.X"."""
    spec = str(pyproject()["project"]["requires-python"])
    m = re.fullmatch(r">=\s*3\.(\d+)", spec.strip())
    if m is None:
        raise StepFailed(f'requires-python is {spec!r}, not of the form ">=3.X"')
    return int(m.group(1))


def classifier_versions() -> list[str]:
    """The "Programming Language :: Python :: 3.X" classifiers, oldest first."""
    prefix = "Programming Language :: Python :: "
    found = [c[len(prefix) :] for c in pyproject()["project"]["classifiers"] if c.startswith(prefix)]
    return sorted((v for v in found if re.fullmatch(r"3\.\d+", v)), key=minor)


@dataclass(frozen=True)
class Interp:
    version: str  # "3.12"
    path: Path  # inside the chroot if distro is set
    distro: Distro | None = None  # None: this machine's

    @property
    def tag(self) -> str:
        return "cp" + self.version.replace(".", "")

    @property
    def where(self) -> str:
        return "host" if self.distro is None else self.distro.name


def discover_pythons(wanted: Sequence[str], *, chroots: bool = True) -> list[Interp]:
    """CPython >= requires-python under $PYENV_ROOT/versions (newest patch release of
    each minor version; free-threaded and pre-release builds are ignored), or named;
    with ``chroots``, the supported versions found neither there nor on PATH from
    Debian sid's (the default set has those too)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    pythons = {v: Interp(v, p) for v, p in _pyenv_pythons(root, oldest_minor()).items()}
    if not wanted:
        missing = [v for v in classifier_versions() if v not in pythons and v in SID.pythons]
        found = sorted(pythons.values(), key=lambda i: minor(i.version))
        return found + [in_sid(v) for v in missing if chroots]
    out = []
    for v in wanted:
        if v not in pythons:
            exe = shutil.which(f"python{v}")
            if exe is not None:
                pythons[v] = Interp(v, Path(exe))
            elif chroots and v in SID.pythons:
                pythons[v] = in_sid(v)
            else:
                sid = f", nor in Debian {SID.suite} ({', '.join(SID.pythons)})" if chroots else ""
                raise SystemExit(f"error: no CPython {v} found (looked in {root} and on PATH{sid})")
        out.append(pythons[v])
    return out


def in_sid(version: str) -> Interp:
    return Interp(version, Path(f"/usr/bin/python{version}"), SID)


def _pyenv_pythons(root: Path, oldest: int) -> dict[str, Path]:
    """ "3.X" -> the interpreter of the newest 3.X.Y under ``root``, and this one."""
    found: dict[str, tuple[tuple[int, int], Path]] = {}
    if root.is_dir():
        for d in root.iterdir():
            m = re.fullmatch(r"3\.(\d+)\.(\d+)", d.name)
            exe = d / "bin" / "python3"
            if not m or not exe.exists() or int(m.group(1)) < oldest:
                continue
            key = f"3.{m.group(1)}"
            patch = (int(m.group(1)), int(m.group(2)))
            if key not in found or patch > found[key][0]:
                found[key] = (patch, exe)
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if sys.implementation.name == "cpython" and here not in found and sys.version_info >= (3, oldest):
        found[here] = ((sys.version_info[1], sys.version_info[2]), Path(sys.executable))
    return {v: exe for v, (_, exe) in found.items()}
