"""Colouring, all of it: colours from text, palettes, shading curves, linear light, and the
finishing of coloured samples (basin borders, averaging supersamples, root markers).

The core colours each sample (``nbcli._native.colorize`` and the ``palette``
output of ``iterate``) from the arrays ``Colouring`` holds; ``Colouring.finish``
does the rest on a band of coloured samples, with the core averaging supersamples
(``nbcli._native.average``, exactly defined in ``nbr/average.hpp``). Every step is
the same whatever the bands are, so an image's bytes never depend on memory or
thread count.
"""

from __future__ import annotations

import colorsys
import difflib
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._native import Palette, average, default_threads, linear_light, srgb_thresholds
from .checks import MAX_COLOR_TEXT, MAX_PALETTE
from .errors import ParameterError, quote, shown, unknown_name

__all__ = [
    "NAMED_COLORS",
    "PALETTES",
    "SHADINGS",
    "Colouring",
    "Marks",
    "linear_to_srgb",
    "parse_color",
    "root_colors",
    "shade_curve",
    "split_colors",
    "srgb_to_linear",
]

# Hand-picked, bright and well separated; the first n are used for n roots.
PALETTES: dict[str, tuple[str, ...]] = {
    "default": (
        "#f94144",
        "#f9c74f",
        "#43aa8b",
        "#277da1",
        "#9b5de5",
        "#f8961e",
        "#90be6d",
        "#f15bb5",
        "#4d908e",
        "#ff8fab",
        "#577590",
        "#c9ada7",
    ),
    # Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
    "okabe-ito": ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999"),
    "pastel": ("#ffadad", "#ffd6a5", "#fdffb6", "#caffbf", "#9bf6ff", "#a0c4ff", "#bdb2ff", "#ffc6ff"),
    # nb_cpp's colouring: hue = root index / number of roots.
    "hsv": (),
}

Roots = np.ndarray | None  # the root index of each sample, when borders need them
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
# The 148 named colours of CSS (CSS Color Module Level 4): name, hex.
_CSS_NAMES = """
aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc
bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a
burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50
cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b
darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b
darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000
darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f
darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff
dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0
forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700 goldenrod daa520
gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4
indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5
lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan e0ffff
lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1
lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899
lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32
linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd
mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee
mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585 midnightblue 191970
mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace fdf5e6
olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa
palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9
peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000
rosybrown bc8f8f royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460
seagreen 2e8b57 seashell fff5ee sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd
slategray 708090 slategrey 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c
teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3 white ffffff
whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32
""".split()  # noqa: SIM905 - a table reads better as text than as 296 quoted strings
NAMED_COLORS: dict[str, str] = dict(zip(_CSS_NAMES[::2], _CSS_NAMES[1::2], strict=True))
_FUNCTION = re.compile(r"^(rgb|hsl)a?\((.*)\)$", re.IGNORECASE | re.DOTALL)
_COLOR_HINT = (
    "use a CSS colour name (white, navy, gold, ...), hex like #1b9e77, 1b9e77 or #fff, "
    "rgb(27, 158, 119) or hsl(162, 71%, 36%)"
)


def _channel(text: str, scale: float, what: str, shown: str) -> float:
    """One number of rgb()/hsl(): a percentage of ``scale``, or a plain number."""
    t = text.strip().lower()
    pct = t.endswith("%")
    try:
        v = float(t[:-1] if pct else t.removesuffix("deg"))
    except ValueError:
        raise ParameterError(f"cannot read colour {shown}: {what} {text.strip()!r} is not a number") from None
    if not math.isfinite(v):
        raise ParameterError(f"cannot read colour {shown}: {what} must be finite")
    return v * scale / 100 if pct else v


def _function_color(kind: str, body: str, shown: str) -> tuple[int, int, int]:
    """rgb(r, g, b) in 0..255 or percentages; hsl(h, s%, l%) with h in degrees; commas or spaces."""
    parts = [p for p in re.split(r"[,\s]+", body.strip()) if p]
    if "/" in body or len(parts) != 3:
        raise ParameterError(
            f"cannot read colour {shown}: {kind}() takes three numbers (no transparency), e.g. "
            + ("rgb(27, 158, 119)" if kind == "rgb" else "hsl(162, 71%, 36%)")
        )
    if kind == "rgb":
        rgb = [_channel(p, 255, ("red", "green", "blue")[i], shown) for i, p in enumerate(parts)]
    else:
        h = _channel(parts[0], 360, "hue", shown) % 360
        sat = _channel(parts[1] if parts[1].endswith("%") else parts[1] + "%", 1, "saturation", shown)
        light = _channel(parts[2] if parts[2].endswith("%") else parts[2] + "%", 1, "lightness", shown)
        r, g, b = colorsys.hls_to_rgb(h / 360, min(max(light, 0.0), 1.0), min(max(sat, 0.0), 1.0))
        rgb = [r * 255, g * 255, b * 255]
    return tuple(round(min(max(v, 0.0), 255.0)) for v in rgb)  # type: ignore[return-value]


