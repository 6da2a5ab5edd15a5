// Private helpers for the benchmark suite (benchmarks/run.py); not part of the API.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

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
}
