// nb-render native core: Newton-basin rendering in plain C++17.
//
// This header is the whole public C++ interface. It has no Python in it; the
// pybind11 bindings (native/bindings/) are a thin layer over it.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nbr/limits.hpp"

namespace nbr {

// The iteration each pixel runs (p' and p'' are the first and second derivatives):
//   newton       z <- z - p/p'
//   relaxed      z <- z - a p/p'                       (complex factor a = Problem::relax)
//   halley       z <- z - 2 p p' / (2 p'^2 - p p'')
//   schroder     z <- z - p p' / (p'^2 - p p'')       (quadratic also at repeated roots)
//   householder  z <- z - (p/p') (1 + p p'' / (2 p'^2))
// A step whose denominator is zero (p' for newton, relaxed and householder;
// the bracketed denominators for halley and schroder) cannot be taken: the
// pixel is "stuck" and counts as not converged. Every method has its own
// operation sequence (see kernel_impl.hpp); relaxed with a = 1 gives the same
// roots and iteration counts as newton, though not necessarily the same bits
// of intermediate values (it rounds one more product per step).
enum class Method { newton, relaxed, halley, schroder, householder };
// Every method, in the order above (the order nbcli._core.info() lists them in).
constexpr Method kMethods[] = {Method::newton, Method::relaxed, Method::halley, Method::schroder,
                               Method::householder};

// "newton", "relaxed", ...; parse_method throws std::invalid_argument for other names.
const char* method_name(Method method);
Method parse_method(const std::string& name);

// The arithmetic of the iteration. double: IEEE double throughout. single:
// the start points, coefficients, relax factor and tol^2 (the double tol * tol)
// are rounded to float and every step is computed in float, with twice the
// lanes per vector; the nearest root and the smooth counts and residuals are
// then found in double from the (exactly converted) float results. Single
// precision needs itmax <= limits::max_itmax_single. Details: native/src/kernel_impl.hpp.
enum class Precision { double_, single };
constexpr Precision kPrecisions[] = {Precision::double_, Precision::single};
// "double" or "single"; parse_precision throws std::invalid_argument for other names.
const char* precision_name(Precision precision);
Precision parse_precision(const std::string& name);

// What to compute. Pixel (row, col) starts the iteration at xs[col] + i*ys[row].
struct Problem {
    std::vector<std::complex<double>> coefs;  // highest degree first; coefs[0] != 0; 1 <= degree <= max_degree
    std::vector<std::complex<double>> roots;  // 1 to max_degree distinct roots, in the order that defines root indices
    std::vector<double> xs;                   // real part of each column (1 to max_side)
    std::vector<double> ys;                   // imaginary part of each row (1 to max_side)
    int itmax = 30;                           // at most this many steps (>= 1)
    double tol = 1e-6;                        // converged when |p(z)| <= tol after a step
    Method method = Method::newton;
    std::complex<double> relax{1.0, 0.0};     // the factor a of Method::relaxed: finite and nonzero
};

// Where results go. Each pixel yields a root index (-1: did not converge), the
// 0-based step k at which it converged (itmax when it did not), and, for sinks
// that ask for them (wants_smooth()), two floats:
//  * smooth: a fractional step count, continuous across the bands of equal k:
//    smooth_iterations() below; itmax for pixels that did not converge;
//  * residual: |p(z)| at the pixel's last evaluation, rounded to float (the
//    converging one; for a pixel that ran out of steps the last one; for a
//    stuck pixel the point where it got stuck; +inf or NaN when p overflowed
//    there; +inf also when |p| exceeds the float range).
// put() is called from several threads at once, always for disjoint pixels.
// `smooth` is null unless some sink of the render wants it, `residual` unless
// some sink wants it too (wants_residual(): only sinks that want smooth can).
class Sink {
public:
    virtual ~Sink() = default;
    virtual void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter,
                     const SmoothCount* smooth, const Residual* residual) = 0;
    // Whether put() needs smooth (and residual: computing them costs a little).
    virtual bool wants_smooth() const { return false; }
    virtual bool wants_residual() const { return wants_smooth(); }
};

// The smooth step count of a pixel that converged at step k, where p2_before
// and p2_at are |p|^2 at the evaluation before the converging one (for k = 0:
// at the starting point) and at the converging one, and log_tol2 = log(tol^2):
// with a = log p2_before, b = log p2_at, t = (log_tol2 - a) / (b - a) clamped to
// [0, 1] (NaN counts as 0), smooth = max(0, k - 1 + t) in double, rounded to
// float. (The ratio of the logs of squares equals that of the logs of |p|.)
// The fraction is only as good as log|p| at convergence: with a tolerance so
// small that a step lands |p| below the rounding noise of evaluating p (which
// third-order methods reach sooner), neighbouring pixels' fractions jitter.
// The one definition used everywhere, so every path agrees bit for bit.
SmoothCount smooth_iterations(StepCount k, double p2_before, double p2_at, double log_tol2);
// |p| as a float from |p|^2: sqrt in double, rounded to float (+inf beyond its range).
Residual residual_value(double p2);

