"""Reading polynomials written as expressions (``--expr``)."""

from __future__ import annotations

import contextlib
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

from nbcli.poly import (
    MAX_DEGREE,
    MAX_EXPRESSION_LENGTH,
    MAX_NESTING,
    format_polynomial,
    parse_polynomial,
)

# --- worked examples ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "coefs"),
    [
        ("z^5 - 3z^2 + (1+2j)", [1, 0, 0, -3, 0, 1 + 2j]),
        # (z-1)(z+1)^2 = z^3 + z^2 - z - 1; times (z - 2j):
        ("(z-1)(z+1)^2(z-2j)", [1, 1 - 2j, -1 - 2j, -1 + 2j, 2j]),
        ("z**3 - 1", [1, 0, 0, -1]),
        ("2(z-1)^3", [2, -6, 6, -2]),
        ("z^2/2 + 0.5", [0.5, 0, 0.5]),
        ("-z^4 + 1e-3 z", [-1, 0, 0, 1e-3, 0]),
        ("3.5i z^2", [3.5j, 0, 0]),
        ("(1-2j)*z^3", [1 - 2j, 0, 0, 0]),
        ("z(z+1)", [1, 1, 0]),
        ("(z-1)(z+1)", [1, 0, -1]),
        ("3z", [3, 0]),
        ("zz - z", [1, -1, 0]),
        ("iz + j", [1j, 1j]),
        ("z j - 2i", [1j, -2j]),
        ("1e3j z + .5", [1000j, 0.5]),
        ("1.5i z^2 + 2J z + 1I", [1.5j, 2j, 1j]),
        ("Z^2 + 1", [1, 0, 1]),
        ("-z^2", [-1, 0, 0]),  # -(z^2), not (-z)^2
        ("(-z)^2", [1, 0, 0]),
        ("z^2^2", [1, 0, 0, 0, 0]),  # right-associative: z^(2^2)
        ("z**2**2", [1, 0, 0, 0, 0]),
        ("z^(1+2)", [1, 0, 0, 0]),
        ("z^2.0", [1, 0, 0]),  # a whole number written as a decimal is fine
        ("2*-z + 1", [-2, 1]),
        ("--z", [1, 0]),
        ("+z - +1", [1, -1]),
        ("1/2z", [0.5, 0]),  # left to right: (1/2) z, as in Python's 1/2*z
        ("z/(1+j)", [0.5 - 0.5j, 0]),
        ("z/2/2", [0.25, 0]),
        ("(z+1)^0 z", [1, 0]),
        ("0z^3 + z", [1, 0]),  # leading zeros are dropped
        ("z^3 - z^3 + z", [1, 0]),
        ("  z\t^ 2\n+\r\n1  ", [1, 0, 1]),
        ("z \N{MINUS SIGN} 1", [1, -1]),
        ("((((z))))", [1, 0]),
        ("2jj z", [-2, 0]),  # 2j * j
    ],
)
def test_examples(text, coefs):
    c = parse_polynomial(text)
    assert c.dtype == np.complex128
    np.testing.assert_array_equal(c, np.array(coefs, dtype=np.complex128))
    assert not np.any(np.signbit(c.real[c.real == 0])), "no negative zeros"


