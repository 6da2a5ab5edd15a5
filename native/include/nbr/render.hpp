// nb-render native core: Newton-basin rendering in plain C++17.
//
// This header is the whole public C++ interface: render() and its options
// here, and through the headers it includes the problem (nbr/problem.hpp), the
// sinks that receive results (nbr/sink.hpp), colouring (nbr/palette.hpp), the
// kernels to choose from (nbr/kernels.hpp) and the limits (nbr/limits.hpp).
// It has no Python in it; the pybind11 bindings (native/bindings/) are a thin
// layer over it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <complex>

#include "nbr/kernels.hpp"
#include "nbr/limits.hpp"
#include "nbr/palette.hpp"
#include "nbr/problem.hpp"
#include "nbr/sink.hpp"

namespace nbr {

// Double-double's shortcut for deep views (native/src/series.hpp): the first
// steps of every pixel are taken at once, by power series in the start point's
// offset from a reference point (re + re_lo, im + im_lo), valid for start points
// within `radius` of it whose neighbours are `spacing` apart; the pixels then go
// on in double precision. The render uses it only where that provably changes
// nothing but rounding far below a pixel, and otherwise runs the double-double
// kernel throughout. Give the same reference to every part of one image (bands
// of rows), so that they agree.
struct SeriesReference {
    double re = 0.0, re_lo = 0.0, im = 0.0, im_lo = 0.0;
    double radius = 0.0;   // the largest |start point - reference| of the image
    double spacing = 0.0;  // the distance between neighbouring start points
};

struct Options {
    int threads = 0;       // 0 to limits::max_threads; 0: all hardware threads (at most max_threads)
    std::string kernel;    // "" : the selected kernel (see selected_kernel())
    bool symmetry = true;  // compute mirror-image rows/columns once where that is exact (see native/src/mirror.hpp)
    Precision precision = Precision::double_;
    std::optional<SeriesReference> series;  // double-double only: the shortcut, around this reference
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
    int threads = 0;                   // threads that computed (the calling thread among them)
    int threads_unavailable = 0;       // threads asked for that the system could not start (a resource limit)
    std::string kernel;
    std::string method;
    std::string precision;             // "double", "single" or "double-double"
    int series_steps = 0;              // double-double: the steps the series took for every pixel (0: none)
    // Where the time went: CPU seconds, summed over the threads, spent
    // iterating (the kernel), on smooth counts and residuals, and in the sink
    // (colouring, for an RgbSink), mirror images included.
    double kernel_seconds = 0.0;
    double smooth_seconds = 0.0;
    double sink_seconds = 0.0;
};

// The series shortcut alone (for tests; see SeriesReference): the steps it takes
// for every pixel of a double-double render of `problem` (0: the render would run
// the double-double kernel throughout), and, if any, where it leaves each start
// point (ys.size() * xs.size() values, row-major, into `out`).
int series_starts(const Problem& problem, const SeriesReference& reference, std::vector<std::complex<double>>& out);

// Runs the render; blocks until done. Throws std::invalid_argument for
// inconsistent problems and rethrows exceptions raised by sinks or Control::poll.
// If the system cannot start as many threads as asked (a limit on threads or
// memory), it renders with those it could start and says how many it could not
// (Stats::threads_unavailable). A thread ended by pthread_exit while it renders
// (a forced unwind, as Python 3.11-3.13 ends a thread that wants the GIL during
// interpreter shutdown) stops the others and waits for them before it goes on.
Stats render(const Problem& problem, Sink& sink, const Options& options = {}, const Control& control = {});

}  // namespace nbr
