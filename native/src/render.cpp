// The render driver: validates a Problem, finds rows that mirror each other,
// hands tiles of pixels to a pool of threads dynamically, and delivers results
// to a Sink. The calling thread works too, and polls the caller between tiles.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "dispatch.hpp"
#include "kernel.hpp"
#include "nbr/render.hpp"

namespace nbr {

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

void HsvSink::put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) {
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

void DataSink::put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) {
    const std::size_t o = static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0);
    std::memcpy(root_ + o, root, static_cast<std::size_t>(n) * sizeof(std::int16_t));
    std::memcpy(iter_ + o, iter, static_cast<std::size_t>(n) * sizeof(std::int32_t));
}

void colorize(const Palette& pal, std::size_t n, const std::int16_t* root, const std::int32_t* iter, std::uint8_t* rgb) {
    const std::size_t ncolors = pal.colors.size() / 3;
    const std::size_t nshade = pal.shade.size();
    for (std::size_t i = 0; i < n; ++i, rgb += 3) {
        const int r = root[i];
        if (r < 0 || static_cast<std::size_t>(r) >= ncolors || nshade == 0) {
            for (int c = 0; c < 3; ++c) rgb[c] = static_cast<std::uint8_t>(pal.nonconverged[c] + 0.5f);
            continue;
        }
        const std::size_t k = std::min(static_cast<std::size_t>(std::max(iter[i], 0)), nshade - 1);
        const float f = pal.shade[k];
        const float* col = &pal.colors[3 * static_cast<std::size_t>(r)];
        for (int c = 0; c < 3; ++c) rgb[c] = static_cast<std::uint8_t>(col[c] * f + 0.5f);
    }
}

void Rgb8Sink::put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) {
    colorize(pal_, static_cast<std::size_t>(n), root, iter,
             out_ + (static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0)) * 3);
}

// ---- driver -------------------------------------------------------------------------------

namespace {

constexpr std::int64_t kMaxSide = 1 << 20;

void validate(const Problem& P) {
    if (P.coefs.size() < 2) throw std::invalid_argument("the polynomial must have degree >= 1");
    if (P.coefs[0] == std::complex<double>(0.0, 0.0))
        throw std::invalid_argument("the leading coefficient must not be zero");
    for (const auto& c : P.coefs)
        if (!std::isfinite(c.real()) || !std::isfinite(c.imag()))
            throw std::invalid_argument("coefficients must be finite");
    if (P.roots.empty() || P.roots.size() > 32767) throw std::invalid_argument("need 1 to 32767 roots");
    if (P.itmax < 1) throw std::invalid_argument("itmax must be >= 1");
    if (!(P.tol > 0.0) || !std::isfinite(P.tol)) throw std::invalid_argument("tol must be a positive finite number");
    if (P.xs.empty() || P.ys.empty()) throw std::invalid_argument("the image must have at least one pixel");
    if (static_cast<std::int64_t>(P.xs.size()) > kMaxSide || static_cast<std::int64_t>(P.ys.size()) > kMaxSide)
        throw std::invalid_argument("image side too large");
}

// Rows whose start points are exact complex conjugates of each other have
// exactly conjugate Newton orbits when the coefficients are real (every
// operation of the kernel commutes with conjugation bit for bit), so only one
// of each pair is computed. `perm` maps a root index to that of its conjugate.
struct Symmetry {
    std::vector<int> rows;    // rows to compute
    std::vector<int> mirror;  // for each computed row, the row that copies it, or -1
    std::vector<std::int16_t> perm;
};

Symmetry plan_rows(const Problem& P, bool real, bool allow) {
    Symmetry s;
    const int h = static_cast<int>(P.ys.size());
    bool ok = allow && real;
    if (ok) {
        s.perm.resize(P.roots.size());
        for (std::size_t j = 0; j < P.roots.size() && ok; ++j) {
            const auto c = std::conj(P.roots[j]);
            auto it = std::find(P.roots.begin(), P.roots.end(), c);
            if (it == P.roots.end()) ok = false;
            else s.perm[j] = static_cast<std::int16_t>(it - P.roots.begin());
        }
    }
    std::vector<int> partner(static_cast<std::size_t>(h), -1);
    if (ok) {
        std::unordered_map<double, int> where;
        for (int r = 0; r < h; ++r) where.emplace(P.ys[static_cast<std::size_t>(r)], r);
        for (int r = 0; r < h; ++r) {
            const double y = P.ys[static_cast<std::size_t>(r)];
            if (!(y > 0.0) || partner[static_cast<std::size_t>(r)] >= 0) continue;
            auto it = where.find(-y);
            if (it == where.end() || partner[static_cast<std::size_t>(it->second)] >= 0) continue;
            partner[static_cast<std::size_t>(r)] = it->second;
            partner[static_cast<std::size_t>(it->second)] = -2;  // computed through r
        }
    }
    for (int r = 0; r < h; ++r) {
        const int p = partner[static_cast<std::size_t>(r)];
        if (p == -2) continue;
        s.rows.push_back(r);
        s.mirror.push_back(p);
    }
    return s;
}

}  // namespace

