#pragma once
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
};

// "" means the selected default. Throws std::invalid_argument for an unknown
// name or one this CPU cannot run.
const KernelEntry& find_kernel(const std::string& name);

}  // namespace nbr
