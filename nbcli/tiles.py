"""Exact tiles: any rectangle of a scene's image, pixel for pixel the whole render's.

``render_tile`` slices the start points from the whole image's grid (bounds
recomputed for the tile would differ in the last bits), computes one sample of
overlap above and to the left for basin borders, and draws root markers from
the whole image's geometry (``nbcli.pipeline.render_tile`` does the work). So
an image can be rendered in tiles anywhere and put together exactly: this is
what ``nbcli.scale`` runs on Dask workers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._native import Progress, check_kernel
from .api import Render, _prepare, job, warn_precision
from .checks import as_int, byte_count, callback, flag, thread_count
from .pipeline import ALL_DATA, NO_DATA, ShareCounter, check_memory, check_source, work_bytes_per_pixel
from .pipeline import render_tile as _render_tile
from .scene import Scene
from .style import Style

__all__ = ["render_tile"]


def _span(value: Any, name: str, size: int) -> tuple[int, int]:
    """(first, end) of a tile's ``rows`` or ``cols``: integers with 0 <= first < end <= size."""
    try:
        first, end = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (first, end), e.g. {name}=(0, 256); got {value!r}") from None
    first = as_int(first, f"{name}[0]", 0, size - 1)
    end = as_int(end, f"{name}[1]", first + 1, size)
    return first, end


def render_tile(
    scene: Scene,
    style: Style | None = None,
    *,
    rows: tuple[int, int],
    cols: tuple[int, int],
    threads: int | None = None,
    kernel: str | None = None,
    keep_data: bool = True,
    progress: Progress | None = None,
    max_memory: int | None = None,
    roots: np.ndarray | None = None,
    source: dict[str, Any] | None = None,
) -> Render:
    """Render the pixels ``rows=(r0, r1)`` x ``cols=(c0, c1)`` of ``scene``'s image.

    The result's pixels (and per-sample data) are identical to the same pixels of
    ``render(scene, style)``: start points are sliced from the whole image's grid,
    basin borders see the neighbouring samples (one sample of overlap) and root
    markers are drawn from the whole image's geometry. So an image can be rendered
    in tiles anywhere (``nbcli.to_dask``) and put together exactly.
    ``roots``: the scene's canonical roots if already known (they are computed
    otherwise). ``source``: saved per-sample data of the whole image to colour
    instead of computing (arrays, or Zarr arrays: only the tile is read). Other
    arguments as for ``render``.
    """
    scene, style = _prepare(scene, style, {})
    rows = _span(rows, "rows", scene.height)
    cols = _span(cols, "cols", scene.width)
    nthreads, kname = thread_count(threads), check_kernel(kernel)
    keep_data, progress, max_memory = flag(keep_data, "keep_data"), callback(progress), byte_count(max_memory)
    source = check_source(source, scene.samples)
    if source is None:
        warn_precision(scene, kname)
    roots = scene.canonical_roots() if roots is None else np.asarray(roots, dtype=np.complex128)
    work = job(scene, style, roots)
    a = scene.aa
    px = (rows[1] - rows[0]) * (cols[1] - cols[0])
    need = px * 3 * style.depth // 8 + px * work_bytes_per_pixel(work, ALL_DATA if keep_data else NO_DATA)
    check_memory(need, max_memory, f"rendering a {cols[1] - cols[0]}x{rows[1] - rows[0]} tile")
    stats: dict[str, Any] = {}
    data = ALL_DATA if keep_data else NO_DATA
    band = _render_tile(
        work,
        rows,
        cols,
        threads=nthreads,
        kernel=kname,
        data=data,
        progress=progress,
        source=source,
        stats=stats,
    )
    result = Render(scene=scene, style=style, roots=roots, rgb=band.rgb, stats=stats, rows=rows, cols=cols)
    if keep_data and band.data is not None:
        result.root, result.iterations = band.data["root"], band.data["iterations"]
        result.smooth, result.residual = band.data.get("smooth"), band.data.get("residual")
        counter = ShareCounter(len(roots))
        counter.add(result.root, result.iterations)
        stats.update(counter.result())
    stats.update(pixels=px, samples=px * a * a, method=scene.method, precision=scene.precision_used)
    return result
