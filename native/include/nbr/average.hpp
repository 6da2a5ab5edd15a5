// Averaging supersamples in linear light: an image's pixels from its coloured
// samples (--aa N), exactly defined, the same bits on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nbr {

// The definition. Samples are 16-bit sRGB codes; a pixel's channel is the
// average of its a x a samples' channel in linear light, encoded as sRGB
// again at the output's depth (maxval = 255 or 65535):
//
//  * decode: sample code k (0..65535) stands for linear_light(k), the float
//    nearest to the sRGB decoding of v = k / 65535, computed in double:
//    v / 12.92 if v <= 0.04045, else ((v + 0.055) / 1.055)^2.4.
//  * mean: the exact mean of the a * a samples' linear values (their sum is
//    exact in double: every nonzero value is at least 2^-20, so a multiple of
//    2^-43, and at most 256 of them sum to below 2^9; see kMaxSamples). So it
//    depends neither on the order of the samples nor on rounding.
//  * encode: the output code k is the largest with threshold(depth, k) <= the
//    mean (threshold(depth, 0) = 0), where threshold(depth, k), k >= 1, is the
//    smallest float x whose sRGB encoding in double, e(x) * maxval with
//    e(x) = 12.92 x if x <= 0.0031308 else 1.055 x^(1/2.4) - 0.055, is at
//    least k - 1/2. A mean that is a float is thus encoded as e(mean) * maxval
//    rounded to the nearest code; any other mean as the float below it.
//
// Only the two tables use a power, computed in double with std::pow once per
// process. A different but accurate pow makes the same tables: every decoded
// value in double lies at least 774 units in its last place away from the
// middle between two floats; every float next to a threshold encodes to at
// least 2.2e-9 of a code away from k - 1/2, while an error of one unit in the
// last place of the power moves e(x) * maxval by at most 1.6e-11 of a code
// (at 16 bits; 6e-14 at 8). So any pow within 150 units in the last place
// (glibc's is within one, the usual libraries within a few) makes the same
// tables; tests/test_average.py checks these margins with NumPy's pow. The
// mean and the encoding of a mean use only exact operations: the result
// depends on no platform, compiler, instruction set or thread count.
//
// Properties: a block of equal samples of code k gives k at depth 16 and
// round(k / 257) at depth 8 (whatever a is); averaging is monotone in every
// sample.

// The most samples a pixel may average (a * a): the sum of this many linear
// values is exact in double (see above).
constexpr int kMaxSamples = 256;

// linear_light(k) for k = 0..65535 (65536 floats), made once.
const std::vector<float>& linear_light();
// threshold(depth, k) for k = 0..maxval (maxval + 1 floats), made once per depth (8 or 16).
const std::vector<float>& srgb_thresholds(int depth);

struct AverageStats {
    int threads = 0;              // threads that worked (the calling thread among them)
    int threads_unavailable = 0;  // threads asked for that the system could not start
    double cpu_seconds = 0.0;     // CPU seconds of the averaging, summed over the threads
};

// Averages `samples`, (rows * a) x (cols * a) x 3 codes (row-major, channels
// innermost), into `out`, rows x cols x 3, as defined above (uint8: depth 8,
// uint16: depth 16). a is 1 .. 16 (a * a <= kMaxSamples); `threads` as for
// render (0: all hardware threads). Throws std::invalid_argument for bad sizes.
AverageStats average_samples(const std::uint16_t* samples, int rows, int cols, int a, std::uint8_t* out,
                             int threads);
AverageStats average_samples(const std::uint16_t* samples, int rows, int cols, int a, std::uint16_t* out,
                             int threads);

}  // namespace nbr
