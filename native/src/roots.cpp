// Canonical roots: Newton's method in double-double (see nbr/roots.hpp).
#include "nbr/roots.hpp"

#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace nbr {

namespace {

struct DD {
    double hi = 0.0, lo = 0.0;
};

DD quick_two_sum(double a, double b) {  // |a| >= |b|
    const double s = a + b;
    return {s, b - (s - a)};
}

DD two_sum(double a, double b) {
    const double s = a + b, bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
}

DD two_prod(double a, double b) {  // Dekker: exact unless a product under- or overflows
    const double p = a * b;
    const double split = 134217729.0;  // 2^27 + 1
    const double ca = split * a, cb = split * b;
    const double ah = ca - (ca - a), bh = cb - (cb - b);
    const double al = a - ah, bl = b - bh;
    return {p, (((ah * bh - p) + ah * bl) + al * bh) + al * bl};
}

DD operator+(DD a, DD b) {
    DD s = two_sum(a.hi, b.hi);
    const DD t = two_sum(a.lo, b.lo);
    s = quick_two_sum(s.hi, s.lo + t.hi);
    return quick_two_sum(s.hi, s.lo + t.lo);
}

DD operator-(DD a) { return {-a.hi, -a.lo}; }
DD operator-(DD a, DD b) { return a + (-b); }

DD operator*(DD a, DD b) {
    const DD p = two_prod(a.hi, b.hi);
    return quick_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

DD operator/(DD a, DD b) {
    const double q1 = a.hi / b.hi;
    DD r = a - b * DD{q1, 0.0};
    const double q2 = r.hi / b.hi;
    r = r - b * DD{q2, 0.0};
    const double q3 = r.hi / b.hi;
    return quick_two_sum(q1, q2) + DD{q3, 0.0};
}

struct CDD {
    DD re, im;
};

CDD operator+(CDD a, CDD b) { return {a.re + b.re, a.im + b.im}; }
CDD operator-(CDD a, CDD b) { return {a.re - b.re, a.im - b.im}; }
CDD operator*(CDD a, CDD b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
CDD operator/(CDD a, CDD b) {
    const DD d = b.re * b.re + b.im * b.im;
    return {(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}

bool finite(CDD a) {
    return std::isfinite(a.re.hi) && std::isfinite(a.re.lo) && std::isfinite(a.im.hi) && std::isfinite(a.im.lo);
}
double size(CDD a) { return std::fmax(std::fabs(a.re.hi), std::fabs(a.im.hi)); }

// The coefficients of the d-th derivative of p (highest degree first).
std::vector<CDD> derivative(const std::complex<double>* coefs, std::size_t ncoefs, int d) {
    const std::size_t n = ncoefs - 1;
    std::vector<CDD> out;
    for (std::size_t i = 0; i + static_cast<std::size_t>(d) <= n; ++i) {
        const std::size_t k = n - i;  // the power of this coefficient
        DD f{1.0, 0.0};
        for (int j = 0; j < d; ++j) f = f * DD{static_cast<double>(k - static_cast<std::size_t>(j)), 0.0};
        out.push_back({f * DD{coefs[i].real(), 0.0}, f * DD{coefs[i].imag(), 0.0}});
    }
    return out;
}

// The refined root, or r itself (see nbr/roots.hpp).
std::complex<double> refine(const std::vector<CDD>& q, std::complex<double> r) {
    if (q.size() < 2) return r;
    CDD z{{r.real(), 0.0}, {r.imag(), 0.0}};
    for (int step = 0; step < 6; ++step) {
        CDD p = q[0], dp{};
        for (std::size_t i = 1; i < q.size(); ++i) {
            dp = dp * z + p;
            p = p * z + q[i];
        }
        if (!finite(p) || !finite(dp) || (dp.re.hi == 0.0 && dp.im.hi == 0.0)) return r;
        const CDD dz = p / dp;
        if (!finite(dz)) return r;
        z = z - dz;
        if (size(dz) <= std::ldexp(size(z), -104)) break;
    }
    double re = z.re.hi, im = z.im.hi;
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
    std::vector<std::vector<CDD>> derivatives;  // by multiplicity - 1, made when first needed
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
