"""nb-render's exceptions: each class knows the command line's exit code for it.

Every error the library raises on purpose is an ``NbRenderError``. The classes
also derive from the built-in exception a Python caller would expect
(``ValueError`` for a bad value, ``MemoryError``, ``OSError``), so
``except ValueError`` keeps working; the command line only looks at
``exit_code``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "ClusterError",
    "InputFileError",
    "MissingExtra",
    "NbRenderError",
    "NotEnoughMemory",
    "OutputError",
    "ParameterError",
    "ResourceLimit",
    "quote",
    "shown",
    "unknown_name",
]

EXIT_FAILURE = 1  # the work could not be done (memory, disk, ...)
EXIT_USAGE = 2  # the request was wrong (an option, a value, an input file)


class NbRenderError(Exception):
    """Base class of the errors nb-render reports as one line."""

    exit_code = EXIT_FAILURE


class ParameterError(NbRenderError, ValueError):
    """A parameter that cannot be rendered: an unknown name, a value out of range, a conflict."""

    exit_code = EXIT_USAGE


class InputFileError(ParameterError):
    """A file given to read parameters or data from that is missing, not ours, corrupt or hostile."""


class MissingExtra(ParameterError, ImportError):
    """A feature asked for needs an optional dependency that is not installed (the message names the extra)."""


class NotEnoughMemory(NbRenderError, MemoryError):
    """A render that would not fit in the memory available (or allowed); raised before allocating."""


class ResourceLimit(NbRenderError):
    """The system refused something the work needs other than memory: a thread (a limit on
    threads or on address space, such as ulimit -u or ulimit -v)."""


class OutputError(NbRenderError, OSError):
    """An output that cannot be written (refused before anything is written)."""

    def __init__(self, message: str) -> None:
        # OSError's own constructor would split the arguments into errno/strerror
        NbRenderError.__init__(self, message)

    def __str__(self) -> str:
        return str(self.args[0])


def quote(text: str, limit: int = 80) -> str:
    """``repr(text)`` for a message, cut to about ``limit`` characters so the message stays a
    readable line (the cut counts escapes: one control character can take ten)."""
    quoted = repr(text)
    if len(quoted) <= limit:
        return quoted
    kept, used = [], 0
    for ch in text:
        used += len(repr(ch)) - 2
        if used > limit - 5:
            break
        kept.append(ch)
    return repr("".join(kept) + "...")


def shown(value: object, limit: int = 60) -> str:
    """Any value, as a message shows it: its repr (control characters escaped), at most about
    ``limit`` characters (a value may come from a file: it must not flood the message)."""
    if isinstance(value, str):
        return quote(value, limit)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ClusterError(NbRenderError):
    """The Dask cluster could not be reached, or was lost during a render."""


def unknown_name(what: str, value: object, choices: Iterable[str], more: str = "") -> ParameterError:
    """The error for a name that is not one of ``choices``: the nearest one if it looks like a
    typo, then all of them (``more``: what else is accepted, e.g. "a matplotlib colormap name")."""
    names = list(choices)
    key = value.strip().lower() if isinstance(value, str) else ""
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    listed = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
    if more:
        listed = ", ".join(names) + f", {more}"
    return ParameterError(f"unknown {what} {shown(value)}; {hint}choose {'' if more else 'one of '}{listed}")
