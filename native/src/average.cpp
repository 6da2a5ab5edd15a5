// Averaging supersamples in linear light (see nbr/average.hpp for the definition).
//
// A pixel's channel: the sum of its samples' linear values in double (exact),
// then the code whose threshold interval holds sum / n, found without a
// division: a guess from a table indexed by sqrt(approximate mean) (sqrt
// spreads the codes nearly evenly, at most two to a slot), corrected by exact
// comparisons of the sum with n * threshold (a float times n <= 256 is exact
// in double). The guess only saves time; the comparisons decide.
#include "nbr/average.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "cpu_time.hpp"
#include "nbr/limits.hpp"
#include "nbr/render.hpp"
#include "scheduler.hpp"

namespace nbr {

static_assert(limits::max_aa * limits::max_aa <= kMaxSamples, "a pixel's sum of linear values must stay exact");

namespace {

double srgb_decode(double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); }
double srgb_encode(double x) { return x <= 0.0031308 ? 12.92 * x : 1.055 * std::pow(x, 1.0 / 2.4) - 0.055; }

std::vector<float> make_linear_light() {
    std::vector<float> t(65536);
    for (int k = 0; k < 65536; ++k) t[static_cast<std::size_t>(k)] = static_cast<float>(srgb_decode(k / 65535.0));
    // The exactness of the sums rests on this (nbr/average.hpp).
    if (!(t[1] >= std::ldexp(1.0f, -20))) throw std::logic_error("linear_light(1) is below 2^-20");
    return t;
}

// The smallest float x >= 0 with srgb_encode(x) * maxval >= k - 1/2, searched
// from the float nearest to the decoding of (k - 1/2) / maxval (a few steps).
float find_threshold(int k, int maxval) {
    const double target = k - 0.5;
    auto reaches = [&](float x) { return srgb_encode(x) * maxval >= target; };
    float x = static_cast<float>(srgb_decode(target / maxval));
    while (x > 0.0f && reaches(std::nextafter(x, 0.0f))) x = std::nextafter(x, 0.0f);
    while (!reaches(x)) x = std::nextafter(x, 2.0f);
    return x;
}

constexpr int kGuessBits = 16;  // slots of the guess table: 2^16 + 1, over sqrt(mean) in [0, 1]

// An output depth's thresholds and guess table.
struct Encoding {
    explicit Encoding(int depth) : maxval(depth == 8 ? 255 : 65535) {
        thresholds.resize(static_cast<std::size_t>(maxval) + 1);
        thresholds[0] = 0.0f;
        for (int k = 1; k <= maxval; ++k) {
            thresholds[static_cast<std::size_t>(k)] = find_threshold(k, maxval);
            if (!(thresholds[static_cast<std::size_t>(k)] > thresholds[static_cast<std::size_t>(k) - 1]))
                throw std::logic_error("the sRGB thresholds do not increase");
        }
        // guess[s]: the code of the mean (s / 2^kGuessBits)^2, close to that of any mean in the slot
        guess.resize((std::size_t{1} << kGuessBits) + 1);
        int code = 0;
        for (std::size_t s = 0; s < guess.size(); ++s) {
            const double u = static_cast<double>(s) / (1 << kGuessBits);
            while (code < maxval && thresholds[static_cast<std::size_t>(code) + 1] <= u * u) ++code;
            guess[s] = static_cast<std::uint16_t>(code);
        }
    }
    int maxval;
    std::vector<float> thresholds;  // maxval + 1 values, increasing; thresholds[0] = 0
    std::vector<std::uint16_t> guess;
};

const Encoding& encoding(int depth) {
    if (depth == 8) {
        static const Encoding e8(8);
        return e8;
    }
    static const Encoding e16(16);
    return e16;
}

// The thresholds times n (exact), with +infinity after the last, for one call.
std::vector<double> scaled_thresholds(const Encoding& e, int n) {
    std::vector<double> t(e.thresholds.size() + 1);
    for (std::size_t k = 0; k < e.thresholds.size(); ++k) t[k] = static_cast<double>(e.thresholds[k]) * n;
    t.back() = std::numeric_limits<double>::infinity();
    return t;
}

template <class T>
class Averager {
public:
    Averager(const std::uint16_t* samples, int cols, int a, T* out, const Encoding& enc)
        : in_(samples), out_(out), cols_(cols), a_(a), enc_(enc), lin_(linear_light().data()),
          nth_(scaled_thresholds(enc, a * a)), inv_n_(1.0 / (a * a)) {}

