// Colouring: a Palette, colorize() for saved per-pixel data, and the sink
// that colours a render as it runs. One definition, so both agree exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nbr/sink.hpp"

namespace nbr {

namespace detail {
class Colourer;  // a Palette prepared for colouring (palette.cpp)
}

// A colouring. The colour of root r is colors[r] * f, where the shade f is
//  * shade[k] for a pixel that converged at step k (smooth == false), or
//  * with smooth == true, shade interpolated linearly at the pixel's smooth
//    count s: f = shade[i] + (shade[i+1] - shade[i]) * (s - i), i = floor(s),
//    in float (so shade then needs itmax + 1 entries: s can reach itmax);
// indices past the end of shade use its last entry. Pixels that did not
// converge get `nonconverged`. colors and nonconverged are on the 0..255
// scale whatever the depth; 16-bit output multiplies them by 257 (255 ->
// 65535). Each channel is then value * f + 0.5 in float, truncated: the
// same float operations in every path, so a render's colours and the
// colouring of its saved data agree exactly.
struct Palette {
    std::vector<float> colors;  // 3 per root, in [0, 255]
    std::vector<float> shade;   // one per iteration 0..itmax-1 (0..itmax when smooth), in [0, 1]
    float nonconverged[3] = {0.f, 0.f, 0.f};
    bool smooth = false;        // shade at the smooth count instead of at k
    int depth = 8;              // bits per channel of the output: 8 (uint8) or 16 (uint16, native endian)
};

// Throws std::invalid_argument unless the palette is well formed: a whole
// number of colours, at least one shade, every value in its range, depth 8 or 16.
void validate(const Palette& palette);
// Throws std::invalid_argument unless the palette colours every root of a
// problem with `nroots` roots and every step up to itmax.
void check_covers(const Palette& palette, std::size_t nroots, int itmax);

// Writes 3 values (RGB) per pixel. `smooth` may be null unless palette.smooth.
// The output type must match palette.depth, else std::invalid_argument.
void colorize(const Palette& palette, std::size_t n, const RootIndex* root, const StepCount* iter,
              const SmoothCount* smooth, std::uint8_t* out);
void colorize(const Palette& palette, std::size_t n, const RootIndex* root, const StepCount* iter,
              const SmoothCount* smooth, std::uint16_t* out);

// Colours pixels into an 8-bit (palette.depth 8) or 16-bit (depth 16) RGB image.
class RgbSink final : public Sink {
public:
    RgbSink(std::uint8_t* out, int width, const Palette& palette);
    RgbSink(std::uint16_t* out, int width, const Palette& palette);
    ~RgbSink() override;
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;
    bool wants_smooth() const override { return smooth_; }
    bool wants_residual() const override { return false; }  // colours use the smooth count only

private:
    std::uint8_t* out8_ = nullptr;
    std::uint16_t* out16_ = nullptr;
    int w_;
    bool smooth_;
    std::unique_ptr<const detail::Colourer> colourer_;
};

}  // namespace nbr
