"""Beyond one machine: a scene as lazy Dask arrays (``to_dask``), Zarr stores written by the
workers of a Dask cluster, and the bands of an image rendered on the cluster and written,
in order, by the client.

Every piece of work is a tile (``nbcli.render_tile``), so the pixels are those of a
local render whatever the chunks. The workers get task specs and run the tasks of
``nbcli.tasks`` (never pickled user code); ``nbcli.cluster`` connects and reports the
cluster's failures. Dask is imported only when used; without it a one-line error names
the extra, ``pip install 'nb-render[dask]'``.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .api import Render, warn_precision
from .api import _summary as summary
from .cluster import cancel, connect, gather, require_dask, result
from .errors import ClusterError, ParameterError
from .imagefile import write_bands
from .images import output_format
from .outfile import PathLike, check_writable, same_file
from .params import parameters
from .pipeline import Band, ShareCounter
from .precision import PrecisionWarning
from .scene import Scene
from .stores import ZARR_FIELDS, chunk_shape
from .style import Style
from .tasks import band_task, frame_task, task_spec, tile_arrays, write_tile
from .zarrfile import FIELDS, ZarrLayout, atomic_store, require_zarr

__all__ = [
    "BandStream",
    "DaskRender",
    "connect",
    "frames_on",
    "render_to_file_on",
    "render_to_zarr_on",
    "to_dask",
]

Progress = Callable[[int, int], None]


# ---- lazy arrays ------------------------------------------------------------------------


class DaskRender:
    """A scene as lazy Dask arrays, one task per chunk (``nbcli.to_dask``).

    ``rgb`` (height, width, 3) and, if asked for, the per-sample ``root``,
    ``iterations``, ``smooth``, ``residual`` (height*aa, width*aa), by attribute or
    as ``arrays[name]``. ``compute()`` gives a ``Render``; ``to_zarr(path)``
    renders into a Zarr store with the workers writing their chunks.
    """

    def __init__(
        self, scene: Scene, style: Style, fields: Sequence[str], chunks: Any, threads: int, kernel: str | None
    ) -> None:
        dask = require_dask()
        import dask.array as da

        self.scene, self.style = scene, style
        self.roots = scene.canonical_roots()
        self.layout = ZarrLayout(
            scene.width, scene.height, scene.aa, style.depth, fields, chunk_shape(chunks)
        )
        self.fields = self.layout.fields
        self.spec = task_spec(scene, style, self.roots, threads=threads, kernel=kernel)
        tiles = list(self.layout.tiles())
        nr = len({rows for rows, _ in tiles})
        task = dask.delayed(tile_arrays, pure=True)
        delayed = [task(self.spec, rows, cols, self.fields) for rows, cols in tiles]
        self.arrays: dict[str, Any] = {}
        for f in self.fields:
            shapes = [self._block_shape(f, rows, cols) for rows, cols in tiles]
            dtype = self.layout.dtype(f)
            from_delayed: Any = da.from_delayed
            blocks = [
                from_delayed(d[f], shape, dtype=dtype) for d, shape in zip(delayed, shapes, strict=True)
            ]
            ncols = len(blocks) // nr
            grid: list[Any] = [blocks[i * ncols : (i + 1) * ncols] for i in range(nr)]
            if f == "rgb":  # da.block joins the innermost lists along the last axis: the channels'
                grid = [[[b] for b in row] for row in grid]
            join: Any = da.block
            self.arrays[f] = join(grid)

    def _block_shape(self, f: str, rows: tuple[int, int], cols: tuple[int, int]) -> tuple[int, ...]:
        h, w = rows[1] - rows[0], cols[1] - cols[0]
        return (h, w, 3) if f == "rgb" else (h * self.scene.aa, w * self.scene.aa)

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            try:
                return self.__dict__["arrays"][name]
            except KeyError:
                raise AttributeError(
                    f"{name!r} was not asked for: to_dask(..., fields=(..., {name!r}))"
                ) from None
        raise AttributeError(name)

    def __repr__(self) -> str:
        return (
            f"DaskRender({self.scene.polynomial}, {self.scene.width}x{self.scene.height}, "
            f"fields={list(self.fields)}, chunks={self.layout.chunk})"
        )

    def compute(self, **kwargs: Any) -> Render:
        """Render every chunk (with the current Dask scheduler) into one ``Render``."""
        dask = require_dask()
        values = dask.compute(*self.arrays.values(), **kwargs)
        got = dict(zip(self.arrays, values, strict=True))
        return Render(
            scene=self.scene,
            style=self.style,
            roots=self.roots,
            rgb=got.get("rgb"),  # type: ignore[arg-type]
            root=got.get("root"),
            iterations=got.get("iterations"),
            smooth=got.get("smooth"),
            residual=got.get("residual"),
        )

    def to_zarr(
        self, path: PathLike, *, stats: bool = False, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Render into a Zarr v3 store at ``path`` (a folder on a file system the workers share),
        written by whoever computes the chunks: the workers of the current ``distributed``
        client if there is one, else threads here. Atomic: the store appears when complete.
        Returns statistics like ``render_to_png``."""
        distributed = _distributed_or_none()
        client = None
        if distributed is not None:
            try:
                client = distributed.get_client()
            except ValueError:
                client = None
        return _render_to_zarr(self, path, client, stats=stats, progress=progress)


