// One number per "vector": the portable fallback for other architectures, in
// double (VecScalar) and single precision (VecScalarF32). No FMA, like the
// x86-64 baseline. (Single precision needs float arithmetic evaluated in float,
// FLT_EVAL_METHOD 0, as on every target this is built for.)
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace {
template <class T>
struct VecScalarOf {
    using scalar = T;
    using reg = T;
    using mask = bool;
    static constexpr int lanes = 1;
    static constexpr bool fused = false;
    static reg set1(T a) { return a; }
    static reg load(const T* p) { return *p; }
    static reg loadu(const T* p) { return *p; }
    static void store(T* p, reg a) { *p = a; }
    static void storeu(T* p, reg a) { *p = a; }
    static reg add(reg a, reg b) { return a + b; }
    static reg sub(reg a, reg b) { return a - b; }
    static reg mul(reg a, reg b) { return a * b; }
    static reg div(reg a, reg b) { return a / b; }
    static reg fmadd(reg a, reg b, reg c) { return a * b + c; }  // never contracted: built with -ffp-contract=off
    static reg fnmadd(reg a, reg b, reg c) { return c - a * b; }
    static mask le(reg a, reg b) { return a <= b; }
    static mask lt(reg a, reg b) { return a < b; }
    static mask ge(reg a, reg b) { return a >= b; }
    static mask ne(reg a, reg b) { return a != b; }
    static mask mand(mask a, mask b) { return a && b; }
    static mask mor(mask a, mask b) { return a || b; }
    static mask mandnot(mask a, mask b) { return !a && b; }
    static unsigned bits(mask m) { return m ? 1u : 0u; }
    static reg select(mask m, reg a, reg b) { return m ? a : b; }
    static mask eq(reg a, reg b) { return a == b; }
    static mask nlt(reg a, reg b) { return !(a < b); }
    static unsigned signs(reg a) { return std::signbit(a) ? 1u : 0u; }
    static mask from_bits(unsigned b) { return (b & 1u) != 0; }
    static reg clear(mask m, reg a) { return m ? T(0) : a; }
    static reg expand(unsigned, reg a) { return a; }
    // The bits of doubles as unsigned 64-bit integers (the self-contained log, vlog.hpp; doubles only).
    static reg bits_add(reg a, reg b) { return of_bits(to_bits(a) + to_bits(b)); }
    static reg bits_and(reg a, reg b) { return of_bits(to_bits(a) & to_bits(b)); }
    static reg bits_or(reg a, reg b) { return of_bits(to_bits(a) | to_bits(b)); }
    static reg bits_shr52(reg a) { return of_bits(to_bits(a) >> 52); }
    static std::uint64_t to_bits(T a) {
        static_assert(sizeof(T) == 8, "bit operations are defined for doubles");
        std::uint64_t u;
        std::memcpy(&u, &a, 8);
        return u;
    }
    static T of_bits(std::uint64_t u) {
        T a;
        std::memcpy(&a, &u, 8);
        return a;
    }
};
using VecScalar = VecScalarOf<double>;
using VecScalarF32 = VecScalarOf<float>;
}  // namespace
