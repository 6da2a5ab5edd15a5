"""Polynomials: numbers and coefficients read from text, expressions in z, roots in a canonical order.

- ``numbers``: one number or a comma-separated list from text; coefficient checks; text out.
- ``expr``: ``parse_polynomial('(z-1)^2 (z+1)')`` -> coefficients.
- ``roots``: ``canonical_roots(coefs)``, the order that gives each basin its colour.
"""

from __future__ import annotations

from .expr import MAX_DEGREE, MAX_EXPRESSION_LENGTH, MAX_NESTING, parse_polynomial
from .numbers import (
    ComplexLike,
    as_coefficients,
    coefficients_from_roots,
    format_number,
    format_polynomial,
    parse_complex,
    parse_complex_list,
)
from .roots import canonical_roots

__all__ = [
    "MAX_DEGREE",
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING",
    "ComplexLike",
    "as_coefficients",
    "canonical_roots",
    "coefficients_from_roots",
    "format_number",
    "format_polynomial",
    "parse_complex",
    "parse_complex_list",
    "parse_polynomial",
]
