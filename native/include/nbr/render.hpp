// nb-render native core: Newton-basin rendering in plain C++17.
//
// This header is the whole public C++ interface. It has no Python in it; the
// pybind11 bindings (native/bindings/) are a thin layer over it.
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nbr {

// What to compute. Pixel (row, col) starts Newton's method at xs[col] + i*ys[row].
struct Problem {
    std::vector<std::complex<double>> coefs;  // highest degree first; coefs[0] != 0; degree >= 1
    std::vector<std::complex<double>> roots;  // distinct roots, in the order that defines root indices
    std::vector<double> xs;                   // real part of each column
    std::vector<double> ys;                   // imaginary part of each row
    int itmax = 30;                           // at most this many Newton steps
    double tol = 1e-6;                        // converged when |p(z)| <= tol after a step
};

// Where results go. Each pixel yields a root index (-1: did not converge) and
// the 0-based iteration k at which it converged (itmax when it did not).
// put() is called from several threads at once, always for disjoint pixels.
class Sink {
public:
    virtual ~Sink() = default;
    virtual void put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) = 0;
};

struct Options {
    int threads = 0;       // 0: all hardware threads
    std::string kernel;    // "" : the selected kernel (see selected_kernel())
    bool symmetry = true;  // compute mirror-image rows/columns once where that is exact (see render.cpp)
};

struct Control {
    // Called from the calling thread about every poll_interval seconds while
    // the workers run, with the number of pixels finished so far and the total.
    // Returning false cancels the render promptly.
    std::function<bool(std::uint64_t done, std::uint64_t total)> poll;
    double poll_interval = 0.05;
};

struct Stats {
    std::uint64_t pixels = 0;          // pixels delivered to the sink
    std::uint64_t pixels_computed = 0; // pixels iterated (the rest were mirrored)
    std::uint64_t iterations = 0;      // Newton steps taken over all computed pixels
    int threads = 0;
    std::string kernel;
    bool cancelled = false;
};

// Runs the render; blocks until done or cancelled. Throws std::invalid_argument
// for inconsistent problems and rethrows exceptions raised by sinks.
Stats render(const Problem& problem, Sink& sink, const Options& options = {}, const Control& control = {});

// ---- sinks provided by the library -------------------------------------------------
// Each writes into caller-owned row-major buffers of the full image size.

// nb_cpp-compatible HSV in float64: (h, s, v) = (root/nroots, 1, 1 - k/itmax); black if not converged.
class HsvSink final : public Sink {
public:
    HsvSink(double* out, int width, int nroots, int itmax);
    void put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) override;

private:
    double* out_;
    int w_, nroots_, itmax_;
    std::vector<double> hue_, value_;  // the same quotients, computed once per root / per step
};

// The raw per-pixel data.
class DataSink final : public Sink {
public:
    DataSink(std::int16_t* root, std::int32_t* iter, int width) : root_(root), iter_(iter), w_(width) {}
    void put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) override;

private:
    std::int16_t* root_;
    std::int32_t* iter_;
    int w_;
};

// A colouring: colour of root r at iteration k is colors[r] * shade[k], rounded;
// pixels that did not converge get `nonconverged`. All values in 0..255.
struct Palette {
    std::vector<float> colors;  // 3 per root
    std::vector<float> shade;   // one per iteration 0..itmax-1, in [0, 1]
    float nonconverged[3] = {0.f, 0.f, 0.f};
};

// Writes `channels` bytes per pixel (3: RGB; 4: RGBX with X = 255, the layout
// Pillow maps without copying).
void colorize(const Palette& palette, std::size_t n, const std::int16_t* root, const std::int32_t* iter,
              std::uint8_t* rgb, int channels = 3);

class Rgb8Sink final : public Sink {
public:
    Rgb8Sink(std::uint8_t* out, int width, const Palette& palette, int channels = 3)
        : out_(out), w_(width), pal_(palette), channels_(channels) {}
    void put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) override;

private:
    std::uint8_t* out_;
    int w_;
    const Palette& pal_;
    int channels_;
};

// Fans each put() out to several sinks.
class TeeSink final : public Sink {
public:
    explicit TeeSink(std::vector<Sink*> sinks) : sinks_(std::move(sinks)) {}
    void put(int row, int col0, int n, const std::int16_t* root, const std::int32_t* iter) override {
        for (Sink* s : sinks_) s->put(row, col0, n, root, iter);
    }

private:
    std::vector<Sink*> sinks_;
};

// ---- run-time CPU dispatch -----------------------------------------------------------
struct KernelDescription {
    std::string name;   // "baseline", "avx2", "avx512"
    std::string isa;    // human-readable instruction set, e.g. "AVX2+FMA"
    int lanes;          // doubles per vector
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