def _distributed_or_none() -> ModuleType | None:
    try:
        import distributed
    except ImportError:
        return None
    return distributed


def to_dask(
    scene: Scene,
    style: Style | None = None,
    *,
    chunks: int | tuple[int, int] = 1024,
    fields: Sequence[str] | str = ("rgb",),
    threads: int = 1,
    kernel: str | None = None,
) -> DaskRender:
    """``scene`` as lazy Dask arrays whose chunks are rendered by ``render_tile`` (exactly the
    pixels of a local render).

    ``chunks``: pixels per chunk side, or (rows, cols). ``fields``: ``rgb`` and any of
    the per-sample ``root``, ``iterations``, ``smooth``, ``residual``. ``threads``: kernel
    threads per task (Dask runs one task per worker thread, so 1 uses every core of
    a worker with as many threads as cores). Needs ``pip install 'nb-render[dask]'``.
    """
    if not isinstance(scene, Scene):
        raise TypeError("scene must be a Scene (nbcli.Scene.create(...))")
    style = (style if style is not None else Style()).validate()
    if isinstance(fields, str):
        fields = (fields,)
    warn_precision(scene, kernel)
    return DaskRender(scene, style, tuple(fields), chunks, threads, kernel)


# ---- on a cluster -----------------------------------------------------------------------


def _merge(info: dict[str, Any], counts: dict[str, Any], counter: ShareCounter | None) -> None:
    for k in ("iterations", "pixels_computed"):
        info[k] = info.get(k, 0) + counts.get(k, 0)
    info["kernel"], info["threads"] = counts.get("kernel"), counts.get("threads")
    if counter is not None and counts.get("shares") is not None:
        counter.merge(counts["shares"])


def _summary(
    scene: Scene, roots: np.ndarray, info: dict[str, Any], t0: float, counter: ShareCounter | None
) -> dict[str, Any]:
    info.update(summary(scene, roots), seconds=time.perf_counter() - t0)
    if counter is not None:
        info.update(counter.result())
    return info


