// The checks render() makes before it starts (defined in problem.cpp).
#pragma once

#include "nbr/render.hpp"

namespace nbr {
namespace detail {

// Throws std::invalid_argument, naming the first thing wrong, unless render()
// can run the problem with these options (the kernel name is checked when it
// is looked up).
void validate(const Problem& problem, const Options& options);

}  // namespace detail
}  // namespace nbr
