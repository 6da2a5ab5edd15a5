"""The compiled core, typed: the only module that imports ``nbcli._core``.

Everything else in the package calls the functions here, which take and return
plain NumPy arrays and small dataclasses. The core's own names and limits
(methods, precisions, kernels, the largest image side, ...) are read from it
once, so they are written in one place: the C++ library.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError, shown, unknown_name

try:
    from . import _core
except ImportError as _e:  # pragma: no cover - depends on how the package was installed
    raise ImportError(
        "nb-render's compiled core (nbcli._core) could not be imported. Install the package "
        "(pip install nb-render, or pip install . in a source checkout) and, from a checkout, run "
        f"Python outside the source folder so the installed package is used. Cause: {_e}"
    ) from _e

__all__ = [
    "DATA_FIELDS",
    "LIMITS",
    "METHODS",
    "PRECISIONS",
    "PRECISION_BITS",
    "SAMPLE_DATA_BYTES",
    "KernelInfo",
    "Limits",
    "Palette",
    "Problem",
    "Progress",
    "RunStats",
    "Series",
    "average",
    "check_kernel",
    "colorize",
    "default_threads",
    "iterate",
    "kernels",
    "linear_light",
    "peak_fmadd",
    "polish_roots",
    "select_kernel",
    "selected_kernel",
    "srgb_thresholds",
]

Progress = Callable[[int, int], None]


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """The core refuses bad values with ValueError (std::invalid_argument): make them ParameterErrors."""
    try:
        yield
    except ValueError as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(str(e)) from None


@dataclass(frozen=True)
class Limits:
    """What the core accepts (and so what every input path checks against)."""

    max_side: int  # samples on a side of one render
    max_threads: int
    max_itmax: int
    max_itmax_single: int  # single precision counts steps in a float
    max_degree: int
    max_aa: int  # supersampling: samples per pixel side
    auto_margin_bits: int  # auto: double while samples are 2^this of double's units in the last place apart
    min_margin_bits: int  # no view whose samples are closer than 2^this of double-double's units


_INFO: dict[str, Any] = _core.info()
LIMITS = Limits(**_INFO["limits"])
METHODS: tuple[str, ...] = tuple(_INFO["methods"])
PRECISIONS: tuple[str, ...] = tuple(_INFO["precisions"])
# significant bits of each precision's numbers (a unit in the last place of x is about 2^(1 - bits) |x|)
PRECISION_BITS: dict[str, int] = dict(_INFO["precision_bits"])
# The per-sample data the core can return, with its types (root index, 0-based
# step of convergence, smooth step count, |p| at the last step).
DATA_FIELDS: dict[str, np.dtype[Any]] = {name: np.dtype(kind) for name, kind in _INFO["data_fields"]}
SAMPLE_DATA_BYTES = sum(d.itemsize for d in DATA_FIELDS.values())


@dataclass(frozen=True)
class KernelInfo:
    name: str
    isa: str
    lanes: int  # doubles per vector
    lanes_single: int  # floats per vector
    fused: bool  # uses fused multiply-add
    supported: bool  # this CPU runs it


def kernels() -> list[KernelInfo]:
    """Every kernel compiled into this build, baseline first."""
    return [KernelInfo(**k) for k in _core.kernels()]


def selected_kernel() -> str:
    """The kernel used by default: the best this CPU runs, or NB_RENDER_KERNEL's choice."""
    with _refusals():  # NB_RENDER_KERNEL may name no kernel
        return str(_core.selected_kernel())


def select_kernel(name: str) -> None:
    """Make ``name`` the default for this process ("auto": the best one again)."""
    with _refusals():
        _core.select_kernel(check_kernel(name) or "auto")


def check_kernel(name: str | None) -> str:
    """A kernel name the core will accept ("" for the default); ParameterError otherwise."""
    if name is None:
        return ""
    if not isinstance(name, str):
        raise TypeError(f"kernel must be a name (got {shown(name)})")
    if name == "":
        return ""
    ks = kernels()
    given, name = name, name.strip().lower()
    if name == "auto":
        return name
    k = next((k for k in ks if k.name == name), None)
    if k is None:
        raise unknown_name("kernel", given, [k.name for k in ks] + ["auto"])
    if not k.supported:
        ok = ", ".join(k.name for k in ks if k.supported)
        raise ParameterError(f"this CPU cannot run the {name} kernel; choose one of {ok} or auto")
    return name


