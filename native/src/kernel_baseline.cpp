// The portable kernel: SSE2 on x86-64, NEON on aarch64, scalar elsewhere.
// Built with the compiler's default flags for the architecture, never more.
#if defined(__x86_64__) || defined(_M_X64)
#include "simd/sse2.hpp"
#include "simd/sse2_f32.hpp"
#define NBR_BASELINE_VEC VecSse2
#define NBR_BASELINE_VEC_SINGLE VecSse2F32
#define NBR_BASELINE_U 3
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 3  // measured best for Newton on Zen 4, as for doubles
#endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#include "simd/neon.hpp"
#include "simd/neon_f32.hpp"
#define NBR_BASELINE_VEC VecNeon
#define NBR_BASELINE_VEC_SINGLE VecNeonF32
#define NBR_BASELINE_U 4
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 4  // not measured yet: as for doubles (the same registers)
#endif
#else
#include "simd/scalar.hpp"
#define NBR_BASELINE_VEC VecScalar
#define NBR_BASELINE_VEC_SINGLE VecScalarF32
#define NBR_BASELINE_U 4
#ifndef NBR_BASELINE_U_SINGLE
#define NBR_BASELINE_U_SINGLE 4
#endif
#endif
#ifndef NBR_UNROLL_VECTORS
// SSE2: measured slower unrolled (see kernel_impl.hpp); NEON and scalar: not measured, left as they were
#define NBR_UNROLL_VECTORS 0
#endif
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

NBR_DEFINE_KERNEL(kernel_baseline, NBR_BASELINE_VEC, NBR_BASELINE_U)
NBR_DEFINE_KERNEL_SINGLE(kernel_baseline_single, NBR_BASELINE_VEC_SINGLE, NBR_BASELINE_VEC, NBR_BASELINE_U_SINGLE)
NBR_DEFINE_PEAK(peak_baseline, NBR_BASELINE_VEC, 12)
NBR_DEFINE_PEAK(peak_baseline_single, NBR_BASELINE_VEC_SINGLE, 12)

namespace nbr {
namespace detail {
extern const char* const baseline_isa;
extern const int baseline_lanes;
extern const int baseline_lanes_single;
extern const bool baseline_fused;
const char* const baseline_isa =
#if defined(__x86_64__) || defined(_M_X64)
    "SSE2";
#elif defined(__aarch64__) || defined(_M_ARM64)
    "NEON";
#else
    "scalar";
#endif
const int baseline_lanes = NBR_BASELINE_VEC::lanes;
const int baseline_lanes_single = NBR_BASELINE_VEC_SINGLE::lanes;
const bool baseline_fused = NBR_BASELINE_VEC::fused;
}  // namespace detail
}  // namespace nbr
