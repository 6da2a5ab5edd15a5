#pragma once
#include <cstdint>
#include <string>

#include "kernel.hpp"

namespace nbr {

struct KernelEntry {
    const char* name;
    const char* isa;
    int lanes;
    bool fused;
    detail::KernelFn fn;
    bool supported;
    detail::PeakFn peak;
};

// "" means the selected default. Throws std::invalid_argument for an unknown
// name or one this CPU cannot run.
const KernelEntry& find_kernel(const std::string& name);

// For the benchmark suite: vector multiply-adds per second on one thread with
// the instructions of kernel NAME ("" for the selected one), timed over `iterations` rounds.
double peak_fmadd(const std::string& name, std::int64_t iterations);

}  // namespace nbr
