"""Where a command runs: on this machine, or inside a Debian chroot (``chroot.Chroot``).
Both run the same command lines: a chroot sees the folders the jobs share (the
repository, the cache's work and build folders) at the same paths as the host."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .proc import Env, run


class Place(Protocol):
    name: str  # "host", or the chroot's name

    def run(
        self,
        cmd: Sequence[object],
        *,
        log: Path | None = None,
        cwd: Path | None = None,
        env: Env | None = None,
        capture: bool = False,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]: ...

    def environ(self) -> dict[str, str]:
        """The environment a command starts from here."""
        ...


class Host:
    name = "host"

    def run(
        self,
        cmd: Sequence[object],
        *,
        log: Path | None = None,
        cwd: Path | None = None,
        env: Env | None = None,
        capture: bool = False,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        return run(cmd, log=log, cwd=cwd, env=env, capture=capture, check=check)

    def environ(self) -> dict[str, str]:
        return os.environ.copy()


HOST = Host()
