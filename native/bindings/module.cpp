// nbcli._core: the compiled module. It only creates the module and calls the
// register_* functions, each of which binds one part of the C++ library.
#include <pybind11/pybind11.h>

#include "gil.hpp"

namespace py = pybind11;

void register_info(py::module_& m);
void register_palette(py::module_& m);
void register_average(py::module_& m);
void register_roots(py::module_& m);
void register_render(py::module_& m);
void register_dispatch(py::module_& m);
void register_bench(py::module_& m);

// mod_gil_not_used: on a free-threaded CPython the module runs without the GIL. The kernel
// keeps no global mutable state (the kernel choice is an atomic; the CPU features and the
// kernel table are initialised once, thread-safely), every call works on its own buffers,
// and tests/test_threads.py renders from 8 threads at once against serial renders.
PYBIND11_MODULE(_core, m, py::mod_gil_not_used()) {
    m.doc() = "nb-render's compiled core (an implementation detail: use the nbcli package)";
    register_info(m);
    register_palette(m);  // before render, whose signature names the Palette class
    register_render(m);
    register_average(m);
    register_roots(m);
    register_dispatch(m);
    register_bench(m);
    // rendering threads stay away from the GIL once the interpreter exits (gil.hpp)
    py::module_::import("atexit").attr("register")(py::cpp_function(&nbr_py::interpreter_exiting));
}
