"""Argument checks shared by every public function: one wording for each kind of mistake.

A wrong type raises ``TypeError``; a wrong value raises ``ParameterError`` (a
``ValueError``) naming the argument and what it accepts. Names and limits come
from the core (``nbcli._native``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ._native import LIMITS, METHODS, PRECISIONS, default_threads
from .errors import ParameterError, shown, unknown_name
from .poly import parse_complex

__all__ = [
    "as_complex",
    "as_float",
    "as_int",
    "byte_count",
    "callback",
    "flag",
    "image_size",
    "json_name",
    "json_number",
    "json_pair",
    "method_name",
    "parse_size",
    "precision_name",
    "precision_request",
    "relax_factor",
    "thread_count",
    "tolerance",
]

MAX_COLOR_TEXT = 100  # characters in one colour ('rgb(10.5%, 60.25%, 50%)' takes 24)
MAX_PALETTE = 4096  # colours in a palette given as a list (a file for --from may hold no more)


def as_int(value: Any, name: str, lo: int, hi: int) -> int:
    """An integer in [lo, hi] (a float with an integer value is accepted)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not a bool")
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            v = int(value)
        else:
            raise TypeError(f"{name} must be an integer (got {shown(value)})") from None
    if not lo <= v <= hi:
        raise ParameterError(f"{name} must be between {lo} and {hi} (got {v})")
    return v


def as_float(value: Any, name: str) -> float:
    """A finite real number."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a bool")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number (got {shown(value)})") from None
    if not math.isfinite(v):
        raise ParameterError(f"{name} must be finite (got {v})")
    return v


def parse_size(text: str, what: str = "size") -> tuple[int, int]:
    """'1920x1080' (or '800': square) -> (width, height)."""
    t = text.strip().lower().replace("×", "x").replace("*", "x")
    parts = t.split("x")
    try:
        if len(parts) not in (1, 2):
            raise ValueError
        w, h = int(parts[0]), int(parts[-1])
    except ValueError:
        raise ParameterError(
            f"{what} {shown(text)}: expected WIDTHxHEIGHT in pixels, e.g. 1920x1080"
        ) from None
    if w <= 0 or h <= 0:
        raise ParameterError(f"{what} {shown(text)}: width and height must be positive")
    return w, h


def image_size(size: Any, most: int) -> tuple[int, int]:
    """An image size as the command line takes it: (width, height), one number for a square, or
    text such as '1920x1080'; each side from 1 to ``most``."""
    if isinstance(size, str):
        size = parse_size(size)
    elif not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        size = (size, size)  # one number: a square, as --size 800
    if len(size) != 2:
        raise ParameterError(
            f"size must be (width, height), one number or text like '1920x1080' (got {size!r})"
        )
    return as_int(size[0], "image width", 1, most), as_int(size[1], "image height", 1, most)


def thread_count(threads: int | None) -> int:
    """``None``: all cores this process may use."""
    if threads is None:
        return default_threads()
    return as_int(threads, "threads", 1, LIMITS.max_threads)


def tolerance(tol: Any, name: str = "tol") -> float:
    t = as_float(tol, name)
    if t <= 0:
        raise ParameterError(f"{name} must be > 0 (got {t})")
    return t


def relax_factor(value: Any) -> complex:
    """The complex factor of the relaxed method: finite and nonzero (text like '0.5+0.2j' allowed)."""
    if isinstance(value, bool):
        raise TypeError("relax must be a number, not a bool")
    if isinstance(value, str):
        value = parse_complex(value, "relax")
    try:
        a = complex(value)
    except (TypeError, ValueError):
        raise TypeError(f"relax must be a complex number (got {shown(value)})") from None
    if not (math.isfinite(a.real) and math.isfinite(a.imag)):
        raise ParameterError(f"relax must be finite (got {a})")
    if a == 0:
        raise ParameterError("relax must not be 0 (the iteration would never move)")
    return a


def _name(value: Any, what: str, choices: tuple[str, ...]) -> str:
    """A name from ``choices``, in any case (every name nb-render takes follows this one rule)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a name, one of {', '.join(choices)} (got {shown(value)})")
    key = value.strip().lower()
    if key not in choices:
        raise unknown_name(what, value, choices)
    return key


def method_name(value: Any) -> str:
    return _name(value, "method", METHODS)


def precision_name(value: Any) -> str:
    return _name(value, "precision", PRECISIONS)


def precision_request(value: Any) -> str:
    """A precision, or auto (double, or double-double where the view needs it)."""
    return _name(value, "precision", ("auto", *PRECISIONS))


def json_pair(v: Any, what: str) -> complex:
    """A complex number stored as a JSON [real, imag] pair (untrusted input)."""
    if (
        not isinstance(v, list)
        or len(v) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
    ):
        raise ParameterError(f"{what} must be [real, imag] pairs")
    return complex(float(v[0]), float(v[1]))


def json_number(v: Any, what: str, kind: type = float) -> Any:
    """A JSON number (an integer with ``kind=int``), not a bool (untrusted input)."""
    ok = isinstance(v, int) if kind is int else isinstance(v, (int, float))
    if not ok or isinstance(v, bool):
        raise ParameterError(f"{what} must be {'an integer' if kind is int else 'a number'}")
    return v


def json_name(d: dict[str, Any], key: str, default: str) -> str:
    """A name stored in a JSON object, or its default (untrusted input)."""
    v = d.get(key, default)
    if not isinstance(v, str):
        raise ParameterError(f"{key} must be a name")
    return v


def flag(value: Any, name: str) -> bool:
    """True or False (not 1, not "yes": a flag given something else is a mistake)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False (got {shown(value)})")
    return value


def byte_count(value: Any, name: str = "max_memory") -> int | None:
    """A number of bytes > 0, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a number of bytes, an int such as 2**30 (got {shown(value)})")
    if value <= 0:
        raise ParameterError(f"{name} must be a number of bytes > 0 (got {value})")
    return value


def callback(value: Any, name: str = "progress") -> Any:
    """A function, or None."""
    if value is not None and not callable(value):
        raise TypeError(
            f"{name} must be a function called as {name}(done, total), or None (got {shown(value)})"
        )
    return value


def as_complex(value: Any, name: str) -> complex:
    """A finite complex number (text such as '-0.5+0.25j' allowed)."""
    if isinstance(value, str):
        value = parse_complex(value, name)
    if isinstance(value, bool) or not isinstance(value, (int, float, complex, np.number)):
        raise TypeError(f"{name} must be a number, real or complex (got {shown(value)})")
    z = complex(value)
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        raise ParameterError(f"{name} must be finite (got {z})")
    return z
