// The Newton-basin kernel, written once over a small vector interface `V`
// (see simd/*.hpp) and compiled once per instruction set by kernel_<isa>.cpp
// (generated from kernel_isa.cpp.in: run_any<V, VD, U> is its entry point).
//
// Everything here has internal linkage, so the differently compiled copies
// never meet at link time (no ODR surprises: the baseline copy can never pick
// up an AVX instantiation of a shared inline function).
//
// How it works: each lane of U vectors in flight holds one pixel. A round is
//   1. step     z <- z - p(z)/p'(z) (Newton; the other methods below), with
//               the p, p' (and p'') of the previous round;
//   2. evaluate p(z) and p'(z) (and p''(z)/2 for the methods that use it)
//               together in one Horner pass;
//   3. check    |p(z)|^2 <= tol^2 (the p that the next step reuses).
// A lane whose pixel is finished (converged, out of steps, stuck on a zero
// denominator, or overflowed) writes its result and is refilled with the next
// pixel at once, so vectors stay full however uneven the iteration counts are.
//
// The method is a template parameter, so Newton's round is exactly what it
// was before the others existed; so is whether the kernel keeps |p|^2 of the
// last two evaluations per lane (Track: only when smooth counts or residuals
// are wanted). The step of each method, with e = p''/2 and every complex
// product spelled out as below:
//   newton       z - p conj(p') / |p'|^2
//   relaxed      z - (a p conj(p')) / |p'|^2
//   halley       z - N conj(D) / |D|^2,  N = p p', D = p'^2 - p e
//   schroder     the same with D = p'^2 - 2 p e
//   householder  z - u (1 + u v),  u = p conj(p') / |p'|^2, v = e conj(p') / |p'|^2
// Halley and Schroder keep one division (their intermediate values grow like
// |p'|^4 where Newton's grow like |p'|^2, which only matters for start points
// of enormous modulus or tolerances below about 1e-100); Householder's form
// needs no second division.
//
// Arithmetic is spelled out operation by operation (V::fmadd is fused on
// FMA targets and a separately rounded multiply-add elsewhere), so every path
// is reproducible bit for bit by tests/reference.py.
//
// What keeps the round cheap (see docs/benchmarks.md for the measurements):
//  * A fresh lane starts with p = 0, p' = 1, so its first step is exactly
//    z - 0 = z: no per-round masking of the step (no blends) is needed.
//  * The step counter c counts up from -(itmax + 1); "out of steps" is its
//    sign bit, read with one movemask instead of a compare.
//  * Which lanes are fresh or idle is kept in scalar bit masks, and the done
//    bits of all U vectors are combined, so a round costs one well-predicted
//    branch unless some lane finished.
//  * The nearest root of converged pixels is found after the run, vectorised
//    over pixels, instead of lane by lane while the vectors wait.
//
// Single precision (vector types with `using scalar = float`, twice the lanes
// of their double counterparts) is the same template over floats, defined as:
//  * the driver rounds to float (round to nearest even) the coordinates xs and
//    ys, the coefficients, the factor a and tol^2, the last as the double
//    product tol * tol rounded once to float;
//  * every operation of the round above is the same operation in float, in the
//    same order: a correctly rounded float FMA where V::fmadd is fused, a float
//    multiply and a float add (each rounded) where it is not;
//  * a finished lane's z and |p|^2 values are converted to double, which is
//    exact; the nearest root is then found in double exactly as for double
//    kernels (same operations, first root on ties), and smooth counts and
//    residuals come from those |p|^2 values through the same double code,
//    with log(tol^2) taken of the float tol^2 converted to double;
//  * the pixel slot held in float lanes is its number relative to the start of
//    the span, and spans hold fewer than 2^24 pixels, so slots are exact in
//    float; so is the step counter, for itmax < 2^24 (the driver refuses more).
// Rounding to float commutes with negation, so the mirror symmetries of the
// driver hold in single precision too. tests/reference.py mirrors all of this.
//
// Double-double (VecDD<V>, simd/dd.hpp: pairs of vectors of doubles, with the
// arithmetic that header defines operation by operation) is the same template
// again: the start points carry low parts; the coefficients, the factor a and
// tol^2 are double precision's (low parts 0); |p|^2 for the convergence test
// comes from the high parts (V::norm2), 1/d from V::recip (one division); a
// finished lane's z and |p|^2 go to double as their high parts, and the rest
// is as for double kernels.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#endif

