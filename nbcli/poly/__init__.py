"""Polynomials: numbers and coefficients read from text, expressions in z, roots in a canonical order.

- ``numbers``: one number or a comma-separated list from text; coefficient checks; text out.
- ``expr``: ``parse_polynomial('(z-1)^2 (z+1)')`` -> coefficients; ``parse_factored``: and the
  roots with repeats, from the factors.
- ``roots``: ``root_set(coefs)``, the distinct roots with their multiplicities, in the order
  that gives each basin its colour.
"""

from __future__ import annotations

from ..errors import quote
from .expr import MAX_DEGREE, MAX_EXPRESSION_LENGTH, MAX_NESTING, parse_factored, parse_polynomial
from .numbers import (
    ComplexLike,
    as_coefficients,
    as_complex_vector,
    coefficients_from_roots,
    format_number,
    format_polynomial,
    parse_complex,
    parse_complex_list,
    roots_of,
)
from .roots import RootSet, canonical_roots, root_set

__all__ = [
    "MAX_DEGREE",
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING",
    "ComplexLike",
    "RootSet",
    "as_coefficients",
    "as_complex_vector",
    "canonical_roots",
    "coefficients_from_roots",
    "format_number",
    "format_polynomial",
    "parse_complex",
    "parse_complex_list",
    "parse_factored",
    "parse_polynomial",
    "quote",
    "root_set",
    "roots_of",
]
