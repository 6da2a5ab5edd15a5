"""Zarr stores: an image and its per-sample data as chunked arrays, written in parallel, read lazily.

A store is a Zarr v3 group (a folder) with the parameters record (the same
JSON as in every PNG and .npz) in its attributes under ``nb-render``, and up
to five arrays: ``rgb`` (height, width, 3), uint8 or uint16, and the
per-sample data at the supersampled resolution, ``root`` (int16),
``iterations`` (int32), ``smooth`` and ``residual`` (float32), each
(height*aa, width*aa). Arrays are chunked alike (a chunk of ``rgb`` covers the
pixels whose samples form one chunk of each data array), so whoever renders a
tile writes whole chunks: tiles can be written by many processes at once.

Writing is atomic like every output: the store is made under a hidden
temporary name beside the target and renamed into place when complete (an
existing store or file is replaced only then). ``zarr`` is imported only
here, only when used; without it a one-line error names the extra to install.

Reading treats the store as untrusted: the attributes are parsed by
``nbcli.params``; an array's shape and type are checked before its data is
read, and every block read is range-checked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from ._native import DATA_FIELDS
from .errors import InputFileError, MissingExtra, OutputError
from .outfile import PathLike, check_writable, temp_name, umask
from .signals import deferred

__all__ = [
    "ATTRIBUTE",
    "FIELDS",
    "CheckedArray",
    "ZarrLayout",
    "atomic_store",
    "check_store_target",
    "is_zarr_path",
    "open_for_reading",
    "require_zarr",
    "stored_array",
    "write_block",
]

ATTRIBUTE = "nb-render"  # the group attribute that holds the parameters record
FIELDS = ("rgb", *DATA_FIELDS)  # every array a store may hold
MAX_ATTRIBUTES = 1 << 20  # bytes of the group's metadata document


def require_zarr() -> ModuleType:
    """The zarr module, or a one-line error naming the extra that provides it."""
    try:
        import zarr
    except ImportError:
        raise MissingExtra("Zarr stores need zarr: pip install 'nb-render[dask]'") from None
    return zarr


def is_zarr_path(path: PathLike) -> bool:
    return os.fspath(path).rstrip("/\\").lower().endswith(".zarr")


class ZarrLayout:
    """The arrays of a store for an image: which, their shapes, types and chunks."""

    def __init__(
        self, width: int, height: int, aa: int, depth: int, fields: Sequence[str], chunk: tuple[int, int]
    ) -> None:
        unknown = [f for f in fields if f not in FIELDS]
        if unknown or not fields:
            raise ValueError(
                f"unknown field {unknown[0]!r}; choose from {', '.join(FIELDS)}" if unknown else "no fields"
            )
        self.width, self.height, self.aa, self.depth = width, height, aa, depth
        self.fields = tuple(dict.fromkeys(fields))
        self.chunk = (min(chunk[0], height), min(chunk[1], width))  # (rows, cols) of pixels

    def shape(self, field: str) -> tuple[int, ...]:
        if field == "rgb":
            return (self.height, self.width, 3)
        return (self.height * self.aa, self.width * self.aa)

    def dtype(self, field: str) -> np.dtype[Any]:
        if field == "rgb":
            return np.dtype(np.uint8 if self.depth == 8 else np.uint16)
        return DATA_FIELDS[field]

    def chunks(self, field: str) -> tuple[int, ...]:
        ch, cw = self.chunk
        return (ch, cw, 3) if field == "rgb" else (ch * self.aa, cw * self.aa)

    def tiles(self) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
        """(rows, cols) of every chunk of pixels, row by row."""
        ch, cw = self.chunk
        for r in range(0, self.height, ch):
            for c in range(0, self.width, cw):
                yield (r, min(r + ch, self.height)), (c, min(c + cw, self.width))

    def create(self, path: str, attributes: dict[str, Any]) -> None:
        """Make the (empty) group and arrays at ``path``: only their metadata is written."""
        zarr = require_zarr()
        with deferred():  # as in write_block
            group = zarr.open_group(store=path, mode="w", zarr_format=3)
            group.attrs[ATTRIBUTE] = attributes
            for f in self.fields:
                group.create_array(
                    name=f,
                    shape=self.shape(f),
                    chunks=self.chunks(f),
                    dtype=self.dtype(f),
                    fill_value=0,
                    dimension_names=("y", "x", "c") if f == "rgb" else ("y", "x"),
                )


def write_block(
    path: str, rows: tuple[int, int], cols: tuple[int, int], aa: int, arrays: dict[str, Any]
) -> None:
    """Write the pixels ``rows`` x ``cols`` (``rgb``) and their samples (the data fields) into
    the store at ``path``; ``arrays`` holds the fields to write."""
    zarr = require_zarr()
    (r0, r1), (c0, c1) = rows, cols
    # every chunk is written, even one equal to the fill value: a complete store has them all;
    # a stop waits for the write (zarr's thread would go on writing into a removed folder)
    with deferred(), zarr.config.set({"array.write_empty_chunks": True}):
        group = zarr.open_group(store=path, mode="r+")
        for name, block in arrays.items():
            if name == "rgb":
                group[name][r0:r1, c0:c1] = block
            else:
                group[name][r0 * aa : r1 * aa, c0 * aa : c1 * aa] = block


@contextlib.contextmanager
def atomic_store(path: PathLike) -> Iterator[str]:
    """A folder to make a store in, renamed to ``path`` only if the block completes.

    The folder is a hidden sibling of ``path`` (so the rename stays on one file
    system, and processes that see ``path`` see it too). An existing store or
    file at ``path`` is replaced only then, and a store replaced keeps its folder's
    permission bits; on any error nothing is left.
    """
    p = os.fspath(path).rstrip("/\\") or os.fspath(path)
    check_store_target(p)
    d = os.path.dirname(os.path.abspath(p))
    target = os.path.join(d, os.path.basename(p))
    tmp = temp_name(target)  # shortened to fit: a legal 255-byte name must not fail
    made, old = False, ""
    try:
        with deferred():  # a stop waits until the clean-up below knows the folder is there
            try:
                os.mkdir(tmp, 0o700)
            except OSError as e:
                raise OutputError(f"cannot write {p}: {e.strerror or e}") from None
            made = True
        yield tmp
        os.chmod(tmp, _store_mode(p))
        with deferred():  # the old store moved aside and the new one put in its place, in one go
            if os.path.lexists(p):
                old = temp_name(target, ".old")
                os.replace(p, old)
                try:
                    os.replace(tmp, p)
                except BaseException:
                    saved, old = old, ""  # never removed below: it is the user's store
                    os.replace(saved, p)  # back in place
                    raise
            else:
                os.replace(tmp, p)
        if old:
            _remove(old)
    except BaseException:
        if made:
            _remove(tmp)
        if old:  # replaced already: the rest of the old store
            _remove(old)
        raise


def _store_mode(p: str) -> int:
    """The permission bits of the finished store's folder: those of the store it replaces (a
    shared or private store stays so), else the umask's."""
    try:
        st = os.stat(p)
    except OSError:
        return 0o777 & ~umask()
    return stat.S_IMODE(st.st_mode) if stat.S_ISDIR(st.st_mode) else 0o777 & ~umask()


