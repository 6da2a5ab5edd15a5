"""The ``nb-render`` command's options, as Typer declares them; the work is done by ``run``.

Kept quick to import: numpy and the compiled core are only imported once
there is something to render (``--help`` and ``--version`` stay instant).
The module is long because Typer reads every option from one function's
signature, each with its help text; there is no logic here.
"""

from typing import Annotated

import typer

from .._version import __version__
from .options import PROG, Options
from .run import run

app = typer.Typer(
    add_completion=True,  # --install-completion, --show-completion: docs/usage.md
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

_P_POLY = "Polynomial (one of)"
_P_VIEW = "View"
_P_ITER = "Method"
_P_COLOR = "Colours and quality"
_P_DECOR = "Decorations"
_P_OUT = "Output file"
_P_DATA = "Data and statistics"
_P_ANIM = "Animation (the output is then frames/, a .mp4, .webm, .gif, .webp or .apng)"
_P_BATCH = "Batch"
_P_RUN = "Running"
_P_SCALE = "Zarr and Dask clusters"

# One example a line, each short enough for an 80-column terminal (so it copies whole).
EXAMPLES = (
    ("nb-render -e 'z^3 - 1' out.png", "a first picture"),
    ("nb-render -c 1,0,0,0,0,0,1 -s 1920x1080 z6.jpg", "z^6 + 1, a JPEG"),
    ("nb-render -r 1,-1,1j,-1j -p okabe-ito roots.webp", "from its roots"),
    ("nb-render -e 'z^3 - 2z + 2' -m halley --aa 3 h.png", "another method"),
    ("nb-render -c 1,0,0,-1 --format webp - > c.webp", "to standard output"),
    ("nb-render --from z6.jpg -p viridis -s 3840x2160 4k.png", "re-render, changed"),
    ("nb-render -c 1,0,0,-1 --save-data c.npz c.png", "keep per-pixel data"),
    ("nb-render -e 'z^6+1' --zoom-to .3+.52j --zoom-width .01 z.mp4", "a 5 s zoom"),
    ("nb-render -r 1,1j,-1 --to-roots 1j,-1,1 --frames 60 m.webp", "a morph"),
    ("nb-render --keyframes tour.toml frames/", "numbered frames; resumes"),
    ("nb-render -s 256 --batch jobs.txt", "one job a line"),
    ("nb-render -c 1,0,0,-1 -s 50000 --scheduler tcp://head:8786 big.zarr", "on a Dask cluster"),
)
EPILOG = (
    "[b]Examples[/b]\n\n"
    + "".join(f"  {cmd}  [dim]# {what}[/dim]\n\n" for cmd, what in EXAMPLES)
    + "Coefficients go highest degree first (numpy.polyval order); complex numbers are written 3+4j "
    "or 3+4i. Every image records its parameters (but a BMP), for --from."
)


def _names(names: object) -> object:
    """A completion function offering ``names()`` (called only when the shell asks)."""

    def complete(incomplete: str) -> list[str]:
        return [n for n in names() if n.startswith(incomplete.lower())]  # type: ignore[operator]

    return complete


def _methods() -> tuple[str, ...]:
    from .._native import METHODS

    return METHODS


def _kernels() -> list[str]:
    from .._native import kernels

    return ["auto", *(k.name for k in kernels() if k.supported)]


def _formats() -> list[str]:
    from ..images import FORMATS

    return list(FORMATS)


def _palettes() -> list[str]:
    from ..colors import PALETTES

    return list(PALETTES)


def _version_callback(value: bool) -> None:
    if not value:
        return
    from .._native import default_threads, kernels, selected_kernel  # here: --help needs no core

    name = selected_kernel()
    isa = next((k.isa for k in kernels() if k.name == name), "?")
    others = ", ".join(k.name for k in kernels() if k.supported and k.name != name)
    also = f"; also runs {others}" if others else ""
    typer.echo(f"{PROG} {__version__} (kernel {name}: {isa}; {default_threads()} threads{also})")
    raise typer.Exit()


@app.command(epilog=EPILOG)
def render(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Argument(
            metavar="OUTPUT",
            help="Image file to write; its extension picks the format: .png, .jpg, .webp, .tif, .bmp, .gif, "
            ".avif, or .zarr for a Zarr store (a folder: the image and per-pixel data as chunked arrays). "
            "- writes to standard output (PNG unless --format says otherwise). For an animation: a "
            "folder (frames/), a frame pattern (frames/%05d.png), .mp4, .mkv, .webm, .gif, .webp or .apng.",
            show_default=False,
        ),
    ] = None,
    coefs: Annotated[
        str | None,
        typer.Option(
            "--coefs",
            "-c",
            metavar="C0,C1,...",
            rich_help_panel=_P_POLY,
            help="Coefficients, highest degree first, complex allowed: [b]1,0,0,-1[/b] is z^3 - 1.",
        ),
    ] = None,
    roots: Annotated[
        str | None,
        typer.Option(
            "--roots",
            "-r",
            metavar="R1,R2,...",
            rich_help_panel=_P_POLY,
            help="Roots of a monic polynomial instead, repeats allowed: [b]1,-1,1j,-1j[/b] is z^4 - 1.",
        ),
    ] = None,
    expr: Annotated[
        str | None,
        typer.Option(
            "--expr",
            "-e",
            metavar="EXPR",
            rich_help_panel=_P_POLY,
            help="A polynomial in z: [b]'z^5 - 3z^2 + (1+2j)'[/b] or [b]'(z-1)(z+1)^2(z-2j)'[/b].",
        ),
    ] = None,
    from_file: Annotated[
        str | None,
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
        str | None,
        typer.Option(
            "--size",
            "-s",
            metavar="WxH",
            rich_help_panel=_P_VIEW,
            help="Image size in pixels, e.g. 1920x1080. [dim]Default: 1024 on the longer side.[/dim]",
        ),
    ] = None,
    xmin: Annotated[
        float | None, typer.Option(help="Left edge (real part).", rich_help_panel=_P_VIEW, metavar="X")
    ] = None,
    xmax: Annotated[
        float | None, typer.Option(help="Right edge (real part).", rich_help_panel=_P_VIEW, metavar="X")
    ] = None,
    ymin: Annotated[
        float | None,
        typer.Option(help="Bottom edge (imaginary part).", rich_help_panel=_P_VIEW, metavar="Y"),
    ] = None,
    ymax: Annotated[
        float | None, typer.Option(help="Top edge (imaginary part).", rich_help_panel=_P_VIEW, metavar="Y")
    ] = None,
    center: Annotated[
        str | None,
        typer.Option(metavar="Z", rich_help_panel=_P_VIEW, help="Centre of the view, e.g. 0 or -0.5+0.25j."),
    ] = None,
    width: Annotated[
        str | None,
        typer.Option(
            rich_help_panel=_P_VIEW,
            help="Width of the view in the complex plane (with or without --center). --center and --width are "
            "read to every digit given: a deep zoom such as --center -0.5123456789012345678901234+0.1234j "
            "--width 3e-25 is rendered exactly there.",
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
            autocompletion=_names(_methods),
        ),
    ] = "newton",
    relax: Annotated[
        str,
        typer.Option(metavar="A", rich_help_panel=_P_ITER, help="The complex factor a of --method relaxed."),
    ] = "1",
    itmax: Annotated[
        int | None,
        typer.Option(
            "--itmax",
            "-n",
            rich_help_panel=_P_ITER,
            help="Maximum steps per pixel. [dim]Default: what the view's slowest converging pixels need, "
            "at least 60 (see docs/usage.md).[/dim]",
            metavar="N",
            show_default=False,
        ),
    ] = None,
    precision: Annotated[
        str,
        typer.Option(
            "--precision",
            metavar="NAME",
            rich_help_panel=_P_ITER,
            help="auto: double, or double-double (about 32 digits) for views too narrow for double, down to "
            "widths of about 1e-28 of their coordinates; double; double-double; or single: float32 arithmetic, "
            "1.6-1.8x as fast, which nb-render warns about where it shows (see docs/usage.md).",
        ),
    ] = "auto",
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
            help="default, okabe-ito (colour-blind safe), pastel, hsv, a matplotlib colormap name such as "
            "viridis (if matplotlib is installed), or your colours: 'navy,gold,#1b9e77'.",
            metavar="NAME",
            autocompletion=_names(_palettes),
        ),
    ] = "default",
    shading: Annotated[
        str,
        typer.Option(
            rich_help_panel=_P_COLOR,
            help="smooth (bright basins darkening towards their borders, no banding), iterations (nb_cpp's "
            "1 - k/itmax, banded) or flat.",
            metavar="NAME",
            autocompletion=_names(lambda: ("smooth", "iterations", "flat")),
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
        str | None,
        typer.Option(
            "--boundary",
            metavar="COLOR",
            rich_help_panel=_P_DECOR,
            help="Draw the borders between basins in this colour (e.g. white; none to turn off).",
        ),
    ] = None,
    mark_roots: Annotated[
        bool,
        typer.Option(
            "--mark-roots/--no-mark-roots",
            rich_help_panel=_P_DECOR,
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
            "--depth", metavar="8|16", rich_help_panel=_P_OUT, help="Bits per channel (16: PNG only)."
        ),
    ] = 8,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="NAME",
            rich_help_panel=_P_OUT,
            help="png, jpeg, webp, tiff, bmp, gif or avif, whatever the file is called (needed to write "
            "another format than PNG to standard output). [dim]Default: from the extension.[/dim]",
            autocompletion=_names(_formats),
        ),
    ] = None,
    quality: Annotated[
        int | None,
        typer.Option(
            "--quality",
            metavar="1-100",
            rich_help_panel=_P_OUT,
            help="Quality of a lossy format: JPEG (default 92), WebP (90), AVIF (80).",
            show_default=False,
        ),
    ] = None,
    lossless: Annotated[
        bool,
        typer.Option("--lossless", rich_help_panel=_P_OUT, help="Lossless WebP.", metavar=""),
    ] = False,
    save_data: Annotated[
        str | None,
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
    duration: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            rich_help_panel=_P_ANIM,
            help="Length of the animation, e.g. 10s, 2.5s, 1500ms. [dim]Default: 5s, or the last keyframe's time."
            "[/dim]",
        ),
    ] = None,
    frames: Annotated[
        int | None,
        typer.Option(metavar="N", rich_help_panel=_P_ANIM, help="Length as a number of frames instead."),
    ] = None,
    fps: Annotated[
        str, typer.Option(metavar="FPS", rich_help_panel=_P_ANIM, help="Frames per second, e.g. 30 or 29.97.")
    ] = "30",
    zoom_to: Annotated[
        str | None,
        typer.Option(
            "--zoom-to",
            metavar="Z",
            rich_help_panel=_P_ANIM,
            help="Zoom (or pan) from the view the other options give to a view centred on Z.",
        ),
    ] = None,
    zoom_width: Annotated[
        str | None,
        typer.Option(
            "--zoom-width",
            metavar="W",
            rich_help_panel=_P_ANIM,
            help="The width of the view at the end of the zoom. [dim]Default: the start's.[/dim]",
        ),
    ] = None,
    to_coefs: Annotated[
        str | None,
        typer.Option(
            "--to-coefs",
            metavar="C0,C1,...",
            rich_help_panel=_P_ANIM,
            help="Morph the polynomial into these coefficients (combinable with a zoom).",
        ),
    ] = None,
    to_roots: Annotated[
        str | None,
        typer.Option(
            "--to-roots",
            metavar="R1,R2,...",
            rich_help_panel=_P_ANIM,
            help="Morph into the polynomial with these roots; with --roots, root i moves to root i.",
        ),
    ] = None,
    to_expr: Annotated[
        str | None,
        typer.Option(
            "--to-expr", metavar="EXPR", rich_help_panel=_P_ANIM, help="Morph into this polynomial in z."
        ),
    ] = None,
    to_relax: Annotated[
        str | None,
        typer.Option(
            "--to-relax",
            metavar="A",
            rich_help_panel=_P_ANIM,
            help="Move the relaxation factor of --method relaxed to A.",
        ),
    ] = None,
    keyframes: Annotated[
        str | None,
        typer.Option(
            "--keyframes",
            metavar="FILE.toml",
            rich_help_panel=_P_ANIM,
            help="Keyframes: any of these options at given times, with an easing per segment "
            "(docs/animation.md). The options given here set the start.",
        ),
    ] = None,
    easing: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            rich_help_panel=_P_ANIM,
            help="How values move: smooth (start and stop gently), linear, ease-in, ease-out or step.",
        ),
    ] = "smooth",
    keep_frames: Annotated[
        str | None,
        typer.Option(
            "--keep-frames",
            metavar="DIR",
            rich_help_panel=_P_ANIM,
            help="Also keep a video's or animated image's frames in DIR; run the same command again to resume an "
            "interrupted render from them.",
        ),
    ] = None,
    chroma: Annotated[
        str,
        typer.Option(
            metavar="444|420",
            rich_help_panel=_P_ANIM,
            help="A video's colour resolution: 444 (full, sharp basin edges) or 420 (half; plays everywhere).",
        ),
    ] = "444",
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch",
            metavar="FILE",
            rich_help_panel=_P_BATCH,
            help="Render many pictures in one run: one job per line of FILE (- for standard input), each the "
            "options and output of one nb-render call. Options given here apply to every line.",
        ),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            rich_help_panel=_P_BATCH,
            help="Render the valid lines even if some are invalid, and go on after a job fails.",
            metavar="",
        ),
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            "-j",
            rich_help_panel=_P_RUN,
            help="Threads to use. [dim]Default: all cores.[/dim]",
            metavar="N",
        ),
    ] = None,
    kernel: Annotated[
        str | None,
        typer.Option(
            rich_help_panel=_P_RUN,
            help="Force a kernel by name, or auto (same as NB_RENDER_KERNEL); --version lists the ones this CPU "
            "runs. [dim]Default: the best of them.[/dim]",
            metavar="NAME",
            autocompletion=_names(_kernels),
        ),
    ] = None,
    max_memory: Annotated[
        str | None,
        typer.Option(
            "--max-memory",
            metavar="SIZE",
            rich_help_panel=_P_RUN,
            help="Memory the render may use, e.g. 8G. [dim]Default: what is available; a render that needs more "
            "stops before starting.[/dim]",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            envvar="DASK_SCHEDULER_ADDRESS",
            rich_help_panel=_P_SCALE,
            help="Render on this Dask cluster, e.g. tcp://10.0.0.5:8786 or a scheduler file (.json): an image's "
            "bands, an animation's frames or a batch's jobs are rendered by the workers and written here in order; a .zarr "
            "store is written by the workers (on a file system they share). Needs pip install "
            "'nb-render[dask]'; see docs/scale-out.md.",
            show_envvar=True,
        ),
    ] = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="LIST",
            rich_help_panel=_P_SCALE,
            help="Arrays of a .zarr output: rgb, root, iterations, smooth, residual, or all. [dim]Default: "
            "rgb,root,iterations,smooth (the image and what recolouring with --from needs).[/dim]",
        ),
    ] = None,
    chunks: Annotated[
        int,
        typer.Option(
            "--chunks",
            metavar="N",
            rich_help_panel=_P_SCALE,
            help="Pixels per side of a .zarr output's chunks (one task each on a cluster).",
        ),
    ] = 1024,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", rich_help_panel=_P_RUN, help="No progress bar or summary.", metavar=""),
    ] = False,
    version: Annotated[
        bool | None,
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
    """Render the basins of attraction of Newton's method for a polynomial to an image, or an animation.

    Each pixel is a starting point in the complex plane; it is coloured by the
    root that Newton's method (or another root-finding method) reaches from
    there, darker the more steps it takes.
    """
    run(Options.collect(ctx))
