"""All roots of a polynomial at once: the Aberth-Ehrlich iteration.

Each step is a Newton step corrected by the other approximations, for all of
them together; they start on circles read from the Newton polygon of the
coefficients, as in MPSolve. An approximation is accepted when |p| there is
within the rounding error of evaluating p, so each is as accurate as double
precision allows (a simple root then gets a few guarded Newton steps to end on
the nearest double). The polynomial is first scaled by powers of two so that
nothing overflows, and p is evaluated through the reversed polynomial where
|z|^degree could. Every step is a few NumPy operations on at most degree x
degree numbers, so the work can be interrupted at any moment (Ctrl-C,
SIGTERM), and degree 1000 takes about a second (``benchmarks/roots.py``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..errors import ParameterError

__all__ = ["EPS", "TOO_WIDE", "aberth", "newton", "polish", "scaled"]

EPS = 2.0**-52
MAX_STEPS = 500  # Aberth steps; typical polynomials need 5-30, the hardest families a few hundred
_FEW, _LONG = 32, 200  # up to _FEW points of a polynomial of degree _LONG or more: through their powers
TOO_WIDE = "could not find the roots of this polynomial (the coefficients' range is too wide)"


def scaled(c: np.ndarray) -> tuple[np.ndarray, int]:
    """(a, t): p(2^t y) / K with powers of two t and K, so that |a| <= 1 and the roots' geometric
    mean modulus is near 1. Exact (powers of two), so the roots of p are 2^t times those of a."""
    n = c.size - 1
    exps = np.frexp(np.abs(c))[1].astype(np.int64)
    t = round(int(exps[-1] - exps[0]) / n)
    shift = t * np.arange(n, -1, -1, dtype=np.int64)
    top = int(np.max(np.where(c != 0, exps + shift, np.iinfo(np.int64).min)))
    sh = np.clip(shift - top, -4000, 4000)
    a = np.ldexp(c.real, sh) + 1j * np.ldexp(c.imag, sh)
    if a[0] == 0 or a[-1] == 0:  # the leading or constant term is beyond double precision's range
        raise ParameterError(TOO_WIDE)
    return a, t


def _start(a: np.ndarray) -> np.ndarray:
    """Starting points: for each edge of the upper convex hull of (k, log|a_k|), as many points
    as the edge is long, evenly spaced on the circle of the radius the edge's slope gives."""
    n = a.size - 1
    with np.errstate(divide="ignore"):
        la = np.log(np.abs(a[::-1]))  # la[k]: log |coefficient of y^k|
    hull: list[int] = []
    for k in np.flatnonzero(np.isfinite(la)).tolist():
        while len(hull) >= 2:
            k1, k2 = hull[-2], hull[-1]
            if (la[k2] - la[k1]) * (k - k1) <= (la[k] - la[k1]) * (k2 - k1):
                hull.pop()
            else:
                break
        hull.append(k)
    z = np.empty(n, np.complex128)
    for k1, k2 in itertools.pairwise(hull):
        m = k2 - k1
        try:
            radius = math.exp((la[k1] - la[k2]) / m)
        except OverflowError:  # roots beyond double's range (subnormal leading coefficients)
            raise ParameterError(TOO_WIDE) from None
        z[k1:k2] = radius * np.exp(1j * (2 * np.pi * np.arange(m) / m + 2 * np.pi * k2 / n + 0.7))
    return z


def _horner(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p(y), p'(y) and a bound on the rounding error of p(y) (Higham's running error bound):
    accurate, but one pass of NumPy operations per coefficient."""
    p = np.full(y.shape, a[0])
    d = np.zeros(y.shape, np.complex128)
    ay = np.abs(y)
    mu = np.full(y.shape, abs(a[0]) / 2)
    for ak in a[1:]:
        d = d * y + p
        p = p * y + ak
        mu = mu * ay + np.abs(p)
    return p, d, 4 * EPS * (2 * mu - np.abs(p))  # 4: complex products round a little more


def _powers(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same from the powers of y: a few NumPy operations whatever the degree, for a few points
    (the bound is looser: a power y^k carries about k roundings)."""
    n = a.size - 1
    up = a[::-1]  # coefficient of y^k at k
    k = np.arange(n + 1)
    powers = np.ones((y.size, n + 1), np.complex128)
    powers[:, 1:] = y[:, None]
    np.cumprod(powers, axis=1, out=powers)
    p = (powers * up).sum(axis=1)
    d = (powers[:, :-1] * (up[1:] * k[1:])).sum(axis=1)
    e = (np.abs(powers) * (4 * EPS * (k + 2) * np.abs(up))).sum(axis=1)
    return p, d, e


