// The series approximation of deep double-double views (series.hpp).
#include "series.hpp"

#include <cmath>
#include <cstddef>

#include "complex_dd.hpp"
#include "validate.hpp"

namespace nbr {
namespace detail {

namespace {

using D = ScalarDD;  // the kernels' double-double arithmetic, one number at a time
constexpr int R = SeriesStart::kOrder;

// Complex doubles with every operation spelled out (std::complex leaves multiplication,
// division and the modulus to the library, which differs between systems): the same
// series, and so the same pictures, everywhere.
struct cplx {
    double re = 0.0, im = 0.0;
    cplx() = default;
    cplx(double r, double i = 0.0) : re(r), im(i) {}  // NOLINT(google-explicit-constructor)
};
cplx operator+(cplx a, cplx b) { return {a.re + b.re, a.im + b.im}; }
cplx operator-(cplx a, cplx b) { return {a.re - b.re, a.im - b.im}; }
cplx operator*(cplx a, cplx b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
cplx operator/(cplx a, cplx b) {
    const double d2 = b.re * b.re + b.im * b.im;
    return {(a.re * b.re + a.im * b.im) / d2, (a.im * b.re - a.re * b.im) / d2};
}
double modulus(cplx a) { return std::sqrt(a.re * a.re + a.im * a.im); }
bool finite(cplx a) { return std::isfinite(a.re) && std::isfinite(a.im); }

cplx value(DDC a) { return {a.re.hi, a.im.hi}; }

// A truncated power series in the offset d: v + d[0] d + ... + d[R-1] d^R, its
// value in double-double, the other coefficients in double.
struct Jet {
    DDC v;
    std::array<cplx, R> d{};

    static Jet constant(cplx c) { return {{to_dd(c.re), to_dd(c.im)}, {}}; }
    // the coefficient of d^k (k = 0 .. R), the value as a double
    cplx at(int k) const { return k == 0 ? value(v) : d[static_cast<std::size_t>(k - 1)]; }
};

Jet operator+(const Jet& a, const Jet& b) {
    Jet r{a.v + b.v, {}};
    for (std::size_t k = 0; k < R; ++k) r.d[k] = a.d[k] + b.d[k];
    return r;
}
Jet operator-(const Jet& a, const Jet& b) {
    Jet r{a.v - b.v, {}};
    for (std::size_t k = 0; k < R; ++k) r.d[k] = a.d[k] - b.d[k];
    return r;
}
Jet operator*(const Jet& a, const Jet& b) {
    Jet r{a.v * b.v, {}};
    for (int k = 1; k <= R; ++k) {
        cplx s = a.at(0) * b.at(k);
        for (int i = 1; i <= k; ++i) s = s + a.at(i) * b.at(k - i);
        r.d[static_cast<std::size_t>(k - 1)] = s;
    }
    return r;
}
Jet operator/(const Jet& a, const Jet& b) {
    Jet q{a.v / b.v, {}};
    const cplx b0 = b.at(0);
    for (int k = 1; k <= R; ++k) {
        cplx s = a.at(k);
        for (int i = 0; i < k; ++i) s = s - q.at(i) * b.at(k - i);
        q.d[static_cast<std::size_t>(k - 1)] = s / b0;
    }
    return q;
}

// The least |f(d)| over |d| <= radius, by the series: |f_0| - sum |f_k| radius^k.
double lower_bound(const Jet& f, double radius) {
    double b = modulus(f.at(0)), rk = 1.0;
    for (int k = 1; k <= R; ++k) {
        rk *= radius;
        b -= modulus(f.at(k)) * rk;
    }
    return b;
}

bool finite(const Jet& f) {
    for (int k = 0; k <= R; ++k)
        if (!finite(f.at(k))) return false;
    return true;
}

double power(double x, int n) {
    double r = 1.0;
    for (int k = 0; k < n; ++k) r *= x;
    return r;
}

// p, p' and p''/2 at z, together (Horner, as the kernel's pass).
struct Values {
    Jet p, d, e;
};
Values evaluate(const std::vector<std::complex<double>>& c, const Jet& z, bool second) {
    auto coef = [&](std::size_t j) { return Jet::constant({c[j].real(), c[j].imag()}); };
    Values v{coef(0), Jet::constant(0.0), Jet::constant(0.0)};
    for (std::size_t j = 1; j < c.size(); ++j) {
        if (second) v.e = v.e * z + v.d;
        v.d = v.d * z + v.p;
        v.p = v.p * z + coef(j);
    }
    return v;
}

// One step of the method from z, given p, p', p''/2 there: the next z, and the
// denominator that must not vanish.
struct Step {
    Jet z, denominator;
};
Step step(Method m, const Jet& z, const Values& v, std::complex<double> relax) {
    switch (m) {
        case Method::relaxed: return {z - Jet::constant({relax.real(), relax.imag()}) * (v.p / v.d), v.d};
        case Method::halley: {
            const Jet den = v.d * v.d - v.p * v.e;
            return {z - (v.p * v.d) / den, den};
        }
        case Method::schroder: {
            const Jet pe = v.p * v.e;
            const Jet den = v.d * v.d - (pe + pe);
            return {z - (v.p * v.d) / den, den};
        }
        case Method::householder: {
            const Jet u = v.p / v.d, w = v.e / v.d;
            return {z - u * (Jet::constant(1.0) + u * w), v.d};
        }
        case Method::newton: break;
    }
    return {z - v.p / v.d, v.d};
}

bool needs_second(Method m) { return m == Method::halley || m == Method::schroder || m == Method::householder; }

// A unit in the last place of a double near |x|.
double unit(double x) {
    int e = 0;
    std::frexp(x, &e);
    return std::ldexp(1.0, e - 53);
}

// Whether every start point within `radius` is still far from converging, from
// overflowing and from a zero denominator at this step, and the series of the
// next point is exact to far below a pixel.
bool still_exact(const Values& v, const Step& s, const Problem& P, const SeriesReference& ref) {
    if (!finite(v.p) || !finite(s.denominator) || !finite(s.z)) return false;
    if (!(lower_bound(v.p, ref.radius) > 2.0 * P.tol)) return false;
    if (!(lower_bound(s.denominator, ref.radius) > 0.5 * modulus(s.denominator.at(0)))) return false;
    const double tail = modulus(s.z.at(R)) * power(ref.radius, R);
    return tail <= std::ldexp(ref.spacing * modulus(s.z.at(1)), -SeriesStart::kTailBits);
}

}  // namespace

SeriesStart::SeriesStart(const Problem& P, const SeriesReference& ref) : ref_(ref) {
    Jet z{{{ref.re, ref.re_lo}, {ref.im, ref.im_lo}}, {}};
    z.d[0] = cplx(1.0);  // z_0(d) = c + d
    const bool second = needs_second(P.method);
    Values v = evaluate(P.coefs, z, second);
    if (!(lower_bound(v.p, ref.radius) > 2.0 * P.tol)) return;  // pixels converged at once
    int m = 0;
    Jet at = z;
    while (m < P.itmax) {
        const Step s = step(P.method, at, v, P.relax);
        const Values next = evaluate(P.coefs, s.z, second);
        if (!still_exact(next, s, P, ref)) break;
        at = s.z;
        v = next;
        ++m;
    }
    const double a1 = modulus(at.at(1));
    const double reach = modulus(at.at(0)) + ref.radius * a1;
    if (m == 0 || !(ref.spacing * a1 >= std::ldexp(unit(reach), kDoubleMarginBits))) return;
    usable_ = true;
    steps_ = m;
    zr_hi_ = at.v.re.hi;
    zr_lo_ = at.v.re.lo;
    zi_hi_ = at.v.im.hi;
    zi_lo_ = at.v.im.lo;
    for (std::size_t k = 0; k < R; ++k) a_[k] = {at.d[k].re, at.d[k].im};
}

std::complex<double> SeriesStart::start(double x, double x_lo, double y, double y_lo) const {
    // the offset from the reference to a rounding of its own (the high parts of close numbers
    // subtract exactly, the low parts exactly as a two-sum)
    auto offset = [](double hi, double lo, double c_hi, double c_lo) {
        const double s = lo - c_lo, bb = s - lo;
        const double e = (lo - (s - bb)) - (c_lo + bb);
        return ((hi - c_hi) + s) + e;
    };
    const cplx d(offset(x, x_lo, ref_.re, ref_.re_lo), offset(y, y_lo, ref_.im, ref_.im_lo));
    auto a = [&](std::size_t k) { return cplx(a_[k].real(), a_[k].imag()); };
    cplx s = a(R - 1);
    for (std::size_t k = R - 1; k-- > 0;) s = s * d + a(k);
    s = s * d;
    return {zr_hi_ + (zr_lo_ + s.re), zi_hi_ + (zi_lo_ + s.im)};
}

}  // namespace detail

int series_starts(const Problem& P, const SeriesReference& reference, std::vector<std::complex<double>>& out) {
    Options opt;
    opt.precision = Precision::double_double;
    opt.series = reference;
    detail::validate(P, opt);
    const detail::SeriesStart series(P, reference);
    out.clear();
    if (!series.usable()) return 0;
    for (std::size_t r = 0; r < P.ys.size(); ++r)
        for (std::size_t c = 0; c < P.xs.size(); ++c)
            out.push_back(series.start(P.xs[c], P.xs_lo.empty() ? 0.0 : P.xs_lo[c], P.ys[r],
                                       P.ys_lo.empty() ? 0.0 : P.ys_lo[r]));
    return series.steps();
}

}  // namespace nbr
