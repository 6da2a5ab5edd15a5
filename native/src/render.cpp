// The render driver: validates a Problem, finds rows that mirror each other,
// hands tiles of pixels to a pool of threads dynamically, and delivers results
// to a Sink. The calling thread works too, and polls the caller between tiles.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "dispatch.hpp"
#include "kernel.hpp"
#include "nbr/render.hpp"

namespace nbr {

// ---- methods and per-pixel values -----------------------------------------------------

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

namespace {

// "a, b or c": the names of a table's entries, for error messages.
template <class E, std::size_t N>
std::string choices(const E (&table)[N], const char* (*name)(E)) {
    std::string s;
    for (std::size_t i = 0; i < N; ++i) s += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(name(table[i]));
    return s;
}

}  // namespace

Method parse_method(const std::string& name) {
    for (Method m : kMethods)
        if (name == method_name(m)) return m;
    throw std::invalid_argument("unknown method '" + name + "' (choose " + choices(kMethods, method_name) + ")");
}

const char* precision_name(Precision p) { return p == Precision::single ? "single" : "double"; }

Precision parse_precision(const std::string& name) {
    for (Precision p : kPrecisions)
        if (name == precision_name(p)) return p;
    throw std::invalid_argument("unknown precision '" + name + "' (choose " + choices(kPrecisions, precision_name) +
                                ")");
}

SmoothCount smooth_iterations(StepCount k, double p2_before, double p2_at, double log_tol2) {
    if (k <= 0) return 0.0f;  // max(0, k - 1 + t) with t <= 1: no need for the logarithms
    const double a = std::log(p2_before);
    const double b = std::log(p2_at);
    double t = (log_tol2 - a) / (b - a);
    if (!(t >= 0.0)) t = 0.0;  // also NaN
    if (t > 1.0) t = 1.0;
    const double s = static_cast<double>(k) - 1.0 + t;
    return static_cast<float>(s > 0.0 ? s : 0.0);
}

Residual residual_value(double p2) {
    const double r = std::sqrt(p2);
    // doubles from here on round to +inf as floats; the cast would be undefined behaviour
    if (r >= 0x1.ffffffp127) return std::numeric_limits<float>::infinity();
    return static_cast<float>(r);  // NaN stays NaN
}

// ---- sinks ------------------------------------------------------------------------------

HsvSink::HsvSink(double* out, int width, int nroots, int itmax)
    : out_(out), w_(width), nroots_(nroots), itmax_(itmax) {
    hue_.resize(static_cast<std::size_t>(nroots));
    for (int r = 0; r < nroots; ++r) hue_[static_cast<std::size_t>(r)] = static_cast<double>(r) / static_cast<double>(nroots);
    if (itmax <= (1 << 16)) {
        value_.resize(static_cast<std::size_t>(itmax) + 1);
        for (int k = 0; k <= itmax; ++k)
            value_[static_cast<std::size_t>(k)] = 1.0 - static_cast<double>(k) / static_cast<double>(itmax);
    }
}

void HsvSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount*,
                  const Residual*) {
    double* o = out_ + (static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0)) * 3;
    const bool table = !value_.empty();
    for (int i = 0; i < n; ++i, o += 3) {
        if (root[i] < 0) {
            o[0] = o[1] = o[2] = 0.0;
        } else {
            o[0] = hue_[static_cast<std::size_t>(root[i])];
            o[1] = 1.0;
            o[2] = table ? value_[static_cast<std::size_t>(iter[i])]
                         : 1.0 - static_cast<double>(iter[i]) / static_cast<double>(itmax_);
        }
    }
}

void DataSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount*,
                   const Residual*) {
    const std::size_t o = static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0);
    std::memcpy(root_ + o, root, static_cast<std::size_t>(n) * sizeof(RootIndex));
    std::memcpy(iter_ + o, iter, static_cast<std::size_t>(n) * sizeof(StepCount));
}

void SmoothSink::put(int row, int col0, int n, const RootIndex*, const StepCount*, const SmoothCount* smooth,
                     const Residual* residual) {
    const std::size_t o = static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0);
    std::memcpy(smooth_ + o, smooth, static_cast<std::size_t>(n) * sizeof(SmoothCount));
    std::memcpy(residual_ + o, residual, static_cast<std::size_t>(n) * sizeof(Residual));
}

