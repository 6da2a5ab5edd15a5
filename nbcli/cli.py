"""The ``nb-render`` command: parse, validate, call the library, report.

Kept thin and quick to start: numpy and the compiled core are only
imported once there is something to render.
"""

import contextlib
import math
import os
import signal
import sys
import time
import warnings
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
_P_ITER = "Method"
_P_COLOR = "Colours and quality"
_P_DATA = "Data and statistics"
_P_RUN = "Running"

EPILOG = (
    "[b]Examples[/b]\n\n"
    "  nb-render --coefs 1,0,0,0,0,0,1 out.png   [dim]# z^6 + 1[/dim]\n\n"
    "  nb-render --roots 1,-1,1j,-1j --size 1920x1080 wall.png\n\n"
    "  nb-render -c 1,-2+7.5j,0,12j,5+0.1j --center 0.2+0.5j --width 1.5 zoom.png\n\n"
    "  nb-render -c 1,0,0,-1 --xmin -2 --xmax 2 --ymin -1 --ymax 1 - > cubic.png\n\n"
    "  nb-render -e '(z-1)(z+1)^2(z-2j)' --method schroder --aa 3 --mark-roots double.png\n\n"
    "  nb-render --from wall.png --palette okabe-ito --size 3840x2160 wall-4k.png   [dim]# re-render, changed[/dim]\n\n"
    "  nb-render -c 1,0,0,-1 --save-data cubic.npz cubic.png; nb-render --from cubic.npz --palette viridis c2.png\n\n"
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


def _parse_bytes(text: str) -> int:
    t = text.strip().lower().replace(" ", "").removesuffix("b").removesuffix("i")
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}.get(t[-1:], 1)
    try:
        v = float(t[:-1] if t[-1:] in "kmgt" else t) * mult
    except ValueError:
        v = -1.0
    if not (math.isfinite(v) and v > 0):
        raise UsageError(f"--max-memory {text!r}: expected a size such as 8G, 512M or 2000000000")
    return int(v)


_SCENE_OPTIONS = (
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
)
_VIEW_OPTIONS = ("xmin", "xmax", "ymin", "ymax", "center", "width", "fit")
_STYLE_OPTIONS = {
    "palette": "palette",
    "shading": "shading",
    "nonconverged_color": "nonconverged",
    "boundary": "boundary",
    "mark_roots": "mark_roots",
    "depth": "depth",
}


