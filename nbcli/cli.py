"""The ``nb-render`` command: parse, validate, call the library, report.

Kept thin and quick to start: numpy, Pillow and the compiled core are only
imported once there is something to render.
"""

import contextlib
import math
import os
import signal
import sys
import time
from typing import Annotated, Any, Callable, Optional

import typer

from ._version import __version__

PROG = "nb-render"
EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

_P_POLY = "Polynomial (one of)"
_P_VIEW = "View"
_P_ITER = "Newton's method"
_P_COLOR = "Colours"
_P_RUN = "Running"

EPILOG = (
    "[b]Examples[/b]\n\n"
    "  nb-render --coefs 1,0,0,0,0,0,1 out.png   [dim]# z^6 + 1[/dim]\n\n"
    "  nb-render --roots 1,-1,1j,-1j --size 1920x1080 wall.png\n\n"
    "  nb-render -c 1,-2+7.5j,0,12j,5+0.1j --center 0.2+0.5j --width 1.5 zoom.png\n\n"
    "  nb-render -c 1,0,0,-1 --xmin -2 --xmax 2 --ymin -1 --ymax 1 - > cubic.png\n\n"
    "Coefficients go highest degree first (numpy.polyval order); complex numbers are written 3+4j or 3+4i. "
    "Every PNG records its parameters in its metadata."
)


# Typer re-exports click's Exit/Abort/BadParameter; newer Typers vendor click
# instead of depending on it, so the other exception classes are found here.
_MRO = typer.BadParameter.__mro__
UsageError: Any = next(c for c in _MRO if c.__name__ == "UsageError")
ClickException: Any = next(c for c in _MRO if c.__name__ == "ClickException")


class _Terminated(BaseException):
    """SIGTERM arrived."""


