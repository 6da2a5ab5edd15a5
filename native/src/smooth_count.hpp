// The smooth step count of a converged pixel from the logarithms of its |p|^2
// values: the one formula of smooth_iterations (nbr/sink.hpp), shared by the
// scalar definition and the vectorised tiles, so that they agree bit for bit.
#pragma once

#include "nbr/limits.hpp"

namespace nbr {
namespace detail {

// k: the step of convergence; a, b: the logs of |p|^2 before and at it.
inline SmoothCount smooth_from_logs(StepCount k, double a, double b, double log_tol2) {
    if (k <= 0) return 0.0f;  // max(0, k - 1 + t) with t <= 1
    double t = (log_tol2 - a) / (b - a);
    if (!(t >= 0.0)) t = 0.0;  // also NaN
    if (t > 1.0) t = 1.0;
    const double s = static_cast<double>(k) - 1.0 + t;
    return static_cast<float>(s > 0.0 ? s : 0.0);
}

}  // namespace detail
}  // namespace nbr
