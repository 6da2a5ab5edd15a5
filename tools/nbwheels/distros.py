"""The Debian systems the wheels are tested in, each a chroot made with debootstrap
(needs root): a foreign system with its own Python for the oldest supported CPython,
the same on aarch64 (run under qemu), and sid for the CPythons newer than this
machine's."""

from __future__ import annotations

from dataclasses import dataclass

from .arches import AARCH64, X86_64, Arch

BASE_PACKAGES = ("ca-certificates", "pipx")


@dataclass(frozen=True)
class Distro:
    suite: str
    arch: Arch
    pythons: tuple[str, ...]  # the CPythons it has, "3.X", run as python3.X
    packages: tuple[str, ...]  # what debootstrap installs besides its minimal base

    @property
    def name(self) -> str:
        """The chroot's folder in the cache, and how the reports name it."""
        return self.suite if self.arch.native else f"{self.suite}-{self.arch.debian}"


def _with_pythons(pythons: tuple[str, ...], *, dev: bool) -> tuple[str, ...]:
    each = ["", "-venv", *(["-dev"] if dev else [])]
    return (*BASE_PACKAGES, *(f"python{v}{s}" for v in pythons for s in each))


# Debian 12: the oldest Debian whose own python3 is 3.11, the oldest supported CPython
# (bullseye's is 3.9). Its python3.11-venv brings pip.
BOOKWORM = Distro("bookworm", X86_64, ("3.11",), _with_pythons(("3.11",), dev=False))
BOOKWORM_ARM64 = Distro("bookworm", AARCH64, ("3.11",), _with_pythons(("3.11",), dev=False))
# Debian unstable has the CPythons newer than this machine's: the wheels for them are
# built in it too (hence -dev, and binutils for the strip step).
SID = Distro("sid", X86_64, ("3.14", "3.15"), (*_with_pythons(("3.14", "3.15"), dev=True), "binutils"))

# Where the wheels of each architecture are tested, after the host (x86_64) itself.
CHROOTS = (BOOKWORM, BOOKWORM_ARM64, SID)
