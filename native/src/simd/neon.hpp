// Two doubles per vector, AArch64 NEON (baseline on every aarch64 CPU; has FMA).
#pragma once
#include <arm_neon.h>

namespace {
struct VecNeon {
    using reg = float64x2_t;
    using mask = uint64x2_t;
    static constexpr int lanes = 2;
    static constexpr bool fused = true;
    static reg set1(double a) { return vdupq_n_f64(a); }
    static reg load(const double* p) { return vld1q_f64(p); }
    static reg loadu(const double* p) { return vld1q_f64(p); }
    static void store(double* p, reg a) { vst1q_f64(p, a); }
    static void storeu(double* p, reg a) { vst1q_f64(p, a); }
    static reg add(reg a, reg b) { return vaddq_f64(a, b); }
    static reg sub(reg a, reg b) { return vsubq_f64(a, b); }
    static reg mul(reg a, reg b) { return vmulq_f64(a, b); }
    static reg div(reg a, reg b) { return vdivq_f64(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return vfmaq_f64(c, a, b); }
    static reg fnmadd(reg a, reg b, reg c) { return vfmsq_f64(c, a, b); }
    static mask le(reg a, reg b) { return vcleq_f64(a, b); }
    static mask lt(reg a, reg b) { return vcltq_f64(a, b); }
    static mask ge(reg a, reg b) { return vcgeq_f64(a, b); }
    static mask ne(reg a, reg b) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, b)))); }
    static mask mand(mask a, mask b) { return vandq_u64(a, b); }
    static mask mor(mask a, mask b) { return vorrq_u64(a, b); }
    static mask mandnot(mask a, mask b) { return vbicq_u64(b, a); }
    static unsigned bits(mask m) {
        return static_cast<unsigned>((vgetq_lane_u64(m, 0) & 1u) | ((vgetq_lane_u64(m, 1) & 1u) << 1));
    }
    static reg select(mask m, reg a, reg b) { return vbslq_f64(m, a, b); }
    static mask eq(reg a, reg b) { return vceqq_f64(a, b); }
    static mask nlt(reg a, reg b) {  // !(a < b), true for NaN
        return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vcltq_f64(a, b))));
    }
    static unsigned signs(reg a) {
        const uint64x2_t s = vshrq_n_u64(vreinterpretq_u64_f64(a), 63);
        return static_cast<unsigned>(vgetq_lane_u64(s, 0) | (vgetq_lane_u64(s, 1) << 1));
    }
    static mask from_bits(unsigned b) {
        const uint64x2_t bit = vcombine_u64(vcreate_u64(1), vcreate_u64(2));
        return vtstq_u64(vdupq_n_u64(b), bit);
    }
    static reg clear(mask m, reg a) {  // 0 where m
        return vreinterpretq_f64_u64(vbicq_u64(vreinterpretq_u64_f64(a), m));
    }
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    static reg expand(unsigned b, reg a) { return b == 3u ? a : vdupq_laneq_f64(a, 0); }
    // The bits of doubles as unsigned 64-bit integers (the self-contained log, vlog.hpp).
    static reg bits_add(reg a, reg b) {
        return vreinterpretq_f64_u64(vaddq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)));
    }
    static reg bits_and(reg a, reg b) {
        return vreinterpretq_f64_u64(vandq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)));
    }
    static reg bits_or(reg a, reg b) {
        return vreinterpretq_f64_u64(vorrq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)));
    }
    static reg bits_shr52(reg a) { return vreinterpretq_f64_u64(vshrq_n_u64(vreinterpretq_u64_f64(a), 52)); }
};
}  // namespace
