"""Numbers and coefficient lists: reading them from text, checking them, writing them as text."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .._native import LIMITS
from ..errors import ParameterError, quote

ComplexLike = complex | float | int

_NUMBER_HINT = "write numbers like 2, -1.5, 1e-3, 3+4j or 2j"


# spaces around a sign between two parts of a number (1 + 2j), or after a leading sign (- 2)
_SPACED_SIGN = re.compile(r"(?:(?<=[0-9.ijIJ])\s*([+-])\s*(?=[0-9.ijIJ])|^\s*([+-])\s+)")


def parse_complex(text: str, what: str = "number") -> complex:
    """Read one real or complex number: ``2``, ``-1.5e3``, ``3+4j``, ``2j``, ``-2+7.5i``.

    Spaces may stand around the sign between the real and the imaginary part (``1 + 2j``),
    never inside a number: ``1 0`` is an error, not 10.
    """
    shown = quote(text.strip())
    s = _SPACED_SIGN.sub(lambda m: m.group(1) or m.group(2), text.strip())
    if not s:
        raise ParameterError(f"empty {what}; {_NUMBER_HINT}")
    if re.search(r"\s", s):
        parts = s.split()
        if all(_is_number(p) for p in parts):
            raise ParameterError(
                f"cannot read {what} {shown}: numbers separated by spaces; separate numbers with commas "
                f"({','.join(parts)})"
            )
        raise ParameterError(f"cannot read {what} {shown}: a space inside a number; {_NUMBER_HINT}")
    low = s.lower()
    if "inf" in low or "nan" in low:
        raise ParameterError(f"{what} {shown} is not finite")
    s = s.replace("i", "j").replace("I", "j").replace("J", "j")
    try:
        value = complex(s)
    except ValueError:
        raise ParameterError(f"cannot read {what} {shown}; {_NUMBER_HINT}") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ParameterError(f"{what} {shown} is too large (not finite in double precision)")
    return value


def _is_number(text: str) -> bool:
    try:
        complex(text.replace("i", "j").replace("I", "j"))
    except ValueError:
        return False
    return True


def parse_complex_list(text: str, what: str = "coefficient") -> list[complex]:
    """Read a comma-separated list of numbers, e.g. ``1,-2+7.5j,0,12j``."""
    items = text.split(",")
    if len(items) == 1 and not items[0].strip():
        raise ParameterError(f"no {what}s given")
    out = []
    for i, item in enumerate(items, 1):
        if not item.strip():
            raise ParameterError(f"{what} {i} of {len(items)} is empty (two commas in a row?)")
        out.append(parse_complex(item, f"{what} {i}"))
    return out


def as_complex_vector(values: Any, what: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of numbers, not a string")
    try:
        arr = np.array(values)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must be a sequence of numbers ({e})") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{what} must be numbers (got {arr.dtype})")
    if arr.ndim != 1:
        raise ParameterError(f"{what} must be a flat sequence (got an array of shape {arr.shape})")
    arr = arr.astype(np.complex128)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{what} must be finite (got NaN or infinity)")
    return arr


def _degree_limit(degree: int, what: str) -> None:
    if degree > LIMITS.max_degree:
        raise ParameterError(
            f"{what}, {degree}, is above the limit of {LIMITS.max_degree} (root finding and every "
            "step of the iteration take time in proportion to it)"
        )


def as_coefficients(coefs: Iterable[ComplexLike] | np.ndarray) -> np.ndarray:
    """Validate coefficients (highest degree first) and return a new complex128 array.

    Leading zeros are dropped. Raises ValueError if nothing of degree >= 1 is left.
    """
    c = as_complex_vector(coefs, "coefficients")
    if c.size == 0:
        raise ParameterError("no coefficients given")
    nz = np.flatnonzero(c)
    if nz.size == 0:
        raise ParameterError(
            "all coefficients are zero; give at least a nonzero z term, e.g. 1,0,-1 for z^2 - 1"
        )
    c = c[nz[0] :].copy()
    _degree_limit(c.size - 1, "the polynomial's degree")
    if c.size < 2:
        raise ParameterError(
            "the polynomial is a constant (degree 0) and has no roots; give at least two coefficients, "
            "highest degree first, e.g. 1,0,-1 for z^2 - 1"
        )
    scale = np.max(np.abs(c))
    if not np.isfinite(scale) or scale == 0:
        raise ParameterError("coefficients are too large to work with")
    out: np.ndarray = c
    return out


def coefficients_from_roots(roots: Iterable[ComplexLike] | np.ndarray) -> np.ndarray:
    """Coefficients of the monic polynomial with these roots (repeats allowed)."""
    r = as_complex_vector(roots, "roots")
    if r.size == 0:
        raise ParameterError("no roots given")
    _degree_limit(r.size, "the number of roots (the degree)")
    c = np.poly(r).astype(np.complex128)
    if not np.all(np.isfinite(c)):
        raise ParameterError("the roots are too large: the polynomial's coefficients overflow")
    return c


def roots_of(coefs: np.ndarray, roots: Any) -> np.ndarray:
    """``roots`` checked as the roots, with repeats, of the polynomial with these coefficients."""
    r = as_complex_vector(roots, "roots")
    if r.size != coefs.size - 1:
        raise ParameterError(
            f"roots: {r.size} given, but the polynomial has degree {coefs.size - 1}; give each root "
            "as many times as it is a root, or only the coefficients"
        )
    return r


def format_number(v: complex) -> str:
    def f(x: float) -> str:
        return f"{x:.6g}"

    if v.imag == 0:
        return f(v.real)
    if v.real == 0:
        return f"{f(v.imag)}j"
    return f"({f(v.real)}{'+' if v.imag >= 0 else '-'}{f(abs(v.imag))}j)"


def format_polynomial(coefs: Sequence[complex] | np.ndarray) -> str:
    """Human-readable polynomial, e.g. ``z^6 + 1``."""
    c = list(np.asarray(coefs, dtype=complex))
    n = len(c) - 1
    terms: list[str] = []
    for i, a in enumerate(c):
        if a == 0:
            continue
        power = n - i
        zpart = "" if power == 0 else ("z" if power == 1 else f"z^{power}")
        neg = (a.imag == 0 and a.real < 0) or (a.real == 0 and a.imag < 0)
        mag = -a if neg else a
        coef = format_number(mag)
        if zpart and coef == "1":
            coef = ""
        sep = "*" if coef.endswith("j") and zpart else ""
        body = f"{coef}{sep}{zpart}" or "1"
        if not terms:
            terms.append(f"-{body}" if neg else body)
        else:
            terms.append(f"{'-' if neg else '+'} {body}")
    return " ".join(terms) if terms else "0"
