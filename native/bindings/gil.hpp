// Work with the GIL released, safely also while the interpreter shuts down.
//
// A thread that is still rendering when the interpreter finalises (a daemon
// thread at the end of a script, or the main thread's Ctrl-C while it joins a
// rendering thread) must never wait for the GIL then: Python 3.11-3.13 end a
// thread that waits for it once finalisation has begun with pthread_exit,
// whose forced unwind through our frames is only safe when the module's C++
// runtime is the unwinder glibc loads (libstdc++ and libgcc_s); a module
// linked with LLVM's libc++abi and libunwind (the zig-built wheels) crashes
// there. Python 3.14 parks such a thread for good instead. So:
//
// - Finalisation begins after the atexit callbacks, with the GIL held
//   throughout. At import the module registers interpreter_exiting() with
//   atexit: it marks the interpreter as exiting, then lets every thread that is
//   already on its way to the GIL through (for at most a second) before it
//   returns. From then on the render's poll callback (with_gil_unless_exiting)
//   no longer takes the GIL; once finalisation has begun (finalizing()), it
//   stops the render, and without_gil() parks the thread instead of taking the
//   GIL back. The process ends around it.
// - The thread that runs the atexit callbacks (the one that finalises) is
//   never held back or parked.
// - What is left: a render that ends by itself in the short time between the
//   atexit callbacks and finalisation takes the GIL back as usual. For that
//   case the GIL is taken back in a plain function, not in a (noexcept)
//   destructor as py::gil_scoped_release does, and nothing here swallows a
//   forced unwind.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <thread>

#if defined(__GLIBCXX__)
#include <cxxabi.h>
#define NBR_LET_FORCED_UNWIND_PASS \
    catch (abi::__forced_unwind&) { throw; }
#else
#define NBR_LET_FORCED_UNWIND_PASS
#endif

namespace nbr_py {

namespace detail {
inline std::atomic<bool> exiting{false};      // the atexit callbacks are running, or have run
inline std::atomic<int> on_the_way{0};        // threads between the check of `exiting` and the GIL
inline std::atomic<std::thread::id> exit_thread{};  // the thread that ran interpreter_exiting()
}  // namespace detail

// Whether the interpreter is shutting down (safe to ask without the GIL).
inline bool finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing() != 0;
#else
    return _Py_IsFinalizing() != 0;
#endif
}

// Whether this thread is the one that takes the interpreter down.
inline bool is_exit_thread() {
    return detail::exiting.load() && detail::exit_thread.load() == std::this_thread::get_id();
}

// The atexit callback (called with the GIL held).
inline void interpreter_exiting() {
    detail::exit_thread.store(std::this_thread::get_id());
    detail::exiting.store(true);
    if (detail::on_the_way.load() == 0) return;
    PyThreadState* state = PyEval_SaveThread();  // let them through
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (detail::on_the_way.load() != 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    PyEval_RestoreThread(state);
}

// Thrown by a poll callback to stop a render when the interpreter shuts down.
struct InterpreterExiting : std::runtime_error {
    InterpreterExiting() : std::runtime_error("the Python interpreter is shutting down") {}
};

// Never returns: the interpreter is gone, and the process ends around this thread.
[[noreturn]] inline void park_for_good() {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

// From a thread without the GIL: runs f() with it, unless the interpreter is exiting (then
// f() is not run and false is returned).
template <class F>
bool with_gil_unless_exiting(F&& f) {
    const bool exit_thread = is_exit_thread();
    detail::on_the_way.fetch_add(1);
    if (detail::exiting.load() && !exit_thread) {
        detail::on_the_way.fetch_sub(1);
        return false;
    }
    pybind11::gil_scoped_acquire gil;
    detail::on_the_way.fetch_sub(1);
    f();
    return true;
}

// Runs f() with the GIL released; takes it back (see above) and rethrows what f() threw.
template <class F>
void without_gil(F&& f) {
    std::exception_ptr failed;
    PyThreadState* state = PyEval_SaveThread();
    try {
        f();
    }
    NBR_LET_FORCED_UNWIND_PASS
    catch (...) {
        failed = std::current_exception();
    }
    if (finalizing() && detail::exiting.load() && !is_exit_thread()) park_for_good();
    PyEval_RestoreThread(state);
    if (failed) std::rethrow_exception(failed);
}

}  // namespace nbr_py
