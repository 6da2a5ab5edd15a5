// nbcli._core: the compiled module. It only creates the module and calls the
// register_* functions, each of which binds one part of the C++ library.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_info(py::module_& m);
void register_palette(py::module_& m);
void register_render(py::module_& m);
void register_dispatch(py::module_& m);
void register_bench(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "nb-render's compiled core (an implementation detail: use the nbcli package)";
    register_info(m);
    register_palette(m);  // before render, whose signature names the Palette class
    register_render(m);
    register_dispatch(m);
    register_bench(m);
}
