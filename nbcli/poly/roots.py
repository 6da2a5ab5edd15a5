"""Roots: found once per polynomial, with their multiplicities, in a canonical order.

Roots of a polynomial given by coefficients are found by the Aberth-Ehrlich
iteration (``nbcli.poly.aberth``) and grouped into distinct roots with their
multiplicities (``nbcli.poly.multiple``); roots given exactly (``--roots``,
factored expressions) are never merged unless equal.

Root order is what gives each basin its colour, so it is fixed and documented:
roots are sorted by their argument (angle) in [0, 2*pi), counter-clockwise from
the positive real axis, and roots with the same argument by their modulus.
Repeated roots are listed once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._native import polish_roots
from ..errors import ParameterError
from .aberth import TOO_WIDE, aberth, scaled
from .multiple import group
from .numbers import ComplexLike, as_complex_vector

__all__ = ["RootSet", "canonical_roots", "find_roots", "root_set"]


@dataclass(frozen=True)
class RootSet:
    """The distinct roots of a polynomial in canonical order, and how often each is a root."""

    roots: np.ndarray  # complex128
    multiplicities: np.ndarray  # int64, same order; they add up to the degree


def find_roots(coefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct roots, multiplicities) of the polynomial with these coefficients (highest degree
    first, leading one nonzero), unordered. ParameterError if they cannot be found in double precision."""
    c = np.asarray(coefs, dtype=np.complex128)
    if c.size < 2 or not np.all(np.isfinite(c)) or c[0] == 0:
        raise ParameterError(TOO_WIDE)
    nz = np.flatnonzero(c)
    zeros = c.size - 1 - int(nz[-1])  # z^k divides p: 0 is a k-fold root, exactly
    c = c[: int(nz[-1]) + 1]
    roots: list[complex] = []
    mults: list[int] = []
    if c.size > 1:
        a, t = scaled(c)
        y = aberth(a)
        found, mults = group(a, y)
        r = polish_roots(a, np.array(found, dtype=np.complex128), np.array(mults, dtype=np.intc))
        with np.errstate(over="ignore", invalid="ignore"):  # a root beyond double's range: refused below
            roots = (np.ldexp(r.real, t) + 1j * np.ldexp(r.imag, t)).tolist()
    if zeros:
        roots.append(0j)
        mults.append(zeros)
    out = np.array(roots, dtype=np.complex128)
    if not np.all(np.isfinite(out)):
        raise ParameterError(TOO_WIDE)
    return out, np.array(mults, dtype=np.int64)


def _symmetrise(r: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make the roots of a real polynomial exactly closed under conjugation.

    Roots within rounding of the real axis become real; every other root is
    paired with the root nearest its conjugate, if that is within rounding
    distance, and the pair is made an exact conjugate pair.
    """
    scale = max(float(np.max(np.abs(r))), 1e-300)
    out, mult = [], []
    used = np.zeros(r.size, bool)
    for i, z in enumerate(r.tolist()):
        if used[i]:
            continue
        used[i] = True
        tol = 1e-9 * max(abs(z), 1e-12 * scale)
        if abs(z.imag) <= tol:
            out.append(complex(z.real, 0.0))
            mult.append(m[i])
            continue
        gap = np.where(used, np.inf, np.abs(r - z.conjugate()))
        j = int(np.argmin(gap))
        if gap[j] > 1e3 * tol:
            out.append(z)
            mult.append(m[i])
            continue
        used[j] = True
        w = (z + r[j].conjugate()) / 2
        out += [w, w.conjugate()]
        mult += [m[i], m[j]]
    return np.array(out, dtype=np.complex128), np.array(mult, dtype=np.int64)


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
        mean = np.mean(q[group])
        for j in group:
            out[j] = complex(
                math.copysign(mean.real, r[j].real) if mean.real else 0.0,
                math.copysign(mean.imag, r[j].imag) if mean.imag else 0.0,
            )
        done[group] = True
    return np.asarray(out, dtype=np.complex128)


def _sort_key(z: complex) -> tuple[float, float]:
    ang = math.atan2(z.imag, z.real) % (2 * math.pi)
    if ang > 2 * math.pi - 1e-12:
        ang = 0.0
    return (round(ang, 12), round(abs(z), 12))


def root_set(coefs: np.ndarray, roots: Sequence[ComplexLike] | np.ndarray | None = None) -> RootSet:
    """The distinct roots of the polynomial, with their multiplicities, in canonical order.

    ``roots`` may give the roots exactly, with repeats (as ``--roots`` and factored
    expressions do): they are kept as they are, and equal ones counted. Otherwise
    they are found from ``coefs`` (see the module's docstring).
    """
    c = np.asarray(coefs, dtype=np.complex128)
    if roots is not None:
        given = as_complex_vector(roots, "roots") + 0.0  # no negative zeros
        counts: dict[complex, int] = {}
        for z in given.tolist():
            counts[z] = counts.get(z, 0) + 1
        r = np.array(list(counts), dtype=np.complex128)
        m = np.array(list(counts.values()), dtype=np.int64)
    else:
        r, m = find_roots(c)
        if not np.any(c.imag != 0):
            r, m = _symmetrise(r, m)
            if _is_even_or_odd(c):
                r = _symmetrise_quadrants(r)
    if not np.all(np.isfinite(r)):
        raise ParameterError(TOO_WIDE)
    r = r + 0.0  # no negative zeros
    order = sorted(range(r.size), key=lambda i: _sort_key(complex(r[i])))
    r, m = r[order], m[order]
    # a root that symmetrising made equal to another counts once
    keep: dict[complex, int] = {}
    for z, k in zip(r.tolist(), m.tolist(), strict=True):
        keep[z] = keep.get(z, 0) + k
    return RootSet(np.array(list(keep), dtype=np.complex128), np.array(list(keep.values()), dtype=np.int64))


def canonical_roots(coefs: np.ndarray, roots: Sequence[ComplexLike] | np.ndarray | None = None) -> np.ndarray:
    """The distinct roots of the polynomial in canonical order (see ``root_set``)."""
    return root_set(coefs, roots).roots
