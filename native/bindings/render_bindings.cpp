// Binds nbr::render. Arguments are converted while holding the GIL; the whole
// computation then runs with the GIL released. The calling thread re-takes
// the GIL about every 50 ms to run Python's signal handlers (so Ctrl-C raises
// KeyboardInterrupt promptly) and to report progress, unless the interpreter is
// shutting down (see gil.hpp).
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "gil.hpp"
#include "nbr/render.hpp"

namespace py = pybind11;

namespace {

using cplx = std::complex<double>;

template <class T>
std::vector<T> to_vector(const carray<T>& a, const char* what) {
    if (a.ndim() != 1) throw std::invalid_argument(std::string(what) + " must be one-dimensional");
    return std::vector<T>(a.data(), a.data() + a.size());
}

// None: empty; else as to_vector.
std::vector<double> optional_vector(const py::object& a, const char* what) {
    if (a.is_none()) return {};
    return to_vector(a.cast<carray<double>>(), what);
}

py::dict stats_dict(const nbr::Stats& s) {
    py::dict d;
    d["pixels"] = s.pixels;
    d["pixels_computed"] = s.pixels_computed;
    d["iterations"] = s.iterations;
    d["threads"] = s.threads;
    d["threads_unavailable"] = s.threads_unavailable;
    d["kernel"] = s.kernel;
    d["method"] = s.method;
    d["precision"] = s.precision;
    d["series_steps"] = s.series_steps;
    d["kernel_seconds"] = s.kernel_seconds;
    d["smooth_seconds"] = s.smooth_seconds;
    d["sink_seconds"] = s.sink_seconds;
    return d;
}

// The arrays a render fills, each with the sink that writes it; only those asked for.
class Outputs {
public:
    Outputs(py::ssize_t h, py::ssize_t w, const nbr::Problem& P, bool hsv, bool data, bool smooth,
            const nbr::Palette* palette)
        : h_(h), w_(w) {
        if (!hsv && !data && !smooth && palette == nullptr)
            throw std::invalid_argument("no output requested: ask for hsv, data, smooth or a palette");
        if (hsv) {
            py::array_t<double> a({h, w, py::ssize_t{3}});
            arrays_["hsv"] = a;
            add(std::make_unique<nbr::HsvSink>(a.mutable_data(), width(), static_cast<int>(P.roots.size()), P.itmax));
        }
        if (data) {
            auto root = image<nbr::RootIndex>(kRootField);
            auto iter = image<nbr::StepCount>(kIterationsField);
            add(std::make_unique<nbr::DataSink>(root.mutable_data(), iter.mutable_data(), width()));
        }
        if (smooth) {
            auto sm = image<nbr::SmoothCount>(kSmoothField);
            auto res = image<nbr::Residual>(kResidualField);
            add(std::make_unique<nbr::SmoothSink>(sm.mutable_data(), res.mutable_data(), width()));
        }
        if (palette != nullptr) {
            nbr::check_covers(*palette, P.roots.size(), P.itmax);
            if (palette->depth == 16) rgb<std::uint16_t>(*palette);
            else rgb<std::uint8_t>(*palette);
        }
    }
    nbr::Sink& sink() {
        if (sinks_.size() == 1) return *sinks_[0];
        tee_ = std::make_unique<nbr::TeeSink>(sinks_);
        return *tee_;
    }
    const py::dict& arrays() const { return arrays_; }

private:
    int width() const { return static_cast<int>(w_); }
    // A new (h, w) array of T, returned as `name`.
    template <class T>
    py::array_t<T> image(const char* name) {
        py::array_t<T> a({h_, w_});
        arrays_[name] = a;
        return a;
    }
    template <class T>
    void rgb(const nbr::Palette& pal) {
        py::array_t<T> a({h_, w_, py::ssize_t{3}});
        arrays_["rgb"] = a;
        add(std::make_unique<nbr::RgbSink>(a.mutable_data(), width(), pal));
    }
    void add(std::unique_ptr<nbr::Sink> sink) {
        sinks_.push_back(sink.get());
        owned_.push_back(std::move(sink));
    }

