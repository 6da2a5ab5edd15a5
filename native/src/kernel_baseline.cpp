// The portable kernel: SSE2 on x86-64, NEON on aarch64, scalar elsewhere.
// Built with the compiler's default flags for the architecture, never more.
#if defined(__x86_64__) || defined(_M_X64)
#include "simd/sse2.hpp"
#define NBR_BASELINE_VEC VecSse2
#define NBR_BASELINE_U 3
#elif defined(__aarch64__) || defined(_M_ARM64)
#include "simd/neon.hpp"
#define NBR_BASELINE_VEC VecNeon
#define NBR_BASELINE_U 4
#else
#include "simd/scalar.hpp"
#define NBR_BASELINE_VEC VecScalar
#define NBR_BASELINE_U 4
#endif
#include "kernel_impl.hpp"
#include "peak_impl.hpp"

NBR_DEFINE_KERNEL(kernel_baseline, NBR_BASELINE_VEC, NBR_BASELINE_U)
NBR_DEFINE_PEAK(peak_baseline, NBR_BASELINE_VEC, 12)

namespace nbr {
namespace detail {
extern const char* const baseline_isa;
extern const int baseline_lanes;
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
const bool baseline_fused = NBR_BASELINE_VEC::fused;
}  // namespace detail
}  // namespace nbr
