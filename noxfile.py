"""Developer tasks. Each session is one command; CI calls the same ones.

nox -s tests      build, install and run the test suite
nox -s lint       ruff, mypy, workflow validation
nox -s bench      the benchmark suite (prints a table; see docs/benchmarks.md)
nox -s wheels     manylinux_2_17 wheels for every local CPython, repaired and tested (no Docker)
nox -s sdist      build the sdist, check its contents, install it in a fresh venv and test
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    session.install(".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff", "mypy", "numpy", "typer", "rich", "pillow", "check-jsonschema")
    session.run("ruff", "check", "nbcli", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "nbcli", "tests", "benchmarks", "noxfile.py")
    session.run("mypy")
    session.run("python", "tools/wheels.py", "--check-config")
    session.run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        *sorted(str(p) for p in __import__("pathlib").Path(".github/workflows").glob("*.yml")),
    )


@nox.session
def bench(session: nox.Session) -> None:
    session.install(".[bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(venv_backend="none")
def wheels(session: nox.Session) -> None:
    session.run("python", "tools/wheels.py", *session.posargs)


@nox.session(venv_backend="none")
def sdist(session: nox.Session) -> None:
    session.run("python", "tools/wheels.py", "--sdist-only", *session.posargs)
