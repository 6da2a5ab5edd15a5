"""Running another architecture's programs: qemu's user-mode emulator, registered with
the kernel's binfmt_misc so that a chroot of that architecture runs as if it were native.

The registration has the F flag (the kernel opens the emulator once, when it is
registered), so the emulator need not exist inside the chroot; that needs a statically
linked qemu, Debian's qemu-user-static. If it is not installed, its package is fetched
with ``apt-get download`` and unpacked into the cache: nothing is installed on the
system, and a qemu-user-binfmt installation (dynamically linked, without F) is left as
it is. The registration lasts until the machine restarts."""

from __future__ import annotations

import shutil
from pathlib import Path

from .arches import Arch
from .context import Context
from .proc import StepFailed, note, run, say

BINFMT = Path("/proc/sys/fs/binfmt_misc")

# The ELF header of a 64-bit little-endian executable or shared object of the machine,
# and the mask of what is compared (as Debian's qemu-user-static registers it).
MAGIC = {
    "aarch64": "7f454c460201010000000000000000000200b700",
}
MASK = "ffffffffffffff00fffffffffffffffffeffffff"


def ensure(ctx: Context, arch: Arch) -> None:
    """Make programs of ``arch`` run here, in a chroot too (or StepFailed)."""
    if arch.native:
        return
    if arch.name not in MAGIC:
        raise StepFailed(f"no qemu registration known for {arch.name}")
    if not (BINFMT / "register").exists():
        run(["mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT])
    found = registered(arch)
    if found is not None:
        note(f"{arch.name} programs run under {found}")
        return
    qemu = static_qemu(ctx, arch)
    name = f"nbw-qemu-{arch.name}"
    say(f"registering {qemu} for {arch.name} programs with binfmt_misc")
    line = f":{name}:M::{_escaped(MAGIC[arch.name])}:{_escaped(MASK)}:{qemu}:POF"
    try:
        (BINFMT / "register").write_text(line)
    except OSError as e:
        raise StepFailed(f"cannot register qemu with binfmt_misc: {e}") from None
    if registered(arch) is None:
        raise StepFailed(f"binfmt_misc did not take the {name} registration")


def registered(arch: Arch) -> str | None:
    """The interpreter of an enabled registration for ``arch`` that works in a chroot."""
    for entry in sorted(BINFMT.iterdir()):
        if entry.name in ("register", "status"):
            continue
        try:
            fields = dict(line.split(" ", 1) for line in entry.read_text().splitlines() if " " in line)
            lines = entry.read_text().splitlines()
        except OSError:
            continue
        if "enabled" not in lines or "F" not in fields.get("flags:", ""):
            continue
        if fields.get("magic") == MAGIC[arch.name] and fields.get("mask") == MASK:
            return fields.get("interpreter")
    return None


def static_qemu(ctx: Context, arch: Arch) -> Path:
    """qemu-ARCH-static: the system's, else unpacked from Debian's package into the cache."""
    exe = f"qemu-{arch.name}-static"
    found = shutil.which(exe)
    if found:
        return Path(found)
    dest = ctx.cache / "qemu"
    unpacked = dest / "usr" / "bin" / exe
    if unpacked.exists():
        return unpacked
    say(f"fetching {exe} (Debian's qemu-user-static, unpacked into {dest})")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.deb"):
        old.unlink()
    if run(["apt-get", "download", "qemu-user-static"], cwd=dest, check=False).returncode != 0:
        run(["apt-get", "update", "-qq"], log=ctx.logs / "apt-update.log")
        run(["apt-get", "download", "qemu-user-static"], cwd=dest)
    debs = sorted(dest.glob("qemu-user-static_*.deb"))
    if not debs:
        raise StepFailed("apt-get download qemu-user-static wrote no package")
    run(["dpkg-deb", "-x", debs[-1], dest])
    debs[-1].unlink()
    if not unpacked.exists():
        raise StepFailed(f"Debian's qemu-user-static has no {exe}")
    return unpacked


def _escaped(hexbytes: str) -> str:
    return "".join(f"\\x{hexbytes[i : i + 2]}" for i in range(0, len(hexbytes), 2))
