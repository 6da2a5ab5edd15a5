// Per-tile post-processing: the smooth step counts and residuals of a tile's
// pixels, from the |p|^2 values the kernel kept (see Sink in nbr/sink.hpp for
// what they mean, and smooth_iterations and residual_value for the formulas).
// The counts take two logarithms per pixel, by vlog (vlog.hpp) with the kernel's
// vectors: the same bits on every platform, whatever its libm.
#pragma once

#include <cstddef>

#include "dispatch.hpp"
#include "kernel_input.hpp"
#include "tile.hpp"

namespace nbr {
namespace detail {

// log(x) by vlog, one number at a time (for log(tol^2), and the scalar definitions).
double log_scalar(double x);

class SmoothCounts {
public:
    // `residuals`: whether some sink wants the residuals too; `kernel`: whose vectors to use.
    SmoothCounts(const KernelInput& input, int itmax, bool residuals, const KernelEntry& kernel)
        : input_(input), itmax_(itmax), residuals_(residuals), kernel_(kernel) {}

    // Fills tile.smooth (and tile.residual) for its first n pixels.
    void apply(std::size_t n, TileBuffers& tile) const;

private:
    const KernelInput& input_;
    int itmax_;
    bool residuals_;
    const KernelEntry& kernel_;
};

}  // namespace detail
}  // namespace nbr
