"""The Python API: ``compute`` (nb_cpp-compatible) and ``render`` (the renderer's own)."""

from __future__ import annotations

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
    "Render",
    "Scene",
    "Viewport",
    "available_kernels",
    "compute",
    "default_threads",
    "render",
    "selected_kernel",
]

MAX_SIDE = 65536
MAX_ITMAX = 10_000_000

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
    """The kernels in this build: name, isa, lanes, fused, supported (by this CPU)."""
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
) -> np.ndarray:
    """Newton basins as an (imh, imw, 3) float64 HSV image — a drop-in for ``nb_cpp.compute``.

    Pixel (row, col) starts at ``crmin + (crmax-crmin)/imw*col + 1j*(cimax - (cimax-cimin)/imh*row)``
    and takes Newton steps k = 0 .. itmax-1; when |p(z)| <= tol after step k the
    pixel is (root index / number of roots, 1, 1 - k/itmax), else (0, 0, 0).
    ``coefs`` are real or complex, highest degree first. Roots are indexed in
    canonical order (see ``nbcli.poly``).
    """
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
    roots = canonical_roots(c)
    xs = crmin + (crmax - crmin) / imw * np.arange(imw, dtype=np.float64)
    ys = cimax - (cimax - cimin) / imh * np.arange(imh, dtype=np.float64)
    out, _ = _core.render(xs, ys, c, roots, itmax, tol, threads=_threads(threads), output="hsv")
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

    def __post_init__(self) -> None:
        c = as_coefficients(self.coefs)
        object.__setattr__(self, "coefs", tuple(complex(v) for v in c))
        object.__setattr__(self, "width", _int(self.width, "width", 1, MAX_SIDE))
        object.__setattr__(self, "height", _int(self.height, "height", 1, MAX_SIDE))
        object.__setattr__(self, "itmax", _int(self.itmax, "itmax", 1, MAX_ITMAX))
        object.__setattr__(self, "tol", _tol(self.tol))
        if not isinstance(self.viewport, Viewport):
            raise TypeError("viewport must be a Viewport")
        if self.roots is not None:
            object.__setattr__(self, "roots", tuple(complex(v) for v in self.roots))

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
    ) -> Scene:
        """A scene with sensible defaults.

        Give the polynomial by ``coefs`` (highest degree first) or by ``roots``.
        The viewport is, in order of precedence: ``center`` and/or ``span``
        (the width of the view in the complex plane), the bounds ``xmin`` ..
        ``ymax`` (a missing pair is derived from the other to keep pixels
        square), or else a frame around all roots. ``size`` is (width,
        height) in pixels; without it the longer side is 1024. Unless
        ``stretch``, pixels are kept square by widening the view if needed.
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
        )

    def canonical_roots(self) -> np.ndarray:
        return canonical_roots(np.asarray(self.coefs), None if self.roots is None else np.asarray(self.roots))

    def to_dict(self) -> dict[str, Any]:
        vp = self.viewport
        d: dict[str, Any] = {
            "polynomial": self.polynomial,
            "coefs": _coef_list(np.asarray(self.coefs)),
            "size": [self.width, self.height],
            "viewport": {"xmin": vp.xmin, "xmax": vp.xmax, "ymin": vp.ymin, "ymax": vp.ymax},
            "itmax": self.itmax,
            "tol": self.tol,
        }
        if self.roots is not None:
            d["roots"] = _coef_list(np.asarray(self.roots))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scene:
        try:
            vp = d["viewport"]
            roots = d.get("roots")
            return cls(
                coefs=tuple(complex(a, b) for a, b in d["coefs"]),
                width=d["size"][0],
                height=d["size"][1],
                viewport=Viewport(vp["xmin"], vp["xmax"], vp["ymin"], vp["ymax"]),
                itmax=d["itmax"],
                tol=d["tol"],
                roots=None if roots is None else tuple(complex(a, b) for a, b in roots),
            )
        except (KeyError, IndexError, TypeError) as e:
            raise ValueError(f"not a valid scene description ({e})") from None


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

    ``rgb``: (height, width, 3) uint8 image. ``root``: (height, width) int16
    index into ``roots`` of the root each pixel converged to, -1 where it did
    not. ``iterations``: (height, width) int32 Newton step k (0-based) at which
    it converged, itmax where it did not. ``root``/``iterations`` are None when
    rendered with ``keep_data=False``.
    """

    scene: Scene
    style: Style
    roots: np.ndarray
    rgb: np.ndarray
    root: Optional[np.ndarray]
    iterations: Optional[np.ndarray]
    stats: dict[str, Any]

    def metadata(self) -> dict[str, str]:
        """PNG text chunks that document how the image was made."""
        params = {"version": __version__, **self.scene.to_dict(), "style": _style_dict(self.style)}
        params["roots_canonical"] = _coef_list(self.roots)
        return {
            "Software": f"nb-render {__version__}",
            "Title": f"Newton basins of {self.scene.polynomial}",
            "nb-render": json.dumps(params, separators=(",", ":")),
        }

    def save(self, path: str | os.PathLike[str], *, compress_level: int = 1) -> None:
        """Write the image as PNG (atomically), with the parameters in its metadata."""
        from .png import write_png

        write_png(path, self.rgb, self.metadata(), compress_level=compress_level)


def _style_dict(style: Style) -> dict[str, Any]:
    pal = style.palette if isinstance(style.palette, str) else list(style.palette)
    return {"palette": pal, "shading": style.shading, "nonconverged": style.nonconverged}


def render(
    scene: Optional[Scene] = None,
    style: Optional[Style] = None,
    *,
    threads: Optional[int] = None,
    kernel: Optional[str] = None,
    keep_data: bool = True,
    progress: Optional[Progress] = None,
    **scene_options: Any,
) -> Render:
    """Render a scene; or build one from keyword arguments (see ``Scene.create``).

    >>> r = nbcli.render(coefs=[1, 0, 0, -1], size=(200, 150))   # doctest: +SKIP
    >>> r.rgb.shape, r.root.shape
    ((150, 200, 3), (150, 200))

    ``threads``: default all cores. ``progress(done, total)`` is called from
    the calling thread during long renders. Ctrl-C raises KeyboardInterrupt
    promptly. With ``keep_data=False`` only the RGB image is kept (less memory).
    """
    if scene is None:
        scene = Scene.create(**scene_options)
    elif scene_options:
        raise TypeError("give either a Scene or keyword options to build one, not both")
    style = (style or Style()).validate()
    roots = scene.canonical_roots()
    colors, shade, nonconv = style.arrays(len(roots), scene.itmax)
    xs, ys = scene.viewport.grid(scene.width, scene.height)
    out, stats = _core.render(
        xs,
        ys,
        np.asarray(scene.coefs, dtype=np.complex128),
        roots,
        scene.itmax,
        scene.tol,
        threads=_threads(threads),
        kernel=_kernel(kernel),
        output="data+rgb" if keep_data else "rgb",
        colors=colors,
        shade=shade,
        nonconverged=nonconv,
        progress=progress,
        rgb_channels=4,  # RGBX: Pillow encodes it without another copy of the image
    )
    return Render(
        scene=scene,
        style=style,
        roots=roots,
        rgb=out["rgb"][..., :3],
        root=out.get("root"),
        iterations=out.get("iterations"),
        stats=stats,
    )
