// Where a render's results go: the Sink interface, the per-pixel values it
// receives, and the sinks that store them (colouring sinks: nbr/palette.hpp).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "nbr/limits.hpp"

namespace nbr {

// Where results go. Each pixel yields a root index (-1: did not converge), the
// 0-based step k at which it converged (itmax when it did not), and, for sinks
// that ask for them (wants_smooth()), two floats:
//  * smooth: a fractional step count, continuous across the bands of equal k:
//    smooth_iterations() below; itmax for pixels that did not converge;
//  * residual: |p(z)| at the pixel's last evaluation, rounded to float (the
//    converging one; for a pixel that ran out of steps the last one; for a
//    stuck pixel the point where it got stuck; +inf or NaN when p overflowed
//    there; +inf also when |p| exceeds the float range).
// put() is called from several threads at once, always for disjoint pixels.
// `smooth` is null unless some sink of the render wants it, `residual` unless
// some sink wants it too (wants_residual(): only sinks that want smooth can).
class Sink {
public:
    virtual ~Sink() = default;
    virtual void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter,
                     const SmoothCount* smooth, const Residual* residual) = 0;
    // Whether put() needs smooth (and residual: computing them costs a little).
    virtual bool wants_smooth() const { return false; }
    virtual bool wants_residual() const { return wants_smooth(); }
};

// The smooth step count of a pixel that converged at step k, where p2_before
// and p2_at are |p|^2 at the evaluation before the converging one (for k = 0:
// at the starting point) and at the converging one, and log_tol2 = log(tol^2):
// with a = log p2_before, b = log p2_at, t = (log_tol2 - a) / (b - a) clamped to
// [0, 1] (NaN counts as 0), smooth = max(0, k - 1 + t) in double, rounded to
// float. (The ratio of the logs of squares equals that of the logs of |p|.)
// The fraction is only as good as log|p| at convergence: with a tolerance so
// small that a step lands |p| below the rounding noise of evaluating p (which
// third-order methods reach sooner), neighbouring pixels' fractions jitter.
// The logarithms are nb-render's own (fdlibm's algorithm in plain arithmetic,
// native/src/vlog.hpp), not the C library's, so the counts are the same on
// every platform; log_tol2 should be taken with it too (the driver does).
// The one definition used everywhere, so every path agrees bit for bit.
SmoothCount smooth_iterations(StepCount k, double p2_before, double p2_at, double log_tol2);
// |p| as a float from |p|^2: sqrt in double, rounded to float (+inf beyond its range).
Residual residual_value(double p2);

// ---- sinks that store the results ----------------------------------------------------
// Each writes into caller-owned row-major buffers of the full image size.

// nb_cpp-compatible HSV in float64: (h, s, v) = (root/nroots, 1, 1 - k/itmax); black if not converged.
class HsvSink final : public Sink {
public:
    HsvSink(double* out, int width, int nroots, int itmax);
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;

private:
    double* out_;
    int w_, nroots_, itmax_;
    std::vector<double> hue_, value_;  // the same quotients, computed once per root / per step
};

// The raw per-pixel data: root index and step count.
class DataSink final : public Sink {
public:
    DataSink(RootIndex* root, StepCount* iter, int width) : root_(root), iter_(iter), w_(width) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;

private:
    RootIndex* root_;
    StepCount* iter_;
    int w_;
};

// The smooth step count and the residual of each pixel (see Sink).
class SmoothSink final : public Sink {
public:
    SmoothSink(SmoothCount* smooth, Residual* residual, int width)
        : smooth_(smooth), residual_(residual), w_(width) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;
    bool wants_smooth() const override { return true; }

private:
    SmoothCount* smooth_;
    Residual* residual_;
    int w_;
};

// Fans each put() out to several sinks.
class TeeSink final : public Sink {
public:
    explicit TeeSink(std::vector<Sink*> sinks) : sinks_(std::move(sinks)) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override {
        for (Sink* s : sinks_) s->put(row, col0, n, root, iter, smooth, residual);
    }
    bool wants_smooth() const override {
        for (const Sink* s : sinks_)
            if (s->wants_smooth()) return true;
        return false;
    }
    bool wants_residual() const override {
        for (const Sink* s : sinks_)
            if (s->wants_residual()) return true;
        return false;
    }

private:
    std::vector<Sink*> sinks_;
};

}  // namespace nbr
