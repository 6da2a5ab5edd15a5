"""The Python API: ``compute`` (nb_cpp-compatible) and ``render`` (the renderer's own)."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import operator
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

try:
    from . import _core
except ImportError as _e:  # pragma: no cover - depends on how the package was installed
    raise ImportError(
        "nb-render's compiled core (nbcli._core) could not be imported. Install the package "
        "(pip install nb-render, or pip install . in a source checkout) and, from a checkout, run "
        f"Python outside the source folder so the installed package is used. Cause: {_e}"
    ) from _e
from ._version import __version__
from .colors import Style
from .poly import ComplexLike, as_coefficients, canonical_roots, coefficients_from_roots, format_polynomial

__all__ = [
    "PrecisionWarning",
    "Render",
    "Scene",
    "Viewport",
    "available_kernels",
    "compute",
    "default_threads",
    "render",
    "render_to_png",
    "selected_kernel",
    "single_precision_warnings",
]

MAX_SIDE = 65536
MAX_ITMAX = 10_000_000
MAX_AA = 16
MAX_DEGREE = 1000
METHODS = ("newton", "relaxed", "halley", "schroder", "householder")
PRECISIONS = ("double", "single")

Progress = Callable[[int, int], None]


def default_threads() -> int:
    """All cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not a bool")
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            v = int(value)
        else:
            raise TypeError(f"{name} must be an integer (got {value!r})") from None
    if not lo <= v <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi} (got {v})")
    return v


def _float(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a bool")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number (got {value!r})") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite (got {v})")
    return v


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return default_threads()
    return _int(threads, "threads", 1, 4096)


def _tol(tol: Any) -> float:
    t = _float(tol, "tol")
    if t <= 0:
        raise ValueError(f"tol must be > 0 (got {t})")
    return t


def _relax(value: Any) -> complex:
    if isinstance(value, bool):
        raise TypeError("relax must be a number, not a bool")
    if isinstance(value, str):
        from .poly import parse_complex

        value = parse_complex(value, "relax")
    try:
        a = complex(value)
    except (TypeError, ValueError):
        raise TypeError(f"relax must be a complex number (got {value!r})") from None
    if not (math.isfinite(a.real) and math.isfinite(a.imag)):
        raise ValueError(f"relax must be finite (got {a})")
    if a == 0:
        raise ValueError("relax must not be 0 (the iteration would never move)")
    return a


