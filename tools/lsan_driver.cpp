// Exercises the C++ library (libnbr, no Python) under AddressSanitizer,
// UndefinedBehaviorSanitizer and LeakSanitizer. CPython cannot run with leak
// detection on (it leaks by design at exit), so this is where leaks in the
// library itself are looked for: every kernel in double and single precision,
// 1 and 2 threads, with and without mirroring, every sink, cancellation,
// exceptions thrown by a sink, invalid problems and options, and bad kernel names.
//
// Built and run by `python tools/sanitize.py lsan` (part of `nox -s sanitize`),
// against the library from the `sanitize` CMake preset. Exits non-zero if any
// check fails; the sanitizers exit non-zero on any report of theirs.
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "nbr/render.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "lsan_driver: FAILED: %s\n", what.c_str());
        ++failures;
    }
}

std::vector<double> grid(int n, double lo, double hi) {
    std::vector<double> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = lo + (hi - lo) * (i + 0.5) / n;
    return v;
}

nbr::Problem z3_minus_1(int w, int h, int itmax) {
    nbr::Problem p;
    p.coefs = {1, 0, 0, -1};
    const double s = std::sqrt(3.0) / 2;
    p.roots = {{1, 0}, {-0.5, s}, {-0.5, -s}};
    p.xs = grid(w, -2, 2);
    p.ys = grid(h, -1.5, 1.5);
    p.itmax = itmax;
    return p;
}

struct Cancelled {};

class ThrowingSink final : public nbr::Sink {
public:
    void put(int row, int, int, const std::int16_t*, const std::int32_t*, const float*, const float*) override {
        if (row == 7) throw std::runtime_error("sink failure");
    }
};

}  // namespace

