// Four doubles per vector, AVX2 + FMA.
#pragma once
#include <immintrin.h>

namespace {
struct VecAvx2 {
    using reg = __m256d;
    using mask = __m256d;
    static constexpr int lanes = 4;
    static constexpr bool fused = true;
    static reg set1(double a) { return _mm256_set1_pd(a); }
    static reg load(const double* p) { return _mm256_load_pd(p); }
    static reg loadu(const double* p) { return _mm256_loadu_pd(p); }
    static void store(double* p, reg a) { _mm256_store_pd(p, a); }
    static void storeu(double* p, reg a) { _mm256_storeu_pd(p, a); }
    static reg add(reg a, reg b) { return _mm256_add_pd(a, b); }
    static reg sub(reg a, reg b) { return _mm256_sub_pd(a, b); }
    static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
    static reg div(reg a, reg b) { return _mm256_div_pd(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
    static reg fnmadd(reg a, reg b, reg c) { return _mm256_fnmadd_pd(a, b, c); }
    static mask le(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
    static mask lt(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
    static mask ge(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
    static mask ne(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_NEQ_UQ); }
    static mask mand(mask a, mask b) { return _mm256_and_pd(a, b); }
    static mask mor(mask a, mask b) { return _mm256_or_pd(a, b); }
    static mask mandnot(mask a, mask b) { return _mm256_andnot_pd(a, b); }
    static unsigned bits(mask m) { return static_cast<unsigned>(_mm256_movemask_pd(m)); }
    static reg select(mask m, reg a, reg b) { return _mm256_blendv_pd(b, a, m); }
    static mask eq(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
    static mask nlt(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_NLT_UQ); }  // !(a < b), true for NaN
    static unsigned signs(reg a) { return static_cast<unsigned>(_mm256_movemask_pd(a)); }
    static mask from_bits(unsigned b) {
        const __m256i bit = _mm256_set_epi64x(8, 4, 2, 1);
        const __m256i m = _mm256_and_si256(_mm256_set1_epi64x(static_cast<long long>(b)), bit);
        return _mm256_castsi256_pd(_mm256_cmpeq_epi64(m, bit));
    }
    static reg clear(mask m, reg a) { return _mm256_andnot_pd(m, a); }  // 0 where m
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    static reg expand(unsigned b, reg a) {
        alignas(32) static const int idx[16][8] = {
            {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 2, 3, 0, 1, 0, 1},
            {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 2, 3, 0, 1}, {0, 1, 0, 1, 2, 3, 0, 1}, {0, 1, 2, 3, 4, 5, 0, 1},
            {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 2, 3, 0, 1, 4, 5},
            {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 0, 1, 2, 3, 4, 5}, {0, 1, 0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5, 6, 7}};
        const __m256i i = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx[b & 15u]));
        return _mm256_castsi256_pd(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(a), i));
    }
    // The bits of doubles as unsigned 64-bit integers (the self-contained log, vlog.hpp).
    static reg bits_add(reg a, reg b) {
        return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(a), _mm256_castpd_si256(b)));
    }
    static reg bits_and(reg a, reg b) { return _mm256_and_pd(a, b); }
    static reg bits_or(reg a, reg b) { return _mm256_or_pd(a, b); }
    static reg bits_shr52(reg a) { return _mm256_castsi256_pd(_mm256_srli_epi64(_mm256_castpd_si256(a), 52)); }
};
}  // namespace