def _render_to_zarr(
    lazy: DaskRender, path: PathLike, client: Any, *, stats: bool, progress: Progress | None
) -> dict[str, Any]:
    t0 = time.perf_counter()
    scene, layout = lazy.scene, lazy.layout
    counter = ShareCounter(len(lazy.roots)) if stats else None
    info: dict[str, Any] = {}
    tiles = list(layout.tiles())
    total = scene.samples[0] * scene.samples[1]
    a2 = scene.aa * scene.aa
    with atomic_store(path) as tmp:
        layout.create(tmp, parameters(scene, lazy.style, lazy.roots))
        if client is None:
            dask = require_dask()
            task = dask.delayed(write_tile, pure=False)
            results = dask.compute(*[task(lazy.spec, r, c, layout.fields, tmp, stats) for r, c in tiles])
            for counts in results:
                _merge(info, counts, counter)
        else:
            futures = [
                client.submit(write_tile, lazy.spec, r, c, layout.fields, tmp, stats, pure=False)
                for r, c in tiles
            ]
            where = {f.key: (r, c) for f, (r, c) in zip(futures, tiles, strict=True)}
            done = 0
            for fut, counts in gather(client, futures):
                _merge(info, counts, counter)
                (r0, r1), (c0, c1) = where[fut.key]
                done += (r1 - r0) * (c1 - c0) * a2
                if progress is not None:
                    progress(done, total)
        _check_complete(tmp, layout, path)
    return _summary(scene, lazy.roots, info, t0, counter)


def _check_complete(tmp: str, layout: ZarrLayout, path: PathLike) -> None:
    """Every chunk is in the store (workers that wrote to a folder the client cannot see
    would leave it empty)."""
    zarr = require_zarr()
    group = zarr.open_group(store=tmp, mode="r")
    for f in layout.fields:
        arr = group[f]
        if arr.nchunks_initialized != arr.nchunks:
            raise ClusterError(
                f"the workers' chunks of {os.fspath(path)} are missing here: write it to a file system "
                "that the client and every worker share"
            )


