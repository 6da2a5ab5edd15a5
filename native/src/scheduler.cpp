// Tile scheduling and cancellation (see scheduler.hpp).
#include "scheduler.hpp"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__GLIBCXX__)
#include <cxxabi.h>
// pthread_exit unwinds a thread's stack with this exception: it must never be swallowed.
#define NBR_RETHROW_FORCED_UNWIND(...) \
    catch (abi::__forced_unwind&) {    \
        __VA_ARGS__;                   \
        throw;                         \
    }
#else
#define NBR_RETHROW_FORCED_UNWIND(...)
#endif

namespace nbr {
namespace detail {

TileScheduler::TileScheduler(std::int64_t pixels, int threads, const Control& control, std::uint64_t progress_total)
    : control_(control), progress_total_(progress_total), pixels_(pixels), last_poll_(std::chrono::steady_clock::now()) {
    int t = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
    t = std::clamp(t, 1, limits::max_threads);
    tile_ = std::clamp<std::int64_t>(pixels / (16 * std::int64_t{t}), 256, kMaxTile);
    min_tile_ = std::min<std::int64_t>(tile_, 1024);
    const std::int64_t ntiles = (pixels + tile_ - 1) / tile_;
    threads_ = static_cast<int>(std::min<std::int64_t>(t, ntiles));
    running_.store(threads_);
}

// Claims the next tile [a, b); false when none is left.
bool TileScheduler::claim(std::int64_t& a, std::int64_t& b) {
    a = next_pixel_.load(std::memory_order_relaxed);
    do {
        if (a >= pixels_) return false;
        const std::int64_t n = std::clamp<std::int64_t>((pixels_ - a) / (4 * std::int64_t{threads_}), min_tile_, tile_);
        b = std::min(pixels_, a + n);
    } while (!next_pixel_.compare_exchange_weak(a, b, std::memory_order_relaxed));
    return true;
}

// Calls Control::poll if poll_interval has passed since the last call (calling thread only).
void TileScheduler::poll() {
    if (!control_.poll || cancel_.load()) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll_ < std::chrono::duration<double>(control_.poll_interval)) return;
    last_poll_ = now;
    try {
        control_.poll(done_.load(), progress_total_);
    }
    NBR_RETHROW_FORCED_UNWIND(cancel_.store(true))
    catch (...) {
        fail(std::current_exception());
    }
}

void TileScheduler::fail(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (!error_) error_ = e;
    cancel_.store(true);
}

void TileScheduler::work(bool caller, const Work& body) {
    try {
        Worker worker(*this, caller);
        body(worker);
    }
    NBR_RETHROW_FORCED_UNWIND(cancel_.store(true))
    catch (...) {
        fail(std::current_exception());
    }
    if (running_.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(finished_mutex_);
        finished_.notify_all();
    }
}

// The calling thread, its own work done: polls until the others have finished.
void TileScheduler::wait_for_workers() {
    const auto wait = std::chrono::duration<double>(std::clamp(control_.poll_interval, 0.001, 0.05));
    std::unique_lock<std::mutex> lock(finished_mutex_);
    while (running_.load() > 0) {
        finished_.wait_for(lock, wait, [&] { return running_.load() == 0; });
        lock.unlock();
        poll();
        lock.lock();
    }
}

namespace {

// The worker threads of one run: however run() is left (a return, an exception,
// a forced unwind), they are told to stop and joined first.
class Pool {
public:
    explicit Pool(std::atomic<bool>& cancel) : cancel_(cancel) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() {
        cancel_.store(true);
        for (auto& th : threads_)
            if (th.joinable()) th.join();
    }
    std::vector<std::thread>& threads() { return threads_; }

private:
    std::atomic<bool>& cancel_;
    std::vector<std::thread> threads_;
};

}  // namespace

void TileScheduler::run(const Work& body) {
    Pool pool(cancel_);
    pool.threads().reserve(static_cast<std::size_t>(threads_ - 1));
    for (int i = 1; i < threads_; ++i) {
        try {
            pool.threads().emplace_back([this, &body] { work(false, body); });
        } catch (const std::system_error&) {  // the system refused (EAGAIN): go on with the threads there are
            unavailable_ = threads_ - i;
            running_.fetch_sub(unavailable_);
            break;
        }
    }
    work(true, body);
    wait_for_workers();
    for (auto& th : pool.threads()) th.join();
    if (error_) std::rethrow_exception(error_);
}

}  // namespace detail
}  // namespace nbr
