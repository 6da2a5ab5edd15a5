// The CPU time of the calling thread, for the stage times of Stats.
#pragma once

#include <cstdint>

namespace nbr {
namespace detail {

// Nanoseconds of CPU time the calling thread has used (where the system has no
// such clock: wall time, which only the differences of are meaningful anyway).
std::int64_t thread_cpu_ns();

}  // namespace detail
}  // namespace nbr
