// Internal interface between the driver and the per-instruction-set kernels
// (kernel_<isa>.cpp, generated from kernel_isa.cpp.in), each of which compiles
// kernel_impl.hpp with its own flags.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nbr/limits.hpp"
#include "nbr/problem.hpp"
#include "nbr_isas.hpp"

namespace nbr {
namespace detail {

// One value of a double-double lane: the unevaluated sum hi + lo, with |lo| at
// most half a unit in the last place of hi (see simd/dd.hpp).
struct DoubleDouble {
    double hi, lo;
    DoubleDouble() = default;
    constexpr explicit DoubleDouble(double h, double l = 0.0) : hi(h), lo(l) {}
};

// T is the kernel's arithmetic type: double, float for single precision
// (whose values the driver has rounded to float; see kernel_impl.hpp), or
// DoubleDouble.
template <class T>
struct KernelPolyT {
    int degree;          // >= 1
    bool real;           // all imaginary parts of the coefficients are zero (as doubles)
    const T* cr;         // degree + 1 real parts, highest degree first
    const T* ci;         // degree + 1 imaginary parts
    int nroots;
    const double* rr;    // roots, real parts (always double: the nearest root is found in double)
    const double* ri;    // roots, imaginary parts
    int itmax;           // below 2^24 for float (the step counter must stay exact)
    T tol2;              // tol * tol (for float: the double product rounded to float)
    Method method;
    T ar, ai;            // the factor a of Method::relaxed
    int skip = 0;        // steps every pixel has taken already (its start point is where they led)
};

// A run of pixels, numbered row-major over the rows listed in `ys`.
template <class T>
struct KernelSpanT {
    const T* xs;         // real part of each column, followed by at least lanes - 1 readable values
    std::int64_t width;
    const T* ys;         // imaginary part of each row of the run
    std::int64_t begin, end;  // pixel numbers [begin, end); end - begin < 2^24 for float
    RootIndex* root;     // end - begin outputs
    StepCount* iter;
    // Null, or end - begin outputs each: |p|^2 at the evaluation before the
    // last one and at the last one (for a stuck pixel both are the value at
    // the point where it got stuck), converted to double. See Sink in
    // nbr/sink.hpp for their use.
    double* p2_before;
    double* p2_at;
    double* zr;          // end - begin doubles of scratch space each (where converged pixels ended)
    double* zi;
    // Called every few hundred rounds (a few microseconds); when it returns
    // true the kernel abandons the span at once, leaving its outputs unspecified.
    bool (*stop)(void* ctx);
    void* stop_ctx;
    // Incremented by the number of converged pixels whose nearest root was an
    // exact tie (the first root wins; a mirror image would pick the image of
    // the other one, so the driver then renders without mirroring).
    std::int64_t* ties;
    // Null, or each pixel's own start point, end - begin values each (followed by
    // at least lanes - 1 readable values), instead of xs[col] + i ys[row].
    const T* zr0 = nullptr;
    const T* zi0 = nullptr;
};

using KernelPoly = KernelPolyT<double>;
using KernelSpan = KernelSpanT<double>;
using KernelPolySingle = KernelPolyT<float>;
using KernelSpanSingle = KernelSpanT<float>;
using KernelPolyDD = KernelPolyT<DoubleDouble>;
using KernelSpanDD = KernelSpanT<DoubleDouble>;

// Returns the number of steps taken.
using KernelFn = std::uint64_t (*)(const KernelPoly&, const KernelSpan&);
using KernelFnSingle = std::uint64_t (*)(const KernelPolySingle&, const KernelSpanSingle&);
using KernelFnDD = std::uint64_t (*)(const KernelPolyDD&, const KernelSpanDD&);

// out[i] = log(x[i]) for i < n, by vlog (vlog.hpp) with the instruction set's
// vectors; out may be x. For the smooth step counts (smooth.hpp).
using LogFn = void (*)(std::size_t n, const double* x, double* out);

// For the benchmark suite: vector multiply-adds per second one thread issues
// with the same instructions as the kernel (see peak_impl.hpp); the _single
// variants with vectors of floats.
using PeakFn = double (*)(std::int64_t iterations);

// One instruction set's compiled code and what it is, defined by that
// instruction set's translation unit (generated from kernel_isa.cpp.in).
struct KernelImpl {
    const char* isa;             // human-readable, e.g. "AVX2+FMA"
    int lanes;                   // doubles per vector
    int lanes_single;            // floats per vector
    bool fused;                  // uses fused multiply-add
    std::uint32_t cpu_features;  // what the CPU must have (cpu_features.hpp)
    KernelFn fn;
    KernelFnSingle fn_single;
    KernelFnDD fn_dd;  // double-double: lanes doubles (pairs of them) per vector
    LogFn log;
    PeakFn peak;
    PeakFn peak_single;
};

// kernel_impl_baseline, kernel_impl_avx2, ...: one per instruction set of this
// build, listed once, in CMakeLists.txt (NBR_ISAS), which generates nbr_isas.hpp.
#define NBR_DECLARE_KERNEL_IMPL(name) extern const KernelImpl kernel_impl_##name;
NBR_FOR_EACH_ISA(NBR_DECLARE_KERNEL_IMPL)
#undef NBR_DECLARE_KERNEL_IMPL

}  // namespace detail
}  // namespace nbr
