"""The CPU kernels every x86-64 wheel must contain, written once for every check."""

from __future__ import annotations

# As nbcli.available_kernels() names them, and as NB_RENDER_KERNEL forces them.
KERNELS = ["baseline", "avx2", "avx512"]

# Which functions of the disassembly belong to each kernel (C++ names contain these).
SYMBOLS = {
    "baseline": ("kernel_baseline", "VecSse2"),
    "avx2": ("kernel_avx2", "VecAvx2"),
    "avx512": ("kernel_avx512", "VecAvx512"),
}

# The register file each wider kernel must use (the baseline one must use no AVX at all).
WIDE_REGISTERS = {"avx2": "%ymm", "avx512": "%zmm"}
