// Smooth step counts and residuals: the one definition of each (declared in
// nbr/sink.hpp), and their computation for a tile (smooth.hpp).
#include "smooth.hpp"

#include <cmath>
#include <limits>

#include "nbr/sink.hpp"
#include "simd/scalar.hpp"
#include "smooth_count.hpp"
#include "vlog.hpp"

namespace nbr {

SmoothCount smooth_iterations(StepCount k, double p2_before, double p2_at, double log_tol2) {
    if (k <= 0) return 0.0f;  // no need for the logarithms
    return detail::smooth_from_logs(k, detail::log_scalar(p2_before), detail::log_scalar(p2_at), log_tol2);
}

Residual residual_value(double p2) {
    const double r = std::sqrt(p2);
    // doubles from here on round to +inf as floats; the cast would be undefined behaviour
    if (r >= 0x1.ffffffp127) return std::numeric_limits<float>::infinity();
    return static_cast<float>(r);  // NaN stays NaN
}

namespace detail {

double log_scalar(double x) { return vlog<VecScalar>(x); }

// The residuals first: the logarithms then replace the |p|^2 values they need.
void SmoothCounts::apply(std::size_t n, TileBuffers& t) const {
    if (residuals_)
        for (std::size_t i = 0; i < n; ++i) t.residual[i] = residual_value(input_.unscaled_p2(t.p2_at[i]));
    double* const a = t.p2_before.data();
    double* const b = t.p2_at.data();
    kernel_.impl.log(n, a, a);
    kernel_.impl.log(n, b, b);
    const double log_tol2 = input_.log_tol2();
    for (std::size_t i = 0; i < n; ++i)
        t.smooth[i] = t.root[i] >= 0 ? smooth_from_logs(t.iter[i], a[i], b[i], log_tol2) : static_cast<SmoothCount>(itmax_);
}

}  // namespace detail
}  // namespace nbr
