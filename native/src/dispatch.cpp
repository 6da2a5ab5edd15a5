// Run-time choice of kernel: the best one this CPU supports, once, cached;
// NB_RENDER_KERNEL=baseline|avx2|avx512|auto forces one (tests use it to
// cover every path).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "dispatch.hpp"
#include "kernel.hpp"
#include "nbr/render.hpp"

#if defined(__x86_64__) || defined(_M_X64)
#define NBR_X86 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace nbr {
namespace detail {
extern const char* const baseline_isa;
extern const int baseline_lanes;
extern const int baseline_lanes_single;
extern const bool baseline_fused;
}  // namespace detail

namespace {

#if defined(NBR_X86)
struct CpuFeatures {
    bool avx2_fma = false;
    bool avx512f = false;
};

void cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if defined(_MSC_VER) && !defined(__clang__)
    int t[4];
    __cpuidex(t, static_cast<int>(leaf), static_cast<int>(sub));
    for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned>(t[i]);
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

std::uint64_t xgetbv0() {
#if defined(_MSC_VER) && !defined(__clang__)
    return _xgetbv(0);
#else
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
#endif
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned r[4];
    cpuid(0, 0, r);
    const unsigned max_leaf = r[0];
    if (max_leaf < 7) return f;
    cpuid(1, 0, r);
    const bool osxsave = (r[2] >> 27) & 1u;
    const bool avx = (r[2] >> 28) & 1u;
    const bool fma = (r[2] >> 12) & 1u;
    if (!osxsave || !avx) return f;
    const std::uint64_t xcr0 = xgetbv0();
    const bool ymm_state = (xcr0 & 0x6u) == 0x6u;
    const bool zmm_state = (xcr0 & 0xE6u) == 0xE6u;
    cpuid(7, 0, r);
    const bool avx2 = (r[1] >> 5) & 1u;
    const bool avx512f = (r[1] >> 16) & 1u;
    f.avx2_fma = ymm_state && avx2 && fma;
    f.avx512f = f.avx2_fma && zmm_state && avx512f;
    return f;
}

[[maybe_unused]] const CpuFeatures& features() {  // unused when only the baseline is built
    static const CpuFeatures f = detect();
    return f;
}
#endif

std::vector<KernelEntry> make_table() {
    std::vector<KernelEntry> t;
    t.push_back({"baseline", detail::baseline_isa, detail::baseline_lanes, detail::baseline_lanes_single,
                 detail::baseline_fused, &detail::kernel_baseline, &detail::kernel_baseline_single, true,
                 &detail::peak_baseline, &detail::peak_baseline_single});
#if defined(NBR_HAVE_AVX2)
    t.push_back({"avx2", "AVX2+FMA", 4, 8, true, &detail::kernel_avx2, &detail::kernel_avx2_single,
                 features().avx2_fma, &detail::peak_avx2, &detail::peak_avx2_single});
#endif
#if defined(NBR_HAVE_AVX512)
    t.push_back({"avx512", "AVX-512F", 8, 16, true, &detail::kernel_avx512, &detail::kernel_avx512_single,
                 features().avx512f, &detail::peak_avx512, &detail::peak_avx512_single});
#endif
    return t;
}

const std::vector<KernelEntry>& table() {
    static const std::vector<KernelEntry> t = make_table();
    return t;
}

std::string names(bool only_supported) {
    std::string s;
    for (const auto& k : table()) {
        if (only_supported && !k.supported) continue;
        if (!s.empty()) s += ", ";
        s += k.name;
    }
    return s;
}

int best_index() {
    int best = 0;
    const auto& t = table();
    for (int i = 0; i < static_cast<int>(t.size()); ++i)
        if (t[static_cast<std::size_t>(i)].supported) best = i;
    return best;
}

int index_of(const std::string& name, const char* origin) {
    if (name.empty() || name == "auto") return best_index();
    const auto& t = table();
    for (int i = 0; i < static_cast<int>(t.size()); ++i) {
        const KernelEntry& k = t[static_cast<std::size_t>(i)];
        if (name != k.name) continue;
        if (!k.supported)
            throw std::invalid_argument(std::string(origin) + name + ": this CPU cannot run that kernel; choose one of: " +
                                        names(true) + " (or auto)");
        return i;
    }
    throw std::invalid_argument(std::string(origin) + "unknown kernel '" + name + "'; choose one of: " + names(false) +
                                " (or auto)");
}

// -1: not chosen yet
std::atomic<int> g_selected{-1};

}  // namespace

const KernelEntry& find_kernel(const std::string& name) {
    if (name.empty()) {
        int i = g_selected.load();
        if (i < 0) {
            const char* env = std::getenv("NB_RENDER_KERNEL");
            i = index_of(env ? std::string(env) : std::string(), "NB_RENDER_KERNEL=");
            g_selected.store(i);
        }
        return table()[static_cast<std::size_t>(i)];
    }
    return table()[static_cast<std::size_t>(index_of(name, ""))];
}

std::vector<KernelDescription> kernels() {
    std::vector<KernelDescription> out;
    for (const auto& k : table()) out.push_back({k.name, k.isa, k.lanes, k.lanes_single, k.fused, k.supported});
    return out;
}

std::string selected_kernel() { return find_kernel("").name; }

double peak_fmadd(const std::string& name, std::int64_t iterations, Precision precision) {
    const KernelEntry& k = find_kernel(name);
    return precision == Precision::single ? k.peak_single(iterations) : k.peak(iterations);
}

void select_kernel(const std::string& name) { g_selected.store(index_of(name, "")); }

}  // namespace nbr
