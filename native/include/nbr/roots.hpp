// The last bits of a polynomial's roots, the same on every platform.
//
// nb-render finds roots in double precision (Aberth-Ehrlich, in Python), whose
// last bits depend on the machine: its libm, and whether its compiler fuses
// multiply-adds. The roots are recorded in every PNG and name the basins, so
// they are made canonical here: each approximation is refined by Newton's
// method in double-double arithmetic (about 106 bits) and rounded to the
// nearest double. Starting points a few units in the last place apart end on
// the same double unless the root lies within about 1e-30 (relative) of the
// middle between two doubles.
//
// The definition, operation by operation (every operation exact or rounded to
// nearest, never contracted; no library function is called):
//  * double-double numbers are unevaluated sums hi + lo, in the kernels' own
//    arithmetic without fused multiply-adds (src/simd/dd.hpp over the scalar
//    "vector": Dekker's split, Knuth's two-sum, one division per reciprocal);
//  * a root of multiplicity m is refined as the simple root of the (m-1)-th
//    derivative of p, whose coefficients are p's times k!/(k-m+1)!, in
//    double-double;
//  * at most 6 Newton steps, fewer once a step is below 2^-104 of the root;
//  * the result is the double nearest the double-double; a part below 2^-96
//    of the larger part is zero (double-double cannot tell it from zero);
//  * an approximation that the refinement would move by more than 2^-20 of
//    its modulus, or whose refinement overflows or divides by zero, is kept
//    as it was (it was not a root to double precision, or p cannot be
//    evaluated there without overflow).
#pragma once

#include <complex>
#include <cstddef>

namespace nbr {

// coefs: n + 1 coefficients, highest degree first (coefs[0] != 0);
// roots[i], of multiplicity mult[i] (1 to n), refined in place.
void polish_roots(const std::complex<double>* coefs, std::size_t ncoefs, std::complex<double>* roots,
                  const int* mult, std::size_t nroots);

}  // namespace nbr