    // Output pixels [p0, p1) of the image (row-major), with `acc` for 3 * cols doubles at least.
    void run(std::int64_t p0, std::int64_t p1, double* acc) const {
        while (p0 < p1) {
            const std::int64_t row = p0 / cols_, c0 = p0 - row * cols_;
            const std::int64_t m = std::min<std::int64_t>(p1 - p0, cols_ - c0);
            segment(static_cast<std::size_t>(row), static_cast<std::size_t>(c0), static_cast<std::size_t>(m), acc);
            p0 += m;
        }
    }

private:
    // Pixels c0 .. c0 + m - 1 of one row.
    void segment(std::size_t row, std::size_t c0, std::size_t m, double* acc) const {
        const auto a = static_cast<std::size_t>(a_), cols = static_cast<std::size_t>(cols_);
        const float* const lin = lin_;
        std::fill(acc, acc + 3 * m, 0.0);
        for (std::size_t i = 0; i < a; ++i) {
            const std::uint16_t* s = in_ + ((row * a + i) * cols * a + c0 * a) * 3;  // the block row's first sample
            for (std::size_t c = 0; c < m; ++c) {
                double r = acc[3 * c], g = acc[3 * c + 1], b = acc[3 * c + 2];
                for (std::size_t j = 0; j < a; ++j, s += 3) {
                    r += lin[s[0]];
                    g += lin[s[1]];
                    b += lin[s[2]];
                }
                acc[3 * c] = r, acc[3 * c + 1] = g, acc[3 * c + 2] = b;
            }
        }
        T* const o = out_ + (row * cols + c0) * 3;
        const double* const nth = nth_.data();
        const std::uint16_t* const guess = enc_.guess.data();
        constexpr double slots = 1 << kGuessBits;
        for (std::size_t t = 0; t < 3 * m; ++t) {
            const double sum = acc[t];
            const double u = std::sqrt(sum * inv_n_) * slots;
            std::size_t k = guess[u < slots ? static_cast<std::size_t>(u) : std::size_t{1} << kGuessBits];
            while (sum >= nth[k + 1]) ++k;  // nth[maxval + 1] is infinite
            while (sum < nth[k]) --k;       // nth[0] is 0 <= sum
            o[t] = static_cast<T>(k);
        }
    }

    const std::uint16_t* in_;
    T* out_;
    int cols_, a_;
    const Encoding& enc_;
    const float* lin_;
    std::vector<double> nth_;
    double inv_n_;
};

template <class T>
AverageStats average(const std::uint16_t* samples, int rows, int cols, int a, T* out, int threads, int depth) {
    if (rows < 0 || cols < 0) throw std::invalid_argument("the image size must not be negative");
    if (a < 1 || a > limits::max_aa) throw std::invalid_argument("a pixel averages 1 to 16 samples a side");
    if (std::int64_t{rows} * a > limits::max_side || std::int64_t{cols} * a > limits::max_side)
        throw std::invalid_argument("more samples on a side than a render has");
    if (threads < 0 || threads > limits::max_threads) throw std::invalid_argument("threads out of range");
    AverageStats st;
    const std::int64_t pixels = static_cast<std::int64_t>(rows) * cols;
    if (pixels == 0) return st;
    const std::int64_t setup = detail::thread_cpu_ns();  // the tables (once per process) and this call's thresholds
    const Averager<T> averager(samples, cols, a, out, encoding(depth));
    const Control no_polls;
    detail::TileScheduler scheduler(pixels, threads, no_polls, static_cast<std::uint64_t>(pixels));
    std::atomic<std::int64_t> cpu_ns{detail::thread_cpu_ns() - setup};
    scheduler.run([&](detail::TileScheduler::Worker& worker) {
        const std::int64_t t0 = detail::thread_cpu_ns();
        std::vector<double> acc(3 * static_cast<std::size_t>(std::min<std::int64_t>(scheduler.max_tile(), cols)));
        std::int64_t p0 = 0, p1 = 0;
        while (worker.next(p0, p1)) averager.run(p0, p1, acc.data());
        cpu_ns.fetch_add(detail::thread_cpu_ns() - t0);
    });
    st.threads = scheduler.threads();
    st.threads_unavailable = scheduler.unavailable();
    st.cpu_seconds = static_cast<double>(cpu_ns.load()) * 1e-9;
    return st;
}

}  // namespace

const std::vector<float>& linear_light() {
    static const std::vector<float> table = make_linear_light();
    return table;
}

const std::vector<float>& srgb_thresholds(int depth) {
    if (depth != 8 && depth != 16) throw std::invalid_argument("depth must be 8 or 16");
    return encoding(depth).thresholds;
}

AverageStats average_samples(const std::uint16_t* samples, int rows, int cols, int a, std::uint8_t* out,
                             int threads) {
    return average(samples, rows, cols, a, out, threads, 8);
}

AverageStats average_samples(const std::uint16_t* samples, int rows, int cols, int a, std::uint16_t* out,
                             int threads) {
    return average(samples, rows, cols, a, out, threads, 16);
}

}  // namespace nbr