def default_threads() -> int:
    """All cores this process may run on."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, LIMITS.max_threads))


@dataclass(frozen=True)
class Problem:
    """The iteration every sample runs (see ``nbr::Problem``)."""

    coefs: np.ndarray  # complex128, highest degree first
    roots: np.ndarray  # complex128, distinct, in the order that defines root indices
    itmax: int
    tol: float
    method: str = "newton"
    relax: complex = 1 + 0j
    precision: str = "double"


@dataclass(frozen=True)
class Palette:
    """How the core colours a sample (see ``nbr::Palette``)."""

    colors: np.ndarray  # (nroots, 3) float32 in 0..255
    shade: np.ndarray  # float32 in 0..1: per step (itmax values; itmax + 1 when smooth)
    nonconverged: np.ndarray  # (3,) float32 in 0..255
    smooth: bool  # shade at the smooth step count
    depth: int  # 8 or 16 bits per channel


@dataclass(frozen=True)
class RunStats:
    pixels: int  # samples delivered
    pixels_computed: int  # samples iterated (the rest were mirror images)
    iterations: int  # steps taken
    threads: int  # threads that computed
    kernel: str
    series_steps: int = 0  # double-double: the steps the series shortcut took for every sample
    # CPU seconds (summed over the threads) spent iterating, on smooth counts, in the sinks
    kernel_seconds: float = 0.0
    smooth_seconds: float = 0.0
    sink_seconds: float = 0.0
    threads_unavailable: int = 0  # threads asked for that the system could not start


@dataclass(frozen=True)
class Series:
    """Double-double's shortcut for deep views (see ``nbr::SeriesReference``): every sample's
    first steps are taken at once, by power series in its offset from the reference point
    (re + re_lo) + i (im + im_lo), valid within ``radius`` of it, samples ``spacing`` apart."""

    re: float
    re_lo: float
    im: float
    im_lo: float
    radius: float
    spacing: float

    def as_tuple(self) -> tuple[float, float, float, float, float, float]:
        return (self.re, self.re_lo, self.im, self.im_lo, self.radius, self.spacing)


def iterate(
    problem: Problem,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    threads: int,
    kernel: str = "",
    symmetry: bool = True,
    hsv: bool = False,
    data: bool = False,
    smooth: bool = False,
    palette: Palette | None = None,
    progress: Progress | None = None,
    xs_lo: np.ndarray | None = None,
    ys_lo: np.ndarray | None = None,
    series: Series | None = None,
) -> tuple[dict[str, np.ndarray], RunStats]:
    """Run the iteration from every start point ``xs[col] + 1j * ys[row]`` (GIL released).

    In double-double precision ``xs_lo`` and ``ys_lo`` are the start points' low parts
    (column ``col`` starts at ``xs[col] + xs_lo[col]``, exactly), and ``series`` allows the
    shortcut of deep views around a reference point (``Series``; the same for every band of
    an image).

    Returns arrays of shape (len(ys), len(xs)[, 3]) by name: ``hsv`` (nb_cpp's
    float64 HSV) with ``hsv``; ``root`` and ``iterations`` with ``data``;
    ``smooth`` and ``residual`` with ``smooth``; ``rgb`` (uint8 or uint16) with a
    ``palette``. ``progress(done, total)`` is called from this thread; Ctrl-C
    raises KeyboardInterrupt promptly.
    """
    with _refusals():
        out, st = _core.render(
            xs,
            ys,
            problem.coefs,
            problem.roots,
            problem.itmax,
            problem.tol,
            threads=threads,
            kernel=kernel,
            symmetry=symmetry,
            method=problem.method,
            relax=problem.relax,
            precision=problem.precision,
            hsv=hsv,
            data=data,
            smooth=smooth,
            palette=None if palette is None else _palette(palette),
            progress=progress,
            xs_lo=xs_lo,
            ys_lo=ys_lo,
            series=None if series is None else series.as_tuple(),
        )
    stats = RunStats(
        pixels=int(st["pixels"]),
        pixels_computed=int(st["pixels_computed"]),
        iterations=int(st["iterations"]),
        threads=int(st["threads"]),
        kernel=str(st["kernel"]),
        series_steps=int(st["series_steps"]),
        kernel_seconds=float(st["kernel_seconds"]),
        smooth_seconds=float(st["smooth_seconds"]),
        sink_seconds=float(st["sink_seconds"]),
        threads_unavailable=int(st.get("threads_unavailable", 0)),
    )
    return dict(out), stats


def colorize(
    root: np.ndarray, iterations: np.ndarray, palette: Palette, smooth: np.ndarray | None = None
) -> np.ndarray:
    """Colour saved per-sample data exactly as ``iterate(..., palette=...)`` would."""
    with _refusals():
        out: np.ndarray = _core.colorize(root, iterations, _palette(palette), smooth=smooth)
    return out


def average(samples: np.ndarray, aa: int, depth: int, *, threads: int) -> tuple[np.ndarray, float]:
    """Pixels from coloured samples: each ``aa`` x ``aa`` block of ``samples`` ((rows * aa, cols * aa, 3)
    uint16) averaged in linear light and encoded at ``depth`` bits (``nbr/average.hpp`` defines
    how, exactly), with ``threads`` threads and the GIL released. Returns the (rows, cols, 3) uint8
    or uint16 pixels and the CPU seconds they took, summed over the threads."""
    with _refusals():
        out, st = _core.average(samples, aa, depth, threads=threads)
    return out, float(st["cpu_seconds"])


def polish_roots(coefs: np.ndarray, roots: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """The roots (complex128, of multiplicities ``mult``) of the polynomial with ``coefs`` (highest
    degree first) refined to their canonical doubles, the same on every platform (``nbr/roots.hpp``
    defines how, exactly)."""
    with _refusals():
        out: np.ndarray = _core.polish_roots(coefs, roots, mult)
    return out


@functools.cache
def linear_light() -> np.ndarray:
    """The linear light of every 16-bit sRGB code (65536 float32s, read-only): the decoding averaging
    uses, the same on every platform (``nbr/average.hpp``). Code k at 8 bits is entry 257 k."""
    t: np.ndarray = _core._linear_light()
    t.flags.writeable = False
    return t


@functools.cache
def srgb_thresholds(depth: int) -> np.ndarray:
    """The smallest linear light of each code at ``depth`` (8 or 16) bits (maxval + 1 float32s,
    read-only): light x is encoded as the last code whose threshold is <= x (``nbr/average.hpp``)."""
    with _refusals():
        t: np.ndarray = _core._srgb_thresholds(depth)
    t.flags.writeable = False
    return t


def _palette(p: Palette) -> Any:
    with _refusals():
        return _core.Palette(p.colors, p.shade, p.nonconverged, smooth=p.smooth, depth=p.depth)


def peak_fmadd(kernel: str, iterations: int, precision: str = "double") -> float:
    """Vector multiply-adds per second of one thread with ``kernel``'s instructions (benchmarks)."""
    return float(_core._peak_fmadd(kernel, iterations, precision))
