// Mirror symmetry. With real coefficients every operation of the kernel
// commutes with complex conjugation bit for bit (up to the signs of zeros,
// which no output depends on), so rows whose start points are exact
// conjugates (y and -y) have exactly conjugate orbits. If p is moreover even
// or odd (p(-z) = +-p(z)), orbits also commute with z -> -conj(z), so columns
// at x and -x mirror each other too. This holds for every method (p'' has the
// parity of p) except relaxed Newton with a non-real factor a, whose step at
// conj(z) is the conjugate of the step with factor conj(a): no mirrors then.
// Only one of each pair is iterated; the other is copied with its root index
// permuted. A pair is used only when the two coordinates are exact negatives
// and the roots are exactly closed under the reflection, so the result is
// bit-identical either way. All of this holds in single precision too:
// rounding to float commutes with negation, so exact negatives stay exact
// negatives and real coefficients real.
//
// One exception the planner cannot see in advance: a pixel converging exactly
// halfway between two roots ("first root wins" does not commute with the
// reflections). The kernels count such ties, and render() then renders again
// without mirrors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nbr/render.hpp"
#include "tile.hpp"

namespace nbr {
namespace detail {

// The mirror pairs along one axis (rows or columns).
struct Mirror {
    std::vector<int> primary;       // indices (rows or columns) to compute, ascending
    std::vector<int> partner;       // for each primary index, its mirror image, or -1
    std::vector<RootIndex> perm;    // root index -> root index of the reflected root
    bool active = false;            // some pair is mirrored
};

struct MirrorPlan {
    Mirror rows;  // y <-> -y, roots under z -> conj(z)
    Mirror cols;  // x <-> -x, roots under z -> -conj(z)
    std::vector<RootIndex> both_perm;  // for pixels mirrored both ways (z -> -z)
    bool active() const { return rows.active || cols.active; }
};

// The mirrors a render of `problem` can use; none (every row and column
// computed) unless `allowed`.
MirrorPlan plan_mirrors(const Problem& problem, bool allowed);

// Delivers computed tiles to a sink: each pixel to its own place and to its
// mirror images, with root indices permuted. One per worker thread (it keeps
// scratch space for the permuted and reversed runs).
class MirrorDelivery {
public:
    MirrorDelivery(const MirrorPlan& plan, Sink& sink, std::size_t max_tile, bool smooth);
    // Delivers computed pixels [a, b) (row-major over the computed rows and
    // columns) whose values `px` holds; returns the number of image pixels written.
    std::uint64_t deliver(std::int64_t a, std::int64_t b, const PixelData& px);

private:
    std::uint64_t row(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                      const RootIndex* direct, const RootIndex* mirrored);
    std::uint64_t direct_runs(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                              const RootIndex* perm);
    std::uint64_t mirrored_runs(int image_row, std::int64_t k0, std::int64_t n, const PixelData& px,
                                const RootIndex* perm);

    const MirrorPlan& plan_;
    Sink& sink_;
    std::int64_t width_;  // computed columns
    std::vector<RootIndex> root_;  // scratch: a run permuted (and reversed)
    std::vector<StepCount> iter_;  // scratch: reversed runs
    std::vector<SmoothCount> smooth_;
    std::vector<Residual> residual_;
};

}  // namespace detail
}  // namespace nbr
