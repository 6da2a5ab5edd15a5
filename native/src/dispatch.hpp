#pragma once
#include <cstdint>
#include <string>

#include "kernel.hpp"

namespace nbr {

struct KernelEntry {
    const char* name;
    const char* isa;
    int lanes;         // doubles per vector
    int lanes_single;  // floats per vector
    bool fused;
    detail::KernelFn fn;
    detail::KernelFnSingle fn_single;
    bool supported;
    detail::PeakFn peak;
    detail::PeakFn peak_single;
};

// "" means the selected default. Throws std::invalid_argument for an unknown
// name or one this CPU cannot run.
const KernelEntry& find_kernel(const std::string& name);

// For the benchmark suite: vector multiply-adds per second on one thread with
// the instructions of kernel NAME ("" for the selected one), on vectors of
// doubles or of floats, timed over `iterations` rounds.
double peak_fmadd(const std::string& name, std::int64_t iterations, Precision precision = Precision::double_);

}  // namespace nbr
