"""``compute``: a drop-in for ``nb_cpp.compute``, so its users switch by changing one import."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._native import LIMITS, Problem, iterate
from .api import warn_precision
from .checks import as_float, as_int, precision_name, thread_count
from .errors import ParameterError
from .poly import ComplexLike, as_coefficients, canonical_roots
from .precision import check_single_range
from .scene import Scene, Viewport

__all__ = ["compute"]


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
    threads: int | None = None,
    precision: str = "double",
) -> np.ndarray:
    """Newton basins as an (imh, imw, 3) float64 HSV image — a drop-in for ``nb_cpp.compute``.

    Pixel (row, col) starts at ``crmin + (crmax-crmin)/imw*col + 1j*(cimax - (cimax-cimin)/imh*row)``
    and takes Newton steps k = 0 .. itmax-1; when |p(z)| <= tol after step k the
    pixel is (root index / number of roots, 1, 1 - k/itmax), else (0, 0, 0).
    ``coefs`` are real or complex, highest degree first. Roots are indexed in
    canonical order (see ``nbcli.poly``). Like nb_cpp it accepts an empty image
    (``imw`` or ``imh`` 0), ``itmax=0`` (nothing converges), ``tol=0`` (only
    exact roots converge) and bounds in either order (``crmin > crmax`` mirrors
    the image). ``precision="single"`` iterates in
    float32 (twice the lanes per vector: 1.6-1.8x as fast; see
    ``docs/usage.md`` for when the picture allows it).
    """
    precision = precision_name(precision)
    imw = as_int(imw, "imw", 0, LIMITS.max_side)
    imh = as_int(imh, "imh", 0, LIMITS.max_side)
    c = as_coefficients(coefs)
    crmin, crmax = as_float(crmin, "crmin"), as_float(crmax, "crmax")
    cimin, cimax = as_float(cimin, "cimin"), as_float(cimax, "cimax")
    if not (math.isfinite(crmax - crmin) and math.isfinite(cimax - cimin)):
        raise ParameterError("the viewport is too large (its width or height overflows double precision)")
    itmax = as_int(itmax, "itmax", 0, LIMITS.max_itmax)
    tol = as_float(tol, "tol")
    if tol < 0:
        raise ParameterError(f"tol must be >= 0 (got {tol})")
    nthreads = thread_count(threads)
    if precision == "single":
        check_single_range(c, {"crmin": crmin, "crmax": crmax, "cimin": cimin, "cimax": cimax})
    if imw == 0 or imh == 0 or itmax == 0:  # nothing to iterate: nb_cpp's all-black (or empty) image
        return np.zeros((imh, imw, 3), np.float64)
    xs = crmin + (crmax - crmin) / imw * np.arange(imw, dtype=np.float64)
    ys = cimax - (cimax - cimin) / imh * np.arange(imh, dtype=np.float64)
    roots = canonical_roots(c)
    # tol 0: only exact roots converge; the core compares |p|^2 <= tol^2, and this tol^2 is 0
    problem = Problem(c, roots, itmax, tol if tol > 0 else math.ulp(0.0), precision=precision)
    if precision == "single" and crmin < crmax and cimin < cimax:
        scene = Scene(
            tuple(c), imw, imh, Viewport(crmin, crmax, cimin, cimax), itmax, problem.tol, precision=precision
        )
        warn_precision(scene, None)
    out, _ = iterate(problem, xs, ys, threads=nthreads, hsv=True)
    return out["hsv"]
