"""From a Scene and a Style to image rows, one band of rows at a time.

Each band is computed by the native core (or taken from saved per-pixel data
when recolouring), coloured there, and then finished here: basin boundaries,
averaging of supersamples in linear light, root markers. Bands keep memory
bounded for huge images; an image that fits the budget is one band, which
lets the core mirror rows across the real axis. The result of every step is
the same whatever the bands are, so the bytes of an image never depend on
memory or thread count.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from . import _core
from .colors import Style, linear_to_srgb, parse_color, srgb_to_linear
from .data import FIELDS

if TYPE_CHECKING:
    from .api import Scene

Progress = Callable[[int, int], None]

BAND_BYTES = 64 << 20  # working memory of one band when an image is split
WHOLE_BYTES = 1 << 30  # up to this much working memory an image is one band


@dataclass
class Band:
    row0: int  # first output row
    rgb: np.ndarray  # (rows, width, 3) uint8 or uint16
    data: Optional[dict[str, np.ndarray]]  # per-sample data of these rows, when asked for


def available_memory() -> Optional[int]:
    """Bytes of memory available to a new allocation (None if unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def work_bytes_per_pixel(scene: Scene, style: Style, data: int) -> int:
    """Working memory per output pixel while a band is processed (an upper estimate)."""
    s = scene.aa * scene.aa
    post = scene.aa > 1 or style.boundary is not None or style.mark_roots
    internal = 6 if (scene.aa > 1 or style.depth == 16) else 3
    per = s * internal
    if data >= 2:
        per += s * 14  # root, iterations, smooth, residual
    elif data or style.boundary is not None:
        per += s * 6  # root, iterations
    if scene.aa > 1:
        per += s * 12 * 2 + 12  # linear-light floats and their average
    if post:
        per += 3 * style.depth // 8
    return per + 2 * 3 * style.depth // 8  # the PNG writer's filtered copy


def check_memory(need: int, max_memory: Optional[int], what: str) -> None:
    """Fail before allocating if ``need`` bytes will not fit (``max_memory``: the caller's limit)."""
    limit = max_memory if max_memory is not None else available_memory()
    if limit is not None and need > limit:
        src = "the limit given" if max_memory is not None else "available"
        raise MemoryError(
            f"{what} needs about {format_bytes(need)} of memory but {format_bytes(limit)} is {src}; "
            "use a smaller size or supersampling, or raise the limit (--max-memory) to try anyway"
        )


def band_rows(scene: Scene, style: Style, data: int, rows: Optional[int] = None) -> int:
    if rows is not None:
        return max(1, min(rows, scene.height))
    per_row = work_bytes_per_pixel(scene, style, data) * scene.width
    if per_row * scene.height <= WHOLE_BYTES:
        return scene.height
    return max(1, min(scene.height, BAND_BYTES // per_row))


class _Marks:
    """Root markers: a white disc with a dark rim, antialiased, drawn in linear light."""

    def __init__(self, scene: Scene, roots: np.ndarray) -> None:
        w, h = scene.width, scene.height
        vp = scene.viewport
        c = vp.center
        dx, dy = vp.width / w, vp.height / h
        self.radius = max(3.0, 0.007 * min(w, h))
        self.rim = max(1.2, self.radius * 0.35)
        self.centres: list[tuple[float, float]] = []
        for z in roots:
            col = (z.real - c.real) / dx + (w - 1) / 2
            row = (c.imag - z.imag) / dy + (h - 1) / 2
            if (
                -2 * self.radius <= col <= w + 2 * self.radius
                and -2 * self.radius <= row <= h + 2 * self.radius
            ):
                self.centres.append((row, col))

    def draw(self, rgb: np.ndarray, row0: int, maxval: int) -> None:
        r_out = self.radius + self.rim
        rows = rgb.shape[0]
        for cy, cx in self.centres:
            y0, y1 = max(row0, math.floor(cy - r_out - 1)), min(row0 + rows, math.ceil(cy + r_out + 2))
            x0, x1 = max(0, math.floor(cx - r_out - 1)), min(rgb.shape[1], math.ceil(cx + r_out + 2))
            if y0 >= y1 or x0 >= x1:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1]
            d = np.hypot(yy - cy, xx - cx)
            cover_all = np.clip(r_out + 0.5 - d, 0.0, 1.0)[..., None]  # rim + disc
            cover_in = np.clip(self.radius + 0.5 - d, 0.0, 1.0)[..., None]  # disc
            patch = rgb[y0 - row0 : y1 - row0, x0:x1]
            lin = srgb_to_linear(patch.astype(np.float32) / maxval)
            lin = lin * (1 - cover_all) + 0.02 * (cover_all - cover_in) + 1.0 * cover_in
            patch[...] = np.rint(linear_to_srgb(lin) * maxval).astype(patch.dtype)


def _lut16() -> np.ndarray:
    return srgb_to_linear(np.arange(65536, dtype=np.float32) / 65535.0)


def render_bands(
    scene: Scene,
    style: Style,
    roots: np.ndarray,
    *,
    threads: int,
    kernel: str = "",
    data: int = 0,
    rows: Optional[int] = None,
    progress: Optional[Progress] = None,
    source: Optional[dict[str, np.ndarray]] = None,
    stats: Optional[dict[str, Any]] = None,
) -> Iterator[Band]:
    """The image in bands of rows, top to bottom.

    ``data``: 1 to also yield the per-sample root and iterations arrays, 2 for
    smooth and residual as well. ``source``: per-sample data to colour instead of computing it (a
    recolouring). ``stats`` (a dict) is filled with the core's counters.
    """
    w, h = scene.width, scene.height
    a = scene.aa
    sw, sh = scene.samples
    xs, ys = scene.viewport.grid(sw, sh)
    colors, shade, nonconv = style.arrays(len(roots), scene.itmax)
    post = a > 1 or style.boundary is not None or style.mark_roots
    depth_int = 16 if (a > 1 or style.depth == 16) else 8
    want_root = data or style.boundary is not None
    boundary = np.array(parse_color(style.boundary), np.float32) if style.boundary is not None else None
    lut = _lut16() if a > 1 else None
    marks = _Marks(scene, roots) if style.mark_roots else None
    maxval = 255 if style.depth == 8 else 65535
    step = band_rows(scene, style, data, rows)
    prev_root: Optional[np.ndarray] = None  # last sample row of the band above (for boundaries)
    done_before = 0
    total = sw * sh
    counters = {"iterations": 0, "pixels_computed": 0}

    for r0 in range(0, h, step):
        r1 = min(h, r0 + step)
        s0, s1 = r0 * a, r1 * a
        if source is None:
            outputs = ["rgb"] + (["data", "smooth"] if data >= 2 else (["data"] if want_root else []))

            def prog(done: int, _total: int, _base: int = done_before) -> None:
                if progress is not None:
                    progress(_base + done, total)

            out, st = _core.render(
                xs,
                ys[s0:s1],
                np.asarray(scene.coefs, dtype=np.complex128),
                roots,
                scene.itmax,
                scene.tol,
                threads=threads,
                kernel=kernel,
                method=scene.method,
                relax=scene.relax,
                precision=scene.precision,
                output="+".join(outputs),
                colors=colors,
                shade=shade,
                nonconverged=nonconv,
                smooth=style.smooth,
                depth=depth_int,
                progress=prog if progress is not None else None,
            )
            counters["iterations"] += int(st["iterations"])
            counters["pixels_computed"] += int(st["pixels_computed"])
            if stats is not None:
                stats.update({k: st[k] for k in ("threads", "kernel") if k in st})
            rgb = out["rgb"]
            band_data = {k: out[k] for k in FIELDS if k in out}
        else:
            band_data = {k: v[s0:s1] for k, v in source.items() if data >= 2 or k in ("root", "iterations")}
            rgb = _core.colorize(
                band_data["root"],
                band_data["iterations"],
                colors,
                shade,
                nonconv,
                smooth=source["smooth"][s0:s1] if style.smooth else None,
                smooth_shading=style.smooth,
                depth=depth_int,
            )
            if progress is not None:
                progress(done_before + (s1 - s0) * sw, total)
        done_before += (s1 - s0) * sw

        if post:
            if boundary is not None:
                root = band_data["root"]
                edge = np.zeros(root.shape, bool)
                edge[:, 1:] = root[:, 1:] != root[:, :-1]
                edge[1:] |= root[1:] != root[:-1]
                if prev_root is not None:
                    edge[0] |= root[0] != prev_root
                prev_root = root[-1].copy()
                scale = 65535.0 / 255.0 if depth_int == 16 else 1.0
                rgb[edge] = np.rint(boundary * scale).astype(rgb.dtype)
            if a > 1:
                assert lut is not None
                lin = lut[rgb]  # (s1-s0, sw, 3) float32
                lin = lin.reshape(r1 - r0, a, w, a, 3).mean(axis=(1, 3), dtype=np.float32)
                rgb = np.rint(linear_to_srgb(lin) * maxval).astype(
                    np.uint8 if style.depth == 8 else np.uint16
                )
            if marks is not None:
                marks.draw(rgb, r0, maxval)
        yield Band(r0, rgb, band_data if data else None)

    if stats is not None:
        stats.update(counters)


class ShareCounter:
    """Share of samples per root, non-converged share and mean Newton steps (of converged samples), over bands."""

    def __init__(self, nroots: int) -> None:
        self.counts = np.zeros(nroots + 1, np.int64)
        self.steps = 0
        self.n = 0

    def add(self, root: np.ndarray, iterations: np.ndarray) -> None:
        self.counts += np.bincount(root.ravel().astype(np.int64) + 1, minlength=self.counts.size)
        conv = root >= 0
        self.steps += int(iterations[conv].sum(dtype=np.int64)) + int(conv.sum())
        self.n += root.size

    def result(self) -> dict[str, Any]:
        n = max(1, self.n)
        nconv = int(self.counts[1:].sum())
        return {
            "root_share": [float(c) / n for c in self.counts[1:]],
            "nonconverged_share": float(self.counts[0]) / n,
            "mean_steps": self.steps / nconv if nconv else math.nan,
        }
