// AVX2 + FMA kernel: this file alone is compiled with -mavx2 -mfma (/arch:AVX2).
#include "simd/avx2.hpp"
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

#ifndef NBR_U_AVX2
#define NBR_U_AVX2 6  // measured best on Zen 4 (see docs/benchmarks.md)
#endif
NBR_DEFINE_KERNEL(kernel_avx2, VecAvx2, NBR_U_AVX2)
NBR_DEFINE_PEAK(peak_avx2, VecAvx2, 12)