    py::ssize_t h_, w_;
    py::dict arrays_;
    std::vector<std::unique_ptr<nbr::Sink>> owned_;
    std::vector<nbr::Sink*> sinks_;
    std::unique_ptr<nbr::TeeSink> tee_;
};

// A problem's start points (with their low parts, if given: double-double) and iteration;
// the roots are the caller's.
nbr::Problem problem(const carray<double>& xs, const carray<double>& ys, const py::object& xs_lo,
                     const py::object& ys_lo, const carray<cplx>& coefs, int itmax, double tol,
                     const std::string& method, cplx relax) {
    nbr::Problem P;
    P.xs = to_vector(xs, "xs");
    P.ys = to_vector(ys, "ys");
    P.xs_lo = optional_vector(xs_lo, "xs_lo");
    P.ys_lo = optional_vector(ys_lo, "ys_lo");
    P.coefs = to_vector(coefs, "coefs");
    P.itmax = itmax;
    P.tol = tol;
    P.method = nbr::parse_method(method);
    P.relax = relax;
    return P;
}

nbr::SeriesReference series_reference(const carray<double>& series) {
    const auto r = to_vector(series, "series");
    if (r.size() != 6) throw std::invalid_argument("series must be (re, re_lo, im, im_lo, radius, spacing)");
    return {r[0], r[1], r[2], r[3], r[4], r[5]};
}

py::tuple render(const carray<double>& xs, const carray<double>& ys, const carray<cplx>& coefs,
                 const carray<cplx>& roots, int itmax, double tol, int threads, const std::string& kernel,
                 bool symmetry, const std::string& method, cplx relax, const std::string& precision, bool hsv,
                 bool data, bool smooth, const nbr::Palette* palette, const py::object& progress,
                 const py::object& xs_lo, const py::object& ys_lo, const py::object& series) {
    nbr::Problem P = problem(xs, ys, xs_lo, ys_lo, coefs, itmax, tol, method, relax);
    P.roots = to_vector(roots, "roots");
    nbr::Options opt;
    opt.threads = threads;
    opt.kernel = kernel;
    opt.symmetry = symmetry;
    opt.precision = nbr::parse_precision(precision);
    if (!series.is_none()) opt.series = series_reference(series.cast<carray<double>>());

    Outputs out(static_cast<py::ssize_t>(P.ys.size()), static_cast<py::ssize_t>(P.xs.size()), P, hsv, data, smooth,
                palette);
    nbr::Control ctl;
    ctl.poll = [&progress](std::uint64_t done, std::uint64_t total) {
        if (nbr_py::finalizing() && !nbr_py::is_exit_thread()) throw nbr_py::InterpreterExiting();  // gil.hpp
        nbr_py::with_gil_unless_exiting([&] {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (!progress.is_none()) progress(done, total);
        });
    };
    nbr::Stats stats;
    nbr_py::without_gil([&] { stats = nbr::render(P, out.sink(), opt, ctl); });
    if (!progress.is_none()) progress(stats.pixels, stats.pixels);
    return py::make_tuple(out.arrays(), stats_dict(stats));
}

// The series shortcut alone, for the tests: (steps, zr, zi), the points where it leaves the
// start points (arrays of shape (len(ys), len(xs)); empty when it would not be used).
py::tuple series_starts(const carray<double>& xs, const carray<double>& ys, const carray<cplx>& coefs,
                        int itmax, double tol, const std::string& method, cplx relax, const carray<double>& series,
                        const py::object& xs_lo, const py::object& ys_lo) {
    nbr::Problem P = problem(xs, ys, xs_lo, ys_lo, coefs, itmax, tol, method, relax);
    P.roots = {cplx(0.0, 0.0)};  // not used
    const nbr::SeriesReference reference = series_reference(series);
    std::vector<cplx> out;
    int steps = 0;
    {
        py::gil_scoped_release release;
        steps = nbr::series_starts(P, reference, out);
    }
    const py::ssize_t h = out.empty() ? 0 : static_cast<py::ssize_t>(P.ys.size());
    const py::ssize_t w = out.empty() ? 0 : static_cast<py::ssize_t>(P.xs.size());
    py::array_t<double> zr({h, w}), zi({h, w});
    for (std::size_t i = 0; i < out.size(); ++i) {
        zr.mutable_data()[i] = out[i].real();
        zi.mutable_data()[i] = out[i].imag();
    }
    return py::make_tuple(steps, zr, zi);
}

}  // namespace

void register_render(py::module_& m) {
    m.def("render", &render, py::arg("xs"), py::arg("ys"), py::arg("coefs"), py::arg("roots"), py::arg("itmax"),
          py::arg("tol"), py::kw_only(), py::arg("threads") = 0, py::arg("kernel") = "", py::arg("symmetry") = true,
          py::arg("method") = "newton", py::arg("relax") = cplx(1.0, 0.0), py::arg("precision") = "double",
          py::arg("hsv") = false, py::arg("data") = false, py::arg("smooth") = false,
          py::arg("palette") = py::none(), py::arg("progress") = py::none(), py::arg("xs_lo") = py::none(),
          py::arg("ys_lo") = py::none(), py::arg("series") = py::none(),
          "Low-level render; returns (dict of arrays, stats dict): hsv with hsv=True, root and iterations with "
          "data=True, smooth and residual with smooth=True, rgb with a palette. In double-double precision "
          "xs_lo and ys_lo are the start points' low parts, and series=(re, re_lo, im, im_lo, radius, spacing) "
          "allows the series shortcut around that reference point (see nbr::SeriesReference). Use nbcli "
          "instead.");
    m.def("_series_starts", &series_starts, py::arg("xs"), py::arg("ys"), py::arg("coefs"), py::arg("itmax"),
          py::arg("tol"), py::arg("method"), py::arg("relax"), py::arg("series"), py::kw_only(),
          py::arg("xs_lo") = py::none(), py::arg("ys_lo") = py::none(),
          "For the tests: the series shortcut alone, (steps, zr, zi) (see nbr::series_starts).");
}