#include "kernel.hpp"
#include "simd/dd.hpp"

namespace {

inline int lowest_bit(std::uint64_t b) {  // b != 0
#if defined(_MSC_VER) && !defined(__clang__)
    unsigned long i;
    _BitScanForward64(&i, b);
    return static_cast<int>(i);
#else
    return __builtin_ctzll(b);
#endif
}

inline int popcount(unsigned b) {  // b < 256
    b = b - ((b >> 1) & 0x55u);
    b = (b & 0x33u) + ((b >> 2) & 0x33u);
    return static_cast<int>((b + (b >> 4)) & 0x0Fu);
}

inline int popcount16(unsigned b) {  // b < 65536
    b = b - ((b >> 1) & 0x5555u);
    b = (b & 0x3333u) + ((b >> 2) & 0x3333u);
    b = (b + (b >> 4)) & 0x0F0Fu;
    return static_cast<int>((b + (b >> 8)) & 0x1Fu);
}

// The type of one lane of V: V::scalar where V declares it (the float types),
// else double.
template <class V, class = void>
struct scalar_of {
    using type = double;
};
template <class V>
struct scalar_of<V, std::void_t<typename V::scalar>> {
    using type = typename V::scalar;
};
template <class V>
using scalar_t = typename scalar_of<V>::type;

// A lane's value from a double, and back (a double-double lane's back is its
// high part, the double nearest to it): plain conversions for double and float.
template <class T>
T lane_value(double x) {
    return static_cast<T>(x);
}
template <>
DoubleDouble lane_value<DoubleDouble>(double x) {
    return DoubleDouble(x);
}
inline double to_double(double x) { return x; }
inline double to_double(float x) { return static_cast<double>(x); }
inline double to_double(DoubleDouble x) { return x.hi; }

template <class V, class = void>
struct has_recip : std::false_type {};
template <class V>
struct has_recip<V, std::void_t<decltype(V::recip(std::declval<typename V::reg>()))>> : std::true_type {};

// 1/d: V's own reciprocal where it has one (double-double), else a division.
template <class V>
typename V::reg reciprocal(typename V::reg d) {
    if constexpr (has_recip<V>::value) return V::recip(d);
    else return V::div(V::set1(lane_value<scalar_t<V>>(1.0)), d);
}

// |re + i im|^2: V's own where it has one (double-double: from the high parts),
// else one fused (or separately rounded) multiply-add.
template <class V, class = void>
struct has_norm2 : std::false_type {};
template <class V>
struct has_norm2<V, std::void_t<decltype(V::norm2(std::declval<typename V::reg>(), std::declval<typename V::reg>()))>>
    : std::true_type {};
template <class V>
typename V::reg norm2(typename V::reg re, typename V::reg im) {
    if constexpr (has_norm2<V>::value) return V::norm2(re, im);
    else return V::fmadd(re, re, V::mul(im, im));
}

using nbr::Method;

// NBR_UNROLL unrolls the loop that follows over the U vectors in flight, so
// that every vector's values can stay in registers: a loop left rolled (GCC
// leaves the retire and refill loops so) indexes the array of vectors, which
// then lives in memory and is loaded and stored around every round. An
// instruction set (isa/*.hpp) defines NBR_UNROLL_VECTORS 0 where that is
// measured to be slower (SSE2, with 16 registers and no FMA: the spills then
// cost more than they save).
#ifndef NBR_UNROLL_VECTORS
#define NBR_UNROLL_VECTORS 1
#endif
#if NBR_UNROLL_VECTORS && defined(__clang__)
#define NBR_UNROLL _Pragma("unroll")
#elif NBR_UNROLL_VECTORS && defined(__GNUC__)
#define NBR_UNROLL _Pragma("GCC unroll 16")
#else
#define NBR_UNROLL
#endif

constexpr bool needs_second_derivative(Method m) {
    return m == Method::halley || m == Method::schroder || m == Method::householder;
}

template <class V>
struct Lanes {
    typename V::reg zr, zi;  // current point
    typename V::reg pr, pi;  // p(z)
    typename V::reg dr, di;  // p'(z)
    typename V::reg er, ei;  // p''(z) / 2 (methods that need it)
    typename V::reg c;       // steps taken - itmax (negative while steps remain)
    typename V::reg slot;    // pixel number
    typename V::reg p2a, p2b;  // |p|^2 of the evaluation before the last one, and of the last one (Track)
};

// root[o] for every converged pixel o (marked root[o] == 0 by the kernel) of
// the span: the index of the root nearest to (zr[o], zi[o]) by squared
// distance, first one on ties. Returns how many pixels had such a tie.
// V is a vector of doubles (for a float kernel: its double counterpart).
template <class V, class Poly>
std::int64_t nearest_roots(const Poly& P, std::int64_t n, const double* zr, const double* zi, nbr::RootIndex* root) {
    static_assert(std::is_same<scalar_t<V>, double>::value, "roots are compared in double");
    using reg = typename V::reg;
    constexpr int N = V::lanes;
    alignas(64) double best[N];
    const reg inf = V::set1(std::numeric_limits<double>::infinity());
    std::int64_t ties = 0;
    std::int64_t o = 0;
    for (; o + N <= n; o += N) {
        unsigned live = 0;
        for (int l = 0; l < N; ++l) live |= (root[o + l] >= 0 ? 1u : 0u) << l;
        if (live == 0) continue;
        const reg x = V::loadu(zr + o), y = V::loadu(zi + o);
        reg bd = inf, bi = V::set1(0.0);
        auto tied = V::lt(inf, inf);  // all false
        for (int r = 0; r < P.nroots; ++r) {
            const reg dx = V::sub(x, V::set1(P.rr[r]));
            const reg dy = V::sub(y, V::set1(P.ri[r]));
            const reg d = V::add(V::mul(dx, dx), V::mul(dy, dy));
            const auto closer = V::lt(d, bd);
            tied = V::mandnot(closer, V::mor(tied, V::eq(d, bd)));
            bd = V::select(closer, d, bd);
            bi = V::select(closer, V::set1(static_cast<double>(r)), bi);
        }
        V::store(best, bi);
        for (int l = 0; l < N; ++l)
            if (root[o + l] >= 0) root[o + l] = static_cast<nbr::RootIndex>(best[l]);
        const unsigned t = V::bits(tied) & live;
        for (unsigned b = t; b != 0; b &= b - 1) ++ties;
    }
    for (; o < n; ++o) {
        if (root[o] < 0) continue;
        int b = 0;
        bool tied = false;
        double bd = std::numeric_limits<double>::infinity();
        for (int r = 0; r < P.nroots; ++r) {
            const double dx = zr[o] - P.rr[r];
            const double dy = zi[o] - P.ri[r];
            const double d = dx * dx + dy * dy;
            if (d < bd) {
                bd = d;
                b = r;
                tied = false;
            } else if (d == bd) {
                tied = true;
            }
        }
        root[o] = static_cast<nbr::RootIndex>(b);
        ties += tied ? 1 : 0;
    }
    return ties;
}

// V: the vector type the kernel computes with; VD: a vector of doubles for
// nearest_roots (V itself for double kernels).
template <class V, class VD, bool Real, int U, Method M, bool Track>
std::uint64_t run_kernel(const nbr::detail::KernelPolyT<scalar_t<V>>& P,
                         const nbr::detail::KernelSpanT<scalar_t<V>>& S) {
    using reg = typename V::reg;
    using T = scalar_t<V>;
    constexpr int N = V::lanes;
    constexpr int L = N * U;
    static_assert(L <= 64, "lane bit masks are 64 bits wide");
    static_assert(N <= 16, "refill counts lanes with a 16-bit popcount");
    using bits_t = std::uint64_t;
    constexpr bool E = needs_second_derivative(M);
    constexpr bits_t lane_mask = (N >= 64) ? ~bits_t{0} : ((bits_t{1} << N) - 1);

    alignas(64) T bzr[L];
    alignas(64) T bzi[L];
    alignas(64) T bc[L];
    alignas(64) T bslot[L];
    alignas(64) T bp2a[Track ? L : 1];
    alignas(64) T bp2b[Track ? L : 1];
    alignas(64) T iota_[N];
    for (int l = 0; l < N; ++l) iota_[l] = lane_value<T>(l);
    // Lanes hold pixel numbers: for float relative to the span's start (exact
    // below 2^24), for double (and double-double) absolute (as the double kernels always did).
    const std::int64_t slot0 = std::is_same<T, float>::value ? S.begin : 0;
    std::int64_t next = S.begin;
    std::int64_t row = S.begin / S.width;
    std::int64_t col = S.begin - row * S.width;
    bits_t occupied = 0;  // lanes holding a pixel
    bits_t fresh = 0;     // lanes whose pixel has not taken a step yet
    std::uint64_t steps = 0;

    const bool listed = S.zr0 != nullptr;  // start points listed pixel by pixel, not a grid
    // Puts the next pixel (or none) into lane l of the bzr/bzi/bslot buffers.
    auto fill = [&](int l) {
        const bits_t b = bits_t{1} << l;
        if (next < S.end) {
            bzr[l] = listed ? S.zr0[next - S.begin] : S.xs[col];
            bzi[l] = listed ? S.zi0[next - S.begin] : S.ys[row];
            bslot[l] = lane_value<T>(static_cast<double>(next++ - slot0));
            if (++col == S.width) {
                col = 0;
                ++row;
            }
            occupied |= b;
            fresh |= b;
        } else {
            bzr[l] = lane_value<T>(0.0);
            bzi[l] = lane_value<T>(0.0);
            bslot[l] = lane_value<T>(-1.0);
            occupied &= ~b;
        }
    };

    const reg zero = V::set1(lane_value<T>(0.0));
    const reg one = V::set1(lane_value<T>(1.0));
    const reg c_fresh = V::set1(lane_value<T>(-1.0 - P.itmax + P.skip));
    const reg iota = V::load(iota_);
    Lanes<V> g[U];
    for (int l = 0; l < L; ++l) fill(l);
    NBR_UNROLL for (int u = 0; u < U; ++u) {
        g[u].zr = V::load(bzr + u * N);
        g[u].zi = V::load(bzi + u * N);
        g[u].slot = V::load(bslot + u * N);
        g[u].c = c_fresh;
        g[u].pr = g[u].pi = g[u].di = zero;  // p = 0, p' = 1, p'' = 0: the first step leaves z as it is
        g[u].dr = one;
        g[u].er = g[u].ei = zero;
        g[u].p2a = g[u].p2b = zero;
    }

    const reg tol2 = V::set1(P.tol2);
    const reg inf = V::set1(lane_value<T>(std::numeric_limits<double>::infinity()));
    const reg relax_r = V::set1(P.ar), relax_i = V::set1(P.ai);
    (void)relax_r;  // used by Method::relaxed only
    (void)relax_i;
    const int n = P.degree;

    unsigned rounds = 0;
    while (occupied != 0) {
        if ((++rounds & 127u) == 0 && S.stop(S.stop_ctx)) return steps;
        bits_t stuck = 0;
        // 1. step
        NBR_UNROLL for (int u = 0; u < U; ++u) {
            Lanes<V>& q = g[u];
            if constexpr (M == Method::newton || M == Method::relaxed) {
                const reg d2 = V::fmadd(q.dr, q.dr, V::mul(q.di, q.di));
                stuck |= static_cast<bits_t>(V::bits(V::eq(d2, zero))) << (u * N);
                const reg inv = reciprocal<V>(d2);
                const reg nr = V::fmadd(q.pr, q.dr, V::mul(q.pi, q.di));   // Re(p * conj(p'))
                const reg ni = V::fnmadd(q.pr, q.di, V::mul(q.pi, q.dr));  // Im(p * conj(p'))
                if constexpr (M == Method::newton) {
                    q.zr = V::fnmadd(nr, inv, q.zr);
                    q.zi = V::fnmadd(ni, inv, q.zi);
                } else {
                    const reg mr = V::fnmadd(relax_i, ni, V::mul(relax_r, nr));  // Re(a * p * conj(p'))
                    const reg mi = V::fmadd(relax_r, ni, V::mul(relax_i, nr));   // Im(a * p * conj(p'))
                    q.zr = V::fnmadd(mr, inv, q.zr);
                    q.zi = V::fnmadd(mi, inv, q.zi);
                }
            } else if constexpr (M == Method::halley || M == Method::schroder) {
                const reg Nr = V::fnmadd(q.pi, q.di, V::mul(q.pr, q.dr));  // N = p p'
                const reg Ni = V::fmadd(q.pr, q.di, V::mul(q.pi, q.dr));
                reg Wr = V::fnmadd(q.pi, q.ei, V::mul(q.pr, q.er));        // W = p e
                reg Wi = V::fmadd(q.pr, q.ei, V::mul(q.pi, q.er));
                if constexpr (M == Method::schroder) {
                    Wr = V::add(Wr, Wr);  // 2 p e = p p''
                    Wi = V::add(Wi, Wi);
                }
                const reg Dr = V::sub(V::fnmadd(q.di, q.di, V::mul(q.dr, q.dr)), Wr);  // D = p'^2 - W
                const reg Di = V::sub(V::mul(V::add(q.dr, q.dr), q.di), Wi);
                const reg d2 = V::fmadd(Dr, Dr, V::mul(Di, Di));
                stuck |= static_cast<bits_t>(V::bits(V::eq(d2, zero))) << (u * N);
                const reg inv = reciprocal<V>(d2);
                const reg nr = V::fmadd(Nr, Dr, V::mul(Ni, Di));   // Re(N * conj(D))
                const reg ni = V::fnmadd(Nr, Di, V::mul(Ni, Dr));  // Im(N * conj(D))
                q.zr = V::fnmadd(nr, inv, q.zr);
                q.zi = V::fnmadd(ni, inv, q.zi);
            } else {  // householder
                const reg d2 = V::fmadd(q.dr, q.dr, V::mul(q.di, q.di));
                stuck |= static_cast<bits_t>(V::bits(V::eq(d2, zero))) << (u * N);
                const reg inv = reciprocal<V>(d2);
                const reg ur = V::mul(V::fmadd(q.pr, q.dr, V::mul(q.pi, q.di)), inv);   // u = p / p'
                const reg ui = V::mul(V::fnmadd(q.pr, q.di, V::mul(q.pi, q.dr)), inv);
                const reg vr = V::mul(V::fmadd(q.er, q.dr, V::mul(q.ei, q.di)), inv);   // v = e / p'
                const reg vi = V::mul(V::fnmadd(q.er, q.di, V::mul(q.ei, q.dr)), inv);
                const reg wr = V::fnmadd(ui, vi, V::mul(ur, vr));                         // w = u v
                const reg wi = V::fmadd(ur, vi, V::mul(ui, vr));
                q.zr = V::sub(q.zr, V::fmadd(ur, wr, V::fnmadd(ui, wi, ur)));            // z - u (1 + w)
                q.zi = V::sub(q.zi, V::fmadd(ur, wi, V::fmadd(ui, wr, ui)));
            }
            q.c = V::add(q.c, one);
        }
        // 2. p and p' (and e = p''/2) by Horner, together
        {
            const reg c0r = V::set1(P.cr[0]);
            const reg c1r = V::set1(P.cr[1]);
            if (Real) {
                NBR_UNROLL for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
                    q.dr = c0r;
                    q.di = zero;
                    q.pr = V::fmadd(c0r, q.zr, c1r);
                    q.pi = V::mul(c0r, q.zi);
                    if constexpr (E) q.er = q.ei = zero;
                }
            } else {
                const reg c0i = V::set1(P.ci[0]);
                const reg c1i = V::set1(P.ci[1]);
                NBR_UNROLL for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
                    q.dr = c0r;
                    q.di = c0i;
                    q.pr = V::fmadd(c0r, q.zr, V::fnmadd(c0i, q.zi, c1r));
                    q.pi = V::fmadd(c0i, q.zr, V::fmadd(c0r, q.zi, c1i));
                    if constexpr (E) q.er = q.ei = zero;
                }
            }
            for (int j = 2; j <= n; ++j) {
                const reg cr = V::set1(P.cr[j]);
                const reg ci = Real ? zero : V::set1(P.ci[j]);
                NBR_UNROLL for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
                    if constexpr (E) {
                        if (j == 2) {  // e was 0: e z + p' is exactly p'
                            q.er = q.dr;
                            q.ei = q.di;
                        } else {
                            const reg ner = V::fmadd(q.er, q.zr, V::fnmadd(q.ei, q.zi, q.dr));
                            q.ei = V::fmadd(q.ei, q.zr, V::fmadd(q.er, q.zi, q.di));
                            q.er = ner;
                        }
                    }
                    const reg ndr = V::fmadd(q.dr, q.zr, V::fnmadd(q.di, q.zi, q.pr));
                    const reg ndi = V::fmadd(q.di, q.zr, V::fmadd(q.dr, q.zi, q.pi));
                    const reg npr = V::fmadd(q.pr, q.zr, V::fnmadd(q.pi, q.zi, cr));
                    const reg npi = Real ? V::fmadd(q.pi, q.zr, V::mul(q.pr, q.zi))
                                         : V::fmadd(q.pi, q.zr, V::fmadd(q.pr, q.zi, ci));
                    q.dr = ndr;
                    q.di = ndi;
                    q.pr = npr;
                    q.pi = npi;
                }
            }
        }
        // 3. check
        bits_t conv = 0, fail = stuck;
        NBR_UNROLL for (int u = 0; u < U; ++u) {
            Lanes<V>& q = g[u];
            const reg p2 = norm2<V>(q.pr, q.pi);
            if constexpr (Track) {
                q.p2a = q.p2b;
                q.p2b = p2;
            }
            conv |= static_cast<bits_t>(V::bits(V::le(p2, tol2))) << (u * N);
            const unsigned out_of_steps = ~V::signs(q.c) & static_cast<unsigned>(lane_mask);
            fail |= static_cast<bits_t>(V::bits(V::nlt(p2, inf)) | out_of_steps) << (u * N);
        }
        // converging needs a step taken (not fresh) and one that was possible (not stuck)
        conv &= ~(stuck | fresh);
        const bits_t done = (conv | fail) & occupied;
        fresh = 0;
        if (done == 0) continue;

        // 4. retire finished lanes ... (one branch per round rather than one per vector:
        // which lanes finish is unpredictable, and every mispredicted branch here
        // keeps the next round from overlapping this one)
        NBR_UNROLL for (int u = 0; u < U; ++u) {
            V::store(bzr + u * N, g[u].zr);
            V::store(bzi + u * N, g[u].zi);
            V::store(bc + u * N, g[u].c);
            V::store(bslot + u * N, g[u].slot);
            if constexpr (Track) {
                V::store(bp2a + u * N, g[u].p2a);
                V::store(bp2b + u * N, g[u].p2b);
            }
        }
        for (bits_t b = done; b != 0; b &= b - 1) {
            const int l = lowest_bit(b);
            const std::int64_t o = static_cast<std::int64_t>(to_double(bslot[l])) - (S.begin - slot0);
            const auto taken = static_cast<nbr::StepCount>(to_double(bc[l])) + P.itmax;
            steps += static_cast<std::uint64_t>(taken);
            const bool converged = (conv >> l) & 1u;
            S.root[o] = static_cast<nbr::RootIndex>(converged ? 0 : -1);  // nearest root: found at the end
            S.iter[o] = converged ? taken - 1 : P.itmax;
            S.zr[o] = to_double(bzr[l]);  // exact for float
            S.zi[o] = to_double(bzi[l]);
            if constexpr (Track) {
                // a stuck pixel took no step: its last evaluation is the one before
                S.p2_before[o] = to_double(bp2a[l]);
                S.p2_at[o] = to_double(((stuck >> l) & 1u) ? bp2a[l] : bp2b[l]);
            }
        }
        // ... and refill them (a no-op for vectors without finished lanes)
        NBR_UNROLL for (int u = 0; u < U; ++u) {
            const auto gd = static_cast<unsigned>((done >> (u * N)) & lane_mask);
            if (gd == 0) continue;  // nothing to refill (and past the last row, nothing to read)
            Lanes<V>& q = g[u];
            int k;
            if constexpr (N <= 8) k = popcount(gd);
            else k = popcount16(gd);
            const auto m = V::from_bits(gd);
            if (next + k <= S.end && (listed || col + k <= S.width)) {
                // the next k pixels are listed, or lie in one row: move them into the lanes without a
                // trip through memory
                if (listed) {
                    q.zr = V::select(m, V::expand(gd, V::loadu(S.zr0 + (next - S.begin))), q.zr);
                    q.zi = V::select(m, V::expand(gd, V::loadu(S.zi0 + (next - S.begin))), q.zi);
                } else {
                    q.zr = V::select(m, V::expand(gd, V::loadu(S.xs + col)), q.zr);
                    q.zi = V::select(m, V::set1(S.ys[row]), q.zi);
                }
                q.slot = V::select(m, V::expand(gd, V::add(V::set1(lane_value<T>(static_cast<double>(next - slot0))), iota)), q.slot);
                next += k;
                col += k;
                while (col >= S.width) {  // (listed pixels may run past a row's end)
                    col -= S.width;
                    ++row;
                }
                fresh |= static_cast<bits_t>(gd) << (u * N);
            } else {
                for (unsigned b = gd; b != 0; b &= b - 1) fill(u * N + lowest_bit(b));
                q.zr = V::load(bzr + u * N);
                q.zi = V::load(bzi + u * N);
                q.slot = V::load(bslot + u * N);
            }
            q.c = V::select(m, c_fresh, q.c);
            q.pr = V::clear(m, q.pr);
            q.pi = V::clear(m, q.pi);
            q.di = V::clear(m, q.di);
            q.dr = V::select(m, one, q.dr);
            if constexpr (E) {
                q.er = V::clear(m, q.er);
                q.ei = V::clear(m, q.ei);
            }
        }
    }
    *S.ties += nearest_roots<VD>(P, S.end - S.begin, S.zr, S.zi, S.root);
    return steps;
}

template <class V, class VD, int U, Method M>
std::uint64_t run_method(const nbr::detail::KernelPolyT<scalar_t<V>>& P,
                         const nbr::detail::KernelSpanT<scalar_t<V>>& S) {
    const bool track = S.p2_before != nullptr;
    if (P.real) return track ? run_kernel<V, VD, true, U, M, true>(P, S) : run_kernel<V, VD, true, U, M, false>(P, S);
    return track ? run_kernel<V, VD, false, U, M, true>(P, S) : run_kernel<V, VD, false, U, M, false>(P, S);
}

template <class V, class VD, int U>
std::uint64_t run_any(const nbr::detail::KernelPolyT<scalar_t<V>>& P, const nbr::detail::KernelSpanT<scalar_t<V>>& S) {
    switch (P.method) {
        case Method::relaxed: return run_method<V, VD, U, Method::relaxed>(P, S);
        case Method::halley: return run_method<V, VD, U, Method::halley>(P, S);
        case Method::schroder: return run_method<V, VD, U, Method::schroder>(P, S);
        case Method::householder: return run_method<V, VD, U, Method::householder>(P, S);
        case Method::newton: break;
    }
    return run_method<V, VD, U, Method::newton>(P, S);
}

}  // namespace
