"""The console script's entry point: every way a run ends becomes one line and an exit code.

Errors that nb-render raises on purpose carry their exit code
(``nbcli.errors``); the command line's own usage errors (from Typer's parser)
are recognised by their ``exit_code`` and ``format_message``; signals end with
128 + their number; anything else is a bug, reported in one line.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import warnings
from typing import Any

import typer

from .. import signals
from ..errors import EXIT_FAILURE, EXIT_USAGE, NbRenderError
from .app import app
from .options import PROG, CommandLineError, printable, say

EXIT_SIGINT = 130


def _one_line(msg: object) -> str:
    return printable(msg)


def _is_parser_error(e: BaseException) -> bool:
    """A usage error from Typer's argument parser (Click's exception classes, by their interface)."""
    return isinstance(getattr(e, "exit_code", None), int) and callable(getattr(e, "format_message", None))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns every failure into one line on stderr and an exit code."""
    signals.install()
    _guard_standard_streams()
    warnings.showwarning = _show_warning
    if not (sys.argv[1:] if argv is None else argv) and not _completing():
        _say(
            f"Usage: {PROG} [OPTIONS] OUTPUT\n"
            f"Try '{PROG} -e \"z^3 - 1\" out.png' for a first picture, '{PROG} --help' for every option.\n"
        )
        sys.exit(EXIT_USAGE)
    code = _run(argv)
    _flush_standard_streams()
    if "distributed" in sys.modules and argv is None:
        # A Dask client's threads and objects take seconds to finalize (6 s after Ctrl-C): every
        # output is complete or removed by now, so leave at once, as the console script.
        os._exit(code)
    sys.exit(code)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """A warning from the library, as the command shows every message: one line."""
    say(f"{PROG}: warning: {message}")


def _guard_standard_streams() -> None:
    """A standard stream closed when the command started (``>&-``): its descriptor gets /dev/null,
    so that no file nb-render opens takes its number; a closed stderr becomes a sink (messages
    cannot be shown); a closed stdout stays None, and writing the image or the statistics there
    is refused with an error."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (for the rest of the process)


def _flush_standard_streams() -> None:
    """Flush what is buffered now, so that a failure does not surface as a message at exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            _silence(stream)


def _silence(stream: Any) -> None:
    """Point a standard stream that cannot be written at /dev/null (nothing more can be said there)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)


def _say(text: str) -> None:
    """Write to standard error; a closed or full one loses the text, nothing more."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        _silence(sys.stderr)


def _completing() -> bool:
    """Whether the shell asks for completions (it runs the command with no arguments)."""
    return any(k.startswith("_NB_RENDER_COMPLETE") for k in os.environ)


def _error(message: str) -> None:
    _say(f"{PROG}: error: {_one_line(message)}\n")


def _run(argv: list[str] | None) -> int:
    try:
        rv = app(args=argv, prog_name=PROG, standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == EXIT_SIGINT:
            raise signals.Interrupted()
        return code
    except typer.Exit as e:
        return int(e.exit_code)
    except signals.Stop as e:
        if isinstance(e, signals.PipeClosed):
            _silence(sys.stdout)  # what is still buffered there can go nowhere
        else:
            _say(f"{PROG}: {signals.message(e)}\n")
        return e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _say(f"{PROG}: interrupted\n")
        return EXIT_SIGINT
    except Exception as e:
        described = describe(e)
        if described is None:
            if os.environ.get("NB_RENDER_DEBUG"):
                raise
            _say(
                f"{PROG}: internal error: {type(e).__name__}: {_one_line(str(e))} "
                "(set NB_RENDER_DEBUG=1 for a traceback, and please report it)\n"
            )
            return EXIT_FAILURE
        message, code = described
        if message:
            _error(message)
        return code


def describe(e: BaseException) -> tuple[str, int] | None:
    """(the one-line message, the exit code) of an error nb-render reports; None for a bug."""
    if isinstance(e, CommandLineError):
        return _one_line(f"{e}{_hint(str(e))}"), e.exit_code
    if isinstance(e, NbRenderError):
        return _one_line(str(e) or type(e).__name__), e.exit_code
    if isinstance(e, OSError):  # the system refused (a file, the disk): the request itself was fine
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return _one_line(where + (e.strerror or str(e))), EXIT_FAILURE
    if isinstance(e, MemoryError):
        return _one_line(str(e) or "out of memory; try a smaller --size or --aa"), EXIT_FAILURE
    if _is_parser_error(e):
        message = e.format_message()  # type: ignore[attr-defined]
        code = int(e.exit_code)  # type: ignore[attr-defined]
        hint = _hint(message, getattr(e, "ctx", None)) if code == EXIT_USAGE else ""
        return _one_line(message + hint), code
    return None


_NUMBERS = re.compile(r"^[-+0-9.,eEijIJ ]+$")


def _hint(message: str, ctx: Any = None) -> str:
    """What to try next: for an extra argument that follows a polynomial given without its option,
    that option; else --help."""
    first = getattr(ctx, "params", {}).get("output") if ctx is not None else None
    if "unexpected extra argument" in message and isinstance(first, str) and first != "-":
        shown = first.replace("'", "'\\''")
        if "z" in first.lower():
            return f"; to give the polynomial as an expression, use -e: {PROG} -e '{shown}' OUTPUT"
        if _NUMBERS.match(first) and "," in first:
            return f"; to give the polynomial by its coefficients, use -c: {PROG} -c '{shown}' OUTPUT"
    return f" (try '{PROG} --help')" if "--help" not in message else ""
