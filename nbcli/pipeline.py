"""From a job to image rows, one band of rows at a time, or to any tile; memory planning; statistics.

Each band is computed and coloured by the native core (or taken from saved
per-sample data when recolouring) and then finished (``Colouring.finish``:
borders, averaging of supersamples, markers). Bands keep memory bounded for
huge images; an image that fits the budget is one band, which lets the core
mirror rows across the real axis. The result of every step is the same
whatever the bands are, so the bytes of an image never depend on memory or
thread count.

A tile (``render_tile``) is any rectangle of the image, computed on its own
from the same start points (sliced from the job's whole grid, never
recomputed from bounds), with one sample of overlap above and to the left
when basin borders need the neighbours' roots: its pixels are those of the
whole image.

The pipeline knows nothing of scenes and styles: the API turns those into a
``Job`` (start points, the iteration, the colouring).
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._native import DATA_FIELDS, SAMPLE_DATA_BYTES, Problem, Progress, Series, colorize, iterate
from .colors import Colouring
from .errors import NotEnoughMemory, ParameterError, shown
from .images import ImageFormat

__all__ = [
    "Band",
    "Job",
    "ResourceLimitWarning",
    "ShareCounter",
    "available_memory",
    "band_rows",
    "check_memory",
    "check_source",
    "format_bytes",
    "gather",
    "render_bands",
    "render_tile",
    "stream_rows",
    "work_bytes_per_pixel",
]

BAND_BYTES = 64 << 20  # working memory of one band when an image is split
WHOLE_BYTES = 1 << 30  # up to this much working memory an image is one band
ROOT_BYTES = DATA_FIELDS["root"].itemsize + DATA_FIELDS["iterations"].itemsize  # what borders and counts need

# What a band carries besides its pixels: 0 nothing, 1 each sample's root and
# step count, 2 also its smooth count and residual.
NO_DATA, ROOTS, ALL_DATA = 0, 1, 2


@dataclass(frozen=True)
class Job:
    """One image to render: the iteration, its start points, and how samples become pixels."""

    problem: Problem
    xs: np.ndarray  # real part of each sample column (width * aa values)
    ys: np.ndarray  # imaginary part of each sample row, top first (height * aa values)
    colouring: Colouring
    # double-double: the low parts of xs and ys (the start points are xs + xs_lo, ys + ys_lo),
    # and the reference of the series shortcut (the same for every band)
    xs_lo: np.ndarray | None = None
    ys_lo: np.ndarray | None = None
    series: Series | None = None

    @property
    def aa(self) -> int:
        return self.colouring.aa

    @property
    def width(self) -> int:
        return len(self.xs) // self.aa

    @property
    def height(self) -> int:
        return len(self.ys) // self.aa


@dataclass
class Band:
    rgb: np.ndarray  # (rows, width, 3) uint8 or uint16
    data: dict[str, np.ndarray] | None  # per-sample data of these rows, when asked for
    shares: ShareCounter | None = None  # root shares already counted (by whoever rendered it)


def available_memory() -> int | None:
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
            if unit == "bytes":
                return "1 byte" if round(n) == 1 else f"{n:.0f} bytes"
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def work_bytes_per_pixel(job: Job, data: int) -> int:
    """Working memory per output pixel while a band is processed (an upper estimate)."""
    col = job.colouring
    s = job.aa * job.aa
    per = s * 3 * col.palette.depth // 8  # the core's coloured samples
    if data >= ALL_DATA:
        per += s * SAMPLE_DATA_BYTES
    elif data or col.needs_roots:
        per += s * ROOT_BYTES
    per += col.work_bytes()
    return per + 2 * 3 * col.depth // 8  # the PNG writer's filtered copy


SMALLER = "use a smaller --size or less supersampling (--aa)"


def gather(bands: Iterable[np.ndarray], height: int) -> np.ndarray:
    """The whole image from its bands of rows (the band itself when there is only one)."""
    whole: np.ndarray | None = None
    row = 0
    for band in bands:
        if whole is None:
            whole = band if band.shape[0] == height else np.empty((height, *band.shape[1:]), band.dtype)
        if whole is not band:
            whole[row : row + band.shape[0]] = band
        row += band.shape[0]
    if whole is None or row != height:
        raise ValueError(f"the bands hold {row} rows, not {height}")
    return whole


def check_memory(need: int, max_memory: int | None, what: str, advice: str = SMALLER) -> None:
    """Fail before allocating if ``need`` bytes will not fit (``max_memory``: the caller's limit).
    ``advice``: what would make the render fit."""
    limit = max_memory if max_memory is not None else available_memory()
    if limit is not None and need > limit:
        if max_memory is not None:
            where, anyway = "the limit given (--max-memory)", "raise the limit"
        else:
            where, anyway = "available", "free some memory, or give a larger --max-memory to try anyway"
        raise NotEnoughMemory(
            f"{what} needs about {format_bytes(need)} of memory but {format_bytes(limit)} is {where}; "
            f"{advice}, or {anyway}"
        )


def band_rows(job: Job, data: int, rows: int | None = None) -> int:
    """Rows per band: ``rows`` if given, else the whole image if it fits WHOLE_BYTES, else BAND_BYTES' worth."""
    if rows is not None:
        return max(1, min(rows, job.height))
    per_row = work_bytes_per_pixel(job, data) * job.width
    if per_row * job.height <= WHOLE_BYTES:
        return job.height
    return max(1, min(job.height, BAND_BYTES // per_row))


def stream_rows(
    job: Job, data: int, rows: int | None, max_memory: int | None, keep_all: bool, fmt: ImageFormat
) -> int:
    """Rows per band for a render streamed to a file in ``fmt``; NotEnoughMemory if even that does
    not fit. Bands shrink to fit a tight ``max_memory``; what must be held whole cannot: the
    per-sample data (``keep_all``: --save-data), and the image itself for the formats Pillow encodes.
    """
    step = band_rows(job, data, rows)
    per_row = job.width * work_bytes_per_pixel(job, data)
    if rows is None and max_memory is not None and step * per_row > max_memory // 2:
        step = max(1, (max_memory // 2) // per_row)  # a tighter limit: smaller bands
    samples = len(job.xs) * len(job.ys)
    whole = 0 if fmt.streams else job.width * job.height * (3 + fmt.whole_bytes)
    need = step * per_row + (samples * SAMPLE_DATA_BYTES if keep_all else 0) + whole
    held = (" and keeping its data" if keep_all else "") + ("" if fmt.streams else f" as {fmt.title}")
    advice = SMALLER
    if not fmt.streams:
        advice = f"{fmt.title} needs the whole image in memory: write a PNG (written in bands), or {advice}"
    if keep_all:
        advice = f"--save-data keeps all the per-pixel data: leave it out, or {advice}"
    check_memory(need, max_memory, f"rendering {job.width}x{job.height}{held}", advice)
    return step


def render_bands(
    job: Job,
    *,
    threads: int,
    kernel: str = "",
    data: int = NO_DATA,
    rows: int | None = None,
    progress: Progress | None = None,
    source: dict[str, np.ndarray] | None = None,
    stats: dict[str, Any] | None = None,
) -> Iterator[Band]:
    """The image in bands of rows, top to bottom.

    ``data``: ROOTS to also yield the per-sample root and iterations arrays,
    ALL_DATA for smooth and residual as well. ``source``: per-sample data to
    colour instead of computing it (a recolouring). ``stats`` (a dict) is
    filled with the core's counters and, under "stage_seconds", the time of each
    stage: CPU seconds (summed over the core's threads) of the kernel, the smooth
    counts and the colouring (mirror images included), and of finishing (borders,
    averaging supersamples, markers).
    """
    a, col = job.aa, job.colouring
    step = band_rows(job, data, rows)
    total = len(xs := job.xs) * len(job.ys)
    above: np.ndarray | None = None  # last sample row of the band above (for borders)
    done_before = 0
    counters = {"iterations": 0, "pixels_computed": 0, "series_steps": 0}
    stages = dict.fromkeys(("kernel", "smooth", "colouring", "finishing"), 0.0)
    for r0 in range(0, job.height, step):
        r1 = min(job.height, r0 + step)
        s0, s1 = r0 * a, r1 * a
        if source is None:
            rgb, band_data = _compute(
                job,
                (slice(s0, s1), slice(None)),
                threads,
                kernel,
                data,
                progress,
                done_before,
                total,
                stats,
                counters,
                stages,
            )
        else:
            t0 = time.perf_counter()
            rgb, band_data = _recolour(job, source, (slice(s0, s1), slice(None)), data)
            stages["colouring"] += time.perf_counter() - t0
            if progress is not None:
                progress(done_before + (s1 - s0) * len(xs), total)
        done_before += (s1 - s0) * len(xs)
        if col.finishing:
            root = band_data.get("root")
            rgb = col.finish(rgb, root, r0, above=above, threads=threads, stages=stages)
            above = root[-1].copy() if root is not None and col.needs_roots else None
        yield Band(rgb, band_data if data else None)
    if stats is not None:
        stats.update(counters, stage_seconds=stages)


def render_tile(
    job: Job,
    rows: tuple[int, int],
    cols: tuple[int, int],
    *,
    threads: int,
    kernel: str = "",
    data: int = NO_DATA,
    progress: Progress | None = None,
    source: dict[str, np.ndarray] | None = None,
    stats: dict[str, Any] | None = None,
) -> Band:
    """Pixels ``rows[0]:rows[1]`` x ``cols[0]:cols[1]`` of the image, identical to the same
    pixels of ``render_bands``'s image; ``data``, ``source`` and ``stats`` as there (the
    per-sample arrays are those of the tile's samples)."""
    a, col = job.aa, job.colouring
    (r0, r1), (c0, c1) = rows, cols
    if not (0 <= r0 < r1 <= job.height and 0 <= c0 < c1 <= job.width):
        raise ValueError(f"tile rows {rows}, cols {cols} outside the {job.width}x{job.height} image")
    s0, s1, t0, t1 = r0 * a, r1 * a, c0 * a, c1 * a
    # borders need the roots of the sample row above and the sample column to the left
    up = 1 if col.needs_roots and s0 > 0 else 0
    lf = 1 if col.needs_roots and t0 > 0 else 0
    counters = {"iterations": 0, "pixels_computed": 0, "series_steps": 0}
    stages = dict.fromkeys(("kernel", "smooth", "colouring", "finishing"), 0.0)
    if source is None:
        where = (slice(s0 - up, s1), slice(t0 - lf, t1))
        total = (s1 - s0 + up) * (t1 - t0 + lf)
        rgb, tile_data = _compute(
            job, where, threads, kernel, data, progress, 0, total, stats, counters, stages
        )
    else:
        rgb, tile_data = _recolour(job, source, (slice(s0 - up, s1), slice(t0 - lf, t1)), data)
        if progress is not None:
            progress(rgb.shape[0] * rgb.shape[1], rgb.shape[0] * rgb.shape[1])
    above = left = None
    if up or lf:
        root = tile_data["root"]
        above = root[0, lf:] if up else None
        left = root[up:, 0] if lf else None
        rgb = rgb[up:, lf:]
        tile_data = {k: v[up:, lf:] for k, v in tile_data.items()}
    if col.finishing:
        rgb = np.ascontiguousarray(rgb)
        rgb = col.finish(
            rgb, tile_data.get("root"), r0, c0, above=above, left=left, threads=threads, stages=stages
        )
    if stats is not None:
        stats.update(counters, stage_seconds=stages)
    return Band(rgb, {k: np.ascontiguousarray(v) for k, v in tile_data.items()} if data else None)


def _compute(
    job: Job,
    where: tuple[slice, slice],
    threads: int,
    kernel: str,
    data: int,
    progress: Progress | None,
    base: int,
    total: int,
    stats: dict[str, Any] | None,
    counters: dict[str, int],
    stages: dict[str, float],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Coloured samples (and the data asked for) of the block ``where`` (sample rows, columns), from the core."""

    def prog(done: int, _total: int) -> None:
        assert progress is not None
        progress(base + done, total)

    rows, cols = where
    out, st = iterate(
        job.problem,
        job.xs[cols],
        job.ys[rows],
        xs_lo=None if job.xs_lo is None else job.xs_lo[cols],
        ys_lo=None if job.ys_lo is None else job.ys_lo[rows],
        series=job.series,
        threads=threads,
        kernel=kernel,
        data=bool(data) or job.colouring.needs_roots,
        smooth=data >= ALL_DATA,
        palette=job.colouring.palette,
        progress=prog if progress is not None else None,
    )
    counters["iterations"] += st.iterations
    counters["pixels_computed"] += st.pixels_computed
    counters["series_steps"] = max(counters["series_steps"], st.series_steps)  # the same in every band
    stages["kernel"] += st.kernel_seconds
    stages["smooth"] += st.smooth_seconds
    stages["colouring"] += st.sink_seconds
    if stats is not None:
        stats.update(threads=st.threads, kernel=st.kernel)
    if st.threads_unavailable and not counters.get("threads_unavailable"):
        counters["threads_unavailable"] = st.threads_unavailable  # said once per render
        warnings.warn(
            f"the system could not start {st.threads_unavailable} of the {st.threads + st.threads_unavailable} "
            f"threads asked for (a limit on threads or memory, such as ulimit -v); rendering with {st.threads}",
            ResourceLimitWarning,
            stacklevel=2,
        )
    return out["rgb"], {k: out[k] for k in DATA_FIELDS if k in out}


class ResourceLimitWarning(RuntimeWarning):
    """The system gave a render less than it asked for (fewer threads), and the render went on."""


def _recolour(
    job: Job, source: dict[str, Any], where: tuple[slice, slice], data: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Coloured samples of the block ``where`` of saved per-sample data (arrays, or any
    array-like that slicing reads, such as a Zarr array)."""
    wanted = [k for k in source if data >= ALL_DATA or k in ("root", "iterations")]
    pal = job.colouring.palette
    if pal.smooth and "smooth" not in wanted:
        wanted.append("smooth")
    arrays = {k: np.asarray(source[k][where]) for k in wanted}
    rgb = colorize(arrays["root"], arrays["iterations"], pal, arrays["smooth"] if pal.smooth else None)
    if data < ALL_DATA:
        arrays = {k: arrays[k] for k in ("root", "iterations")}
    return rgb, arrays


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

    def merge(self, other: ShareCounter) -> None:
        """Add the counts of another part of the same image."""
        self.counts += other.counts
        self.steps += other.steps
        self.n += other.n

    def result(self) -> dict[str, Any]:
        n = max(1, self.n)
        nconv = int(self.counts[1:].sum())
        return {
            "root_share": [float(c) / n for c in self.counts[1:]],
            "nonconverged_share": float(self.counts[0]) / n,
            "mean_steps": self.steps / nconv if nconv else math.nan,
        }


def check_source(source: Any, samples: tuple[int, int]) -> dict[str, Any] | None:
    """Saved per-sample data to colour (``render_bands``' ``source``): the arrays ``root``,
    ``iterations`` and ``smooth`` (``residual`` too if kept) of the (width, height) ``samples``, as
    ``nbcli.params.load_source`` gives them (NumPy arrays, or array-likes such as a Zarr store's
    that slicing reads); None for none."""
    if source is None:
        return None
    if not isinstance(source, dict):
        raise TypeError(
            f"source must be a dict of arrays as nbcli.params.load_source gives (got {shown(source)})"
        )
    sw, sh = samples
    for name, dtype in DATA_FIELDS.items():
        a: Any = source.get(name)
        if a is None and name == "residual":
            continue
        if not all(hasattr(a, attr) for attr in ("shape", "dtype", "__getitem__")):
            raise ParameterError(
                f"source must hold the arrays root, iterations and smooth; {name!r} is missing or not an array"
            )
        if tuple(a.shape) != (sh, sw) or np.dtype(a.dtype) != dtype:
            raise ParameterError(
                f"source[{name!r}] must be {dtype} of shape {(sh, sw)} (got {a.dtype} {tuple(a.shape)})"
            )
    return source
