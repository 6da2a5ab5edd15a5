// Private helpers for the benchmark suite (benchmarks/run.py) and the tests; not part of the API.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "arrays.hpp"
#include "gil.hpp"
#include "nbr/kernels.hpp"

namespace py = pybind11;

void register_bench(py::module_& m) {
    m.def(
        "_peak_fmadd",
        [](const std::string& kernel, std::int64_t iterations, const std::string& precision) {
            const nbr::Precision p = nbr::parse_precision(precision);
            double peak = 0.0;
            nbr_py::without_gil([&] { peak = nbr::peak_fmadd(kernel, iterations, p); });
            return peak;
        },
        py::arg("kernel"), py::arg("iterations"), py::arg("precision") = "double",
        "Vector multiply-adds per second that one thread issues with the instructions of KERNEL "
        "(an FMA where the kernel fuses, a multiply and an add where it does not), over ITERATIONS "
        "rounds of independent chains, on vectors of doubles or (precision='single') of floats, "
        "which hold twice as many lanes. The benchmark suite's roofline.");
    m.def(
        "_log",
        [](const carray<double>& x, const std::string& kernel) {
            py::array_t<double> out(x.size());
            double* o = out.mutable_data();
            nbr_py::without_gil([&] { nbr::vector_log(kernel, static_cast<std::size_t>(x.size()), x.data(), o); });
            return out;
        },
        py::arg("x"), py::arg("kernel") = "",
        "The natural logarithm of the smooth step counts, elementwise over X (flattened), with the vectors "
        "of KERNEL: for the tests, which check it against their own model of it.");
}
