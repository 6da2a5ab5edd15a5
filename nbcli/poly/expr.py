"""Polynomial expressions in z (``--expr``): a hand-written precedence parser, no eval.

Errors point at the character where the expression went wrong. Length,
nesting and degree are bounded so that no input takes long.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .._native import LIMITS
from ..errors import ParameterError, quote
from .numbers import format_number
from .roots import root_set

MAX_EXPRESSION_LENGTH = 10_000
MAX_NESTING = 200
MAX_DEGREE = LIMITS.max_degree

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
                    f"number {quote(m.group(), 40)} is too large (not finite in double precision)", i
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
                    f"unknown name {quote(word, 40)}{hint} (only z, the imaginary unit j or i, numbers and + - * / ^ ( ))",
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
        raise _ExprError(f"{bad}, not {format_number(e)}, for the {op.text!r}", op.pos)
    if e.real > MAX_DEGREE:
        shown = f"{e.real:.0f}" if e.real < 1e15 else f"{e.real:.6g}"
        raise _ExprError(f"exponent {shown} is above the limit of {MAX_DEGREE} for the {op.text!r}", op.pos)
    return int(e.real)


class _Value:
    """A polynomial as coefficients, and as a product of powers of the factors it was built from
    (``factors``: monic factor's coefficients -> (those coefficients, exponent); constants
    aside). A sum is a factor of its own; products and powers keep the factors apart, so the
    multiplicity of a root of ``(z-1)^17 (z+2)`` is known exactly."""

    __slots__ = ("coefs", "factors")

    def __init__(self, coefs: np.ndarray, factors: dict[bytes, tuple[np.ndarray, int]] | None = None) -> None:
        self.coefs = coefs
        if factors is None:
            factors = {}
            if coefs.size > 1:
                monic = coefs / coefs[0]
                factors[monic.tobytes()] = (monic, 1)
        self.factors = factors

    def scaled(self, coefs: np.ndarray) -> _Value:
        """The same factors, another constant."""
        return _Value(coefs, self.factors)


def _times(a: _Value, b: _Value, coefs: np.ndarray) -> _Value:
    factors = dict(a.factors)
    for key, (f, m) in b.factors.items():
        factors[key] = (f, factors[key][1] + m if key in factors else m)
    return _Value(coefs, factors)


def _apply(op: _Token, a: _Value, b: _Value) -> _Value:
    kind = op.kind
    if kind in ("+", "-"):
        x, y = a.coefs, b.coefs
        n = max(x.size, y.size)
        x = np.concatenate([np.zeros(n - x.size, np.complex128), x])
        y = np.concatenate([np.zeros(n - y.size, np.complex128), y])
        return _Value(_checked(x + y if kind == "+" else x - y, op))
    if kind == "*":
        _degree_limit(a.coefs.size + b.coefs.size - 2, op)
        return _times(a, b, _checked(np.convolve(a.coefs, b.coefs), op))
    if kind == "/":
        if b.coefs.size > 1:
            raise _ExprError(
                f"can only divide by a constant, not by a polynomial in z, at the {op.text!r}", op.pos
            )
        if b.coefs[0] == 0:
            raise _ExprError(f"division by zero at the {op.text!r}", op.pos)
        return a.scaled(_checked(a.coefs / b.coefs[0], op))
    # "^": square-and-multiply; every product is an exact convolution, rounded once per step
    e = _exponent(b.coefs, op)
    _degree_limit((a.coefs.size - 1) * e, op)
    result = np.ones(1, np.complex128)
    base = a.coefs
    k = e
    while k:
        if k & 1:
            result = _checked(np.convolve(result, base), op)
        k >>= 1
        if k:
            base = _checked(np.convolve(base, base), op)
    return _Value(result, {key: (f, m * e) for key, (f, m) in a.factors.items()} if e else {})


class _Evaluator:
    """Operator precedence (shunting-yard) with explicit stacks: no recursion, so deep nesting
    costs memory bounded by the input length, never the interpreter's stack."""

    def __init__(self) -> None:
        self.values: list[_Value] = []
        self.ops: list[_Token] = []  # binary operators, unary "u+"/"u-", and "(" markers
        self.depth = 0
        self.expect_operand = True
        self.prev: _Token | None = None

    def run(self, tokens: list[_Token]) -> _Value:
        for tok in tokens:
            if self.expect_operand:
                self.operand(tok)
            else:
                self.after_operand(tok)
            self.prev = tok
        return self.values[0]

    def operand(self, tok: _Token) -> None:
        """A token where an operand is expected: a number, z, '(' or a sign."""
        kind, prev = tok.kind, self.prev
        if kind in ("num", "z"):
            self.push_value(tok)
        elif kind == "(":
            self.open(tok)
        elif kind in ("+", "-"):
            self.ops.append(_Token("u" + kind, tok.text, tok.pos))
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

    def after_operand(self, tok: _Token) -> None:
        """A token after an operand: an operator, ')', juxtaposition, or the end."""
        kind = tok.kind
        if kind in _BINARY:
            self.push_binary(tok)
            self.expect_operand = True
        elif kind == ")":
            self.close(tok)
        elif kind in ("z", "("):  # juxtaposition: 3z, 2(z-1), (z-1)(z+1), z(z+1)
            self.push_binary(_Token("*", "", tok.pos))
            self.operand(tok)
        elif kind == "num":
            if tok.text not in ("j", "J", "i", "I"):
                shown = quote(self.prev.text if self.prev else "", 40)
                raise _ExprError(
                    f"a number cannot follow {shown} directly; write '*' or '^' between them", tok.pos
                )
            self.push_binary(_Token("*", "", tok.pos))  # z j, (1+z)i: the unit is a name, like z
            self.push_value(tok)
        else:  # "end"
            while self.ops:
                if self.ops[-1].kind == "(":
                    raise _ExprError("missing ')' for this '('", self.ops[-1].pos)
                self.reduce_top()

    def push_value(self, tok: _Token) -> None:
        value = [1, 0] if tok.kind == "z" else [tok.value]
        self.values.append(_Value(np.array(value, np.complex128)))
        self.expect_operand = False

    def open(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _ExprError(f"parentheses nested deeper than the limit of {MAX_NESTING}", tok.pos)
        self.ops.append(tok)
        self.expect_operand = True

    def close(self, tok: _Token) -> None:
        while self.ops and self.ops[-1].kind != "(":
            self.reduce_top()
        if not self.ops:
            raise _ExprError("unexpected ')' without a matching '('", tok.pos)
        self.ops.pop()
        self.depth -= 1

    def reduce_top(self) -> None:
        op = self.ops.pop()
        if op.kind in ("u-", "u+"):
            v = self.values.pop()
            self.values.append(v.scaled(-v.coefs) if op.kind == "u-" else v)
            return
        b = self.values.pop()
        a = self.values.pop()
        self.values.append(_apply(op, a, b))

    @staticmethod
    def precedence(op: _Token) -> int:
        return _UNARY_PRECEDENCE if op.kind in ("u-", "u+") else _BINARY[op.kind]

    def push_binary(self, op: _Token) -> None:
        p = _BINARY[op.kind]
        right = op.kind == "^"
        ops = self.ops
        while (
            ops
            and ops[-1].kind != "("
            and (self.precedence(ops[-1]) > p or (not right and self.precedence(ops[-1]) == p))
        ):
            self.reduce_top()
        ops.append(op)


def _evaluate(tokens: list[_Token]) -> _Value:
    return _Evaluator().run(tokens)


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
    return _read(text).coefs


def parse_factored(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """``parse_polynomial``, and the roots with their multiplicities when the expression is a
    product of factors (``(z-1)^17 (z^2+1)``): each root of a factor repeated as often as it is
    a root of the whole, so repeated roots are known exactly, not guessed from the coefficients.
    None for a single factor (``z^3 - 1``), whose roots only the coefficients tell."""
    value = _read(text)
    return value.coefs, _factor_roots(value)


def _read(text: str) -> _Value:
    shown = quote(text)
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ParameterError(
            f"cannot read expression {shown}: it is {len(text)} characters long, "
            f"above the limit of {MAX_EXPRESSION_LENGTH}"
        )
    try:
        with np.errstate(all="ignore"):
            value = _evaluate(_tokens(text))
    except _ExprError as e:
        where = "" if e.pos is None else f" at character {e.pos + 1}"
        raise ParameterError(f"cannot read expression {shown}: {e.message}{where}") from None
    p = _trim(value.coefs)
    if p.size == 1:
        if p[0] == 0:
            raise ParameterError(f"cannot read expression {shown}: the polynomial is zero")
        raise ParameterError(
            f"cannot read expression {shown}: the expression is a constant, not a polynomial in z"
        )
    return value.scaled(p + 0.0)  # a new array, and no negative zeros (from -z^2)


def _factor_roots(value: _Value) -> np.ndarray | None:
    """The roots of ``value`` from its factors, each repeated by its multiplicity (see ``parse_factored``)."""
    factors = list(value.factors.values())
    if len(factors) == 1 and factors[0][1] == 1:
        return None
    if sum((f.size - 1) * m for f, m in factors) != value.coefs.size - 1:
        return None  # a leading coefficient underflowed: the factors no longer describe the coefficients
    roots: list[complex] = []
    counts: list[int] = []
    found: list[int] = []  # the factor each root came from, or -1 when it is exact (a linear factor)
    for i, (f, m) in enumerate(factors):
        if f.size == 2:
            roots.append(complex(-f[1]))
            counts.append(m)
            found.append(-1)
            continue
        try:
            rs = root_set(f)
        except ParameterError:
            return None
        roots += rs.roots.tolist()
        counts += (rs.multiplicities * m).tolist()
        found += [i] * rs.roots.size
    # a root found numerically that another factor has too, to within rounding, is that root
    r = np.array(roots, dtype=np.complex128)
    for i in np.flatnonzero(np.array(found) >= 0).tolist():
        near = np.abs(r - r[i]) <= 1e-10 * np.maximum(np.abs(r), abs(r[i]))
        near &= (np.array(found) != found[i]) & (np.array(counts) > 0)
        if near.any():
            j = int(np.flatnonzero(near)[0])
            counts[j] += counts[i]
            counts[i] = 0
    out = np.repeat(r, counts) + 0.0
    return out if np.all(np.isfinite(out)) else None
