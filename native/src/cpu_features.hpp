// What the CPU this runs on can do: instruction-set extensions that the CPU
// has and the operating system enables (it saves their registers). Detection
// only; which kernel needs what is each kernel's business (isa/*.hpp), and
// the choice between them dispatch.cpp's.
#pragma once

#include <cstdint>

namespace nbr {
namespace cpu {

enum Feature : std::uint32_t {
    kAvx2 = 1u << 0,
    kFma = 1u << 1,
    kAvx512f = 1u << 2,
};

// The features of this CPU (a set of Feature bits; none off x86-64), detected once.
std::uint32_t features();

// Whether the CPU has every feature in `required`.
inline bool has(std::uint32_t required) { return (features() & required) == required; }

}  // namespace cpu
}  // namespace nbr
