"""Per-pixel data files (.npz): save a render's data, load it back to recolour it.

The file is an ordinary NumPy .npz archive with arrays ``root`` (int16),
``iterations`` (int32), ``smooth`` (float32), ``residual`` (float32), all of
shape (height*aa, width*aa), and ``parameters``, a JSON string with the scene
and style that made it. It opens with ``numpy.load(path)`` (no pickles).

Loading treats the file as untrusted: every array's header is checked against
the parameters (shape, dtype) before any data is read, nothing is unpickled,
and the values are range-checked.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .colors import Style

if TYPE_CHECKING:
    from .api import Scene

PathLike = Union[str, "os.PathLike[str]"]
FIELDS = {"root": np.int16, "iterations": np.int32, "smooth": np.float32, "residual": np.float32}
MAX_PARAMS = 1 << 20  # bytes of JSON


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
    """Write the data atomically (temporary file, then rename)."""
    from .api import parameters
    from .png import atomic_output

    if str(path) == "-":
        raise ValueError("per-pixel data cannot go to standard output; give a file name ending in .npz")
    params = json.dumps(parameters(scene, style, roots), separators=(",", ":"))
    with atomic_output(path) as f:
        np.savez_compressed(
            f, root=root, iterations=iterations, smooth=smooth, residual=residual, parameters=np.array(params)
        )


def _header(zf: zipfile.ZipFile, name: str, p: str) -> tuple[tuple[int, ...], np.dtype[Any], bool]:
    try:
        with zf.open(name + ".npy") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"{p}: unsupported .npy version {version} in {name}")
    except KeyError:
        raise ValueError(
            f"{p} has no {name!r} array; is it a data file written by nb-render --save-data?"
        ) from None
    return shape, dtype, fortran


def load_npz(path: PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(parameters, arrays) from a file written by ``save_npz`` / ``--save-data``.

    Raises ValueError with a one-line reason if the file is not such a file,
    is corrupt or inconsistent.
    """
    p = os.fspath(path)
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise ValueError(f"{p} is not an .npz data file (not a zip archive)") from None
    except OSError as e:
        raise OSError(f"{p}: {e.strerror or e}") from None
    with zf:
        try:
            shape, dtype, _ = _header(zf, "parameters", p)
            if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * MAX_PARAMS:
                raise ValueError(f"{p}: 'parameters' must be a JSON string")
            with zf.open("parameters.npy") as f:
                text = str(np.lib.format.read_array(f, allow_pickle=False))
            params, scene, _style = _parameters_from_json(text, p)
            sw, sh = scene.samples
            arrays: dict[str, np.ndarray] = {}
            for name, want in FIELDS.items():
                shape, dtype, _fortran = _header(zf, name, p)
                if tuple(shape) != (sh, sw) or dtype != np.dtype(want):
                    raise ValueError(
                        f"{p}: array {name!r} is {dtype} {tuple(shape)}, expected {np.dtype(want)} {(sh, sw)} "
                        "for the image its parameters describe"
                    )
                with zf.open(name + ".npy") as f:
                    arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as e:
            raise ValueError(f"{p} is corrupt or truncated ({type(e).__name__})") from None
    nroots = len(scene.canonical_roots())
    root, it = arrays["root"], arrays["iterations"]
    if root.size and (int(root.min()) < -1 or int(root.max()) >= nroots):
        raise ValueError(f"{p}: root indices out of range for {nroots} roots")
    if it.size and (int(it.min()) < 0 or int(it.max()) > scene.itmax):
        raise ValueError(f"{p}: iteration counts out of range 0..{scene.itmax}")
    sm = arrays["smooth"]
    if sm.size and not (np.isfinite(sm).all() and float(sm.min()) >= 0 and float(sm.max()) <= scene.itmax):
        raise ValueError(f"{p}: smooth iteration counts out of range 0..{scene.itmax}")
    return params, arrays


def parse_parameters(params: Any, where: str) -> tuple[Scene, Style]:
    """Scene and Style from the parameters nb-render stores in its PNG and .npz files."""
    from .api import Scene

    if not isinstance(params, dict):
        raise ValueError(f"{where}: its parameters are not a JSON object")  # noqa: TRY004 (untrusted file data)
    try:
        return Scene.from_dict(params), Style.from_dict(params.get("style", {}))
    except (ValueError, TypeError) as e:
        raise ValueError(f"{where}: invalid parameters: {e}") from None


def read_parameters(path: PathLike) -> dict[str, Any]:
    """The parameters stored in a PNG written by nb-render (untrusted input)."""
    from .png import read_png_text

    p = os.fspath(path)
    text = read_png_text(p).get("nb-render")
    if text is None:
        raise ValueError(f"{p} has no nb-render parameters (was it made by nb-render?)")
    return _parameters_from_json(text, p)[0]


def _parameters_from_json(text: str, where: str) -> tuple[dict[str, Any], Scene, Style]:
    """Parse and validate stored parameters (JSON without NaN or Infinity)."""
    try:
        params = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise ValueError(f"{where}: its nb-render parameters are not valid JSON") from None
    scene, style = parse_parameters(params, where)
    return params, scene, style


def _no_constants(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")
