// Binds nbr::average_samples (--aa's averaging of coloured samples, run with
// the GIL released) and the two tables of its definition (for the tests).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "gil.hpp"
#include "nbr/average.hpp"
#include "nbr/limits.hpp"

namespace py = pybind11;

namespace {

template <class T>
std::pair<py::array, nbr::AverageStats> average_into(const carray<std::uint16_t>& samples, int a, int threads) {
    const auto rows = static_cast<int>(samples.shape(0) / a), cols = static_cast<int>(samples.shape(1) / a);
    py::array_t<T> out(std::vector<py::ssize_t>{rows, cols, 3});
    T* o = out.mutable_data();
    const std::uint16_t* s = samples.data();
    nbr::AverageStats st;
    nbr_py::without_gil([&] { st = nbr::average_samples(s, rows, cols, a, o, threads); });
    return {std::move(out), st};
}

py::tuple average(const carray<std::uint16_t>& samples, int a, int depth, int threads) {
    if (samples.ndim() != 3 || samples.shape(2) != 3)
        throw std::invalid_argument("samples must have shape (rows, cols, 3)");
    if (a < 1 || a > nbr::limits::max_aa) throw std::invalid_argument("a pixel averages 1 to 16 samples a side");
    if (samples.shape(0) > nbr::limits::max_side || samples.shape(1) > nbr::limits::max_side)
        throw std::invalid_argument("more samples on a side than a render has");
    if (samples.shape(0) % a != 0 || samples.shape(1) % a != 0)
        throw std::invalid_argument("the samples' rows and columns must be multiples of a");
    if (depth != 8 && depth != 16) throw std::invalid_argument("depth must be 8 or 16");
    auto [out, st] = depth == 8 ? average_into<std::uint8_t>(samples, a, threads)
                                : average_into<std::uint16_t>(samples, a, threads);
    py::dict stats;
    stats["threads"] = st.threads;
    stats["threads_unavailable"] = st.threads_unavailable;
    stats["cpu_seconds"] = st.cpu_seconds;
    return py::make_tuple(std::move(out), stats);
}

py::array_t<float> table(const std::vector<float>& t) {
    py::array_t<float> out(static_cast<py::ssize_t>(t.size()));
    std::copy(t.begin(), t.end(), out.mutable_data());
    return out;
}

}  // namespace

void register_average(py::module_& m) {
    m.def("average", &average, py::arg("samples"), py::arg("a"), py::arg("depth"), py::kw_only(),
          py::arg("threads") = 0,
          "Average (rows * a, cols * a, 3) uint16 coloured samples in linear light into (rows, cols, 3) pixels "
          "of 8 or 16 bits (nbr/average.hpp defines how, exactly); returns (pixels, stats).");
    m.def("_linear_light", [] { return table(nbr::linear_light()); },
          "The linear light of every 16-bit sRGB code (65536 floats), as averaging uses it.");
    m.def("_srgb_thresholds", [](int depth) { return table(nbr::srgb_thresholds(depth)); }, py::arg("depth"),
          "The smallest linear light of each code at 8 or 16 bits (maxval + 1 floats), as averaging uses it.");
}
