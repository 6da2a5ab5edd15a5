// Complex double-double numbers, one at a time, in the kernels' own
// double-double arithmetic (simd/dd.hpp over VecScalar: no fused operation and
// no library call, each operation defined in dd.hpp), so every result is the
// same on every platform. Used by the series of deep views (series.cpp) and by
// the canonical roots (roots.cpp).
#pragma once

#include "simd/dd.hpp"
#include "simd/scalar.hpp"

namespace {

using ScalarDD = VecDD<VecScalar>;
using dd = ScalarDD::reg;

inline dd to_dd(double x) { return {x, 0.0}; }

struct DDC {
    dd re, im;
};

inline DDC operator+(DDC a, DDC b) { return {ScalarDD::add(a.re, b.re), ScalarDD::add(a.im, b.im)}; }
inline DDC operator-(DDC a, DDC b) { return {ScalarDD::sub(a.re, b.re), ScalarDD::sub(a.im, b.im)}; }
inline DDC operator*(DDC a, DDC b) {
    return {ScalarDD::fnmadd(a.im, b.im, ScalarDD::mul(a.re, b.re)),
            ScalarDD::fmadd(a.re, b.im, ScalarDD::mul(a.im, b.re))};
}
inline DDC operator/(DDC a, DDC b) {
    const dd inv = ScalarDD::recip(ScalarDD::fmadd(b.re, b.re, ScalarDD::mul(b.im, b.im)));
    const dd nr = ScalarDD::fmadd(a.re, b.re, ScalarDD::mul(a.im, b.im));   // Re(a conj(b))
    const dd ni = ScalarDD::fnmadd(a.re, b.im, ScalarDD::mul(a.im, b.re));  // Im(a conj(b))
    return {ScalarDD::mul(nr, inv), ScalarDD::mul(ni, inv)};
}

}  // namespace
