"""A rectangle of the complex plane, and the grid of start points a render takes from it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import as_complex, as_float
from .errors import ParameterError

__all__ = ["Viewport"]


@dataclass(frozen=True)
class Viewport:
    """A rectangle of the complex plane: real part in [xmin, xmax], imaginary in [ymin, ymax]."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def __post_init__(self) -> None:
        for name in ("xmin", "xmax", "ymin", "ymax"):
            object.__setattr__(self, name, as_float(getattr(self, name), name))
        if not self.xmin < self.xmax:
            raise ParameterError(
                f"empty viewport: xmin ({self.xmin:g}) must be less than xmax ({self.xmax:g})"
            )
        if not self.ymin < self.ymax:
            raise ParameterError(
                f"empty viewport: ymin ({self.ymin:g}) must be less than ymax ({self.ymax:g})"
            )
        if not (math.isfinite(self.xmax - self.xmin) and math.isfinite(self.ymax - self.ymin)):
            raise ParameterError("the viewport is too large")

    @classmethod
    def centered(cls, center: complex, width: float, height: float) -> Viewport:
        c = as_complex(center, "center")
        w, h = as_float(width, "width"), as_float(height, "height")
        if w <= 0 or h <= 0:
            raise ParameterError(f"the viewport's width and height must be > 0 (got {w:g} x {h:g})")
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
        if px > py:
            return Viewport.centered(self.center, self.width, px * h)
        return Viewport.centered(self.center, py * w, self.height)
