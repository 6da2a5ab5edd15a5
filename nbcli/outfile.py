"""Output files: written whole or not at all, refused early when they cannot be written.

``atomic_output`` writes the file where nobody sees it and gives it its name
only when the writer finishes, so an existing file is replaced whole or kept as
it was. On Linux the file is unnamed until then (``O_TMPFILE``, then linked
into place), so not even ``kill -9`` leaves anything behind; elsewhere, and for
writers that need a name (``atomic_path``), it is a hidden temporary file in the
target's directory, removed on every ending the process sees (errors, Ctrl-C,
the terminating signals the command line handles). A file that is replaced
keeps its permission bits; a new one gets the user's umask. Every image and data
writer goes through here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from typing import IO, Any

from . import signals
from .errors import OutputError, ParameterError

__all__ = [
    "PathLike",
    "as_path",
    "atomic_output",
    "atomic_path",
    "check_writable",
    "same_file",
    "temp_name",
    "umask",
]

PathLike = str | os.PathLike[str]


def as_path(path: Any, what: str = "path") -> str:
    """A file name as text: ``str`` or ``os.PathLike`` of ``str`` (TypeError for anything else)."""
    try:
        p = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"{what} must be a file name (str or os.PathLike), not {type(path).__name__}"
        ) from None
    if not isinstance(p, str):
        raise TypeError(f"{what} must be a file name as text (str), not {type(p).__name__}")
    if "\0" in p:
        raise ParameterError(f"{what} must not contain a NUL character")
    return p


def check_writable(path: PathLike) -> None:
    """Fail early, before a long render, if ``path`` cannot be written."""
    p = as_path(path)
    if p == "-":
        if sys.stdout is None:
            raise OutputError("standard output is closed; give a file name instead of -")
        return
    if not p or not os.path.basename(p):
        raise ParameterError(f"output {p!r} has no file name; give one such as out.png")
    name = len(os.fsencode(os.path.basename(p)))
    if name > _name_max(os.path.dirname(os.path.abspath(p))):
        raise ParameterError(f"the output's file name is {name} bytes long, more than a file system allows")
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
    """A binary file that becomes ``path`` only if the block completes ('-': standard output,
    which cannot be atomic). On Ctrl-C, a full disk or an error an existing file stays as it was."""
    if as_path(path) == "-":
        check_writable("-")
        out = sys.stdout.buffer
        try:
            yield out
            out.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            if e.filename is not None:  # not a write to standard output
                raise
            raise OutputError(f"cannot write to standard output: {e.strerror or e}") from None
        return
    check_writable(path)
    p = os.path.abspath(as_path(path))
    mode = _mode_for(p)
    fd = _unnamed(os.path.dirname(p))
    if fd is None:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            yield f
            f.flush()
        return
    with os.fdopen(fd, "wb") as f:
        yield f
        f.flush()
        os.fchmod(f.fileno(), mode)
        _link(f.fileno(), p)


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[str]:
    """A temporary file name beside ``path``, renamed to ``path`` if the block completes.

    For writers that open files by name (a video muxer reads back what it wrote);
    the file exists, empty, when the block starts, and is removed however the block
    ends. ``atomic_output`` is the same with the file opened.
    """
    check_writable(path)
    p = os.path.abspath(as_path(path))
    mode = _mode_for(p)
    tmp = ""
    try:
        with signals.deferred():  # a stop waits until the clean-up below knows the file's name
            fd, tmp = _named(p)
            os.close(fd)
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except OSError as e:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if tmp in (e.filename, e.filename2):
            raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
        raise
    except BaseException:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _mode_for(p: str) -> int:
    """The permission bits the finished file gets: those of the file it replaces, else the umask's."""
    try:
        st = os.stat(p)
    except OSError:
        return 0o666 & ~umask()
    return stat.S_IMODE(st.st_mode)


def umask() -> int:
    try:  # Linux: read it without changing it (os.umask would, for a moment, in every thread)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _unnamed(directory: str) -> int | None:
    """A file in ``directory`` that has no name yet (Linux O_TMPFILE, named through /proc at the
    end), or None where that is not available (another system, a file system without it)."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        fd = os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    dev = os.fstat(fd).st_dev
    if dev not in _LINKABLE:  # can it be named? Try with another one (a linked file cannot be again)
        name = temp_name(os.path.join(directory, "probe"))
        try:
            probe = os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
            try:
                with signals.deferred():  # named for an instant: a stop waits until it is removed
                    _link_fd(probe, name)
                    os.unlink(name)
            finally:
                os.close(probe)
            _LINKABLE[dev] = True
        except OSError:
            _LINKABLE[dev] = False
    if not _LINKABLE[dev]:
        os.close(fd)
        return None
    return fd


_LINKABLE: dict[int, bool] = {}  # by file system: whether an O_TMPFILE file can be linked into place


def _link_fd(fd: int, name: str) -> None:
    """Give the unnamed file ``fd`` a name: linkat through /proc/self/fd, or else with
    AT_EMPTY_PATH (where /proc is missing or elsewhere; it needs CAP_DAC_READ_SEARCH)."""
    try:
        os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
    except FileExistsError:
        raise
    except OSError as e:
        if not _flink(fd, name):
            raise e from None


def _flink(fd: int, name: str) -> bool:
    import ctypes

    try:
        linkat = ctypes.CDLL(None, use_errno=True).linkat
    except (OSError, AttributeError):
        return False
    if linkat(fd, b"", -100, os.fsencode(name), 0x1000) == 0:  # AT_FDCWD, AT_EMPTY_PATH
        return True
    if ctypes.get_errno() == errno.EEXIST:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), name)
    return False


def _link(fd: int, p: str) -> None:
    """Give the unnamed file ``fd`` the name ``p``, replacing what is there in one step."""
    try:
        try:
            _link_fd(fd, p)
            return
        except FileExistsError:
            pass
        tmp = temp_name(p)
        with signals.deferred():  # a stop waits until the hidden name is gone, one way or the other
            _link_fd(fd, tmp)
            try:
                os.replace(tmp, p)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
    except OSError as e:
        raise OutputError(f"cannot write {p}: {e.strerror or e}") from None


def _named(p: str) -> tuple[int, str]:
    """A new, empty hidden file beside ``p``: (its descriptor, its name)."""
    for _ in range(100):
        tmp = temp_name(p)
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), tmp
        except FileExistsError:
            continue
        except OSError as e:  # name the user's file, not the temporary one
            raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
    raise OutputError(f"cannot write {p}: no free temporary name in its folder")


def temp_name(p: str, suffix: str = ".part") -> str:
    """'.NAME.XXXXXXXX.part' (or another ``suffix``) beside ``p``, NAME shortened so that the whole fits the file system's
    limit on a name (a legal name of 255 bytes must not fail because its temporary one is longer)."""
    d, base = os.path.split(p)
    limit = _name_max(d)
    tail = f".{secrets.token_hex(4)}{suffix}"
    room = max(1, limit - 1 - len(tail))
    stem = os.fsencode(base)[:room]
    for cut in range(4):  # never cut a character in two
        try:
            name = stem[: len(stem) - cut].decode(sys.getfilesystemencoding())
            break
        except UnicodeDecodeError:
            continue
    else:  # a name that was not valid text to begin with: keep its bytes
        name = os.fsdecode(stem)
    return os.path.join(d, f".{name}{tail}")


def _name_max(directory: str) -> int:
    """The longest file name (in bytes) the file system of ``directory`` takes."""
    try:
        return int(os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255
