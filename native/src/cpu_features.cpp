// CPU feature detection with CPUID and XGETBV (x86-64 only).
#include "cpu_features.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#define NBR_X86 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace nbr {
namespace cpu {

namespace {

#if defined(NBR_X86)
void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if defined(_MSC_VER) && !defined(__clang__)
    int t[4];
    __cpuidex(t, static_cast<int>(leaf), static_cast<int>(sub));
    for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned>(t[i]);
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

std::uint64_t xgetbv0() {
#if defined(_MSC_VER) && !defined(__clang__)
    return _xgetbv(0);
#else
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
#endif
}

std::uint32_t detect() {
    unsigned r[4];
    cpuid(0, 0, r);
    const unsigned max_leaf = r[0];
    if (max_leaf < 7) return 0;
    cpuid(1, 0, r);
    const bool osxsave = (r[2] >> 27) & 1u;
    const bool avx = (r[2] >> 28) & 1u;
    const bool fma = (r[2] >> 12) & 1u;
    if (!osxsave || !avx) return 0;
    const std::uint64_t xcr0 = xgetbv0();
    const bool ymm_state = (xcr0 & 0x6u) == 0x6u;     // SSE and AVX registers saved
    const bool zmm_state = (xcr0 & 0xE6u) == 0xE6u;   // and the AVX-512 ones
    cpuid(7, 0, r);
    const bool avx2 = (r[1] >> 5) & 1u;
    const bool avx512f = (r[1] >> 16) & 1u;
    std::uint32_t f = 0;
    if (ymm_state && avx2) f |= kAvx2;
    if (ymm_state && fma) f |= kFma;
    if (zmm_state && avx512f) f |= kAvx512f;
    return f;
}
#else
std::uint32_t detect() { return 0; }
#endif

}  // namespace

std::uint32_t features() {
    static const std::uint32_t f = detect();
    return f;
}

}  // namespace cpu
}  // namespace nbr
