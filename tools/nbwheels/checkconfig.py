"""``--check-config``: the supported CPythons are stated consistently, and cibuildwheel
selects exactly the intended wheels for them: the classifiers' CPython versions (a
contiguous run from requires-python up), for every platform and architecture below,
free-threaded builds from FREE_THREADED_FROM up, no PyPy."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .distros import BOOKWORM, BOOKWORM_ARM64, SID
from .proc import ROOT, StepFailed, run
from .pythons import classifier_versions, minor, oldest_minor, pyproject
from .venvs import make_venv, venv_bin

# The cibuildwheel the workflows use (pypa/cibuildwheel@vX.Y.Z): checked to match.
CIBW_VERSION = "4.3.5"

# The oldest CPython (minor version) whose free-threaded build (cp3XYt) gets wheels: 3.13t
# was experimental, and the extension was tested free-threaded on 3.14t (docs/platforms.md).
FREE_THREADED_FROM = 14

# platform -> arch -> the identifiers' platform part (after "cpXY-").
PLATFORMS = {
    "linux": {
        "x86_64": ["manylinux_x86_64", "musllinux_x86_64"],
        "aarch64": ["manylinux_aarch64", "musllinux_aarch64"],
    },
    "macos": {"x86_64": ["macosx_x86_64"], "arm64": ["macosx_arm64"]},
    "windows": {"AMD64": ["win_amd64"]},
}


def check_config(cache: Path) -> int:
    ok = _report("pyproject.toml", check_pyproject())
    ok = _report("workflows", check_workflows()) and ok
    try:
        venv = make_venv(
            Path(sys.executable),
            cache / "cibw-venv",
            [f"cibuildwheel=={CIBW_VERSION}"],
            log_dir=cache / "logs",
            fresh=False,
        )
    except StepFailed as e:
        print(f"cibuildwheel configuration: could not install cibuildwheel=={CIBW_VERSION}: {e}")
        return 1
    ok = check_cibuildwheel(venv_bin(venv, "cibuildwheel")) and ok
    print("cibuildwheel configuration: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


def _report(what: str, problems: list[str]) -> bool:
    for p in problems:
        print(f"  {what}: {p}")
    if not problems:
        print(f"  {what}: consistent")
    return not problems


def check_pyproject() -> list[str]:
    """requires-python, the classifiers, mypy's python_version and the bookworm
    chroots' Python name the same oldest CPython, the classifiers leave no gap, and the
    sid chroot's CPythons are supported ones."""
    versions = classifier_versions()
    oldest = oldest_minor()
    if not versions:
        return ["no 'Programming Language :: Python :: 3.X' classifiers"]
    problems = []
    want = [f"3.{m}" for m in range(oldest, minor(versions[-1]) + 1)]
    if versions != want:
        problems.append(f"classifiers name {', '.join(versions)}; requires-python wants {', '.join(want)}")
    mypy = str(pyproject().get("tool", {}).get("mypy", {}).get("python_version", ""))
    if mypy != f"3.{oldest}":
        problems.append(f"[tool.mypy] python_version is {mypy!r}, not the oldest supported 3.{oldest}")
    for distro in (BOOKWORM, BOOKWORM_ARM64):
        if distro.pythons[0] != f"3.{oldest}":
            problems.append(f"the Debian {distro.name} chroot has Python {distro.pythons[0]}, not 3.{oldest}")
    unsupported = [v for v in SID.pythons if v not in versions]
    if unsupported:
        problems.append(f"the Debian {SID.name} chroot is for {', '.join(unsupported)}, not supported")
    return problems


def check_workflows() -> list[str]:
    """The workflows use cibuildwheel CIBW_VERSION, set up only supported Pythons, and
    test on the oldest and the newest."""
    versions = classifier_versions()
    problems = []
    seen: set[str] = set()
    for f in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        text = f.read_text()
        for v in re.findall(r"pypa/cibuildwheel@v([\w.]+)", text):
            if v != CIBW_VERSION:
                problems.append(f"{f.name} uses cibuildwheel {v}, this check {CIBW_VERSION}")
        for line in re.findall(r"^\s*(?:python|python-version):.*$", text, flags=re.MULTILINE):
            seen.update(re.findall(r"\b3\.\d+\b", line))
    problems += [
        f"a workflow sets up Python {v}, which is not supported" for v in sorted(seen - set(versions))
    ]
    problems += [f"no workflow runs Python {v}" for v in (versions[0], versions[-1]) if v not in seen]
    return problems


def expected_builds(platform: str, arch: str) -> list[str]:
    versions = classifier_versions()
    tags = ["cp" + v.replace(".", "") for v in versions]
    tags += ["cp" + v.replace(".", "") + "t" for v in versions if minor(v) >= FREE_THREADED_FROM]
    return sorted(f"{t}-{p}" for t in tags for p in PLATFORMS[platform][arch])


def check_cibuildwheel(cibw: Path) -> bool:
    """cibuildwheel's build identifiers, for each arch and for each platform's defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
    ok = True
    for platform, archs in PLATFORMS.items():
        for arch in archs:
            got = _identifiers(cibw, env, ["--platform", platform, "--archs", arch])
            ok = _compare(f"{platform}/{arch}", got, expected_builds(platform, arch)) and ok
        # The default archs (no --archs), as a plain `cibuildwheel` would build:
        got = _identifiers(cibw, env, ["--platform", platform])
        expected = sorted(b for a in archs for b in expected_builds(platform, a))
        ok = _compare(f"{platform} (configured archs {', '.join(archs)})", got, expected) and ok
    return ok


def _identifiers(cibw: Path, env: dict[str, str], args: list[str]) -> list[str] | None:
    p = run([cibw, "--print-build-identifiers", *args], cwd=ROOT, env=env, capture=True, check=False)
    if p.returncode != 0:
        print(p.stdout)
        return None
    return sorted(p.stdout.split())


def _compare(what: str, got: list[str] | None, expected: list[str]) -> bool:
    if got == expected:
        print(f"  {what}: {len(got)} builds as expected")
        return True
    print(f"  {what}: MISMATCH")
    got = got or []
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing:
        print(f"    missing: {' '.join(missing)}")
    if extra:
        print(f"    unexpected: {' '.join(extra)}")
    return False
