// AVX2 + FMA kernel: this file alone is compiled with -mavx2 -mfma (/arch:AVX2).
#include "simd/avx2.hpp"
#include "simd/avx2_f32.hpp"
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

#ifndef NBR_U_AVX2
#define NBR_U_AVX2 6  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
#ifndef NBR_U_AVX2_SINGLE
// measured on Zen 4: 5 has the best worst case over Newton's scenes and the other
// methods (6 is as good for Newton's typical scenes, 4 for Halley and Householder)
#define NBR_U_AVX2_SINGLE 5
#endif
NBR_DEFINE_KERNEL(kernel_avx2, VecAvx2, NBR_U_AVX2)
NBR_DEFINE_KERNEL_SINGLE(kernel_avx2_single, VecAvx2F32, VecAvx2, NBR_U_AVX2_SINGLE)
NBR_DEFINE_PEAK(peak_avx2, VecAvx2, 12)
NBR_DEFINE_PEAK(peak_avx2_single, VecAvx2F32, 12)