@app.command(epilog=EPILOG)
def render(
    ctx: typer.Context,
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
    expr: Annotated[
        Optional[str],
        typer.Option(
            "--expr",
            "-e",
            metavar="EXPR",
            rich_help_panel=_P_POLY,
            help="A polynomial in z: [b]'z^5 - 3z^2 + (1+2j)'[/b] or [b]'(z-1)(z+1)^2(z-2j)'[/b].",
        ),
    ] = None,
    from_file: Annotated[
        Optional[str],
        typer.Option(
            "--from",
            metavar="FILE",
            rich_help_panel=_P_POLY,
            help="Start from the parameters of a PNG made by nb-render, or of a --save-data .npz file; options "
            "given here override them. With an .npz and only colour options changed, the saved data is "
            "recoloured without computing again.",
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
        Optional[float], typer.Option(help="Left edge (real part).", rich_help_panel=_P_VIEW, metavar="X")
    ] = None,
    xmax: Annotated[
        Optional[float], typer.Option(help="Right edge (real part).", rich_help_panel=_P_VIEW, metavar="X")
    ] = None,
    ymin: Annotated[
        Optional[float],
        typer.Option(help="Bottom edge (imaginary part).", rich_help_panel=_P_VIEW, metavar="Y"),
    ] = None,
    ymax: Annotated[
        Optional[float], typer.Option(help="Top edge (imaginary part).", rich_help_panel=_P_VIEW, metavar="Y")
    ] = None,
    center: Annotated[
        Optional[str],
        typer.Option(metavar="Z", rich_help_panel=_P_VIEW, help="Centre of the view, e.g. 0 or -0.5+0.25j."),
    ] = None,
    width: Annotated[
        Optional[float],
        typer.Option(
            rich_help_panel=_P_VIEW,
            help="Width of the view in the complex plane (with or without --center).",
            metavar="W",
        ),
    ] = None,
    fit: Annotated[
        bool,
        typer.Option(
            "--fit",
            rich_help_panel=_P_VIEW,
            help="Frame all roots with a margin, keeping the image's aspect ratio "
            "[dim](what happens anyway when no view is given; useful with --from)[/dim].",
            metavar="",
        ),
    ] = False,
    stretch: Annotated[
        bool,
        typer.Option(
            "--stretch",
            rich_help_panel=_P_VIEW,
            help="With all of --xmin/--xmax/--ymin/--ymax, use them exactly even if pixels become non-square "
            "(by default the view is widened to keep the picture undistorted).",
            metavar="",
        ),
    ] = False,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            "-m",
            rich_help_panel=_P_ITER,
            help="newton; relaxed (z - a p/p', see --relax); halley; schroder (fast at repeated roots); "
            "householder (third order).",
            metavar="NAME",
        ),
    ] = "newton",
    relax: Annotated[
        str,
        typer.Option(metavar="A", rich_help_panel=_P_ITER, help="The complex factor a of --method relaxed."),
    ] = "1",
    itmax: Annotated[
        int,
        typer.Option("--itmax", "-n", rich_help_panel=_P_ITER, help="Maximum steps per pixel.", metavar="N"),
    ] = 60,
    precision: Annotated[
        str,
        typer.Option(
            "--precision",
            metavar="double|single",
            rich_help_panel=_P_ITER,
            help="double, or single: float32 arithmetic, 1.6-1.8x as fast. Pictures look the same unless --tol "
            "is below float32's resolution near the roots or the view is zoomed in deep; nb-render warns about "
            "both (see docs/usage.md).",
        ),
    ] = "double",
    tol: Annotated[
        float,
        typer.Option(rich_help_panel=_P_ITER, help="A pixel has converged when |p(z)| <= tol.", metavar="T"),
    ] = 1e-6,
    palette: Annotated[
        str,
        typer.Option(
            "--palette",
            "-p",
            rich_help_panel=_P_COLOR,
            help="default, okabe-ito (colour-blind safe), pastel, hsv, a matplotlib colormap name (if matplotlib "
            "is installed), or colours: '#1b9e77,#d95f02,#7570b3'.",
            metavar="NAME",
        ),
    ] = "default",
    shading: Annotated[
        str,
        typer.Option(
            rich_help_panel=_P_COLOR,
            help="smooth (bright basins darkening towards their borders, no banding), iterations (nb_cpp's "
            "1 - k/itmax, banded) or flat.",
            metavar="NAME",
        ),
    ] = "smooth",
    nonconverged_color: Annotated[
        str,
        typer.Option(
            "--nonconverged-color",
            metavar="COLOR",
            rich_help_panel=_P_COLOR,
            help="Colour of pixels that did not converge.",
        ),
    ] = "#000000",
    boundary: Annotated[
        Optional[str],
        typer.Option(
            "--boundary",
            metavar="COLOR",
            rich_help_panel=_P_COLOR,
            help="Draw the borders between basins in this colour (e.g. white; none to turn off).",
        ),
    ] = None,
    mark_roots: Annotated[
        bool,
        typer.Option(
            "--mark-roots/--no-mark-roots",
            rich_help_panel=_P_COLOR,
            help="Mark each root with a dot.",
            metavar="",
        ),
    ] = False,
    aa: Annotated[
        int,
        typer.Option(
            "--aa",
            metavar="N",
            rich_help_panel=_P_COLOR,
            help="Anti-aliasing: N x N samples per pixel, averaged in linear light (N^2 times the work).",
        ),
    ] = 1,
    depth: Annotated[
        int,
        typer.Option(
            "--depth", metavar="8|16", rich_help_panel=_P_COLOR, help="Bits per channel of the PNG."
        ),
    ] = 8,
    save_data: Annotated[
        Optional[str],
        typer.Option(
            "--save-data",
            metavar="FILE.npz",
            rich_help_panel=_P_DATA,
            help="Also save per-pixel root, iterations, smooth count and |p| (recolour later with --from).",
        ),
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            rich_help_panel=_P_DATA,
            help="Print one line: share of each root, non-converged, mean steps.",
            metavar="",
        ),
    ] = False,
    stats_json: Annotated[
        bool,
        typer.Option(
            "--stats-json", rich_help_panel=_P_DATA, help="The same statistics as JSON.", metavar=""
        ),
    ] = False,
    threads: Annotated[
        Optional[int],
        typer.Option(
            "--threads",
            "-j",
            rich_help_panel=_P_RUN,
            help="Threads to use. [dim]Default: all cores.[/dim]",
            metavar="N",
        ),
    ] = None,
    kernel: Annotated[
        Optional[str],
        typer.Option(
            rich_help_panel=_P_RUN,
            help="Force a kernel: baseline, avx2, avx512 or auto (same as NB_RENDER_KERNEL). [dim]Default: the "
            "best this CPU supports.[/dim]",
            metavar="NAME",
        ),
    ] = None,
    max_memory: Annotated[
        Optional[str],
        typer.Option(
            "--max-memory",
            metavar="SIZE",
            rich_help_panel=_P_RUN,
            help="Memory the render may use, e.g. 8G. [dim]Default: what is available; a render that needs more "
            "stops before starting.[/dim]",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", rich_help_panel=_P_RUN, help="No progress bar or summary.", metavar=""),
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
            metavar="",
        ),
    ] = None,
) -> None:
    """Render the basins of attraction of Newton's method for a polynomial to a PNG.

    Each pixel is a starting point in the complex plane; it is coloured by the
    root that Newton's method (or another root-finding method) reaches from
    there, darker the more steps it takes.
    """
    given = {name for name in ctx.params if _given(ctx, name)}
    to_stdout = output == "-"
    try:
        npoly = sum(v is not None for v in (coefs, roots, expr))
        if npoly > 1 or (npoly == 0 and from_file is None):
            raise UsageError(
                "give the polynomial with exactly one of --coefs, --roots or --expr (or use --from)"
            )
        if threads is not None and not 1 <= threads <= 4096:
            raise ValueError(f"--threads must be between 1 and 4096 (got {threads})")
        if itmax < 1:
            raise ValueError(f"--itmax must be at least 1 (got {itmax})")
        if not (tol > 0 and math.isfinite(tol)):
            raise ValueError(f"--tol must be a positive finite number (got {tol})")
        if depth not in (8, 16):
            raise ValueError(f"--depth must be 8 or 16 (got {depth})")
        if not 1 <= aa <= 16:
            raise ValueError(f"--aa must be between 1 and 16 (got {aa})")
        if to_stdout and sys.stdout.isatty():
            raise UsageError(
                "refusing to write PNG data to a terminal: redirect standard output or give a file name"
            )
        limit = _parse_bytes(max_memory) if max_memory is not None else None
        from . import api

        plan = _plan(given, locals(), from_file)
        api._kernel(kernel)
    except ValueError as e:
        raise UsageError(str(e)) from None

    show = not quiet and sys.stderr.isatty()
    scene, style, source = plan
    if source is None:
        for warning in api.single_precision_warnings(scene, kernel=kernel):
            sys.stderr.write(f"{PROG}: warning: {warning}\n")
    total = scene.samples[0] * scene.samples[1]
    try:
        label = "recolouring" if source is not None else "rendering"
        if scene.aa > 1:  # the bar counts samples, so supersampling's cost shows
            label += f" ({scene.aa}x{scene.aa} samples per pixel)"
        with _progress(show, total, label) as progress, warnings.catch_warnings():
            warnings.simplefilter("ignore", api.PrecisionWarning)  # printed above already
            info = api.render_to_png(
                output,
                scene,
                style,
                threads=threads,
                kernel=kernel,
                progress=progress,
                save_data=save_data,
                stats=stats or stats_json,
                max_memory=limit,
                source=source,
            )
    except KeyboardInterrupt:
        raise _Interrupted() from None
    report = sys.stderr if to_stdout else sys.stdout
    if stats_json:
        import json

        report.write(json.dumps(_stats_record(scene, info), separators=(", ", ": ")) + "\n")
    if stats:
        report.write(_stats_line(scene, info) + "\n")
    if show:
        what = "recoloured" if source is not None else "wrote"
        typer.echo(
            f"{PROG}: {what} {output if not to_stdout else 'standard output'} "
            f"({scene.width}x{scene.height}, {scene.polynomial}, {len(info['roots'])} roots, "
            f"{'single precision, ' if scene.precision == 'single' else ''}{info['seconds']:.2f} s)",
            err=True,
        )


