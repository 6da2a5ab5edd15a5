"""Reading polynomials and ordering their roots."""

from __future__ import annotations

import cmath

import numpy as np
import pytest

from nbcli.poly import (
    as_coefficients,
    canonical_roots,
    coefficients_from_roots,
    format_polynomial,
    parse_complex,
    parse_complex_list,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2),
        ("-1.5", -1.5),
        ("1e-3", 1e-3),
        ("3+4j", 3 + 4j),
        ("2j", 2j),
        ("-2+7.5j", -2 + 7.5j),
        ("5.1233+0.1j", 5.1233 + 0.1j),
        (" 1 + 2i ", 1 + 2j),
        ("-j", -1j),
        ("12J", 12j),
    ],
)
def test_parse_complex(text, value):
    assert parse_complex(text) == value


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("abc", "cannot read"),
        ("1+", "cannot read"),
        ("nan", "not finite"),
        ("-inf", "not finite"),
        ("1e999", "too large"),
    ],
)
def test_parse_complex_errors(text, match):
    with pytest.raises(ValueError, match=match):
        parse_complex(text)


def test_parse_list():
    assert parse_complex_list("1,-2+7.5j,0,12j,5.1233+0.1j") == [1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j]
    with pytest.raises(ValueError, match="coefficient 2 of 3 is empty"):
        parse_complex_list("1,,2")
    with pytest.raises(ValueError, match="coefficient 2"):
        parse_complex_list("1,x,2")


def test_as_coefficients_strips_and_copies():
    src = np.array([0.0, 2.0, 0.0, -1.0])
    c = as_coefficients(src)
    assert c.dtype == np.complex128
    np.testing.assert_array_equal(c, [2, 0, -1])
    c[0] = 99
    assert src[1] == 2.0


def test_roots_canonical_order_by_angle_then_modulus():
    r = canonical_roots(as_coefficients([1, 0, 0, 0, 0, 0, 1]))
    angles = [cmath.phase(z) % (2 * np.pi) for z in r]
    assert angles == sorted(angles)
    np.testing.assert_allclose(np.abs(r), 1, rtol=1e-15)
    # same angle: nearer first
    r = canonical_roots(coefficients_from_roots([2, 1, -1]))
    np.testing.assert_array_equal(r, [1, 2, -1])


def test_roots_are_polished_and_independent_of_input_order():
    roots = np.array([0.3 + 1.2j, -1.1, 2 - 0.5j, 0.7j])
    a = canonical_roots(coefficients_from_roots(roots))
    b = canonical_roots(coefficients_from_roots(roots[::-1]))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    c = coefficients_from_roots(roots)
    assert np.max(np.abs(np.polyval(c, a))) < 1e-14


def test_real_polynomial_roots_are_exactly_conjugate_closed():
    r = canonical_roots(as_coefficients([1, -0.5, 2, 0, 1, 3]))
    assert set(r.tolist()) == {z.conjugate() for z in r.tolist()}


@pytest.mark.parametrize("roots", [[1, 1, -1], [1, 1, 1, 1, -1], [2j, 2j, 1, 1, 1], [0, 0, 0, 1]])
def test_repeated_roots_are_listed_once(roots):
    r = canonical_roots(coefficients_from_roots(roots))
    assert len(r) == len(set(roots))
    np.testing.assert_allclose(
        sorted(r, key=lambda z: (z.real, z.imag)),
        sorted({complex(z) for z in roots}, key=lambda z: (z.real, z.imag)),
        atol=1e-6,
    )


def test_exact_roots_given_by_user_are_kept():
    r = canonical_roots(coefficients_from_roots([1, 1, -1, 0.5j]), roots=[1, 1, -1, 0.5j])
    np.testing.assert_array_equal(r, [1, 0.5j, -1])


def test_format_polynomial():
    assert format_polynomial([1, 0, 0, 0, 0, 0, 1]) == "z^6 + 1"
    assert format_polynomial([1, 0, -1]) == "z^2 - 1"
    assert format_polynomial([2, -3, 0, 1]) == "2z^3 - 3z^2 + 1"
    assert "12j" in format_polynomial([1, 12j, 1])


@pytest.mark.parametrize(
    ("roots", "expect"),
    [
        ([1, 1, 1.005], [1, 1.005]),  # a double root next to a distinct one
        ([2, 2, 2, 2.01], [2, 2.01]),
        ([1, 1.0001, 1.0002], [1, 1.0001, 1.0002]),  # close but distinct: kept apart
        ([3, 3, -1, -1, 2j, -2j], [3, 2j, -1, -2j]),
        ([1, 1, 1, 1, 1], [1]),
    ],
)
def test_repeated_roots_next_to_distinct_ones(roots, expect):
    r = canonical_roots(coefficients_from_roots(roots))
    np.testing.assert_allclose(r, expect, atol=1e-6)


@pytest.mark.parametrize("n", [2, 8, 15, 16, 60, 300])
def test_many_distinct_roots_are_not_merged(n):
    assert len(canonical_roots(as_coefficients([1] + [0] * (n - 1) + [-1]))) == n


def test_user_roots_closer_than_rounding_stay_distinct():
    r = canonical_roots(coefficients_from_roots([1 + 1e-10j, 1 - 1e-10j]), roots=[1 + 1e-10j, 1 - 1e-10j])
    assert sorted(r.imag.tolist()) == [-1e-10, 1e-10]


def test_format_negative_imaginary_coefficient():
    assert format_polynomial([1, 0, -1j]) == "z^2 - 1j"