def parse_color(text: str) -> tuple[int, int, int]:
    """A colour -> (r, g, b): a CSS name ('navy', 'rebeccapurple', any case), hex with or without '#'
    ('#1b9e77', '1b9e77', '#fff'), 'rgb(27, 158, 119)', 'rgb(10% 60% 50%)' or 'hsl(162, 71%, 36%)'."""
    if not isinstance(text, str):
        raise TypeError(f"a colour must be text such as 'white' or '#1b9e77' (got {shown(text)})")
    if len(text) > MAX_COLOR_TEXT:
        raise ParameterError(f"cannot read colour {quote(text, 40)}: {len(text)} characters is too long")
    t = text.strip()
    said = quote(t, 40)
    named = NAMED_COLORS.get(t.lower().replace(" ", ""))
    if named is not None:
        t = named
    f = _FUNCTION.match(t)
    if f:
        return _function_color(f.group(1).lower(), f.group(2), said)
    m = _HEX.match(t)
    if not m:
        close = difflib.get_close_matches(t.lower(), NAMED_COLORS, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ParameterError(f"cannot read colour {said}; {hint}{_COLOR_HINT}")
    h = m.group(1)
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def split_colors(text: str) -> list[str]:
    """'navy, rgb(1, 2, 3),#fff' -> ['navy', 'rgb(1, 2, 3)', '#fff']: commas inside () do not split."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [c.strip() for c in out]


def _hue_wheel(n: int, s: float, v: float, offset: float = 0.0) -> list[tuple[int, int, int]]:
    out = []
    for i in range(n):
        r, g, b = colorsys.hsv_to_rgb((offset + i / n) % 1.0, s, v)
        out.append((round(r * 255), round(g * 255), round(b * 255)))
    return out


def _colormap_names() -> dict[str, str]:
    """matplotlib's colormap names by their lower-case form (empty without matplotlib)."""
    try:
        import matplotlib
    except ImportError:
        return {}
    return {n.lower(): n for n in sorted(matplotlib.colormaps, key=lambda n: (n.lower(), n != n.lower()))}


def _colormap(name: str, nroots: int) -> list[tuple[int, int, int]] | None:
    """Colours from a matplotlib colormap (any case), or None if there is no such colormap (or no matplotlib)."""
    found = _colormap_names()
    if not found:
        return None
    import matplotlib

    key = name if name in matplotlib.colormaps else found.get(name.lower())
    if key is None:
        return None
    cmap = matplotlib.colormaps[key]
    listed = getattr(cmap, "colors", None)
    if isinstance(listed, (list, tuple, np.ndarray)) and 0 < len(listed) <= 32:
        # a qualitative map (tab10, Set2, ...): its colours in order, repeated if needed
        rgba = [cmap(i % len(listed)) for i in range(nroots)]
    else:
        rgba = [cmap((i + 0.5) / nroots) for i in range(nroots)]
    return [(round(r * 255), round(g * 255), round(b * 255)) for r, g, b, _a in rgba]


def _is_color_list(text: str) -> bool:
    """Whether a palette string is colours rather than a name (a comma, '#', or rgb()/hsl())."""
    t = text.strip().lower()
    return len(split_colors(t)) > 1 or t.startswith(("#", "rgb", "hsl"))


def _unknown_palette(palette: str) -> ParameterError:
    import importlib.util

    maps = _colormap_names()
    if maps:
        more = "a matplotlib colormap name, or colours like 'navy,gold,#1b9e77'"
    else:
        more = "colours like 'navy,gold,#1b9e77'"
        if importlib.util.find_spec("matplotlib") is None:
            more += " (matplotlib, for its colormaps, is not installed: pip install 'nb-render[colormaps]')"
    err = unknown_name("palette", palette, list(PALETTES), more)
    close = difflib.get_close_matches(palette.strip().lower(), list(PALETTES) + list(maps), n=1)
    if close and "did you mean" not in str(err):
        return ParameterError(
            str(err).replace("; choose", f"; did you mean {maps.get(close[0], close[0])}? choose", 1)
        )
    return err


def root_colors(palette: str | Sequence[str], nroots: int) -> np.ndarray:
    """(nroots, 3) float32 colours in 0..255.

    A named palette, a matplotlib colormap name (if matplotlib is installed),
    or a list of colours (repeated if there are more roots than colours). A
    named palette with fewer colours than roots switches to evenly spaced
    hues, so no two basins share a colour. Roots come in a canonical order,
    so the same polynomial always gets the same colours. Names are read in
    any case.
    """
    if isinstance(palette, str):
        key = palette.strip().lower()
        if key in PALETTES:
            colors = PALETTES[key]
            if not colors:
                rgb = _hue_wheel(nroots, 1.0, 1.0)
            elif nroots <= len(colors):
                rgb = [parse_color(c) for c in colors[:nroots]]
            else:
                rgb = _hue_wheel(nroots, 0.7, 0.95, offset=0.0)
            return np.array(rgb, dtype=np.float32).reshape(nroots, 3)
        if _is_color_list(palette):
            palette = split_colors(palette)
        else:
            cm = _colormap(palette.strip(), nroots)
            if cm is not None:
                return np.array(cm, dtype=np.float32).reshape(nroots, 3)
            if key.replace(" ", "") not in NAMED_COLORS:
                raise _unknown_palette(palette)
            palette = [palette]  # one colour for every root
    if not 1 <= len(palette) <= MAX_PALETTE:
        raise ParameterError(f"the palette has {len(palette)} colours; give 1 to {MAX_PALETTE}")
    colors_list = [parse_color(c) for c in palette]
    rgb = [colors_list[i % len(colors_list)] for i in range(nroots)]
    return np.array(rgb, dtype=np.float32).reshape(nroots, 3)


SHADINGS = ("smooth", "iterations", "flat")


def shade_curve(itmax: int, shading: str = "smooth") -> np.ndarray:
    """Brightness factor at iteration count k = 0 .. itmax (itmax + 1 values).

    'smooth' keeps basins bright and darkens towards the boundaries, read at
    the fractional iteration count (no bands), the same for any itmax >= 60
    (so raising itmax only fills in black areas); 'iterations' is nb_cpp's
    1 - k/itmax at the whole count; 'flat' is constant.
    """
    k = np.arange(itmax + 1, dtype=np.float64)
    if shading == "flat":
        s = np.ones(itmax + 1)
    elif shading == "iterations":
        s = 1.0 - k / itmax
    elif shading == "smooth":
        s = 1.0 - 0.85 * np.minimum(1.0, k / min(itmax, 60)) ** 0.6
    else:
        raise unknown_name("shading", shading, SHADINGS)
    return np.clip(s, 0.0, 1.0).astype(np.float32)


# ---- light: markers are drawn in linear light (the core averages supersamples in it too) ----


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] to linear light (float32)."""
    v = np.asarray(v, dtype=np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] to sRGB-encoded values in [0, 1] (float32)."""
    v = np.clip(np.asarray(v, dtype=np.float32), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055).astype(np.float32)


