"""nb_cpp's ``compute`` as a user would write it with numba: the yardstick next to NumPy.

The same semantics as ``numpy_ref`` and ``nbcli.compute`` (nb_cpp's grid, Newton
steps k = 0 .. itmax-1, converged at step k when |p(z)| <= tol afterwards, the
nearest root in canonical order, HSV (root / nroots, 1, 1 - k / itmax) or black),
written the straightforward way for numba: a loop per pixel, rows spread over the
cores with ``prange``, and one Horner pass per step that gives p and p' together
(the p of the convergence test is the next step's p). Compiled once per process
(the first call), with numba's defaults: no fastmath, so IEEE arithmetic.

Needs numba (``pip install nb-render[bench]``); ``available()`` says whether it is there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy_ref

try:
    import numba
except ImportError:  # pragma: no cover - depends on the environment
    numba = None


def available() -> bool:
    return numba is not None


def _kernel() -> Any:
    assert numba is not None
    prange = numba.prange

    @numba.njit(cache=True, inline="always")
    def horner(c: np.ndarray, z: complex) -> tuple[complex, complex]:
        p = c[0]
        dp = 0j
        for j in range(1, c.shape[0]):
            dp = dp * z + p
            p = p * z + c[j]
        return p, dp

    @numba.njit(parallel=True, cache=True)
    def newton(xs, ys, c, roots, itmax, tol, root, it):  # type: ignore[no-untyped-def]
        for r in prange(ys.shape[0]):
            for col in range(xs.shape[0]):
                z = complex(xs[col], ys[r])
                p, dp = horner(c, z)
                found, step = -1, itmax
                for k in range(itmax):
                    if dp == 0:  # stuck: never converges
                        break
                    z = z - p / dp
                    p, dp = horner(c, z)
                    if abs(p) <= tol:
                        best = np.inf
                        for j in range(roots.shape[0]):
                            d = abs(z - roots[j])
                            if d < best:
                                best, found = d, j
                        step = k
                        break
                root[r, col] = found
                it[r, col] = step

    return newton


_NEWTON: Any = None


def compute(
    imw: int,
    imh: int,
    coefs: np.ndarray,
    crmin: float,
    crmax: float,
    cimin: float,
    cimax: float,
    itmax: int,
    tol: float,
    roots: np.ndarray,
) -> np.ndarray:
    """nb_cpp's ``compute`` with numba: an (imh, imw, 3) float64 HSV image (arguments as ``numpy_ref``)."""
    global _NEWTON
    if _NEWTON is None:
        _NEWTON = _kernel()
    xs, ys = numpy_ref.grid(imw, imh, crmin, crmax, cimin, cimax)
    root = np.empty((imh, imw), np.int16)
    it = np.empty((imh, imw), np.int32)
    c, r = np.asarray(coefs, np.complex128), np.asarray(roots, np.complex128)
    _NEWTON(xs, ys, c, r, itmax, tol, root, it)
    return numpy_ref.hsv(root, it, len(roots), itmax)


def set_threads(n: int) -> None:
    """Threads numba's parallel loops use from now on (at most the cores it started with)."""
    assert numba is not None
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
