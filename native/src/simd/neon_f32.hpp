// Four floats per vector, AArch64 NEON (baseline on every aarch64 CPU; has
// FMA): single precision.
#pragma once
#include <arm_neon.h>
#include <cstdint>

namespace {
// For each 4-bit mask b, the bytes that vqtbl1q_u8 picks so that the first
// popcount(b) floats of the source land in the lanes set in b (lanes not in
// b take float 0). Built at compile time.
struct ExpandTableNeon4 {
    alignas(16) std::uint8_t idx[16][16];
    constexpr ExpandTableNeon4() : idx() {
        for (unsigned b = 0; b < 16; ++b) {
            int k = 0;
            for (int l = 0; l < 4; ++l) {
                const int src = ((b >> l) & 1u) ? k++ : 0;
                for (int j = 0; j < 4; ++j) idx[b][4 * l + j] = static_cast<std::uint8_t>(4 * src + j);
            }
        }
    }
};

struct VecNeonF32 {
    using scalar = float;
    using reg = float32x4_t;
    using mask = uint32x4_t;
    static constexpr int lanes = 4;
    static constexpr bool fused = true;
    static reg set1(float a) { return vdupq_n_f32(a); }
    static reg load(const float* p) { return vld1q_f32(p); }
    static reg loadu(const float* p) { return vld1q_f32(p); }
    static void store(float* p, reg a) { vst1q_f32(p, a); }
    static reg add(reg a, reg b) { return vaddq_f32(a, b); }
    static reg sub(reg a, reg b) { return vsubq_f32(a, b); }
    static reg mul(reg a, reg b) { return vmulq_f32(a, b); }
    static reg div(reg a, reg b) { return vdivq_f32(a, b); }
    static reg fmadd(reg a, reg b, reg c) { return vfmaq_f32(c, a, b); }  // c + a*b, fused
    static reg fnmadd(reg a, reg b, reg c) { return vfmsq_f32(c, a, b); }  // c - a*b, fused
    static mask le(reg a, reg b) { return vcleq_f32(a, b); }
    static mask lt(reg a, reg b) { return vcltq_f32(a, b); }
    static mask ge(reg a, reg b) { return vcgeq_f32(a, b); }
    static mask ne(reg a, reg b) { return vmvnq_u32(vceqq_f32(a, b)); }
    static mask mand(mask a, mask b) { return vandq_u32(a, b); }
    static mask mor(mask a, mask b) { return vorrq_u32(a, b); }
    static mask mandnot(mask a, mask b) { return vbicq_u32(b, a); }  // ~a & b
    static uint32x4_t lane_bits() {  // 1, 2, 4, 8 (lane 0 is the low half of the first vcreate)
        return vcombine_u32(vcreate_u32(0x0000000200000001ull), vcreate_u32(0x0000000800000004ull));
    }
    static unsigned bits(mask m) { return static_cast<unsigned>(vaddvq_u32(vandq_u32(m, lane_bits()))); }
    static reg select(mask m, reg a, reg b) { return vbslq_f32(m, a, b); }
    static mask eq(reg a, reg b) { return vceqq_f32(a, b); }
    static mask nlt(reg a, reg b) { return vmvnq_u32(vcltq_f32(a, b)); }  // !(a < b), true for NaN
    static unsigned signs(reg a) {  // the sign bit spread over its lane, then as bits()
        return bits(vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(a), 31)));
    }
    static mask from_bits(unsigned b) { return vtstq_u32(vdupq_n_u32(b), lane_bits()); }
    static reg clear(mask m, reg a) {  // 0 where m
        return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(a), m));
    }
    // The first popcount(b) lanes of a, moved to the lanes set in b (others: don't care).
    static reg expand(unsigned b, reg a) {
        static constexpr ExpandTableNeon4 table{};
        const uint8x16_t i = vld1q_u8(table.idx[b & 15u]);
        return vreinterpretq_f32_u8(vqtbl1q_u8(vreinterpretq_u8_f32(a), i));
    }
};
}  // namespace
