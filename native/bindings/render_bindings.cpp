// Binds nbr::render. Arguments are converted while holding the GIL; the whole
// computation then runs with the GIL released. The calling thread re-takes
// the GIL about every 50 ms to run Python's signal handlers (so Ctrl-C raises
// KeyboardInterrupt promptly) and to report progress.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <complex>
#include <memory>
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
    d["method"] = s.method;
    d["precision"] = s.precision;
    return d;
}

// shade_entries: how many entries shade needs (0: any number >= 1)
nbr::Palette make_palette(const carray<float>& colors, const carray<float>& shade, const carray<float>& nonconv,
                          std::size_t nroots, std::size_t shade_entries, bool smooth, int depth) {
    nbr::Palette pal;
    if (colors.ndim() != 2 || colors.shape(1) != 3 || static_cast<std::size_t>(colors.shape(0)) < nroots)
        throw std::invalid_argument("colors must have shape (nroots, 3)");
    if (shade.ndim() != 1 || static_cast<std::size_t>(shade.shape(0)) < std::max<std::size_t>(shade_entries, 1))
        throw std::invalid_argument(smooth ? "shade needs itmax + 1 values for smooth shading (0..itmax)"
                                           : "shade needs one value per iteration");
    if (nonconv.size() != 3) throw std::invalid_argument("nonconverged must have 3 components");
    if (depth != 8 && depth != 16) throw std::invalid_argument("depth must be 8 or 16");
    pal.colors.assign(colors.data(), colors.data() + colors.size());
    pal.shade.assign(shade.data(), shade.data() + shade.size());
    for (int c = 0; c < 3; ++c) pal.nonconverged[c] = nonconv.data()[c];
    for (float v : pal.colors)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("colors must be in [0, 255]");
    for (float v : pal.shade)
        if (!(v >= 0.f && v <= 1.f)) throw std::invalid_argument("shade must be in [0, 1]");
    for (float v : pal.nonconverged)
        if (!(v >= 0.f && v <= 255.f)) throw std::invalid_argument("nonconverged must be in [0, 255]");
    pal.smooth = smooth;
    pal.depth = depth;
    return pal;
}

struct Outputs {
    bool hsv = false, data = false, smooth = false, rgb = false;
};

// "hsv", or a '+'-joined set of "data", "smooth" and "rgb"
Outputs parse_output(const std::string& output) {
    Outputs o;
    if (output == "hsv") {
        o.hsv = true;
        return o;
    }
    const std::string bad = "unknown output '" + output + "' (use hsv, or data, smooth and rgb joined with '+')";
    std::size_t at = 0;
    while (true) {
        const std::size_t plus = output.find('+', at);
        const std::string part = output.substr(at, plus == std::string::npos ? std::string::npos : plus - at);
        bool* flag = part == "data" ? &o.data : part == "smooth" ? &o.smooth : part == "rgb" ? &o.rgb : nullptr;
        if (flag == nullptr || *flag) throw std::invalid_argument(bad);
        *flag = true;
        if (plus == std::string::npos) break;
        at = plus + 1;
    }
    return o;
}

