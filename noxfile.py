#!/usr/bin/env -S pipx run
# /// script
# dependencies = ["nox>=2025.2.9"]
# ///
"""Developer tasks. Each session is one command; CI calls the same ones.

`nox` alone runs the tests session; docs/development.md describes the set-up.

nox -s tests      build, install and run the test suite
nox -s lint       ruff, mypy (the package and tools/nbwheels), tools/wheels.py
                  --check-config, the workflow and dependabot schemas, zizmor,
                  codespell, and import-linter's contracts
nox -s bench      the benchmark suite (prints a table; see docs/benchmarks.md)
nox -s wheels     manylinux_2_17 x86_64 wheels for every supported CPython (this machine's, and
                  the newer ones in a Debian sid chroot), repaired and tested (no Docker)
nox -s wheels_aarch64   the manylinux_2_17 aarch64 wheel, built with zig, repaired, and the whole
                  test suite run on it in a Debian arm64 chroot under qemu (slow: see
                  docs/platforms.md)
nox -s release    the release path: the oldest CPython's wheel (x86_64 and aarch64) and the
                  newest's, uploaded with twine to a local index and installed from it alone
nox -s sdist      build the sdist, check its contents, install it in a fresh venv and test
nox -s sanitize   the test suite under AddressSanitizer + UndefinedBehaviorSanitizer, then
                  the C++ library alone under LeakSanitizer (Linux, GCC; docs/reliability.md)
nox -s fuzz       tests/test_fuzz.py for NB_RENDER_FUZZ_SECONDS seconds (default 300);
                  `nox -s fuzz -- 60` runs it for 60 seconds
nox -s neon       the aarch64 NEON kernel, cross-compiled and run under qemu-aarch64, bit
                  for bit against tests/reference.py (skipped without the cross compiler
                  and qemu: apt-get install g++-aarch64-linux-gnu qemu-user)

The sanitize session builds the extension with NBR_SANITIZE=address,undefined and
debug info (RelWithDebInfo, not stripped) in build/sanitize-py, installs it in its
own venv and runs `python tools/sanitize.py pytest`: GCC's libasan and libubsan are
preloaded into the test process and every child process, leak detection is off
there (CPython does not free everything at exit), and any ASan or UBSan report
fails the session, even one from a child process. Tests marked sanitizer_unsafe
(tests/conftest.py) are skipped in that run only. Then `python tools/sanitize.py
lsan --library build/sanitize-py/libnbr.a` links tools/lsan_driver.cpp against the
C++ library of that same build (so the kernels are compiled once) and runs it with leak
detection on.
Arguments after `--` go to pytest: `nox -s sanitize -- -k cli -x`.

The neon session installs the package (tools/neon_check.py takes the grids and
roots from nbcli, exactly as the tests do) and runs tools/neon_check.py, which
builds the C++ library for aarch64 in build/neon; arguments after `--` go to it:
`nox -s neon -- --require` fails instead of skipping when the tools are missing (CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # session(default=...), nox.project.dependency_groups
nox.options.default_venv_backend = "venv"

PYPROJECT = nox.project.load_toml(Path(__file__).resolve().parent / "pyproject.toml")


@nox.session
def tests(session: nox.Session) -> None:
    session.install(".[test]")
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def newest_typer(session: nox.Session) -> None:
    """The tests with the newest typer, above the cap in pyproject.toml (docs/development.md), and
    the start-up it costs (benchmarks/startup.py): the scheduled job that tells when the cap can go."""
    session.install(".[test]")
    session.install("--upgrade", "typer")  # pip warns that the cap is exceeded: that is the point
    session.run("python", "-c", "import typer; print('typer', typer.__version__)")
    session.run("pytest", *session.posargs)
    session.run("python", "benchmarks/startup.py", "--runs", "10")


# What ruff checks and formats (the other tools' scripts are not held to it yet).
LINTED = ["nbcli", "tests", "benchmarks", "noxfile.py", "tools/wheels.py", "tools/nbwheels"]


@nox.session(default=False)
def lint(session: nox.Session) -> None:
    # The lint tools (the "lint" dependency group), and what the package allows of its
    # dependencies and extras without building it: mypy checks nbcli against them.
    project = PYPROJECT["project"]
    extras = dict.fromkeys(req for reqs in project["optional-dependencies"].values() for req in reqs)
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"), *project["dependencies"], *extras)
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)
    session.run("mypy")
    session.run("python", "tools/wheels.py", "--check-config")
    workflows = sorted(str(p) for p in Path(".github/workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "custom.github-workflows-require-timeout", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml")
    session.run("zizmor", "--offline", ".github")
    session.run("codespell")
    # import-linter's contracts ([tool.importlinter] in pyproject.toml), on the sources
    # in the working tree (lint-imports puts it on sys.path; nothing is built).
    session.run("lint-imports")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    session.install(".[bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(venv_backend="none", default=False)
def wheels(session: nox.Session) -> None:
    session.run("python", "tools/wheels.py", *session.posargs)


@nox.session(venv_backend="none", default=False)
def wheels_aarch64(session: nox.Session) -> None:
    session.run("python", "tools/wheels.py", "--arch", "aarch64", *session.posargs)


@nox.session(venv_backend="none", default=False)
def release(session: nox.Session) -> None:
    # The oldest and the newest supported CPython; the chroots run only the smoke tests.
    project = PYPROJECT["project"]
    prefix = "Programming Language :: Python :: 3."
    minors = sorted(int(c[len(prefix) :]) for c in project["classifiers"] if c.startswith(prefix))
    pythons = [f"3.{minors[0]}", f"3.{minors[-1]}"]
    args = ["--release", "--quick", "--arch", "x86_64", "--arch", "aarch64"]
    session.run("python", "tools/wheels.py", *args, *(f"--python={v}" for v in pythons), *session.posargs)


@nox.session(venv_backend="none", default=False)
def sdist(session: nox.Session) -> None:
    session.run("python", "tools/wheels.py", "--sdist-only", *session.posargs)


SANITIZE_DIR = "build/sanitize-py"
SANITIZE_BUILD = [
    "--config-settings=cmake.define.NBR_SANITIZE=address,undefined",
    "--config-settings=cmake.build-type=RelWithDebInfo",
    f"--config-settings=build-dir={SANITIZE_DIR}",
    "--config-settings=cmake.define.NBR_WERROR=ON",  # as the `sanitize` preset
    "--config-settings=install.strip=false",  # keep the debug info: reports name files and lines
]


@nox.session(default=False)
def sanitize(session: nox.Session) -> None:
    # GCC: its libasan/libubsan are what tools/sanitize.py preloads (clang does not
    # link a sanitizer runtime into a shared library).
    session.env["CC"] = "gcc"
    session.env["CXX"] = "g++"
    session.install("cmake", "ninja")
    session.install(".[test]", *SANITIZE_BUILD)
    session.run("python", "tools/sanitize.py", "pytest", *session.posargs)
    # LeakSanitizer on the C++ library just built for the extension: compiled once.
    session.run("python", "tools/sanitize.py", "lsan", "--library", f"{SANITIZE_DIR}/libnbr.a")


@nox.session(default=False)
def fuzz(session: nox.Session) -> None:
    # `nox -s fuzz -- 60 [PYTEST ARGS]`: a leading number is the time in seconds.
    args = list(session.posargs)
    seconds = args.pop(0) if args and args[0].isdigit() else os.environ.get("NB_RENDER_FUZZ_SECONDS", "300")
    if not seconds.isdigit() or int(seconds) < 1:
        session.error(f"NB_RENDER_FUZZ_SECONDS must be a whole number of seconds >= 1, not {seconds!r}")
    session.install(".[test]")
    session.run(
        "pytest",
        "tests/test_fuzz.py",
        "-p",
        "no:cacheprovider",
        *args,
        env={"NB_RENDER_FUZZ_SECONDS": seconds},
    )


@nox.session(default=False)
def neon(session: nox.Session) -> None:
    session.install("cmake", "ninja")
    session.install(".")
    session.run("python", "tools/neon_check.py", *session.posargs)


if __name__ == "__main__":
    nox.main()
