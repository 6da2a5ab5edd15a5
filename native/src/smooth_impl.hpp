// The logarithms of the smooth step counts with an instruction set's vectors
// (compiled into each kernel's translation unit): vlog over an array.
#pragma once

#include <cstddef>

#include "vlog.hpp"

namespace {

// out[i] = log(x[i]) for i < n (out may be x).
template <class V>
void log_array(std::size_t n, const double* x, double* out) {
    using nbr::detail::vlog;
    std::size_t i = 0;
    for (; i + V::lanes <= n; i += V::lanes) V::storeu(out + i, vlog<V>(V::loadu(x + i)));
    if (i < n) {  // the last few, padded with ones
        alignas(64) double pad[V::lanes];
        for (std::size_t j = 0; j < V::lanes; ++j) pad[j] = i + j < n ? x[i + j] : 1.0;
        V::store(pad, vlog<V>(V::load(pad)));
        for (std::size_t j = 0; i + j < n; ++j) out[i + j] = pad[j];
    }
}

}  // namespace
