"""Canonical roots: the last bits of every root found from coefficients are defined, not left to the
platform (``native/include/nbr/roots.hpp``): the double nearest to the true root, whatever
approximation the root finder started from."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from nbcli._native import polish_roots
from nbcli.errors import ParameterError
from nbcli.poly import canonical_roots, root_set

# A complex number as two exact rationals.
Q = tuple[Fraction, Fraction]


def _mul(a: Q, b: Q) -> Q:
    return (a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0])


def _grid(x: Fraction) -> Fraction:
    """x to the nearest multiple of 2^-400: far below a double's resolution, and keeps the fractions small."""
    return Fraction(round(x * 2**400), 2**400)


def _exact_root(coefs: list[complex], z: complex, mult: int = 1) -> complex:
    """The root near z (of this multiplicity), by Newton's method in exact rational arithmetic on the
    (mult-1)-th derivative, rounded to the nearest doubles part by part (``float`` of a Fraction is
    correctly rounded): the canonical root, computed independently of the core."""
    n = len(coefs) - 1
    q: list[Q] = []
    for i, c in enumerate(coefs[: n - mult + 2]):
        k = n - i
        f = math.perm(k, mult - 1)
        q.append((Fraction(c.real) * f, Fraction(c.imag) * f))
    x: Q = (Fraction(z.real), Fraction(z.imag))
    for _ in range(5):
        p: Q = q[0]
        d: Q = (Fraction(0), Fraction(0))
        for c in q[1:]:
            d = _mul(d, x)
            d = (d[0] + p[0], d[1] + p[1])
            p = _mul(p, x)
            p = (p[0] + c[0], p[1] + c[1])
        den = d[0] * d[0] + d[1] * d[1]
        step = ((p[0] * d[0] + p[1] * d[1]) / den, (p[1] * d[0] - p[0] * d[1]) / den)
        x = (_grid(x[0] - step[0]), _grid(x[1] - step[1]))
    re, im = float(x[0]), float(x[1])
    big = max(abs(re), abs(im))
    return complex(0.0 if abs(re) <= big * 2.0**-96 else re, 0.0 if abs(im) <= big * 2.0**-96 else im)


def _nudged(z: complex, k: int) -> complex:
    """z moved by k units in the last place in each part (in opposite directions)."""
    re = z.real
    im = z.imag
    for _ in range(abs(k)):
        re = math.nextafter(re, math.inf if k > 0 else -math.inf)
        im = math.nextafter(im, -math.inf if k > 0 else math.inf)
    return complex(re, im)


POLYNOMIALS = {
    "z^3 - 2z + 2": [1, 0, -2, 2],
    "z^12 - 1": [1] + [0] * 11 + [-1],
    "z^6 + 1": [1, 0, 0, 0, 0, 0, 1],
    "z^3 + iz - 1": [1, 0, 1j, -1],
    "complex quartic": [1, -2 + 7.5j, 0, 12j, 5 + 0.1j],
    "z^5 - 3z^2 + (1+2j)": [1, 0, 0, -3, 0, 1 + 2j],
    "random degree 9": list(
        np.random.default_rng(7).normal(size=10) + 1j * np.random.default_rng(8).normal(size=10)
    ),
}


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_roots_are_the_doubles_nearest_the_true_roots(name: str) -> None:
    coefs = [complex(c) for c in POLYNOMIALS[name]]
    rs = root_set(np.array(coefs))
    for z, m in zip(rs.roots.tolist(), rs.multiplicities.tolist(), strict=True):
        assert z == _exact_root(coefs, z, m), (name, z)


@pytest.mark.parametrize("name", POLYNOMIALS)
@pytest.mark.parametrize("k", [-6, -1, 1, 3, 40])
def test_any_nearby_start_ends_on_the_same_root(name: str, k: int) -> None:
    coefs = np.array(POLYNOMIALS[name], dtype=np.complex128)
    rs = root_set(coefs)
    starts = np.array([_nudged(z, k) for z in rs.roots.tolist()])
    again = polish_roots(coefs, starts, rs.multiplicities.astype(np.intc))
    assert again.tolist() == rs.roots.tolist()


def test_the_sixth_roots_and_twelfth_roots_of_unity_are_exact() -> None:
    half, s = 0.5, math.sqrt(3) / 2  # sqrt is correctly rounded, and halving is exact
    want = {complex(a, b) for a, b in [(1, 0), (s, half), (half, s), (0, 1)]}
    want |= {complex(-z.real, z.imag) for z in want} | {z.conjugate() for z in want}
    want |= {complex(-z.real, -z.imag) for z in want}
    assert set(canonical_roots(np.array([1] + [0] * 11 + [-1], dtype=float)).tolist()) == {
        w + 0 for w in want
    }
    z6 = set(canonical_roots(np.array([1, 0, 0, 0, 0, 0, 1], dtype=float)).tolist())
    assert z6 == {complex(s, half), 1j, complex(-s, half), complex(-s, -half), -1j, complex(s, -half)}


def test_a_multiple_root_is_refined_on_its_derivative() -> None:
    # (z - 0.75)^3 (z + 1.5): its coefficients are exact in double (dyadic), so are its roots
    coefs = np.poly([0.75, 0.75, 0.75, -1.5])
    assert np.polyval(coefs, 0.75) == 0 and np.polyval(coefs, -1.5) == 0
    rs = root_set(coefs)
    assert dict(zip(rs.roots.tolist(), rs.multiplicities.tolist(), strict=True)) == {0.75: 3, -1.5: 1}
    start = np.array([0.75 + 3e-9j, -1.5 - 1e-15j])
    assert polish_roots(coefs, start, np.array([3, 1], dtype=np.intc)).tolist() == [0.75, -1.5]


def test_what_is_no_root_is_kept_as_it_is() -> None:
    coefs = np.array([1, 0, 0, -1], dtype=np.complex128)
    far = np.array([10 + 10j, 0.9 + 0.1j])  # not roots to double precision: refining would move them far
    assert polish_roots(coefs, far, np.array([1, 1], dtype=np.intc)).tolist() == far.tolist()
    big = np.array([1e300 + 0j])  # p cannot be evaluated there: kept
    assert polish_roots(coefs, big, np.array([1], dtype=np.intc)).tolist() == [1e300]


@pytest.mark.parametrize(
    ("coefs", "roots", "mult", "message"),
    [
        ([0, 1, 1], [1], [1], "leading coefficient"),
        ([1], [1], [1], "degree"),
        ([1, 0, -1], [1, -1], [1], "one multiplicity per root"),
    ],
)
def test_bad_arguments_are_refused(
    coefs: list[complex], roots: list[complex], mult: list[int], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        polish_roots(
            np.array(coefs, dtype=np.complex128),
            np.array(roots, dtype=np.complex128),
            np.array(mult, dtype=np.intc),
        )
