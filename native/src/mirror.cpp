// Mirror symmetry: which rows and columns to compute, and delivering computed
// pixels to their mirror images (see mirror.hpp).
#include "mirror.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <utility>

namespace nbr {
namespace detail {

namespace {

using cplx = std::complex<double>;

// The pairs (v[i], v[j] = -v[i]) of coordinates, if `allow` and the roots are
// closed under `reflect`. lo: empty, or the coordinates' low parts (double-double),
// which must be exact negatives too.
template <class Reflect>
Mirror plan_axis(const std::vector<double>& v, const std::vector<double>& lo, const std::vector<cplx>& roots,
                 bool allow, Reflect reflect) {
    Mirror m;
    const int n = static_cast<int>(v.size());
    std::vector<int> partner(static_cast<std::size_t>(n), -1);
    if (allow) {
        m.perm.resize(roots.size());
        for (std::size_t j = 0; j < roots.size() && allow; ++j) {
            auto it = std::find(roots.begin(), roots.end(), reflect(roots[j]));
            if (it == roots.end()) allow = false;
            else m.perm[j] = static_cast<RootIndex>(it - roots.begin());
        }
    }
    if (allow) {
        auto at = [&](int i) {
            const auto k = static_cast<std::size_t>(i);
            return std::make_pair(v[k], lo.empty() ? 0.0 : lo[k]);
        };
        std::map<std::pair<double, double>, int> where;
        for (int i = 0; i < n; ++i)
            if (std::isfinite(v[static_cast<std::size_t>(i)])) where.emplace(at(i), i);  // (a NaN would not sort)
        for (int i = 0; i < n; ++i) {
            const auto x = at(i);
            if (!(x.first > 0.0) || partner[static_cast<std::size_t>(i)] != -1) continue;
            auto it = where.find({-x.first, -x.second});
            if (it == where.end() || it->second == i || partner[static_cast<std::size_t>(it->second)] != -1) continue;
            partner[static_cast<std::size_t>(i)] = it->second;
            partner[static_cast<std::size_t>(it->second)] = -2;  // computed through i
            m.active = true;
        }
    }
    for (int i = 0; i < n; ++i) {
        const int p = partner[static_cast<std::size_t>(i)];
        if (p == -2) continue;
        m.primary.push_back(i);
        m.partner.push_back(p);
    }
    return m;
}

// p(-z) = p(z) or -p(z): the nonzero coefficients all sit at powers of one parity.
bool parity_polynomial(const std::vector<cplx>& c) {
    bool even = true, odd = true;
    const std::size_t n = c.size() - 1;
    for (std::size_t i = 0; i <= n; ++i) {
        if (c[i] == cplx(0.0, 0.0)) continue;
        if (((n - i) & 1u) == 1u) even = false;
        else odd = false;
    }
    return even || odd;
}

bool real_polynomial(const std::vector<cplx>& c) {
    return std::all_of(c.begin(), c.end(), [](cplx z) { return z.imag() == 0.0; });
}

RootIndex mapped(const RootIndex* perm, RootIndex r) {
    return (perm == nullptr || r < 0) ? r : perm[static_cast<std::size_t>(r)];
}

}  // namespace

MirrorPlan plan_mirrors(const Problem& P, bool allowed) {
    const bool mirrors = allowed && real_polynomial(P.coefs) && !(P.method == Method::relaxed && P.relax.imag() != 0.0);
    MirrorPlan plan;
    plan.rows = plan_axis(P.ys, P.ys_lo, P.roots, mirrors, [](cplx z) { return std::conj(z); });
    plan.cols = plan_axis(P.xs, P.xs_lo, P.roots, mirrors && parity_polynomial(P.coefs),
                          [](cplx z) { return -std::conj(z); });
    if (plan.rows.active && plan.cols.active)
        for (RootIndex r : plan.rows.perm) plan.both_perm.push_back(plan.cols.perm[static_cast<std::size_t>(r)]);
    return plan;
}

MirrorDelivery::MirrorDelivery(const MirrorPlan& plan, Sink& sink, std::size_t max_tile, bool smooth)
    : plan_(plan), sink_(sink), width_(static_cast<std::int64_t>(plan.cols.primary.size())), root_(max_tile),
      iter_(max_tile), smooth_(smooth ? max_tile : 0), residual_(smooth ? max_tile : 0) {}

std::uint64_t MirrorDelivery::deliver(std::int64_t a, std::int64_t b, const PixelData& px) {
    const RootIndex* col_perm = plan_.cols.active ? plan_.cols.perm.data() : nullptr;
    const RootIndex* both_perm = plan_.cols.active ? plan_.both_perm.data() : nullptr;
    std::uint64_t delivered = 0;
    for (std::int64_t id = a; id < b;) {  // one computed row at a time
        const std::int64_t prow = id / width_, k = id - prow * width_;
        const std::int64_t n = std::min(b - id, width_ - k);
        const PixelData run = px.advanced(id - a);
        delivered += row(plan_.rows.primary[static_cast<std::size_t>(prow)], k, n, run, nullptr, col_perm);
        const int m = plan_.rows.partner[static_cast<std::size_t>(prow)];
        if (m >= 0) delivered += row(m, k, n, run, plan_.rows.perm.data(), both_perm);
        id += n;
    }
    return delivered;
}

// Computed columns [k0, k0 + n) of one computed row to image row `image_row`,
// through root permutations `direct` (for the computed columns) and `mirrored`
// (for their mirror images); null means the identity.
std::uint64_t MirrorDelivery::row(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                                  const RootIndex* direct, const RootIndex* mirrored) {
    const std::uint64_t count = direct_runs(image_row, k0, n, px, direct);
    return plan_.cols.active ? count + mirrored_runs(image_row, k0, n, px, mirrored) : count;
}

// The computed columns themselves, in runs of adjacent image columns.
std::uint64_t MirrorDelivery::direct_runs(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                                          const RootIndex* perm) {
    const std::vector<int>& cols = plan_.cols.primary;
    std::uint64_t count = 0;
    for (std::int64_t k = k0, e; k < k0 + n; k = e) {
        e = k + 1;
        while (e < k0 + n && cols[static_cast<std::size_t>(e)] == cols[static_cast<std::size_t>(e - 1)] + 1) ++e;
        const std::int64_t len = e - k;
        const PixelData run = px.advanced(k - k0);
        const RootIndex* root = run.root;
        if (perm != nullptr) {
            for (std::int64_t i = 0; i < len; ++i) root_[static_cast<std::size_t>(i)] = mapped(perm, run.root[i]);
            root = root_.data();
        }
        sink_.put(image_row, cols[static_cast<std::size_t>(k)], static_cast<int>(len), root, run.iter, run.smooth,
                  run.residual);
        count += static_cast<std::uint64_t>(len);
    }
    return count;
}

// The mirror images of the computed columns that have one, in runs of
// adjacent image columns (so in reverse order).
std::uint64_t MirrorDelivery::mirrored_runs(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                                            const RootIndex* perm) {
    const std::vector<int>& partner = plan_.cols.partner;
    auto at = [&](std::int64_t k) { return partner[static_cast<std::size_t>(k)]; };
    std::uint64_t count = 0;
    for (std::int64_t k = k0, e; k < k0 + n; k = e) {
        e = k + 1;
        if (at(k) < 0) continue;
        while (e < k0 + n && at(e) >= 0 && at(e) == at(e - 1) - 1) ++e;
        const std::int64_t len = e - k;
        for (std::int64_t i = 0; i < len; ++i) {
            const std::int64_t src = e - 1 - i - k0;
            const auto o = static_cast<std::size_t>(i);
            root_[o] = mapped(perm, px.root[src]);
            iter_[o] = px.iter[src];
            if (px.smooth != nullptr) smooth_[o] = px.smooth[src];
            if (px.residual != nullptr) residual_[o] = px.residual[src];
        }
        sink_.put(image_row, at(e - 1), static_cast<int>(len), root_.data(), iter_.data(),
                  px.smooth != nullptr ? smooth_.data() : nullptr, px.residual != nullptr ? residual_.data() : nullptr);
        count += static_cast<std::uint64_t>(len);
    }
    return count;
}

}  // namespace detail
}  // namespace nbr
