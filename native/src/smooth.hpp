// Per-tile post-processing: the smooth step counts and residuals of a tile's
// pixels, from the |p|^2 values the kernel kept (see Sink in nbr/sink.hpp for
// what they mean, and smooth_iterations and residual_value for the formulas).
#pragma once

#include <cstddef>

#include "kernel_input.hpp"
#include "tile.hpp"

namespace nbr {
namespace detail {

class SmoothCounts {
public:
    // `residuals`: whether some sink wants the residuals too.
    SmoothCounts(const KernelInput& input, int itmax, bool residuals)
        : input_(input), itmax_(itmax), residuals_(residuals) {}

    // Fills tile.smooth (and tile.residual) for its first n pixels.
    void apply(std::size_t n, TileBuffers& tile) const;

private:
    const KernelInput& input_;
    int itmax_;
    bool residuals_;
};

}  // namespace detail
}  // namespace nbr
