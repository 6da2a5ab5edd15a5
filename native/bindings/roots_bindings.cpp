// Binds nbr::polish_roots (the canonical last bits of roots), run with the GIL released.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <complex>
#include <cstddef>
#include <stdexcept>
#include <utility>

#include "arrays.hpp"
#include "gil.hpp"
#include "nbr/limits.hpp"
#include "nbr/roots.hpp"

namespace py = pybind11;

namespace {

py::array_t<std::complex<double>> polish(const carray<std::complex<double>>& coefs,
                                         const carray<std::complex<double>>& roots, const carray<int>& mult) {
    if (coefs.ndim() != 1 || roots.ndim() != 1 || mult.ndim() != 1) throw std::invalid_argument("1-d arrays only");
    if (coefs.shape(0) < 2 || coefs.shape(0) > nbr::limits::max_degree + 1)
        throw std::invalid_argument("a polynomial of degree 1 to max_degree");
    if (coefs.data()[0] == std::complex<double>(0.0, 0.0)) throw std::invalid_argument("the leading coefficient is 0");
    if (roots.shape(0) != mult.shape(0)) throw std::invalid_argument("one multiplicity per root");
    py::array_t<std::complex<double>> out(roots.shape(0));
    auto* o = out.mutable_data();
    for (py::ssize_t i = 0; i < roots.shape(0); ++i) o[i] = roots.data()[i];
    const auto* c = coefs.data();
    const int* m = mult.data();
    const auto nc = static_cast<std::size_t>(coefs.shape(0)), nr = static_cast<std::size_t>(roots.shape(0));
    nbr_py::without_gil([&] { nbr::polish_roots(c, nc, o, m, nr); });
    return out;
}

}  // namespace

void register_roots(py::module_& m) {
    m.def("polish_roots", &polish, py::arg("coefs"), py::arg("roots"), py::arg("mult"),
          "The roots (of these multiplicities) of the polynomial with these coefficients (highest degree first), "
          "refined to their canonical doubles (nbr/roots.hpp defines how, exactly).");
}
