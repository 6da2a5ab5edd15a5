"""The command line's options as one object, with the checks that belong to the command line.

``Options.collect`` gathers what Typer parsed and remembers which options were
given (so that ``--from`` knows what to override). Values are still text where
the library parses them (numbers, colours, polynomials).
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field, fields
from typing import Any

import typer

from ..errors import ParameterError

PROG = "nb-render"
MAX_MESSAGE = 1000  # characters in one line of a message, whatever a file put into it


def printable(text: object, limit: int = MAX_MESSAGE) -> str:
    """Text made safe to show in one line: runs of whitespace become one space, control and
    formatting characters are escaped (an escape sequence from a file never reaches the terminal),
    and the line is cut at ``limit`` characters."""
    line = " ".join(str(text).split())
    line = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def say(line: str) -> None:
    """One line to standard error, made printable; a closed or full stderr loses it, nothing more."""
    try:
        sys.stderr.write(printable(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


SCENE_OPTIONS = frozenset(
    {
        "coefs",
        "roots",
        "expr",
        "size",
        "xmin",
        "xmax",
        "ymin",
        "ymax",
        "center",
        "width",
        "stretch",
        "fit",
        "itmax",
        "tol",
        "method",
        "relax",
        "aa",
        "precision",
    }
)
POLYNOMIAL_OPTIONS = frozenset({"coefs", "roots", "expr"})
# the options that make the command render an animation
ANIMATION_OPTIONS = frozenset(
    {
        "duration",
        "frames",
        "fps",
        "zoom_to",
        "zoom_width",
        "to_coefs",
        "to_roots",
        "to_expr",
        "to_relax",
        "keyframes",
        "easing",
        "keep_frames",
        "chroma",
    }
)
BATCH_OPTIONS = frozenset({"batch", "keep_going"})
VIEW_OPTIONS = frozenset({"xmin", "xmax", "ymin", "ymax", "center", "width", "fit"})
# option -> Style field
STYLE_OPTIONS = {
    "palette": "palette",
    "shading": "shading",
    "nonconverged_color": "nonconverged",
    "boundary": "boundary",
    "mark_roots": "mark_roots",
    "depth": "depth",
}


class CommandLineError(ParameterError, typer.BadParameter):
    """A mistake in the command line: reported with a hint to read --help.

    Also a Typer usage error, so that the app run on its own (Typer's standalone
    mode, or its test runner) reports it as one too: exit code 2.
    """

    def __init__(self, message: str) -> None:
        typer.BadParameter.__init__(self, message)

    def format_message(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Options:
    """Every option of ``nb-render``, as given or defaulted."""

    output: str | None
    coefs: str | None = None
    roots: str | None = None
    expr: str | None = None
    from_file: str | None = None
    size: str | None = None
    xmin: float | None = None
    xmax: float | None = None
    ymin: float | None = None
    ymax: float | None = None
    center: str | None = None
    width: str | float | None = None  # read exactly (text)
    fit: bool = False
    stretch: bool = False
    method: str = "newton"
    relax: str = "1"
    itmax: int | None = None
    precision: str = "auto"
    tol: float = 1e-6
    palette: str = "default"
    shading: str = "smooth"
    nonconverged_color: str = "#000000"
    boundary: str | None = None
    mark_roots: bool = False
    aa: int = 1
    depth: int = 8
    format: str | None = None
    quality: int | None = None
    lossless: bool = False
    save_data: str | None = None
    stats: bool = False
    stats_json: bool = False
    threads: int | None = None
    kernel: str | None = None
    max_memory: str | None = None
    quiet: bool = False
    scheduler: str | None = None
    fields: str | None = None
    chunks: int = 1024
    duration: str | None = None
    frames: int | None = None
    fps: str = "30"
    zoom_to: str | None = None
    zoom_width: str | float | None = None
    to_coefs: str | None = None
    to_roots: str | None = None
    to_expr: str | None = None
    to_relax: str | None = None
    keyframes: str | None = None
    easing: str = "smooth"
    keep_frames: str | None = None
    chroma: str = "444"
    batch: str | None = None
    keep_going: bool = False
    given: frozenset[str] = field(default=frozenset())  # the options given on the command line

    @classmethod
    def collect(cls, ctx: Any) -> Options:
        """From a Typer/Click context: the parsed values and which of them were given."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in ctx.params.items() if k in names}
        given = frozenset(name for name in ctx.params if _given(ctx, name))
        return cls(**values, given=given)

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"

    @property
    def to_zarr(self) -> bool:
        return self.output is not None and self.output.rstrip("/\\").lower().endswith(".zarr")

    def zarr_fields(self) -> tuple[str, ...] | None:
        """The arrays of a .zarr output (None: the default)."""
        if self.fields is None:
            return None
        names = tuple(f.strip().lower() for f in self.fields.split(",") if f.strip())
        if names == ("all",):
            return ("rgb", "root", "iterations", "smooth", "residual")
        known = ("rgb", "root", "iterations", "smooth", "residual")
        bad = [n for n in names if n not in known]
        if bad or not names:
            raise CommandLineError(
                f"--fields {self.fields!r}: choose from {', '.join(known)} (comma-separated) or all"
            )
        return names

    @property
    def animated(self) -> bool:
        """Whether the options ask for an animation."""
        return bool(self.given & ANIMATION_OPTIONS)

    def check_output(self) -> str:
        """The output name, checked against what is asked for (a still or an animation)."""
        if self.output is None:
            raise CommandLineError("give the output file (or a job file with --batch)")
        from ..sequence import output_kind

        kind = output_kind(self.output)
        if self.animated and kind is None:
            raise CommandLineError(
                f"{self.output} holds one picture; an animation goes to a folder (frames/), a frame pattern "
                "(frames/%05d.png), an animated image (.gif, .webp, .apng) or a video (.mp4, .mkv, .webm)"
            )
        name = self.output.rstrip("/" + os.sep)
        is_folder = kind == "frames" and (name != self.output or os.path.isdir(name))
        if (
            not self.animated
            and kind is not None
            and not is_folder
            and (kind != "animated" or name.lower().endswith(".apng"))
        ):
            raise CommandLineError(
                f"{self.output} holds an animation: say how long (--duration 5s or --frames N) and what moves "
                "(--zoom-to, --zoom-width, --to-coefs, --to-roots, --to-relax or --keyframes)"
            )
        return self.output

    def check(self) -> None:
        """What the command line checks itself, before anything is computed."""
        output = self.check_output()
        npoly = sum(v is not None for v in (self.coefs, self.roots, self.expr))
        if npoly > 1 or (npoly == 0 and self.from_file is None):
            raise CommandLineError(
                "give the polynomial with exactly one of --coefs, --roots or --expr (or use --from)"
            )
        # imported here, not at the top: they load numpy and the core, which --help does not need
        from .._native import LIMITS
        from ..checks import as_int, tolerance

        if self.threads is not None:
            as_int(self.threads, "--threads", 1, LIMITS.max_threads)
        if self.itmax is not None:
            as_int(self.itmax, "--itmax", 1, LIMITS.max_itmax)
        tolerance(self.tol, "--tol")
        if self.depth not in (8, 16):
            raise CommandLineError(f"--depth must be 8 or 16 (got {self.depth})")
        as_int(self.aa, "--aa", 1, LIMITS.max_aa)
        if self.stretch and None in (self.xmin, self.xmax, self.ymin, self.ymax):
            raise CommandLineError(
                "--stretch uses the four bounds exactly: give all of --xmin, --xmax, --ymin and --ymax with it"
            )
        if self.save_data is not None:
            from ..outfile import same_file

            if same_file(output, self.save_data):
                raise CommandLineError(
                    f"--save-data and the image are the same file ({self.output}); give them different names"
                )
        if self.to_zarr:
            self.zarr_fields()
            as_int(self.chunks, "--chunks", 1, 1 << 20)
            if self.save_data is not None:
                raise CommandLineError(
                    "a .zarr output holds the per-pixel data itself (see --fields); --save-data is for PNG outputs"
                )
        elif self.given & {"fields", "chunks"}:
            raise CommandLineError("--fields and --chunks apply to .zarr outputs only")
        if self.scheduler is not None and not self.scheduler.strip():
            raise CommandLineError(
                "--scheduler needs an address such as tcp://10.0.0.5:8786 (or a scheduler file)"
            )
        if self.to_stdout and sys.stdout is not None and sys.stdout.isatty():
            raise CommandLineError(
                "refusing to write image data to a terminal: redirect standard output or give a file name"
            )

    def memory_limit(self) -> int | None:
        return parse_bytes(self.max_memory) if self.max_memory is not None else None


