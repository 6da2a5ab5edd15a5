"""Keyframe files (``--keyframes FILE.toml``): the command line's options at given times.

::

    fps = 30                     # optional: fps, duration or frames, size, easing
    size = "1280x720"

    [[keyframe]]                 # the start (the command line's options win over it)
    time = 0
    coefs = "1,0,0,0,0,0,1"
    center = 0
    width = 4

    [[keyframe]]
    time = "6s"
    center = "0.49+0.29j"
    width = 0.01
    palette = "okabe-ito"
    easing = "smooth"            # how values move from the keyframe before to this one

Keys are the long option names without ``--``; values are TOML numbers,
booleans, strings written as on the command line, or arrays of numbers. A
keyframe changes only what it names. The file is read with the standard
library's ``tomllib``; every mistake is reported in one line that names the
file, the line and the key.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from ..errors import InputFileError
from ..infile import open_regular
from .options import Options, parse_duration

TEXT, NUMBER, INTEGER, FLAG, LIST = "text", "number", "integer", "flag", "list"

# key in the file -> (Options field, kind of value)
KEYS: dict[str, tuple[str, str]] = {
    "coefs": ("coefs", LIST),
    "roots": ("roots", LIST),
    "expr": ("expr", TEXT),
    "center": ("center", TEXT),
    "width": ("width", TEXT),  # as text, read to every digit
    "xmin": ("xmin", NUMBER),
    "xmax": ("xmax", NUMBER),
    "ymin": ("ymin", NUMBER),
    "ymax": ("ymax", NUMBER),
    "fit": ("fit", FLAG),
    "method": ("method", TEXT),
    "relax": ("relax", TEXT),
    "itmax": ("itmax", INTEGER),
    "tol": ("tol", NUMBER),
    "precision": ("precision", TEXT),
    "aa": ("aa", INTEGER),
    "palette": ("palette", LIST),
    "shading": ("shading", TEXT),
    "nonconverged-color": ("nonconverged_color", TEXT),
    "boundary": ("boundary", TEXT),
    "mark-roots": ("mark_roots", FLAG),
}
# settings of the whole animation, at the top of the file (the command line's win)
SETTINGS = {"fps": TEXT, "duration": TEXT, "frames": INTEGER, "size": TEXT, "easing": TEXT}
VIEW = frozenset({"center", "width", "xmin", "xmax", "ymin", "ymax", "fit"})
_KINDS = {
    TEXT: "text or a number",
    NUMBER: "a number",
    INTEGER: "a whole number",
    FLAG: "true or false",
    LIST: "text or an array",
}


@dataclass(frozen=True)
class FileKeyframe:
    """One ``[[keyframe]]``: its time, easing and the options it sets."""

    number: int  # 1-based, in the file
    time: float
    easing: str | None
    values: dict[str, Any]  # Options field -> value, typed as Options holds it
    where: dict[str, str]  # Options field (and "time") -> 'FILE: line N' for error messages
    line: str  # 'FILE: line N' of the keyframe's header

    def given(self) -> frozenset[str]:
        return frozenset(self.values)

    def options(self, base: Options) -> Options:
        """``base`` with this keyframe's values, as if given on the command line."""
        return dataclasses.replace(base, **self.values, given=self.given())

    @property
    def sets_view(self) -> bool:
        return bool(self.given() & VIEW)


MAX_KEYFRAME_FILE = 16 << 20  # bytes: far more than any keyframe file needs


@dataclass(frozen=True)
class KeyframeFile:
    path: str
    settings: dict[str, Any]
    keyframes: list[FileKeyframe]