def _evaluate(a: np.ndarray, y: np.ndarray, accurate: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p(y), p'(y) and a bound on the rounding error of p(y)."""
    return _horner(a, y) if accurate or y.size > _FEW or a.size <= _LONG else _powers(a, y)


def _direct(y: np.ndarray, n: int) -> np.ndarray:
    """Where p (|a| <= 1) can be evaluated as it is: |y|^n stays far from overflow."""
    with np.errstate(all="ignore"):
        return np.asarray(n * np.log2(np.abs(y)) < 900)


def newton(a: np.ndarray, y: np.ndarray, accurate: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At each y: the Newton correction p/p', the same with |p| raised by its rounding error
    (the inclusion radius is degree times it), and whether p(y) is zero within rounding.
    Where |y|^n could overflow, p is evaluated through the reversed polynomial."""
    n = a.size - 1
    ratio = np.empty(y.shape, np.complex128)
    radius = np.empty(y.shape)
    zero = np.empty(y.shape, bool)
    inner = _direct(y, n)
    with np.errstate(all="ignore"):
        p, d, e = _evaluate(a, y[inner], accurate)
        ratio[inner] = p / d
        radius[inner] = (np.abs(p) + e) / np.abs(d)
        zero[inner] = np.abs(p) <= e
        w = 1 / y[~inner]
        q, dq, e = _evaluate(a[::-1], w, accurate)  # p(y) = y^n q(1/y)
        den = w * (n * q - w * dq)
        ratio[~inner] = q / den
        radius[~inner] = (np.abs(q) + e) / np.abs(den)
        zero[~inner] = np.abs(q) <= e
    return ratio, np.where(np.isnan(radius), np.inf, radius), zero


def _log_abs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log |p(y)|, evaluated without overflow (through the reversed polynomial outside the unit circle)."""
    n = a.size - 1
    out = np.empty(y.shape)
    inner = _direct(y, n)
    with np.errstate(all="ignore"):
        out[inner] = np.log(np.abs(_horner(a, y[inner])[0]))
        w = 1 / y[~inner]
        out[~inner] = np.log(np.abs(_horner(a[::-1], w)[0])) - n * np.log(np.abs(w))
    return out


def polish(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A few Newton steps, each kept only where it makes |p| smaller: simple roots end on the
    double nearest to where p changes sign, whatever the path the iteration took."""
    for _ in range(3):
        ratio, _, _ = newton(a, y)
        cand = y - np.where(np.isfinite(ratio), ratio, 0)
        better = np.isfinite(cand) & (cand != y) & (_log_abs(a, cand) < _log_abs(a, y))
        if not better.any():
            break
        y = np.where(better, cand, y)
    return y


def aberth(a: np.ndarray) -> np.ndarray:
    """All roots of the polynomial with coefficients a (|a| <= 1, a[0] != 0 != a[-1])."""
    y = _start(a)
    active = np.ones(y.size, bool)
    for _ in range(MAX_STEPS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        ya = y[idx]
        ratio, _, zero = newton(a, ya, accurate=False)
        with np.errstate(all="ignore"):
            diff = ya[:, None] - y[None, :]
            diff[np.arange(idx.size), idx] = np.inf
            step = ratio / (1 - ratio * np.sum(1 / diff, axis=1))
        # where two approximations coincide the correction is undefined: a plain Newton step, or a nudge
        step = np.where(np.isfinite(step), step, np.where(np.isfinite(ratio), ratio, 1e-3 * (1 + np.abs(ya))))
        y[idx[~zero]] = ya[~zero] - step[~zero]
        active[idx[zero]] = False
    return y
