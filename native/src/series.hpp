// The shortcut of deep double-double views: a series approximation.
//
// In a view far narrower than a double resolves, every pixel's orbit follows
// one orbit closely for many steps: the start points differ by tiny offsets d,
// and after k steps the point reached is a smooth function z_k(d) of the offset.
// Those steps are what needs double-double: neighbouring pixels differ there
// only in the low parts. SeriesStart takes them for all pixels at once. It
// follows the orbit of a reference point c (the view's centre) in double-double,
// together with the power series z_k(d) = Z_k + a_1 d + ... + a_R d^R of every
// step (truncated power series arithmetic: the coefficients up to R of a
// composition depend only on those up to R, so they are exact up to rounding),
// in the iteration method's own formula (z - p/p' and so on, in complex
// arithmetic). Each pixel then starts at z_m(d) for its own d, computed in
// double, and the double kernel takes its remaining steps (its step count goes
// on from m).
//
// Step m is the last one at which all of this provably holds for every start
// point within `radius` of c:
//  * no pixel could have converged, overflowed or met a zero denominator at
//    any step up to m: the lower bounds |b_0| - sum |b_j| radius^j of |p| (and
//    of the step's denominator) stay above tol (and half its central value);
//  * the series is exact to far below a pixel: its last term, |a_R| radius^R,
//    is at most 2^-40 of the distance between neighbouring pixels after m steps
//    (spacing |a_1|);
// and the series is used only if, at step m, neighbouring pixels lie at least
// 2^24 units in the last place of a double apart (spacing |a_1| against the
// coordinates), so that double precision from there on rounds far less than a
// pixel. Otherwise (a view inside one basin, whose orbits converge before they
// part; a reference orbit through a pole) the render runs the double-double
// kernel throughout. tests/test_series.py checks the shortcut against the full
// double-double kernel and against 60-digit arithmetic.
#pragma once

#include <array>
#include <complex>
#include <vector>

#include "nbr/render.hpp"

namespace nbr {
namespace detail {

class SeriesStart {
public:
    static constexpr int kOrder = 4;               // R: the series' last power
    static constexpr int kTailBits = 40;           // the last term is at most 2^-40 of a pixel
    static constexpr int kDoubleMarginBits = 24;   // pixels 2^24 units of a double apart at step m

    SeriesStart(const Problem& problem, const SeriesReference& reference);

    bool usable() const { return usable_; }
    int steps() const { return steps_; }  // m (0 when not usable)

    // The point the pixel starting at (x + x_lo) + i (y + y_lo) reaches after steps() steps.
    std::complex<double> start(double x, double x_lo, double y, double y_lo) const;

private:
    SeriesReference ref_;
    bool usable_ = false;
    int steps_ = 0;
    double zr_hi_ = 0.0, zr_lo_ = 0.0, zi_hi_ = 0.0, zi_lo_ = 0.0;  // Z_m
    std::array<std::complex<double>, kOrder> a_{};                 // a_1 .. a_R of step m
};

}  // namespace detail
}  // namespace nbr
