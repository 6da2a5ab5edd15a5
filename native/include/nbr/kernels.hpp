// Run-time CPU dispatch: the kernels compiled into this build (one per
// instruction set) and which one render() uses by default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nbr/problem.hpp"

namespace nbr {

struct KernelDescription {
    std::string name;   // "baseline", "avx2", "avx512" (the instruction sets of the build)
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

// For the benchmark suite: vector multiply-adds per second that one thread
// issues with the instructions of kernel `name` ("" for the selected one), on
// vectors of doubles or of floats, timed over `iterations` rounds.
double peak_fmadd(const std::string& name, std::int64_t iterations, Precision precision = Precision::double_);

// For the tests: out[i] = log(x[i]) for i < n by the logarithm of the smooth step
// counts (the same bits on every platform; see smooth_iterations), with the
// vectors of kernel `name` ("" for the selected one).
void vector_log(const std::string& name, std::size_t n, const double* x, double* out);

}  // namespace nbr
