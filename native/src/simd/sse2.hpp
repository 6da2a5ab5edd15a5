// Two doubles per vector, SSE2: the x86-64 baseline. No FMA: fmadd is a
// separately rounded multiply and add.
#pragma once
#include <emmintrin.h>

namespace {
struct VecSse2 {
    using reg = __m128d;
    using mask = __m128d;
    static constexpr int lanes = 2;
    static constexpr bool fused = false;
    static reg set1(double a) { return _mm_set1_pd(a); }
    static reg load(const double* p) { return _mm_load_pd(p); }
    static void store(double* p, reg a) { _mm_store_pd(p, a); }
    static reg add(reg a, reg b) { return _mm_add_pd(a, b); }
    static reg sub(reg a, reg b) { return _mm_sub_pd(a, b); }
    static reg mul(reg a, reg b) { return _mm_mul_pd(a, b); }
    static reg div(reg a, reg b) { return _mm_div_pd(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }   // a*b + c
    static reg fnmadd(reg a, reg b, reg c) { return _mm_sub_pd(c, _mm_mul_pd(a, b)); }  // c - a*b
    static mask le(reg a, reg b) { return _mm_cmple_pd(a, b); }
    static mask lt(reg a, reg b) { return _mm_cmplt_pd(a, b); }
    static mask ge(reg a, reg b) { return _mm_cmpge_pd(a, b); }
    static mask ne(reg a, reg b) { return _mm_cmpneq_pd(a, b); }
    static mask mand(mask a, mask b) { return _mm_and_pd(a, b); }
    static mask mor(mask a, mask b) { return _mm_or_pd(a, b); }
    static mask mandnot(mask a, mask b) { return _mm_andnot_pd(a, b); }  // ~a & b
    static unsigned bits(mask m) { return static_cast<unsigned>(_mm_movemask_pd(m)); }
    static reg select(mask m, reg a, reg b) { return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b)); }
};
}  // namespace
