// Binds nbr::Palette (checked when it is made) and nbr::colorize: colouring
// saved per-pixel data exactly as render(palette=...) colours a render.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "gil.hpp"
#include "nbr/render.hpp"

namespace py = pybind11;

namespace {

nbr::Palette make_palette(const carray<float>& colors, const carray<float>& shade, const carray<float>& nonconv,
                          bool smooth, int depth) {
    if (colors.ndim() != 2 || colors.shape(1) != 3) throw std::invalid_argument("colors must have shape (nroots, 3)");
    if (shade.ndim() != 1 || shade.shape(0) < 1)
        throw std::invalid_argument(smooth ? "shade needs itmax + 1 values for smooth shading (0..itmax)"
                                           : "shade needs one value per iteration");
    if (nonconv.size() != 3) throw std::invalid_argument("nonconverged must have 3 components");
    nbr::Palette pal;
    pal.colors.assign(colors.data(), colors.data() + colors.size());
    pal.shade.assign(shade.data(), shade.data() + shade.size());
    std::copy(nonconv.data(), nonconv.data() + 3, pal.nonconverged);
    pal.smooth = smooth;
    pal.depth = depth;
    nbr::validate(pal);
    return pal;
}

template <class T>
py::array colorize_into(const nbr::Palette& pal, const carray<nbr::RootIndex>& root,
                        const carray<nbr::StepCount>& iter, const nbr::SmoothCount* smooth) {
    std::vector<py::ssize_t> shape(root.shape(), root.shape() + root.ndim());
    shape.push_back(3);
    py::array_t<T> out(shape);
    T* o = out.mutable_data();
    nbr_py::without_gil(
        [&] { nbr::colorize(pal, static_cast<std::size_t>(root.size()), root.data(), iter.data(), smooth, o); });
    return std::move(out);
}

py::array colorize(const carray<nbr::RootIndex>& root, const carray<nbr::StepCount>& iter, const nbr::Palette& pal,
                   const py::object& smooth) {
    auto same_shape = [&](const py::array& a) {
        return a.ndim() == root.ndim() && std::equal(root.shape(), root.shape() + root.ndim(), a.shape());
    };
    if (!same_shape(iter)) throw std::invalid_argument("root and iterations must have the same shape");
    carray<nbr::SmoothCount> sm;
    if (!smooth.is_none()) {
        sm = smooth.cast<carray<nbr::SmoothCount>>();
        if (!same_shape(sm)) throw std::invalid_argument("smooth must have the same shape as root");
    } else if (pal.smooth) {
        throw std::invalid_argument("smooth shading needs the smooth counts (smooth=...)");
    }
    const nbr::SmoothCount* s = pal.smooth ? sm.data() : nullptr;
    if (pal.depth == 16) return colorize_into<std::uint16_t>(pal, root, iter, s);
    return colorize_into<std::uint8_t>(pal, root, iter, s);
}

}  // namespace

void register_palette(py::module_& m) {
    py::class_<nbr::Palette>(m, "Palette",
                             "A colouring (see nbr::Palette): colours per root on the 0..255 scale, a shade per "
                             "step in 0..1, the colour of pixels that did not converge; shaded at the smooth step "
                             "count when smooth; 8 or 16 bits per channel.")
        .def(py::init(&make_palette), py::arg("colors"), py::arg("shade"), py::arg("nonconverged"), py::kw_only(),
             py::arg("smooth"), py::arg("depth"))
        .def_property_readonly("smooth", [](const nbr::Palette& p) { return p.smooth; })
        .def_property_readonly("depth", [](const nbr::Palette& p) { return p.depth; });
    m.def("colorize", &colorize, py::arg("root"), py::arg("iterations"), py::arg("palette"), py::kw_only(),
          py::arg("smooth") = py::none(),
          "Colour per-pixel (root, iterations[, smooth]) data into an 8- or 16-bit RGB array, exactly as "
          "render(palette=...) does; smooth is needed when the palette is.");
}