def test_products_and_powers_are_exact_where_doubles_allow():
    from math import comb

    np.testing.assert_array_equal(parse_polynomial("(z+1)^50").real, [comb(50, k) for k in range(51)])
    np.testing.assert_array_equal(
        parse_polynomial("(z-1)^7 (z+1)^7"), np.polymul(np.poly([1] * 7), np.poly([-1] * 7))
    )
    big = parse_polynomial("(z+1)^1000").real
    ref = np.array([comb(1000, k) for k in range(1001)], dtype=float)
    assert np.max(np.abs(big - ref) / ref) < 1e-13


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("z^2 + 3*", "expected a number, z or '(' after '*' at character 8"),
        ("(z+1))", "unexpected ')' without a matching '(' at character 6"),
        ("z+)", "unexpected ')'; expected a number, z or '(' after '+' at character 3"),
        (")", "unexpected ')'; expected a number, z or '(' first at character 1"),
        ("z^2 + * 3", "unexpected '*'; expected a number, z or '(' after '+' at character 7"),
        ("(z+1", "missing ')' for this '(' at character 1"),
        ("z (z+1", "missing ')' for this '(' at character 3"),
        ("z 2", "a number cannot follow 'z' directly; write '*' or '^' between them at character 3"),
        ("(z-1)3", "a number cannot follow ')' directly; write '*' or '^' between them at character 6"),
        ("1.5.3z", "a number cannot follow '1.5' directly"),
        ("x^2", "unknown name 'x'; the variable is z"),
        ("sin(z)", "unknown name 'sin'"),
        ("2e z", "unknown name 'e' (only z"),
        ("z # 1", "unexpected character '#' at character 3"),
        ("z\x00", "unexpected character '\\x00' at character 2"),
        ("z = 1", "unexpected character '=' at character 3"),
        ("z^-1", "exponent must be a non-negative integer (0..1000), not -1, for the '^' at character 2"),
        ("z^2.5", "exponent must be a non-negative integer (0..1000), not 2.5, for the '^' at character 2"),
        ("z**j", "not 1j, for the '**' at character 2"),
        ("z^z", "exponent must be a non-negative integer (0..1000), not a polynomial in z"),
        ("z/(z+1)", "can only divide by a constant, not by a polynomial in z, at the '/' at character 2"),
        ("z/0", "division by zero at the '/' at character 2"),
        ("z/(1-1)", "division by zero"),
        ("5", "the expression is a constant, not a polynomial in z"),
        ("(1+2j)^3", "the expression is a constant, not a polynomial in z"),
        ("z - z", "the polynomial is zero"),
        ("0z", "the polynomial is zero"),
        ("", "the expression is empty"),
        (" \t\n", "the expression is empty"),
        ("1e999 z", "number '1e999' is too large (not finite in double precision) at character 1"),
        (
            "1e300 z^2 * 1e300",
            "non-finite coefficient (overflow past double precision) at '*' at character 11",
        ),
        (
            "1e300 z (1e300)",
            "non-finite coefficient (overflow past double precision) at the implied multiplication",
        ),
        ("(1e200 z + 1)(1e200 z - 1)", "non-finite coefficient"),
        ("z/1e-320", "non-finite coefficient (overflow past double precision) at '/'"),
        ("(1e300 z)^2", "non-finite coefficient"),
        ("(z+1)^999999999", "exponent 999999999 is above the limit of 1000 for the '^' at character 6"),
        ("z^1001", "exponent 1001 is above the limit of 1000"),
        ("(z^2)^600", "degree 1200 is above the limit of 1000 at '^' at character 6"),
        ("z^600 * z^600", "degree 1200 is above the limit of 1000 at '*'"),
        ("2^(2^10) z", "exponent 1024 is above the limit of 1000"),
        ("2^2^2^2^2 z", "exponent 65536 is above the limit of 1000"),
    ],
)
def test_error_messages(text, message):
    with pytest.raises(ValueError, match=r"^cannot read expression ") as info:
        parse_polynomial(text)
    msg = str(info.value)
    assert msg.startswith(f"cannot read expression {text!r}: ")
    assert message in msg
    assert msg.isprintable(), "one line, nothing that moves the cursor"


def test_error_position_points_at_the_culprit():
    text = "z^3 - 2z + (1+2j) ) - 4"
    with pytest.raises(ValueError, match=r"at character (\d+)$") as info:
        parse_polynomial(text)
    pos = int(re.search(r"at character (\d+)$", str(info.value)).group(1))  # type: ignore[union-attr]
    assert text[pos - 1] == ")"
    assert pos == text.rindex(")") + 1


def test_long_text_is_shortened_in_the_message():
    text = "z + " * 100 + "*"
    with pytest.raises(ValueError, match="expected a number") as info:
        parse_polynomial(text)
    assert len(str(info.value)) < 250
    assert "..." in str(info.value)


# --- limits -------------------------------------------------------------------------------------


def test_length_limit():
    ok = "z" + " " * (MAX_EXPRESSION_LENGTH - 1)
    np.testing.assert_array_equal(parse_polynomial(ok), [1, 0])
    with pytest.raises(ValueError, match=r"10001 characters long, above the limit of 10000$"):
        parse_polynomial(ok + " ")


