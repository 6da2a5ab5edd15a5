"""Polynomials: reading coefficients and roots, and finding roots in a canonical order.

Root order is what gives each basin its colour, so it is fixed and documented:
roots are sorted by their argument (angle) in [0, 2*pi), counter-clockwise from
the positive real axis, and roots with the same argument by their modulus.
Repeated roots are listed once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Union

import numpy as np

ComplexLike = Union[complex, float, int]

__all__ = [
    "as_coefficients",
    "canonical_roots",
    "coefficients_from_roots",
    "format_polynomial",
    "parse_complex",
    "parse_complex_list",
    "parse_polynomial",
]

_NUMBER_HINT = "write numbers like 2, -1.5, 1e-3, 3+4j or 2j"


def _quote(text: str, limit: int = 80) -> str:
    """``repr(text)`` for a message, cut to about ``limit`` characters so the message stays a
    readable line (the cut counts escapes: one control character can take ten)."""
    quoted = repr(text)
    if len(quoted) <= limit:
        return quoted
    kept, used = [], 0
    for ch in text:
        used += len(repr(ch)) - 2
        if used > limit - 5:
            break
        kept.append(ch)
    return repr("".join(kept) + "...")


def parse_complex(text: str, what: str = "number") -> complex:
    """Read one real or complex number: ``2``, ``-1.5e3``, ``3+4j``, ``2j``, ``-2+7.5i``."""
    s = re.sub(r"\s+", "", text)
    shown = _quote(text.strip())
    if not s:
        raise ValueError(f"empty {what}; {_NUMBER_HINT}")
    low = s.lower()
    if "inf" in low or "nan" in low:
        raise ValueError(f"{what} {shown} is not finite")
    s = s.replace("i", "j").replace("I", "j").replace("J", "j")
    try:
        value = complex(s)
    except ValueError:
        raise ValueError(f"cannot read {what} {shown}; {_NUMBER_HINT}") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ValueError(f"{what} {shown} is too large (not finite in double precision)")
    return value


def parse_complex_list(text: str, what: str = "coefficient") -> list[complex]:
    """Read a comma-separated list of numbers, e.g. ``1,-2+7.5j,0,12j``."""
    items = text.split(",")
    if len(items) == 1 and not items[0].strip():
        raise ValueError(f"no {what}s given")
    out = []
    for i, item in enumerate(items, 1):
        if not item.strip():
            raise ValueError(f"{what} {i} of {len(items)} is empty (two commas in a row?)")
        out.append(parse_complex(item, f"{what} {i}"))
    return out


# --- polynomial expressions -------------------------------------------------------------------

MAX_EXPRESSION_LENGTH = 10_000
MAX_NESTING = 200
MAX_DEGREE = 1000

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_]+")
_UNIT_LETTERS = frozenset("zZjJiI")
_OPERAND_HINT = "a number, z or '('"

# Binary operators: precedence and associativity. Unary + and - sit between * and ^,
# so -z^2 is -(z^2) and 2*-z is 2*(-z), as in Python.
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
_UNARY_PRECEDENCE = 3


class _Token:
    __slots__ = ("kind", "pos", "text", "value")

    def __init__(self, kind: str, text: str, pos: int, value: complex = 0j) -> None:
        self.kind = kind  # "num", "z", "(", ")", an operator, or "end"
        self.text = text
        self.pos = pos  # 0-based index into the expression
        self.value = value


class _ExprError(Exception):
    def __init__(self, message: str, pos: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "*" and text.startswith("**", i):
            out.append(_Token("^", "**", i))
            i += 2
            continue
        if ch in "+-*/^()":
            out.append(_Token(ch, ch, i))
            i += 1
            continue
        if ch == "\N{MINUS SIGN}":
            out.append(_Token("-", ch, i))
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m:
            end = m.end()
            imaginary = end < n and text[end] in "jJiI"
            x = float(m.group())
            if not math.isfinite(x):
                raise _ExprError(
                    f"number {_quote(m.group(), 40)} is too large (not finite in double precision)", i
                )
            if imaginary:
                end += 1
            out.append(_Token("num", text[i:end], i, complex(0.0, x) if imaginary else complex(x, 0.0)))
            i = end
            continue
        m = _WORD.match(text, i)
        if m:
            word = m.group()
            if not set(word) <= _UNIT_LETTERS:
                hint = "; the variable is z" if word in ("x", "X", "w", "s") else ""
                raise _ExprError(
                    f"unknown name {_quote(word, 40)}{hint} (only z, the imaginary unit j or i, numbers and + - * / ^ ( ))",
                    i,
                )
            for k, letter in enumerate(word):  # zz, iz, zj: juxtaposed one-letter names
                if letter in "zZ":
                    out.append(_Token("z", letter, i + k))
                else:
                    out.append(_Token("num", letter, i + k, 1j))
            i = m.end()
            continue
        raise _ExprError(f"unexpected character {ch!r}", i)
    out.append(_Token("end", "", n))
    return out


def _trim(p: np.ndarray) -> np.ndarray:
    nz = np.flatnonzero(p)
    return p[nz[0] :] if nz.size else p[-1:]


def _op_name(op: _Token) -> str:
    return repr(op.text) if op.text else "the implied multiplication"


def _checked(p: np.ndarray, op: _Token) -> np.ndarray:
    if not np.all(np.isfinite(p)):
        raise _ExprError(f"non-finite coefficient (overflow past double precision) at {_op_name(op)}", op.pos)
    return _trim(p)


def _degree_limit(degree: int, op: _Token) -> None:
    if degree > MAX_DEGREE:
        raise _ExprError(f"degree {degree} is above the limit of {MAX_DEGREE} at {_op_name(op)}", op.pos)


def _exponent(p: np.ndarray, op: _Token) -> int:
    bad = f"exponent must be a non-negative integer (0..{MAX_DEGREE})"
    if p.size > 1:
        raise _ExprError(f"{bad}, not a polynomial in z, for the {op.text!r}", op.pos)
    e = complex(p[0])
    if e.imag != 0 or not e.real.is_integer() or e.real < 0:
        raise _ExprError(f"{bad}, not {_fmt_num(e)}, for the {op.text!r}", op.pos)
    if e.real > MAX_DEGREE:
        shown = f"{e.real:.0f}" if e.real < 1e15 else f"{e.real:.6g}"
        raise _ExprError(f"exponent {shown} is above the limit of {MAX_DEGREE} for the {op.text!r}", op.pos)
    return int(e.real)


def _apply(op: _Token, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    kind = op.kind
    if kind in ("+", "-"):
        n = max(a.size, b.size)
        a = np.concatenate([np.zeros(n - a.size, np.complex128), a])
        b = np.concatenate([np.zeros(n - b.size, np.complex128), b])
        return _checked(a + b if kind == "+" else a - b, op)
    if kind == "*":
        _degree_limit(a.size + b.size - 2, op)
        return _checked(np.convolve(a, b), op)
    if kind == "/":
        if b.size > 1:
            raise _ExprError(
                f"can only divide by a constant, not by a polynomial in z, at the {op.text!r}", op.pos
            )
        if b[0] == 0:
            raise _ExprError(f"division by zero at the {op.text!r}", op.pos)
        return _checked(a / b[0], op)
    # "^": square-and-multiply; every product is an exact convolution, rounded once per step
    e = _exponent(b, op)
    _degree_limit((a.size - 1) * e, op)
    result = np.ones(1, np.complex128)
    base = a
    while e:
        if e & 1:
            result = _checked(np.convolve(result, base), op)
        e >>= 1
        if e:
            base = _checked(np.convolve(base, base), op)
    return result


def _evaluate(tokens: list[_Token]) -> np.ndarray:
    """Operator precedence (shunting-yard) with explicit stacks: no recursion, so deep nesting
    costs memory bounded by the input length, never the interpreter's stack."""
    values: list[np.ndarray] = []
    ops: list[_Token] = []  # binary operators, unary "u+"/"u-", and "(" markers
    depth = 0
    expect_operand = True
    prev: _Token | None = None

    def reduce_top() -> None:
        op = ops.pop()
        if op.kind in ("u-", "u+"):
            v = values.pop()
            values.append(-v if op.kind == "u-" else v)
            return
        b = values.pop()
        a = values.pop()
        values.append(_apply(op, a, b))

    def precedence(op: _Token) -> int:
        return _UNARY_PRECEDENCE if op.kind in ("u-", "u+") else _BINARY[op.kind]

    def push_binary(op: _Token) -> None:
        p = _BINARY[op.kind]
        right = op.kind == "^"
        while (
            ops
            and ops[-1].kind != "("
            and (precedence(ops[-1]) > p or (not right and precedence(ops[-1]) == p))
        ):
            reduce_top()
        ops.append(op)

    for tok in tokens:
        kind = tok.kind
        if expect_operand:
            if kind == "num":
                values.append(np.array([tok.value], np.complex128))
                expect_operand = False
            elif kind == "z":
                values.append(np.array([1, 0], np.complex128))
                expect_operand = False
            elif kind == "(":
                depth += 1
                if depth > MAX_NESTING:
                    raise _ExprError(f"parentheses nested deeper than the limit of {MAX_NESTING}", tok.pos)
                ops.append(tok)
            elif kind in ("+", "-"):
                ops.append(_Token("u" + kind, tok.text, tok.pos))
            elif prev is None:
                if kind == "end":
                    raise _ExprError("the expression is empty")
                raise _ExprError(f"unexpected {tok.text!r}; expected {_OPERAND_HINT} first", tok.pos)
            elif kind == "end":
                raise _ExprError(f"expected {_OPERAND_HINT} after {prev.text!r}", prev.pos)
            else:
                raise _ExprError(
                    f"unexpected {tok.text!r}; expected {_OPERAND_HINT} after {prev.text!r}", tok.pos
                )
        elif kind in _BINARY:
            push_binary(tok)
            expect_operand = True
        elif kind == ")":
            while ops and ops[-1].kind != "(":
                reduce_top()
            if not ops:
                raise _ExprError("unexpected ')' without a matching '('", tok.pos)
            ops.pop()
            depth -= 1
        elif kind in ("z", "("):  # juxtaposition: 3z, 2(z-1), (z-1)(z+1), z(z+1)
            push_binary(_Token("*", "", tok.pos))
            if kind == "z":
                values.append(np.array([1, 0], np.complex128))
            else:
                depth += 1
                if depth > MAX_NESTING:
                    raise _ExprError(f"parentheses nested deeper than the limit of {MAX_NESTING}", tok.pos)
                ops.append(tok)
                expect_operand = True
        elif kind == "num":
            if tok.text in ("j", "J", "i", "I"):  # z j, (1+z)i: the unit is a name, like z
                push_binary(_Token("*", "", tok.pos))
                values.append(np.array([tok.value], np.complex128))
            else:
                raise _ExprError(
                    f"a number cannot follow {_quote(prev.text if prev else '', 40)} directly; write '*' or '^' between them",
                    tok.pos,
                )
        else:  # "end"
            while ops:
                if ops[-1].kind == "(":
                    raise _ExprError("missing ')' for this '('", ops[-1].pos)
                reduce_top()
        prev = tok
    return values[0]


