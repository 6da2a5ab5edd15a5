"""Colouring, all of it: colours from text, palettes, shading curves, linear light, and the
finishing of coloured samples (basin borders, averaging supersamples, root markers).

The core colours each sample (``nbcli._native.colorize`` and the ``palette``
output of ``iterate``) from the arrays ``Colouring`` holds; ``Colouring.finish``
does the rest on a band of coloured samples. Every step is the same whatever
the bands are, so an image's bytes never depend on memory or thread count.
"""

from __future__ import annotations

import colorsys
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._native import Palette
from .errors import ParameterError

__all__ = [
    "PALETTES",
    "SHADINGS",
    "Colouring",
    "Marks",
    "linear_to_srgb",
    "parse_color",
    "root_colors",
    "shade_curve",
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

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_NAMED = {  # the CSS basic colours, plus grey and orange
    "black": "#000000",
    "white": "#ffffff",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
    "red": "#ff0000",
    "maroon": "#800000",
    "yellow": "#ffff00",
    "olive": "#808000",
    "lime": "#00ff00",
    "green": "#008000",
    "aqua": "#00ffff",
    "cyan": "#00ffff",
    "teal": "#008080",
    "blue": "#0000ff",
    "navy": "#000080",
    "fuchsia": "#ff00ff",
    "magenta": "#ff00ff",
    "purple": "#800080",
    "orange": "#ffa500",
}


def parse_color(text: str) -> tuple[int, int, int]:
    """'#1b9e77', '1b9e77', '#fff' or a basic colour name ('white', 'red', 'navy', ...) -> (r, g, b)."""
    t = _NAMED.get(text.strip().lower(), text.strip())
    m = _HEX.match(t)
    if not m:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ParameterError(
            f"cannot read colour {shown!r}; use hex like #1b9e77 or #fff, or a name such as white or navy"
        )
    h = m.group(1)
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _hue_wheel(n: int, s: float, v: float, offset: float = 0.0) -> list[tuple[int, int, int]]:
    out = []
    for i in range(n):
        r, g, b = colorsys.hsv_to_rgb((offset + i / n) % 1.0, s, v)
        out.append((round(r * 255), round(g * 255), round(b * 255)))
    return out


def _colormap(name: str, nroots: int) -> list[tuple[int, int, int]] | None:
    """Colours from a matplotlib colormap, or None if there is no such colormap (or no matplotlib)."""
    try:
        import matplotlib
    except ImportError:
        return None
    try:
        cmap = matplotlib.colormaps[name]
    except (KeyError, ValueError):
        return None
    listed = getattr(cmap, "colors", None)
    if isinstance(listed, (list, tuple, np.ndarray)) and 0 < len(listed) <= 32:
        # a qualitative map (tab10, Set2, ...): its colours in order, repeated if needed
        rgba = [cmap(i % len(listed)) for i in range(nroots)]
    else:
        rgba = [cmap((i + 0.5) / nroots) for i in range(nroots)]
    return [(round(r * 255), round(g * 255), round(b * 255)) for r, g, b, _a in rgba]


def root_colors(palette: str | Sequence[str], nroots: int) -> np.ndarray:
    """(nroots, 3) float32 colours in 0..255.

    A named palette, a matplotlib colormap name (if matplotlib is installed),
    or a list of colours (repeated if there are more roots than colours). A
    named palette with fewer colours than roots switches to evenly spaced
    hues, so no two basins share a colour. Roots come in a canonical order,
    so the same polynomial always gets the same colours.
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
        if "," in palette or palette.strip().startswith("#"):
            palette = palette.split(",")
        else:
            cm = _colormap(palette.strip(), nroots)
            if cm is None:
                import importlib.util

                hint = (
                    ""
                    if importlib.util.find_spec("matplotlib") is not None
                    else " (matplotlib, needed for its colormaps, is not installed: pip install 'nb-render[colormaps]')"
                )
                raise ParameterError(
                    f"unknown palette {palette!r}; choose one of {', '.join(PALETTES)}, a matplotlib colormap "
                    f"name, or colours like '#1b9e77,#d95f02'{hint}"
                )
            return np.array(cm, dtype=np.float32).reshape(nroots, 3)
    colors_list = [parse_color(c) for c in palette]
    if not colors_list:
        raise ParameterError("the palette has no colours")
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
        raise ParameterError(f"unknown shading {shading!r}; choose {', '.join(SHADINGS)}")
    return np.clip(s, 0.0, 1.0).astype(np.float32)


# ---- light: averaging supersamples and drawing markers happen in linear light --------------


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] to linear light (float32)."""
    v = np.asarray(v, dtype=np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] to sRGB-encoded values in [0, 1] (float32)."""
    v = np.clip(np.asarray(v, dtype=np.float32), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055).astype(np.float32)


def _lut16() -> np.ndarray:
    return srgb_to_linear(np.arange(65536, dtype=np.float32) / 65535.0)


# ---- finishing: what happens to a band of coloured samples -------------------------------


class Marks:
    """Root markers: a white disc with a dark rim, antialiased, drawn in linear light.

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
        for cy, cx in self.centres:
            y0, y1 = max(row0, math.floor(cy - r_out - 1)), min(row0 + rows, math.ceil(cy + r_out + 2))
            x0, x1 = max(col0, math.floor(cx - r_out - 1)), min(col0 + cols, math.ceil(cx + r_out + 2))
            if y0 >= y1 or x0 >= x1:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1]
            d = np.hypot(yy - cy, xx - cx)
            cover_all = np.clip(r_out + 0.5 - d, 0.0, 1.0)[..., None]  # rim + disc
            cover_in = np.clip(self.radius + 0.5 - d, 0.0, 1.0)[..., None]  # disc
            patch = rgb[y0 - row0 : y1 - row0, x0 - col0 : x1 - col0]
            lin = srgb_to_linear(patch.astype(np.float32) / maxval)
            lin = lin * (1 - cover_all) + 0.02 * (cover_all - cover_in) + 1.0 * cover_in
            patch[...] = np.rint(linear_to_srgb(lin) * maxval).astype(patch.dtype)


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
    ) -> Colouring:
        internal = 16 if (aa > 1 or depth == 16) else 8
        core = Palette(
            colors=root_colors(palette, nroots),
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

    def finish(
        self,
        rgb: np.ndarray,
        root: np.ndarray | None,
        row0: int,
        col0: int = 0,
        *,
        above: np.ndarray | None = None,
        left: np.ndarray | None = None,
    ) -> np.ndarray:
        """Output pixels from (``row0``, ``col0``) of the whole image, from their coloured samples ``rgb``.

        ``root``: the samples' roots (when ``needs_roots``). A sample is on a border when
        its root differs from its left or upper neighbour's: ``above`` holds the roots of
        the sample row just above these, ``left`` those of the sample column just left of
        them (None at the image's edge).
        """
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
            a = self.aa
            lin = _LUT16()[rgb]  # (rows * a, width * a, 3) float32
            lin = lin.reshape(rgb.shape[0] // a, a, rgb.shape[1] // a, a, 3).mean(
                axis=(1, 3), dtype=np.float32
            )
            rgb = np.rint(linear_to_srgb(lin) * maxval).astype(np.uint8 if self.depth == 8 else np.uint16)
        if self.marks is not None:
            self.marks.draw(rgb, row0, maxval, col0)
        return rgb

    def work_bytes(self) -> int:
        """Working memory per output pixel that finishing needs (an upper estimate)."""
        s = self.aa * self.aa
        per = 0
        if self.aa > 1:
            per += s * 12 * 2 + 12  # linear-light floats and their average
        if self.finishing:
            per += 3 * self.depth // 8
        return per


_LUT16 = functools.lru_cache(maxsize=1)(_lut16)
