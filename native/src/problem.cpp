// The names of methods and precisions, and the checks a problem and its
// options pass before anything is rendered.
#include <cmath>
#include <complex>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "nbr/render.hpp"
#include "validate.hpp"

namespace nbr {

namespace {

// "a, b or c": the names of a table's entries, for error messages.
template <class E, std::size_t N>
std::string choices(const E (&table)[N], const char* (*name)(E)) {
    std::string s;
    for (std::size_t i = 0; i < N; ++i) s += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(name(table[i]));
    return s;
}

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

bool finite(std::complex<double> z) { return std::isfinite(z.real()) && std::isfinite(z.imag()); }

// lo is empty, or one finite low part per value of hi, each at most half a unit
// in its last place (hi + lo rounds to hi).
void check_low_parts(const std::vector<double>& hi, const std::vector<double>& lo, const char* name) {
    if (lo.empty()) return;
    require(lo.size() == hi.size(), std::string(name) + " must be empty or have one value per start point");
    for (std::size_t i = 0; i < lo.size(); ++i)
        require(std::isfinite(lo[i]) && hi[i] + lo[i] == hi[i],
                std::string(name) + " must hold low parts: finite, at most half a unit in the last place");
}

}  // namespace

const char* method_name(Method m) {
    switch (m) {
        case Method::newton: return "newton";
        case Method::relaxed: return "relaxed";
        case Method::halley: return "halley";
        case Method::schroder: return "schroder";
        case Method::householder: return "householder";
    }
    return "newton";
}

Method parse_method(const std::string& name) {
    for (Method m : kMethods)
        if (name == method_name(m)) return m;
    throw std::invalid_argument("unknown method '" + name + "' (choose " + choices(kMethods, method_name) + ")");
}

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::single: return "single";
        case Precision::double_double: return "double-double";
        case Precision::double_: break;
    }
    return "double";
}

int precision_bits(Precision p) {
    switch (p) {
        case Precision::single: return 24;
        case Precision::double_double: return 106;
        case Precision::double_: break;
    }
    return 53;
}

Precision parse_precision(const std::string& name) {
    for (Precision p : kPrecisions)
        if (name == precision_name(p)) return p;
    throw std::invalid_argument("unknown precision '" + name + "' (choose " + choices(kPrecisions, precision_name) +
                                ")");
}

namespace detail {

void validate(const Problem& P, const Options& opt) {
    const auto max_degree = static_cast<std::size_t>(limits::max_degree);
    const auto max_side = static_cast<std::size_t>(limits::max_side);
    require(P.coefs.size() >= 2, "the polynomial must have degree >= 1");
    require(P.coefs.size() - 1 <= max_degree,
            "the polynomial's degree must be at most " + std::to_string(limits::max_degree));
    require(P.coefs[0] != std::complex<double>(0.0, 0.0), "the leading coefficient must not be zero");
    for (const auto& c : P.coefs) require(finite(c), "coefficients must be finite");
    require(!P.roots.empty() && P.roots.size() <= max_degree,
            "need 1 to " + std::to_string(limits::max_degree) + " roots");
    require(P.itmax >= 1, "itmax must be >= 1");
    require(P.tol > 0.0 && std::isfinite(P.tol), "tol must be a positive finite number");
    require(finite(P.relax) && P.relax != std::complex<double>(0.0, 0.0),
            "relax must be a finite nonzero complex number");
    require(!P.xs.empty() && !P.ys.empty(), "the image must have at least one pixel");
    require(P.xs.size() <= max_side && P.ys.size() <= max_side,
            "image side too large (at most " + std::to_string(limits::max_side) + ")");
    static_assert(limits::max_itmax_single == (1 << 24) - 1, "the message below names the limit");
    require(opt.precision != Precision::single || P.itmax <= limits::max_itmax_single,
            "itmax must be below 16777216 (2^24) in single precision");
    if (opt.series) {
        const SeriesReference& r = *opt.series;
        require(std::isfinite(r.re) && std::isfinite(r.re_lo) && std::isfinite(r.im) && std::isfinite(r.im_lo),
                "the series' reference point must be finite");
        require(std::isfinite(r.radius) && r.radius >= 0.0 && std::isfinite(r.spacing) && r.spacing > 0.0,
                "the series' radius must be finite and >= 0, its spacing finite and > 0");
    }
    check_low_parts(P.xs, P.xs_lo, "xs_lo");
    check_low_parts(P.ys, P.ys_lo, "ys_lo");
    require(opt.threads >= 0 && opt.threads <= limits::max_threads,
            "threads must be between 0 (all) and " + std::to_string(limits::max_threads));
}

}  // namespace detail
}  // namespace nbr
