// A natural logarithm of doubles made of +, -, *, / and bit operations alone:
// no libm and no fused multiply-add, so every instruction set, every platform
// and the test reference (tests/reference.py: log) give the same bits. It is
// fdlibm's __ieee754_log (as FreeBSD and musl have it), lane by lane with the
// vector type V: x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)),
// s = f / (2 + f), and log(x) = k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
// with hfsq = f^2 / 2 and R a degree-7 polynomial in s^2; error below 1 ulp.
// log(0) = -inf, log(+inf) = +inf, NaN for NaN and negative numbers.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

namespace nbr {
namespace detail {

inline double double_from_bits(std::uint64_t u) {
    double d;
    std::memcpy(&d, &u, sizeof d);
    return d;
}

template <class V>
typename V::reg vlog(typename V::reg x) {
    using reg = typename V::reg;
    auto bits = [](std::uint64_t u) { return V::set1(double_from_bits(u)); };
    auto c = [](double v) { return V::set1(v); };
    // subnormals: scaled into the normal range (exactly); their exponent is corrected below
    const auto tiny = V::lt(x, c(0x1p-1022));
    const reg xs = V::select(tiny, V::mul(x, c(0x1p54)), x);
    // Adding (0x3ff00000 - 0x3fe6a09e) to the high word carries into the exponent exactly when
    // the significand is at least sqrt(2): the exponent field is then k's, and the significand
    // with the high word 0x3fe6a09e added back is 1 + f in [sqrt(2)/2, sqrt(2)).
    const reg u = V::bits_add(xs, bits(0x00095f6200000000ull));
    const reg m = V::bits_add(V::bits_and(u, bits(0x000fffffffffffffull)), bits(0x3fe6a09e00000000ull));
    // the biased exponent, an integer below 2^11, as a double: (2^52 + e) - 2^52
    const reg e = V::sub(V::bits_or(V::bits_shr52(u), bits(0x4330000000000000ull)), c(0x1p52));
    const reg dk = V::sub(V::sub(e, c(1023.0)), V::select(tiny, c(54.0), c(0.0)));

    const reg f = V::sub(m, c(1.0));
    const reg hfsq = V::mul(V::mul(c(0.5), f), f);
    const reg s = V::div(f, V::add(c(2.0), f));
    const reg z = V::mul(s, s);
    const reg w = V::mul(z, z);
    const reg t1 = V::mul(w, V::add(c(3.999999999940941908e-01),  // Lg2, Lg4, Lg6
                                    V::mul(w, V::add(c(2.222219843214978396e-01), V::mul(w, c(1.531383769920937332e-01))))));
    const reg t2 = V::mul(
        z, V::add(c(6.666666666666735130e-01),  // Lg1, Lg3, Lg5, Lg7
                  V::mul(w, V::add(c(2.857142874366239149e-01),
                                   V::mul(w, V::add(c(1.818357216161805012e-01), V::mul(w, c(1.479819860511658591e-01))))))));
    const reg r = V::add(t2, t1);
    // s (hfsq + R) + dk ln2_lo - hfsq + f + dk ln2_hi, left to right
    reg y = V::add(V::mul(s, V::add(hfsq, r)), V::mul(dk, c(1.90821492927058770002e-10)));
    y = V::add(V::add(V::sub(y, hfsq), f), V::mul(dk, c(6.93147180369123816490e-01)));

    constexpr double inf = std::numeric_limits<double>::infinity();
    y = V::select(V::eq(x, c(0.0)), c(-inf), y);
    y = V::select(V::eq(x, c(inf)), c(inf), y);
    return V::select(V::mor(V::lt(x, c(0.0)), V::ne(x, x)), c(std::numeric_limits<double>::quiet_NaN()), y);
}

}  // namespace detail
}  // namespace nbr
