// Colouring, in one place: the checks of a Palette, colorize() and RgbSink,
// which share one definition of a pixel's colour (see nbr/palette.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "nbr/palette.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace nbr {

namespace detail {

// A palette prepared for colouring many pixels: each colour already scaled to
// the output's range, and the shade with the step to the next entry (0 after
// the last), so that a pixel costs a few multiplies and no search. The float
// operations are those nbr/palette.hpp defines, in its order:
// (colour * scale) * f + 0.5, with f = shade[k] + (shade[k+1] - shade[k]) * t;
// a pixel that did not converge is the entry after the last colour,
// nonconverged * scale, with f = 1 (which changes no bit).
class Colourer {
public:
    explicit Colourer(const Palette& pal) : smooth_(pal.smooth), depth_(pal.depth) {
        const float scale = pal.depth == 8 ? 1.0f : 257.0f;  // 255 -> 65535
        ncolors_ = static_cast<unsigned>(pal.colors.size() / 3);
        for (unsigned r = 0; r <= ncolors_; ++r) {
            const float* c = r < ncolors_ ? &pal.colors[3 * static_cast<std::size_t>(r)] : pal.nonconverged;
            for (int i = 0; i < 3; ++i) table_.push_back(c[i] * scale);
            table_.push_back(0.0f);
        }
        const std::size_t n = pal.shade.size();
        for (std::size_t k = 0; k < n; ++k) {
            shade_.push_back(pal.shade[k]);
            step_.push_back(k + 1 < n ? pal.shade[k + 1] - pal.shade[k] : 0.0f);
        }
    }

    template <class T>
    void run(std::size_t n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth, T* out) const {
        if (depth_ != static_cast<int>(8 * sizeof(T)))
            throw std::invalid_argument("the output type does not match the palette's depth");
        if (smooth_ && smooth == nullptr) throw std::invalid_argument("smooth shading needs the smooth counts");
        std::uint32_t entry[kChunk];  // a chunk's table entries and shades: short loops that vectorise
        float f[kChunk];
        for (std::size_t i0 = 0; i0 < n; i0 += kChunk) {
            const std::size_t m = std::min(kChunk, n - i0);
            shades(m, root + i0, iter + i0, smooth_ ? smooth + i0 : nullptr, entry, f);
            paint(m, entry, f, out + 3 * i0);
        }
    }

private:
    static constexpr std::size_t kChunk = 256;

