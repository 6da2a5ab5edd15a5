"""Parameters: the record of how an image was made, written into every file and read back.

One record (JSON) serves every format: the scene's and the style's fields
(``Scene.to_dict``, ``Style.to_dict``), the canonical roots and the version.
PNG files carry it as a text chunk, the other image formats where they can
hold text (``nbcli.images``), .npz data files as their ``parameters``
string. Reading treats files as untrusted: JSON without NaN or Infinity,
every field type-checked and bounded, arrays checked against the record
before they are read, values range-checked.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._native import SAMPLE_DATA_BYTES
from ._version import __version__
from .compression import Deflate
from .errors import InputFileError, ParameterError
from .images import MAX_RECORD, RECORD_KEY, read_record, sniff
from .infile import open_regular
from .npz import FIELDS, MAX_PARAMS, NpzReader, write_npz
from .outfile import PathLike
from .pipeline import check_memory
from .png import MAX_TEXT, read_png_text
from .poly import format_number
from .scene import Scene, pairs
from .style import Style
from .zarrfile import CheckedArray, is_zarr_path, open_for_reading, stored_array

__all__ = [
    "Source",
    "load_npz",
    "load_source",
    "load_zarr",
    "parameters",
    "parse_parameters",
    "png_compression",
    "png_text",
    "read_parameters",
    "save_npz",
    "title",
]

PNG_KEY = RECORD_KEY  # the text chunk that holds the record
FROM_WHAT = "file nb-render wrote (an image, a --save-data .npz or a .zarr store)"

_METHOD_TITLES = {
    "newton": "Newton",
    "halley": "Halley",
    "schroder": "Schröder",
    "householder": "Householder",
}


def parameters(
    scene: Scene,
    style: Style,
    roots: np.ndarray,
    png: Deflate | None = None,
    tile: dict[str, list[int]] | None = None,
) -> dict[str, Any]:
    """Everything needed to make an image again, as JSON-ready values; ``png``: how a PNG's
    pixels were compressed (the same bytes again need the same compressor); ``tile``: for a
    part of the scene's image, its ``rows`` and ``cols``."""
    record: dict[str, Any] = {
        "version": __version__,
        **scene.to_dict(),
        "style": style.to_dict(),
        "roots_canonical": pairs(roots),
    }
    if png is not None:
        record["png"] = png.to_dict()
    if tile is not None:
        record["tile"] = tile
    return record


def _json(record: dict[str, Any]) -> str:
    """The record as JSON text; ParameterError if it would be longer than the readers accept, so
    that every file nb-render writes can be read back by --from."""
    text = json.dumps(record, separators=(",", ":"))
    if len(text) > min(MAX_TEXT, MAX_RECORD, MAX_PARAMS):
        raise ParameterError(
            f"the parameters of this render would take {len(text)} bytes, more than --from reads back; "
            "use a shorter palette"
        )
    return text


def title(scene: Scene) -> str:
    """A title for the image: the method and the polynomial, e.g. 'Halley basins of z^3 - 1'."""
    if scene.method == "relaxed":
        a = scene.relax
        return f"Relaxed Newton (a = {format_number(a).strip('()')}) basins of {scene.polynomial}"
    return f"{_METHOD_TITLES.get(scene.method, scene.method)} basins of {scene.polynomial}"


def png_text(
    scene: Scene,
    style: Style,
    roots: np.ndarray,
    png: Deflate | None = None,
    tile: dict[str, list[int]] | None = None,
) -> dict[str, str]:
    """Text entries that document how the image was made: ``Software``, ``Title`` and the record
    (PNG text chunks, with ``png`` the PNG's compression; the other formats keep what they can,
    see ``nbcli.images``)."""
    return {
        "Software": f"nb-render {__version__}",
        "Title": title(scene),
        PNG_KEY: _json(parameters(scene, style, roots, png, tile)),
    }


def png_compression(params: dict[str, Any]) -> Deflate | None:
    """The PNG compression a record names, if it names one this installation can use (the
    record is untrusted: anything else gives None)."""
    try:
        deflate = Deflate.from_dict(params["png"])
    except (KeyError, ValueError):
        return None
    return deflate if deflate.available() else None


def save_npz(
    path: PathLike,
    scene: Scene,
    style: Style,
    roots: np.ndarray,
    root: np.ndarray,
    iterations: np.ndarray,
    smooth: np.ndarray,
    residual: np.ndarray,
) -> None:
    """Write the per-sample data with the parameters, atomically (see ``nbcli.npz``)."""
    arrays = {"root": root, "iterations": iterations, "smooth": smooth, "residual": residual}
    write_npz(path, _json(parameters(scene, style, roots)), arrays)


def parse_parameters(params: Any, where: str) -> tuple[Scene, Style]:
    """Scene and Style from the parameters nb-render stores in its PNG and .npz files."""
    if not isinstance(params, dict):
        raise InputFileError(f"{where}: its parameters are not a JSON object")
    try:
        return Scene.from_dict(params), Style.from_dict(params.get("style", {}))
    except (ValueError, TypeError) as e:
        raise InputFileError(f"{where}: invalid parameters: {e}") from None


