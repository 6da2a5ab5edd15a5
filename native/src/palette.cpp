// Colouring, in one place: the checks of a Palette, colorize() and RgbSink,
// which share one definition of a pixel's colour (see nbr/palette.hpp).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "nbr/palette.hpp"

namespace nbr {

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

}  // namespace nbr