def read_keyframes(path: str) -> KeyframeFile:
    """Read and check a keyframe file; InputFileError (exit 2) in one line for any mistake."""
    try:
        with open_regular(path, "keyframe file (TOML)", max_size=MAX_KEYFRAME_FILE) as f:
            raw = f.read()
    except InputFileError as e:  # missing, a directory, a pipe, a device, too large
        raise InputFileError(f"cannot read the keyframe file: {e}") from None
    except OSError as e:
        raise InputFileError(f"cannot read the keyframe file {path}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: not a text file (TOML is UTF-8)") from None
    except tomllib.TOMLDecodeError as e:
        raise InputFileError(f"{path}: {_toml_message(e)}") from None
    lines = _Lines(path, text)
    settings: dict[str, Any] = {}
    for key, value in data.items():
        if key == "keyframe":
            continue
        if key not in SETTINGS:
            hint = " (options go in [[keyframe]] tables)" if key.replace("_", "-") in KEYS else ""
            raise InputFileError(
                f"{lines.top(key)}: unknown setting {key!r}{hint}; the settings are {', '.join(SETTINGS)}"
            )
        settings[key] = _setting(key, value, lines.top(key))
    tables = data.get("keyframe")
    if tables is None:
        raise InputFileError(f"{path}: no keyframes; add [[keyframe]] tables, each with a time")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputFileError(f"{lines.top('keyframe')}: keyframe must be a list of tables ([[keyframe]])")
    fps = settings.get("fps")
    keys = [_keyframe(i + 1, t, lines, fps) for i, t in enumerate(tables)]
    for a, b in itertools.pairwise(keys):
        if not b.time > a.time:
            raise InputFileError(
                f"{b.where['time']}: keyframe {b.number} at {b.time:g} s does not come after keyframe "
                f"{a.number} at {a.time:g} s; times must increase"
            )
    return KeyframeFile(path, settings, keys)


def _toml_message(e: tomllib.TOMLDecodeError) -> str:
    """'line 3, column 5: not valid TOML: Expected ...' from tomllib's '... (at line 3, column 5)'."""
    msg = str(e)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        return f"line {m.group(1)}, column {m.group(2)}: not valid TOML: " + msg[: m.start()].strip()
    return "not valid TOML: " + msg


