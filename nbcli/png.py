"""Writing PNG files through Pillow: atomically, with text metadata."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import threading
from typing import IO, Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]

_OUTMODES_LOCK = threading.Lock()  # guards the temporary entry in Pillow's PNG mode table


def check_writable(path: PathLike) -> None:
    """Fail early, before a long render, if ``path`` cannot be written."""
    if str(path) == "-":
        return
    p = os.fspath(path)
    if not p or not os.path.basename(p):
        raise ValueError(f"output {p!r} has no file name; give one such as out.png")
    if os.path.isdir(p):
        raise OSError(f"{p} is a directory; give a file name such as {os.path.join(p, 'out.png')}")
    d = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(d):
        raise OSError(f"directory {d} does not exist")
    if not os.access(d, os.W_OK | os.X_OK):
        raise OSError(f"cannot write to directory {d} (permission denied)")
    if os.path.exists(p) and not os.access(p, os.W_OK):
        raise OSError(f"{p} exists and is not writable")


def encode_png(rgb: np.ndarray, text: dict[str, str], compress_level: int = 1) -> bytes:
    buf = io.BytesIO()
    _save(rgb, text, buf, compress_level)
    return buf.getvalue()


def _save(rgb: np.ndarray, text: dict[str, str], fp: IO[bytes], compress_level: int) -> None:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for k, v in text.items():
        info.add_text(k, v)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (height, width, 3) image, got shape {rgb.shape}")
    h, w = rgb.shape[:2]
    base = rgb.base
    if (
        isinstance(base, np.ndarray)
        and base.dtype == np.uint8
        and base.shape == (h, w, 4)
        and base.flags.c_contiguous
        and rgb.strides == base.strides
        and rgb.__array_interface__["data"][0] == base.__array_interface__["data"][0]
    ):
        # The RGB view of an RGBX buffer (what nbcli.render makes): Pillow maps
        # that memory as it is, so a huge image is not copied again. Its PNG
        # writer packs RGBX rows as RGB once told the mode is written like RGB.
        img = Image.frombuffer("RGB", (w, h), base, "raw", "RGBX", 0, 1)
        outmodes = getattr(PngImagePlugin, "_OUTMODES", None)
        if img.mode == "RGBX" and isinstance(outmodes, dict) and "RGB" in outmodes:
            with _OUTMODES_LOCK:
                added = "RGBX" not in outmodes
                if added:
                    outmodes["RGBX"] = outmodes["RGB"]
                try:
                    img.save(fp, format="PNG", pnginfo=info, compress_level=compress_level)
                finally:
                    if added:
                        del outmodes["RGBX"]
            return
        img = img.convert("RGB")
    else:
        img = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    img.save(fp, format="PNG", pnginfo=info, compress_level=compress_level)


def write_png(path: PathLike, rgb: np.ndarray, text: dict[str, str], compress_level: int = 1) -> None:
    """Write ``rgb`` to ``path`` ('-' for standard output).

    The file is written under a temporary name in the same directory and
    renamed into place, so an existing file is replaced whole or not at all.
    """
    if str(path) == "-":
        _save(rgb, text, sys.stdout.buffer, compress_level)
        sys.stdout.buffer.flush()
        return
    check_writable(path)
    p = os.fspath(path)
    d = os.path.dirname(os.path.abspath(p))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(p) + ".", suffix=".part", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            _save(rgb, text, f, compress_level)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
