"""Output files: written whole or not at all, refused early when they cannot be written.

``atomic_output`` writes under a hidden temporary name in the target's
directory and renames it into place only when the writer finishes, so an
existing file is replaced whole or kept as it was. Every image and data writer
goes through it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import IO

from .errors import OutputError, ParameterError

__all__ = ["PathLike", "atomic_output", "atomic_path", "check_writable", "same_file"]

PathLike = str | os.PathLike[str]


def check_writable(path: PathLike) -> None:
    """Fail early, before a long render, if ``path`` cannot be written."""
    if str(path) == "-":
        return
    p = os.fspath(path)
    if not p or not os.path.basename(p):
        raise ParameterError(f"output {p!r} has no file name; give one such as out.png")
    if os.path.isdir(p):
        raise OutputError(f"{p} is a directory; give a file name such as {os.path.join(p, 'out.png')}")
    d = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(d):
        raise OutputError(f"directory {d} does not exist")
    if not os.access(d, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to directory {d} (permission denied)")
    if os.path.exists(p) and not os.path.isfile(p):
        raise OutputError(
            f"{p} exists and is not a regular file; give a file name such as out.png (or - for standard output)"
        )
    if os.path.exists(p) and not os.access(p, os.W_OK):
        raise OutputError(f"{p} exists and is not writable")


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether two output paths would write the same file (also through a link or './');
    standard output ('-') is never the same as a file."""
    if str(a) == "-" or str(b) == "-":
        return False
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


@contextlib.contextmanager
def atomic_output(path: PathLike) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` only if the block completes.

    It is written under a temporary name in the same directory and renamed into
    place, so an existing file is replaced whole or not at all (also on Ctrl-C,
    a full disk or an error). ``'-'`` is standard output (not atomic).
    """
    if str(path) == "-":
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        yield f
        f.flush()


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[str]:
    """A temporary file name beside ``path``, renamed to ``path`` if the block completes.

    For writers that open files by name (a video muxer reads back what it wrote);
    the file exists, empty, when the block starts. ``atomic_output`` is the same
    with the file opened.
    """
    check_writable(path)
    p = os.fspath(path)
    d = os.path.dirname(os.path.abspath(p))
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(p) + ".", suffix=".part", dir=d)
    except OSError as e:  # name the user's file, not the temporary one
        raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if tmp in (e.filename, e.filename2):
            raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
