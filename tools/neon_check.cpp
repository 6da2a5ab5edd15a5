// Renders a list of jobs with the C++ library (libnbr, no Python) and writes each
// job's per-pixel results to a file, for comparison with tests/reference.py.
//
// Built for aarch64 and run under emulation by tools/neon_check.py, which checks
// the NEON kernel (the baseline there) bit for bit against the reference without
// an ARM machine. The program itself is plain C++17 and runs on any target.
//
//     neon_check JOBS OUTDIR
//
// JOBS is a text file written by tools/neon_check.py: blocks of "key values..."
// lines, each block starting with "job NAME" and ending with "end" (or a roots
// block, below). Numbers are
// C hex floats ("0x1.8p+1"), so the doubles arrive exactly as Python had them:
//
//     job NAME            (letters, digits, '-', '_', '.')
//     kernel baseline     ("" or auto: the selected kernel)
//     method newton       (nbr::parse_method)
//     relax RE IM
//     itmax N
//     tol T
//     threads N
//     symmetry 0|1
//     precision double|single|double-double  (nbr::parse_precision; default double)
//     coefs N RE IM ...   (N complex numbers, highest degree first)
//     roots N RE IM ...
//     xs N X ...
//     ys N Y ...
//     xs_lo N X ...       (optional, double-double: the start points' low parts)
//     ys_lo N Y ...
//     series RE RE_LO IM IM_LO RADIUS SPACING  (optional, double-double: the shortcut)
//     end
//
// or with "roots NAME" and ending with "end": a polynomial's roots made canonical
// (nbr::polish_roots), written to OUTDIR/NAME.roots.bin as pairs of doubles:
//
//     roots NAME
//     coefs N RE IM ...   (highest degree first)
//     approx N RE IM ...  (the approximations to refine)
//     mult N M ...        (their multiplicities)
//     end
//
// For each job, OUTDIR/NAME.bin receives, for the width * height pixels in
// row-major order, the root indices (int16), then the step counts (int32), then
// the smooth counts (float32), then the residuals (float32), all in the
// machine's byte order; and standard output gets one line
//
//     job NAME kernel=K method=M precision=P pixels=P computed=C iterations=I threads=T series_steps=S
//
// Before the jobs, one line per kernel compiled in:
//
//     arch A
//     kernel NAME isa=ISA lanes=L lanes_single=L fused=0|1 supported=0|1
//
// Adding a per-job setting (a precision, say) takes a field in Job, its key in
// read_job() and its use in render_job(), the one place that calls the library.
#include <cerrno>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "nbr/render.hpp"
#include "nbr/roots.hpp"

namespace {

struct Job {
    std::string name;
    nbr::Problem problem;
    nbr::Options options;
};

struct Result {
    std::vector<std::int16_t> root;
    std::vector<std::int32_t> iter;
    std::vector<float> smooth, residual;
    nbr::Stats stats;
};

class Reader {
public:
    explicit Reader(const std::string& path) : in_(path) {
        if (!in_) throw std::runtime_error("cannot read " + path);
    }
    bool next(std::string& token) { return static_cast<bool>(in_ >> token); }
    std::string word(const char* what) {
        std::string t;
        if (!next(t)) throw std::runtime_error(std::string("unexpected end of file, wanted ") + what);
        return t;
    }
    double number(const char* what) {
        const std::string t = word(what);
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(t.c_str(), &end);  // hex floats are read exactly
        if (end != t.c_str() + t.size() || errno == EINVAL)
            throw std::runtime_error(std::string("bad number for ") + what + ": " + t);
        return v;
    }
    long integer(const char* what) {
        const std::string t = word(what);
        char* end = nullptr;
        const long v = std::strtol(t.c_str(), &end, 10);
        if (end != t.c_str() + t.size() || t.empty()) throw std::runtime_error(std::string("bad integer for ") + what + ": " + t);
        return v;
    }
    std::size_t count(const char* what) {
        const long n = integer(what);
        if (n < 0 || n > (1L << 24)) throw std::runtime_error(std::string("bad count for ") + what);
        return static_cast<std::size_t>(n);
    }
    std::vector<double> reals(const char* what) {
        std::vector<double> v(count(what));
        for (double& x : v) x = number(what);
        return v;
    }
    std::vector<std::complex<double>> complexes(const char* what) {
        std::vector<std::complex<double>> v(count(what));
        for (auto& z : v) {
            const double re = number(what);
            const double im = number(what);
            z = {re, im};
        }
        return v;
    }

private:
    std::ifstream in_;
};

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return false;
    }
    return s[0] != '.';
}