    // Each pixel's table entry and shade.
    void shades(std::size_t n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
                std::uint32_t* entry, float* f) const {
        const std::size_t last = shade_.size() - 1;
        if (shade_.empty()) {  // (validate() refuses such a palette): every pixel "did not converge"
            for (std::size_t i = 0; i < n; ++i) entry[i] = ncolors_, f[i] = 1.0f;
            return;
        }
        if (smooth != nullptr) {
            const float top = static_cast<float>(last);
            for (std::size_t i = 0; i < n; ++i) {
                float s = smooth[i] > 0.0f ? smooth[i] : 0.0f;  // NaN too
                s = s < top ? s : top;  // shade + step * t is then the last entry, as without
                const auto k = static_cast<std::int32_t>(s);  // s >= 0: the cast is floor
                const float t = s - static_cast<float>(k);    // exact
                const float v = shade_[static_cast<std::size_t>(k)] + step_[static_cast<std::size_t>(k)] * t;
                f[i] = std::min(std::max(v, 0.0f), 1.0f);
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const auto k = static_cast<std::size_t>(iter[i] > 0 ? iter[i] : 0);
                f[i] = shade_[k < last ? k : last];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            const auto r = static_cast<std::uint32_t>(static_cast<std::int32_t>(root[i]));  // -1 -> huge
            const bool ok = r < ncolors_;
            entry[i] = ok ? r : ncolors_;
            f[i] = ok ? f[i] : 1.0f;
        }
    }

    // out[3i + c] = table[entry[i]][c] * f[i] + 0.5, truncated.
    void paint(std::size_t n, const std::uint32_t* entry, const float* f, std::uint8_t* out) const;
    void paint(std::size_t n, const std::uint32_t* entry, const float* f, std::uint16_t* out) const {
        paint_scalar(0, n, entry, f, out);
    }
    template <class T>
    void paint_scalar(std::size_t i, std::size_t n, const std::uint32_t* entry, const float* f, T* out) const {
        const float* const table = table_.data();  // a local: stores through `out` may alias members
        for (; i < n; ++i) {
            const float* c = table + 4 * static_cast<std::size_t>(entry[i]);
            for (int k = 0; k < 3; ++k) out[3 * i + k] = static_cast<T>(c[k] * f[i] + 0.5f);
        }
    }

    bool smooth_;
    int depth_;
    unsigned ncolors_;
    std::vector<float> table_;  // 4 per entry: the scaled colour of each root, then nonconverged; and a 0
    std::vector<float> shade_, step_;
};

#if defined(__SSE2__) || defined(_M_X64)
// Four channels of a pixel in one SSE2 vector (the same operations as the
// scalar code, lane by lane), stored as four bytes of which the next pixel
// overwrites the last; the last pixel of a run is stored as three bytes, since
// the byte after it may be another thread's.
void Colourer::paint(std::size_t n, const std::uint32_t* entry, const float* f, std::uint8_t* out) const {
    const float* const table = table_.data();
    const __m128 half = _mm_set1_ps(0.5f);
    std::size_t i = 0;
    for (; i + 1 < n; ++i) {
        const __m128 c = _mm_loadu_ps(table + 4 * static_cast<std::size_t>(entry[i]));
        const __m128i v = _mm_cvttps_epi32(_mm_add_ps(_mm_mul_ps(c, _mm_set1_ps(f[i])), half));
        const __m128i w = _mm_packus_epi16(_mm_packs_epi32(v, v), v);  // values 0..255: no saturation
        const auto bytes = static_cast<std::uint32_t>(_mm_cvtsi128_si32(w));
        std::memcpy(out + 3 * i, &bytes, 4);
    }
    paint_scalar(i, n, entry, f, out);
}
#else
void Colourer::paint(std::size_t n, const std::uint32_t* entry, const float* f, std::uint8_t* out) const {
    paint_scalar(0, n, entry, f, out);
}
#endif

}  // namespace detail

void validate(const Palette& pal) {
    if (pal.colors.size() % 3 != 0) throw std::invalid_argument("colors must have shape (nroots, 3)");
    if (pal.shade.empty()) throw std::invalid_argument("shade needs one value per iteration");
    // (so that a smooth count, at most the last index, converts exactly between float and int)
    if (pal.shade.size() > std::size_t{1} << 24) throw std::invalid_argument("shade has more values than any itmax needs");
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
    detail::Colourer(pal).run(n, root, iter, smooth, out);
}

void colorize(const Palette& pal, std::size_t n, const RootIndex* root, const StepCount* iter,
              const SmoothCount* smooth, std::uint16_t* out) {
    detail::Colourer(pal).run(n, root, iter, smooth, out);
}

RgbSink::RgbSink(std::uint8_t* out, int width, const Palette& palette)
    : out8_(out), w_(width), smooth_(palette.smooth), colourer_(std::make_unique<detail::Colourer>(palette)) {
    if (palette.depth != 8) throw std::invalid_argument("an 8-bit image needs a palette of depth 8");
}

RgbSink::RgbSink(std::uint16_t* out, int width, const Palette& palette)
    : out16_(out), w_(width), smooth_(palette.smooth), colourer_(std::make_unique<detail::Colourer>(palette)) {
    if (palette.depth != 16) throw std::invalid_argument("a 16-bit image needs a palette of depth 16");
}

RgbSink::~RgbSink() = default;

void RgbSink::put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
                  const Residual*) {
    const std::size_t px = static_cast<std::size_t>(row) * static_cast<std::size_t>(w_) + static_cast<std::size_t>(col0);
    if (out8_ != nullptr) colourer_->run(static_cast<std::size_t>(n), root, iter, smooth, out8_ + 3 * px);
    else colourer_->run(static_cast<std::size_t>(n), root, iter, smooth, out16_ + 3 * px);
}

}  // namespace nbr
