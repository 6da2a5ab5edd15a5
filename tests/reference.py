"""Independent NumPy implementations of nb-render's kernel, used as test oracles.

* ``exact``   — mirrors the C++ kernel operation by operation, so it reproduces
  every kernel path bit for bit. FMA paths are matched by emulating a correctly
  rounded fused multiply-add with error-free transformations (Dekker's exact
  product, Knuth's exact sum, and Boldo & Melquiond's rounding to odd).
* ``textbook`` — nb_cpp's algorithm written the obvious way with NumPy complex
  numbers; it agrees with the kernel everywhere except at a few pixels on basin
  boundaries, where the orbit is chaotic and the last bit decides.
"""

from __future__ import annotations

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma(a, b, c):
    """Correctly rounded a*b + c for float64 arrays (no overflow/underflow)."""
    a, b, c = np.broadcast_arrays(np.float64(a), np.float64(b), np.float64(c))
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    # round v to odd: if inexact and its last bit is even, step toward the exact value
    bits = v.view(np.int64)
    fix = (e != 0) & ((bits & 1) == 0)
    v = np.where(fix, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    return th + v


def _ops(fused: bool):
    if fused:
        return fma, lambda a, b, c: fma(-np.float64(a), b, c)
    return (lambda a, b, c: a * b + c), (lambda a, b, c: c - a * b)


def _horner(zr, zi, cr, ci, real, fm, fnm):
    n = len(cr) - 1
    if real:
        dr = np.full_like(zr, cr[0])
        di = np.zeros_like(zr)
        pr = fm(cr[0], zr, cr[1])
        pi = cr[0] * zi
    else:
        dr = np.full_like(zr, cr[0])
        di = np.full_like(zr, ci[0])
        pr = fm(cr[0], zr, fnm(ci[0], zi, cr[1]))
        pi = fm(ci[0], zr, fm(cr[0], zi, ci[1]))
    for j in range(2, n + 1):
        ndr = fm(dr, zr, fnm(di, zi, pr))
        ndi = fm(di, zr, fm(dr, zi, pi))
        npr = fm(pr, zr, fnm(pi, zi, cr[j]))
        npi = fm(pi, zr, pr * zi) if real else fm(pi, zr, fm(pr, zi, ci[j]))
        dr, di, pr, pi = ndr, ndi, npr, npi
    return pr, pi, dr, di


def _nearest(zr, zi, roots):
    dx = zr[..., None] - roots.real
    dy = zi[..., None] - roots.imag
    return np.argmin(dx * dx + dy * dy, axis=-1)


def exact(xs, ys, coefs, roots, itmax, tol, *, fused):
    """Per-pixel (root index or -1, iteration k or itmax) exactly as the kernel computes them."""
    coefs = np.asarray(coefs, dtype=complex)
    roots = np.asarray(roots, dtype=complex)
    cr, ci = coefs.real.copy(), coefs.imag.copy()
    real = not np.any(ci != 0)
    fm, fnm = _ops(fused)
    tol2 = tol * tol
    zr, zi = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    root = np.full(zr.shape, -1, dtype=np.int16)
    it = np.full(zr.shape, itmax, dtype=np.int32)
    with np.errstate(all="ignore"):
        pr, pi, dr, di = _horner(zr, zi, cr, ci, real, fm, fnm)
        active = fm(pr, pr, pi * pi) < np.inf
        for s in range(1, itmax + 1):
            d2 = fm(dr, dr, di * di)
            stuck = active & (d2 == 0)
            go = active & (d2 != 0)
            inv = 1.0 / d2
            nr = fm(pr, dr, pi * di)
            ni = fnm(pr, di, pi * dr)
            zr = np.where(go, fnm(nr, inv, zr), zr)
            zi = np.where(go, fnm(ni, inv, zi), zi)
            pr, pi, dr, di = _horner(zr, zi, cr, ci, real, fm, fnm)
            p2 = fm(pr, pr, pi * pi)
            conv = go & (p2 <= tol2)
            overflow = active & ~(p2 < np.inf)
            if conv.any():
                root[conv] = _nearest(zr[conv], zi[conv], roots)
                it[conv] = s - 1
            active &= ~(conv | stuck | overflow)
            if not active.any():
                break
    return root, it


def textbook(xs, ys, coefs, roots, itmax, tol):
    """nb_cpp's loop with NumPy complex arithmetic: (root index or -1, k or itmax)."""
    coefs = np.asarray(coefs, dtype=complex)
    dcoefs = np.polyder(coefs)
    roots = np.asarray(roots, dtype=complex)
    x, y = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    z = x + 1j * y
    root = np.full(z.shape, -1, dtype=np.int16)
    it = np.full(z.shape, itmax, dtype=np.int32)
    active = np.ones(z.shape, bool)
    with np.errstate(all="ignore"):
        for k in range(itmax):
            f = np.polyval(coefs, z)
            df = np.polyval(dcoefs, z)
            go = active & (df != 0)
            z = np.where(go, z - f / np.where(go, df, 1), z)
            conv = go & (np.abs(np.polyval(coefs, z)) <= tol)
            if conv.any():
                root[conv] = np.argmin(np.abs(z[conv][:, None] - roots[None, :]), axis=1)
                it[conv] = k
            active &= ~conv
    return root, it


def hsv(root, it, nroots, itmax):
    """nb_cpp's colouring of (root, k) data."""
    out = np.zeros((*root.shape, 3))
    ok = root >= 0
    out[..., 0] = np.where(ok, root / float(nroots), 0.0)
    out[..., 1] = np.where(ok, 1.0, 0.0)
    out[..., 2] = np.where(ok, 1.0 - it / float(itmax), 0.0)
    return out
