"""How the command stops when it is asked to: signals become exceptions, and the command ends cleanly.

Ctrl-C (SIGINT) and the signals a terminal or a job scheduler sends to end a
program (SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU) are
raised in the main thread as ``Interrupted`` or ``Terminated``, so every
``finally`` runs and no temporary file is left behind; the command then exits
with 128 + the signal's number after one line on standard error. A signal that
was ignored when nb-render started stays ignored (``nohup`` ignores SIGHUP).
After the first signal, further ones are ignored, so the clean-up is never cut
short; but a stop that Python swallows (raised inside a ``__del__`` or a weakref
callback, where exceptions are only printed) is sent again once that has ended.
Work that must not be cut in the middle runs under ``deferred()``: a
signal that arrives then stops the command as soon as the block ends. SIGXFSZ
(a file-size limit reached) is ignored, so that the write fails with an error
that says so.

Kept light (the standard library only): the console script (``nbcli.__main__``)
installs it before anything else is imported, so Ctrl-C during start-up ends the
same way as at any other moment. Only the command line installs it; the Python API
leaves a program's signal handling as it is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["TERMINATING", "Interrupted", "PipeClosed", "Stop", "Terminated", "deferred", "install", "message"]

TERMINATING = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXCPU")
    if hasattr(signal, name)
)


class Stop(BaseException):
    """A signal asked the command to stop (a BaseException, so that no ``except Exception`` stops it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"


class Interrupted(Stop):
    """Ctrl-C (kept apart from KeyboardInterrupt, which Click turns into Abort after printing a
    blank line)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)


class Terminated(Stop):
    """A terminating signal other than SIGINT."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)


class PipeClosed(Stop):
    """Standard output is a pipe whose reader went away (``nb-render ... - | head``): the command
    ends without a word, with the status of a program ended by SIGPIPE, as Unix tools do. (Python
    ignores SIGPIPE, so the write fails with BrokenPipeError, which ``run`` turns into this.)"""

    def __init__(self) -> None:
        super().__init__(getattr(signal, "SIGPIPE", 13))


_stopping = False
_deferring = 0  # nesting depth of deferred() blocks in the main thread
_held: int | None = None  # the signal that arrived in one of them


def _stop(signum: int) -> Stop:
    return Interrupted(signum) if signum == signal.SIGINT else Terminated(signum)


def _raise(signum: int, frame: FrameType | None) -> None:
    global _stopping, _held
    if _stopping:
        return  # on the way out already: let the clean-up finish
    _stopping = True
    if _deferring:
        _held = signum
        return
    raise _stop(signum)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold a stop until the block ends, then raise it (in place of anything the block raised).

    For work that must not be cut in the middle: a Zarr write runs on the library's own
    thread, and when the main thread stops waiting for it, it goes on writing into a
    folder the clean-up has removed. Only the main thread, where signals arrive, defers.
    """
    global _deferring, _held
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _held is not None:
            signum, _held = _held, None
            raise _stop(signum)  # the stop came first: it replaces what the block raised


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """A stop raised where Python ignores exceptions (a ``__del__``, a weakref callback
    such as the import system's lock clean-up) is only printed, and the command would go
    on with further signals ignored. Send the signal again a moment later, from another
    thread, so that the handler raises it once this context has ended."""
    global _stopping
    exc = unraisable.exc_value
    if isinstance(exc, Stop) and not isinstance(exc, PipeClosed) and signal.getsignal(exc.signum) is _raise:
        _stopping = False
        again = threading.Timer(0.05, os.kill, (os.getpid(), exc.signum))
        again.daemon = True
        again.start()
        return
    _previous_unraisable(unraisable)


_previous_unraisable = sys.unraisablehook


def install() -> None:
    """Handle the signals above in this process (from the main thread; elsewhere a no-op)."""
    global _stopping, _held, _previous_unraisable
    _stopping, _held = False, None
    try:
        for sig in (signal.SIGINT, *TERMINATING):
            if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
                signal.signal(sig, _raise)
        if sys.unraisablehook is not _unraisable:
            _previous_unraisable, sys.unraisablehook = sys.unraisablehook, _unraisable
        if hasattr(signal, "SIGXFSZ") and signal.getsignal(signal.SIGXFSZ) == signal.SIG_DFL:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    except ValueError:  # not the main thread (the command run from a thread): signals stay as they are
        pass


def message(e: Stop) -> str:
    """The line the command ends with: 'interrupted' (Ctrl-C), 'terminated' (SIGTERM),
    'terminated by SIGHUP' (any other), or nothing (a closed pipe)."""
    if isinstance(e, PipeClosed):
        return ""
    if isinstance(e, Interrupted):
        return "interrupted"
    return "terminated" if e.signum == signal.SIGTERM else f"terminated by {e.name}"
