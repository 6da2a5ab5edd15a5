// The sinks that store a render's results as they are (colouring: palette.cpp).
#include <cstddef>
#include <cstring>

#include "nbr/sink.hpp"

namespace nbr {

namespace {

// Offset of pixel (row, col) in a row-major image `width` pixels wide.
std::size_t at(int row, int col, int width) {
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(width) + static_cast<std::size_t>(col);
}

}  // namespace

HsvSink::HsvSink(double* out, int width, int nroots, int itmax)
    : out_(out), w_(width), nroots_(nroots), itmax_(itmax) {
    hue_.resize(static_cast<std::size_t>(nroots));
    for (int r = 0; r < nroots; ++r)
        hue_[static_cast<std::size_t>(r)] = static_cast<double>(r) / static_cast<double>(nroots);
    if (itmax <= (1 << 16)) {
        value_.resize(static_cast<std::size_t>(itmax) + 1);
        for (int k = 0; k <= itmax; ++k)
            value_[static_cast<std::size_t>(k)] = 1.0 - static_cast<double>(k) / static_cast<double>(itmax);
    }
}

void HsvSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount*,
                  const Residual*) {
    double* o = out_ + at(row, col0, w_) * 3;
    const bool table = !value_.empty();
    for (int i = 0; i < n; ++i, o += 3) {
        if (root[i] < 0) {
            o[0] = o[1] = o[2] = 0.0;
        } else {
            o[0] = hue_[static_cast<std::size_t>(root[i])];
            o[1] = 1.0;
            o[2] = table ? value_[static_cast<std::size_t>(iter[i])]
                         : 1.0 - static_cast<double>(iter[i]) / static_cast<double>(itmax_);
        }
    }
}

void DataSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount*,
                   const Residual*) {
    const std::size_t o = at(row, col0, w_);
    std::memcpy(root_ + o, root, static_cast<std::size_t>(n) * sizeof(RootIndex));
    std::memcpy(iter_ + o, iter, static_cast<std::size_t>(n) * sizeof(StepCount));
}

void SmoothSink::put(int row, int col0, int n, const RootIndex*, const StepCount*, const SmoothCount* smooth,
                     const Residual* residual) {
    const std::size_t o = at(row, col0, w_);
    std::memcpy(smooth_ + o, smooth, static_cast<std::size_t>(n) * sizeof(SmoothCount));
    std::memcpy(residual_ + o, residual, static_cast<std::size_t>(n) * sizeof(Residual));
}

}  // namespace nbr
