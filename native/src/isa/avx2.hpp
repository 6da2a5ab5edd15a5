// The AVX2 + FMA kernel's instruction set: included only by its translation
// unit, the one file compiled with -mavx2 -mfma (/arch:AVX2).
#pragma once

#include <cstdint>

#include "cpu_features.hpp"
#include "simd/avx2.hpp"
#include "simd/avx2_f32.hpp"

#ifndef NBR_U_AVX2
#define NBR_U_AVX2 6  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
#ifndef NBR_U_AVX2_SINGLE
// measured on Zen 4: 5 has the best worst case over Newton's scenes and the other
// methods (6 is as good for Newton's typical scenes, 4 for Halley and Householder)
#define NBR_U_AVX2_SINGLE 5
#endif
#ifndef NBR_U_AVX2_DD
#define NBR_U_AVX2_DD 2  // double-double: twice the registers per vector
#endif

namespace {
struct Isa {
    static constexpr const char* description = "AVX2+FMA";
    static constexpr std::uint32_t cpu_features = nbr::cpu::kAvx2 | nbr::cpu::kFma;
    using Vec = VecAvx2;           // doubles
    using VecSingle = VecAvx2F32;  // floats
    static constexpr int unroll = NBR_U_AVX2;  // vectors in flight
    static constexpr int unroll_single = NBR_U_AVX2_SINGLE;
    static constexpr int unroll_dd = NBR_U_AVX2_DD;
    static constexpr int peak_chains = 12;  // independent multiply-add chains that hide the latency
};
}  // namespace
