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
    static reg loadu(const double* p) { return _mm_loadu_pd(p); }
    static void store(double* p, reg a) { _mm_store_pd(p, a); }
    static void storeu(double* p, reg a) { _mm_storeu_pd(p, a); }
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
    static mask eq(reg a, reg b) { return _mm_cmpeq_pd(a, b); }
    static mask nlt(reg a, reg b) { return _mm_cmpnlt_pd(a, b); }  // !(a < b), true for NaN
    static unsigned signs(reg a) { return static_cast<unsigned>(_mm_movemask_pd(a)); }
    static mask from_bits(unsigned b) {
        const __m128i bit = _mm_set_epi32(0, 2, 0, 1);
        const __m128i m = _mm_and_si128(_mm_set1_epi32(static_cast<int>(b)), bit);
        // SSE2 has no 64-bit compare: compare 32-bit halves and spread the low half's result
        const __m128i e = _mm_cmpeq_epi32(m, bit);
        return _mm_castsi128_pd(_mm_shuffle_epi32(e, 0xA0));
    }
    static reg clear(mask m, reg a) { return _mm_andnot_pd(m, a); }  // 0 where m
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    static reg expand(unsigned b, reg a) { return b == 3u ? a : _mm_unpacklo_pd(a, a); }
    // The bits of doubles as unsigned 64-bit integers (the self-contained log, vlog.hpp).
    static reg bits_add(reg a, reg b) { return _mm_castsi128_pd(_mm_add_epi64(_mm_castpd_si128(a), _mm_castpd_si128(b))); }
    static reg bits_and(reg a, reg b) { return _mm_and_pd(a, b); }
    static reg bits_or(reg a, reg b) { return _mm_or_pd(a, b); }
    static reg bits_shr52(reg a) { return _mm_castsi128_pd(_mm_srli_epi64(_mm_castpd_si128(a), 52)); }
};
}  // namespace
