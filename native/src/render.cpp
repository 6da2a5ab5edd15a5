// The render driver: checks the problem, plans the mirrors, prepares the
// problem for the kernel, and has a TileScheduler's threads compute tiles,
// post-process them and deliver them through the mirrors to the sink.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "cpu_time.hpp"
#include "dispatch.hpp"
#include "kernel_input.hpp"
#include "mirror.hpp"
#include "nbr/render.hpp"
#include "scheduler.hpp"
#include "series.hpp"
#include "smooth.hpp"
#include "tile.hpp"
#include "validate.hpp"

namespace nbr {

namespace {

using detail::thread_cpu_ns;
using detail::TileScheduler;

// CPU seconds per stage of the workers' loop, added up over the threads (for
// Stats). CPU time, not wall time, so that a busy machine does not inflate the
// figures; a few clock reads per tile.
enum Stage { kKernel, kSmooth, kSink, kStages };

class StageTimes {
public:
    // One worker's times, added to the totals when it finishes.
    class Lap {
    public:
        explicit Lap(StageTimes& totals) : totals_(totals), last_(thread_cpu_ns()) {}
        ~Lap() {
            for (int s = 0; s < kStages; ++s) totals_.ns_[s].fetch_add(ns_[s]);
        }
        Lap(const Lap&) = delete;
        Lap& operator=(const Lap&) = delete;
        // The time since the previous lap (or since construction) goes to `stage`.
        void to(Stage stage) {
            const std::int64_t now = thread_cpu_ns();
            ns_[stage] += now - last_;
            last_ = now;
        }
        // The time since the previous lap belongs to no stage.
        void skip() { last_ = thread_cpu_ns(); }

    private:
        StageTimes& totals_;
        std::array<std::int64_t, kStages> ns_{};
        std::int64_t last_;
    };
    double seconds(Stage stage) const { return static_cast<double>(ns_[stage].load()) * 1e-9; }

private:
    std::array<std::atomic<std::int64_t>, kStages> ns_{};
};

// One pass over the image with the given mirrors. Nothing if some pixel's
// nearest root was an exact tie while mirrors were in use: mirrored pixels
// might then differ from computed ones (see mirror.hpp).
std::optional<Stats> render_pass(const Problem& P, Sink& sink, const Options& opt, const Control& ctl,
                                 const KernelEntry& kernel, const detail::MirrorPlan& mirrors,
                                 const detail::SeriesStart* series) {
    const detail::KernelInput input(P, opt.precision, mirrors.rows.primary, mirrors.cols.primary, series);
    const bool smooth = sink.wants_smooth();
    const bool residuals = smooth && sink.wants_residual();
    const detail::SmoothCounts smooth_counts(input, P.itmax, residuals, kernel);
    const std::uint64_t image_pixels = static_cast<std::uint64_t>(P.xs.size()) * P.ys.size();
    TileScheduler scheduler(input.pixels(), opt.threads, ctl, image_pixels);
    std::atomic<std::uint64_t> steps{0};
    std::atomic<bool> tie{false};
    StageTimes times;

    scheduler.run([&](TileScheduler::Worker& worker) {
        const auto max_tile = static_cast<std::size_t>(scheduler.max_tile());
        detail::TileBuffers tile(max_tile, smooth, series != nullptr);
        detail::MirrorDelivery delivery(mirrors, sink, max_tile, smooth);
        StageTimes::Lap lap(times);
        std::uint64_t my_steps = 0;
        std::int64_t a = 0, b = 0;
        while (worker.next(a, b)) {
            std::int64_t ties = 0;
            my_steps += input.run(kernel, a, b, tile, &TileScheduler::Worker::stop, &worker, &ties);
            lap.to(kKernel);
            if (worker.cancelled()) break;  // the span may be incomplete
            if (ties > 0 && mirrors.active()) {
                tie.store(true);
                scheduler.cancel();
                break;
            }
            if (smooth) smooth_counts.apply(static_cast<std::size_t>(b - a), tile);
            lap.to(kSmooth);
            const std::uint64_t delivered = delivery.deliver(a, b, tile.data(residuals));
            lap.to(kSink);
            worker.delivered(delivered);  // the calling thread may poll here
            lap.skip();
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
    st.series_steps = series != nullptr ? series->steps() : 0;
    st.kernel_seconds = times.seconds(kKernel);
    st.smooth_seconds = times.seconds(kSmooth);
    st.sink_seconds = times.seconds(kSink);
    return st;
}

}  // namespace

Stats render(const Problem& P, Sink& sink, const Options& opt, const Control& ctl) {
    detail::validate(P, opt);
    const KernelEntry& kernel = find_kernel(opt.kernel);
    // Double-double's shortcut, where it provably holds (series.hpp). Mirrors are not used
    // with it: the series of a pixel and of its mirror image are not computed alike.
    std::optional<detail::SeriesStart> series;
    if (opt.precision == Precision::double_double && opt.series) series.emplace(P, *opt.series);
    const detail::SeriesStart* shortcut = series && series->usable() ? &*series : nullptr;
    const bool mirrors = opt.symmetry && shortcut == nullptr;
    std::optional<Stats> stats = render_pass(P, sink, opt, ctl, kernel, detail::plan_mirrors(P, mirrors), shortcut);
    if (!stats) {
        // The second pass, after an exact tie under mirroring (possible only
        // with a large tol): every pixel computed, none mirrored.
        stats = render_pass(P, sink, opt, ctl, kernel, detail::plan_mirrors(P, false), shortcut);
    }
    return *stats;
}

}  // namespace nbr
