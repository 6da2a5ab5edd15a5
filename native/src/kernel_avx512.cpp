// AVX-512F kernel: this file alone is compiled with -mavx512f (/arch:AVX512).
#include "simd/avx512.hpp"
#include "simd/avx512_f32.hpp"
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

#ifndef NBR_U_AVX512
#define NBR_U_AVX512 4  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
#ifndef NBR_U_AVX512_SINGLE
// the most the 64-bit lane masks allow (16 lanes x 4), and measured best for
// Newton on Zen 4 (3 is a few per cent faster for Halley and Householder)
#define NBR_U_AVX512_SINGLE 4
#endif
NBR_DEFINE_KERNEL(kernel_avx512, VecAvx512, NBR_U_AVX512)
NBR_DEFINE_KERNEL_SINGLE(kernel_avx512_single, VecAvx512F32, VecAvx512, NBR_U_AVX512_SINGLE)
NBR_DEFINE_PEAK(peak_avx512, VecAvx512, 24)
NBR_DEFINE_PEAK(peak_avx512_single, VecAvx512F32, 24)