def _precision(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in PRECISIONS:
        raise ValueError(f"unknown precision {value!r}; choose double or single")
    return value.strip().lower()


_FLT_MAX = float(np.finfo(np.float32).max)


def _check_single(c: np.ndarray, bounds: dict[str, float], relax: complex = 1) -> None:
    """Single precision rounds the inputs to float32: refuse those it would change beyond rounding."""

    def check(v: float, what: str) -> None:
        f = float(np.float32(v)) if abs(v) <= _FLT_MAX else math.inf
        if not math.isfinite(f):
            raise ValueError(
                f"{what} ({v:g}) is beyond single precision's range (about 3.4e38); use double precision"
            )
        if v != 0 and f == 0:
            raise ValueError(
                f"{what} ({v:g}) is too small for single precision (it would round to 0); use double precision"
            )

    # the core scales p by the power of two that brings the largest coefficient part
    # into [1, 2) before rounding (which changes no result), so only the ratios matter
    e = math.frexp(float(np.max(np.abs(np.concatenate([c.real, c.imag])))))[1] - 1
    for i, z in enumerate(c):
        for part in (z.real, z.imag):
            if part != 0 and np.float32(math.ldexp(part, -e)) == 0:
                raise ValueError(
                    f"coefficient {i + 1} ({part:g}) is too small next to the largest one for single "
                    "precision (it would round to 0); use double precision"
                )
    for name, v in bounds.items():
        check(v, name)
    check(relax.real, "relax")
    check(relax.imag, "relax")


class PrecisionWarning(UserWarning):
    """A single-precision render that may not look like its double-precision one
    (see ``single_precision_warnings``)."""


_PROBE_ROOTS = 64  # at most this many roots are probed (evenly spread over the canonical order)


def single_precision_warnings(scene: Scene, *, kernel: Optional[str] = None) -> list[str]:
    """Why ``scene`` may not look right in single precision (empty when it is fine, or in double).

    * The tolerance: near a root, float32 cannot evaluate p(z) to better than its
      rounding noise, so a smaller ``tol`` is never reached there. This is found out
      by asking the kernel itself (``kernel``: the one the render will use): a few
      start points within a few float32 steps of each root in or near the view are
      iterated, and a root most of whose probes do not converge to it is reported.
    * The zoom: when pixels are closer together than float32's resolution at the
      view's coordinates, neighbouring pixels start at the same number and the
      picture turns blocky.
    """
    if scene.precision != "single":
        return []
    out = []
    roots = scene.canonical_roots()
    c = np.asarray(scene.coefs, dtype=np.complex128)
    k = np.arange(-3.0, 4.0)
    vp = scene.viewport
    mx, my = vp.width / 2, vp.height / 2  # roots this far outside the view hardly show
    near = np.flatnonzero(
        (roots.real >= vp.xmin - mx)
        & (roots.real <= vp.xmax + mx)
        & (roots.imag >= vp.ymin - my)
        & (roots.imag <= vp.ymax + my)
    )
    idx = near[np.unique(np.linspace(0, len(near) - 1, min(len(near), _PROBE_ROOTS)).round().astype(int))]
    kname = _kernel(kernel)
    missed, floor = [], 0.0
    for i in idx:
        r = roots[i]
        d = float(np.spacing(np.float32(max(abs(r.real), abs(r.imag), 1e-30))))
        data, _ = _core.render(
            r.real + d * k,
            r.imag - d * k,
            c,
            roots,
            min(scene.itmax, 10),
            scene.tol,
            threads=1,
            kernel=kname,
            symmetry=False,
            method=scene.method,
            relax=scene.relax,
            output="data+smooth",
            precision="single",
        )
        if (data["root"] == i).mean() < 0.5:
            missed.append(int(i))
            floor = max(floor, float(np.median(data["residual"])))
    if missed:
        which = ", ".join(str(i + 1) for i in missed[:8]) + (", ..." if len(missed) > 8 else "")
        out.append(
            f"tol {scene.tol:g} is out of single precision's reach near {len(missed)} of the {len(roots)} roots "
            f"(root {which} in canonical order: float32 evaluates |p| there only to about {floor:.1g}), so "
            "their basins may stay non-converged; use double precision or a larger tol"
        )
    w, h = scene.samples
    step = min(vp.width / w, vp.height / h)
    reach = max(abs(vp.xmin), abs(vp.xmax), abs(vp.ymin), abs(vp.ymax))
    if step < float(np.spacing(np.float32(reach))):
        out.append(
            "the view is too narrow for single precision: neighbouring pixels start at the same float32 "
            "number, so the picture turns blocky; use double precision"
        )
    return out


def _warn_precision(scene: Scene, kernel: Optional[str]) -> None:
    import warnings

    for message in single_precision_warnings(scene, kernel=kernel):
        warnings.warn(message, PrecisionWarning, stacklevel=3)


def _kernel(kernel: Optional[str]) -> str:
    if kernel is None or kernel == "":
        return ""
    ks = _core.kernels()
    names = [k["name"] for k in ks]
    if kernel != "auto" and kernel not in names:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(names)} or auto")
    if kernel != "auto" and not next(k["supported"] for k in ks if k["name"] == kernel):
        ok = ", ".join(k["name"] for k in ks if k["supported"])
        raise ValueError(f"this CPU cannot run the {kernel} kernel; choose one of {ok} or auto")
    return kernel


def available_kernels() -> list[dict[str, Any]]:
    """The kernels in this build: name, isa, lanes (doubles per vector), lanes_single
    (floats per vector, for precision="single"), fused, supported (by this CPU)."""
    return list(_core.kernels())


def selected_kernel() -> str:
    """The kernel used by default (the best this CPU runs, or NB_RENDER_KERNEL's choice)."""
    return str(_core.selected_kernel())


# ---------------------------------------------------------------------------------------
# nb_cpp compatibility