def _remove(p: str) -> None:
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(p)


def check_store_target(p: str) -> None:
    """Fail early if a store cannot be made at ``p`` (a folder that is not a Zarr store is never replaced)."""
    if p == "-":
        raise OutputError("a Zarr store cannot go to standard output; give a folder name ending in .zarr")
    if os.path.isdir(p) and not os.path.exists(os.path.join(p, "zarr.json")):
        raise OutputError(
            f"{p} is a folder that is not a Zarr store; it is not replaced: choose another name"
        )
    if os.path.isdir(p):
        d = os.path.dirname(os.path.abspath(p))
        if not os.access(d, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write to directory {d} (permission denied)")
        return
    check_writable(p)


class CheckedArray:
    """A stored per-sample array whose blocks are range-checked as they are read."""

    def __init__(self, array: Any, name: str, where: str, lo: float, hi: float) -> None:
        self.array, self.name, self.where, self.lo, self.hi = array, name, where, lo, hi
        self.shape: tuple[int, ...] = tuple(array.shape)
        self.dtype = array.dtype

    def __getitem__(self, key: Any) -> np.ndarray:
        try:
            block = np.asarray(self.array[key])
        except Exception as e:  # noqa: BLE001 - a missing or corrupt chunk: zarr's errors have no common base
            raise InputFileError(
                f"{self.where}: cannot read {self.name!r}: {type(e).__name__}: {e}"
            ) from None
        if block.size:
            bad = ~np.isfinite(block) if block.dtype.kind == "f" else np.zeros(block.shape, bool)
            if bad.any() or float(block.min()) < self.lo or float(block.max()) > self.hi:
                raise InputFileError(
                    f"{self.where}: {self.name} values out of range {self.lo:g}..{self.hi:g}"
                )
        return block


def open_for_reading(path: PathLike) -> tuple[str, Any]:
    """(the parameters record as JSON text, the open group) of a store (untrusted)."""
    zarr = require_zarr()
    p = os.fspath(path)
    meta = os.path.join(p, "zarr.json")
    if not os.path.isfile(meta):
        raise InputFileError(f"{p} is not a Zarr v3 store (no zarr.json)")
    if os.path.getsize(meta) > MAX_ATTRIBUTES:
        raise InputFileError(f"{p}: its metadata is larger than {MAX_ATTRIBUTES >> 20} MiB")
    import json

    try:
        group = zarr.open_group(store=p, mode="r")
        record = group.attrs.get(ATTRIBUTE)
    except Exception as e:  # noqa: BLE001 - zarr raises many kinds for a broken store
        raise InputFileError(f"{p} is not a readable Zarr store ({type(e).__name__}: {e})") from None
    if record is None:
        raise InputFileError(f"{p} has no nb-render parameters (was it made by nb-render?)")
    return json.dumps(record), group


def stored_array(group: Any, name: str, shape: tuple[int, ...], where: str) -> Any | None:
    """The store's array ``name`` if it has one, after checking its shape and type."""
    try:
        if name not in group:
            return None
        array = group[name]
    except Exception as e:  # noqa: BLE001 - zarr raises many kinds for a broken store
        raise InputFileError(f"{where}: cannot open array {name!r} ({type(e).__name__})") from None
    want = DATA_FIELDS[name] if name != "rgb" else None
    if tuple(array.shape) != shape or (want is not None and array.dtype != want):
        raise InputFileError(
            f"{where}: array {name!r} is {array.dtype} {tuple(array.shape)}, expected {want} {shape} "
            "for the image its parameters describe"
        )
    return array
