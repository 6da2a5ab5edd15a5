"""The wheel of the oldest supported Python in a Debian chroot, with the distribution's
own Python: made with debootstrap (needs root), cached; renders a PNG and runs tests."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .checks import wheel_requirements
from .context import Context
from .proc import ROOT, StepFailed, run, say
from .report import Row


@dataclass(frozen=True)
class Distro:
    suite: str
    python: str  # its python3, which must be the oldest Python the project supports
    glibc: str


# Debian 12: the oldest Debian whose own python3 is 3.11 (bullseye's is 3.9).
DISTRO = Distro(suite="bookworm", python="3.11", glibc="2.36")
PACKAGES = ["python3", "python3-venv", "python3-pip", "ca-certificates"]
# The chroot runs these test files (the numerics and every kernel), or all if none exists.
TESTS = ["test_kernels.py", "test_compute.py"]
# Passed into the chroot as they are: a proxy, and an index to use instead of PyPI.
PASSED_ENV = [
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "PIP_INDEX_URL",
]


def chroot_test(ctx: Context, row: Row, wheel: Path) -> None:
    if os.geteuid() != 0:
        raise StepFailed("the chroot test needs root (or use --skip-chroot)")
    root = ctx.cache / DISTRO.suite
    ensure_distro(ctx, root)
    mounted: list[Path] = []
    try:
        unmount_all(root)
        for target, cmd in (
            (root / "proc", ["mount", "-t", "proc", "proc"]),
            (root / "dev", ["mount", "--bind", "/dev"]),
        ):
            run([*cmd, target])
            mounted.append(target)
        shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
        box = _stage(root, wheel)
        env = _chroot_env(box)
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        run([chroot, root, "/bin/sh", "-c", _script(ctx, wheel)], env=env)
        row.chroot = f"ok ({DISTRO.suite})"
    finally:
        for m in reversed(mounted):
            unmount(m)
        unmount_all(root)


def _stage(root: Path, wheel: Path) -> Path:
    """/tmp/nbw in the chroot, with the wheel, the tests and pytest's settings."""
    box = root / "tmp" / "nbw"
    if box.exists():
        shutil.rmtree(box)
    box.mkdir(parents=True)
    shutil.copy2(wheel, box / wheel.name)
    shutil.copytree(ROOT / "tests", box / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", box / "pyproject.toml")  # pytest's settings
    return box


def _script(ctx: Context, wheel: Path) -> str:
    deps = " ".join(shlex.quote(d) for d in wheel_requirements(wheel, extras={"test"}))
    chosen = [f"tests/{t}" for t in TESTS if (ROOT / "tests" / t).exists()] or ["tests"]
    pytest_args = " ".join([*chosen, *(shlex.quote(a) for a in ctx.pytest_args)])
    return f"""set -e
cd /tmp/nbw
. /etc/os-release; echo "$PRETTY_NAME, $(ldd --version | head -n1), $(python3 --version)"
python3 -m venv venv
venv/bin/python -m pip --version
venv/bin/python -m pip install -q {deps}
venv/bin/python -m pip install -q --no-index --no-deps {shlex.quote(wheel.name)}
venv/bin/nb-render --version
venv/bin/nb-render --coefs 1,0,0,0,0,-1 --size 120x80 --quiet quintic.png
venv/bin/python -c "import PIL.Image as I; im = I.open('quintic.png'); print('rendered', im.format, im.size); assert im.size == (120, 80)"
PYTHONDONTWRITEBYTECODE=1 venv/bin/python -m pytest -q -p no:cacheprovider {pytest_args}
"""


def _chroot_env(box: Path) -> dict[str, str]:
    """A small environment; pip trusts what the host trusts (e.g. a proxy's CA)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
    cas = [os.environ.get(k) for k in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")]
    ca = next((c for c in cas if c and Path(c).is_file()), "/etc/ssl/certs/ca-certificates.crt")
    if Path(ca).is_file():
        shutil.copy2(ca, box / "host-ca.pem")
        env["PIP_CERT"] = "/tmp/nbw/host-ca.pem"
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    return env


def ensure_distro(ctx: Context, root: Path) -> None:
    """Make the chroot with debootstrap, unless the one there has the same packages."""
    stamp = root / ".nbw-ready"
    want = " ".join(PACKAGES)
    if stamp.exists() and stamp.read_text() == want:
        return
    say(f"making a Debian {DISTRO.suite} chroot with debootstrap (once; cached)")
    if shutil.which("debootstrap") is None:
        run(["apt-get", "update", "-qq"], log=ctx.logs / "apt-update.log")
        run(["apt-get", "install", "-y", "-qq", "debootstrap"], log=ctx.logs / "apt-install.log")
    if root.exists():
        unmount_all(root)
        if mounts_under(root):
            raise StepFailed(f"cannot remove {root}: something is still mounted under it")
        shutil.rmtree(root)
    mirror = ctx.mirror or debian_mirror()
    run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", DISTRO.suite, root, mirror],
        log=ctx.logs / "debootstrap.log",
    )
    stamp.write_text(want)


def mounts_under(root: Path) -> list[Path]:
    """Mount points below ``root``, deepest first."""
    prefix = str(root.resolve()).rstrip("/") + "/"
    out = []
    with open("/proc/mounts") as f:
        for line in f:
            mp = line.split()[1].encode().decode("unicode_escape")
            if mp.startswith(prefix):
                out.append(Path(mp))
    return sorted(out, key=lambda p: len(str(p)), reverse=True)


def unmount(p: Path) -> None:
    if subprocess.run(["umount", str(p)], stderr=subprocess.DEVNULL, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(p)], check=False)


def unmount_all(root: Path) -> None:
    for m in mounts_under(root):
        unmount(m)


def debian_mirror() -> str:
    """The Debian mirror apt is configured with (falls back to deb.debian.org)."""
    texts = []
    for f in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if f.is_file() and f.suffix in ("", ".list", ".sources"):
            texts.append(f.read_text(errors="replace"))
    for text in texts:
        for line in text.splitlines():
            for url in re.findall(r"(https?://\S+)", line.split("#", 1)[0]):
                if url.rstrip("/").endswith("/debian") and "security" not in url:
                    return str(url)
    return "http://deb.debian.org/debian"
