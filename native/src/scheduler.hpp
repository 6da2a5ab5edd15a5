// Tile scheduling and cancellation. A render's computed pixels are handed out
// in tiles to a few worker threads, the calling thread among them, from one
// shared counter: no thread waits for another while work is left. Tiles are
// small enough for about 16 per thread (balance: basins cost wildly different
// amounts), large enough to amortise the kernel's drain of its lanes, and
// shrink towards the end (guided scheduling: a quarter of each thread's share
// of what is left), so the threads run out of work at nearly the same moment.
//
// The poll/cancel protocol: only the calling thread calls Control::poll, at
// most every poll_interval seconds, between tiles, from inside the kernel
// (Worker::stop) and, once its own work is done, while it waits for the
// others. An exception thrown by the poll callback, a worker or a sink
// cancels: every worker stops at its next check (the kernels check every few
// microseconds), and run() rethrows the first exception once all have
// finished. cancel() stops them the same way without an error.
//
// Threads that cannot be started (std::system_error: a limit on threads or
// memory) are done without: the tiles go to those that started, and
// unavailable() says how many. A forced unwind (glibc's pthread_exit, which
// Python 3.11-3.13 uses to end a thread that wants the GIL while the
// interpreter shuts down) is never swallowed: it cancels the render, and
// run() joins the workers before it lets the unwind go on.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

#include "nbr/render.hpp"

namespace nbr {
namespace detail {

class TileScheduler {
public:
    // The largest tile handed to a kernel. The float kernels number a span's
    // pixels in float lanes, which is exact below 2^24.
    static constexpr std::int64_t kMaxTile = 16384;
    static_assert(kMaxTile < (std::int64_t{1} << 24), "spans of the float kernels must hold fewer than 2^24 pixels");

    class Worker;
    using Work = std::function<void(Worker&)>;

    // `pixels` to compute with `threads` threads (0: all hardware threads; at
    // most limits::max_threads, and no more than there are tiles);
    // `progress_total` is the total Control::poll is told.
    TileScheduler(std::int64_t pixels, int threads, const Control& control, std::uint64_t progress_total);

    int threads() const { return threads_ - unavailable_; }  // threads that ran
    int unavailable() const { return unavailable_; }           // threads asked for that could not start
    std::int64_t max_tile() const { return tile_; }
    std::uint64_t delivered() const { return done_.load(); }

    // Runs work(worker) on every thread (once; the calling thread is one of
    // them) and returns when all have returned; rethrows the first exception.
    void run(const Work& work);
    // Hands out no more tiles; workers stop at their next check.
    void cancel() { cancel_.store(true); }

private:
    bool claim(std::int64_t& a, std::int64_t& b);
    void poll();
    void fail(std::exception_ptr e);
    void work(bool caller, const Work& body);
    void wait_for_workers();

    const Control& control_;
    const std::uint64_t progress_total_;
    std::int64_t pixels_, tile_, min_tile_;
    int threads_;  // threads planned (tile sizes follow it)
    int unavailable_ = 0;
    std::atomic<std::int64_t> next_pixel_{0};
    std::atomic<std::uint64_t> done_{0};
    std::atomic<bool> cancel_{false};
    std::atomic<int> running_{0};
    std::exception_ptr error_;
    std::mutex error_mutex_;
    std::mutex finished_mutex_;  // the last thread to finish wakes the caller at once
    std::condition_variable finished_;
    std::chrono::steady_clock::time_point last_poll_;
};

// One thread's view of the scheduler, handed to the work function.
class TileScheduler::Worker {
public:
    // The next tile [a, b); false when none is left or the render is cancelled.
    bool next(std::int64_t& a, std::int64_t& b) {
        return !scheduler_.cancel_.load(std::memory_order_relaxed) && scheduler_.claim(a, b);
    }
    bool cancelled() const { return scheduler_.cancel_.load(); }
    // Counts pixels delivered to the sink; the calling thread then polls.
    void delivered(std::uint64_t pixels) {
        scheduler_.done_.fetch_add(pixels);
        if (caller_) scheduler_.poll();
    }
    // KernelSpanT::stop, with the Worker as context: whether to abandon the
    // span (the render is cancelled); the calling thread polls meanwhile.
    static bool stop(void* worker) {
        auto* w = static_cast<Worker*>(worker);
        if (w->caller_) w->scheduler_.poll();
        return w->scheduler_.cancel_.load(std::memory_order_relaxed);
    }

private:
    friend class TileScheduler;
    Worker(TileScheduler& scheduler, bool caller) : scheduler_(scheduler), caller_(caller) {}
    TileScheduler& scheduler_;
    bool caller_;
};

}  // namespace detail
}  // namespace nbr
