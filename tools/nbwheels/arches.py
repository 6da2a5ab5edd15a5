"""The architectures a wheel is built for, written once for every job: zig's target,
the manylinux tag, Debian's name, and the CPU kernels every wheel must contain with
what the machine code check expects of each."""

from __future__ import annotations

import os
from dataclasses import dataclass

# x86-64 instructions that need AVX: ymm/zmm/mask registers, or a VEX/EVEX-encoded
# (v-prefixed) instruction on xmm registers (objdump's AT&T syntax).
AVX = r"%[yz]mm\d|%k[0-7]\b|^v\S*\s.*%xmm"


@dataclass(frozen=True)
class Kernel:
    name: str  # as nbcli.available_kernels() names it, and NB_RENDER_KERNEL forces it
    isa: str  # what `nb-render --version` says of it
    symbols: tuple[str, ...]  # the C++ names of its functions contain one of these
    uses: str | None = None  # a regex that some of its instructions must match (its vector registers)
    forbids: str | None = None  # a regex that none of its instructions may match


@dataclass(frozen=True)
class Arch:
    name: str  # as `uname -m` and the wheel tag say it
    debian: str  # Debian's name for it (debootstrap --arch)
    kernels: tuple[Kernel, ...]
    binutils: str  # the prefix of the binutils that read its machine code ("" for the host's)
    binutils_package: str  # the Debian package that has them

    @property
    def zig_target(self) -> str:
        return f"{self.name}-linux-gnu.2.17"

    @property
    def plat(self) -> str:
        return f"manylinux_2_17_{self.name}"

    @property
    def native(self) -> bool:
        return self.name == os.uname().machine

    def kernel(self, name: str) -> Kernel:
        return next(k for k in self.kernels if k.name == name)

    def tool(self, name: str) -> str:
        """objdump, objcopy or strip for this architecture's machine code."""
        return self.binutils + name


X86_64 = Arch(
    name="x86_64",
    debian="amd64",
    kernels=(
        Kernel("baseline", "SSE2", ("kernel_baseline", "VecSse2"), forbids=AVX),
        Kernel("avx2", "AVX2+FMA", ("kernel_avx2", "VecAvx2"), uses="%ymm"),
        Kernel("avx512", "AVX-512F", ("kernel_avx512", "VecAvx512"), uses="%zmm"),
    ),
    binutils="",
    binutils_package="binutils",
)

# The baseline kernel is NEON, which every aarch64 CPU has: two doubles per vector.
AARCH64 = Arch(
    name="aarch64",
    debian="arm64",
    kernels=(Kernel("baseline", "NEON", ("kernel_baseline", "VecNeon"), uses=r"\bv\d+\.2d\b"),),
    binutils="aarch64-linux-gnu-",
    binutils_package="binutils-aarch64-linux-gnu",
)

ARCHES = {a.name: a for a in (X86_64, AARCH64)}
