// The table of kernels compiled into this build and the run-time choice
// between them (see nbr/kernels.hpp for the public side).
#pragma once

#include <string>

#include "kernel.hpp"

namespace nbr {

struct KernelEntry {
    const char* name;               // "baseline", "avx2", ... (NBR_ISAS in CMakeLists.txt)
    const detail::KernelImpl& impl;
    bool supported;                 // this CPU has every feature impl needs
};

// "" means the selected default. Throws std::invalid_argument for an unknown
// name or one this CPU cannot run.
const KernelEntry& find_kernel(const std::string& name);

}  // namespace nbr
