// Run-time choice of kernel: the best one this CPU supports, once, cached;
// NB_RENDER_KERNEL=<name>|auto forces one (tests use it to cover every path).
// The table is built from the list of instruction sets (NBR_FOR_EACH_ISA);
// what the CPU can do comes from cpu_features.hpp.
#include "dispatch.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu_features.hpp"
#include "nbr/kernels.hpp"

namespace nbr {

namespace {

std::vector<KernelEntry> make_table() {
    std::vector<KernelEntry> t;
#define NBR_KERNEL_ENTRY(name) \
    t.push_back({#name, detail::kernel_impl_##name, cpu::has(detail::kernel_impl_##name.cpu_features)});
    NBR_FOR_EACH_ISA(NBR_KERNEL_ENTRY)
#undef NBR_KERNEL_ENTRY
    return t;
}

// Baseline first; the later the entry, the better.
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
    for (const auto& k : table())
        out.push_back({k.name, k.impl.isa, k.impl.lanes, k.impl.lanes_single, k.impl.fused, k.supported});
    return out;
}

std::string selected_kernel() { return find_kernel("").name; }

void select_kernel(const std::string& name) { g_selected.store(index_of(name, "")); }

double peak_fmadd(const std::string& name, std::int64_t iterations, Precision precision) {
    const KernelEntry& k = find_kernel(name);
    return precision == Precision::single ? k.impl.peak_single(iterations) : k.impl.peak(iterations);
}

void vector_log(const std::string& name, std::size_t n, const double* x, double* out) { find_kernel(name).impl.log(n, x, out); }

}  // namespace nbr
