"""``Viewport``: a rectangle of the complex plane, and where its samples lie.

A view is given by its bounds (doubles) or by its centre and size, which
``Viewport.centered`` also keeps exactly (``ExactView``, fractions): a deep
view's centre needs more digits than a double holds, and double-double renders
start from there (``grid_dd``). Its ``Sampling`` says how finely the samples
lie next to its coordinates, from which the scene chooses its precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ._native import Series
from .checks import as_float, json_number
from .errors import ParameterError
from .poly.exact import as_exact, as_exact_complex, double_double, double_double_steps, exact_text
from .precision import Sampling

__all__ = ["ExactView", "Viewport"]


def _exact_number(v: Any, what: str) -> Fraction:
    """An exact number written by ``exact_text`` (untrusted): a decimal or a fraction, not too long."""
    if not isinstance(v, str) or not 0 < len(v) <= 400:
        raise ParameterError(f"{what} must be a number written as text (at most 400 characters)")
    try:
        return Fraction(v)
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"{what} must be a number written as text (got {v[:40]!r})") from None


@dataclass(frozen=True)
class ExactView:
    """A view's centre and size as exact fractions, as given: what double-double precision
    renders (its centre may need more digits than a double holds)."""

    cx: Fraction
    cy: Fraction
    width: Fraction
    height: Fraction

    def sampling(self, w: int, h: int) -> Sampling:
        """How finely ``w`` x ``h`` samples of this view lie, next to its coordinates."""
        cx, cy, hw, hh = self.cx, self.cy, self.width / 2, self.height / 2
        reach = (float(max(abs(cx - hw), abs(cx + hw))), float(max(abs(cy - hh), abs(cy + hh))))
        return Sampling((float(self.width) / w, float(self.height) / h), reach)

    def to_dict(self) -> dict[str, Any]:
        return {
            "center": [exact_text(self.cx), exact_text(self.cy)],
            "width": exact_text(self.width),
            "height": exact_text(self.height),
        }


@dataclass(frozen=True)
class Viewport:
    """A rectangle of the complex plane: real part in [xmin, xmax], imaginary in [ymin, ymax].

    ``exact``: the centre and size exactly as given (``Viewport.centered`` keeps them), which
    double-double renders use; the bounds are then their doubles, and may even coincide
    for a view narrower than doubles can tell apart.
    """

    xmin: float
    xmax: float
    ymin: float
    ymax: float
    exact: ExactView | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("xmin", "xmax", "ymin", "ymax"):
            object.__setattr__(self, name, as_float(getattr(self, name), name))
        e = self.exact
        if e is not None and not (e.width > 0 and e.height > 0):
            raise ParameterError(f"the viewport's width and height must be > 0 (got {e.width} x {e.height})")
        if not self.xmin < self.xmax and (e is None or self.xmin != self.xmax):
            raise ParameterError(
                f"empty viewport: xmin ({self.xmin:g}) must be less than xmax ({self.xmax:g})"
            )
        if not self.ymin < self.ymax and (e is None or self.ymin != self.ymax):
            raise ParameterError(
                f"empty viewport: ymin ({self.ymin:g}) must be less than ymax ({self.ymax:g})"
            )
        if not (math.isfinite(self.xmax - self.xmin) and math.isfinite(self.ymax - self.ymin)):
            raise ParameterError("the viewport is too large")

    @classmethod
    def centered(cls, center: Any, width: Any, height: Any) -> Viewport:
        """The view of this centre and size: numbers, or their decimal text (kept exactly; the
        centre also as a pair of fractions)."""
        cx, cy = as_exact_complex(center, "center")
        ew, eh = as_exact(width, "width"), as_exact(height, "height")
        if ew <= 0 or eh <= 0:
            raise ParameterError(
                f"the viewport's width and height must be > 0 (got {float(ew):g} x {float(eh):g})"
            )
        c, w, h = complex(float(cx), float(cy)), float(ew), float(eh)
        exact = ExactView(cx, cy, ew, eh)
        return cls(c.real - w / 2, c.real + w / 2, c.imag - h / 2, c.imag + h / 2, exact)

    @property
    def _bounds_apart(self) -> bool:
        """Whether the doubles of the bounds tell them apart (not so in views deeper than doubles)."""
        return self.xmin < self.xmax and self.ymin < self.ymax

    @property
    def exact_view(self) -> ExactView:
        """The centre and size exactly: as given, or the bounds' own."""
        if self.exact is not None:
            return self.exact
        x0, x1, y0, y1 = (Fraction(v) for v in (self.xmin, self.xmax, self.ymin, self.ymax))
        return ExactView((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)

    def center_text(self) -> str:
        """The centre, exactly, as text such as ``-0.5123456789012345678901234+0.25j``."""
        e = self.exact_view
        return f"{exact_text(e.cx)}{'-' if e.cy < 0 else '+'}{exact_text(abs(e.cy))}j"

    def rounded(self) -> Viewport:
        """This view as its doubles only (itself if they cannot tell the bounds apart)."""
        if self.exact is None or not self._bounds_apart:
            return self
        return Viewport(self.xmin, self.xmax, self.ymin, self.ymax)

    def sampling(self, w: int, h: int) -> Sampling:
        """How finely ``w`` x ``h`` samples of this view lie, next to its coordinates."""
        return self.exact_view.sampling(w, h)

    @property
    def center(self) -> complex:
        if not self._bounds_apart:
            e = self.exact_view
            return complex(float(e.cx), float(e.cy))
        return complex((self.xmin + self.xmax) / 2, (self.ymin + self.ymax) / 2)

    @property
    def width(self) -> float:
        return self.xmax - self.xmin if self._bounds_apart else float(self.exact_view.width)

    @property
    def height(self) -> float:
        return self.ymax - self.ymin if self._bounds_apart else float(self.exact_view.height)

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

    def grid_dd(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pixel centres of ``grid``, each computed exactly from the exact centre (with the
        steps of ``grid``) and rounded once to double-double: (xs, xs_lo, ys, ys_lo), column
        ``i`` at ``xs[i] + xs_lo[i]``."""
        e = self.exact_view
        xs, xs_lo = double_double_steps(e.cx, float(e.width) / width, width)
        ys, ys_lo = double_double_steps(e.cy, -(float(e.height) / height), height)
        return xs, xs_lo, ys, ys_lo

    def series(self, width: int, height: int) -> Series:
        """The reference of double-double's series shortcut for ``width`` x ``height`` samples:
        the exact centre, the farthest sample's distance from it, the samples' spacing."""
        e = self.exact_view
        cx, cx_lo = double_double(e.cx)
        cy, cy_lo = double_double(e.cy)
        dx, dy = float(e.width) / width, float(e.height) / height
        radius = math.hypot(dx * (width - 1) / 2, dy * (height - 1) / 2)
        return Series(cx, cx_lo, cy, cy_lo, radius, min(dx, dy))

    def pixel_of(self, z: complex, width: int, height: int) -> tuple[float, float]:
        """(row, column) of point ``z`` on a ``width`` x ``height`` grid of this view (fractional)."""
        c = self.center
        col = (z.real - c.real) / (self.width / width) + (width - 1) / 2
        row = (c.imag - z.imag) / (self.height / height) + (height - 1) / 2
        return row, col

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

    def square_pixels(self, w: int, h: int) -> Viewport:
        """This view, its shorter side widened so that ``w`` x ``h`` pixels are square."""
        px, py = self.width / w, self.height / h
        if abs(px - py) <= 1e-9 * max(px, py):
            return self
        c = self.center if self.exact is None else (self.exact.cx, self.exact.cy)
        if px > py:
            return Viewport.centered(c, self.width, px * h)
        return Viewport.centered(c, py * w, self.height)

    @classmethod
    def from_dict(cls, vp: dict[str, Any]) -> Viewport:
        """The view in a parameters record (untrusted): its bounds, and the exact centre and
        size where a double-double render recorded them."""
        x0, x1, y0, y1 = (json_number(vp[k], k) for k in ("xmin", "xmax", "ymin", "ymax"))
        if "center" not in vp:
            return cls(x0, x1, y0, y1)
        c = vp["center"]
        if not isinstance(c, list) or len(c) != 2:
            raise ParameterError("the viewport's center must be [real, imag]")
        exact = ExactView(
            _exact_number(c[0], "the viewport's center"),
            _exact_number(c[1], "the viewport's center"),
            _exact_number(vp.get("width"), "the viewport's width"),
            _exact_number(vp.get("height"), "the viewport's height"),
        )
        return cls(x0, x1, y0, y1, exact)