def compute(
    imw: int = 128,
    imh: int = 128,
    coefs: Sequence[ComplexLike] | np.ndarray = (1, 0, 0, 0, 0, 0, 1),
    crmin: float = -5.0,
    crmax: float = 5.0,
    cimin: float = -5.0,
    cimax: float = 5.0,
    itmax: int = 30,
    tol: float = 1e-6,
    *,
    threads: Optional[int] = None,
    precision: str = "double",
) -> np.ndarray:
    """Newton basins as an (imh, imw, 3) float64 HSV image — a drop-in for ``nb_cpp.compute``.

    Pixel (row, col) starts at ``crmin + (crmax-crmin)/imw*col + 1j*(cimax - (cimax-cimin)/imh*row)``
    and takes Newton steps k = 0 .. itmax-1; when |p(z)| <= tol after step k the
    pixel is (root index / number of roots, 1, 1 - k/itmax), else (0, 0, 0).
    ``coefs`` are real or complex, highest degree first. Roots are indexed in
    canonical order (see ``nbcli.poly``). ``precision="single"`` iterates in
    float32 (twice the lanes per vector: 1.6-1.8x as fast; see
    ``docs/usage.md`` for when the picture allows it).
    """
    precision = _precision(precision)
    imw = _int(imw, "imw", 1, MAX_SIDE)
    imh = _int(imh, "imh", 1, MAX_SIDE)
    c = as_coefficients(coefs)
    crmin, crmax = _float(crmin, "crmin"), _float(crmax, "crmax")
    cimin, cimax = _float(cimin, "cimin"), _float(cimax, "cimax")
    if not crmin < crmax:
        raise ValueError(f"empty viewport: crmin ({crmin}) must be less than crmax ({crmax})")
    if not cimin < cimax:
        raise ValueError(f"empty viewport: cimin ({cimin}) must be less than cimax ({cimax})")
    if not (math.isfinite(crmax - crmin) and math.isfinite(cimax - cimin)):
        raise ValueError("the viewport is too large (its width or height overflows double precision)")
    itmax = _int(itmax, "itmax", 1, MAX_ITMAX)
    tol = _tol(tol)
    if precision == "single":
        _check_single(c, {"crmin": crmin, "crmax": crmax, "cimin": cimin, "cimax": cimax})
    roots = _scene_roots(tuple(complex(v) for v in c), None).copy()
    xs = crmin + (crmax - crmin) / imw * np.arange(imw, dtype=np.float64)
    ys = cimax - (cimax - cimin) / imh * np.arange(imh, dtype=np.float64)
    if precision == "single":
        vp = Viewport(crmin, crmax, cimin, cimax)
        _warn_precision(Scene(tuple(c), imw, imh, vp, itmax, tol, precision="single"), None)
    out, _ = _core.render(
        xs, ys, c, roots, itmax, tol, threads=_threads(threads), output="hsv", precision=precision
    )
    return out["hsv"]


# ---------------------------------------------------------------------------------------
# the renderer's API


@dataclass(frozen=True)
class Viewport:
    """A rectangle of the complex plane: real part in [xmin, xmax], imaginary in [ymin, ymax]."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def __post_init__(self) -> None:
        for name in ("xmin", "xmax", "ymin", "ymax"):
            object.__setattr__(self, name, _float(getattr(self, name), name))
        if not self.xmin < self.xmax:
            raise ValueError(f"empty viewport: xmin ({self.xmin:g}) must be less than xmax ({self.xmax:g})")
        if not self.ymin < self.ymax:
            raise ValueError(f"empty viewport: ymin ({self.ymin:g}) must be less than ymax ({self.ymax:g})")
        if not (math.isfinite(self.xmax - self.xmin) and math.isfinite(self.ymax - self.ymin)):
            raise ValueError("the viewport is too large")

    @classmethod
    def centered(cls, center: complex, width: float, height: float) -> Viewport:
        c = complex(center)
        w, h = _float(width, "width"), _float(height, "height")
        if w <= 0 or h <= 0:
            raise ValueError(f"the viewport's width and height must be > 0 (got {w:g} x {h:g})")
        return cls(c.real - w / 2, c.real + w / 2, c.imag - h / 2, c.imag + h / 2)

    @property
    def center(self) -> complex:
        return complex((self.xmin + self.xmax) / 2, (self.ymin + self.ymax) / 2)

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    def grid(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixel centres: real part per column, imaginary part per row (top row first).

        Measured from the centre, so a viewport centred on the real axis gives
        rows that are exact mirror images (which the renderer exploits).
        """
        c = self.center
        dx = self.width / width
        dy = self.height / height
        xs = c.real + (np.arange(width, dtype=np.float64) - (width - 1) / 2) * dx
        ys = c.imag - (np.arange(height, dtype=np.float64) - (height - 1) / 2) * dy
        return xs, ys

    @classmethod
    def fit(cls, roots: np.ndarray, width: int, height: int, margin: float = 2.0) -> Viewport:
        """Frame all roots, centred on their centroid, with square pixels."""
        r = np.asarray(roots, dtype=complex)
        centre = complex(np.mean(r))
        radius = float(np.max(np.abs(r - centre))) if r.size else 0.0
        if not radius > 0:
            radius = max(abs(centre), 1.0) if r.size == 1 else 1.0
        # roots closer together than the doubles around them can show: frame a representable neighbourhood
        radius = max(radius, 1e-9 * abs(centre), 1e-290)
        half = margin * radius
        aspect = height / width
        half_w, half_h = (half, half * aspect) if aspect >= 1 else (half / aspect, half)
        centre = complex(centre.real, 0.0) if abs(centre.imag) <= 1e-12 * radius else centre
        return cls(centre.real - half_w, centre.real + half_w, centre.imag - half_h, centre.imag + half_h)