struct Options {
    int threads = 0;       // 0 to limits::max_threads; 0: all hardware threads (at most max_threads)
    std::string kernel;    // "" : the selected kernel (see selected_kernel())
    bool symmetry = true;  // compute mirror-image rows/columns once where that is exact (see render.cpp)
    Precision precision = Precision::double_;
};

struct Control {
    // Called from the calling thread about every poll_interval seconds while
    // the workers run, with the number of pixels finished so far and the total.
    // To cancel the render, throw: the workers stop promptly and render()
    // rethrows the exception once they have all finished.
    std::function<void(std::uint64_t done, std::uint64_t total)> poll;
    double poll_interval = 0.05;
};

struct Stats {
    std::uint64_t pixels = 0;          // pixels delivered to the sink
    std::uint64_t pixels_computed = 0; // pixels iterated (the rest were mirrored)
    std::uint64_t iterations = 0;      // steps taken over all computed pixels
    int threads = 0;
    std::string kernel;
    std::string method;
    std::string precision;             // "double" or "single"
};

// Runs the render; blocks until done. Throws std::invalid_argument for
// inconsistent problems and rethrows exceptions raised by sinks or Control::poll.
Stats render(const Problem& problem, Sink& sink, const Options& options = {}, const Control& control = {});

// ---- sinks provided by the library -------------------------------------------------
// Each writes into caller-owned row-major buffers of the full image size.

// nb_cpp-compatible HSV in float64: (h, s, v) = (root/nroots, 1, 1 - k/itmax); black if not converged.
class HsvSink final : public Sink {
public:
    HsvSink(double* out, int width, int nroots, int itmax);
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;

private:
    double* out_;
    int w_, nroots_, itmax_;
    std::vector<double> hue_, value_;  // the same quotients, computed once per root / per step
};

// The raw per-pixel data: root index and step count.
class DataSink final : public Sink {
public:
    DataSink(RootIndex* root, StepCount* iter, int width) : root_(root), iter_(iter), w_(width) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;

private:
    RootIndex* root_;
    StepCount* iter_;
    int w_;
};

// The smooth step count and the residual of each pixel (see Sink).
class SmoothSink final : public Sink {
public:
    SmoothSink(SmoothCount* smooth, Residual* residual, int width)
        : smooth_(smooth), residual_(residual), w_(width) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;
    bool wants_smooth() const override { return true; }

private:
    SmoothCount* smooth_;
    Residual* residual_;
    int w_;
};

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
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override;
    bool wants_smooth() const override { return pal_.smooth; }
    bool wants_residual() const override { return false; }  // colours use the smooth count only

private:
    std::uint8_t* out8_ = nullptr;
    std::uint16_t* out16_ = nullptr;
    int w_;
    const Palette& pal_;
};

// Fans each put() out to several sinks.
class TeeSink final : public Sink {
public:
    explicit TeeSink(std::vector<Sink*> sinks) : sinks_(std::move(sinks)) {}
    void put(int row, int col0, int n, const RootIndex* root, const StepCount* iter, const SmoothCount* smooth,
             const Residual* residual) override {
        for (Sink* s : sinks_) s->put(row, col0, n, root, iter, smooth, residual);
    }
    bool wants_smooth() const override {
        for (const Sink* s : sinks_)
            if (s->wants_smooth()) return true;
        return false;
    }
    bool wants_residual() const override {
        for (const Sink* s : sinks_)
            if (s->wants_residual()) return true;
        return false;
    }

private:
    std::vector<Sink*> sinks_;
};

// ---- run-time CPU dispatch -----------------------------------------------------------
struct KernelDescription {
    std::string name;   // "baseline", "avx2", "avx512"
    std::string isa;    // human-readable instruction set, e.g. "AVX2+FMA"
    int lanes;          // doubles per vector
    int lanes_single;   // floats per vector (single precision)
    bool fused;         // uses fused multiply-add
    bool supported;     // this CPU can run it
};

// Every kernel compiled into this build, baseline first.
std::vector<KernelDescription> kernels();
// The kernel render() uses by default: the best supported one, unless the
// environment variable NB_RENDER_KERNEL names another (read once).
std::string selected_kernel();
// Changes the default for this process; throws std::invalid_argument if the
// name is unknown or the CPU cannot run it. "auto" picks the best again.
void select_kernel(const std::string& name);

}  // namespace nbr
