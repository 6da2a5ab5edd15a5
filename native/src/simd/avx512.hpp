// Eight doubles per vector, AVX-512F (which includes FMA).
#pragma once
#include <immintrin.h>

namespace {
struct VecAvx512 {
    using reg = __m512d;
    using mask = __mmask8;
    static constexpr int lanes = 8;
    static constexpr bool fused = true;
    static reg set1(double a) { return _mm512_set1_pd(a); }
    static reg load(const double* p) { return _mm512_load_pd(p); }
    static reg loadu(const double* p) { return _mm512_loadu_pd(p); }
    static void store(double* p, reg a) { _mm512_store_pd(p, a); }
    static void storeu(double* p, reg a) { _mm512_storeu_pd(p, a); }
    static reg add(reg a, reg b) { return _mm512_add_pd(a, b); }
    static reg sub(reg a, reg b) { return _mm512_sub_pd(a, b); }
    static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
    static reg div(reg a, reg b) { return _mm512_div_pd(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
    static reg fnmadd(reg a, reg b, reg c) { return _mm512_fnmadd_pd(a, b, c); }
    static mask le(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
    static mask lt(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
    static mask ge(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
    static mask ne(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_NEQ_UQ); }
    static mask mand(mask a, mask b) { return static_cast<mask>(a & b); }
    static mask mor(mask a, mask b) { return static_cast<mask>(a | b); }
    static mask mandnot(mask a, mask b) { return static_cast<mask>(~a & b); }
    static unsigned bits(mask m) { return static_cast<unsigned>(m); }
    static reg select(mask m, reg a, reg b) { return _mm512_mask_blend_pd(m, b, a); }
    static mask eq(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
    static mask nlt(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_NLT_UQ); }  // !(a < b), true for NaN
    static unsigned signs(reg a) {
        const __m512i i = _mm512_castpd_si512(a);
        return static_cast<unsigned>(_mm512_test_epi64_mask(i, _mm512_set1_epi64(static_cast<long long>(0x8000000000000000ull))));
    }
    static mask from_bits(unsigned b) { return static_cast<mask>(b); }
    static reg clear(mask m, reg a) { return _mm512_maskz_mov_pd(static_cast<mask>(~m), a); }  // 0 where m
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: zero).
    static reg expand(unsigned b, reg a) { return _mm512_maskz_expand_pd(static_cast<mask>(b), a); }
    // The bits of doubles as unsigned 64-bit integers (the self-contained log, vlog.hpp).
    static reg bits_add(reg a, reg b) {
        return _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
    }
    static reg bits_and(reg a, reg b) {
        return _mm512_castsi512_pd(_mm512_and_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
    }
    static reg bits_or(reg a, reg b) {
        return _mm512_castsi512_pd(_mm512_or_epi64(_mm512_castpd_si512(a), _mm512_castpd_si512(b)));
    }
    // The zero-masked form (every lane kept): GCC 12's plain _mm512_srli_epi64 passes
    // _mm512_undefined_epi32() through, which -Wmaybe-uninitialized flags under the sanitizers.
    static reg bits_shr52(reg a) {
        return _mm512_castsi512_pd(_mm512_maskz_srli_epi64(static_cast<__mmask8>(0xFF), _mm512_castpd_si512(a), 52));
    }
};
}  // namespace
