// The problem as the kernels take it (kernel.hpp): coefficients and roots split
// into real and imaginary parts, the start points of the computed rows and
// columns only, and, in single precision, all of it rounded to float after
// scaling p by a power of two (in double-double, with the start points' low
// parts). Also runs a kernel over one tile.
#pragma once

#include <cstdint>
#include <vector>

#include "dispatch.hpp"
#include "kernel.hpp"
#include "nbr/render.hpp"
#include "series.hpp"
#include "tile.hpp"

namespace nbr {
namespace detail {

class KernelInput {
public:
    // rows and cols: the indices of the rows and columns to compute (MirrorPlan's primaries).
    // series (double-double only, usable): every pixel starts where it leads, in double
    // precision (the double kernel then takes the remaining steps).
    KernelInput(const Problem& problem, Precision precision, const std::vector<int>& rows,
                const std::vector<int>& cols, const SeriesStart* series = nullptr);
    KernelInput(const KernelInput&) = delete;  // the kernel structs point into the vectors
    KernelInput& operator=(const KernelInput&) = delete;

    std::int64_t width() const { return width_; }    // computed columns
    std::int64_t pixels() const { return pixels_; }  // computed pixels
    // log(tol^2) as the kernel compares with it (by log_scalar), for smooth_iterations.
    double log_tol2() const { return log_tol2_; }
    // |p|^2 of the problem's polynomial from a value of the kernel's (which single precision scales).
    double unscaled_p2(double p2) const;

    // Runs `kernel` over computed pixels [a, b) into `tile`, keeping |p|^2 if the
    // tile has room for smooth counts; returns the steps taken and adds the
    // number of exact ties to *ties. `stop` as in KernelSpanT. With a series the
    // tile needs room for start points (TileBuffers' with_starts).
    std::uint64_t run(const KernelEntry& kernel, std::int64_t a, std::int64_t b, TileBuffers& tile,
                      bool (*stop)(void*), void* stop_ctx, std::int64_t* ties) const;

private:
    void prepare_single(const Problem& problem);
    void prepare_dd(const Problem& problem, const std::vector<int>& rows, const std::vector<int>& cols);
    void fill_starts(std::int64_t a, std::int64_t b, TileBuffers& tile) const;

    Precision precision_;
    const SeriesStart* series_;
    int scale_exp_ = 0;  // single precision computes with p * 2^-scale_exp_
    std::int64_t width_, pixels_;
    std::vector<double> cr_, ci_, rr_, ri_, xs_, ys_;
    std::vector<float> crf_, cif_, xsf_, ysf_;
    std::vector<DoubleDouble> crd_, cid_, xsd_, ysd_;
    KernelPoly poly_{};
    KernelPolySingle poly_single_{};
    KernelPolyDD poly_dd_{};
    double log_tol2_ = 0.0;
};

}  // namespace detail
}  // namespace nbr