@functools.lru_cache(maxsize=16)
def _scene_roots(coefs: tuple[complex, ...], roots: Optional[tuple[complex, ...]]) -> np.ndarray:
    """Canonical roots, remembered: a render asks for them more than once (warnings, colours)."""
    return canonical_roots(np.asarray(coefs), None if roots is None else np.asarray(roots))


def _coef_list(c: np.ndarray) -> list[list[float]]:
    return [[float(v.real), float(v.imag)] for v in c]


@dataclass(frozen=True)
class Scene:
    """Everything that determines a render, except how it is coloured.

    Build one with ``Scene.create`` (which fills in good defaults) or directly.
    """

    coefs: tuple[complex, ...]
    width: int = 1024
    height: int = 1024
    viewport: Viewport = field(default_factory=lambda: Viewport(-2.0, 2.0, -2.0, 2.0))
    itmax: int = 60
    tol: float = 1e-6
    roots: Optional[tuple[complex, ...]] = None  # exact roots, when the polynomial was given by them
    method: str = "newton"
    relax: complex = 1 + 0j  # the factor a of the relaxed method
    aa: int = 1  # supersampling: aa x aa samples per pixel
    precision: str = "double"  # or "single": the kernel iterates in float32

    def __post_init__(self) -> None:
        c = as_coefficients(self.coefs)
        object.__setattr__(self, "coefs", tuple(complex(v) for v in c))
        object.__setattr__(self, "width", _int(self.width, "width", 1, MAX_SIDE))
        object.__setattr__(self, "height", _int(self.height, "height", 1, MAX_SIDE))
        object.__setattr__(self, "precision", _precision(self.precision))
        object.__setattr__(self, "itmax", _int(self.itmax, "itmax", 1, MAX_ITMAX))
        object.__setattr__(self, "tol", _tol(self.tol))
        if not isinstance(self.viewport, Viewport):
            raise TypeError("viewport must be a Viewport")
        if self.roots is not None:
            object.__setattr__(self, "roots", tuple(complex(v) for v in self.roots))
        if not isinstance(self.method, str) or self.method.strip().lower() not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        object.__setattr__(self, "method", self.method.strip().lower())
        object.__setattr__(self, "relax", _relax(self.relax))
        object.__setattr__(self, "aa", _int(self.aa, "aa (samples per pixel side)", 1, MAX_AA))
        if self.precision == "single":
            vp = self.viewport
            bounds = {
                "the view's left edge (xmin)": vp.xmin,
                "the view's right edge (xmax)": vp.xmax,
                "the view's bottom edge (ymin)": vp.ymin,
                "the view's top edge (ymax)": vp.ymax,
            }
            _check_single(np.asarray(self.coefs), bounds, self.relax)
        if self.width * self.aa > MAX_SIDE or self.height * self.aa > MAX_SIDE:
            raise ValueError(
                f"{self.width}x{self.height} pixels with {self.aa}x{self.aa} supersampling is more than "
                f"{MAX_SIDE} samples on a side; lower the size or the supersampling"
            )

    @property
    def degree(self) -> int:
        return len(self.coefs) - 1

    @property
    def polynomial(self) -> str:
        return format_polynomial(self.coefs)

    @classmethod
    def create(
        cls,
        coefs: Optional[Sequence[ComplexLike] | np.ndarray] = None,
        *,
        roots: Optional[Sequence[ComplexLike] | np.ndarray] = None,
        size: Optional[tuple[int, int]] = None,
        xmin: Optional[float] = None,
        xmax: Optional[float] = None,
        ymin: Optional[float] = None,
        ymax: Optional[float] = None,
        center: Optional[complex] = None,
        span: Optional[float] = None,
        itmax: int = 60,
        tol: float = 1e-6,
        stretch: bool = False,
        fit: bool = False,
        method: str = "newton",
        relax: ComplexLike = 1,
        aa: int = 1,
        precision: str = "double",
    ) -> Scene:
        """A scene with sensible defaults.

        Give the polynomial by ``coefs`` (highest degree first) or by ``roots``.
        The viewport is, in order of precedence: ``center`` and/or ``span``
        (the width of the view in the complex plane), the bounds ``xmin`` ..
        ``ymax`` (a missing pair is derived from the other to keep pixels
        square), or else (also with ``fit=True``) a frame around all roots
        with a margin. ``size`` is (width, height) in pixels; without it the
        longer side is 1024. Unless ``stretch``, pixels are kept square by
        widening the view if needed. ``method``: newton, relaxed (with the
        complex factor ``relax``), halley, schroder or householder. ``aa``:
        anti-aliasing by ``aa`` x ``aa`` samples per pixel. ``precision``:
        "double" (default) or "single" (float32, 1.6-1.8x as fast).
        """
        if (coefs is None) == (roots is None):
            raise ValueError("give the polynomial either by its coefficients or by its roots (exactly one)")
        exact_roots: Optional[np.ndarray] = None
        if roots is not None:
            c = coefficients_from_roots(roots)
            exact_roots = np.asarray(roots, dtype=complex)
        else:
            c = as_coefficients(coefs)  # type: ignore[arg-type]
        xpair = (xmin is not None, xmax is not None)
        ypair = (ymin is not None, ymax is not None)
        if xpair[0] != xpair[1]:
            raise ValueError("give both xmin and xmax, or neither")
        if ypair[0] != ypair[1]:
            raise ValueError("give both ymin and ymax, or neither")
        have_x, have_y = all(xpair), all(ypair)
        have_c = center is not None or span is not None
        if fit and (have_c or have_x or have_y):
            raise ValueError("fit frames the roots by itself; do not also give center/width or xmin..ymax")
        if have_c and (have_x or have_y):
            raise ValueError("give the viewport either by center/width or by xmin/xmax/ymin/ymax, not both")

        if size is not None:
            w, h = (_int(size[0], "image width", 1, MAX_SIDE), _int(size[1], "image height", 1, MAX_SIDE))
        else:
            w = h = 1024
            if have_x and have_y:
                bounds = Viewport(xmin, xmax, ymin, ymax)  # type: ignore[arg-type]
                aspect = bounds.height / bounds.width
                w, h = (
                    (1024, max(1, round(1024 * aspect)))
                    if aspect <= 1
                    else (max(1, round(1024 / aspect)), 1024)
                )

        def fitted() -> Viewport:
            return Viewport.fit(canonical_roots(c, exact_roots), w, h)

        if have_c:
            base = fitted()
            ctr = complex(center) if center is not None else base.center
            sw = _float(span, "width") if span is not None else base.width
            if sw <= 0:
                raise ValueError(f"the view's width must be > 0 (got {sw:g})")
            vp = Viewport.centered(ctr, sw, sw * h / w)
        elif have_x and have_y:
            vp = Viewport(xmin, xmax, ymin, ymax)  # type: ignore[arg-type]
            if not stretch:
                vp = _square_pixels(vp, w, h)
        elif have_x:
            vx = Viewport(xmin, xmax, -1.0, 1.0)  # type: ignore[arg-type]
            cy = fitted().center.imag
            vp = Viewport.centered(complex(vx.center.real, cy), vx.width, vx.width * h / w)
        elif have_y:
            vy = Viewport(-1.0, 1.0, ymin, ymax)  # type: ignore[arg-type]
            cx = fitted().center.real
            vp = Viewport.centered(complex(cx, vy.center.imag), vy.height * w / h, vy.height)
        else:
            vp = fitted()
        return cls(
            coefs=tuple(complex(v) for v in c),
            width=w,
            height=h,
            viewport=vp,
            itmax=itmax,
            tol=tol,
            roots=None if exact_roots is None else tuple(complex(v) for v in exact_roots),
            method=method,
            relax=_relax(relax),
            aa=aa,
            precision=precision,
        )

    def with_options(self, **changes: Any) -> Scene:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def samples(self) -> tuple[int, int]:
        """(width, height) of the grid of starting points: the image times the supersampling."""
        return self.width * self.aa, self.height * self.aa

    def canonical_roots(self) -> np.ndarray:
        roots: np.ndarray = _scene_roots(self.coefs, self.roots).copy()
        return roots

    def to_dict(self) -> dict[str, Any]:
        vp = self.viewport
        d: dict[str, Any] = {
            "polynomial": self.polynomial,
            "coefs": _coef_list(np.asarray(self.coefs)),
            "size": [self.width, self.height],
            "viewport": {"xmin": vp.xmin, "xmax": vp.xmax, "ymin": vp.ymin, "ymax": vp.ymax},
            "itmax": self.itmax,
            "tol": self.tol,
            "method": self.method,
            "relax": [self.relax.real, self.relax.imag],
            "aa": self.aa,
            "precision": self.precision,
        }
        if self.roots is not None:
            d["roots"] = _coef_list(np.asarray(self.roots))
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Scene:
        """A Scene from ``to_dict``'s output. The input is untrusted (it may come from a
        file): every field is type-checked and bounded; problems raise ValueError."""

        def pair(v: Any, what: str) -> complex:
            if (
                not isinstance(v, list)
                or len(v) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
            ):
                raise ValueError(f"{what} must be [real, imag] pairs")
            return complex(float(v[0]), float(v[1]))

        def number(v: Any, what: str, kind: type = float) -> Any:
            ok = isinstance(v, int) if kind is int else isinstance(v, (int, float))
            if not ok or isinstance(v, bool):
                raise ValueError(f"{what} must be {'an integer' if kind is int else 'a number'}")
            return v

        try:
            if not isinstance(d, dict):
                raise ValueError("the scene must be a JSON object")  # noqa: TRY004 (untrusted file data)
            coefs = d["coefs"]
            if not isinstance(coefs, list) or not 2 <= len(coefs) <= MAX_DEGREE + 1:
                raise ValueError(f"coefs must be a list of 2 to {MAX_DEGREE + 1} [real, imag] pairs")
            roots = d.get("roots")
            if roots is not None and (not isinstance(roots, list) or not 1 <= len(roots) <= MAX_DEGREE):
                raise ValueError(f"roots must be a list of 1 to {MAX_DEGREE} [real, imag] pairs")
            size = d["size"]
            if not isinstance(size, list) or len(size) != 2:
                raise ValueError("size must be [width, height]")
            vp = d["viewport"]
            if not isinstance(vp, dict):
                raise ValueError("viewport must be an object")  # noqa: TRY004 (untrusted file data)
            method = d.get("method", "newton")
            if not isinstance(method, str):
                raise ValueError("method must be a name")  # noqa: TRY004 (untrusted file data)
            precision = d.get("precision", "double")  # files from before single precision existed
            if not isinstance(precision, str):
                raise ValueError("precision must be a name")  # noqa: TRY004 (untrusted file data)
            return cls(
                coefs=tuple(pair(v, "coefs") for v in coefs),
                width=number(size[0], "width", int),
                height=number(size[1], "height", int),
                viewport=Viewport(*(number(vp[k], k) for k in ("xmin", "xmax", "ymin", "ymax"))),
                itmax=number(d["itmax"], "itmax", int),
                tol=number(d["tol"], "tol"),
                roots=None if roots is None else tuple(pair(v, "roots") for v in roots),
                method=method,
                relax=pair(d.get("relax", [1.0, 0.0]), "relax"),
                aa=number(d.get("aa", 1), "aa", int),
                precision=precision,
            )
        except KeyError as e:
            raise ValueError(f"not a valid scene description (no {e.args[0]!r})") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"not a valid scene description: {e}") from None


