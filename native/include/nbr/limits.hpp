// What the library accepts: the one definition of nb-render's limits. The
// driver checks a Problem against them, the Python package reads them through
// nbcli._core.info(), and every input path there checks against those values.
#pragma once

#include <cstdint>
#include <limits>

namespace nbr {

// The per-pixel results, with the element types every Sink receives and every
// output array holds (nbcli._core.info()["data_fields"] is read from these).
using RootIndex = std::int16_t;  // index into Problem::roots; -1: did not converge
using StepCount = std::int32_t;  // 0-based step of convergence; itmax when not converged
using SmoothCount = float;       // fractional step count (see smooth_iterations)
using Residual = float;          // |p| at the last evaluation (see residual_value)

namespace limits {

constexpr int max_side = 65536;                // samples on a side of one render (xs, ys)
constexpr int max_threads = 4096;              // Options::threads, and the most 0 ("all") turns into
constexpr int max_itmax = 10'000'000;          // steps per pixel offered by the Python package
constexpr int max_itmax_single = (1 << 24) - 1;  // steps per pixel in single precision (a float counts them)
constexpr int max_degree = 1000;               // degree of the polynomial, and so the number of roots
constexpr int max_aa = 16;                     // supersampling of the Python package: samples per pixel side
// How far apart neighbouring start points must be for a precision to tell them
// apart well, in its units in the last place at the view's coordinates (about
// 2^(1 - precision_bits) |x|; the Python package's rule): its automatic choice
// is double while samples are at least 2^auto_margin_bits of double's units
// apart, else double-double; samples closer than 2^min_margin_bits of
// double-double's units make a view it refuses.
constexpr int auto_margin_bits = 8;
constexpr int min_margin_bits = 3;

// The driver enforces max_side, max_threads, max_degree and max_itmax_single.
// max_itmax is the package's own cap (double precision has none in the driver),
// kept within single precision's so that every precision accepts every itmax it
// offers; max_aa is the package's too (a supersampled side, width * aa, is still
// at most max_side).
static_assert(max_itmax <= max_itmax_single, "every itmax the package offers must work in single precision");
static_assert(max_degree <= std::numeric_limits<RootIndex>::max(), "a root index must hold every root");
static_assert(max_itmax <= std::numeric_limits<StepCount>::max(), "a step count must hold itmax");

// Every limit with its name, for the bindings.
struct Named {
    const char* name;
    int value;
};
constexpr Named all[] = {
    {"max_side", max_side},     {"max_threads", max_threads}, {"max_itmax", max_itmax},
    {"max_itmax_single", max_itmax_single}, {"max_degree", max_degree}, {"max_aa", max_aa},
    {"auto_margin_bits", auto_margin_bits}, {"min_margin_bits", min_margin_bits},
};

}  // namespace limits
}  // namespace nbr
