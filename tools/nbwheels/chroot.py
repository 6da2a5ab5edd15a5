"""A Debian chroot (``distros``) to build and test in, made with debootstrap (needs
root) and cached. Entered, it is a ``places.Place``: /proc and /dev are mounted, and
the folders the jobs share (the repository, read-only; the cache's work, build and
venv folders; the tools and zig, read-only) are bind-mounted at their own paths, so a
command line means the same inside as outside. A chroot of another architecture runs
under qemu (``emulation``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from . import emulation
from .context import Context
from .distros import Distro
from .proc import ROOT, Env, StepFailed, fmt_time, note, run, say

STAMP = ".nbw-ready"  # in the chroot's folder: "SUITE ARCH PACKAGE..." once it is made

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


class Chroot:
    """``with Chroot(ctx, distro) as box: box.run([...])``; unmounts everything on exit."""

    def __init__(self, ctx: Context, distro: Distro) -> None:
        self.ctx = ctx
        self.distro = distro
        self.name = distro.name
        self.root = ctx.cache / distro.name
        self._env: dict[str, str] = {}

    def shared(self) -> list[tuple[Path, bool]]:
        """The folders seen inside at their own paths, and whether read-only."""
        c = self.ctx
        return [
            (ROOT, True),
            (c.work, False),
            (c.cache / "build", False),
            (c.cache / "venvs", False),
            (c.cache / "wheelhouse", False),
            (c.cache / "zig-cache", False),
            (c.cache / "zig-bin", True),
            (c.tools, True),
        ]

    def __enter__(self) -> Self:
        if os.geteuid() != 0:
            raise StepFailed(f"the Debian {self.name} chroot needs root")
        emulation.ensure(self.ctx, self.distro.arch)
        missing = ensure_distro(self.ctx, self.distro, self.root)
        unmount_all(self.root)
        try:
            run(["mount", "-t", "proc", "proc", self.root / "proc"])
            run(["mount", "--bind", "/dev", self.root / "dev"])
            # a bind of /dev leaves out its mounts; the tests open pseudo-terminals
            if Path("/dev/pts").is_dir():
                run(["mount", "--bind", "/dev/pts", self.root / "dev" / "pts"])
            for folder, readonly in self.shared():
                folder.mkdir(parents=True, exist_ok=True)
                inside = self.root / folder.relative_to("/")
                inside.mkdir(parents=True, exist_ok=True)
                run(["mount", "-o", "bind,ro" if readonly else "bind", folder, inside])
            shutil.copy2("/etc/resolv.conf", self.root / "etc" / "resolv.conf")
            self._env = self._base_env()
            if missing:
                self._add_packages(missing)
        except BaseException:
            unmount_all(self.root)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        unmount_all(self.root)

    def environ(self) -> dict[str, str]:
        return dict(self._env)

    def run(
        self,
        cmd: Sequence[object],
        *,
        log: Path | None = None,
        cwd: Path | None = None,
        env: Env | None = None,
        capture: bool = False,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """``cmd`` inside, in ``cwd`` (a path that is the same inside), with ``env``
        (else the chroot's own small environment)."""
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        assigns = [f"{k}={v}" for k, v in (self._env if env is None else env).items()]
        inner = ["/bin/sh", "-c", 'cd "$0" && exec "$@"', str(cwd or "/"), *map(str, cmd)]
        return run(
            [chroot, self.root, "/usr/bin/env", "-i", *assigns, *inner],
            log=log,
            capture=capture,
            check=check,
            where=self.name,
            shown=list(cmd),
        )

    def _add_packages(self, packages: list[str]) -> None:
        say(f"adding {', '.join(packages)} to the {self.name} chroot")
        # The mirror may serve a snapshot whose Release file has expired: trust it anyway.
        apt = ["apt-get", "-o", "Acquire::Check-Valid-Until=false", "-qq"]
        env = {**self._env, "DEBIAN_FRONTEND": "noninteractive"}
        self.run([*apt, "update"], env=env, log=self.ctx.logs / f"apt-update-{self.name}.log")
        cmd = [*apt, "install", "-y", "--no-install-recommends", *packages]
        self.run(cmd, env=env, log=self.ctx.logs / f"apt-install-{self.name}.log")
        stamp = self.root / STAMP
        stamp.write_text(" ".join([*stamp.read_text().split(), *packages]))

    def _base_env(self) -> dict[str, str]:
        """A small environment; pip trusts what the host trusts (e.g. a proxy's CA)."""
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        cas = [os.environ.get(k) for k in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")]
        ca = next((c for c in cas if c and Path(c).is_file()), "/etc/ssl/certs/ca-certificates.crt")
        if Path(ca).is_file():
            dest = self.root / "etc" / "nbw-host-ca.pem"
            shutil.copy2(ca, dest)
            env["PIP_CERT"] = "/etc/nbw-host-ca.pem"
        env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
        return env


def ensure_distro(ctx: Context, distro: Distro, root: Path) -> list[str]:
    """Make the chroot with debootstrap, unless there is one of the same suite and
    architecture; returns the packages it lacks (``Chroot`` installs them with apt)."""
    stamp = root / STAMP
    have = stamp.read_text().split() if stamp.exists() else []
    if have[:2] == [distro.suite, distro.arch.debian]:
        return [p for p in distro.packages if p not in have[2:]]
    say(f"making a Debian {distro.suite} {distro.arch.debian} chroot with debootstrap (once; cached)")
    if shutil.which("debootstrap") is None:
        run(["apt-get", "update", "-qq"], log=ctx.logs / "apt-update.log")
        run(["apt-get", "install", "-y", "-qq", "debootstrap"], log=ctx.logs / "apt-install.log")
    if root.exists():
        unmount_all(root)
        if mounts_under(root):
            raise StepFailed(f"cannot remove {root}: something is still mounted under it")
        shutil.rmtree(root)
    mirror = ctx.mirror or debian_mirror()
    cmd: list[object] = ["debootstrap", "--variant=minbase", f"--arch={distro.arch.debian}"]
    cmd += [f"--include={','.join(distro.packages)}", distro.suite, root, mirror]
    t0 = time.perf_counter()
    run(cmd, log=ctx.logs / f"debootstrap-{distro.name}.log")
    note(f"made in {fmt_time(time.perf_counter() - t0)}")
    stamp.write_text(" ".join([distro.suite, distro.arch.debian, *distro.packages]))
    return []


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
