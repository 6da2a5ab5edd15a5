// Preparing a problem for the kernels (kernel_input.hpp).
#include "kernel_input.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>

#include "smooth.hpp"

namespace nbr {
namespace detail {

namespace {

// Vectors of floats: kernels may read a vector's worth of columns past the end.
constexpr std::size_t kPadding = 16;

// x rounded to the nearest float (ties to even), +-inf beyond the float range
// (where a plain cast would be undefined behaviour).
float to_float(double x) {
    if (x >= 0x1.ffffffp127) return std::numeric_limits<float>::infinity();
    if (x <= -0x1.ffffffp127) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(x);
}

std::vector<float> to_floats(const std::vector<double>& v) {
    std::vector<float> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_float(v[i]);
    return out;
}

// e such that the largest |real or imaginary part| of the coefficients lies in
// [2^e, 2^(e+1)) (the coefficients are finite and not all zero).
int coefficient_exponent(const std::vector<double>& cr, const std::vector<double>& ci) {
    double m = 0.0;
    for (std::size_t j = 0; j < cr.size(); ++j) m = std::max({m, std::fabs(cr[j]), std::fabs(ci[j])});
    int e = 0;
    std::frexp(m, &e);  // m = f 2^e, f in [0.5, 1)
    return e - 1;
}

// v[i] for each i in `indices`.
std::vector<double> pick(const std::vector<double>& v, const std::vector<int>& indices, std::size_t padding) {
    std::vector<double> out;
    out.reserve(indices.size() + padding);
    for (int i : indices) out.push_back(v[static_cast<std::size_t>(i)]);
    out.resize(indices.size() + padding, 0.0);
    return out;
}

// hi[i] + lo[i] for each i in `indices` (lo empty: low parts 0).
std::vector<DoubleDouble> pick_dd(const std::vector<double>& hi, const std::vector<double>& lo,
                                  const std::vector<int>& indices, std::size_t padding) {
    std::vector<DoubleDouble> out;
    out.reserve(indices.size() + padding);
    for (int i : indices) {
        const auto k = static_cast<std::size_t>(i);
        out.emplace_back(hi[k], lo.empty() ? 0.0 : lo[k]);
    }
    out.resize(indices.size() + padding, DoubleDouble(0.0));
    return out;
}

std::vector<DoubleDouble> to_dd(const std::vector<double>& v) { return {v.begin(), v.end()}; }

}  // namespace

KernelInput::KernelInput(const Problem& P, Precision precision, const std::vector<int>& rows,
                         const std::vector<int>& cols, const SeriesStart* series)
    : precision_(precision),
      series_(precision == Precision::double_double ? series : nullptr),
      width_(static_cast<std::int64_t>(cols.size())),
      pixels_(width_ * static_cast<std::int64_t>(rows.size())),
      xs_(pick(P.xs, cols, kPadding)),
      ys_(pick(P.ys, rows, 0)) {
    bool real = true;
    for (const auto& c : P.coefs) {
        cr_.push_back(c.real());
        ci_.push_back(c.imag());
        real = real && c.imag() == 0.0;
    }
    for (const auto& r : P.roots) {
        rr_.push_back(r.real());
        ri_.push_back(r.imag());
    }
    const int degree = static_cast<int>(P.coefs.size()) - 1;
    poly_ = {degree,     real,       cr_.data(), ci_.data(),    static_cast<int>(P.roots.size()),
             rr_.data(), ri_.data(), P.itmax,    P.tol * P.tol, P.method,
             P.relax.real(), P.relax.imag()};
    if (precision_ == Precision::single) prepare_single(P);
    if (precision_ == Precision::double_double) prepare_dd(P, rows, cols);
    if (series_ != nullptr) poly_.skip = series_->steps();
    log_tol2_ = log_scalar(precision_ == Precision::single ? static_cast<double>(poly_single_.tol2) : poly_.tol2);
}

// Double-double: the start points with their low parts; coefficients, relax
// factor and tol^2 are double precision's, with low parts 0.
void KernelInput::prepare_dd(const Problem& P, const std::vector<int>& rows, const std::vector<int>& cols) {
    crd_ = to_dd(cr_);
    cid_ = to_dd(ci_);
    xsd_ = pick_dd(P.xs, P.xs_lo, cols, kPadding);
    ysd_ = pick_dd(P.ys, P.ys_lo, rows, 0);
    poly_dd_ = {poly_.degree,         poly_.real,   crd_.data(),          cid_.data(),
                poly_.nroots,         rr_.data(),   ri_.data(),           P.itmax,
                DoubleDouble(poly_.tol2), P.method, DoubleDouble(poly_.ar), DoubleDouble(poly_.ai)};
}

// Single precision: the same problem rounded to float (see kernel_impl.hpp),
// after scaling p by a power of two 2^-e that brings its largest coefficient
// part into [1, 2). Every method's iterates are unchanged by scaling p (p/p',
// and the other steps, scale out exactly by powers of two), so this changes no
// result within float's range; it only keeps |p|^2, |p'|^2 and tol^2 of
// polynomials with huge or tiny coefficients (1e20 z^3 - 1e20) from
// overflowing or underflowing float. The convergence test compares the scaled
// |p|^2 with the scaled tol^2; residuals are scaled back (unscaled_p2).
void KernelInput::prepare_single(const Problem& P) {
    scale_exp_ = coefficient_exponent(cr_, ci_);
    for (std::size_t j = 0; j < cr_.size(); ++j) {
        crf_.push_back(to_float(std::ldexp(cr_[j], -scale_exp_)));
        cif_.push_back(to_float(std::ldexp(ci_[j], -scale_exp_)));
    }
    xsf_ = to_floats(xs_);
    ysf_ = to_floats(ys_);
    poly_single_ = {poly_.degree,    poly_.real,           crf_.data(), cif_.data(),
                    poly_.nroots,    rr_.data(),           ri_.data(),  P.itmax,
                    to_float(std::ldexp(poly_.tol2, -2 * scale_exp_)), P.method,
                    to_float(poly_.ar), to_float(poly_.ai)};
}

// Where the series leads each of computed pixels [a, b).
void KernelInput::fill_starts(std::int64_t a, std::int64_t b, TileBuffers& tile) const {
    for (std::int64_t id = a; id < b; ++id) {
        const std::int64_t row = id / width_, col = id - row * width_;
        const DoubleDouble x = xsd_[static_cast<std::size_t>(col)], y = ysd_[static_cast<std::size_t>(row)];
        const std::complex<double> z = series_->start(x.hi, x.lo, y.hi, y.lo);
        tile.z0r[static_cast<std::size_t>(id - a)] = z.real();
        tile.z0i[static_cast<std::size_t>(id - a)] = z.imag();
    }
}

double KernelInput::unscaled_p2(double p2) const {
    return precision_ == Precision::single ? std::ldexp(p2, 2 * scale_exp_) : p2;
}

std::uint64_t KernelInput::run(const KernelEntry& kernel, std::int64_t a, std::int64_t b, TileBuffers& tile,
                               bool (*stop)(void*), void* stop_ctx, std::int64_t* ties) const {
    double* const p2a = tile.has_smooth() ? tile.p2_before.data() : nullptr;
    double* const p2b = tile.has_smooth() ? tile.p2_at.data() : nullptr;
    if (series_ != nullptr) {  // the series took the first steps; double takes the rest
        fill_starts(a, b, tile);
        const KernelSpan span{xs_.data(),       width_,  ys_.data(), a,    b,    tile.root.data(),
                              tile.iter.data(), p2a,     p2b,        tile.zr.data(), tile.zi.data(), stop,
                              stop_ctx,         ties,    tile.z0r.data(), tile.z0i.data()};
        return kernel.impl.fn(poly_, span);
    }
    if (precision_ == Precision::double_double) {
        const KernelSpanDD span{xsd_.data(),      width_, ysd_.data(), a,    b,    tile.root.data(),
                                tile.iter.data(), p2a,    p2b,         tile.zr.data(), tile.zi.data(), stop,
                                stop_ctx,         ties};
        return kernel.impl.fn_dd(poly_dd_, span);
    }
    if (precision_ == Precision::single) {
        const KernelSpanSingle span{xsf_.data(), width_,   ysf_.data(),     a,    b,    tile.root.data(),
                                    tile.iter.data(), p2a, p2b, tile.zr.data(), tile.zi.data(), stop,
                                    stop_ctx,    ties};
        return kernel.impl.fn_single(poly_single_, span);
    }
    const KernelSpan span{xs_.data(),       width_, ys_.data(), a,    b,    tile.root.data(),
                          tile.iter.data(), p2a,    p2b,        tile.zr.data(), tile.zi.data(), stop,
                          stop_ctx,         ties};
    return kernel.impl.fn(poly_, span);
}

}  // namespace detail
}  // namespace nbr
