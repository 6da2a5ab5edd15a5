"""What a Dask worker runs for nb-render: the task spec it receives, and the tasks.

A *task spec* is JSON text: the scene's and the style's parameters (the record
every file carries, with the palette resolved to its colours so workers need no
matplotlib), the canonical roots (so every worker numbers the roots alike), the
kernel threads and kernel, and the nb-render version (a worker with another
version refuses the task). A task is one of the functions here, which workers
import from their own installed nb-render, called with a spec, a tile's bounds
and, for Zarr, the store's path: no user code is ever pickled. Every task
renders a ``render_tile``, so its pixels are a local render's.
"""

from __future__ import annotations

import functools
import json
import warnings
from typing import Any

import numpy as np

from ._version import __version__
from .api import Render
from .checks import as_int
from .colors import root_colors
from .errors import ClusterError
from .pipeline import Band, ShareCounter
from .precision import PrecisionWarning
from .scene import Scene, pairs
from .style import Style
from .tiles import render_tile
from .zarrfile import write_block

__all__ = ["band_task", "frame_task", "task_spec", "tile_arrays", "write_tile"]


def task_spec(
    scene: Scene, style: Style, roots: np.ndarray, *, threads: int = 1, kernel: str | None = None
) -> str:
    """The JSON text a worker renders tiles from (see the module's docstring)."""
    colours = root_colors(style.palette, style.colors_for(len(roots))[1])  # every entry color_index may use
    resolved = Style.from_dict(
        {**style.to_dict(), "palette": ["#{:02x}{:02x}{:02x}".format(*(int(v) for v in c)) for c in colours]}
    )
    return json.dumps(
        {
            "version": __version__,
            "scene": scene.to_dict(),
            "style": resolved.to_dict(),
            "roots": pairs(roots),
            "threads": as_int(threads, "threads", 1, 1 << 16),
            "kernel": kernel or "",
        },
        separators=(",", ":"),
    )


@functools.lru_cache(maxsize=8)
def _setup(spec: str) -> tuple[Scene, Style, np.ndarray, int, str]:
    """A worker's reading of a task spec (remembered: every tile of a render has the same)."""
    d = json.loads(spec)
    if d.get("version") != __version__:
        raise ClusterError(
            f"a Dask worker has nb-render {__version__} but the client {d.get('version')}: "
            "install the same version everywhere"
        )
    roots = np.array([complex(re, im) for re, im in d["roots"]], dtype=np.complex128)
    return (
        Scene.from_dict(d["scene"]),
        Style.from_dict(d["style"]),
        roots,
        int(d["threads"]),
        str(d["kernel"]),
    )


def _tile(spec: str, rows: tuple[int, int], cols: tuple[int, int], keep_data: bool) -> Render:
    scene, style, roots, threads, kernel = _setup(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)  # the client has warned once
        return render_tile(
            scene,
            style,
            rows=rows,
            cols=cols,
            threads=threads,
            kernel=kernel or None,
            keep_data=keep_data,
            roots=roots,
        )


def tile_arrays(
    spec: str, rows: tuple[int, int], cols: tuple[int, int], fields: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Task: the arrays ``fields`` of one tile."""
    t = _tile(spec, rows, cols, any(f != "rgb" for f in fields))
    return {f: getattr(t, f) for f in fields}


def write_tile(
    spec: str, rows: tuple[int, int], cols: tuple[int, int], fields: tuple[str, ...], store: str, shares: bool
) -> dict[str, Any]:
    """Task: render one tile and write its arrays into the store at ``store``; return its counts."""
    t = _tile(spec, rows, cols, shares or any(f != "rgb" for f in fields))
    write_block(store, rows, cols, t.scene.aa, {f: getattr(t, f) for f in fields})
    return _counts(t, shares)


def band_task(spec: str, rows: tuple[int, int], data: bool, shares: bool) -> tuple[Band, dict[str, Any]]:
    """Task: a band of whole rows for a PNG the client writes."""
    scene = _setup(spec)[0]
    t = _tile(spec, rows, (0, scene.width), data or shares)
    arrays = {k: getattr(t, k) for k in ("root", "iterations", "smooth", "residual")} if data else None
    counts = _counts(t, shares)
    return Band(t.rgb, arrays, counts.pop("shares", None)), counts


def _counts(t: Render, shares: bool) -> dict[str, Any]:
    out: dict[str, Any] = {k: t.stats.get(k, 0) for k in ("iterations", "pixels_computed")}
    out["kernel"], out["threads"] = t.stats.get("kernel"), t.stats.get("threads")
    if shares and t.root is not None and t.iterations is not None:
        counter = ShareCounter(len(t.roots))
        counter.add(t.root, t.iterations)
        out["shares"] = counter
    return out


def frame_task(spec: str) -> np.ndarray:
    """Task: the whole image of one frame of an animation."""
    scene = _setup(spec)[0]
    return _tile(spec, (0, scene.height), (0, scene.width), False).rgb
