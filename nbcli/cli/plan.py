"""From options to what to render: a Scene, a Style and (when recolouring) saved data.

With ``--from``, the file's parameters are the starting point and the options
given on the command line override them: colour options change only the
style (an .npz is then recoloured without computing), a new polynomial keeps
the view, a new size keeps the view's centre and width, and view options
replace the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._version import __version__
from ..compression import Deflate
from ..params import Source, load_source, png_compression
from ..poly import parse_complex, parse_complex_list, parse_factored
from ..poly.exact import ExactComplex, parse_exact_complex
from ..scene import Scene
from ..style import Style
from .options import (
    POLYNOMIAL_OPTIONS,
    PROG,
    SCENE_OPTIONS,
    STYLE_OPTIONS,
    VIEW_OPTIONS,
    CommandLineError,
    Options,
    parse_size,
    printable,
    say,
)


@dataclass(frozen=True)
class Plan:
    scene: Scene
    style: Style
    source: dict[str, np.ndarray] | None  # saved per-sample data to recolour, or None to compute
    compression: Deflate | None = None  # --from's PNG compression (the same bytes need the same one)


def make_plan(opts: Options, base: Source | None = None) -> Plan:
    """The render the options ask for (ParameterError for anything that cannot be rendered).

    ``base``: the picture to start from, as ``--from`` gives it (by default ``--from``'s file, if any).
    """
    if base is None and opts.from_file is not None:
        base = _read_from(opts.from_file, opts.memory_limit())
    style = _style(opts, base.style if base is not None else None)
    parsed = _Parsed.read(opts)
    method = _pick(opts, base, "method", opts.method)
    if "relax" in opts.given and method != "relaxed":
        raise CommandLineError("--relax only applies to --method relaxed")
    deflate = _compression(base) if base is not None else None
    if base is not None and not opts.given & SCENE_OPTIONS:  # only colours changed: recolour saved data
        return Plan(base.scene, style, base.arrays, deflate)
    return Plan(_scene(opts, parsed, base.scene if base is not None else None, method), style, None, deflate)


def start_from(scene: Scene, style: Style) -> Source:
    """A picture to start from (``make_plan``'s ``base``) that is not read from a file."""
    return Source({"version": __version__}, scene, style, None)


@dataclass(frozen=True)
class _Parsed:
    """The options that are text for the library to read."""

    coefs: list[complex] | None
    roots: list[complex] | None
    size: tuple[int, int] | None
    center: ExactComplex | None  # read exactly: deep views need every digit
    relax: complex

    @classmethod
    def read(cls, opts: Options) -> _Parsed:
        c = parse_complex_list(opts.coefs, "coefficient") if opts.coefs is not None else None
        r = parse_complex_list(opts.roots, "root") if opts.roots is not None else None
        if opts.expr is not None:  # a product of factors also tells its roots exactly
            coefs, exact = parse_factored(opts.expr)
            c = [complex(v) for v in coefs]
            r = None if exact is None else [complex(v) for v in exact]
        return cls(
            coefs=c,
            roots=r,
            size=parse_size(opts.size) if opts.size is not None else None,
            center=parse_exact_complex(opts.center, "--center") if opts.center is not None else None,
            relax=parse_complex(opts.relax, "--relax"),
        )


def _read_from(path: str, max_memory: int | None) -> Source:
    src = load_source(path, max_memory)
    if src.version != __version__:
        made = printable(src.version, 40) if isinstance(src.version, str) else "an unknown version"
        say(
            f"{PROG}: note: {path} was made by nb-render {made}; this is {__version__}, "
            "so the picture may differ slightly"
        )
    return src


def _compression(base: Source) -> Deflate | None:
    """The PNG compression --from's file records, if this installation has it."""
    deflate = png_compression(base.params)
    recorded = base.params.get("png")
    if deflate is None and isinstance(recorded, dict):
        say(
            f"{PROG}: note: the PNG compressor recorded in the file ({recorded.get('library')!s:.20}) is not "
            "available here, so the pixels will be the same but not the file's bytes"
        )
    return deflate


def _pick(opts: Options, base: Source | None, name: str, value: Any) -> Any:
    """The option if given (or if there is nothing to start from), else --from's value."""
    return value if base is None or name in opts.given else getattr(base.scene, name)


def _style(opts: Options, base: Style | None) -> Style:
    kw: dict[str, Any] = {
        f: getattr(opts, opt) if base is None or opt in opts.given else getattr(base, f)
        for opt, f in STYLE_OPTIONS.items()
    }
    if isinstance(kw["boundary"], str) and kw["boundary"].strip().lower() in ("none", "off", ""):
        kw["boundary"] = None
    if base is not None and not opts.given & POLYNOMIAL_OPTIONS:
        # the same roots keep the colours they had (e.g. in a frame of an animation)
        kw.update(color_index=base.color_index, ncolors=base.ncolors)
    return Style(**kw).validate()


def _polynomial(p: _Parsed, b: Scene | None) -> dict[str, Any]:
    c, r = p.coefs, p.roots
    if b is None or c is not None or r is not None:
        return {"coefs": c, "roots": r}
    return {"coefs": list(b.coefs), "roots": None if b.roots is None else list(b.roots)}


def _precision(opts: Options, b: Scene | None) -> str:
    """--precision, else --from's; but double and double-double (what auto chooses between) are
    chosen again when the view, the size or the supersampling changes."""
    if b is None or "precision" in opts.given:
        return opts.precision
    if b.precision in ("double", "double-double") and opts.given & (VIEW_OPTIONS | {"size", "aa"}):
        return "auto"
    return b.precision


def _scene(opts: Options, p: _Parsed, b: Scene | None, method: str) -> Scene:
    poly = _polynomial(p, b)
    sz, ctr, relax = p.size, p.center, p.relax

    def pick(name: str, value: Any) -> Any:
        return value if b is None or name in opts.given else getattr(b, name)

    kw: dict[str, Any] = {
        "itmax": pick("itmax", opts.itmax),
        "tol": pick("tol", opts.tol),
        "method": method,
        "relax": pick("relax", relax),
        "aa": pick("aa", opts.aa),
        "precision": _precision(opts, b),
    }
    size = sz if sz is not None or b is None else (b.width, b.height)
    if b is None or opts.given & VIEW_OPTIONS:
        view: dict[str, Any] = {"xmin": opts.xmin, "xmax": opts.xmax, "ymin": opts.ymin, "ymax": opts.ymax}
        view.update(center=ctr, span=opts.width, stretch=opts.stretch, fit=opts.fit)
        return Scene.create(**poly, size=size, **view, **kw)
    # same view: same centre and width (exactly), height following the image's aspect ratio
    vp = b.viewport
    ev = vp.exact_view
    scene = Scene.create(**poly, size=size, center=(ev.cx, ev.cy), span=ev.width, **kw)
    if size == (b.width, b.height):
        scene = scene.with_options(viewport=vp)
    return scene
