"""nb-render's local wheel tool, one module per job; ``tools/wheels.py`` runs it.

- ``proc``: running commands (echoed, logged) and the one error type, ``StepFailed``
- ``venvs``: cached and fresh virtual environments
- ``pythons``: which CPythons to build for (the floor comes from pyproject.toml)
- ``toolchain``: the tools venv, and zig's compilers targeting glibc 2.17
- ``build``: build a wheel with zig, ``auditwheel repair`` it
- ``disasm``: the machine code check (no AVX in the baseline kernel)
- ``checks``: install the wheel and test it on every kernel; ``pipx install`` it
- ``chroot``: the wheel in a Debian chroot with the distribution's own Python
- ``sdist``: build the sdist, check its contents, install and test it
- ``checkconfig``: cibuildwheel builds exactly the intended wheels (``--check-config``)
- ``report``: the results table
- ``cli``: the options, and the order of the jobs
"""