namespace {

template <class T>
void colorize_impl(const Palette& pal, std::size_t n, const RootIndex* root, const StepCount* iter,
                   const SmoothCount* smooth, T* out) {
    if (pal.depth != static_cast<int>(8 * sizeof(T)))
        throw std::invalid_argument("the output type does not match the palette's depth");
    if (pal.smooth && smooth == nullptr) throw std::invalid_argument("smooth shading needs the smooth counts");
    const float scale = sizeof(T) == 1 ? 1.0f : 257.0f;  // 255 -> 65535
    const std::size_t ncolors = pal.colors.size() / 3;
    const std::size_t nshade = pal.shade.size();
    T nc[3];
    for (int c = 0; c < 3; ++c) nc[c] = static_cast<T>(pal.nonconverged[c] * scale + 0.5f);
    for (std::size_t i = 0; i < n; ++i, out += 3) {
        const int r = root[i];
        if (r < 0 || static_cast<std::size_t>(r) >= ncolors || nshade == 0) {
            for (int c = 0; c < 3; ++c) out[c] = nc[c];
            continue;
        }
        float f;
        if (pal.smooth) {
            const float s = smooth[i] > 0.0f ? smooth[i] : 0.0f;  // also NaN -> 0
            const float fl = std::floor(s);
            const std::size_t k0 = fl < static_cast<float>(nshade - 1) ? static_cast<std::size_t>(fl) : nshade - 1;
            const std::size_t k1 = std::min(k0 + 1, nshade - 1);
            const float t = s - fl;  // exact
            f = pal.shade[k0] + (pal.shade[k1] - pal.shade[k0]) * t;
            f = std::min(std::max(f, 0.0f), 1.0f);
        } else {
            f = pal.shade[std::min(static_cast<std::size_t>(std::max(iter[i], 0)), nshade - 1)];
        }
        const float* col = &pal.colors[3 * static_cast<std::size_t>(r)];
        for (int c = 0; c < 3; ++c) out[c] = static_cast<T>(col[c] * scale * f + 0.5f);
    }
}

}  // namespace

void validate(const Palette& pal) {
    if (pal.colors.size() % 3 != 0) throw std::invalid_argument("colors must have shape (nroots, 3)");
    if (pal.shade.empty()) throw std::invalid_argument("shade needs one value per iteration");
    if (pal.depth != 8 && pal.depth != 16) throw std::invalid_argument("depth must be 8 or 16");
    for (float v : pal.colors)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("colors must be in [0, 255]");
    for (float v : pal.shade)
        if (!(v >= 0.f && v <= 1.f)) throw std::invalid_argument("shade must be in [0, 1]");
    for (float v : pal.nonconverged)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("nonconverged must be in [0, 255]");
}

void check_covers(const Palette& pal, std::size_t nroots, int itmax) {
    if (pal.colors.size() / 3 < nroots) throw std::invalid_argument("colors must have shape (nroots, 3)");
    const std::size_t entries = static_cast<std::size_t>(std::max(itmax, 0)) + (pal.smooth ? 1 : 0);
    if (pal.shade.size() < std::max<std::size_t>(entries, 1))
        throw std::invalid_argument(pal.smooth ? "shade needs itmax + 1 values for smooth shading (0..itmax)"
                                               : "shade needs one value per iteration");
}

void colorize(const Palette& pal, std::size_t n, const RootIndex* root, const StepCount* iter,
              const SmoothCount* smooth, std::uint8_t* out) {
    colorize_impl(pal, n, root, iter, smooth, out);
}

void colorize(const Palette& pal, std::size_t n, const RootIndex* root, const StepCount* iter,
              const SmoothCount* smooth, std::uint16_t* out) {
    colorize_impl(pal, n, root, iter, smooth, out);
}

RgbSink::RgbSink(std::uint8_t* out, int width, const Palette& palette) : out8_(out), w_(width), pal_(palette) {
    if (palette.depth != 8) throw std::invalid_argument("an 8-bit image needs a palette of depth 8");
}

RgbSink::RgbSink(std::uint16_t* out, int width, const Palette& palette) : out16_(out), w_(width), pal_(palette) {
    if (palette.depth != 16) throw std::invalid_argument("a 16-bit image needs a palette of depth 16");
}

void RgbSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
                  const Residual*) {
    const std::size_t px = static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0);
    if (out8_ != nullptr) colorize(pal_, static_cast<std::size_t>(n), root, iter, smooth, out8_ + 3 * px);
    else colorize(pal_, static_cast<std::size_t>(n), root, iter, smooth, out16_ + 3 * px);
}

// ---- driver -------------------------------------------------------------------------------

namespace {

// The largest span handed to a kernel. The float kernels number a span's
// pixels in float lanes, which is exact below 2^24.
constexpr std::int64_t kMaxTile = 16384;
static_assert(kMaxTile < (std::int64_t{1} << 24), "spans of the float kernels must hold fewer than 2^24 pixels");

void validate(const Problem& P) {
    if (P.coefs.size() < 2) throw std::invalid_argument("the polynomial must have degree >= 1");
    if (P.coefs.size() - 1 > static_cast<std::size_t>(limits::max_degree))
        throw std::invalid_argument("the polynomial's degree must be at most " + std::to_string(limits::max_degree));
    if (P.coefs[0] == std::complex<double>(0.0, 0.0))
        throw std::invalid_argument("the leading coefficient must not be zero");
    for (const auto& c : P.coefs)
        if (!std::isfinite(c.real()) || !std::isfinite(c.imag()))
            throw std::invalid_argument("coefficients must be finite");
    if (P.roots.empty() || P.roots.size() > static_cast<std::size_t>(limits::max_degree))
        throw std::invalid_argument("need 1 to " + std::to_string(limits::max_degree) + " roots");
    if (P.itmax < 1) throw std::invalid_argument("itmax must be >= 1");
    if (!(P.tol > 0.0) || !std::isfinite(P.tol)) throw std::invalid_argument("tol must be a positive finite number");
    if (!std::isfinite(P.relax.real()) || !std::isfinite(P.relax.imag()) || P.relax == std::complex<double>(0.0, 0.0))
        throw std::invalid_argument("relax must be a finite nonzero complex number");
    if (P.xs.empty() || P.ys.empty()) throw std::invalid_argument("the image must have at least one pixel");
    if (P.xs.size() > static_cast<std::size_t>(limits::max_side) || P.ys.size() > static_cast<std::size_t>(limits::max_side))
        throw std::invalid_argument("image side too large (at most " + std::to_string(limits::max_side) + ")");
}

// Mirror symmetry. With real coefficients every operation of the kernel
// commutes with complex conjugation bit for bit (up to the signs of zeros,
// which no output depends on), so rows whose start points are exact
// conjugates (y and -y) have exactly conjugate orbits. If p is moreover even
// or odd (p(-z) = +-p(z)), orbits also commute with z -> -conj(z), so columns
// at x and -x mirror each other too. This holds for every method (p'' has
// the parity of p) except relaxed Newton with a non-real factor a, whose step
// at conj(z) is the conjugate of the step with factor conj(a): no mirrors then. Only one of each pair is
// iterated; the other is copied with its root index permuted. A pair is used
// only when the two coordinates are exact negatives and the roots are exactly
// closed under the reflection, so the result is bit-identical either way.
// All of this holds in single precision too: rounding to float commutes with
// negation, so exact negatives stay exact negatives and real coefficients real.
struct Mirror {
    std::vector<int> primary;       // indices (rows or columns) to compute, ascending
    std::vector<int> partner;       // for each primary index, its mirror image, or -1
    std::vector<std::int16_t> perm; // root index -> root index of the reflected root
    bool active = false;
};

template <class Reflect>
Mirror plan_mirror(const std::vector<double>& v, const std::vector<std::complex<double>>& roots, bool allow,
                   Reflect reflect) {
    Mirror m;
    const int n = static_cast<int>(v.size());
    std::vector<int> partner(static_cast<std::size_t>(n), -1);
    if (allow) {
        m.perm.resize(roots.size());
        for (std::size_t j = 0; j < roots.size() && allow; ++j) {
            auto it = std::find(roots.begin(), roots.end(), reflect(roots[j]));
            if (it == roots.end()) allow = false;
            else m.perm[j] = static_cast<std::int16_t>(it - roots.begin());
        }
    }
    if (allow) {
        std::unordered_map<double, int> where;
        for (int i = 0; i < n; ++i) where.emplace(v[static_cast<std::size_t>(i)], i);
        for (int i = 0; i < n; ++i) {
            const double x = v[static_cast<std::size_t>(i)];
            if (!(x > 0.0) || partner[static_cast<std::size_t>(i)] != -1) continue;
            auto it = where.find(-x);
            if (it == where.end() || it->second == i || partner[static_cast<std::size_t>(it->second)] != -1) continue;
            partner[static_cast<std::size_t>(i)] = it->second;
            partner[static_cast<std::size_t>(it->second)] = -2;  // computed through i
            m.active = true;
        }
    }
    for (int i = 0; i < n; ++i) {
        const int p = partner[static_cast<std::size_t>(i)];
        if (p == -2) continue;
        m.primary.push_back(i);
        m.partner.push_back(p);
    }
    return m;
}

// x rounded to the nearest float (ties to even), +-inf beyond the float range
// (where a plain cast would be undefined behaviour).
float to_float(double x) {
    if (x >= 0x1.ffffffp127) return std::numeric_limits<float>::infinity();
    if (x <= -0x1.ffffffp127) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(x);
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

std::vector<float> to_floats(const std::vector<double>& v) {
    std::vector<float> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_float(v[i]);
    return out;
}

// p(-z) = p(z) or -p(z): the nonzero coefficients all sit at powers of one parity.
bool parity_polynomial(const std::vector<std::complex<double>>& c) {
    bool even = true, odd = true;
    const std::size_t n = c.size() - 1;
    for (std::size_t i = 0; i <= n; ++i) {
        if (c[i] == std::complex<double>(0.0, 0.0)) continue;
        if (((n - i) & 1u) == 1u) even = false;
        else odd = false;
    }
    return even || odd;
}

}  // namespace

Stats render(const Problem& P, Sink& sink, const Options& opt, const Control& ctl) {
    validate(P);
    const bool single = opt.precision == Precision::single;
    if (single && P.itmax > limits::max_itmax_single)
        throw std::invalid_argument("itmax must be below 16777216 (2^24) in single precision");
    static_assert(limits::max_itmax_single == 16777215, "the message above names the limit");
    if (opt.threads < 0 || opt.threads > limits::max_threads)
        throw std::invalid_argument("threads must be between 0 (all) and " + std::to_string(limits::max_threads));
    const KernelEntry& kernel = find_kernel(opt.kernel);

    const int degree = static_cast<int>(P.coefs.size()) - 1;
    std::vector<double> cr(P.coefs.size()), ci(P.coefs.size()), rr(P.roots.size()), ri(P.roots.size());
    bool real = true;
    for (std::size_t j = 0; j < P.coefs.size(); ++j) {
        cr[j] = P.coefs[j].real();
        ci[j] = P.coefs[j].imag();
        if (ci[j] != 0.0) real = false;
    }
    for (std::size_t j = 0; j < P.roots.size(); ++j) {
        rr[j] = P.roots[j].real();
        ri[j] = P.roots[j].imag();
    }
    detail::KernelPoly kp{degree,    real,      cr.data(), ci.data(),     static_cast<int>(P.roots.size()),
                          rr.data(), ri.data(), P.itmax,   P.tol * P.tol, P.method,
                          P.relax.real(), P.relax.imag()};
    // Single precision: the same problem rounded to float (see kernel_impl.hpp),
    // after scaling p by a power of two 2^-e that brings its largest coefficient
    // part into [1, 2). Every method's iterates are unchanged by scaling p (p/p',
    // and the other steps, scale out exactly by powers of two), so this changes no
    // result within float's range; it only keeps |p|^2, |p'|^2 and tol^2 of
    // polynomials with huge or tiny coefficients (1e20 z^3 - 1e20) from
    // overflowing or underflowing float. The convergence test compares the scaled
    // |p|^2 with the scaled tol^2; residuals are scaled back.
    const int scale_exp = single ? coefficient_exponent(cr, ci) : 0;
    std::vector<float> crf, cif;
    if (single) {
        for (std::size_t j = 0; j < cr.size(); ++j) {
            crf.push_back(to_float(std::ldexp(cr[j], -scale_exp)));
            cif.push_back(to_float(std::ldexp(ci[j], -scale_exp)));
        }
    }
    const detail::KernelPolySingle kpf{degree,    real,      crf.data(), cif.data(),
                                       kp.nroots, rr.data(), ri.data(),  P.itmax,
                                       to_float(std::ldexp(kp.tol2, -2 * scale_exp)),
                                       P.method,  to_float(kp.ar),       to_float(kp.ai)};
    const double log_tol2 = std::log(single ? static_cast<double>(kpf.tol2) : kp.tol2);
    const bool want_smooth = sink.wants_smooth();
    const bool want_residual = want_smooth && sink.wants_residual();

    const bool mirrors = opt.symmetry && real && !(P.method == Method::relaxed && P.relax.imag() != 0.0);
    const Mirror rows = plan_mirror(P.ys, P.roots, mirrors, [](std::complex<double> z) { return std::conj(z); });
    const Mirror cols = plan_mirror(P.xs, P.roots, mirrors && parity_polynomial(P.coefs),
                                    [](std::complex<double> z) { return -std::conj(z); });
    std::vector<double> ys;
    ys.reserve(rows.primary.size());
    for (int r : rows.primary) ys.push_back(P.ys[static_cast<std::size_t>(r)]);
    std::vector<double> xs;
    xs.reserve(cols.primary.size() + 16);
    for (int c : cols.primary) xs.push_back(P.xs[static_cast<std::size_t>(c)]);
    xs.resize(cols.primary.size() + 16, 0.0);  // kernels may read a vector's worth past the end
    const std::vector<float> xsf = single ? to_floats(xs) : std::vector<float>();
    const std::vector<float> ysf = single ? to_floats(ys) : std::vector<float>();
    // root permutation for the pixel mirrored in both directions (z -> -z)
    std::vector<std::int16_t> both_perm;
    if (rows.active && cols.active)
        for (std::int16_t r : rows.perm) both_perm.push_back(cols.perm[static_cast<std::size_t>(r)]);

    const std::int64_t w = static_cast<std::int64_t>(cols.primary.size());  // computed columns
    const std::int64_t total = w * static_cast<std::int64_t>(rows.primary.size());
    const std::uint64_t delivered_total = static_cast<std::uint64_t>(P.xs.size()) * P.ys.size();

    int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::clamp(threads, 1, limits::max_threads);
    // Tiles small enough for ~16 per thread (balance: basins cost wildly
    // different amounts), large enough to amortise the lanes' drain.
    // Tiles shrink towards the end (guided scheduling: a quarter of each
    // thread's share of what is left), so the threads run out of work at
    // nearly the same moment.
    const std::int64_t tile = std::clamp<std::int64_t>(total / (16 * std::int64_t{threads}), 256, kMaxTile);
    const std::int64_t min_tile = std::min<std::int64_t>(tile, 1024);
    const std::int64_t ntiles = (total + tile - 1) / tile;
    threads = static_cast<int>(std::min<std::int64_t>(threads, ntiles));

    std::atomic<std::int64_t> next_pixel{0};
    // Claims the next tile [a, b); false when none is left.
    auto claim = [&](std::int64_t& a, std::int64_t& b) {
        a = next_pixel.load(std::memory_order_relaxed);
        do {
            if (a >= total) return false;
            const std::int64_t n = std::clamp<std::int64_t>((total - a) / (4 * std::int64_t{threads}), min_tile, tile);
            b = std::min(total, a + n);
        } while (!next_pixel.compare_exchange_weak(a, b, std::memory_order_relaxed));
        return true;
    };
    std::atomic<std::uint64_t> done{0}, steps{0};
    std::atomic<bool> cancel{false}, tie_seen{false};
    std::atomic<int> running{threads};
    std::exception_ptr error;
    std::mutex error_mutex;
    std::mutex finished_mutex;  // the last thread to finish wakes the caller at once
    std::condition_variable finished;

    auto fail = [&](std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = e;
        cancel.store(true);
    };

    using clock = std::chrono::steady_clock;
    auto last_poll = clock::now();
    const auto interval = std::chrono::duration<double>(ctl.poll_interval);
    auto poll = [&]() {
        if (!ctl.poll || cancel.load()) return;
        const auto now = clock::now();
        if (now - last_poll < interval) return;
        last_poll = now;
        try {
            ctl.poll(done.load(), delivered_total);
        } catch (...) {
            fail(std::current_exception());
        }
    };

    // How the kernel asks whether to give up a span: workers look at the flag;
    // the calling thread also polls the caller (signals, progress) meanwhile.
    struct StopCheck {
        std::atomic<bool>* cancel;
        std::function<void()> poll;
        static bool check(void* self) {
            auto* s = static_cast<StopCheck*>(self);
            if (s->poll) s->poll();
            return s->cancel->load(std::memory_order_relaxed);
        }
    };

    auto work = [&](bool caller) {
        try {
            StopCheck stop{&cancel, caller ? std::function<void()>(poll) : std::function<void()>()};
            const auto tsz = static_cast<std::size_t>(tile);
            std::vector<std::int16_t> root(tsz), proot(tsz);
            std::vector<std::int32_t> iter(tsz), piter(tsz);
            std::vector<double> zr(tsz), zi(tsz);  // the kernel's scratch space
            const std::size_t ssz = want_smooth ? tsz : 0;
            std::vector<double> p2a(ssz), p2b(ssz);
            std::vector<float> smooth(ssz), residual(ssz), psmooth(ssz), presidual(ssz);
            std::uint64_t my_steps = 0;

            // Delivers computed columns [k0, k0 + n) of one row to image row `row`,
            // through root permutations `direct` (for the computed columns) and
            // `mirrored` (for their mirror images); null means the identity.
            // sm and rs (smooth counts and residuals) are null unless wanted.
            auto deliver = [&](int row, std::int64_t k0, std::int64_t n, const std::int16_t* r, const std::int32_t* it,
                               const float* sm, const float* rs, const std::int16_t* direct,
                               const std::int16_t* mirrored) -> std::uint64_t {
                std::uint64_t count = 0;
                auto mapped = [&](const std::int16_t* perm, std::int16_t v) -> std::int16_t {
                    return (perm == nullptr || v < 0) ? v : perm[static_cast<std::size_t>(v)];
                };
                for (std::int64_t k = k0, e; k < k0 + n; k = e) {  // runs of adjacent image columns
                    e = k + 1;
                    while (e < k0 + n && cols.primary[static_cast<std::size_t>(e)] ==
                                             cols.primary[static_cast<std::size_t>(e - 1)] + 1)
                        ++e;
                    const std::int64_t len = e - k;
                    const std::int16_t* run = r + (k - k0);
                    if (direct != nullptr) {
                        for (std::int64_t i = 0; i < len; ++i)
                            proot[static_cast<std::size_t>(i)] = mapped(direct, run[i]);
                        run = proot.data();
                    }
                    sink.put(row, cols.primary[static_cast<std::size_t>(k)], static_cast<int>(len), run, it + (k - k0),
                             sm != nullptr ? sm + (k - k0) : nullptr, rs != nullptr ? rs + (k - k0) : nullptr);
                    count += static_cast<std::uint64_t>(len);
                }
                if (!cols.active) return count;
                for (std::int64_t k = k0, e; k < k0 + n; k = e) {  // runs of mirrored columns, reversed
                    e = k + 1;
                    if (cols.partner[static_cast<std::size_t>(k)] < 0) continue;
                    while (e < k0 + n && cols.partner[static_cast<std::size_t>(e)] >= 0 &&
                           cols.partner[static_cast<std::size_t>(e)] == cols.partner[static_cast<std::size_t>(e - 1)] - 1)
                        ++e;
                    const std::int64_t len = e - k;
                    for (std::int64_t i = 0; i < len; ++i) {
                        const std::int64_t src = e - 1 - i - k0;
                        proot[static_cast<std::size_t>(i)] = mapped(mirrored, r[src]);
                        piter[static_cast<std::size_t>(i)] = it[src];
                        if (sm != nullptr) psmooth[static_cast<std::size_t>(i)] = sm[src];
                        if (rs != nullptr) presidual[static_cast<std::size_t>(i)] = rs[src];
                    }
                    sink.put(row, cols.partner[static_cast<std::size_t>(e - 1)], static_cast<int>(len), proot.data(),
                             piter.data(), sm != nullptr ? psmooth.data() : nullptr,
                             rs != nullptr ? presidual.data() : nullptr);
                    count += static_cast<std::uint64_t>(len);
                }
                return count;
            };

            while (!cancel.load(std::memory_order_relaxed)) {
                std::int64_t a = 0, b = 0;
                if (!claim(a, b)) break;
                std::int64_t ties = 0;
                double* const pa = want_smooth ? p2a.data() : nullptr;
                double* const pb = want_smooth ? p2b.data() : nullptr;
                if (single) {
                    const detail::KernelSpanSingle span{xsf.data(), w,         ysf.data(), a,     b,
                                                        root.data(), iter.data(), pa,        pb,    zr.data(),
                                                        zi.data(),  &StopCheck::check, &stop, &ties};
                    my_steps += kernel.fn_single(kpf, span);
                } else {
                    const detail::KernelSpan span{xs.data(),   w,           ys.data(), a,     b,
                                                  root.data(), iter.data(), pa,        pb,    zr.data(),
                                                  zi.data(),   &StopCheck::check, &stop, &ties};
                    my_steps += kernel.fn(kp, span);
                }
                if (cancel.load()) break;  // the span may be incomplete
                if (ties > 0 && (rows.active || cols.active)) {
                    tie_seen.store(true);  // mirrored pixels might differ: render again without mirrors
                    cancel.store(true);
                    break;
                }
                if (want_smooth) {
                    for (std::int64_t o = 0; o < b - a; ++o) {
                        const auto i = static_cast<std::size_t>(o);
                        smooth[i] = root[i] >= 0 ? smooth_iterations(iter[i], p2a[i], p2b[i], log_tol2)
                                                 : static_cast<float>(P.itmax);
                        if (want_residual)
                            residual[i] = residual_value(single ? std::ldexp(p2b[i], 2 * scale_exp) : p2b[i]);
                    }
                }
                std::uint64_t delivered = 0;
                for (std::int64_t id = a; id < b;) {
                    const std::int64_t prow = id / w, k = id - prow * w;
                    const std::int64_t n = std::min(b - id, w - k);
                    const std::size_t off = static_cast<std::size_t>(id - a);
                    const std::int16_t* r = root.data() + off;
                    const std::int32_t* it = iter.data() + off;
                    const float* sm = want_smooth ? smooth.data() + off : nullptr;
                    const float* rs = want_residual ? residual.data() + off : nullptr;
                    const bool col_mirror = cols.active;
                    delivered += deliver(rows.primary[static_cast<std::size_t>(prow)], k, n, r, it, sm, rs, nullptr,
                                         col_mirror ? cols.perm.data() : nullptr);
                    const int m = rows.partner[static_cast<std::size_t>(prow)];
                    if (m >= 0)
                        delivered += deliver(m, k, n, r, it, sm, rs, rows.perm.data(),
                                             col_mirror ? both_perm.data() : nullptr);
                    id += n;
                }
                done.fetch_add(delivered);
                if (caller) poll();
            }
            steps.fetch_add(my_steps);
        } catch (...) {
            fail(std::current_exception());
        }
        if (running.fetch_sub(1) == 1) {
            std::lock_guard<std::mutex> lock(finished_mutex);
            finished.notify_all();
        }
    };

    std::vector<std::thread> pool;
    try {
        for (int i = 1; i < threads; ++i) pool.emplace_back(work, false);
    } catch (...) {
        fail(std::current_exception());
        running.fetch_sub(threads - 1 - static_cast<int>(pool.size()));
    }
    work(true);
    {
        const auto wait = std::chrono::duration<double>(std::clamp(ctl.poll_interval, 0.001, 0.05));
        std::unique_lock<std::mutex> lock(finished_mutex);
        while (running.load() > 0) {
            finished.wait_for(lock, wait, [&] { return running.load() == 0; });
            lock.unlock();
            poll();
            lock.lock();
        }
    }
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
    if (tie_seen.load()) {
        // A converged point lay exactly halfway between two roots (possible
        // only with a large tol). "First root wins" does not commute with the
        // reflections, so mirrored pixels could differ from computed ones.
        Options plain = opt;
        plain.symmetry = false;
        return render(P, sink, plain, ctl);
    }

    Stats st;
    st.pixels = done.load();
    st.pixels_computed = static_cast<std::uint64_t>(total);
    st.iterations = steps.load();
    st.threads = threads;
    st.kernel = kernel.name;
    st.method = method_name(P.method);
    st.precision = precision_name(opt.precision);
    return st;
}

}  // namespace nbr