def _from_json(text: str, where: str) -> tuple[dict[str, Any], Scene, Style]:
    """Parse and validate stored parameters (JSON without NaN or Infinity)."""
    try:
        params = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise InputFileError(f"{where}: its nb-render parameters are not valid JSON") from None
    scene, style = parse_parameters(params, where)
    return params, scene, style


def _no_constants(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def read_parameters(path: PathLike) -> dict[str, Any]:
    """The parameters stored in an image written by nb-render: PNG, or any other format that can
    hold them (untrusted input)."""
    p = os.fspath(path)
    fmt = sniff(_head(p))
    if fmt is None:
        raise InputFileError(
            f"{p} is not an image nb-render can read parameters from (PNG, JPEG, WebP, TIFF, GIF or AVIF)"
        )
    text = read_png_text(p).get(PNG_KEY) if fmt.name == "png" else read_record(p, fmt)
    if text is None:
        raise InputFileError(f"{p} has no nb-render parameters (was it made by nb-render?)")
    return _from_json(text, p)[0]


def _head(p: str) -> bytes:
    """The first bytes of a regular file; InputFileError (exit code 2) if there is no such file,
    or if it is a directory, a named pipe, a device (see ``nbcli.infile``)."""
    with open_regular(p, FROM_WHAT) as f:
        return f.read(16)


def load_npz(path: PathLike, max_memory: int | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(parameters, arrays) from a file written by ``save_npz`` / ``--save-data``.

    Raises InputFileError (a ValueError) with a one-line reason if the file is
    not such a file, is corrupt or inconsistent, and NotEnoughMemory (a MemoryError)
    if its arrays would not fit in the memory available (or ``max_memory``): that is
    checked from the parameters before any array is read.
    """
    with NpzReader(path) as f:
        params, scene, _style = _from_json(f.parameters(), f.path)
        sw, sh = scene.samples
        check_memory(
            sw * sh * SAMPLE_DATA_BYTES,
            max_memory,
            f"reading the per-pixel data in {f.path} ({sw}x{sh} samples)",
            "recolour a smaller render",
        )
        arrays = {name: f.array(name, (sh, sw)) for name in FIELDS}
    _check_ranges(f.path, scene, arrays)
    return params, arrays


def _check_ranges(p: str, scene: Scene, arrays: dict[str, np.ndarray]) -> None:
    nroots = len(scene.canonical_roots())
    root, it = arrays["root"], arrays["iterations"]
    if root.size and (int(root.min()) < -1 or int(root.max()) >= nroots):
        raise InputFileError(f"{p}: root indices out of range for {nroots} roots")
    if it.size and (int(it.min()) < 0 or int(it.max()) > scene.itmax):
        raise InputFileError(f"{p}: iteration counts out of range 0..{scene.itmax}")
    sm = arrays["smooth"]
    if sm.size and not (np.isfinite(sm).all() and float(sm.min()) >= 0 and float(sm.max()) <= scene.itmax):
        raise InputFileError(f"{p}: smooth iteration counts out of range 0..{scene.itmax}")


@dataclass(frozen=True)
class Source:
    """What a file given to ``--from`` holds: its parameters, and its data if it is an .npz."""

    params: dict[str, Any]
    scene: Scene
    style: Style
    arrays: dict[str, Any] | None  # arrays, or lazily read arrays of a Zarr store

    @property
    def version(self) -> Any:
        return self.params.get("version")


def load_zarr(path: PathLike) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(parameters, data) of a Zarr store written by nb-render (untrusted).

    The data are the store's ``root``, ``iterations`` and ``smooth`` arrays, read
    lazily and range-checked block by block as they are read, when it has all
    three (what recolouring needs), else None.
    """
    p = os.fspath(path)
    text, group = open_for_reading(p)
    params, scene, _style = _from_json(text, p)
    sw, sh = scene.samples
    found = {name: stored_array(group, name, (sh, sw), p) for name in ("root", "iterations", "smooth")}
    if any(v is None for v in found.values()):
        return params, None
    nroots = len(scene.canonical_roots())
    bounds = {"root": (-1, nroots - 1), "iterations": (0, scene.itmax), "smooth": (0, scene.itmax)}
    return params, {k: CheckedArray(v, k, p, *bounds[k]) for k, v in found.items()}


def load_source(path: str, max_memory: int | None = None) -> Source:
    """Read an image made by nb-render, a --save-data .npz file or a Zarr store (untrusted);
    ``max_memory``: the bytes the data of an .npz may take (default: the memory available)."""
    arrays: dict[str, Any] | None
    if os.path.isdir(path) and (is_zarr_path(path) or os.path.isfile(os.path.join(path, "zarr.json"))):
        params, arrays = load_zarr(path)
    elif _head(path)[:4] in (b"PK\x03\x04", b"PK\x05\x06") or path.lower().endswith(".npz"):
        params, arrays = load_npz(path, max_memory)
    else:
        params, arrays = read_parameters(path), None
    scene, style = parse_parameters(params, path)
    return Source(params, scene, style, arrays)
