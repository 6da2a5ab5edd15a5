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
import signal
import sys
from typing import Any

import typer

from ..errors import EXIT_FAILURE, EXIT_USAGE, NbRenderError
from .app import app
from .options import PROG, CommandLineError
from .run import Interrupted, Terminated

EXIT_SIGINT = 130
EXIT_SIGTERM = 143


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _one_line(msg: object) -> str:
    return " ".join(str(msg).split())


def _is_parser_error(e: BaseException) -> bool:
    """A usage error from Typer's argument parser (Click's exception classes, by their interface)."""
    return isinstance(getattr(e, "exit_code", None), int) and callable(getattr(e, "format_message", None))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns every failure into one line on stderr and an exit code."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread
        signal.signal(signal.SIGTERM, _on_sigterm)
    if not (sys.argv[1:] if argv is None else argv) and not _completing():
        sys.stderr.write(
            f"Usage: {PROG} [OPTIONS] OUTPUT\n"
            f"Try '{PROG} -e \"z^3 - 1\" out.png' for a first picture, '{PROG} --help' for every option.\n"
        )
        sys.exit(EXIT_USAGE)
    code = _run(argv)
    if "distributed" in sys.modules and argv is None:
        # A Dask client's threads and objects take seconds to finalize (6 s after Ctrl-C): every
        # output is complete or removed by now, so flush and leave at once, as the console script.
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _completing() -> bool:
    """Whether the shell asks for completions (it runs the command with no arguments)."""
    return any(k.startswith("_NB_RENDER_COMPLETE") for k in os.environ)


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {_one_line(message)}\n")


def _run(argv: list[str] | None) -> int:
    try:
        rv = app(args=argv, prog_name=PROG, standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == EXIT_SIGINT:
            raise Interrupted()
        return code
    except typer.Exit as e:
        return int(e.exit_code)
    except (Interrupted, typer.Abort, KeyboardInterrupt):
        sys.stderr.write(f"{PROG}: interrupted\n")
        return EXIT_SIGINT
    except Terminated:
        sys.stderr.write(f"{PROG}: terminated\n")
        return EXIT_SIGTERM
    except Exception as e:
        described = describe(e)
        if described is None:
            if os.environ.get("NB_RENDER_DEBUG"):
                raise
            sys.stderr.write(
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
