"""Per-sample data files (.npz): the file format, written atomically and read with care.

The file is an ordinary NumPy .npz archive with arrays ``root`` (int16),
``iterations`` (int32), ``smooth`` (float32), ``residual`` (float32), all of
shape (height*aa, width*aa), and ``parameters``, a JSON string with the scene
and style that made it. It opens with ``numpy.load(path)`` (no pickles).

Reading treats the file as untrusted: an array's header (shape, dtype) is
checked against what the caller expects before any of its data is read, and
nothing is unpickled. What the arrays must look like comes from the
parameters, which ``nbcli.params`` interprets.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from types import TracebackType
from typing import Any, Self

import numpy as np

from ._native import DATA_FIELDS
from .errors import InputFileError, ParameterError
from .infile import open_regular
from .outfile import PathLike, atomic_output

__all__ = ["FIELDS", "MAX_PARAMS", "NpzReader", "write_npz"]

FIELDS = DATA_FIELDS  # the per-sample arrays, by name, with their types
MAX_PARAMS = 1 << 20  # bytes of JSON
NPY_HEADER = 1 << 16  # bytes: the most a .npy header takes (NumPy's own limit is 10 000)


def write_npz(path: PathLike, parameters: str, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays and the parameters' JSON text atomically (temporary file, then rename)."""
    if str(path) == "-":
        raise ParameterError("per-pixel data cannot go to standard output; give a file name ending in .npz")
    with atomic_output(path) as f:
        payload: dict[str, Any] = {k: arrays[k] for k in FIELDS}
        np.savez_compressed(f, **payload, parameters=np.array(parameters))


class NpzReader:
    """An open data file: ``parameters()`` first, then ``array(name, shape)`` for each field.

    Every problem with the file raises InputFileError with a one-line reason
    (an OSError opening it is passed on, naming the file).
    """

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        self.file = open_regular(self.path, "--save-data .npz file")
        try:
            self.zf = zipfile.ZipFile(self.file)
        except zipfile.BadZipFile:
            self.file.close()
            raise InputFileError(f"{self.path} is not an .npz data file (not a zip archive)") from None
        except BaseException:
            self.file.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.zf.close()
        self.file.close()
        if isinstance(exc, (zipfile.BadZipFile, EOFError, OSError, zlib.error)) and not isinstance(
            exc, InputFileError
        ):
            raise InputFileError(f"{self.path} is corrupt or truncated ({type(exc).__name__})") from None

    def parameters(self) -> str:
        """The parameters' JSON text (not yet parsed)."""
        self._bounded("parameters", 4 * MAX_PARAMS)
        shape, dtype = self._header("parameters")
        if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * MAX_PARAMS:
            raise InputFileError(f"{self.path}: 'parameters' must be a JSON string")
        with self.zf.open("parameters.npy") as f:
            return str(np.lib.format.read_array(f, allow_pickle=False))

    def array(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        """Field ``name``, after checking that it has ``shape`` and the field's type."""
        want = FIELDS[name]
        self._bounded(name, shape[0] * shape[1] * want.itemsize)
        found, dtype = self._header(name)
        if tuple(found) != shape or dtype != want:
            raise InputFileError(
                f"{self.path}: array {name!r} is {dtype} {tuple(found)}, expected {want} {shape} "
                "for the image its parameters describe"
            )
        with self.zf.open(name + ".npy") as f:
            out: np.ndarray = np.lib.format.read_array(f, allow_pickle=False)
        return out

    def _bounded(self, name: str, data_bytes: int) -> None:
        """Refuse a member that would unpack to more than an array of ``data_bytes`` needs (a
        decompression bomb), before reading it: the zip directory says how large it unpacks, and
        reading never yields more than that."""
        try:
            size = self.zf.getinfo(name + ".npy").file_size
        except KeyError:
            return  # said by _header, with a hint
        if size > data_bytes + NPY_HEADER:
            raise InputFileError(
                f"{self.path}: its {name!r} unpacks to {size} bytes, more than the {data_bytes} bytes "
                "its parameters call for (a damaged or hostile file)"
            )

    def _header(self, name: str) -> tuple[tuple[int, ...], np.dtype[Any]]:
        try:
            with self.zf.open(name + ".npy") as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _fortran, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, _fortran, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise InputFileError(f"{self.path}: unsupported .npy version {version} in {name}")
        except KeyError:
            raise InputFileError(
                f"{self.path} has no {name!r} array; is it a data file written by nb-render --save-data?"
            ) from None
        return shape, dtype
