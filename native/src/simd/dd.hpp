// Double-double: each lane holds an unevaluated sum hi + lo of two doubles
// (|lo| at most half a unit in the last place of hi), about 106 significant
// bits, built over any vector of doubles V (simd/*.hpp). VecDD<V> has V's
// interface, so the kernel template (kernel_impl.hpp) runs on it unchanged.
//
// The arithmetic, operation by operation (tests/reference.py mirrors it; V's
// fmadd is fused on FMA targets and a separately rounded multiply and add
// elsewhere, and the exact product error below is the same either way):
//  * prod_err(a, b, p) = p - a*b exactly, for p = a*b rounded: one fused
//    multiply-add where V has one, else Dekker's split (a and b cut into 26-bit
//    halves; exact unless a product under- or overflows).
//  * fast_two_sum(s, t): hi = s + t, lo = t - (hi - s) (exact when |s| >= |t|).
//  * add(a, b): s = a.hi + b.hi; bb = s - a.hi; e = (a.hi - (s - bb)) + (b.hi - bb)
//    (Knuth's two-sum: s + e == a.hi + b.hi exactly); e = e + (a.lo + b.lo);
//    fast_two_sum(s, e). sub(a, b) is add(a, -b) bit for bit.
//  * mul(a, b): p = a.hi*b.hi; t = fmadd(a.hi, b.lo, a.lo*b.hi) - prod_err(a.hi, b.hi, p);
//    fast_two_sum(p, t).
//  * fmadd(a, b, c) = a*b + c with one normalisation: p = a.hi*b.hi, then the
//    two-sum of p and c.hi as in add (s, e); t as in mul; e = e + (t + c.lo);
//    fast_two_sum(s, e). fnmadd(a, b, c) = c - a*b is fmadd(-a, b, c) bit for bit.
//  * recip(b) = 1/b: q = 1/b.hi; r = ((1 - q*b.hi) + err) - q*b.lo with
//    q*b.hi rounded and err = prod_err(q, b.hi, q*b.hi) (1 - q*b.hi is exact);
//    fast_two_sum(q, r*q). One division.
//  * norm2(re, im) = |re + i im|^2 from the high parts alone, in double:
//    fmadd(re.hi, re.hi, im.hi*im.hi), with lo = 0 (the convergence test needs
//    only the relative accuracy of |p|).
//  * Comparisons compare hi, then lo; masks, selects and bit tests are V's.
// Every operation is symmetric under negating all its inputs (round to nearest
// is), so the mirror symmetries of the driver hold as in double precision.
#pragma once

#include "kernel.hpp"  // nbr::detail::DoubleDouble, one lane's value

namespace {

using nbr::detail::DoubleDouble;

template <class V>
struct VecDD {
    using scalar = DoubleDouble;
    using base = V;
    using b = typename V::reg;
    struct reg {
        b hi, lo;
    };
    using mask = typename V::mask;
    static constexpr int lanes = V::lanes;
    static constexpr bool fused = V::fused;

    static reg set1(DoubleDouble a) { return {V::set1(a.hi), V::set1(a.lo)}; }
    static reg load(const DoubleDouble* p) { return loadu(p); }
    static reg loadu(const DoubleDouble* p) {
        alignas(64) double h[lanes], l[lanes];
        for (int i = 0; i < lanes; ++i) {
            h[i] = p[i].hi;
            l[i] = p[i].lo;
        }
        return {V::load(h), V::load(l)};
    }
    static void store(DoubleDouble* p, reg a) {
        alignas(64) double h[lanes], l[lanes];
        V::store(h, a.hi);
        V::store(l, a.lo);
        for (int i = 0; i < lanes; ++i) p[i] = DoubleDouble(h[i], l[i]);
    }