py::tuple render(const carray<double>& xs, const carray<double>& ys, const carray<cplx>& coefs,
                 const carray<cplx>& roots, int itmax, double tol, int threads, const std::string& kernel,
                 bool symmetry, const std::string& method, cplx relax, const std::string& output, py::object colors,
                 py::object shade, py::object nonconverged, bool smooth, int depth, py::object progress,
                 int rgb_channels, const std::string& precision) {
    nbr::Problem P;
    P.xs = to_vector(xs, "xs");
    P.ys = to_vector(ys, "ys");
    P.coefs = to_vector(coefs, "coefs");
    P.roots = to_vector(roots, "roots");
    P.itmax = itmax;
    P.tol = tol;
    P.method = nbr::parse_method(method);
    P.relax = relax;
    nbr::Options opt;
    opt.threads = threads;
    opt.kernel = kernel;
    opt.symmetry = symmetry;
    opt.precision = nbr::parse_precision(precision);

    const py::ssize_t h = static_cast<py::ssize_t>(P.ys.size()), w = static_cast<py::ssize_t>(P.xs.size());
    const Outputs want = parse_output(output);

    nbr::Palette pal;
    if (want.rgb) {
        if (colors.is_none() || shade.is_none() || nonconverged.is_none())
            throw std::invalid_argument("rgb output needs colors, shade and nonconverged");
        if (rgb_channels != 3 && rgb_channels != 4) throw std::invalid_argument("rgb_channels must be 3 or 4");
        const std::size_t entries = static_cast<std::size_t>(std::max(P.itmax, 0)) + (smooth ? 1 : 0);
        pal = make_palette(colors.cast<carray<float>>(), shade.cast<carray<float>>(),
                           nonconverged.cast<carray<float>>(), P.roots.size(), entries, smooth, depth);
    } else if (depth != 8 && depth != 16) {
        throw std::invalid_argument("depth must be 8 or 16");
    }

    py::array_t<double> hsv;
    py::array_t<std::int16_t> root;
    py::array_t<std::int32_t> iter;
    py::array_t<float> smooth_out, residual;
    py::array rgb;
    std::vector<nbr::Sink*> sinks;
    std::unique_ptr<nbr::HsvSink> hsv_sink;
    std::unique_ptr<nbr::DataSink> data_sink;
    std::unique_ptr<nbr::SmoothSink> smooth_sink;
    std::unique_ptr<nbr::RgbSink> rgb_sink;
    if (want.hsv) {
        hsv = py::array_t<double>({h, w, py::ssize_t{3}});
        hsv_sink = std::make_unique<nbr::HsvSink>(hsv.mutable_data(), static_cast<int>(w),
                                                  static_cast<int>(P.roots.size()), P.itmax);
        sinks.push_back(hsv_sink.get());
    }
    if (want.data) {
        root = py::array_t<std::int16_t>({h, w});
        iter = py::array_t<std::int32_t>({h, w});
        data_sink = std::make_unique<nbr::DataSink>(root.mutable_data(), iter.mutable_data(), static_cast<int>(w));
        sinks.push_back(data_sink.get());
    }
    if (want.smooth) {
        smooth_out = py::array_t<float>({h, w});
        residual = py::array_t<float>({h, w});
        smooth_sink = std::make_unique<nbr::SmoothSink>(smooth_out.mutable_data(), residual.mutable_data(),
                                                        static_cast<int>(w));
        sinks.push_back(smooth_sink.get());
    }
    if (want.rgb) {
        const std::vector<py::ssize_t> shape{h, w, py::ssize_t{rgb_channels}};
        if (depth == 16) {
            py::array_t<std::uint16_t> a(shape);
            rgb_sink = std::make_unique<nbr::RgbSink>(a.mutable_data(), static_cast<int>(w), pal, rgb_channels);
            rgb = a;
        } else {
            py::array_t<std::uint8_t> a(shape);
            rgb_sink = std::make_unique<nbr::RgbSink>(a.mutable_data(), static_cast<int>(w), pal, rgb_channels);
            rgb = a;
        }
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
    if (want.hsv) result["hsv"] = hsv;
    if (want.data) {
        result["root"] = root;
        result["iterations"] = iter;
    }
    if (want.smooth) {
        result["smooth"] = smooth_out;
        result["residual"] = residual;
    }
    if (want.rgb) result["rgb"] = rgb;
    return py::make_tuple(result, stats_dict(stats));
}

py::array colorize(const carray<std::int16_t>& root, const carray<std::int32_t>& iter, const carray<float>& colors,
                   const carray<float>& shade, const carray<float>& nonconverged, py::object smooth,
                   bool smooth_shading, int depth, int channels) {
    auto same_shape = [&](const py::array& a) {
        return a.ndim() == root.ndim() && std::equal(root.shape(), root.shape() + root.ndim(), a.shape());
    };
    if (!same_shape(iter)) throw std::invalid_argument("root and iterations must have the same shape");
    carray<float> sm;
    if (!smooth.is_none()) {
        sm = smooth.cast<carray<float>>();
        if (!same_shape(sm)) throw std::invalid_argument("smooth must have the same shape as root");
    } else if (smooth_shading) {
        throw std::invalid_argument("smooth shading needs the smooth counts (smooth=...)");
    }
    if (channels != 3 && channels != 4) throw std::invalid_argument("channels must be 3 or 4");
    const nbr::Palette pal = make_palette(colors, shade, nonconverged, 0, 0, smooth_shading, depth);
    std::vector<py::ssize_t> shape(root.shape(), root.shape() + root.ndim());
    shape.push_back(channels);
    const std::size_t n = static_cast<std::size_t>(root.size());
    const std::int16_t* r = root.data();
    const std::int32_t* k = iter.data();
    const float* s = smooth_shading ? sm.data() : nullptr;
    if (depth == 16) {
        py::array_t<std::uint16_t> out(shape);
        std::uint16_t* o = out.mutable_data();
        py::gil_scoped_release release;
        nbr::colorize(pal, n, r, k, s, o, channels);
        return std::move(out);
    }
    py::array_t<std::uint8_t> out(shape);
    std::uint8_t* o = out.mutable_data();
    {
        py::gil_scoped_release release;
        nbr::colorize(pal, n, r, k, s, o, channels);
    }
    return std::move(out);
}

}  // namespace

void register_render(py::module_& m) {
    m.def("render", &render, py::arg("xs"), py::arg("ys"), py::arg("coefs"), py::arg("roots"), py::arg("itmax"),
          py::arg("tol"), py::kw_only(), py::arg("threads") = 0, py::arg("kernel") = "", py::arg("symmetry") = true,
          py::arg("method") = "newton", py::arg("relax") = cplx(1.0, 0.0), py::arg("output") = "hsv",
          py::arg("colors") = py::none(), py::arg("shade") = py::none(), py::arg("nonconverged") = py::none(),
          py::arg("smooth") = false, py::arg("depth") = 8, py::arg("progress") = py::none(),
          py::arg("rgb_channels") = 3, py::arg("precision") = "double",
          "Low-level render; returns (dict of arrays, stats dict). Use nbcli.compute / nbcli.render instead.");
    m.def("colorize", &colorize, py::arg("root"), py::arg("iterations"), py::arg("colors"), py::arg("shade"),
          py::arg("nonconverged"), py::kw_only(), py::arg("smooth") = py::none(), py::arg("smooth_shading") = false,
          py::arg("depth") = 8, py::arg("channels") = 3,
          "Colour per-pixel (root, iteration[, smooth]) data into 8- or 16-bit RGB, exactly as render(output='rgb').");
}
