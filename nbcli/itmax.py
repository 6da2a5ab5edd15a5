"""The default iteration limit: as many steps as the slowest converging start points of the view need.

A fixed limit is wrong both ways: z^12 - 1 at 60 steps leaves a black disc at
its centre (13 % of the pixels) of start points that do converge, only later
(Newton's step near a critical point of p, where p' = 0, throws them far out,
and from |z| = R the way back takes about n ln R steps for degree n); a larger
fixed limit makes true non-convergence (an attracting cycle, as in
z^3 - 2z + 2) cost more everywhere for nothing.

So the kernel itself is asked. It iterates, up to ``PROBE_CAP`` steps, a
``PROBE_SIDE`` x ``PROBE_SIDE`` grid of the render's own start points spread
over the view (its corners included) and, around every critical point of p in
the view, the ``BLOCK`` x ``BLOCK`` start points nearest to it, which are the
ones thrown farthest. The limit is 1.25 times the most steps a converging
probe point needed, rounded up to two significant digits, at least ``FLOOR``.
Start points that do not converge within ``PROBE_CAP`` steps do not raise it:
they stay non-converged, as they should.
"""

from __future__ import annotations

import math

import numpy as np

from ._native import LIMITS, Problem, iterate

__all__ = ["BLOCK", "FLOOR", "PROBE_CAP", "PROBE_SIDE", "default_itmax"]

FLOOR = 60  # the smooth shading's scale: fewer steps would darken every basin
PROBE_SIDE = 48
BLOCK = 4
PROBE_CAP = 10000
_MAX_CRITICAL_DEGREE = 200  # beyond this, finding the critical points costs more than it tells


def _spread_index(length: int, n: int) -> np.ndarray:
    """Indices of ``n`` of ``length`` values evenly spread, the first and the last included (all if
    there are fewer)."""
    if length <= n:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, n).round().astype(int))


def _nearest(values: np.ndarray, x: float, n: int) -> np.ndarray:
    """Indices of the ``n`` of ``values`` (sorted either way) nearest to ``x``."""
    return np.sort(np.argsort(np.abs(values - x), kind="stable")[:n])


def _critical_points(coefs: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> list[complex]:
    """Zeros of p' inside the view (up to one sample spacing outside it)."""
    if not 3 <= len(coefs) <= _MAX_CRITICAL_DEGREE + 1:
        return []
    with np.errstate(all="ignore"):
        crit = np.roots(np.polyder(coefs))
    dx = abs(xs[-1] - xs[0]) / max(1, len(xs) - 1)
    dy = abs(ys[-1] - ys[0]) / max(1, len(ys) - 1)
    x0, x1 = sorted((xs[0], xs[-1]))
    y0, y1 = sorted((ys[0], ys[-1]))
    return [
        complex(c)
        for c in crit
        if np.isfinite(c) and x0 - dx <= c.real <= x1 + dx and y0 - dy <= c.imag <= y1 + dy
    ]


def default_itmax(
    coefs: np.ndarray,
    roots: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    tol: float,
    method: str = "newton",
    relax: complex = 1,
    precision: str = "double",
    lows: tuple[np.ndarray, np.ndarray] | None = None,
) -> int:
    """The iteration limit for start points ``xs[col] + 1j * ys[row]`` (see the module's docstring);
    ``lows``: double-double's low parts of ``xs`` and ``ys``."""
    cap = min(PROBE_CAP, LIMITS.max_itmax_single if precision == "single" else LIMITS.max_itmax)
    problem = Problem(np.asarray(coefs, np.complex128), roots, cap, tol, method, complex(relax), precision)
    probes = [(_spread_index(len(xs), PROBE_SIDE), _spread_index(len(ys), PROBE_SIDE))]
    probes += [
        (_nearest(xs, c.real, BLOCK), _nearest(ys, c.imag, BLOCK)) for c in _critical_points(coefs, xs, ys)
    ]
    most = 0
    for ix, iy in probes:
        gx, gy = np.ascontiguousarray(xs[ix]), np.ascontiguousarray(ys[iy])
        gx_lo, gy_lo = (None, None) if lows is None else (lows[0][ix], lows[1][iy])
        # one thread: a few thousand points, fewer than it takes to make waking other threads pay
        out, _ = iterate(problem, gx, gy, xs_lo=gx_lo, ys_lo=gy_lo, threads=1, data=True)
        converged = out["root"] >= 0
        if converged.any():
            most = max(most, int(out["iterations"][converged].max()))
    need = 1.25 * (most + 1)
    step = 10 ** max(0, math.floor(math.log10(need)) - 1)  # two significant digits
    return int(min(cap, max(FLOOR, math.ceil(need / step) * step)))
