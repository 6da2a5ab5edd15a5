// Eight floats per vector, AVX2 + FMA: single precision.
#pragma once
#include <immintrin.h>

namespace {
// For each 8-bit mask b, the lane of the source that each destination lane
// takes when the first popcount(b) lanes are moved to the lanes set in b
// (lanes not in b take lane 0). 256 x 8 indices, 8 KiB, built at compile time.
struct ExpandTable8 {
    alignas(32) int idx[256][8];
    constexpr ExpandTable8() : idx() {
        for (unsigned b = 0; b < 256; ++b) {
            int k = 0;
            for (int l = 0; l < 8; ++l) idx[b][l] = ((b >> l) & 1u) ? k++ : 0;
        }
    }
};

struct VecAvx2F32 {
    using scalar = float;
    using reg = __m256;
    using mask = __m256;
    static constexpr int lanes = 8;
    static constexpr bool fused = true;
    static reg set1(float a) { return _mm256_set1_ps(a); }
    static reg load(const float* p) { return _mm256_load_ps(p); }
    static reg loadu(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, reg a) { _mm256_store_ps(p, a); }
    static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
    static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
    static reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
    static reg fnmadd(reg a, reg b, reg c) { return _mm256_fnmadd_ps(a, b, c); }
    static mask le(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
    static mask lt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
    static mask ge(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
    static mask ne(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
    static mask mand(mask a, mask b) { return _mm256_and_ps(a, b); }
    static mask mor(mask a, mask b) { return _mm256_or_ps(a, b); }
    static mask mandnot(mask a, mask b) { return _mm256_andnot_ps(a, b); }
    static unsigned bits(mask m) { return static_cast<unsigned>(_mm256_movemask_ps(m)); }
    static reg select(mask m, reg a, reg b) { return _mm256_blendv_ps(b, a, m); }
    static mask eq(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
    static mask nlt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_NLT_UQ); }  // !(a < b), true for NaN
    static unsigned signs(reg a) { return static_cast<unsigned>(_mm256_movemask_ps(a)); }
    static mask from_bits(unsigned b) {
        const __m256i bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
        const __m256i m = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(b)), bit);
        return _mm256_castsi256_ps(_mm256_cmpeq_epi32(m, bit));
    }
    static reg clear(mask m, reg a) { return _mm256_andnot_ps(m, a); }  // 0 where m
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    static reg expand(unsigned b, reg a) {
        static constexpr ExpandTable8 table{};
        const __m256i i = _mm256_load_si256(reinterpret_cast<const __m256i*>(table.idx[b & 255u]));
        return _mm256_permutevar8x32_ps(a, i);
    }
};
}  // namespace