    // p - a*b exactly, for p = a*b rounded (see above)
    static b prod_err(b x, b y, b p) {
        if constexpr (V::fused) {
            return V::fnmadd(x, y, p);
        } else {
            const b split = V::set1(134217729.0);  // 2^27 + 1
            const b cx = V::mul(split, x), cy = V::mul(split, y);
            const b xh = V::sub(cx, V::sub(cx, x)), yh = V::sub(cy, V::sub(cy, y));
            const b xl = V::sub(x, xh), yl = V::sub(y, yh);
            const b e = V::sub(V::sub(V::sub(p, V::mul(xh, yh)), V::mul(xh, yl)), V::mul(xl, yh));
            return V::sub(e, V::mul(xl, yl));
        }
    }
    static reg fast_two_sum(b s, b t) {
        const b h = V::add(s, t);
        return {h, V::sub(t, V::sub(h, s))};
    }
    static reg add(reg x, reg y) {
        const b s = V::add(x.hi, y.hi);
        const b bb = V::sub(s, x.hi);
        const b e = V::add(V::sub(x.hi, V::sub(s, bb)), V::sub(y.hi, bb));
        return fast_two_sum(s, V::add(e, V::add(x.lo, y.lo)));
    }
    static reg sub(reg x, reg y) {  // add(x, -y), bit for bit
        const b s = V::sub(x.hi, y.hi);
        const b bb = V::sub(s, x.hi);
        const b e = V::sub(V::sub(x.hi, V::sub(s, bb)), V::add(y.hi, bb));
        return fast_two_sum(s, V::add(e, V::sub(x.lo, y.lo)));
    }
    // the low part of x*y: the cross terms less p - x.hi*y.hi
    static b prod_lo(reg x, reg y, b p) {
        return V::sub(V::fmadd(x.hi, y.lo, V::mul(x.lo, y.hi)), prod_err(x.hi, y.hi, p));
    }
    static reg mul(reg x, reg y) {
        const b p = V::mul(x.hi, y.hi);
        return fast_two_sum(p, prod_lo(x, y, p));
    }
    static reg fmadd(reg x, reg y, reg c) {
        const b p = V::mul(x.hi, y.hi);
        const b s = V::add(p, c.hi);
        const b bb = V::sub(s, p);
        const b e = V::add(V::sub(p, V::sub(s, bb)), V::sub(c.hi, bb));
        return fast_two_sum(s, V::add(e, V::add(prod_lo(x, y, p), c.lo)));
    }
    static reg fnmadd(reg x, reg y, reg c) {  // fmadd(-x, y, c), bit for bit
        const b p = V::mul(x.hi, y.hi);
        const b s = V::sub(c.hi, p);
        const b bb = V::add(s, p);
        const b e = V::sub(V::sub(c.hi, bb), V::add(p, V::sub(s, bb)));
        return fast_two_sum(s, V::add(e, V::sub(c.lo, prod_lo(x, y, p))));
    }
    static reg recip(reg y) {
        const b one = V::set1(1.0);
        const b q = V::div(one, y.hi);
        const b p = V::mul(q, y.hi);
        const b r = V::sub(V::add(V::sub(one, p), prod_err(q, y.hi, p)), V::mul(q, y.lo));
        return fast_two_sum(q, V::mul(r, q));
    }
    static reg norm2(reg re, reg im) { return {V::fmadd(re.hi, re.hi, V::mul(im.hi, im.hi)), V::set1(0.0)}; }

    static mask le(reg x, reg y) { return V::mor(V::lt(x.hi, y.hi), V::mand(V::eq(x.hi, y.hi), V::le(x.lo, y.lo))); }
    static mask lt(reg x, reg y) { return V::mor(V::lt(x.hi, y.hi), V::mand(V::eq(x.hi, y.hi), V::lt(x.lo, y.lo))); }
    static mask eq(reg x, reg y) { return V::mand(V::eq(x.hi, y.hi), V::eq(x.lo, y.lo)); }
    static mask nlt(reg x, reg y) {  // !(x < y), true for NaN
        return V::mandnot(V::mand(V::eq(x.hi, y.hi), V::lt(x.lo, y.lo)), V::nlt(x.hi, y.hi));
    }
    static mask mand(mask x, mask y) { return V::mand(x, y); }
    static mask mor(mask x, mask y) { return V::mor(x, y); }
    static mask mandnot(mask x, mask y) { return V::mandnot(x, y); }
    static unsigned bits(mask m) { return V::bits(m); }
    static unsigned signs(reg a) { return V::signs(a.hi); }
    static mask from_bits(unsigned m) { return V::from_bits(m); }
    static reg select(mask m, reg x, reg y) { return {V::select(m, x.hi, y.hi), V::select(m, x.lo, y.lo)}; }
    static reg clear(mask m, reg a) { return {V::clear(m, a.hi), V::clear(m, a.lo)}; }
    static reg expand(unsigned m, reg a) { return {V::expand(m, a.hi), V::expand(m, a.lo)}; }
};

}  // namespace
