// The AVX-512F kernel's instruction set: included only by its translation
// unit, the one file compiled with -mavx512f (/arch:AVX512).
#pragma once

#include <cstdint>

#include "cpu_features.hpp"
#include "simd/avx512.hpp"
#include "simd/avx512_f32.hpp"

#ifndef NBR_U_AVX512
#define NBR_U_AVX512 4  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
#ifndef NBR_U_AVX512_SINGLE
// the most the 64-bit lane masks allow (16 lanes x 4), and measured best for
// Newton on Zen 4 (3 is a few per cent faster for Halley and Householder)
#define NBR_U_AVX512_SINGLE 4
#endif
#ifndef NBR_U_AVX512_DD
#define NBR_U_AVX512_DD 2  // double-double: twice the registers per vector
#endif

namespace {
struct Isa {
    static constexpr const char* description = "AVX-512F";
    // the AVX2 kernel's features too, as before: a CPU with AVX-512F has them all
    static constexpr std::uint32_t cpu_features = nbr::cpu::kAvx2 | nbr::cpu::kFma | nbr::cpu::kAvx512f;
    using Vec = VecAvx512;
    using VecSingle = VecAvx512F32;
    static constexpr int unroll = NBR_U_AVX512;
    static constexpr int unroll_single = NBR_U_AVX512_SINGLE;
    static constexpr int unroll_dd = NBR_U_AVX512_DD;
    static constexpr int peak_chains = 24;
};
}  // namespace