def parse_polynomial(text: str) -> np.ndarray:
    """Read a polynomial in z written as an expression, e.g. ``z^5 - 3z^2 + (1+2j)``.

    Returns complex128 coefficients, highest degree first, leading zeros dropped
    (the same form as :func:`as_coefficients`). The grammar, loosest binding first:

    * ``+`` and ``-`` (binary, and unary in front of any operand);
    * ``*``, ``/`` and juxtaposition (``3z``, ``2(z-1)``, ``(z-1)(z+1)``, ``z(z+1)``), left to
      right; a number may not follow directly (``z2`` is an error, write ``z^2`` or ``z*2``);
      division only by a nonzero constant;
    * ``^`` or ``**``, right-associative; the exponent may be any constant expression whose
      value is a whole number 0..1000 (``z^3``, ``z^(2+1)``, ``z^2^2``);
    * operands: numbers (``2``, ``-1.5``, ``.5``, ``1e-3``), imaginary numbers (``2j``, ``1.5i``),
      the imaginary unit ``j`` or ``i``, the variable ``z``, and ``( ... )``.

    Whitespace may stand between any two tokens. Nothing is evaluated by Python: the text
    is tokenized and read by a small operator-precedence parser, and the arithmetic is
    done on coefficient arrays (products are exact convolutions).

    Limits: at most 10 000 characters, parentheses nested at most 200 deep, every
    exponent and every intermediate degree at most 1000. Every problem raises a
    one-line ValueError saying what is wrong and at which character (counted from 1).
    """
    shown = _quote(text)
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ValueError(
            f"cannot read expression {shown}: it is {len(text)} characters long, "
            f"above the limit of {MAX_EXPRESSION_LENGTH}"
        )
    try:
        with np.errstate(all="ignore"):
            p = _trim(_evaluate(_tokens(text)))
    except _ExprError as e:
        where = "" if e.pos is None else f" at character {e.pos + 1}"
        raise ValueError(f"cannot read expression {shown}: {e.message}{where}") from None
    if p.size == 1:
        if p[0] == 0:
            raise ValueError(f"cannot read expression {shown}: the polynomial is zero")
        raise ValueError(
            f"cannot read expression {shown}: the expression is a constant, not a polynomial in z"
        )
    out: np.ndarray = p + 0.0  # a new array, and no negative zeros (from -z^2)
    return out


