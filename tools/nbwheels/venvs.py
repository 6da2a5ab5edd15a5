"""Virtual environments: cached ones (tools, build front end) and fresh ones (tests)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from .places import HOST, Place


def venv_bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def make_venv(
    python: Path, venv: Path, packages: Sequence[str], *, log_dir: Path, fresh: bool, place: Place = HOST
) -> Path:
    """A venv made by ``python`` (run in ``place``) with ``packages``; kept (and reused)
    unless fresh."""
    stamp = venv / ".nbw-stamp"
    want = json.dumps({"python": str(python), "place": place.name, "packages": list(packages)})
    if not fresh and stamp.exists() and stamp.read_text() == want and (venv / "pyvenv.cfg").exists():
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    place.run([python, "-m", "venv", venv])
    if packages:
        place.run(
            [venv_bin(venv, "python"), "-m", "pip", "install", "-q", *packages],
            log=log_dir / f"pip-{venv.name}.log",
        )
    stamp.write_text(want)
    return venv