def _given(ctx: Any, name: str) -> bool:
    src = ctx.get_parameter_source(name)
    return src is not None and getattr(src, "name", "") in ("COMMANDLINE", "ENVIRONMENT", "PROMPT")


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' (or '800': square) -> (width, height)."""
    from ..checks import parse_size as parse  # here: it loads numpy and the core

    try:
        return parse(text, "--size")
    except ParameterError as e:
        raise CommandLineError(str(e)) from None


def parse_bytes(text: str) -> int:
    """'8G', '512M', '2000000000' -> bytes."""
    t = text.strip().lower().replace(" ", "").removesuffix("b").removesuffix("i")
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}.get(t[-1:], 1)
    try:
        v = float(t[:-1] if t[-1:] in "kmgt" else t) * mult
    except ValueError:
        v = -1.0
    if not (math.isfinite(v) and v > 0):
        raise CommandLineError(f"--max-memory {text!r}: expected a size such as 8G, 512M or 2000000000")
    return int(v)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|sec|m|min)?\s*$", re.IGNORECASE)


def parse_duration(text: str, option: str = "--duration", *, zero: bool = False) -> float:
    """'10s', '10', '2.5s', '1500ms', '2min' -> seconds (``zero``: 0 is allowed)."""
    m = _DURATION.match(text)
    if not m:
        raise CommandLineError(f"{option} {text!r}: expected a time such as 10s, 2.5s, 1500ms or 2min")
    unit = (m.group(2) or "s").lower()
    seconds = float(m.group(1)) * {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0}[unit]
    if not (math.isfinite(seconds) and (seconds > 0 or (zero and seconds == 0))):
        raise CommandLineError(f"{option} {text!r}: the time must be more than 0")
    return seconds