# ---- finishing: what happens to a band of coloured samples -------------------------------


class Marks:
    """Root markers: a white disc with a dark rim, antialiased, drawn in linear light.

    Exactly defined, the same on every platform: light mixed in double and rounded to float,
    sRGB decoded and encoded by the core's tables (those of averaging: ``nbr/average.hpp``).

    ``centres``: (row, column) of every root on the whole image's pixel grid, so a
    band (or a tile) draws exactly its part of each marker.
    """

    def __init__(self, centres: list[tuple[float, float]], width: int, height: int) -> None:
        self.radius = max(3.0, 0.007 * min(width, height))
        self.rim = max(1.2, self.radius * 0.35)
        r2 = 2 * self.radius
        self.centres = [(y, x) for y, x in centres if -r2 <= x <= width + r2 and -r2 <= y <= height + r2]

    def draw(self, rgb: np.ndarray, row0: int, maxval: int, col0: int = 0) -> None:
        """Draw on ``rgb``, the pixels from (``row0``, ``col0``) of the whole image."""
        r_out = self.radius + self.rim
        rows, cols = rgb.shape[:2]
        # the core's tables, not a float pow (whose last bit may differ between platforms)
        decode, encode = linear_light(), srgb_thresholds(8 if maxval == 255 else 16)
        for cy, cx in self.centres:
            y0, y1 = max(row0, math.floor(cy - r_out - 1)), min(row0 + rows, math.ceil(cy + r_out + 2))
            x0, x1 = max(col0, math.floor(cx - r_out - 1)), min(col0 + cols, math.ceil(cx + r_out + 2))
            if y0 >= y1 or x0 >= x1:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1]
            d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)  # correctly rounded, unlike hypot
            cover_all = np.clip(r_out + 0.5 - d, 0.0, 1.0)[..., None]  # rim + disc
            cover_in = np.clip(self.radius + 0.5 - d, 0.0, 1.0)[..., None]  # disc
            patch = rgb[y0 - row0 : y1 - row0, x0 - col0 : x1 - col0]
            lin = decode[patch.astype(np.intp) * (65535 // maxval)]
            lin = (lin * (1 - cover_all) + 0.02 * (cover_all - cover_in) + 1.0 * cover_in).astype(np.float32)
            patch[...] = (np.searchsorted(encode, lin, side="right") - 1).astype(patch.dtype)


@dataclass(frozen=True)
class Colouring:
    """How samples become pixels: the core's palette, then borders, averaging and markers.

    Build one with ``Colouring.create``. ``palette`` colours samples at
    ``palette.depth`` bits: 16 whenever samples are averaged (so that
    averaging in linear light loses nothing), else the output's depth.
    """

    palette: Palette
    depth: int  # bits per channel of the output
    aa: int  # samples per pixel side
    boundary: np.ndarray | None  # (3,) float32 colour of basin borders, 0..255
    marks: Marks | None

    @classmethod
    def create(
        cls,
        *,
        palette: str | Sequence[str],
        shading: str,
        nonconverged: str,
        boundary: str | None,
        depth: int,
        nroots: int,
        itmax: int,
        aa: int = 1,
        marks: Marks | None = None,
        color_index: Sequence[int] | None = None,
        ncolors: int | None = None,
    ) -> Colouring:
        """``color_index``: the palette entry of each root, out of ``ncolors`` (default: root i gets
        entry i of ``nroots``), so a root keeps its colour while others come and go."""
        internal = 16 if (aa > 1 or depth == 16) else 8
        colors = root_colors(palette, max(nroots, ncolors or 0))
        colors = colors[list(color_index)] if color_index is not None else colors[:nroots]
        core = Palette(
            colors=colors,
            shade=shade_curve(itmax, shading),
            nonconverged=np.array(parse_color(nonconverged), dtype=np.float32),
            smooth=shading == "smooth",
            depth=internal,
        )
        edge = np.array(parse_color(boundary), np.float32) if boundary is not None else None
        return cls(core, depth, aa, edge, marks)

    @property
    def finishing(self) -> bool:
        """Whether coloured samples need work after the core (borders, averaging, markers)."""
        return self.aa > 1 or self.boundary is not None or self.marks is not None

    @property
    def needs_roots(self) -> bool:
        """Whether finishing needs each sample's root (to find basin borders)."""
        return self.boundary is not None

    def finish(self, rgb: np.ndarray, root: Roots, row0: int, col0: int = 0, *, above: Roots = None,
               left: Roots = None, threads: int | None = None,
               stages: dict[str, float] | None = None) -> np.ndarray:  # fmt: skip
        """Output pixels from (``row0``, ``col0``) of the whole image, from their coloured samples ``rgb``
        and their roots ``root`` (when ``needs_roots``). A sample is on a border when its root differs
        from its left or upper neighbour's: ``above`` and ``left`` hold the roots of the sample row
        above and the sample column left of these (None at the image's edge). The core averages
        supersamples (``nbcli._native.average``) with ``threads`` threads (None: all cores);
        ``stages["finishing"]``, if given, grows by the CPU seconds all this took."""
        t0 = time.thread_time()
        core_seconds = 0.0
        if self.boundary is not None:
            assert root is not None
            edge = np.zeros(root.shape, bool)
            edge[:, 1:] = root[:, 1:] != root[:, :-1]
            edge[1:] |= root[1:] != root[:-1]
            if above is not None:
                edge[0] |= root[0] != above
            if left is not None:
                edge[:, 0] |= root[:, 0] != left
            scale = 65535.0 / 255.0 if self.palette.depth == 16 else 1.0
            rgb[edge] = np.rint(self.boundary * scale).astype(rgb.dtype)
        maxval = 255 if self.depth == 8 else 65535
        if self.aa > 1:
            t1 = time.thread_time()
            rgb, core_seconds = average(
                rgb, self.aa, self.depth, threads=default_threads() if threads is None else threads
            )
            t0 += time.thread_time() - t1  # counted in core_seconds
        if self.marks is not None:
            self.marks.draw(rgb, row0, maxval, col0)
        if stages is not None:
            stages["finishing"] = stages.get("finishing", 0.0) + time.thread_time() - t0 + core_seconds
        return rgb

    def work_bytes(self) -> int:
        """Working memory per output pixel that finishing needs (an upper estimate): the output
        pixels (averaging needs no more than a few hundred KiB per thread besides)."""
        return 3 * self.depth // 8 if self.finishing else 0
