// The Newton-basin kernel, written once over a small vector interface `V`
// (see simd/*.hpp) and compiled once per instruction set by kernel_<isa>.cpp.
//
// Everything here has internal linkage, so the differently compiled copies
// never meet at link time (no ODR surprises: the baseline copy can never pick
// up an AVX instantiation of a shared inline function).
//
// How it works: each lane of U vectors in flight holds one pixel. A round is
//   1. step     z <- z - p(z)/p'(z) for lanes that have p, p' of their z;
//   2. evaluate p(z) and p'(z) together in one Horner pass;
//   3. check    |p(z)|^2 <= tol^2 (the p that the next step reuses).
// A lane whose pixel is finished (converged, out of steps, stuck on p' = 0,
// or overflowed) writes its result and is refilled with the next pixel at
// once, so vectors stay full however uneven the iteration counts are.
//
// Arithmetic is spelled out operation by operation (V::fmadd is fused on
// FMA targets and a separately rounded multiply-add elsewhere), so every path
// is reproducible bit for bit by tests/reference.py.
#pragma once

#include <cstdint>
#include <limits>

#include "kernel.hpp"

namespace {

constexpr double kIdle = -1e18;  // step counter of a lane with no pixel

template <class V>
struct Lanes {
    typename V::reg zr, zi;  // current point
    typename V::reg pr, pi;  // p(z)
    typename V::reg dr, di;  // p'(z)
    typename V::reg s;       // steps taken: -1 fresh (p not evaluated yet), kIdle: no pixel
};

inline int nearest_root(const nbr::detail::KernelPoly& P, double zr, double zi) {
    int best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    for (int r = 0; r < P.nroots; ++r) {
        const double dx = zr - P.rr[r];
        const double dy = zi - P.ri[r];
        const double d = dx * dx + dy * dy;
        if (d < best_d) {
            best_d = d;
            best = r;
        }
    }
    return best;
}

template <class V, bool Real, int U>
std::uint64_t run_kernel(const nbr::detail::KernelPoly& P, const nbr::detail::KernelSpan& S) {
    using reg = typename V::reg;
    using mask = typename V::mask;
    constexpr int N = V::lanes;
    constexpr int L = N * U;

    alignas(64) double bzr[L];
    alignas(64) double bzi[L];
    alignas(64) double bs[L];
    std::int64_t slot[L];
    std::int64_t next = S.begin;
    int active = 0;
    std::uint64_t steps = 0;

    auto fill = [&](int l) {
        if (next < S.end) {
            const std::int64_t row = next / S.width;
            const std::int64_t col = next - row * S.width;
            bzr[l] = S.xs[col];
            bzi[l] = S.ys[row];
            bs[l] = -1.0;
            slot[l] = next++;
            ++active;
        } else {
            bzr[l] = 0.0;
            bzi[l] = 0.0;
            bs[l] = kIdle;
            slot[l] = -1;
        }
    };

    Lanes<V> g[U];
    for (int l = 0; l < L; ++l) fill(l);
    const reg zero = V::set1(0.0);
    for (int u = 0; u < U; ++u) {
        g[u].zr = V::load(bzr + u * N);
        g[u].zi = V::load(bzi + u * N);
        g[u].s = V::load(bs + u * N);
        g[u].pr = g[u].pi = g[u].dr = g[u].di = zero;
    }

    const reg one = V::set1(1.0);
    const reg tol2 = V::set1(P.tol2);
    const reg itmax = V::set1(static_cast<double>(P.itmax));
    const reg inf = V::set1(std::numeric_limits<double>::infinity());
    const int n = P.degree;

    while (active > 0) {
        mask stuck[U];
        // 1. step
        for (int u = 0; u < U; ++u) {
            Lanes<V>& q = g[u];
            const reg d2 = V::fmadd(q.dr, q.dr, V::mul(q.di, q.di));
            const mask live = V::ge(q.s, zero);
            const mask nonzero = V::ne(d2, zero);
            stuck[u] = V::mandnot(nonzero, live);
            const mask go = V::mand(live, nonzero);
            const reg inv = V::div(one, d2);
            const reg nr = V::fmadd(q.pr, q.dr, V::mul(q.pi, q.di));   // Re(p * conj(p'))
            const reg ni = V::fnmadd(q.pr, q.di, V::mul(q.pi, q.dr));  // Im(p * conj(p'))
            q.zr = V::select(go, V::fnmadd(nr, inv, q.zr), q.zr);
            q.zi = V::select(go, V::fnmadd(ni, inv, q.zi), q.zi);
            q.s = V::add(q.s, one);
        }
        // 2. p and p' by Horner, together
        {
            const reg c0r = V::set1(P.cr[0]);
            const reg c1r = V::set1(P.cr[1]);
            if (Real) {
                for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
                    q.dr = c0r;
                    q.di = zero;
                    q.pr = V::fmadd(c0r, q.zr, c1r);
                    q.pi = V::mul(c0r, q.zi);
                }
            } else {
                const reg c0i = V::set1(P.ci[0]);
                const reg c1i = V::set1(P.ci[1]);
                for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
                    q.dr = c0r;
                    q.di = c0i;
                    q.pr = V::fmadd(c0r, q.zr, V::fnmadd(c0i, q.zi, c1r));
                    q.pi = V::fmadd(c0i, q.zr, V::fmadd(c0r, q.zi, c1i));
                }
            }
            for (int j = 2; j <= n; ++j) {
                const reg cr = V::set1(P.cr[j]);
                const reg ci = Real ? zero : V::set1(P.ci[j]);
                for (int u = 0; u < U; ++u) {
                    Lanes<V>& q = g[u];
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
        // 3. check, and retire finished lanes
        for (int u = 0; u < U; ++u) {
            Lanes<V>& q = g[u];
            const reg p2 = V::fmadd(q.pr, q.pr, V::mul(q.pi, q.pi));
            const mask has_pixel = V::ge(q.s, zero);
            const mask conv = V::mandnot(stuck[u], V::mand(V::ge(q.s, one), V::le(p2, tol2)));
            const mask overflow = V::mandnot(V::lt(p2, inf), has_pixel);
            const mask fail = V::mor(stuck[u], V::mor(V::ge(q.s, itmax), overflow));
            const unsigned done = V::bits(V::mor(conv, fail));
            if (done == 0) continue;
            const unsigned converged = V::bits(conv);
            V::store(bzr + u * N, q.zr);
            V::store(bzi + u * N, q.zi);
            V::store(bs + u * N, q.s);
            for (int l = 0; l < N; ++l) {
                if (!((done >> l) & 1u)) continue;
                const int lane = u * N + l;
                const std::int64_t o = slot[lane] - S.begin;
                const auto taken = static_cast<std::int32_t>(bs[lane]);
                steps += static_cast<std::uint64_t>(taken);
                if ((converged >> l) & 1u) {
                    S.root[o] = static_cast<std::int16_t>(nearest_root(P, bzr[lane], bzi[lane]));
                    S.iter[o] = taken - 1;
                } else {
                    S.root[o] = -1;
                    S.iter[o] = P.itmax;
                }
                --active;
                fill(lane);
            }
            q.zr = V::load(bzr + u * N);
            q.zi = V::load(bzi + u * N);
            q.s = V::load(bs + u * N);
        }
    }
    return steps;
}

}  // namespace

// Defines nbr::detail::NAME for vector type VEC with U vectors in flight.
#define NBR_DEFINE_KERNEL(NAME, VEC, U)                                                                   \
    std::uint64_t nbr::detail::NAME(const nbr::detail::KernelPoly& P, const nbr::detail::KernelSpan& S) { \
        return P.real ? run_kernel<VEC, true, U>(P, S) : run_kernel<VEC, false, U>(P, S);                 \
    }
