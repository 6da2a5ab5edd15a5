"""Zarr stores rendered on this machine: ``render_to_zarr``, through the same band pipeline as
an image file (bands of whole chunk rows, each chunk written once). The store's layout and
its atomic creation are ``nbcli.zarrfile``'s; on a Dask cluster, ``nbcli.scale`` has the
workers write it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ._native import Progress, check_kernel
from .api import _prepare, _summary, job, warn_precision
from .checks import as_int, byte_count, callback, flag, thread_count
from .images import FORMATS
from .outfile import PathLike
from .params import parameters
from .pipeline import ALL_DATA, NO_DATA, ROOTS, ShareCounter, check_source, render_bands, stream_rows
from .scene import Scene
from .style import Style
from .zarrfile import ZarrLayout, atomic_store, require_zarr, write_block

__all__ = ["ZARR_FIELDS", "chunk_shape", "render_to_zarr"]

ZARR_FIELDS = ("rgb", "root", "iterations", "smooth")  # a store's arrays by default: image and recolouring


def render_to_zarr(
    path: PathLike,
    scene: Scene | None = None,
    style: Style | None = None,
    *,
    fields: Sequence[str] = ZARR_FIELDS,
    chunks: int | tuple[int, int] = 1024,
    threads: int | None = None,
    kernel: str | None = None,
    progress: Progress | None = None,
    stats: bool = False,
    max_memory: int | None = None,
    source: dict[str, Any] | None = None,
    **scene_options: Any,
) -> dict[str, Any]:
    """Render into a Zarr v3 store (a folder, written atomically) on this machine, in bands.

    ``fields``: the arrays to store, ``rgb`` and any of the per-sample ``root``,
    ``iterations``, ``smooth``, ``residual`` (by default all but ``residual``:
    the image and what recolouring needs). ``chunks``: pixels per chunk side
    (or (rows, cols)). The scene's parameters go into the group's attributes,
    so ``nb-render --from store.zarr`` reads it back. Returns statistics like
    ``render_to_png``. On a Dask cluster, ``nbcli.to_dask(...).to_zarr`` has
    the workers write it.
    """
    scene, style = _prepare(scene, style, scene_options)
    nthreads, kname = thread_count(threads), check_kernel(kernel)
    stats, progress, max_memory = flag(stats, "stats"), callback(progress), byte_count(max_memory)
    source = check_source(source, scene.samples)
    layout = ZarrLayout(scene.width, scene.height, scene.aa, style.depth, fields, chunk_shape(chunks))
    require_zarr()
    if source is None:
        warn_precision(scene, kname)
    wants_data = any(f != "rgb" for f in layout.fields)
    data = ALL_DATA if wants_data else (ROOTS if stats else NO_DATA)
    t0 = time.perf_counter()
    roots = scene.canonical_roots()
    work = job(scene, style, roots)
    rows = stream_rows(work, data, None, max_memory, False, FORMATS["png"])
    ch = layout.chunk[0]
    rows = max(ch, rows // ch * ch)  # whole chunks: each is written once
    info: dict[str, Any] = {}
    counter = ShareCounter(len(roots)) if stats else None
    with atomic_store(path) as tmp:
        layout.create(tmp, parameters(scene, style, roots))
        r0 = 0
        for band in render_bands(
            work,
            threads=nthreads,
            kernel=kname,
            data=data,
            rows=rows,
            progress=progress,
            source=source,
            stats=info,
        ):
            r1 = r0 + band.rgb.shape[0]
            arrays = {"rgb": band.rgb, **(band.data or {})}
            write_block(tmp, (r0, r1), (0, scene.width), scene.aa, {f: arrays[f] for f in layout.fields})
            if counter is not None and band.data is not None:
                counter.add(band.data["root"], band.data["iterations"])
            r0 = r1
    info.update(_summary(scene, roots), seconds=time.perf_counter() - t0)
    if counter is not None:
        info.update(counter.result())
    return info


def chunk_shape(chunks: Any) -> tuple[int, int]:
    """(rows, cols) of pixels per chunk from an int (square) or a pair."""
    if isinstance(chunks, (tuple, list)) and len(chunks) == 2:
        return as_int(chunks[0], "chunks[0]", 1, 1 << 20), as_int(chunks[1], "chunks[1]", 1, 1 << 20)
    n = as_int(chunks, "chunks", 1, 1 << 20)
    return n, n
