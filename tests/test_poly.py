"""Reading polynomials and ordering their roots."""

from __future__ import annotations

import cmath

import numpy as np
import pytest

import nbcli
from nbcli._native import LIMITS
from nbcli.errors import ParameterError
from nbcli.poly import (
    as_coefficients,
    canonical_roots,
    coefficients_from_roots,
    format_polynomial,
    parse_complex,
    parse_complex_list,
    parse_factored,
    parse_polynomial,
    root_set,
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


# ---- multiplicities ---------------------------------------------------------------------------------


def _counted(rs) -> dict[complex, int]:
    return dict(zip(rs.roots.tolist(), rs.multiplicities.tolist(), strict=True))


def _expect(rs, expected: dict[complex, int], atol: float) -> None:
    """rs has exactly these distinct roots (each within atol), with these multiplicities."""
    assert len(rs.roots) == len(expected), _counted(rs)
    for z, m in expected.items():
        i = int(np.argmin(np.abs(rs.roots - z)))
        assert abs(rs.roots[i] - z) <= atol, (z, rs.roots[i])
        assert rs.multiplicities[i] == m, (z, _counted(rs))
    assert int(rs.multiplicities.sum()) == sum(expected.values())


@pytest.mark.parametrize("m", [2, 3, 5, 16, 17, 25, 40, 56])
def test_repeated_root_from_coefficients_counts_once(m):
    # (z-1)^m: its binomial coefficients are exact up to m = 56; (z-1)^17 used to come back as 17 roots
    _expect(root_set(parse_polynomial(f"(z-1)^{m}")), {1: m}, atol=1e-6)


@pytest.mark.parametrize(
    ("expr", "expected", "atol"),
    [
        ("z^4 (z-1)^5", {0: 4, 1: 5}, 1e-6),
        ("(z-1)^3 (z+1)^2 (z-2j)^4", {1: 3, -1: 2, 2j: 4}, 1e-6),
        ("(z^2+1)^3 (z-3)^2 (z+0.5)", {1j: 3, -1j: 3, 3: 2, -0.5: 1}, 1e-6),
        ("(z^3-2)^8", {2 ** (1 / 3) * cmath.exp(2j * cmath.pi * k / 3): 8 for k in range(3)}, 1e-6),
        # degree 500: ten 50-fold roots (where rounding the coefficients alone moves roots by ~10%,
        # the centre of the cluster is the estimate); degree 1000, the limit: 500 double roots,
        # and one 1000-fold root
        ("(z^10-2)^50", {2 ** (1 / 10) * cmath.exp(2j * cmath.pi * k / 10): 50 for k in range(10)}, 1e-2),
        ("(z^500-1)^2", {cmath.exp(2j * cmath.pi * k / 500): 2 for k in range(500)}, 1e-6),
        ("(z-1)^1000", {1: 1000}, 1e-6),
    ],
)
def test_several_multiple_roots_from_coefficients(expr, expected, atol):
    _expect(root_set(parse_polynomial(expr)), expected, atol)


@pytest.mark.parametrize(
    "coefs",
    [
        [1] + [0] * 999 + [-1],  # z^1000 - 1: 1000 roots 0.0063 apart
        list(np.random.default_rng(7).standard_normal(1001)),  # random, degree 1000
        coefficients_from_roots([1, 1.0001, 1.0002]),  # close, but far more than rounding apart
        coefficients_from_roots(np.arange(1, 21)),  # Wilkinson's polynomial
    ],
    ids=["z1000-1", "random1000", "close", "wilkinson"],
)
def test_distinct_roots_are_not_taken_for_multiple_ones(coefs):
    rs = root_set(as_coefficients(coefs))
    assert len(rs.roots) == len(coefs) - 1
    assert set(rs.multiplicities.tolist()) == {1}


def test_exact_roots_keep_their_multiplicities_up_to_the_degree_limit():
    # the same degree-1000 polynomial by its roots and as a product: multiplicities are known exactly
    given = [0.5] * 500 + [-0.5] * 300 + [0.25j] * 200
    coefs, from_factors = parse_factored("(z-0.5)^500 (z+0.5)^300 (z-0.25j)^200")
    assert coefs.size == LIMITS.max_degree + 1
    for roots in (given, from_factors):
        rs = root_set(coefs, roots)
        assert _counted(rs) == {0.5: 500, -0.5: 300, 0.25j: 200}


def test_factored_expressions_give_their_roots():
    c, r = parse_factored("2(z-1)^17 (z^2+1)^2 (z^2-1)")  # (z^2-1) shares the root 1 with (z-1)
    assert c.size == 24 and r.size == 23
    _expect(root_set(c, r), {1: 18, -1: 1, 1j: 2, -1j: 2}, atol=1e-15)
    assert parse_factored("z^3 - 1")[1] is None  # a sum: only its coefficients tell its roots
    assert parse_factored("(z^3 - 1)^2")[1].size == 6


def test_scene_finds_the_roots_once(monkeypatch):
    # framing the view, colouring and the statistics all use them: one search per polynomial
    from nbcli import scene as scene_module

    calls = []
    real = scene_module.root_set
    monkeypatch.setattr(scene_module, "root_set", lambda *a: calls.append(1) or real(*a))
    scene_module._scene_roots.cache_clear()
    coefs = list(np.random.default_rng(3).standard_normal(301))
    info = nbcli.render(coefs=coefs, size=(16, 12)).stats
    assert calls == [1] and len(info["roots"]) == 300


@pytest.mark.parametrize(
    "coefs",
    [
        [1.1125369292536007e-308, 2.0],  # a root beyond double's range
        [1.1125369292536007e-308, 4.0, 1.0],  # one beyond, one not: beyond times 0 is NaN
        [2.225073858507e-311, 1.0, 1.1125369292536007e-308],  # the start radius overflows
    ],
)
def test_roots_beyond_doubles_range_are_one_clear_error(coefs):
    # found by the property-based test exploring (HYPOTHESIS_PROFILE=explore): each raised an
    # OverflowError or a RuntimeWarning from inside the root finder instead
    with pytest.raises(ParameterError, match="range is too wide"):
        nbcli.compute(1, 1, coefs, 0, 0, 0, 0, 1, 0)
