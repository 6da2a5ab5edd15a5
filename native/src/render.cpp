// The render driver: checks the problem, plans the mirrors, prepares the
// problem for the kernel, and has a TileScheduler's threads compute tiles,
// post-process them and deliver them through the mirrors to the sink.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "dispatch.hpp"
#include "kernel_input.hpp"
#include "mirror.hpp"
#include "nbr/render.hpp"
#include "scheduler.hpp"
#include "smooth.hpp"
#include "tile.hpp"
#include "validate.hpp"

namespace nbr {

namespace {

using detail::TileScheduler;

// One pass over the image with the given mirrors. Nothing if some pixel's
// nearest root was an exact tie while mirrors were in use: mirrored pixels
// might then differ from computed ones (see mirror.hpp).
std::optional<Stats> render_pass(const Problem& P, Sink& sink, const Options& opt, const Control& ctl,
                                 const KernelEntry& kernel, const detail::MirrorPlan& mirrors) {
    const detail::KernelInput input(P, opt.precision, mirrors.rows.primary, mirrors.cols.primary);
    const bool smooth = sink.wants_smooth();
    const bool residuals = smooth && sink.wants_residual();
    const detail::SmoothCounts smooth_counts(input, P.itmax, residuals);
    const std::uint64_t image_pixels = static_cast<std::uint64_t>(P.xs.size()) * P.ys.size();
    TileScheduler scheduler(input.pixels(), opt.threads, ctl, image_pixels);
    std::atomic<std::uint64_t> steps{0};
    std::atomic<bool> tie{false};

    scheduler.run([&](TileScheduler::Worker& worker) {
        const auto max_tile = static_cast<std::size_t>(scheduler.max_tile());
        detail::TileBuffers tile(max_tile, smooth);
        detail::MirrorDelivery delivery(mirrors, sink, max_tile, smooth);
        std::uint64_t my_steps = 0;
        std::int64_t a = 0, b = 0;
        while (worker.next(a, b)) {
            std::int64_t ties = 0;
            my_steps += input.run(kernel, a, b, tile, &TileScheduler::Worker::stop, &worker, &ties);
            if (worker.cancelled()) break;  // the span may be incomplete
            if (ties > 0 && mirrors.active()) {
                tie.store(true);
                scheduler.cancel();
                break;
            }
            if (smooth) smooth_counts.apply(static_cast<std::size_t>(b - a), tile);
            worker.delivered(delivery.deliver(a, b, tile.data(residuals)));
        }
        steps.fetch_add(my_steps);
    });
    if (tie.load()) return std::nullopt;

    Stats st;
    st.pixels = scheduler.delivered();
    st.pixels_computed = static_cast<std::uint64_t>(input.pixels());
    st.iterations = steps.load();
    st.threads = scheduler.threads();
    st.threads_unavailable = scheduler.unavailable();
    st.kernel = kernel.name;
    st.method = method_name(P.method);
    st.precision = precision_name(opt.precision);
    return st;
}

}  // namespace

Stats render(const Problem& P, Sink& sink, const Options& opt, const Control& ctl) {
    detail::validate(P, opt);
    const KernelEntry& kernel = find_kernel(opt.kernel);
    std::optional<Stats> stats = render_pass(P, sink, opt, ctl, kernel, detail::plan_mirrors(P, opt.symmetry));
    if (!stats) {
        // The second pass, after an exact tie under mirroring (possible only
        // with a large tol): every pixel computed, none mirrored.
        stats = render_pass(P, sink, opt, ctl, kernel, detail::plan_mirrors(P, false));
    }
    return *stats;
}

}  // namespace nbr
