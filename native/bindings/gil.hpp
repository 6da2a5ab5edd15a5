// Work with the GIL released, safely also while the interpreter shuts down.
//
// A thread that is still rendering when the interpreter finalises (a daemon
// thread at the end of a script, or the main thread's Ctrl-C while it joins a
// rendering thread) must never take the GIL again: Python 3.11-3.13 ends such a
// thread with pthread_exit when it asks (glibc unwinds its stack with
// abi::__forced_unwind), Python 3.14 parks it for good. So the poll callback
// checks finalizing() first and, if so, stops the render without touching
// Python; and the GIL is taken back by without_gil() in a plain function, not
// in a (noexcept) destructor as py::gil_scoped_release does, so that a forced
// unwind from there passes instead of calling std::terminate ("FATAL:
// exception not rethrown"). Nothing here swallows a forced unwind.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <stdexcept>

#if defined(__GLIBCXX__)
#include <cxxabi.h>
#define NBR_LET_FORCED_UNWIND_PASS \
    catch (abi::__forced_unwind&) { throw; }
#else
#define NBR_LET_FORCED_UNWIND_PASS
#endif

namespace nbr_py {

// Whether the interpreter is shutting down (safe to ask without the GIL).
inline bool finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing() != 0;
#else
    return _Py_IsFinalizing() != 0;
#endif
}

// Thrown by a poll callback to stop a render when the interpreter shuts down.
struct InterpreterExiting : std::runtime_error {
    InterpreterExiting() : std::runtime_error("the Python interpreter is shutting down") {}
};

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
    PyEval_RestoreThread(state);
    if (failed) std::rethrow_exception(failed);
}

}  // namespace nbr_py