def test_nesting_limit():
    deep = "(" * MAX_NESTING + "z" + ")" * MAX_NESTING
    np.testing.assert_array_equal(parse_polynomial(deep), [1, 0])
    too_deep = "(" * (MAX_NESTING + 1) + "z" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ValueError, match="parentheses nested deeper than the limit of 200 at character 201"):
        parse_polynomial(too_deep)
    # nesting that closes before going deeper does not add up
    np.testing.assert_array_equal(parse_polynomial("((z))" * 300), [1] + [0] * 300)


def test_no_recursion_even_with_a_small_stack():
    """The parser keeps its own stacks: deep input cannot exhaust the interpreter's."""
    texts = [
        "(" * MAX_NESTING + "z" + ")" * MAX_NESTING,
        "-" * 9000 + "z",
        "z" + "^1" * 4000,
        "(" * (MAX_NESTING + 1) + "z",
    ]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        for t in texts:
            with contextlib.suppress(ValueError):
                parse_polynomial(t)
    finally:
        sys.setrecursionlimit(old)


def test_degree_limit():
    assert parse_polynomial("z^1000").size == MAX_DEGREE + 1
    assert parse_polynomial("z" * 1000).size == MAX_DEGREE + 1
    with pytest.raises(
        ValueError, match="degree 1001 is above the limit of 1000 at the implied multiplication"
    ):
        parse_polynomial("z" * 1001)
    with pytest.raises(ValueError, match="degree 1001 is above the limit of 1000"):
        parse_polynomial("(z^7 + 1)^143")


@pytest.mark.parametrize(
    "text",
    [
        "(z+1)^999999999",
        "(z+1)^" + "9" * 5000,
        "+".join(["(z+.5)^999"] * 900)[:9999].rstrip("+.^(z"),
        "+".join(["(z+1)^500(z-1)^500"] * 526),
        "(z-1)" * 1000 + "(z-1)",
        "-" * 9999 + "z",
        "^".join(["1"] * 4999) + "z",
        "9" * 9999 + "z",
    ],
)
def test_hostile_input_is_quick(text, monkeypatch):
    assert len(text) <= MAX_EXPRESSION_LENGTH
    # The parser's work is bounded: counted in polynomial products (the only step that is not
    # linear in the text) and their complex multiply-adds, not timed, so that a slow or emulated
    # CPU (these inputs take 0.3-0.5 s of CPU natively, many seconds under qemu) proves the same
    # thing. 1e5 products and 1e9 multiply-adds are each about a second of one core.
    products, work = [0], [0]
    convolve = np.convolve

    def counted(a, b, *args, **kw):
        products[0] += 1
        work[0] += np.size(a) * np.size(b)
        # fail at once, rather than run on
        assert products[0] <= 1e5 and work[0] <= 1e9, f"{products[0]} products, {work[0]:.3g} multiply-adds"
        return convolve(a, b, *args, **kw)

    monkeypatch.setattr(np, "convolve", counted)
    try:
        c = parse_polynomial(text)
        assert np.all(np.isfinite(c)) and 2 <= c.size <= MAX_DEGREE + 1
    except ValueError as e:
        msg = str(e)
        assert "\n" not in msg


# --- format_polynomial round trip ------------------------------------------------------------------


@pytest.mark.parametrize(
    "coefs",
    [
        [1, 0, 0, 0, 0, 0, 1],
        [2, -3, 0, 1],
        [1, 12j, 1],
        [1, 0, -1j],
        [1j, 0],
        [-1j, 2, -1j],
        [1 - 2j, -1 + 0.5j, -3 - 4j, 0],
        [-1.5, 1e-7, 2.5e12, -7],
        [1e-300, 1],
        [0.1, 0.2, 0.3],
    ],
)
def test_format_then_parse_round_trips(coefs):
    c = np.array(coefs, dtype=np.complex128)
    np.testing.assert_allclose(parse_polynomial(format_polynomial(c)), c, rtol=1e-6, atol=0)


_finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
_coef = st.one_of(
    _finite,
    st.integers(-9, 9).map(float),
    st.builds(complex, _finite, _finite),
    st.builds(complex, st.just(0.0), _finite),
)


@given(st.lists(_coef, min_size=2, max_size=12).filter(lambda c: c[0] != 0))
def test_format_then_parse_round_trips_property(coefs):
    c = np.array(coefs, dtype=np.complex128)
    back = parse_polynomial(format_polynomial(c))
    assert back.size == c.size
    # six significant digits per real and imaginary part
    tol = 1e-5 * (np.abs(c.real) + np.abs(c.imag)) + 1e-300
    assert np.all(np.abs(back - c) <= tol)