class _Lines:
    """Where keys are in the file, for error messages ('FILE: line N')."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers = [
            i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*\"?keyframe\"?\s*\]\]", line)
        ]

    def _find(self, key: str, start: int, end: int) -> int | None:
        pat = re.compile(r"\s*(\"?)" + re.escape(key) + r"\1\s*=")
        for i in range(start, min(end, len(self.lines))):
            if pat.match(self.lines[i]):
                return i
        return None

    def top(self, key: str) -> str:
        end = self.headers[0] if self.headers else len(self.lines)
        i = self._find(key, 0, end)
        return f"{self.path}: line {i + 1}" if i is not None else f"{self.path}: {key}"

    def header(self, number: int) -> str:
        if number <= len(self.headers):
            return f"{self.path}: line {self.headers[number - 1] + 1}"
        return f"{self.path}: keyframe {number}"

    def key(self, number: int, key: str) -> str:
        if number <= len(self.headers):
            start = self.headers[number - 1] + 1
            end = self.headers[number] if number < len(self.headers) else len(self.lines)
            i = self._find(key, start, end)
            if i is not None:
                return f"{self.path}: line {i + 1}"
        return f"{self.path}: keyframe {number}, {key}"


def _setting(key: str, value: Any, where: str) -> Any:
    kind = SETTINGS[key]
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputFileError(f"{where}: {key} must be a whole number of frames >= 1, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputFileError(f"{where}: {key} must be text or a number, not {_shown(value)}")
    return str(value)


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", list: "an array", dict: "a table"}.get(type(value))
    return kind if kind is not None else repr(value)


def _keyframe(number: int, table: dict[str, Any], lines: _Lines, fps: str | None) -> FileKeyframe:
    where: dict[str, str] = {}
    values: dict[str, Any] = {}
    time: float | None = None
    easing: str | None = None
    for key, value in table.items():
        at = lines.key(number, key)
        if key in ("time", "frame"):
            if time is not None:
                raise InputFileError(f"{at}: keyframe {number} gives both time and frame; give one")
            time = _time(key, value, at, fps)
            where["time"] = at
        elif key == "easing":
            if not isinstance(value, str):
                raise InputFileError(f"{at}: easing must be text, not {_shown(value)}")
            easing = value
            where["easing"] = at
        else:
            spec = KEYS.get(key) or KEYS.get(key.replace("_", "-"))
            if spec is None:
                raise InputFileError(
                    f"{at}: unknown key {key!r} in keyframe {number}; keys are time (or frame), easing, "
                    f"{', '.join(KEYS)}"
                )
            field, kind = spec
            values[field] = _value(key, kind, value, at)
            _check(key, field, values[field], at)
            where[field] = at
    if time is None:
        raise InputFileError(
            f"{lines.header(number)}: keyframe {number} has no time (time = 2.5 or frame = 75)"
        )
    return FileKeyframe(number, time, easing, values, where, lines.header(number))


def _time(key: str, value: Any, at: str, fps: str | None) -> float:
    if key == "frame":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputFileError(f"{at}: frame must be a whole number >= 0, not {_shown(value)}")
        from ..timeline import parse_fps

        try:
            return float(value / parse_fps(fps if fps is not None else "30"))
        except ValueError as e:
            raise InputFileError(f"{at}: {e}") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (math.isfinite(value) and value >= 0):
            raise InputFileError(f"{at}: time must be a number of seconds >= 0, not {value!r}")
        return float(value)
    if isinstance(value, str):
        try:
            return parse_duration(value, "time", zero=True)
        except ValueError as e:
            raise InputFileError(f"{at}: {e}") from None
    raise InputFileError(
        f"{at}: time must be a number of seconds or text such as '2.5s', not {_shown(value)}"
    )


def _value(key: str, kind: str, value: Any, at: str) -> Any:
    """A TOML value as the Options field holds it (text for what the library parses)."""
    ok_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == FLAG and isinstance(value, bool):
        return value
    if kind == INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == NUMBER and ok_number:
        return float(value)
    if kind == NUMBER and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise InputFileError(f"{at}: {key} must be a number, not {value!r}") from None
    if kind in (TEXT, LIST) and (isinstance(value, str) or ok_number):
        return str(value)
    if key == "boundary" and value is False:
        return "none"
    if (
        kind == LIST
        and isinstance(value, list)
        and value
        and all(
            isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in value
        )
    ):
        return ",".join(str(v) for v in value)
    raise InputFileError(f"{at}: {key} must be {_KINDS[kind]}, not {_shown(value)}")


def _check(key: str, field: str, value: Any, at: str) -> None:
    """Read a value as the render will, so that a mistake is reported at its own line."""
    # imported here: they load numpy and the core
    from .._native import LIMITS
    from ..checks import as_int, method_name, precision_request, relax_factor, tolerance
    from ..colors import SHADINGS, parse_color, root_colors
    from ..errors import ParameterError
    from ..poly import parse_complex, parse_complex_list, parse_polynomial
    from ..poly.exact import parse_exact

    try:
        if field in ("coefs", "roots"):
            parse_complex_list(value, "coefficient" if field == "coefs" else "root")
        elif field == "expr":
            parse_polynomial(value)
        elif field == "center":
            parse_complex(value, "center")
        elif field == "relax":
            relax_factor(parse_complex(value, "relax"))
        elif field == "palette":
            root_colors(value, 1)
        elif field == "nonconverged_color" or (
            field == "boundary" and value.strip().lower() not in ("none", "off")
        ):
            parse_color(value)
        elif field == "method":
            method_name(value)
        elif field == "precision":
            precision_request(value)
        elif field == "shading" and value.strip().lower() not in (*SHADINGS, "default"):
            raise ParameterError(f"unknown shading {value!r}; choose {', '.join(SHADINGS)}")
        elif field == "itmax":
            as_int(value, "itmax", 1, LIMITS.max_itmax)
        elif field == "aa":
            as_int(value, "aa", 1, LIMITS.max_aa)
        elif field == "tol":
            tolerance(value)
        elif field == "width" and not parse_exact(value, "the view's width") > 0:
            raise ParameterError(f"the view's width must be a number > 0, not {value!r}")
    except (ValueError, TypeError) as e:
        raise InputFileError(f"{at}: {key}: {e}") from None
