// Binds nbr::render. Arguments are converted while holding the GIL; the whole
// computation then runs with the GIL released. The calling thread re-takes
// the GIL about every 50 ms to run Python's signal handlers (so Ctrl-C raises
// KeyboardInterrupt promptly) and to report progress.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "nbr/render.hpp"

namespace py = pybind11;

namespace {

using cplx = std::complex<double>;
template <class T>
using carray = py::array_t<T, py::array::c_style | py::array::forcecast>;

template <class T>
std::vector<T> to_vector(const carray<T>& a, const char* what) {
    if (a.ndim() != 1) throw std::invalid_argument(std::string(what) + " must be one-dimensional");
    return std::vector<T>(a.data(), a.data() + a.size());
}

py::dict stats_dict(const nbr::Stats& s) {
    py::dict d;
    d["pixels"] = s.pixels;
    d["pixels_computed"] = s.pixels_computed;
    d["iterations"] = s.iterations;
    d["threads"] = s.threads;
    d["kernel"] = s.kernel;
    return d;
}

nbr::Palette make_palette(const carray<float>& colors, const carray<float>& shade, const carray<float>& nonconv,
                          std::size_t nroots, int itmax) {
    nbr::Palette pal;
    if (colors.ndim() != 2 || colors.shape(1) != 3 || static_cast<std::size_t>(colors.shape(0)) < nroots)
        throw std::invalid_argument("colors must have shape (nroots, 3)");
    if (shade.ndim() != 1 || shade.shape(0) < itmax) throw std::invalid_argument("shade needs one value per iteration");
    if (nonconv.size() != 3) throw std::invalid_argument("nonconverged must have 3 components");
    pal.colors.assign(colors.data(), colors.data() + colors.size());
    pal.shade.assign(shade.data(), shade.data() + shade.size());
    for (int c = 0; c < 3; ++c) pal.nonconverged[c] = nonconv.data()[c];
    for (float v : pal.colors)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("colors must be in [0, 255]");
    for (float v : pal.shade)
        if (!(v >= 0.f && v <= 1.f)) throw std::invalid_argument("shade must be in [0, 1]");
    for (float v : pal.nonconverged)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("nonconverged must be in [0, 255]");
    return pal;
}

py::tuple render(const carray<double>& xs, const carray<double>& ys, const carray<cplx>& coefs,
                 const carray<cplx>& roots, int itmax, double tol, int threads, const std::string& kernel,
                 bool symmetry, const std::string& output, py::object colors, py::object shade,
                 py::object nonconverged, py::object progress, int rgb_channels) {
    nbr::Problem P;
    P.xs = to_vector(xs, "xs");
    P.ys = to_vector(ys, "ys");
    P.coefs = to_vector(coefs, "coefs");
    P.roots = to_vector(roots, "roots");
    P.itmax = itmax;
    P.tol = tol;
    nbr::Options opt;
    opt.threads = threads;
    opt.kernel = kernel;
    opt.symmetry = symmetry;

    const py::ssize_t h = static_cast<py::ssize_t>(P.ys.size()), w = static_cast<py::ssize_t>(P.xs.size());
    const bool want_hsv = output == "hsv";
    const bool want_data = output == "data" || output == "data+rgb";
    const bool want_rgb = output == "rgb" || output == "data+rgb";
    if (!want_hsv && !want_data && !want_rgb) throw std::invalid_argument("unknown output '" + output + "'");

    nbr::Palette pal;
    if (want_rgb)
        pal = make_palette(colors.cast<carray<float>>(), shade.cast<carray<float>>(),
                           nonconverged.cast<carray<float>>(), P.roots.size(), P.itmax);

    py::array_t<double> hsv;
    py::array_t<std::int16_t> root;
    py::array_t<std::int32_t> iter;
    py::array_t<std::uint8_t> rgb;
    std::vector<nbr::Sink*> sinks;
    std::unique_ptr<nbr::HsvSink> hsv_sink;
    std::unique_ptr<nbr::DataSink> data_sink;
    std::unique_ptr<nbr::Rgb8Sink> rgb_sink;
    if (want_hsv) {
        hsv = py::array_t<double>({h, w, py::ssize_t{3}});
        hsv_sink = std::make_unique<nbr::HsvSink>(hsv.mutable_data(), static_cast<int>(w),
                                                  static_cast<int>(P.roots.size()), P.itmax);
        sinks.push_back(hsv_sink.get());
    }
    if (want_data) {
        root = py::array_t<std::int16_t>({h, w});
        iter = py::array_t<std::int32_t>({h, w});
        data_sink = std::make_unique<nbr::DataSink>(root.mutable_data(), iter.mutable_data(), static_cast<int>(w));
        sinks.push_back(data_sink.get());
    }
    if (want_rgb) {
        if (rgb_channels != 3 && rgb_channels != 4) throw std::invalid_argument("rgb_channels must be 3 or 4");
        rgb = py::array_t<std::uint8_t>({h, w, py::ssize_t{rgb_channels}});
        rgb_sink = std::make_unique<nbr::Rgb8Sink>(rgb.mutable_data(), static_cast<int>(w), pal, rgb_channels);
        sinks.push_back(rgb_sink.get());
    }
    nbr::TeeSink tee(sinks);

    nbr::Control ctl;
    ctl.poll = [&progress](std::uint64_t done, std::uint64_t total) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) progress(done, total);
        return true;
    };

    nbr::Stats stats;
    {
        py::gil_scoped_release release;
        stats = nbr::render(P, sinks.size() == 1 ? *sinks[0] : tee, opt, ctl);
    }
    if (!progress.is_none()) progress(stats.pixels, stats.pixels);

    py::dict result;
    if (want_hsv) result["hsv"] = hsv;
    if (want_data) {
        result["root"] = root;
        result["iterations"] = iter;
    }
    if (want_rgb) result["rgb"] = rgb;
    return py::make_tuple(result, stats_dict(stats));
}

