// A tile: a run of computed pixels, numbered row-major over the computed
// rows and columns, that one worker thread renders at a time. Its arrays are
// allocated once per worker, at the largest tile's size.
#pragma once

#include <cstddef>
#include <vector>

#include "nbr/limits.hpp"

namespace nbr {
namespace detail {

// Pointers to the per-pixel values of consecutive pixels; smooth and residual
// may be null (no sink wants them).
struct PixelData {
    const RootIndex* root;
    const StepCount* iter;
    const SmoothCount* smooth;
    const Residual* residual;

    PixelData advanced(std::ptrdiff_t n) const {
        return {root + n, iter + n, smooth != nullptr ? smooth + n : nullptr,
                residual != nullptr ? residual + n : nullptr};
    }
};

struct TileBuffers {
    // Room for a vector's worth of values past the last start point (kernels read whole vectors).
    static constexpr std::size_t kStartPadding = 16;

    // with_starts: room for each pixel's own start point (the series shortcut, series.hpp).
    TileBuffers(std::size_t max_pixels, bool with_smooth, bool with_starts = false)
        : root(max_pixels), iter(max_pixels), zr(max_pixels), zi(max_pixels),
          p2_before(with_smooth ? max_pixels : 0), p2_at(with_smooth ? max_pixels : 0),
          smooth(with_smooth ? max_pixels : 0), residual(with_smooth ? max_pixels : 0),
          z0r(with_starts ? max_pixels + kStartPadding : 0), z0i(with_starts ? max_pixels + kStartPadding : 0) {}

    bool has_smooth() const { return !smooth.empty(); }
    // The tile's results, with the residuals only if `residuals`.
    PixelData data(bool residuals) const {
        return {root.data(), iter.data(), has_smooth() ? smooth.data() : nullptr,
                has_smooth() && residuals ? residual.data() : nullptr};
    }

    // What the kernel writes (see KernelSpanT in kernel.hpp).
    std::vector<RootIndex> root;
    std::vector<StepCount> iter;
    std::vector<double> zr, zi;            // scratch: where converged pixels ended
    std::vector<double> p2_before, p2_at;  // |p|^2 at the last two evaluations (only with smooth; then their logs)
    // What post-processing derives from it (smooth.hpp; only with smooth).
    std::vector<SmoothCount> smooth;
    std::vector<Residual> residual;
    // Each pixel's own start point, where the kernel takes them from a list (see KernelSpanT).
    std::vector<double> z0r, z0i;
};

}  // namespace detail
}  // namespace nbr
