"""Exact numbers: decimal text read without rounding, written back without loss, split into
double-double.

A deep view's centre has more digits than a double holds (``-0.5123456789012345678901234``),
so centres and widths are read from text as fractions (``fractions.Fraction``), never through
a Python float; ``exact_text`` writes them back so that reading the text gives the same
fraction; ``double_double`` and ``double_double_steps`` give the pairs of doubles (hi + lo)
that double-double precision computes with.
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import ParameterError, quote, shown
from .numbers import parse_complex

__all__ = [
    "ExactComplex",
    "as_exact",
    "as_exact_complex",
    "double_double",
    "double_double_steps",
    "exact_text",
    "parse_exact",
    "parse_exact_complex",
]

ExactComplex = tuple[Fraction, Fraction]  # (real part, imaginary part)


def parse_exact_complex(text: str, what: str = "number") -> ExactComplex:
    """Read a real or complex number exactly: ``-0.5123456789012345678901234+0.12345678901234567j``.

    Accepts what ``parse_complex`` accepts, with the same messages for what it refuses; the
    parts are the fractions the decimal digits say, however many there are.
    """
    value = parse_complex(text, what)  # the checks and the messages of every number
    s = re.sub(r"\s+", "", text).lower().replace("i", "j").replace("_", "")
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1]
    re_text, im_text = s, "0"
    if s.endswith("j"):
        body = s[:-1]
        # the imaginary part starts at the last sign that is not an exponent's
        k = max((i for i in range(1, len(body)) if body[i] in "+-" and body[i - 1] != "e"), default=0)
        re_text, im_text = body[:k] or "0", body[k:]
        im_text = im_text + "1" if im_text in ("", "+", "-") else im_text
    try:
        z = (Fraction(re_text), Fraction(im_text))
    except (ValueError, ZeroDivisionError):  # pragma: no cover - parse_complex accepted it
        raise ParameterError(f"cannot read {what} {quote(text.strip())} exactly") from None
    if complex(float(z[0]), float(z[1])) != value:  # pragma: no cover - the two readings must agree
        raise ParameterError(f"cannot read {what} {quote(text.strip())} exactly")
    return z


def parse_exact(text: str, what: str = "number") -> Fraction:
    """Read a real number exactly (``3e-25``, ``0.125``)."""
    re_, im = parse_exact_complex(text, what)
    if im != 0:
        raise ParameterError(f"{what} must be a real number (got {quote(text.strip())})")
    return re_


def as_exact(value: Any, what: str) -> Fraction:
    """A real number as a fraction: text is read exactly, a float is taken as the binary
    fraction it is."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return parse_exact(value, what)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        raise TypeError(f"{what} must be a real number or its decimal text (got {shown(value)})")
    v = float(value) if not isinstance(value, (int, Decimal)) else value
    if isinstance(v, float) and not math.isfinite(v):
        raise ParameterError(f"{what} must be finite (got {v})")
    return Fraction(v)


def as_exact_complex(value: Any, what: str) -> ExactComplex:
    """A complex number as two fractions: text is read exactly, a (real, imaginary) pair of
    exact numbers is taken as it is, a complex or float as the binary fractions it holds."""
    if isinstance(value, str):
        return parse_exact_complex(value, what)
    if isinstance(value, tuple) and len(value) == 2:
        return as_exact(value[0], what), as_exact(value[1], what)
    if isinstance(value, bool) or not isinstance(value, (int, float, complex, np.number)):
        raise TypeError(f"{what} must be a number or its text (got {shown(value)})")
    z = complex(value)
    return as_exact(z.real, what), as_exact(z.imag, what)


def exact_text(x: Fraction) -> str:
    """Text that reads back (``Fraction(text)``) as exactly ``x``: a decimal when ``x`` has
    one (every number typed in decimal, every double does), else ``numerator/denominator``."""
    d = x.denominator
    twos = (d & -d).bit_length() - 1
    fives = 0
    rest = d >> twos
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return f"{x.numerator}/{x.denominator}"
    k = max(twos, fives)  # x * 10^k is a whole number
    digits = x.numerator * 10**k // d
    ctx = Context(prec=len(str(abs(digits))) + 2)
    text = str(Decimal(digits).scaleb(-k, ctx).normalize(ctx))
    return text.lower().replace("e+", "e")


def double_double(x: Fraction) -> tuple[float, float]:
    """(hi, lo): hi the double nearest to x, lo the double nearest to x - hi."""
    hi = float(x)
    return hi, float(x - Fraction(hi))


def double_double_steps(c: Fraction, step: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """c + (i - (n - 1)/2) step for i = 0 .. n-1, computed exactly and rounded once each to a
    double-double pair (hi, lo), as ``double_double`` rounds (in whole numbers over one common
    denominator: Python divides them correctly rounded, several times faster than fractions)."""
    d = Fraction(step)
    den = math.lcm(c.denominator, 2 * d.denominator)
    base = c.numerator * (den // c.denominator)  # c * den
    inc = d.numerator * (den // (2 * d.denominator))  # step / 2 * den
    hi, lo = np.empty(n), np.empty(n)
    for i in range(n):
        num = base + (2 * i - (n - 1)) * inc
        h = num / den
        h_num, h_den = h.as_integer_ratio()
        hi[i], lo[i] = h, (num * h_den - h_num * den) / (den * h_den)
    return hi, lo
