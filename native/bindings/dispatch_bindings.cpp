#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "nbr/render.hpp"

namespace py = pybind11;

void register_dispatch(py::module_& m) {
    m.def(
        "kernels",
        [] {
            py::list out;
            for (const auto& k : nbr::kernels()) {
                py::dict d;
                d["name"] = k.name;
                d["isa"] = k.isa;
                d["lanes"] = k.lanes;
                d["lanes_single"] = k.lanes_single;
                d["fused"] = k.fused;
                d["supported"] = k.supported;
                out.append(d);
            }
            return out;
        },
        "Every kernel compiled into this build, baseline first, as dicts.");
    m.def("selected_kernel", &nbr::selected_kernel,
          "Name of the kernel used by default (the best one, or the one NB_RENDER_KERNEL forces).");
    m.def("select_kernel", &nbr::select_kernel, py::arg("name"),
          "Make NAME the default kernel for this process ('auto' for the best one).");
}
