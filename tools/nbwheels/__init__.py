"""nb-render's local wheel tool, one module per job; ``tools/wheels.py`` runs it.

- ``proc``: running commands (echoed, logged) and the one error type, ``StepFailed``
- ``arches``: x86_64 and aarch64: zig's target, the manylinux tag, the kernels
- ``distros``: the Debian chroots (bookworm amd64 and arm64, sid)
- ``places``: where a command runs (this machine, or a chroot)
- ``venvs``: cached and fresh virtual environments
- ``pythons``: which CPythons to build for (the floor comes from pyproject.toml)
- ``toolchain``: the tools venv, and zig's compilers targeting glibc 2.17
- ``emulation``: qemu registered with binfmt_misc, for the aarch64 chroot
- ``chroot``: a Debian chroot, made with debootstrap, entered as a place
- ``build``: build a wheel with zig (cross-compiled for aarch64), ``auditwheel repair`` it
- ``disasm``: the machine code check (no AVX in the x86-64 baseline kernel, NEON vectors)
- ``checks``: install the wheel and test it on every kernel; ``pipx install`` it
- ``release``: a local index, ``twine upload``, ``pip``/``pipx install`` from it
- ``sdist``: build the sdist, check its contents, install and test it
- ``checkconfig``: cibuildwheel builds exactly the intended wheels (``--check-config``)
- ``report``: the results table
- ``cli``: the options, and the order of the jobs
"""