Stats render(const Problem& P, Sink& sink, const Options& opt, const Control& ctl) {
    validate(P);
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
    detail::KernelPoly kp{degree, real, cr.data(), ci.data(), static_cast<int>(P.roots.size()),
                          rr.data(), ri.data(), P.itmax, P.tol * P.tol};

    const Symmetry sym = plan_rows(P, real, opt.symmetry);
    std::vector<double> ys;
    ys.reserve(sym.rows.size());
    for (int r : sym.rows) ys.push_back(P.ys[static_cast<std::size_t>(r)]);

    const std::int64_t w = static_cast<std::int64_t>(P.xs.size());
    std::vector<double> xs(P.xs);
    xs.resize(P.xs.size() + 8, 0.0);  // kernels may read a vector's worth past the end
    const std::int64_t total = w * static_cast<std::int64_t>(sym.rows.size());
    const std::uint64_t delivered_total = static_cast<std::uint64_t>(w) * P.ys.size();

    int threads = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(threads, 1);
    // Tiles small enough for ~16 per thread (balance: basins cost wildly
    // different amounts), large enough to amortise the lanes' drain.
    const std::int64_t tile = std::clamp<std::int64_t>(total / (16 * threads), 256, 16384);
    const std::int64_t ntiles = (total + tile - 1) / tile;
    threads = static_cast<int>(std::min<std::int64_t>(threads, ntiles));

    std::atomic<std::int64_t> next_tile{0};
    std::atomic<std::uint64_t> done{0}, steps{0};
    std::atomic<bool> cancel{false};
    std::atomic<int> running{threads};
    std::exception_ptr error;
    std::mutex error_mutex;

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
            if (!ctl.poll(done.load(), delivered_total)) cancel.store(true);
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
        StopCheck stop{&cancel, caller ? std::function<void()>(poll) : std::function<void()>()};
        try {
            const auto tsz = static_cast<std::size_t>(tile);
            std::vector<std::int16_t> root(tsz), mroot(tsz);
            std::vector<std::int32_t> iter(tsz);
            std::vector<double> zr(tsz), zi(tsz);  // the kernel's scratch space
            std::uint64_t my_steps = 0;
            while (!cancel.load(std::memory_order_relaxed)) {
                const std::int64_t t = next_tile.fetch_add(1);
                if (t >= ntiles) break;
                const std::int64_t a = t * tile, b = std::min(total, a + tile);
                detail::KernelSpan span{xs.data(), w, ys.data(), a, b, root.data(), iter.data(), zr.data(),
                                        zi.data(), &StopCheck::check, &stop};
                my_steps += kernel.fn(kp, span);
                if (cancel.load()) break;  // the span may be incomplete
                std::uint64_t delivered = 0;
                for (std::int64_t id = a; id < b;) {
                    const std::int64_t prow = id / w, col = id - prow * w;
                    const std::int64_t n = std::min(b - id, w - col);
                    const std::size_t off = static_cast<std::size_t>(id - a);
                    sink.put(sym.rows[static_cast<std::size_t>(prow)], static_cast<int>(col), static_cast<int>(n),
                             root.data() + off, iter.data() + off);
                    delivered += static_cast<std::uint64_t>(n);
                    const int m = sym.mirror[static_cast<std::size_t>(prow)];
                    if (m >= 0) {
                        for (std::int64_t i = 0; i < n; ++i) {
                            const std::int16_t r = root[off + static_cast<std::size_t>(i)];
                            mroot[static_cast<std::size_t>(i)] = r < 0 ? r : sym.perm[static_cast<std::size_t>(r)];
                        }
                        sink.put(m, static_cast<int>(col), static_cast<int>(n), mroot.data(), iter.data() + off);
                        delivered += static_cast<std::uint64_t>(n);
                    }
                    id += n;
                }
                done.fetch_add(delivered);
                if (caller) poll();
            }
            steps.fetch_add(my_steps);
        } catch (...) {
            fail(std::current_exception());
        }
        running.fetch_sub(1);
    };

    std::vector<std::thread> pool;
    try {
        for (int i = 1; i < threads; ++i) pool.emplace_back(work, false);
    } catch (...) {
        fail(std::current_exception());
        running.fetch_sub(threads - 1 - static_cast<int>(pool.size()));
    }
    work(true);
    while (running.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        poll();
    }
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);

    Stats st;
    st.pixels = done.load();
    st.pixels_computed = static_cast<std::uint64_t>(total);
    st.iterations = steps.load();
    st.threads = threads;
    st.kernel = kernel.name;
    st.cancelled = cancel.load();
    return st;
}

}  // namespace nbr
