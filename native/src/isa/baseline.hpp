// The portable kernel's instruction set: SSE2 on x86-64, NEON on aarch64,
// scalar elsewhere. Its translation unit is built with the compiler's default
// flags for the architecture, never more; every CPU of it can run it.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64)
#include "simd/sse2.hpp"
#include "simd/sse2_f32.hpp"
#define NBR_BASELINE_ISA "SSE2"
#define NBR_BASELINE_VEC VecSse2
#define NBR_BASELINE_VEC_SINGLE VecSse2F32
#define NBR_BASELINE_U 3
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 3  // measured best for Newton on Zen 4, as for doubles
#endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#include "simd/neon.hpp"
#include "simd/neon_f32.hpp"
#define NBR_BASELINE_ISA "NEON"
#define NBR_BASELINE_VEC VecNeon
#define NBR_BASELINE_VEC_SINGLE VecNeonF32
#define NBR_BASELINE_U 4
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 4  // not measured yet: as for doubles (the same registers)
#endif
#else
#include "simd/scalar.hpp"
#define NBR_BASELINE_ISA "scalar"
#define NBR_BASELINE_VEC VecScalar
#define NBR_BASELINE_VEC_SINGLE VecScalarF32
#define NBR_BASELINE_U 4
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 4
#endif
#endif
#ifndef NBR_BASELINE_U_DD
#define NBR_BASELINE_U_DD 2  // double-double: twice the registers per vector
#endif
#ifndef NBR_UNROLL_VECTORS
// SSE2: measured slower unrolled (see kernel_impl.hpp); NEON and scalar: not measured, left as they were
#define NBR_UNROLL_VECTORS 0
#endif

namespace {
struct Isa {
    static constexpr const char* description = NBR_BASELINE_ISA;
    static constexpr std::uint32_t cpu_features = 0;
    using Vec = NBR_BASELINE_VEC;
    using VecSingle = NBR_BASELINE_VEC_SINGLE;
    static constexpr int unroll = NBR_BASELINE_U;
    static constexpr int unroll_single = NBR_BASELINE_U_SINGLE;
    static constexpr int unroll_dd = NBR_BASELINE_U_DD;
    static constexpr int peak_chains = 12;
};
}  // namespace