class _Interrupted(BaseException):
    """Ctrl-C arrived (kept apart from KeyboardInterrupt, which Typer versions handle differently)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


def _version_callback(value: bool) -> None:
    if not value:
        return
    from .api import available_kernels, default_threads, selected_kernel

    name = selected_kernel()
    isa = next((k["isa"] for k in available_kernels() if k["name"] == name), "?")
    typer.echo(f"{PROG} {__version__} (kernel {name}: {isa}; {default_threads()} threads)")
    raise typer.Exit()


def _parse_size(text: str) -> "tuple[int, int]":
    t = text.strip().lower().replace("×", "x").replace("*", "x")
    parts = t.split("x")
    try:
        if len(parts) == 1:
            w = h = int(parts[0])
        elif len(parts) == 2:
            w, h = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1920x1080") from None
    if w <= 0 or h <= 0:
        raise UsageError(f"--size {text!r}: width and height must be positive")
    return w, h


@app.command(epilog=EPILOG)
def render(
    output: Annotated[
        str,
        typer.Argument(
            metavar="OUTPUT", help="PNG file to write, or - for standard output.", show_default=False
        ),
    ],
    coefs: Annotated[
        Optional[str],
        typer.Option(
            "--coefs",
            "-c",
            metavar="C0,C1,...",
            rich_help_panel=_P_POLY,
            help="Coefficients, highest degree first, complex allowed: [b]1,0,0,-1[/b] is z^3 - 1.",
        ),
    ] = None,
    roots: Annotated[
        Optional[str],
        typer.Option(
            "--roots",
            "-r",
            metavar="R1,R2,...",
            rich_help_panel=_P_POLY,
            help="Roots of a monic polynomial instead, repeats allowed: [b]1,-1,1j,-1j[/b] is z^4 - 1.",
        ),
    ] = None,
    size: Annotated[
        Optional[str],
        typer.Option(
            "--size",
            "-s",
            metavar="WxH",
            rich_help_panel=_P_VIEW,
            help="Image size in pixels, e.g. 1920x1080. [dim]Default: 1024 on the longer side.[/dim]",
        ),
    ] = None,
    xmin: Annotated[
        Optional[float], typer.Option(help="Left edge (real part).", rich_help_panel=_P_VIEW)
    ] = None,
    xmax: Annotated[
        Optional[float], typer.Option(help="Right edge (real part).", rich_help_panel=_P_VIEW)
    ] = None,
    ymin: Annotated[
        Optional[float], typer.Option(help="Bottom edge (imaginary part).", rich_help_panel=_P_VIEW)
    ] = None,
    ymax: Annotated[
        Optional[float], typer.Option(help="Top edge (imaginary part).", rich_help_panel=_P_VIEW)
    ] = None,
    center: Annotated[
        Optional[str],
        typer.Option(metavar="Z", rich_help_panel=_P_VIEW, help="Centre of the view, e.g. 0 or -0.5+0.25j."),
    ] = None,
    width: Annotated[
        Optional[float],
        typer.Option(
            rich_help_panel=_P_VIEW,
            help="Width of the view in the complex plane (with or without --center). "
            "[dim]Default: all roots framed with a margin.[/dim]",
        ),
    ] = None,
    stretch: Annotated[
        bool,
        typer.Option(
            "--stretch",
            rich_help_panel=_P_VIEW,
            help="With all of --xmin/--xmax/--ymin/--ymax, use them exactly even if pixels become non-square "
            "(by default the view is widened to keep the picture undistorted).",
        ),
    ] = False,
    itmax: Annotated[
        int, typer.Option("--itmax", "-n", rich_help_panel=_P_ITER, help="Maximum Newton steps per pixel.")
    ] = 60,
    tol: Annotated[
        float, typer.Option(rich_help_panel=_P_ITER, help="A pixel has converged when |p(z)| <= tol.")
    ] = 1e-6,
    palette: Annotated[
        str,
        typer.Option(
            "--palette",
            "-p",
            rich_help_panel=_P_COLOR,
            help="default, okabe-ito (colour-blind safe), pastel, hsv, or colours: '#1b9e77,#d95f02,#7570b3'.",
        ),
    ] = "default",
    shading: Annotated[
        str,
        typer.Option(
            rich_help_panel=_P_COLOR,
            help="default (bright basins, darker boundaries), iterations (nb_cpp's 1 - k/itmax) or flat.",
        ),
    ] = "default",
    nonconverged_color: Annotated[
        str,
        typer.Option(
            "--nonconverged-color",
            metavar="COLOR",
            rich_help_panel=_P_COLOR,
            help="Colour of pixels that did not converge.",
        ),
    ] = "#000000",
    threads: Annotated[
        Optional[int],
        typer.Option(
            "--threads", "-j", rich_help_panel=_P_RUN, help="Threads to use. [dim]Default: all cores.[/dim]"
        ),
    ] = None,
    kernel: Annotated[
        Optional[str],
        typer.Option(
            rich_help_panel=_P_RUN,
            help="Force a kernel: baseline, avx2, avx512 or auto (same as NB_RENDER_KERNEL). [dim]Default: the "
            "best this CPU supports.[/dim]",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", rich_help_panel=_P_RUN, help="No progress bar or summary.")
    ] = False,
    version: Annotated[
        Optional[bool],
        typer.Option(
            "--version",
            "-V",
            callback=_version_callback,
            is_eager=True,
            rich_help_panel=_P_RUN,
            help="Show the version and the CPU kernel in use, then exit.",
        ),
    ] = None,
) -> None:
    """Render the basins of attraction of Newton's method for a polynomial to a PNG.

    Each pixel is a starting point in the complex plane; it is coloured by the
    root that Newton's method reaches from there, darker the more steps it takes.
    """
    from .colors import Style
    from .poly import parse_complex, parse_complex_list

    try:
        if (coefs is None) == (roots is None):
            raise UsageError("give the polynomial with exactly one of --coefs or --roots (see --help)")
        c = parse_complex_list(coefs, "coefficient") if coefs is not None else None
        r = parse_complex_list(roots, "root") if roots is not None else None
        sz = _parse_size(size) if size is not None else None
        ctr = parse_complex(center, "--center") if center is not None else None
        if threads is not None and not 1 <= threads <= 4096:
            raise ValueError(f"--threads must be between 1 and 4096 (got {threads})")
        if itmax < 1:
            raise ValueError(f"--itmax must be at least 1 (got {itmax})")
        if not (tol > 0 and math.isfinite(tol)):
            raise ValueError(f"--tol must be a positive finite number (got {tol})")
        style = Style(
            palette=palette, shading=shading.strip().lower(), nonconverged=nonconverged_color
        ).validate()
        to_stdout = output == "-"
        if to_stdout and sys.stdout.isatty():
            raise UsageError(
                "refusing to write PNG data to a terminal: redirect standard output or give a file name"
            )

        from . import api
        from .png import check_writable

        scene = api.Scene.create(
            c,
            roots=r,
            size=sz,
            xmin=xmin,
            xmax=xmax,
            ymin=ymin,
            ymax=ymax,
            center=ctr,
            span=width,
            itmax=itmax,
            tol=tol,
            stretch=stretch,
        )
        api._kernel(kernel)
    except ValueError as e:
        raise UsageError(str(e)) from None

    check_writable(output)
    show = not quiet and sys.stderr.isatty()
    t0 = time.perf_counter()
    try:
        with _progress(show, scene.width * scene.height) as progress:
            result = api.render(
                scene, style, threads=threads, kernel=kernel, keep_data=False, progress=progress
            )
            result.save(output)
    except KeyboardInterrupt:
        raise _Interrupted() from None
    if show:
        dt = time.perf_counter() - t0
        typer.echo(
            f"{PROG}: wrote {output if not to_stdout else 'standard output'} "
            f"({scene.width}x{scene.height}, {scene.polynomial}, {len(result.roots)} roots, {dt:.2f} s)",
            err=True,
        )


class _progress:
    """A rich progress bar on stderr that appears only if a render takes a while."""

    DELAY = 0.3

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.bar: Any = None
        self.task: Any = None
        self.t0 = time.perf_counter()

    def __enter__(self) -> Optional[Callable[[int, int], None]]:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.t0 < self.DELAY or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("rendering"),
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("render", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _one_line(msg: str) -> str:
    return " ".join(str(msg).split())


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point: turns every failure into one line on stderr and an exit code."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread
        signal.signal(signal.SIGTERM, _on_sigterm)
    code = 0
    if not (sys.argv[1:] if argv is None else argv):
        app(args=["--help"], prog_name=PROG, standalone_mode=False)
        sys.exit(EXIT_USAGE)
    try:
        rv = app(args=argv, prog_name=PROG, standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == EXIT_SIGINT:
            raise _Interrupted()
    except UsageError as e:
        hint = f" (try '{PROG} --help')" if "--help" not in e.format_message() else ""
        sys.stderr.write(f"{PROG}: error: {_one_line(e.format_message())}{hint}\n")
        code = EXIT_USAGE
    except typer.Exit as e:
        code = e.exit_code
    except (_Interrupted, typer.Abort, KeyboardInterrupt):
        sys.stderr.write(f"{PROG}: interrupted\n")
        code = EXIT_SIGINT
    except _Terminated:
        sys.stderr.write(f"{PROG}: terminated\n")
        code = EXIT_SIGTERM
    except ClickException as e:
        sys.stderr.write(f"{PROG}: error: {_one_line(e.format_message())}\n")
        code = e.exit_code
    except ValueError as e:  # a value the library refused (e.g. NB_RENDER_KERNEL, an output name)
        sys.stderr.write(f"{PROG}: error: {_one_line(str(e))}\n")
        code = EXIT_USAGE
    except OSError as e:
        reason = e.strerror or str(e)
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        sys.stderr.write(f"{PROG}: error: {_one_line(where + reason)}\n")
        code = EXIT_FAILURE
    except MemoryError:
        sys.stderr.write(f"{PROG}: error: out of memory; try a smaller --size\n")
        code = EXIT_FAILURE
    except Exception as e:  # a bug: still one line, but say how to get the details
        if os.environ.get("NB_RENDER_DEBUG"):
            raise
        sys.stderr.write(
            f"{PROG}: internal error: {type(e).__name__}: {_one_line(str(e))} "
            "(set NB_RENDER_DEBUG=1 for a traceback, and please report it)\n"
        )
        code = EXIT_FAILURE
    sys.exit(code)
