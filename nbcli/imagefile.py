"""An image file from bands of rows: a PNG streamed band by band (nb-render's own writer),
any other format put together and encoded by Pillow; root shares counted and per-sample
data kept on the way. ``nbcli.api.render_to_file`` feeds it bands computed here, and
``nbcli.scale`` bands computed on a Dask cluster.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

import numpy as np

from .compression import Deflate, default_deflate
from .images import ImageFormat, write_image
from .outfile import PathLike, atomic_output
from .params import png_text, save_npz
from .pipeline import Band, ShareCounter, gather
from .png import stream_png
from .scene import Scene
from .style import Style

__all__ = ["png_deflate", "write_bands"]


def png_deflate(style: Style, requested: Deflate | None = None) -> Deflate:
    """How a PNG in ``style`` is compressed: as ``requested`` if its library is installed, else
    ``nbcli.compression.default_deflate`` for the shading (bands and flat areas compress best
    unfiltered)."""
    if requested is not None and requested.available():
        return requested
    return default_deflate(banded=style.shading in ("iterations", "flat"))


def write_bands(
    path: PathLike,
    fmt: ImageFormat,
    scene: Scene,
    style: Style,
    roots: np.ndarray,
    bands: Iterable[Band],
    *,
    threads: int,
    counter: ShareCounter | None = None,
    save_data: PathLike | None = None,
    quality: int | None = None,
    lossless: bool = False,
    deflate: Deflate | None = None,
) -> dict[str, float]:
    """Write bands of rows, top to bottom, as one image in ``fmt`` (atomically): a PNG streamed
    band by band (compressed as ``png_deflate`` says, which the file records), other formats
    encoded by Pillow from the whole image. Count root shares into ``counter``; keep the bands'
    data for ``save_data``. Returns the seconds spent writing, by stage."""
    keep: dict[str, list[np.ndarray]] | None = {} if save_data is not None else None
    png = png_deflate(style, deflate) if fmt.streams else None
    text = png_text(scene, style, roots, png)
    with atomic_output(path) as f:
        images = _pixels(iter(bands), counter, keep)
        if png is not None:
            writing = stream_png(f, images, scene.width, scene.height, style.depth, text, threads, png)
        else:
            whole, t_encode = gather(images, scene.height), time.perf_counter()
            write_image(f, whole, fmt, text, quality=quality, lossless=lossless)
            writing = {"encoding": time.perf_counter() - t_encode}
        if save_data is not None and keep is not None:
            arrays = {k: (v[0] if len(v) == 1 else np.concatenate(v)) for k, v in keep.items()}
            save_npz(save_data, scene, style, roots, **arrays)
    return writing


def _pixels(
    bands: Iterator[Band], counter: ShareCounter | None, keep: dict[str, list[np.ndarray]] | None
) -> Iterator[np.ndarray]:
    """Each band's pixels, after counting its roots (``counter``) and keeping its data (``keep``)."""
    for band in bands:
        if counter is not None and band.shares is not None:
            counter.merge(band.shares)
        elif counter is not None and band.data is not None:
            counter.add(band.data["root"], band.data["iterations"])
        if band.data is not None and keep is not None:
            for k, v in band.data.items():
                keep.setdefault(k, []).append(v)
        yield band.rgb
