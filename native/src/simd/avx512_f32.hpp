// Sixteen floats per vector, AVX-512F (which includes FMA): single precision.
#pragma once
#include <immintrin.h>

namespace {
struct VecAvx512F32 {
    using scalar = float;
    using reg = __m512;
    using mask = __mmask16;
    static constexpr int lanes = 16;
    static constexpr bool fused = true;
    static reg set1(float a) { return _mm512_set1_ps(a); }
    static reg load(const float* p) { return _mm512_load_ps(p); }
    static reg loadu(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, reg a) { _mm512_store_ps(p, a); }
    static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
    static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
    static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
    static reg fnmadd(reg a, reg b, reg c) { return _mm512_fnmadd_ps(a, b, c); }
    static mask le(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
    static mask lt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
    static mask ge(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
    static mask ne(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
    static mask mand(mask a, mask b) { return static_cast<mask>(a & b); }
    static mask mor(mask a, mask b) { return static_cast<mask>(a | b); }
    static mask mandnot(mask a, mask b) { return static_cast<mask>(~a & b); }
    static unsigned bits(mask m) { return static_cast<unsigned>(m); }
    static reg select(mask m, reg a, reg b) { return _mm512_mask_blend_ps(m, b, a); }
    static mask eq(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
    static mask nlt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_NLT_UQ); }  // !(a < b), true for NaN
    static unsigned signs(reg a) {  // (_mm512_movepi32_mask would need AVX-512DQ)
        const __m512i i = _mm512_castps_si512(a);
        return static_cast<unsigned>(_mm512_test_epi32_mask(i, _mm512_set1_epi32(static_cast<int>(0x80000000u))));
    }
    static mask from_bits(unsigned b) { return static_cast<mask>(b); }
    static reg clear(mask m, reg a) { return _mm512_maskz_mov_ps(static_cast<mask>(~m), a); }  // 0 where m
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: zero).
    static reg expand(unsigned b, reg a) { return _mm512_maskz_expand_ps(static_cast<mask>(b), a); }
};
}  // namespace