# --- property: random expression trees --------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """An expression tree: ``op`` is num, z, unit, add, sub, mul, imul, div, neg, pow or paren."""

    op: str
    args: tuple[Node, ...] = ()
    value: complex = 0j
    text: str = ""  # how a number is written

    def evaluate(self, z: complex, f: Callable[[complex], complex] = lambda v: v) -> complex:
        """The value at z; with ``f=abs`` an upper bound on the sizes of the terms (for a tolerance)."""
        a = [x.evaluate(z, f) for x in self.args]
        op = self.op
        if op == "num":
            return f(self.value)
        if op == "z":
            return f(z)
        if op == "unit":
            return f(1j)
        if op in ("add", "sub"):
            return a[0] + a[1] if f is abs or op == "add" else a[0] - a[1]
        if op in ("mul", "imul"):
            return a[0] * a[1]
        if op == "div":
            return a[0] / a[1]
        if op == "neg":
            return a[0] if f is abs else -a[0]
        if op == "pow":
            return a[0] ** int(self.value.real)
        return a[0]  # paren


# Precedence levels: 1 + -, 2 * / juxtaposition, 3 unary -, 4 ^, 5 atoms.
_LEVEL = {"add": 1, "sub": 1, "mul": 2, "imul": 2, "div": 2, "neg": 3, "pow": 4}


def _render(node: Node, draw: Callable, need: int = 0) -> str:
    sp = lambda: draw(st.sampled_from(["", "", " ", "  ", "\t"]))
    op = node.op
    if op in ("num", "z", "unit"):
        out = node.text
        level = 5
    elif op == "paren":
        out = f"({sp()}{_render(node.args[0], draw)}{sp()})"
        level = 5
    elif op == "neg":
        out = f"-{sp()}{_render(node.args[0], draw, 3)}"
        level = 3
    elif op == "pow":
        caret = draw(st.sampled_from(["^", "**"]))
        out = f"{_render(node.args[0], draw, 5)}{sp()}{caret}{sp()}{int(node.value.real)}"
        level = 4
    else:
        level = _LEVEL[op]
        left = _render(node.args[0], draw, level)
        right = _render(node.args[1], draw, level + 1)
        if op == "imul":
            # juxtaposition needs a right operand that starts with z, i, j or '(': a number
            # or sign would read as a separate term, 2^3j would put the j in the exponent,
            # and 1.j (like 2j) is one imaginary number, not 1. times j.
            starts_ok = right[:1] in ("z", "Z", "(") or (
                right[:1] in ("i", "j") and left[-1:] not in "0123456789."
            )
            if not starts_ok:
                right = f"({right})"
            out = f"{left}{sp()}{right}"
        else:
            sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op]
            out = f"{left}{sp()}{sym}{sp()}{right}"
    if level < need or draw(st.integers(0, 9)) == 0:  # parentheses where needed, and some spare
        out = f"({out})"
    return out


def _literal(draw: Callable) -> Node:
    kind = draw(st.sampled_from(["int", "dec", "exp", "imag", "complex"]))
    if kind == "int":
        v = draw(st.integers(0, 12))
        return Node("num", value=complex(v), text=str(v))
    if kind == "dec":
        whole, frac = draw(st.integers(0, 9)), draw(st.integers(0, 99))
        text = draw(st.sampled_from([f"{whole}.{frac:02d}", f".{frac:02d}", f"{whole}."]))
        return Node("num", value=complex(float(text)), text=text)
    if kind == "exp":
        m, e = draw(st.integers(1, 9)), draw(st.integers(-3, 3))
        text = draw(st.sampled_from([f"{m}e{e}", f"{m}E{e:+d}"]))
        return Node("num", value=complex(float(text)), text=text)
    if kind == "imag":
        m = draw(st.integers(1, 20)) / 4
        text = f"{m:g}{draw(st.sampled_from(['j', 'i', 'J']))}"
        return Node("num", value=complex(0, m), text=text)
    re_, im = draw(st.integers(-5, 5)), draw(st.integers(-5, 5))
    return Node("num", value=complex(re_, im), text=f"({re_}{'+' if im >= 0 else '-'}{abs(im)}j)")


