"""Roots in a canonical order: found once, polished, repeated roots merged.

Root order is what gives each basin its colour, so it is fixed and documented:
roots are sorted by their argument (angle) in [0, 2*pi), counter-clockwise from
the positive real axis, and roots with the same argument by their modulus.
Repeated roots are listed once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from .numbers import ComplexLike, as_complex_vector


def _polish(c: np.ndarray, r: np.ndarray, order: int = 0) -> np.ndarray:
    """A few guarded Newton steps on the order-th derivative of p."""
    with np.errstate(all="ignore"):
        for _ in range(order):
            c = np.polyder(c)
        if c.size < 2 or not np.all(np.isfinite(c)):
            return r
        dc = np.polyder(c)
        for _ in range(6):
            p = np.polyval(c, r)
            d = np.polyval(dc, r)
            ok = (d != 0) & np.isfinite(d)
            cand = np.where(ok, r - p / np.where(ok, d, 1), r)
            better = np.isfinite(cand) & (np.abs(np.polyval(c, cand)) < np.abs(p))
            if not better.any():
                break
            r = np.where(better, cand, r)
    return r


def _cluster(c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Merge the scattered copies an eigen-solver returns for a repeated root.

    An m-fold root comes back as m roots spread over about eps**(1/m) of its
    size (a little more with other roots nearby). The largest group of nearest
    neighbours within that spread is taken for one m-fold root and polished as
    the simple root of the (m-1)-th derivative; roots farther apart than that
    stay separate (closer ones cannot be told apart in double precision).
    """
    scale = float(np.max(np.abs(r))) if r.size else 0.0
    floor = 1e-3 * scale if scale > 0 else 1.0
    left = list(range(r.size))
    out: list[complex] = []
    while left:
        i = left[0]
        best = [i]
        ranked = sorted(left, key=lambda j: abs(r[j] - r[i]))
        for m in range(min(len(ranked), 16), 1, -1):
            g = r[ranked[:m]]
            centre = complex(np.mean(g))
            spread = float(np.max(np.abs(g - centre)))
            allowed = (64 if m == 2 else 8) * (2.2e-16) ** (1 / m) * max(abs(centre), floor)
            # ... and the group stands apart: dense distinct roots (z^300 - 1) are not a cluster
            others = np.delete(r, ranked[:m])
            isolated = others.size == 0 or float(np.min(np.abs(others - centre))) >= 20 * spread
            if spread <= allowed and isolated:
                best = ranked[:m]
                break
        if len(best) > 1:
            out.append(complex(_polish(c, np.array([np.mean(r[best])]), order=len(best) - 1)[0]))
        else:
            out.append(complex(r[i]))
        left = [j for j in left if j not in best]
    return np.array(out, dtype=np.complex128)


def _symmetrise(r: np.ndarray) -> np.ndarray:
    """Make the roots of a real polynomial exactly closed under conjugation.

    Roots within rounding of the real axis become real; every other root is
    paired with the root nearest its conjugate, if that is within rounding
    distance, and the pair is made an exact conjugate pair.
    """
    scale = max(float(np.max(np.abs(r))), 1e-300)
    out = []
    used = np.zeros(r.size, bool)
    for i, z in enumerate(r):
        if used[i]:
            continue
        used[i] = True
        tol = 1e-9 * max(abs(z), 1e-12 * scale)
        if abs(z.imag) <= tol:
            out.append(complex(z.real, 0.0))
            continue
        cands = [j for j in range(r.size) if not used[j] and abs(r[j] - z.conjugate()) <= 1e3 * tol]
        if not cands:
            out.append(z)
            continue
        j = min(cands, key=lambda k: abs(r[k] - z.conjugate()))
        used[j] = True
        w = (z + r[j].conjugate()) / 2
        out += [w, w.conjugate()]
    return np.array(out, dtype=np.complex128)


def _is_even_or_odd(c: np.ndarray) -> bool:
    powers = np.arange(c.size - 1, -1, -1)[c != 0] % 2
    return bool(np.all(powers == powers[0]))


def _symmetrise_quadrants(r: np.ndarray) -> np.ndarray:
    """For a real even or odd polynomial the roots are closed under z -> -z and
    z -> conj(z): make each group of mirror images exactly that."""
    scale = max(float(np.max(np.abs(r))), 1e-300)
    tiny = 1e-9 * scale
    q = np.abs(r.real) + 1j * np.abs(r.imag)
    q = np.where(np.abs(q.real) <= tiny, 1j * q.imag, q)
    q = np.where(np.abs(q.imag) <= tiny, q.real + 0j, q)
    out = r.copy()
    done = np.zeros(r.size, bool)
    for i in range(r.size):
        if done[i]:
            continue
        group = np.flatnonzero(~done & (np.abs(q - q[i]) <= 1e-9 * max(abs(q[i]), tiny)))
        m = np.mean(q[group])
        for j in group:
            out[j] = complex(
                math.copysign(m.real, r[j].real) if m.real else 0.0,
                math.copysign(m.imag, r[j].imag) if m.imag else 0.0,
            )
        done[group] = True
    return np.asarray(out, dtype=np.complex128)


def _sort_key(z: complex) -> tuple[float, float]:
    ang = math.atan2(z.imag, z.real) % (2 * math.pi)
    if ang > 2 * math.pi - 1e-12:
        ang = 0.0
    return (round(ang, 12), round(abs(z), 12))


def canonical_roots(coefs: np.ndarray, roots: Sequence[ComplexLike] | np.ndarray | None = None) -> np.ndarray:
    """The distinct roots of the polynomial, polished and in canonical order.

    ``roots`` may give the roots exactly (as from ``--roots``); otherwise they
    are computed from ``coefs`` (eigenvalues of the companion matrix, then
    Newton-polished to full precision).
    """
    c = np.asarray(coefs, dtype=np.complex128)
    if roots is not None:
        r = as_complex_vector(roots, "roots")  # given exactly: kept as they are
    else:
        with np.errstate(all="ignore"):
            try:
                r = np.roots(c) if np.all(np.isfinite(c / c[0])) else np.array([np.nan])
            except np.linalg.LinAlgError:
                r = np.array([np.nan])
        if not np.all(np.isfinite(r)):
            raise ParameterError(
                "could not find the roots of this polynomial (the coefficients' range is too wide)"
            )
        r = _cluster(c, _polish(c, r))
        if not np.any(c.imag != 0):
            r = _symmetrise(r)
            if _is_even_or_odd(c):
                r = _symmetrise_quadrants(r)
    if not np.all(np.isfinite(r)):
        raise ParameterError(
            "could not find the roots of this polynomial (the coefficients' range is too wide)"
        )
    r = r + 0.0  # no negative zeros
    r = np.array(list(dict.fromkeys(r.tolist())), dtype=np.complex128)  # a repeat counts once
    return np.array(sorted(r.tolist(), key=_sort_key), dtype=np.complex128)
