// Canonical roots: Newton's method in double-double (see nbr/roots.hpp).
#include "nbr/roots.hpp"

#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

#include "complex_dd.hpp"

namespace nbr {

namespace {

bool finite(const DDC& a) {
    return std::isfinite(a.re.hi) && std::isfinite(a.re.lo) && std::isfinite(a.im.hi) && std::isfinite(a.im.lo);
}
double size(const DDC& a) { return std::fmax(std::fabs(a.re.hi), std::fabs(a.im.hi)); }

// The coefficients of the d-th derivative of p (highest degree first).
std::vector<DDC> derivative(const std::complex<double>* coefs, std::size_t ncoefs, int d) {
    const std::size_t n = ncoefs - 1;
    std::vector<DDC> out;
    for (std::size_t i = 0; i + static_cast<std::size_t>(d) <= n; ++i) {
        const std::size_t k = n - i;  // the power of this coefficient
        dd f = to_dd(1.0);            // k! / (k - d)!
        for (int j = 0; j < d; ++j) f = ScalarDD::mul(f, to_dd(static_cast<double>(k - static_cast<std::size_t>(j))));
        out.push_back({ScalarDD::mul(f, to_dd(coefs[i].real())), ScalarDD::mul(f, to_dd(coefs[i].imag()))});
    }
    return out;
}

// The refined root, or r itself (see nbr/roots.hpp).
std::complex<double> refine(const std::vector<DDC>& q, std::complex<double> r) {
    if (q.size() < 2) return r;
    DDC z{to_dd(r.real()), to_dd(r.imag())};
    for (int step = 0; step < 6; ++step) {
        DDC p = q[0], dp{to_dd(0.0), to_dd(0.0)};
        for (std::size_t i = 1; i < q.size(); ++i) {
            dp = dp * z + p;
            p = p * z + q[i];
        }
        if (!finite(p) || !finite(dp) || (dp.re.hi == 0.0 && dp.im.hi == 0.0)) return r;
        const DDC dz = p / dp;
        if (!finite(dz)) return r;
        z = z - dz;
        if (size(dz) <= std::ldexp(size(z), -104)) break;
    }
    double re = z.re.hi, im = z.im.hi;  // hi is the double nearest hi + lo
    const double big = std::fmax(std::fabs(re), std::fabs(im));
    const double moved = std::fmax(std::fabs(re - r.real()), std::fabs(im - r.imag()));
    if (!std::isfinite(big) || moved > std::ldexp(std::fmax(std::fabs(r.real()), std::fabs(r.imag())), -20)) return r;
    if (std::fabs(re) <= std::ldexp(big, -96)) re = 0.0;
    if (std::fabs(im) <= std::ldexp(big, -96)) im = 0.0;
    return {re, im};
}

}  // namespace

void polish_roots(const std::complex<double>* coefs, std::size_t ncoefs, std::complex<double>* roots,
                  const int* mult, std::size_t nroots) {
    std::vector<std::vector<DDC>> derivatives;  // by multiplicity - 1, made when first needed
    for (std::size_t i = 0; i < nroots; ++i) {
        const int m = mult[i];
        if (m < 1 || static_cast<std::size_t>(m) >= ncoefs) continue;
        if (derivatives.size() < static_cast<std::size_t>(m)) derivatives.resize(static_cast<std::size_t>(m));
        auto& q = derivatives[static_cast<std::size_t>(m - 1)];
        if (q.empty()) q = derivative(coefs, ncoefs, m - 1);
        roots[i] = refine(q, roots[i]);
    }
}

}  // namespace nbr