@st.composite
def _trees(draw: Callable, budget: int = 10) -> Node:
    if budget <= 1:
        leaf = draw(st.sampled_from(["z", "z", "num", "unit"]))
        if leaf == "z":
            return Node("z", text=draw(st.sampled_from(["z", "z", "Z"])))
        if leaf == "unit":
            return Node("unit", text=draw(st.sampled_from(["j", "i"])))
        return _literal(draw)
    op = draw(st.sampled_from(["add", "sub", "mul", "imul", "div", "neg", "pow", "paren", "leaf"]))
    if op == "leaf":
        return draw(_trees(1))
    if op in ("neg", "paren"):
        return Node(op, (draw(_trees(budget - 1)),))
    if op == "pow":
        return Node("pow", (draw(_trees(budget // 2)),), value=complex(draw(st.integers(0, 3))))
    if op == "div":
        divisor = _literal(draw)
        assume(divisor.value != 0)
        return Node("div", (draw(_trees(budget - 1)), divisor))
    k = draw(st.integers(1, budget - 1))
    return Node(op, (draw(_trees(k)), draw(_trees(budget - k))))


_POINTS = (0.3 + 0.2j, -1.1 + 0.7j, 1.7 - 0.4j, -0.6 - 1.3j, 0.9j)


def _check_tree(tree: Node, text: str) -> None:
    try:
        c = parse_polynomial(text)
    except ValueError as e:
        # only a tree that is constant may be refused
        msg = str(e)
        assert "constant" in msg or "is zero" in msg, (text, msg)
        vals = [tree.evaluate(z) for z in _POINTS]
        scale = max(abs(tree.evaluate(z, abs)) for z in _POINTS)
        assert max(abs(v - vals[0]) for v in vals) <= 1e-9 * max(scale, 1.0), (text, vals)
        return
    assert c.dtype == np.complex128 and c.size >= 2 and c[0] != 0 and np.all(np.isfinite(c))
    for z in _POINTS:
        want = tree.evaluate(z)
        scale = abs(tree.evaluate(z, abs))
        got = np.polyval(c, z)
        assert abs(got - want) <= 1e-9 * max(scale, 1e-300), (text, z, got, want)


def test_tree_checker_on_a_known_tree():
    z, one = Node("z", text="z"), Node("num", value=1, text="1")
    tree = Node("imul", (Node("sub", (z, one)), Node("pow", (Node("add", (z, one)),), value=2)))
    _check_tree(tree, "(z - 1)(z + 1)^2")
    with pytest.raises(AssertionError):
        _check_tree(tree, "(z - 1)(z + 1)^3")  # the checker does notice a wrong polynomial


@settings(
    max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_random_expression_trees(data):
    tree = data.draw(_trees(data.draw(st.integers(1, 14))), label="tree")
    text = _render(tree, data.draw)
    note(f"text: {text!r}")
    _check_tree(tree, text)


# --- property: arbitrary text never crashes -------------------------------------------------------------

_ALPHABET = "zZxjJiI0123456789.eE+-*/^() \t\n_,#\N{MINUS SIGN}"


def _check_any_text(text: str) -> None:
    try:
        c = parse_polynomial(text)
    except ValueError as e:
        msg = str(e)
        assert msg.startswith("cannot read expression ") and msg.isprintable(), repr(msg)
        return
    assert isinstance(c, np.ndarray) and c.dtype == np.complex128 and c.ndim == 1
    assert c.size >= 2 and c[0] != 0 and np.all(np.isfinite(c))


@settings(max_examples=400, deadline=2000)
@given(st.text(alphabet=_ALPHABET, max_size=80))
@example("((z)")
@example("z^^2")
@example("z**-0")
@example("1e-400z")
@example(".e1")
def test_any_expression_like_text_parses_or_raises_valueerror(text):
    _check_any_text(text)


@settings(max_examples=300, deadline=2000)
@given(st.text(max_size=60))
@example("\ud800z")
@example("z\u2028+1")
@example("\N{FULLWIDTH DIGIT ONE}z")
@example("\N{ARABIC-INDIC DIGIT TWO}z")
def test_any_unicode_text_parses_or_raises_valueerror(text):
    _check_any_text(text)


def test_only_ascii_digits_are_numbers():
    with pytest.raises(ValueError, match="unexpected character"):
        parse_polynomial("\N{ARABIC-INDIC DIGIT TWO}z")