def _as_complex_vector(values: Any, what: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a sequence of numbers, not a string")
    try:
        arr = np.array(values)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what} must be a sequence of numbers ({e})") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{what} must be numbers (got {arr.dtype})")
    if arr.ndim != 1:
        raise ValueError(f"{what} must be a flat sequence (got an array of shape {arr.shape})")
    arr = arr.astype(np.complex128)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite (got NaN or infinity)")
    return arr


def as_coefficients(coefs: Iterable[ComplexLike] | np.ndarray) -> np.ndarray:
    """Validate coefficients (highest degree first) and return a new complex128 array.

    Leading zeros are dropped. Raises ValueError if nothing of degree >= 1 is left.
    """
    c = _as_complex_vector(coefs, "coefficients")
    if c.size == 0:
        raise ValueError("no coefficients given")
    nz = np.flatnonzero(c)
    if nz.size == 0:
        raise ValueError("all coefficients are zero; give at least a nonzero z term, e.g. 1,0,-1 for z^2 - 1")
    c = c[nz[0] :].copy()
    if c.size < 2:
        raise ValueError(
            "the polynomial is a constant (degree 0) and has no roots; give at least two coefficients, "
            "highest degree first, e.g. 1,0,-1 for z^2 - 1"
        )
    scale = np.max(np.abs(c))
    if not np.isfinite(scale) or scale == 0:
        raise ValueError("coefficients are too large to work with")
    out: np.ndarray = c
    return out