def _given(ctx: Any, name: str) -> bool:
    src = ctx.get_parameter_source(name)
    return src is not None and getattr(src, "name", "") in ("COMMANDLINE", "ENVIRONMENT", "PROMPT")


def _plan(given: "set[str]", opts: "dict[str, Any]", from_file: Optional[str]) -> "tuple[Any, Any, Any]":
    """Scene, Style and (when recolouring) the saved data: from the options, over --from's parameters."""
    from . import api
    from .colors import Style
    from .poly import parse_complex, parse_complex_list

    base_scene = base_style = None
    arrays = None
    if from_file is not None:
        from .data import load_npz, parse_parameters, read_parameters

        if from_file.lower().endswith(".npz"):
            params, arrays = load_npz(from_file)
        else:
            params = read_parameters(from_file)
        base_scene, base_style = parse_parameters(params, from_file)
        made_by = params.get("version")
        if made_by != __version__:
            sys.stderr.write(
                f"{PROG}: note: {from_file} was made by nb-render {made_by}; this is {__version__}, "
                "so the picture may differ slightly\n"
            )

    style_kw: dict[str, Any] = {
        field: opts[opt] if base_style is None or opt in given else getattr(base_style, field)
        for opt, field in _STYLE_OPTIONS.items()
    }
    if isinstance(style_kw["boundary"], str) and style_kw["boundary"].strip().lower() in ("none", "off", ""):
        style_kw["boundary"] = None
    style = Style(**style_kw).validate()

    scene_given = given & set(_SCENE_OPTIONS)
    c = parse_complex_list(opts["coefs"], "coefficient") if opts["coefs"] is not None else None
    r = parse_complex_list(opts["roots"], "root") if opts["roots"] is not None else None
    if opts["expr"] is not None:
        from .poly import parse_polynomial

        c = [complex(v) for v in parse_polynomial(opts["expr"])]
    sz = _parse_size(opts["size"]) if opts["size"] is not None else None
    ctr = parse_complex(opts["center"], "--center") if opts["center"] is not None else None
    relax = parse_complex(opts["relax"], "--relax")

    b = base_scene

    def pick(name: str, value: Any) -> Any:  # the option if given (or nothing to start from), else --from's
        return value if b is None or name in given else getattr(b, name)

    method = pick("method", opts["method"])
    if "relax" in given and method != "relaxed":
        raise ValueError("--relax only applies to --method relaxed")
    if b is not None and not scene_given:
        return b, style, arrays  # only colours changed: recolour saved data, if any
    kw: dict[str, Any] = {
        "itmax": pick("itmax", opts["itmax"]),
        "tol": pick("tol", opts["tol"]),
        "method": method,
        "relax": pick("relax", relax),
        "aa": pick("aa", opts["aa"]),
        "precision": pick("precision", opts["precision"]),
    }
    if b is None or c is not None or r is not None:
        poly: dict[str, Any] = {"coefs": c, "roots": r}
    elif b.roots is not None:
        poly = {"roots": list(b.roots)}
    else:
        poly = {"coefs": list(b.coefs)}
    size = sz if sz is not None or b is None else (b.width, b.height)
    if b is None or given & set(_VIEW_OPTIONS):
        view = {"xmin": opts["xmin"], "xmax": opts["xmax"], "ymin": opts["ymin"], "ymax": opts["ymax"]}
        view.update(center=ctr, span=opts["width"], stretch=opts["stretch"], fit=opts["fit"])
        return api.Scene.create(**poly, size=size, **view, **kw), style, None
    # same view: same centre and width, height following the image's aspect ratio
    vp = b.viewport
    scene = api.Scene.create(**poly, size=size, center=vp.center, span=vp.width, **kw)
    if size == (b.width, b.height):
        scene = scene.with_options(viewport=vp)
    return scene, style, None