// A job's block, after its "job" line.
void read_job(Reader& in, Job& job) {
    std::string key;
    job = Job{};
    job.name = in.word("job name");
    if (!valid_name(job.name)) throw std::runtime_error("bad job name '" + job.name + "'");
    nbr::Problem& p = job.problem;
    nbr::Options& o = job.options;
    for (;;) {
        key = in.word("a key or 'end'");
        if (key == "end") break;
        if (key == "kernel") o.kernel = in.word("kernel");
        else if (key == "method") p.method = nbr::parse_method(in.word("method"));
        else if (key == "relax") {
            const double re = in.number("relax");
            const double im = in.number("relax");
            p.relax = {re, im};
        } else if (key == "itmax") p.itmax = static_cast<int>(in.integer("itmax"));
        else if (key == "tol") p.tol = in.number("tol");
        else if (key == "threads") o.threads = static_cast<int>(in.integer("threads"));
        else if (key == "symmetry") o.symmetry = in.integer("symmetry") != 0;
        else if (key == "precision") o.precision = nbr::parse_precision(in.word("precision"));
        else if (key == "coefs") p.coefs = in.complexes("coefs");
        else if (key == "roots") p.roots = in.complexes("roots");
        else if (key == "xs") p.xs = in.reals("xs");
        else if (key == "ys") p.ys = in.reals("ys");
        else if (key == "xs_lo") p.xs_lo = in.reals("xs_lo");
        else if (key == "ys_lo") p.ys_lo = in.reals("ys_lo");
        else if (key == "series") {
            nbr::SeriesReference s;
            for (double* v : {&s.re, &s.re_lo, &s.im, &s.im_lo, &s.radius, &s.spacing}) *v = in.number("series");
            o.series = s;
        }
        else throw std::runtime_error("unknown key '" + key + "' in job " + job.name);
    }
    if (o.kernel == "auto") o.kernel.clear();
}

// A "roots" block: refines the approximations with nbr::polish_roots and writes
// OUTDIR/NAME.roots.bin, the refined roots as pairs of doubles.
void roots_job(Reader& in, const std::string& outdir) {
    const std::string name = in.word("roots name");
    if (!valid_name(name)) throw std::runtime_error("bad roots name '" + name + "'");
    std::vector<std::complex<double>> coefs, approx;
    std::vector<int> mult;
    for (;;) {
        const std::string key = in.word("a key or 'end'");
        if (key == "end") break;
        if (key == "coefs") coefs = in.complexes("coefs");
        else if (key == "approx") approx = in.complexes("approx");
        else if (key == "mult") {
            mult.resize(in.count("mult"));
            for (int& m : mult) m = static_cast<int>(in.integer("mult"));
        } else throw std::runtime_error("unknown key '" + key + "' in roots " + name);
    }
    if (coefs.size() < 2 || approx.size() != mult.size()) throw std::runtime_error("bad roots block " + name);
    nbr::polish_roots(coefs.data(), coefs.size(), approx.data(), mult.data(), approx.size());
    const std::string path = outdir + "/" + name + ".roots.bin";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot create " + path);
    const bool ok = std::fwrite(approx.data(), sizeof(approx[0]), approx.size(), f) == approx.size();
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path);
    std::printf("roots %s n=%zu\n", name.c_str(), approx.size());
}

// The one call into the library.
Result render_job(const Job& job) {
    const int w = static_cast<int>(job.problem.xs.size());
    const std::size_t n = job.problem.xs.size() * job.problem.ys.size();
    Result r;
    r.root.assign(n, -2);  // never a valid output: a pixel no sink wrote shows up
    r.iter.assign(n, -1);
    r.smooth.assign(n, -1.0f);
    r.residual.assign(n, -1.0f);
    nbr::DataSink data(r.root.data(), r.iter.data(), w);
    nbr::SmoothSink smooth(r.smooth.data(), r.residual.data(), w);
    nbr::TeeSink both({&data, &smooth});
    r.stats = nbr::render(job.problem, both, job.options);
    return r;
}

template <class T>
void write_all(std::FILE* f, const std::vector<T>& v, const std::string& path) {
    if (std::fwrite(v.data(), sizeof(T), v.size(), f) != v.size()) throw std::runtime_error("cannot write " + path);
}

void write_result(const std::string& path, const Result& r) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot create " + path);
    try {
        write_all(f, r.root, path);
        write_all(f, r.iter, path);
        write_all(f, r.smooth, path);
        write_all(f, r.residual, path);
    } catch (...) {
        std::fclose(f);
        throw;
    }
    if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

const char* arch() {
#if defined(__aarch64__) || defined(_M_ARM64)
    return "aarch64";
#elif defined(__x86_64__) || defined(_M_X64)
    return "x86_64";
#else
    return "other";
#endif
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: neon_check JOBS OUTDIR\n");
        return 2;
    }
    try {
        std::printf("arch %s\n", arch());
        for (const auto& k : nbr::kernels())
            std::printf("kernel %s isa=%s lanes=%d lanes_single=%d fused=%d supported=%d\n", k.name.c_str(),
                        k.isa.c_str(), k.lanes, k.lanes_single, k.fused ? 1 : 0, k.supported ? 1 : 0);
        Reader in(argv[1]);
        Job job;
        std::string kind;
        while (in.next(kind)) {
            if (kind == "roots") {
                roots_job(in, argv[2]);
                continue;
            }
            if (kind != "job") throw std::runtime_error("expected 'job' or 'roots', got '" + kind + "'");
            read_job(in, job);
            const Result r = render_job(job);
            write_result(std::string(argv[2]) + "/" + job.name + ".bin", r);
            const nbr::Stats& s = r.stats;
            std::printf("job %s kernel=%s method=%s precision=%s pixels=%llu computed=%llu iterations=%llu threads=%d "
                        "series_steps=%d\n",
                        job.name.c_str(), s.kernel.c_str(), s.method.c_str(), s.precision.c_str(),
                        static_cast<unsigned long long>(s.pixels),
                        static_cast<unsigned long long>(s.pixels_computed),
                        static_cast<unsigned long long>(s.iterations), s.threads, s.series_steps);
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "neon_check: %s\n", e.what());
        return 1;
    }
    return 0;
}