def coefficients_from_roots(roots: Iterable[ComplexLike] | np.ndarray) -> np.ndarray:
    """Coefficients of the monic polynomial with these roots (repeats allowed)."""
    r = _as_complex_vector(roots, "roots")
    if r.size == 0:
        raise ValueError("no roots given")
    c = np.poly(r).astype(np.complex128)
    if not np.all(np.isfinite(c)):
        raise ValueError("the roots are too large: the polynomial's coefficients overflow")
    return c


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
        r = _as_complex_vector(roots, "roots")  # given exactly: kept as they are
    else:
        with np.errstate(all="ignore"):
            try:
                r = np.roots(c) if np.all(np.isfinite(c / c[0])) else np.array([np.nan])
            except np.linalg.LinAlgError:
                r = np.array([np.nan])
        if not np.all(np.isfinite(r)):
            raise ValueError(
                "could not find the roots of this polynomial (the coefficients' range is too wide)"
            )
        r = _cluster(c, _polish(c, r))
        if not np.any(c.imag != 0):
            r = _symmetrise(r)
            if _is_even_or_odd(c):
                r = _symmetrise_quadrants(r)
    if not np.all(np.isfinite(r)):
        raise ValueError("could not find the roots of this polynomial (the coefficients' range is too wide)")
    r = r + 0.0  # no negative zeros
    r = np.array(list(dict.fromkeys(r.tolist())), dtype=np.complex128)  # a repeat counts once
    return np.array(sorted(r.tolist(), key=_sort_key), dtype=np.complex128)


def _fmt_num(v: complex) -> str:
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
        coef = _fmt_num(mag)
        if zpart and coef == "1":
            coef = ""
        sep = "*" if coef.endswith("j") and zpart else ""
        body = f"{coef}{sep}{zpart}" or "1"
        if not terms:
            terms.append(f"-{body}" if neg else body)
        else:
            terms.append(f"{'-' if neg else '+'} {body}")
    return " ".join(terms) if terms else "0"