def _square_pixels(vp: Viewport, w: int, h: int) -> Viewport:
    """Widen the shorter side of the view so that pixels are square."""
    px, py = vp.width / w, vp.height / h
    if abs(px - py) <= 1e-9 * max(px, py):
        return vp
    if px > py:
        return Viewport.centered(vp.center, vp.width, px * h)
    return Viewport.centered(vp.center, py * w, vp.height)


@dataclass
class Render:
    """The result of ``render``.

    ``rgb``: (height, width, 3) image, uint8 (or uint16 with ``Style(depth=16)``).
    Per-sample data (at the supersampled resolution, ``scene.samples``; None
    with ``keep_data=False``): ``root`` int16 index into ``roots`` of the root
    each sample converged to, -1 where it did not; ``iterations`` int32, the
    0-based Newton step k at which it converged (itmax where it did not);
    ``smooth`` float32, the fractional iteration count (in [k-1, k]) that smooth
    shading uses; ``residual`` float32, |p(z)| at the last step.
    """

    scene: Scene
    style: Style
    roots: np.ndarray
    rgb: np.ndarray
    root: Optional[np.ndarray] = None
    iterations: Optional[np.ndarray] = None
    smooth: Optional[np.ndarray] = None
    residual: Optional[np.ndarray] = None
    stats: dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, str]:
        """PNG text chunks that document how the image was made."""
        return png_metadata(self.scene, self.style, self.roots)

    def save(self, path: str | os.PathLike[str], *, threads: Optional[int] = None) -> None:
        """Write the image as PNG (atomically), with the parameters in its metadata."""
        from .png import write_png

        write_png(path, self.rgb, self.metadata(), threads=_threads(threads))

    def save_data(self, path: str | os.PathLike[str]) -> None:
        """Write the per-sample data and the parameters to an .npz file (see ``load_data``)."""
        if self.root is None or self.iterations is None or self.smooth is None or self.residual is None:
            raise ValueError("this render kept no per-pixel data (rendered with keep_data=False)")
        from .data import save_npz

        save_npz(
            path, self.scene, self.style, self.roots, self.root, self.iterations, self.smooth, self.residual
        )


