"""Fuzzing the text readers: each returns a valid value or raises a one-line ValueError.

The normal test run tries a few hundred inputs (a couple of seconds). A longer
session runs when NB_RENDER_FUZZ_SECONDS is set, e.g.

    NB_RENDER_FUZZ_SECONDS=300 pytest tests/test_fuzz.py -s

The budget is shared among the readers; each runs Hypothesis in rounds with fresh
seeds until its share of the time is spent, then prints how many inputs it tried.
An input that ever broke a reader is kept in REGRESSIONS below.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from nbcli.colors import parse_color
from nbcli.poly import MAX_DEGREE, parse_complex, parse_complex_list, parse_polynomial

FUZZ_SECONDS = float(os.environ.get("NB_RENDER_FUZZ_SECONDS") or 0)
QUICK_EXAMPLES = 200  # per reader and strategy in the normal test run
DEADLINE = timedelta(seconds=2)  # per input: a reader that stalls on some input is a bug


def _one_line_error(e: ValueError, max_length: int | None = 400) -> None:
    """The message is one printable line; and, if max_length is given, it quotes long input
    only in part (a message with a 10 000-character number in it helps nobody)."""
    msg = str(e)
    assert msg, "empty error message"
    assert msg.isprintable(), f"the message is not one printable line: {msg!r}"
    assert max_length is None or len(msg) <= max_length, f"the message is {len(msg)} characters long"


def _finite(v: complex) -> bool:
    return isinstance(v, complex) and np.isfinite(v.real) and np.isfinite(v.imag)


def check_parse_polynomial(text: str) -> None:
    try:
        c = parse_polynomial(text)
    except ValueError as e:
        _one_line_error(e)
        return
    assert isinstance(c, np.ndarray) and c.dtype == np.complex128 and c.ndim == 1
    assert 2 <= c.size <= MAX_DEGREE + 1 and c[0] != 0
    assert np.all(np.isfinite(c))


def check_parse_complex(text: str) -> None:
    try:
        v = parse_complex(text)
    except ValueError as e:
        _one_line_error(e)
        return
    assert _finite(v), repr(v)


def check_parse_complex_list(text: str) -> None:
    try:
        vs = parse_complex_list(text)
    except ValueError as e:
        _one_line_error(e)
        return
    assert isinstance(vs, list) and len(vs) == text.count(",") + 1
    assert all(_finite(v) for v in vs), vs


def check_parse_color(text: str) -> None:
    try:
        rgb = parse_color(text)
    except ValueError as e:
        _one_line_error(e, max_length=600)  # quotes at most 40 characters (escaped: up to 10 each)
        return
    assert isinstance(rgb, tuple) and len(rgb) == 3
    assert all(isinstance(x, int) and 0 <= x <= 255 for x in rgb), rgb


# --- inputs: pieces that mean something to each reader, glued at random, and any text --------------


def _glued(pieces: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(pieces),
        st.tuples(st.sampled_from(pieces), st.integers(2, 300)).map(lambda t: t[0] * t[1]),  # runs
        st.characters(),
    )
    return st.lists(piece, max_size=max_size).map("".join)


_NUMBERS = ["0", "1", "2", "7", "10", "1000", "1001", "999999999", ".5", "1.", "2.5", "1e-3", "1E+3", "1e308",
            "1e309", "1e-320", "1e999", "5e-324", "1_0", "0x10", "inf", "nan", "infinity"]  # fmt: skip
_POLY_PIECES = [
    *_NUMBERS,
    *"zZjJiIxe+-*/^() \t\n",
    "**",
    "\N{MINUS SIGN}",
    "z^2",
    "(z-1)",
    "(1+2j)",
    "^1000",
    "^-1",
    "/0",
    "1e300",
    "1e300 z",
]
_COMPLEX_PIECES = [*_NUMBERS, *"+-jJiIeE.() \t_", "j", "1j", "+1j", "-2.5i", "1e999j", "(1+2j)", "\x00"]
_COLOR_PIECES = [
    "#",
    "#fff",
    "#1b9e77",
    "1b9e77",
    "fff",
    "black",
    "white",
    "grey",
    "gray",
    " ",
    "\n",
    *"0aFgG9#",
]

_ANY = st.text(max_size=80)

READERS: dict[str, tuple[Callable[[str], None], st.SearchStrategy[str], float]] = {
    # name: (check, inputs, share of the time budget)
    "parse_polynomial": (check_parse_polynomial, st.one_of(_glued(_POLY_PIECES), _ANY), 0.55),
    "parse_complex": (check_parse_complex, st.one_of(_glued(_COMPLEX_PIECES, 12), _ANY), 0.15),
    "parse_complex_list": (
        check_parse_complex_list,
        st.one_of(_glued([*_COMPLEX_PIECES, ",", ",,", ", "], 20), _ANY),
        0.15,
    ),
    "parse_color": (check_parse_color, st.one_of(_glued(_COLOR_PIECES, 6), _ANY), 0.15),
}

# Inputs that once broke a reader, or came close (kept so they are tried on every run).
REGRESSIONS: list[tuple[str, str]] = [
    ("parse_polynomial", "(" * 201),
    ("parse_polynomial", "-" * 9999 + "z"),
    ("parse_polynomial", "z" + "^1" * 4000),
    ("parse_polynomial", "(z+1)^" + "9" * 400),  # the message used to quote all 400 digits
    ("parse_polynomial", "9" * 9999 + "z"),
    ("parse_polynomial", "z" + "q" * 9999),
    ("parse_polynomial", "z" + " 9" + "9" * 9997),
    ("parse_polynomial", "z/1e-320"),
    ("parse_polynomial", "1e300 z (1e300)"),
    ("parse_polynomial", "\ud800z"),
    ("parse_complex", "\ud800"),
    ("parse_complex", "1e999+1e999j"),
    ("parse_complex", "\x00"),
    ("parse_complex", "1" * 400),  # the message used to quote all 400 digits
    ("parse_complex", "x" * 500),
    ("parse_complex_list", ",".join(["1e999"] * 3)),
    ("parse_complex_list", "1," + "1000" * 100),
    # quoted with escapes, 80 characters of input made a message of 800
    ("parse_complex_list", "\U000107bb\U000107bb" + "\x00" * 77),
    ("parse_complex", "\x00" * 100),
    ("parse_polynomial", "\U000107bb" * 100),
    ("parse_polynomial", "z+" + "\x1b" * 100),
    ("parse_color", "#fff\n"),
    ("parse_color", "\ud800"),
]


@pytest.mark.parametrize(("reader", "text"), REGRESSIONS)
def test_regressions(reader, text):
    READERS[reader][0](text)


def _fuzz(check: Callable[[str], None], inputs: st.SearchStrategy[str], seconds: float) -> tuple[int, int]:
    """Run Hypothesis on check until `seconds` are spent (one round if seconds <= 0).

    Returns (inputs tried, rounds). Each round has a fresh seed; its size is set from the
    rate so far so the last round ends close to the budget.
    """
    tried = 0

    def new_body() -> Callable[[str], None]:  # settings() marks the function: one per round
        def body(text: str) -> None:
            nonlocal tried
            tried += 1
            check(text)

        return body

    common: dict[str, Any] = {"deadline": DEADLINE, "suppress_health_check": list(HealthCheck)}
    if seconds <= 0:
        given(inputs)(settings(max_examples=QUICK_EXAMPLES, **common)(new_body()))()
        return tried, 1
    end = time.monotonic() + seconds
    rounds, size = 0, 200
    while time.monotonic() < end:
        t0, n0 = time.monotonic(), tried
        run = given(inputs)(settings(max_examples=size, derandomize=False, **common)(new_body()))
        seed(random.getrandbits(64))(run)()
        rounds += 1
        rate = (tried - n0) / max(time.monotonic() - t0, 1e-3)  # this round's: it slows as inputs grow
        size = int(min(max(rate * min(end - time.monotonic(), 10.0), 20), 100_000))
    return tried, rounds


@pytest.mark.parametrize("reader", list(READERS))
def test_fuzz(reader):
    check, inputs, share = READERS[reader]
    t0 = time.monotonic()
    tried, rounds = _fuzz(check, inputs, FUZZ_SECONDS * share)
    if FUZZ_SECONDS > 0:
        print(
            f"\nfuzz {reader}: {tried} inputs in {rounds} rounds, {time.monotonic() - t0:.0f} s, no failure"
        )