def render_to_zarr_on(
    client: Any,
    path: PathLike,
    scene: Scene,
    style: Style,
    *,
    fields: Sequence[str] = ZARR_FIELDS,
    chunks: int | tuple[int, int] = 1024,
    threads: int = 1,
    kernel: str | None = None,
    progress: Progress | None = None,
    stats: bool = False,
) -> dict[str, Any]:
    """Render into a Zarr store at ``path`` on the cluster of ``client``: the workers write it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)  # the caller has warned
        lazy = to_dask(scene, style, chunks=chunks, fields=fields, threads=threads, kernel=kernel)
    return _render_to_zarr(lazy, path, client, stats=stats, progress=progress)


def band_height(scene: Scene, workers: int) -> int:
    """Rows per band on a cluster: about 4 bands per worker thread, at most ~4M samples a band."""
    per_row = scene.samples[0] * scene.aa
    by_work = -(-scene.height // max(1, 4 * workers))
    return max(1, min(by_work, (1 << 22) // max(1, per_row)))


class BandStream:
    """The bands of one image rendered on the cluster of ``client``: submitted ahead
    (``submit``; a batch submits the next images' first bands while one is written) and
    collected in order (``collect``)."""

    def __init__(
        self,
        client: Any,
        scene: Scene,
        style: Style,
        *,
        threads: int = 1,
        kernel: str | None = None,
        data: bool = False,
        shares: bool = False,
        band_rows: int | None = None,
    ) -> None:
        self.client, self.scene, self.data, self.shares = client, scene, data, shares
        self.roots = scene.canonical_roots()
        self.spec = task_spec(scene, style, self.roots, threads=threads, kernel=kernel)
        nthreads = sum(client.nthreads().values()) or 1
        step = band_rows or band_height(scene, nthreads)
        self.bands = [(r, min(r + step, scene.height)) for r in range(0, scene.height, step)]
        self.window = 2 * nthreads + 2  # bands in flight or waiting: memory stays bounded
        self.futures: list[Any] = []
        self.taken = 0  # bands collected so far

    @property
    def pending(self) -> int:
        """Bands submitted and not collected yet."""
        return len(self.futures) - self.taken

    def submit(self, upto: int) -> None:
        """Have the first ``upto`` bands submitted."""
        while len(self.futures) < min(upto, len(self.bands)):
            rows = self.bands[len(self.futures)]
            self.futures.append(
                self.client.submit(band_task, self.spec, rows, self.data, self.shares, pure=False)
            )

    def cancel(self) -> None:
        cancel(self.client, [f for f in self.futures if f is not None])

    def collect(self, info: dict[str, Any], progress: Progress | None) -> Iterator[Band]:
        """The bands in order, as they arrive; the cluster's counts go into ``info``."""
        scene = self.scene
        total, width = scene.samples[0] * scene.samples[1], scene.samples[0]
        done = 0
        try:
            for i, (r0, r1) in enumerate(self.bands):
                self.submit(i + self.window)
                band, counts = result(self.futures[i])
                self.futures[i] = None  # release it: the band is written now
                self.taken = i + 1
                _merge(info, counts, None)
                done += (r1 - r0) * scene.aa * width
                if progress is not None:
                    progress(done, total)
                yield band
        except BaseException:
            self.cancel()
            raise


def render_to_file_on(
    client: Any,
    path: PathLike,
    scene: Scene,
    style: Style,
    *,
    format: str | None = None,
    quality: int | None = None,
    lossless: bool = False,
    threads: int = 1,
    kernel: str | None = None,
    progress: Progress | None = None,
    save_data: PathLike | None = None,
    stats: bool = False,
    band_rows: int | None = None,
    write_threads: int | None = None,
    stream: BandStream | None = None,
) -> dict[str, Any]:
    """Render bands of rows on the cluster of ``client`` and write them here as one image
    (``format`` as for ``render_to_file``). A PNG is streamed, in order, with at most a few
    bands per worker thread in flight or waiting, so memory stays bounded; other formats
    are put together here and encoded by Pillow. ``stream``: the image's bands if already
    submitted (made with the same scene, style and options). Returns statistics like
    ``render_to_file``."""
    fmt = output_format(path, format)
    fmt.check_options(quality=quality, lossless=lossless, depth=style.depth)
    fmt.check_size(scene.width, scene.height)
    check_writable(path)
    if save_data is not None:
        check_writable(save_data)
        if same_file(path, save_data):
            raise ParameterError(f"the image and the data would be the same file ({os.fspath(path)})")
    t0 = time.perf_counter()
    if stream is None:
        stream = BandStream(
            client,
            scene,
            style,
            threads=threads,
            kernel=kernel,
            data=save_data is not None,
            shares=stats,
            band_rows=band_rows,
        )
    counter = ShareCounter(len(stream.roots)) if stats else None
    info: dict[str, Any] = {}
    from .checks import thread_count

    try:
        write_bands(
            path,
            fmt,
            scene,
            style,
            stream.roots,
            stream.collect(info, progress),
            threads=thread_count(write_threads),
            counter=counter,
            save_data=save_data,
            quality=quality,
            lossless=lossless,
        )
    except BaseException:
        stream.cancel()  # e.g. the file could not be written before any band was collected
        raise
    return _summary(scene, stream.roots, info, t0, counter)


def frames_on(
    client: Any, *, threads: int = 1, kernel: str | None = None
) -> Callable[[list[tuple[Scene, Style]]], Iterator[np.ndarray]]:
    """What renders an animation's frames on the cluster of ``client`` (``Animation.save``'s
    ``render_frames``): one task per frame, their pixels yielded in order, with at most two
    frames per worker thread (plus two) in flight or waiting."""

    def render_frames(frames: list[tuple[Scene, Style]]) -> Iterator[np.ndarray]:
        window = 2 * (sum(client.nthreads().values()) or 1) + 2
        futures: list[Any] = []
        try:
            for i in range(len(frames)):
                while len(futures) < len(frames) and len(futures) < i + window:
                    scene, style = frames[len(futures)]
                    spec = task_spec(scene, style, scene.canonical_roots(), threads=threads, kernel=kernel)
                    futures.append(client.submit(frame_task, spec, pure=False))
                rgb = result(futures[i])
                futures[i] = None  # released: the frame is written now
                yield rgb
        except BaseException:
            cancel(client, [f for f in futures if f is not None])
            raise

    return render_frames
