"""The renderer's Python API: ``render`` (in memory), ``render_to_file`` (streamed), ``Render``.

A thin façade: it checks the arguments, turns a Scene and a Style into a
pipeline ``Job``, plans memory, and hands bands to the writers: PNG to
nb-render's streaming writer (``nbcli.png``), every other format to Pillow
(``nbcli.images``). The nb_cpp drop-in ``compute`` lives in ``nbcli.compat``.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._native import LIMITS, SAMPLE_DATA_BYTES, Progress, check_kernel, kernels, selected_kernel
from .checks import as_int, byte_count, callback, flag, thread_count
from .colors import Colouring, Marks
from .compression import Deflate
from .errors import ParameterError, shown
from .imagefile import png_deflate, write_bands
from .images import ImageFormat, MetadataWarning, output_format, write_image
from .outfile import as_path, atomic_output, check_writable, same_file
from .params import png_text, save_npz
from .pipeline import (
    ALL_DATA,
    NO_DATA,
    ROOTS,
    Job,
    ShareCounter,
    check_memory,
    check_source,
    render_bands,
    stream_rows,
)
from .pipeline import work_bytes_per_pixel as _work_bytes
from .png import encode_png, write_png
from .precision import PrecisionWarning
from .scene import Scene, pairs, precision_warnings, single_precision_warnings
from .style import Style

__all__ = [
    "MetadataWarning",
    "PrecisionWarning",
    "Render",
    "available_kernels",
    "png_deflate",
    "precision_warnings",
    "render",
    "render_to_file",
    "render_to_png",
    "selected_kernel",
    "single_precision_warnings",
]

PathLike = str | os.PathLike[str]


def available_kernels() -> list[dict[str, Any]]:
    """The kernels in this build: name, isa, lanes (doubles per vector), lanes_single
    (floats per vector, for precision="single"), fused, supported (by this CPU)."""
    return [vars(k).copy() for k in kernels()]


def warn_precision(scene: Scene, kernel: str | None, stacklevel: int = 3) -> None:
    """Issue ``precision_warnings`` as PrecisionWarnings."""
    for message in precision_warnings(scene, kernel=kernel):
        warnings.warn(message, PrecisionWarning, stacklevel=stacklevel)


def job(scene: Scene, style: Style, roots: np.ndarray) -> Job:
    """What the pipeline needs to render ``scene`` in ``style``: start points, iteration, colouring."""
    w, h = scene.width, scene.height
    marks = None
    if style.mark_roots:
        marks = Marks([scene.viewport.pixel_of(complex(z), w, h) for z in roots], w, h)
    color_index, ncolors = style.colors_for(len(roots))
    colouring = Colouring.create(
        palette=style.palette,
        shading=style.shading,
        nonconverged=style.nonconverged,
        boundary=style.boundary,
        depth=style.depth,
        nroots=len(roots),
        itmax=scene.itmax,
        aa=scene.aa,
        marks=marks,
        color_index=color_index,
        ncolors=ncolors,
    )
    xs, ys, lows = scene.start_points()
    if lows is None:
        return Job(scene.problem(roots), xs, ys, colouring)
    return Job(scene.problem(roots), xs, ys, colouring, *lows, scene.viewport.series(*scene.samples))


@dataclass(repr=False)
class Render:
    """The result of ``render``.

    ``rgb``: (height, width, 3) image, uint8 (or uint16 with ``Style(depth=16)``).
    Per-sample data (at the supersampled resolution, ``scene.samples``; None
    with ``keep_data=False``): ``root`` int16 index into ``roots`` of the root
    each sample converged to, -1 where it did not; ``iterations`` int32, the
    0-based Newton step k at which it converged (itmax where it did not);
    ``smooth`` float32, the fractional iteration count (in [k-1, k]) that smooth
    shading uses; ``residual`` float32, |p(z)| at the last step.

    ``rows`` and ``cols``: the part of the scene's image this is, ``(first, end)``
    (the whole image, except for ``render_tile``'s tiles).
    """

    scene: Scene
    style: Style
    roots: np.ndarray
    rgb: np.ndarray
    root: np.ndarray | None = None
    iterations: np.ndarray | None = None
    smooth: np.ndarray | None = None
    residual: np.ndarray | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    rows: tuple[int, int] = (0, 0)
    cols: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        if self.rows == self.cols == (0, 0):
            self.rows, self.cols = (0, self.scene.height), (0, self.scene.width)

    @property
    def is_tile(self) -> bool:
        """Whether this is part of the scene's image (``render_tile``) rather than all of it."""
        return self.rows != (0, self.scene.height) or self.cols != (0, self.scene.width)

    def metadata(self, png: Deflate | None = None) -> dict[str, str]:
        """Text entries that document how the image was made (the PNG's text chunks; ``png``: a
        PNG's compression; for a tile: the whole scene's parameters and, under ``tile``, where
        the tile lies in its image)."""
        tile = {"rows": list(self.rows), "cols": list(self.cols)} if self.is_tile else None
        return png_text(self.scene, self.style, self.roots, png, tile)

    def save(
        self,
        path: PathLike,
        *,
        format: str | None = None,
        quality: int | None = None,
        lossless: bool = False,
        threads: int | None = None,
    ) -> None:
        """Write the image (atomically; ``'-'``: standard output) with the parameters in its metadata.

        The format follows the file name (``.png``, ``.jpg``, ``.webp``, ``.tif``, ``.bmp``, ``.gif``,
        ``.avif``) unless ``format`` names one; ``quality`` (1-100) for the lossy ones, ``lossless``
        for WebP. An unknown extension raises ValueError.
        """
        fmt = _output(path, format, quality, lossless, self.style.depth, self.scene)
        nthreads = thread_count(threads)
        if fmt.streams:
            deflate = png_deflate(self.style)
            write_png(path, self.rgb, self.metadata(deflate), threads=nthreads, deflate=deflate)
            return
        with atomic_output(path) as f:
            write_image(f, self.rgb, fmt, self.metadata(), quality=quality, lossless=lossless)

    @property
    def image(self) -> Any:
        """The image as a ``PIL.Image.Image`` (RGB; a 16-bit render is rounded to 8 bits, since Pillow
        has no 16-bit RGB mode). Its ``info`` holds the text entries of ``metadata()``."""
        from PIL import Image

        rgb = self.rgb
        if rgb.dtype == np.uint16:
            rgb = ((rgb.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
        im = Image.fromarray(np.ascontiguousarray(rgb))
        im.info.update(self.metadata())
        return im

    def _repr_png_(self) -> bytes:
        """The image as PNG, for Jupyter and IPython."""
        deflate = png_deflate(self.style)
        return encode_png(self.rgb, self.metadata(deflate), threads=thread_count(None), deflate=deflate)

    def __repr__(self) -> str:
        s = self.scene
        kept = "" if self.root is not None else ", no per-pixel data"
        aa = f", aa={s.aa}" if s.aa > 1 else ""
        tile = f", tile rows {self.rows} cols {self.cols}" if self.is_tile else ""
        return (
            f"<Render {s.polynomial!r}: {s.width}x{s.height}{tile}, {s.method}, {len(self.roots)} roots, "
            f"palette={self.style.palette!r}{aa}{kept}>"
        )

    def save_data(self, path: PathLike) -> None:
        """Write the per-sample data and the parameters to an .npz file (see ``nbcli.params.load_npz``)."""
        if self.is_tile:
            raise ValueError(
                "a tile's data cannot be saved as an .npz, which holds a whole image's data; "
                "save the whole render's, or write tiles into one Zarr store (nbcli.to_dask(...).to_zarr)"
            )
        if self.root is None or self.iterations is None or self.smooth is None or self.residual is None:
            raise ValueError("this render kept no per-pixel data (rendered with keep_data=False)")
        save_npz(
            path, self.scene, self.style, self.roots, self.root, self.iterations, self.smooth, self.residual
        )


def _prepare(scene: Scene | None, style: Style | None, scene_options: dict[str, Any]) -> tuple[Scene, Style]:
    if scene is None:
        scene = Scene.create(**scene_options)
    elif scene_options:
        raise TypeError("give either a Scene or keyword options to build one, not both")
    if not isinstance(scene, Scene):
        raise TypeError(
            f"scene must be a nbcli.Scene, e.g. Scene.create(expr='z^3 - 1') (got {shown(scene)})"
        )
    if style is None:
        style = Style()
    if not isinstance(style, Style):
        raise TypeError(f"style must be a nbcli.Style, e.g. Style(palette='okabe-ito') (got {shown(style)})")
    return scene, style.validate()


def _what(scene: Scene, extra: str = "") -> str:
    return f"rendering {scene.width}x{scene.height}" + extra


def render(
    scene: Scene | None = None,
    style: Style | None = None,
    *,
    threads: int | None = None,
    kernel: str | None = None,
    keep_data: bool = True,
    progress: Progress | None = None,
    max_memory: int | None = None,
    **scene_options: Any,
) -> Render:
    """Render a scene in memory; or build one from keyword arguments (see ``Scene.create``).

    >>> r = nbcli.render(coefs=[1, 0, 0, -1], size=(200, 150))   # doctest: +SKIP
    >>> r.rgb.shape, r.root.shape
    ((150, 200, 3), (150, 200))

    ``threads``: default all cores. ``progress(done, total)`` (in samples) is
    called from the calling thread during long renders. Ctrl-C raises
    KeyboardInterrupt promptly. With ``keep_data=False`` only the image is
    kept (less memory). A render that would not fit in memory (or in
    ``max_memory`` bytes) raises MemoryError before allocating; for huge
    images use ``render_to_png``, which streams.
    """
    scene, style = _prepare(scene, style, scene_options)
    nthreads, kname = thread_count(threads), check_kernel(kernel)
    keep_data, progress, max_memory = flag(keep_data, "keep_data"), callback(progress), byte_count(max_memory)
    warn_precision(scene, kname)
    roots = scene.canonical_roots()
    work = job(scene, style, roots)
    px, samples = scene.width * scene.height, scene.samples[0] * scene.samples[1]
    need = (
        px * 3 * style.depth // 8
        + (samples * SAMPLE_DATA_BYTES if keep_data else 0)
        + px * _work_bytes(work, NO_DATA)
    )
    aa = f" with {scene.aa}x{scene.aa} samples" if scene.aa > 1 else ""
    check_memory(need, max_memory, _what(scene, aa))
    stats: dict[str, Any] = {}
    data = ALL_DATA if keep_data else NO_DATA
    (band,) = render_bands(
        work, threads=nthreads, kernel=kname, data=data, rows=scene.height, progress=progress, stats=stats
    )
    result = Render(scene=scene, style=style, roots=roots, rgb=band.rgb, stats=stats)
    if keep_data and band.data is not None:
        result.root, result.iterations = band.data["root"], band.data["iterations"]
        result.smooth, result.residual = band.data["smooth"], band.data["residual"]
        counter = ShareCounter(len(roots))
        counter.add(result.root, result.iterations)
        stats.update(counter.result())
    stats.update(_summary(scene, roots))
    return result


def render_to_file(
    path: PathLike,
    scene: Scene | None = None,
    style: Style | None = None,
    *,
    format: str | None = None,
    quality: int | None = None,
    lossless: bool = False,
    threads: int | None = None,
    kernel: str | None = None,
    progress: Progress | None = None,
    save_data: PathLike | None = None,
    stats: bool = False,
    max_memory: int | None = None,
    band_rows: int | None = None,
    source: dict[str, np.ndarray] | None = None,
    compression: Deflate | None = None,
    **scene_options: Any,
) -> dict[str, Any]:
    """Render straight to an image file ('-': standard output); return statistics.

    The format follows the file name (``.png``, ``.jpg``/``.jpeg``, ``.webp``, ``.tif``/``.tiff``,
    ``.bmp``, ``.gif``, ``.avif``), or ``format`` names it; standard output is PNG unless
    ``format`` says otherwise. ``quality`` (1-100) applies to JPEG, WebP and AVIF; ``lossless`` to
    WebP. The image is computed and coloured in bands of rows; a PNG is also compressed (on all
    cores) and written band by band, so its size is limited by the disk, not by memory (a
    32768x32768 PNG needs well under 1 GiB); the other formats are encoded by Pillow from the
    whole image. The file appears only when complete (written under a temporary name, then
    renamed). ``save_data``: also write the per-sample data to this .npz (that needs memory for
    the whole data). ``stats``: also count the share of each root (see ``Render.stats``).
    ``source``: per-sample data to colour instead of computing (see ``nbcli.params.load_npz``).
    ``compression``: how to compress a PNG (see ``png_deflate``; recorded in the file). The
    statistics' ``stage_seconds`` say where the time went (docs/api.md).
    """
    scene, style = _prepare(scene, style, scene_options)
    _check_outputs(path, save_data)
    fmt = _output(path, format, quality, flag(lossless, "lossless"), style.depth, scene)
    nthreads, kname = thread_count(threads), check_kernel(kernel)
    stats, progress, max_memory = flag(stats, "stats"), callback(progress), byte_count(max_memory)
    band_rows = None if band_rows is None else as_int(band_rows, "band_rows", 1, LIMITS.max_side)
    source = check_source(source, scene.samples)
    if source is None:
        warn_precision(scene, kname)
    data = ALL_DATA if save_data is not None else (ROOTS if stats else NO_DATA)
    t0 = time.perf_counter()
    roots = scene.canonical_roots()
    work = job(scene, style, roots)
    rows = stream_rows(work, data, band_rows, max_memory, save_data is not None, fmt)
    info: dict[str, Any] = {}
    counter = ShareCounter(len(roots)) if stats else None
    bands = render_bands(
        work,
        threads=nthreads,
        kernel=kname,
        data=data,
        rows=rows,
        progress=progress,
        source=source,
        stats=info,
    )
    writing = write_bands(
        path,
        fmt,
        scene,
        style,
        roots,
        bands,
        threads=nthreads,
        counter=counter,
        save_data=save_data,
        quality=quality,
        lossless=lossless,
        deflate=compression,
    )
    info.update(_summary(scene, roots), seconds=time.perf_counter() - t0)
    info["stage_seconds"] = {**info.get("stage_seconds", {}), **writing}
    if counter is not None:
        info.update(counter.result())
    return info


def render_to_png(
    path: PathLike, scene: Scene | None = None, style: Style | None = None, **options: Any
) -> dict[str, Any]:
    """``render_to_file`` in PNG, whatever the file is called (the options are the same)."""
    return render_to_file(path, scene, style, format="png", **options)


def _check_outputs(path: PathLike, save_data: PathLike | None) -> None:
    check_writable(as_path(path))
    if save_data is not None:
        check_writable(as_path(save_data, "save_data"))
        if same_file(path, save_data):
            raise ParameterError(f"the image and the data would be the same file ({os.fspath(path)})")


def _output(
    path: PathLike, format: str | None, quality: int | None, lossless: bool, depth: int, scene: Scene
) -> ImageFormat:
    """The format to write ``path`` in, checked against the options and the size before any work."""
    fmt = output_format(path, format)
    fmt.check_options(quality=quality, lossless=lossless, depth=depth)
    fmt.check_size(scene.width, scene.height)
    if fmt.text is None:
        warnings.warn(
            f"{fmt.title} files cannot hold the parameters, so --from cannot read this image back "
            "(PNG, JPEG, WebP, TIFF, GIF and AVIF can)",
            MetadataWarning,
            stacklevel=3,
        )
    return fmt


def _summary(scene: Scene, roots: np.ndarray) -> dict[str, Any]:
    w, h = scene.width, scene.height
    return {
        "polynomial": scene.polynomial,
        "roots": pairs(roots),
        "multiplicities": scene.multiplicities().tolist(),
        "size": [w, h],
        "pixels": w * h,
        "samples": scene.samples[0] * scene.samples[1],
        "method": scene.method,
        "precision": scene.precision_used,
    }