def _stats_record(scene: Any, info: "dict[str, Any]") -> "dict[str, Any]":
    keys = (
        "polynomial",
        "roots",
        "root_share",
        "nonconverged_share",
        "mean_steps",
        "pixels",
        "samples",
        "method",
        "precision",
        "seconds",
        "kernel",
        "threads",
    )
    rec = {k: info[k] for k in keys if k in info}
    rec["size"] = [scene.width, scene.height]
    if isinstance(rec.get("mean_steps"), float) and math.isnan(rec["mean_steps"]):
        rec["mean_steps"] = None
    return rec


def _stats_line(scene: Any, info: "dict[str, Any]") -> str:
    shares = " ".join(f"{100 * s:.1f}%" for s in info["root_share"])
    mean = info["mean_steps"]
    steps = f"{mean:.2f}" if isinstance(mean, float) and math.isfinite(mean) else "-"
    return (
        f"{scene.polynomial}: {scene.width}x{scene.height}, {len(info['roots'])} roots, "
        f"shares {shares}, non-converged {100 * info['nonconverged_share']:.2f}%, "
        f"mean steps {steps}, {info['seconds']:.3f} s"
        + (", single precision" if scene.precision == "single" else "")
    )


class _progress:
    """A rich progress bar on stderr that appears only if a render takes a while."""

    DELAY = 0.3

    def __init__(self, enabled: bool, total: int, label: str = "rendering") -> None:
        self.enabled = enabled
        self.label = label
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
                TextColumn(self.label),
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
    except MemoryError as e:
        why = _one_line(str(e)) or "out of memory; try a smaller --size or --aa"
        sys.stderr.write(f"{PROG}: error: {why}\n")
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
