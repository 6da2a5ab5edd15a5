// nbcli._core.info(): the library's limits and names, read once by nbcli._native
// so that Python never writes them down a second time.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "arrays.hpp"
#include "nbr/render.hpp"

namespace py = pybind11;

namespace {

py::dict info() {
    py::dict limits;
    for (const auto& l : nbr::limits::all) limits[l.name] = l.value;
    py::list methods, precisions, fields;
    py::dict bits;
    for (nbr::Method m : nbr::kMethods) methods.append(nbr::method_name(m));
    for (nbr::Precision p : nbr::kPrecisions) {
        precisions.append(nbr::precision_name(p));
        bits[nbr::precision_name(p)] = nbr::precision_bits(p);
    }
    for (const auto& f : data_fields()) fields.append(py::list(py::make_tuple(f.name, f.dtype.attr("name"))));
    py::dict d;
    d["limits"] = limits;
    d["methods"] = methods;
    d["precisions"] = precisions;
    d["precision_bits"] = bits;
    d["data_fields"] = fields;
    return d;
}

}  // namespace

void register_info(py::module_& m) {
    m.def("info", &info,
          "The core's limits, method and precision names (with their significant bits), and per-pixel data fields "
          "(name, NumPy type), as a dict.");
}
