// AVX-512F kernel: this file alone is compiled with -mavx512f (/arch:AVX512).
#include "simd/avx512.hpp"
#include "simd/avx512_f32.hpp"
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

#ifndef NBR_U_AVX512
#define NBR_U_AVX512 4  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
#ifndef NBR_U_AVX512_SINGLE
#define NBR_U_AVX512_SINGLE 4  // 16 lanes x 4 fills the 64-bit lane masks
#endif
NBR_DEFINE_KERNEL(kernel_avx512, VecAvx512, NBR_U_AVX512)
NBR_DEFINE_KERNEL_SINGLE(kernel_avx512_single, VecAvx512F32, VecAvx512, NBR_U_AVX512_SINGLE)
NBR_DEFINE_PEAK(peak_avx512, VecAvx512, 24)
NBR_DEFINE_PEAK(peak_avx512_single, VecAvx512F32, 24)