int main() {
    const int w = 61, h = 47;
    const std::size_t n = static_cast<std::size_t>(w) * h;
    std::vector<std::string> names;
    for (const auto& k : nbr::kernels())
        if (k.supported) names.push_back(k.name);
    check(!names.empty(), "at least one kernel is supported");

    nbr::Palette pal;
    pal.colors = {230, 60, 60, 60, 230, 60, 60, 60, 230};
    for (int k = 0; k < 40; ++k) pal.shade.push_back(1.0f - static_cast<float>(k) / 40.0f);
    nbr::Palette pal16 = pal;  // smooth shading into 16-bit output
    pal16.shade.push_back(0.0f);
    pal16.smooth = true;
    pal16.depth = 16;

    for (const auto& name : names) {
        for (nbr::Precision precision : {nbr::Precision::double_, nbr::Precision::single}) {
            for (int threads : {1, 2}) {
                for (bool symmetry : {false, true}) {
                    const nbr::Problem p = z3_minus_1(w, h, 40);
                    std::vector<double> hsv(n * 3);
                    std::vector<std::int16_t> root(n);
                    std::vector<std::int32_t> iter(n);
                    std::vector<std::uint8_t> rgb(n * 3);
                    std::vector<std::uint16_t> rgb16(n * 3);
                    std::vector<float> smooth(n), residual(n);
                    nbr::HsvSink hs(hsv.data(), w, 3, p.itmax);
                    nbr::DataSink ds(root.data(), iter.data(), w);
                    nbr::RgbSink rs(rgb.data(), w, pal);
                    nbr::RgbSink r16(rgb16.data(), w, pal16);
                    nbr::SmoothSink ss(smooth.data(), residual.data(), w);
                    nbr::TeeSink tee({&hs, &ds, &rs, &r16, &ss});
                    nbr::Options opt;
                    opt.threads = threads;
                    opt.kernel = name;
                    opt.symmetry = symmetry;
                    opt.precision = precision;
                    const nbr::Stats st = nbr::render(p, tee, opt);
                    const std::string tag = name + " " + nbr::precision_name(precision) + " threads=" +
                                            std::to_string(threads) + " symmetry=" + std::to_string(symmetry);
                    check(st.pixels == n, tag + ": every pixel delivered");
                    check(st.kernel == name, tag + ": the requested kernel ran");
                    bool sane = true;
                    for (std::size_t i = 0; i < n; ++i) sane = sane && root[i] >= -1 && root[i] < 3;
                    check(sane, tag + ": root indices in range");
                }
            }
        }
    }

    // Cancellation by an exception from the poll callback, with the workers mid-way.
    {
        nbr::Problem p = z3_minus_1(400, 400, 100000);
        p.tol = 1e-300;  // hardly any pixel converges: the render would take minutes
        std::vector<std::int16_t> root(400 * 400);
        std::vector<std::int32_t> iter(400 * 400);
        nbr::DataSink ds(root.data(), iter.data(), 400);
        nbr::Control ctl;
        int polls = 0;
        ctl.poll = [&](std::uint64_t, std::uint64_t) {
            if (++polls == 3) throw Cancelled();
        };
        ctl.poll_interval = 0.01;
        nbr::Options opt;
        opt.threads = 2;
        bool cancelled = false;
        try {
            nbr::render(p, ds, opt, ctl);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        check(cancelled, "an exception thrown by the poll callback cancels the render and reaches the caller");
    }

    // A sink that throws: the exception reaches the caller, the threads are joined.
    for (int threads : {1, 2}) {
        ThrowingSink bad;
        nbr::Options opt;
        opt.threads = threads;
        bool caught = false;
        try {
            nbr::render(z3_minus_1(w, h, 30), bad, opt);
        } catch (const std::runtime_error&) {
            caught = true;
        }
        check(caught, "an exception thrown by a sink is rethrown (threads=" + std::to_string(threads) + ")");
    }

    // Invalid problems and kernel names throw std::invalid_argument.
    {
        std::vector<std::int16_t> root(n);
        std::vector<std::int32_t> iter(n);
        nbr::DataSink ds(root.data(), iter.data(), w);
        std::vector<nbr::Problem> bad(7, z3_minus_1(w, h, 30));
        bad[0].coefs = {1};
        bad[1].roots.clear();
        bad[2].itmax = 0;
        bad[3].tol = -1;
        bad[4].xs.clear();
        bad[5].coefs.resize(nbr::limits::max_degree + 2, 1.0);
        bad[6].ys.resize(nbr::limits::max_side + 1, 0.5);
        for (const auto& p : bad) {
            bool caught = false;
            try {
                nbr::render(p, ds);
            } catch (const std::invalid_argument&) {
                caught = true;
            }
            check(caught, "an invalid problem throws std::invalid_argument");
        }
        {
            nbr::Options opt;
            opt.precision = nbr::Precision::single;
            bool caught = false;
            try {
                nbr::render(z3_minus_1(w, h, nbr::limits::max_itmax_single + 1), ds, opt);
            } catch (const std::invalid_argument&) {
                caught = true;
            }
            check(caught, "itmax >= 2^24 in single precision throws std::invalid_argument");
        }
        for (const char* k : {"turbo", "avx9000"}) {
            bool caught = false;
            try {
                nbr::select_kernel(k);
            } catch (const std::invalid_argument&) {
                caught = true;
            }
            check(caught, std::string("select_kernel(\"") + k + "\") throws");
        }
        for (int threads : {-1, nbr::limits::max_threads + 1}) {
            nbr::Options opt;
            opt.threads = threads;
            bool caught = false;
            try {
                nbr::render(z3_minus_1(w, h, 30), ds, opt);
            } catch (const std::invalid_argument&) {
                caught = true;
            }
            check(caught, "threads=" + std::to_string(threads) + " throws std::invalid_argument");
        }
        nbr::select_kernel("auto");
        nbr::Options opt;
        opt.kernel = "turbo";
        bool caught = false;
        try {
            nbr::render(z3_minus_1(w, h, 30), ds, opt);
        } catch (const std::invalid_argument&) {
            caught = true;
        }
        check(caught, "an unknown kernel in Options throws std::invalid_argument");
    }

    if (failures) return 1;
    std::printf("lsan_driver: all checks passed (%zu kernels)\n", names.size());
    return 0;
}
