"""Input files: read only when they are regular files, and never without bound.

A file nb-render reads (``--from``, a keyframe file, a batch file) is opened
without blocking and checked before a byte is read: a directory, a named pipe
(which would wait for a writer), a device such as /dev/zero (which never ends)
or a socket is refused at once, also through a symbolic link, and so is a file
larger than the reader accepts. What is read from it is untrusted: see
``nbcli.params``, ``nbcli.npz`` and ``nbcli.png``.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from .errors import InputFileError
from .outfile import PathLike, as_path

__all__ = ["open_regular"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: PathLike, what: str = "file", max_size: int | None = None) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file (of at most ``max_size`` bytes);
    InputFileError (exit code 2) naming what it is otherwise. A missing file is an
    InputFileError too; other failures (permissions) are OSErrors naming the file."""
    p = as_path(path, what)
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(p, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file") from None
    except IsADirectoryError:  # Windows
        raise InputFileError(f"{p} is not a regular file but a directory; give a {what}") from None
    except OSError as e:
        raise OSError(e.errno, e.strerror, p) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
            raise InputFileError(f"{p} is not a regular file but {kind}; give a {what}")
        if max_size is not None and st.st_size > max_size:
            raise InputFileError(
                f"{p}: {st.st_size} bytes is larger than a {what} nb-render reads ({max_size})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
