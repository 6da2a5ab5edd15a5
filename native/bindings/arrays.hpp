// The arrays that cross between NumPy and the library: how arguments are
// taken, and the per-pixel data fields render() returns, named once, with
// the NumPy types of the element types the library's sinks write.
#pragma once

#include <pybind11/numpy.h>

#include <string>
#include <vector>

#include "nbr/limits.hpp"

// A C-contiguous array of T, converted from any array-like.
template <class T>
using carray = pybind11::array_t<T, pybind11::array::c_style | pybind11::array::forcecast>;

struct DataField {
    const char* name;
    pybind11::dtype dtype;
};

inline constexpr const char* kRootField = "root";
inline constexpr const char* kIterationsField = "iterations";
inline constexpr const char* kSmoothField = "smooth";
inline constexpr const char* kResidualField = "residual";

inline std::vector<DataField> data_fields() {
    namespace py = pybind11;
    return {{kRootField, py::dtype::of<nbr::RootIndex>()},
            {kIterationsField, py::dtype::of<nbr::StepCount>()},
            {kSmoothField, py::dtype::of<nbr::SmoothCount>()},
            {kResidualField, py::dtype::of<nbr::Residual>()}};
}
