"""nb_cpp's ``compute`` written with vectorised NumPy, twice.

These are the yardsticks of the benchmark suite: the same algorithm and the
same semantics as ``nbcli.compute`` (and nb_cpp), in idiomatic NumPy complex
arithmetic. ``compute_straightforward`` is the direct transcription (whole
image, every step, under masks); ``compute`` takes the care a NumPy
programmer would take to make it fast:

* the grid is nb_cpp's: column ``crmin + (crmax-crmin)/imw*col``, row
  ``cimax - (cimax-cimin)/imh*row``;
* Newton steps k = 0 .. itmax-1, each ``z <- z - p(z)/p'(z)`` (skipped where
  ``p'(z) == 0``); a pixel has converged at step k when ``|p(z)| <= tol``
  afterwards; it is coloured (root index / number of roots, 1, 1 - k/itmax), or
  black if it never converges; the root index is that of the nearest root in
  ``nbcli``'s canonical order;
* (``compute`` only) only pixels still iterating are computed (the arrays are
  compacted as pixels finish), and the p(z) computed for the convergence test
  is reused by the next step, so no work is done twice.

Its floating-point arithmetic is NumPy's (complex multiply and divide, Horner
via ``np.polyval``), not the kernel's operation-by-operation sequence, so on
basin boundaries, where the orbit is chaotic, an occasional pixel ends in a
different basin or at a different step. ``compare`` measures that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def grid(
    imw: int, imh: int, crmin: float, crmax: float, cimin: float, cimax: float
) -> tuple[np.ndarray, np.ndarray]:
    """nb_cpp's pixel grid: real part per column, imaginary part per row."""
    xs = crmin + (crmax - crmin) / imw * np.arange(imw, dtype=np.float64)
    ys = cimax - (cimax - cimin) / imh * np.arange(imh, dtype=np.float64)
    return xs, ys


def newton_data(
    xs: np.ndarray, ys: np.ndarray, coefs: np.ndarray, roots: np.ndarray, itmax: int, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: index of the root reached (-1: none) and the step k at which it converged (itmax: never)."""
    c = np.asarray(coefs, dtype=np.complex128)
    dc = np.polyder(c)
    roots = np.asarray(roots, dtype=np.complex128)
    h, w = len(ys), len(xs)
    root = np.full(h * w, -1, dtype=np.int16)
    it = np.full(h * w, itmax, dtype=np.int32)
    z = (xs[None, :] + 1j * ys[:, None]).ravel()
    idx = np.arange(h * w)
    with np.errstate(all="ignore"):
        f = np.polyval(c, z)
        for k in range(itmax):
            df = np.polyval(dc, z)
            ok = df != 0
            if not ok.all():  # stuck on p' = 0: never converges
                z, f, df, idx = z[ok], f[ok], df[ok], idx[ok]
            z = z - f / df
            f = np.polyval(c, z)
            conv = np.abs(f) <= tol
            if conv.any():
                zc = z[conv]
                root[idx[conv]] = np.argmin(np.abs(zc[:, None] - roots[None, :]), axis=1)
                it[idx[conv]] = k
                keep = ~conv
                z, f, idx = z[keep], f[keep], idx[keep]
            if idx.size == 0:
                break
    return root.reshape(h, w), it.reshape(h, w)


def newton_data_straightforward(
    xs: np.ndarray, ys: np.ndarray, coefs: np.ndarray, roots: np.ndarray, itmax: int, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """The same, written the most direct way: every step updates the whole image under masks.

    This is how nb_cpp's loop is usually transcribed to NumPy (and the
    yardstick of the "vs NumPy" column): p and p' at every pixel, every step,
    until all pixels have converged or itmax steps are done.
    """
    c = np.asarray(coefs, dtype=np.complex128)
    dc = np.polyder(c)
    roots = np.asarray(roots, dtype=np.complex128)
    z = xs[None, :] + 1j * ys[:, None]
    root = np.full(z.shape, -1, dtype=np.int16)
    it = np.full(z.shape, itmax, dtype=np.int32)
    active = np.ones(z.shape, bool)
    with np.errstate(all="ignore"):
        for k in range(itmax):
            f = np.polyval(c, z)
            df = np.polyval(dc, z)
            go = active & (df != 0)
            z = np.where(go, z - f / np.where(go, df, 1), z)
            conv = go & (np.abs(np.polyval(c, z)) <= tol)
            if conv.any():
                root[conv] = np.argmin(np.abs(z[conv][:, None] - roots[None, :]), axis=1)
                it[conv] = k
            active &= ~conv
            if not active.any():
                break
    return root, it


def hsv(root: np.ndarray, it: np.ndarray, nroots: int, itmax: int) -> np.ndarray:
    """nb_cpp's colouring of (root, k) data as float64 HSV."""
    out = np.zeros((*root.shape, 3))
    ok = root >= 0
    out[..., 0] = np.where(ok, root / float(nroots), 0.0)
    out[..., 1] = np.where(ok, 1.0, 0.0)
    out[..., 2] = np.where(ok, 1.0 - it / float(itmax), 0.0)
    return out


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
    *,
    newton: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """The whole of nb_cpp's ``compute`` in NumPy: an (imh, imw, 3) float64 HSV image.

    ``newton`` is the per-pixel loop (default ``newton_data``)."""
    xs, ys = grid(imw, imh, crmin, crmax, cimin, cimax)
    root, it = (newton or newton_data)(xs, ys, coefs, roots, itmax, tol)
    return hsv(root, it, len(roots), itmax)


def compute_straightforward(*args: Any) -> np.ndarray:
    """``compute`` with ``newton_data_straightforward``."""
    return compute(*args, newton=newton_data_straightforward)


def compare(hsv_kernel: np.ndarray, hsv_numpy: np.ndarray) -> dict[str, float]:
    """How far two nb_cpp HSV images agree.

    ``pixels_equal``: fraction of pixels whose HSV triple is bit-for-bit equal
    (equal HSV means the same root and the same step k, or both black).
    """
    same = np.all(hsv_kernel == hsv_numpy, axis=-1)
    return {"pixels_equal": float(same.mean()), "pixels_differing": int((~same).sum())}