def parameters(scene: Scene, style: Style, roots: np.ndarray) -> dict[str, Any]:
    """Everything needed to make an image again, as JSON-ready values."""
    return {
        "version": __version__,
        **scene.to_dict(),
        "style": style.to_dict(),
        "roots_canonical": _coef_list(roots),
    }


def png_metadata(scene: Scene, style: Style, roots: np.ndarray) -> dict[str, str]:
    return {
        "Software": f"nb-render {__version__}",
        "Title": f"Newton basins of {scene.polynomial}",
        "nb-render": json.dumps(parameters(scene, style, roots), separators=(",", ":")),
    }


def _prepare(
    scene: Optional[Scene], style: Optional[Style], scene_options: dict[str, Any]
) -> tuple[Scene, Style]:
    if scene is None:
        scene = Scene.create(**scene_options)
    elif scene_options:
        raise TypeError("give either a Scene or keyword options to build one, not both")
    if not isinstance(scene, Scene):
        raise TypeError("scene must be a Scene")
    style = (style if style is not None else Style()).validate()
    return scene, style


def render(
    scene: Optional[Scene] = None,
    style: Optional[Style] = None,
    *,
    threads: Optional[int] = None,
    kernel: Optional[str] = None,
    keep_data: bool = True,
    progress: Optional[Progress] = None,
    max_memory: Optional[int] = None,
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
    from .pipeline import ShareCounter, check_memory, render_bands, work_bytes_per_pixel

    scene, style = _prepare(scene, style, scene_options)
    nthreads, kname = _threads(threads), _kernel(kernel)
    _warn_precision(scene, kname)
    w, h = scene.width, scene.height
    px, samples = w * h, scene.samples[0] * scene.samples[1]
    need = (
        px * 3 * style.depth // 8
        + (samples * 14 if keep_data else 0)
        + px * work_bytes_per_pixel(scene, style, 0)
    )
    check_memory(
        need,
        max_memory,
        f"rendering {w}x{h}" + (f" with {scene.aa}x{scene.aa} samples" if scene.aa > 1 else ""),
    )
    roots = scene.canonical_roots()
    stats: dict[str, Any] = {}
    bands = list(
        render_bands(
            scene,
            style,
            roots,
            threads=nthreads,
            kernel=kname,
            data=2 if keep_data else 0,
            rows=h,
            progress=progress,
            stats=stats,
        )
    )
    (band,) = bands
    result = Render(scene=scene, style=style, roots=roots, rgb=band.rgb, stats=stats)
    if keep_data and band.data is not None:
        result.root, result.iterations = band.data["root"], band.data["iterations"]
        result.smooth, result.residual = band.data["smooth"], band.data["residual"]
        counter = ShareCounter(len(roots))
        counter.add(result.root, result.iterations)
        stats.update(counter.result())
    stats.update(pixels=px, samples=samples, method=scene.method, precision=scene.precision)
    return result


def render_to_png(
    path: str | os.PathLike[str],
    scene: Optional[Scene] = None,
    style: Optional[Style] = None,
    *,
    threads: Optional[int] = None,
    kernel: Optional[str] = None,
    progress: Optional[Progress] = None,
    save_data: Optional[str | os.PathLike[str]] = None,
    stats: bool = False,
    max_memory: Optional[int] = None,
    band_rows: Optional[int] = None,
    source: Optional[dict[str, np.ndarray]] = None,
    **scene_options: Any,
) -> dict[str, Any]:
    """Render straight to a PNG file ('-': standard output) in bounded memory; return statistics.

    The image is computed, coloured, compressed (on all cores) and written in
    bands of rows, so its size is limited by the disk, not by memory (a
    32768x32768 PNG needs well under 1 GiB). The file appears only when
    complete (written under a temporary name, then renamed). ``save_data``:
    also write the per-sample data to this .npz (that needs memory for the
    whole data). ``stats``: also count the share of each root (see ``Render.stats``).
    ``source``: per-sample data to colour instead of computing (see ``load_data``).
    """
    import time

    from .pipeline import ShareCounter, check_memory, render_bands, work_bytes_per_pixel
    from .pipeline import band_rows as rows_per_band
    from .png import PngWriter, atomic_output, check_writable

    scene, style = _prepare(scene, style, scene_options)
    nthreads, kname = _threads(threads), _kernel(kernel)
    if source is None:
        _warn_precision(scene, kname)
    check_writable(path)
    if save_data is not None:
        check_writable(save_data)
    w, h = scene.width, scene.height
    samples = scene.samples[0] * scene.samples[1]
    data_level = 2 if save_data is not None else (1 if stats else 0)
    rows = rows_per_band(scene, style, data_level, band_rows)
    per_row = w * work_bytes_per_pixel(scene, style, data_level)
    if band_rows is None and max_memory is not None and rows * per_row > max_memory // 2:
        rows = max(1, (max_memory // 2) // per_row)  # a tighter limit: smaller bands
    need = rows * per_row + (samples * 14 if save_data is not None else 0)
    check_memory(
        need, max_memory, f"rendering {w}x{h}" + (" and keeping its data" if save_data is not None else "")
    )
    t0 = time.perf_counter()
    roots = scene.canonical_roots()
    info: dict[str, Any] = {}
    counter = ShareCounter(len(roots)) if stats else None
    keep: dict[str, list[np.ndarray]] = {}
    with atomic_output(path) as f:
        writer = PngWriter(
            f, w, h, depth=style.depth, text=png_metadata(scene, style, roots), threads=nthreads
        )
        try:
            for band in render_bands(
                scene,
                style,
                roots,
                threads=nthreads,
                kernel=kname,
                data=data_level,
                rows=rows,
                progress=progress,
                source=source,
                stats=info,
            ):
                writer.write(band.rgb)
                if band.data is not None:
                    if counter is not None:
                        counter.add(band.data["root"], band.data["iterations"])
                    if save_data is not None:
                        for k, v in band.data.items():
                            keep.setdefault(k, []).append(v)
            writer.close()
        finally:
            writer.abort()
        if save_data is not None:
            from .data import save_npz

            arrays = {k: (v[0] if len(v) == 1 else np.concatenate(v)) for k, v in keep.items()}
            save_npz(save_data, scene, style, roots, **arrays)
    info.update(
        polynomial=scene.polynomial,
        roots=_coef_list(roots),
        size=[w, h],
        pixels=w * h,
        samples=samples,
        method=scene.method,
        precision=scene.precision,
        seconds=time.perf_counter() - t0,
    )
    if counter is not None:
        info.update(counter.result())
    return info
