// What to render: the polynomial, its roots, the start points, and the
// iteration (method and precision) each pixel runs.
#pragma once

#include <complex>
#include <string>
#include <vector>

#include "nbr/limits.hpp"

namespace nbr {

// The iteration each pixel runs (p' and p'' are the first and second derivatives):
//   newton       z <- z - p/p'
//   relaxed      z <- z - a p/p'                       (complex factor a = Problem::relax)
//   halley       z <- z - 2 p p' / (2 p'^2 - p p'')
//   schroder     z <- z - p p' / (p'^2 - p p'')       (quadratic also at repeated roots)
//   householder  z <- z - (p/p') (1 + p p'' / (2 p'^2))
// A step whose denominator is zero (p' for newton, relaxed and householder;
// the bracketed denominators for halley and schroder) cannot be taken: the
// pixel is "stuck" and counts as not converged. Every method has its own
// operation sequence (see kernel_impl.hpp); relaxed with a = 1 gives the same
// roots and iteration counts as newton, though not necessarily the same bits
// of intermediate values (it rounds one more product per step).
enum class Method { newton, relaxed, halley, schroder, householder };
// Every method, in the order above (the order nbcli._core.info() lists them in).
constexpr Method kMethods[] = {Method::newton, Method::relaxed, Method::halley, Method::schroder,
                               Method::householder};

// "newton", "relaxed", ...; parse_method throws std::invalid_argument for other names.
const char* method_name(Method method);
Method parse_method(const std::string& name);

// The arithmetic of the iteration. double: IEEE double throughout. single:
// the start points, coefficients, relax factor and tol^2 (the double tol * tol)
// are rounded to float and every step is computed in float, with twice the
// lanes per vector; the nearest root and the smooth counts and residuals are
// then found in double from the (exactly converted) float results. Single
// precision needs itmax <= limits::max_itmax_single. double_double: every step
// in double-double arithmetic (about 106 significant bits; simd/dd.hpp defines
// it operation by operation), from start points xs + xs_lo, ys + ys_lo; the
// coefficients, the relax factor and tol^2 are the doubles of double
// precision; the convergence test uses |p|^2 from the high parts, and the
// nearest root, smooth counts and residuals are found in double from the high
// parts, as for double. Details: native/src/kernel_impl.hpp.
enum class Precision { double_, single, double_double };
constexpr Precision kPrecisions[] = {Precision::double_, Precision::single, Precision::double_double};
// "double", "single" or "double-double"; parse_precision throws std::invalid_argument for other names.
const char* precision_name(Precision precision);
Precision parse_precision(const std::string& name);
// Significant bits of a precision's numbers: 53, 24 or 106 (a unit in the last
// place of a number x is about 2^(1 - bits) |x|).
int precision_bits(Precision precision);

// What to compute. Pixel (row, col) starts the iteration at xs[col] + i*ys[row].
struct Problem {
    std::vector<std::complex<double>> coefs;  // highest degree first; coefs[0] != 0; 1 <= degree <= max_degree
    std::vector<std::complex<double>> roots;  // 1 to max_degree distinct roots, in the order that defines root indices
    std::vector<double> xs;                   // real part of each column (1 to max_side)
    std::vector<double> ys;                   // imaginary part of each row (1 to max_side)
    // Double-double only (other precisions ignore them): empty, or the low parts of
    // the start points, one per column and row, each at most half a unit in the
    // last place of its xs or ys value (column col starts at xs[col] + xs_lo[col]).
    std::vector<double> xs_lo, ys_lo;
    int itmax = 30;                           // at most this many steps (>= 1)
    double tol = 1e-6;                        // converged when |p(z)| <= tol after a step
    Method method = Method::newton;
    std::complex<double> relax{1.0, 0.0};     // the factor a of Method::relaxed: finite and nonzero
};

}  // namespace nbr
