// Smooth step counts and residuals: the one definition of each (declared in
// nbr/sink.hpp), and their computation for a tile (smooth.hpp).
#include "smooth.hpp"

#include <cmath>
#include <limits>

#include "nbr/sink.hpp"

namespace nbr {

SmoothCount smooth_iterations(StepCount k, double p2_before, double p2_at, double log_tol2) {
    if (k <= 0) return 0.0f;  // max(0, k - 1 + t) with t <= 1: no need for the logarithms
    const double a = std::log(p2_before);
    const double b = std::log(p2_at);
    double t = (log_tol2 - a) / (b - a);
    if (!(t >= 0.0)) t = 0.0;  // also NaN
    if (t > 1.0) t = 1.0;
    const double s = static_cast<double>(k) - 1.0 + t;
    return static_cast<float>(s > 0.0 ? s : 0.0);
}

Residual residual_value(double p2) {
    const double r = std::sqrt(p2);
    // doubles from here on round to +inf as floats; the cast would be undefined behaviour
    if (r >= 0x1.ffffffp127) return std::numeric_limits<float>::infinity();
    return static_cast<float>(r);  // NaN stays NaN
}

namespace detail {

void SmoothCounts::apply(std::size_t n, TileBuffers& t) const {
    const double log_tol2 = input_.log_tol2();
    for (std::size_t i = 0; i < n; ++i) {
        t.smooth[i] = t.root[i] >= 0 ? smooth_iterations(t.iter[i], t.p2_before[i], t.p2_at[i], log_tol2)
                                     : static_cast<SmoothCount>(itmax_);
        if (residuals_) t.residual[i] = residual_value(input_.unscaled_p2(t.p2_at[i]));
    }
}

}  // namespace detail
}  // namespace nbr