py::array_t<std::uint8_t> colorize(const carray<std::int16_t>& root, const carray<std::int32_t>& iter,
                                   const carray<float>& colors, const carray<float>& shade,
                                   const carray<float>& nonconverged) {
    if (root.ndim() != iter.ndim() || !std::equal(root.shape(), root.shape() + root.ndim(), iter.shape()))
        throw std::invalid_argument("root and iterations must have the same shape");
    std::vector<py::ssize_t> shape(root.shape(), root.shape() + root.ndim());
    shape.push_back(3);
    const nbr::Palette pal = make_palette(colors, shade, nonconverged, 0, 0);
    py::array_t<std::uint8_t> rgb(shape);
    const std::size_t n = static_cast<std::size_t>(root.size());
    const std::int16_t* r = root.data();
    const std::int32_t* k = iter.data();
    std::uint8_t* o = rgb.mutable_data();
    {
        py::gil_scoped_release release;
        nbr::colorize(pal, n, r, k, o);
    }
    return rgb;
}

}  // namespace

void register_render(py::module_& m) {
    m.def("render", &render, py::arg("xs"), py::arg("ys"), py::arg("coefs"), py::arg("roots"), py::arg("itmax"),
          py::arg("tol"), py::kw_only(), py::arg("threads") = 0, py::arg("kernel") = "", py::arg("symmetry") = true,
          py::arg("output") = "hsv", py::arg("colors") = py::none(), py::arg("shade") = py::none(),
          py::arg("nonconverged") = py::none(), py::arg("progress") = py::none(), py::arg("rgb_channels") = 3,
          "Low-level render; returns (dict of arrays, stats dict). Use nbcli.compute / nbcli.render instead.");
    m.def("colorize", &colorize, py::arg("root"), py::arg("iterations"), py::arg("colors"), py::arg("shade"),
          py::arg("nonconverged"), "Colour per-pixel (root, iteration) data into 8-bit RGB.");
}
