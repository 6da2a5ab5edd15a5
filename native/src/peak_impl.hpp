// The machine's own peak: how many vector multiply-adds (V::fmadd) per second
// one thread can issue, with enough independent chains to hide the latency.
// Used only by the benchmark suite (benchmarks/run.py) as the roofline that
// kernel throughput is compared with. Compiled once per instruction set, next
// to the kernel, by kernel_<isa>.cpp; for vectors of doubles and, with the
// same loop, of floats (see scalar_t in kernel_impl.hpp).
#pragma once

#include <chrono>
#include <cstdint>

#include "kernel_impl.hpp"  // scalar_t

namespace {

template <class V, int K>
double peak_fmadd(std::int64_t iterations) {
    using reg = typename V::reg;
    using T = scalar_t<V>;
    reg acc[K];
    for (int k = 0; k < K; ++k) acc[k] = V::set1(static_cast<T>(1.0 + 1e-3 * k));
    // a < 1 also in float (0.999999999 would round to 1, and a multiply by 1 can be optimised away)
    const reg a = V::set1(static_cast<T>(sizeof(T) == sizeof(float) ? 0.9999999 : 0.999999999));
    const reg b = V::set1(static_cast<T>(1e-9));
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < iterations; ++i) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 32
#elif defined(__clang__)
#pragma clang loop unroll(full)
#endif
        for (int k = 0; k < K; ++k) acc[k] = V::fmadd(acc[k], a, b);
    }
    const auto t1 = std::chrono::steady_clock::now();
    alignas(64) T lanes[V::lanes];
    double sum = 0.0;
    for (int k = 0; k < K; ++k) {
        V::store(lanes, acc[k]);
        sum += static_cast<double>(lanes[0]);
    }
    volatile double keep = sum;  // the result is used: nothing is optimised away
    (void)keep;
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    return seconds > 0.0 ? static_cast<double>(iterations) * K / seconds : 0.0;
}

}  // namespace
