// Four floats per vector, SSE2: the x86-64 baseline in single precision. No
// FMA: fmadd is a separately rounded multiply and add.
#pragma once
#include <emmintrin.h>

namespace {
struct VecSse2F32 {
    using scalar = float;
    using reg = __m128;
    using mask = __m128;
    static constexpr int lanes = 4;
    static constexpr bool fused = false;
    static reg set1(float a) { return _mm_set1_ps(a); }
    static reg load(const float* p) { return _mm_load_ps(p); }
    static reg loadu(const float* p) { return _mm_loadu_ps(p); }
    static void store(float* p, reg a) { _mm_store_ps(p, a); }
    static reg add(reg a, reg b) { return _mm_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm_sub_ps(a, b); }
    static reg mul(reg a, reg b) { return _mm_mul_ps(a, b); }
    static reg div(reg a, reg b) { return _mm_div_ps(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }   // a*b + c
    static reg fnmadd(reg a, reg b, reg c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }  // c - a*b
    static mask le(reg a, reg b) { return _mm_cmple_ps(a, b); }
    static mask lt(reg a, reg b) { return _mm_cmplt_ps(a, b); }
    static mask ge(reg a, reg b) { return _mm_cmpge_ps(a, b); }
    static mask ne(reg a, reg b) { return _mm_cmpneq_ps(a, b); }
    static mask mand(mask a, mask b) { return _mm_and_ps(a, b); }
    static mask mor(mask a, mask b) { return _mm_or_ps(a, b); }
    static mask mandnot(mask a, mask b) { return _mm_andnot_ps(a, b); }  // ~a & b
    static unsigned bits(mask m) { return static_cast<unsigned>(_mm_movemask_ps(m)); }
    static reg select(mask m, reg a, reg b) { return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b)); }
    static mask eq(reg a, reg b) { return _mm_cmpeq_ps(a, b); }
    static mask nlt(reg a, reg b) { return _mm_cmpnlt_ps(a, b); }  // !(a < b), true for NaN
    static unsigned signs(reg a) { return static_cast<unsigned>(_mm_movemask_ps(a)); }
    static mask from_bits(unsigned b) {
        const __m128i bit = _mm_set_epi32(8, 4, 2, 1);
        const __m128i m = _mm_and_si128(_mm_set1_epi32(static_cast<int>(b)), bit);
        return _mm_castsi128_ps(_mm_cmpeq_epi32(m, bit));
    }
    static reg clear(mask m, reg a) { return _mm_andnot_ps(m, a); }  // 0 where m

    // The shuffle that moves lane k of a to the k-th lane set in b (others: lane 0).
    static constexpr int expand_imm(unsigned b) {
        int imm = 0, k = 0;
        for (int l = 0; l < 4; ++l)
            if ((b >> l) & 1u) imm |= (k++) << (2 * l);
        return imm;
    }
    template <unsigned B>
    static reg expand_to(reg a) {
        return _mm_castsi128_ps(_mm_shuffle_epi32(_mm_castps_si128(a), expand_imm(B)));
    }
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    // SSE2 has no variable shuffle: one immediate shuffle per mask.
    static reg expand(unsigned b, reg a) {
        switch (b & 15u) {
            case 1: case 3: case 7: case 15: return a;  // already in place
            case 2: return expand_to<2>(a);
            case 4: return expand_to<4>(a);
            case 5: return expand_to<5>(a);
            case 6: return expand_to<6>(a);
            case 8: return expand_to<8>(a);
            case 9: return expand_to<9>(a);
            case 10: return expand_to<10>(a);
            case 11: return expand_to<11>(a);
            case 12: return expand_to<12>(a);
            case 13: return expand_to<13>(a);
            case 14: return expand_to<14>(a);
            default: return a;  // 0: nothing to move
        }
    }
};
}  // namespace
