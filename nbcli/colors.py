"""Palettes: which colour each root's basin gets, and how it darkens with iterations."""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = [
    "PALETTES",
    "SHADINGS",
    "Style",
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
        raise ValueError(
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


def _colormap(name: str, nroots: int) -> Optional[list[tuple[int, int, int]]]:
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
                raise ValueError(
                    f"unknown palette {palette!r}; choose one of {', '.join(PALETTES)}, a matplotlib colormap "
                    f"name, or colours like '#1b9e77,#d95f02'{hint}"
                )
            return np.array(cm, dtype=np.float32).reshape(nroots, 3)
    colors_list = [parse_color(c) for c in palette]
    if not colors_list:
        raise ValueError("the palette has no colours")
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
        raise ValueError(f"unknown shading {shading!r}; choose {', '.join(SHADINGS)}")
    return np.clip(s, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class Style:
    """How per-pixel results become colours (changing it needs no new computation).

    ``palette``: see ``root_colors``. ``shading``: smooth, iterations or flat.
    ``nonconverged``: colour of pixels that did not converge. ``boundary``: a
    colour for the borders between basins, or None. ``mark_roots``: draw a
    small marker on each root. ``depth``: 8 or 16 bits per channel.
    """

    palette: str | tuple[str, ...] = "default"
    shading: str = "smooth"
    nonconverged: str = "#000000"
    boundary: Optional[str] = None
    mark_roots: bool = False
    depth: int = 8

    def __post_init__(self) -> None:
        sh = self.shading.strip().lower() if isinstance(self.shading, str) else self.shading
        object.__setattr__(self, "shading", "smooth" if sh == "default" else sh)
        if not isinstance(self.palette, str):
            object.__setattr__(self, "palette", tuple(self.palette))

    def validate(self) -> Style:
        if not isinstance(self.shading, str) or self.shading not in SHADINGS:
            raise ValueError(f"unknown shading {self.shading!r}; choose {', '.join(SHADINGS)}")
        root_colors(self.palette, 1)
        parse_color(self.nonconverged)
        if self.boundary is not None:
            parse_color(self.boundary)
        if not isinstance(self.mark_roots, bool):
            raise TypeError("mark_roots must be True or False")
        if isinstance(self.depth, bool) or self.depth not in (8, 16):
            raise ValueError(f"depth must be 8 or 16 bits per channel (got {self.depth!r})")
        return self

    @property
    def smooth(self) -> bool:
        return self.shading == "smooth"

    def arrays(self, nroots: int, itmax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            root_colors(self.palette, nroots),
            shade_curve(itmax, self.shading),
            np.array(parse_color(self.nonconverged), dtype=np.float32),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "palette": self.palette if isinstance(self.palette, str) else list(self.palette),
            "shading": self.shading,
            "nonconverged": self.nonconverged,
            "boundary": self.boundary,
            "mark_roots": self.mark_roots,
            "depth": self.depth,
        }

    @classmethod
    def from_dict(cls, d: object) -> Style:
        """A Style from ``to_dict``'s output (untrusted: every field is type-checked)."""
        if not isinstance(d, dict):
            raise ValueError("the style must be a JSON object")  # noqa: TRY004 (untrusted file data)
        pal = d.get("palette", "default")
        if isinstance(pal, list) and all(isinstance(c, str) for c in pal) and len(pal) <= 4096:
            pal = tuple(pal)
        elif not isinstance(pal, str):
            raise ValueError("the style's palette must be a name or a list of colours")
        b = d.get("boundary")
        checks = [
            isinstance(d.get("shading", "smooth"), str),
            isinstance(d.get("nonconverged", "#000000"), str),
            b is None or isinstance(b, str),
            isinstance(d.get("mark_roots", False), bool),
            isinstance(d.get("depth", 8), int),
        ]
        if not all(checks):
            raise ValueError("the style has a field of the wrong type")
        return cls(
            palette=pal,
            shading=d.get("shading", "smooth"),
            nonconverged=d.get("nonconverged", "#000000"),
            boundary=b,
            mark_roots=d.get("mark_roots", False),
            depth=d.get("depth", 8),
        ).validate()


# ---- light: averaging supersamples and drawing markers happen in linear light --------------


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] to linear light (float32)."""
    v = np.asarray(v, dtype=np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] to sRGB-encoded values in [0, 1] (float32)."""
    v = np.clip(np.asarray(v, dtype=np.float32), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055).astype(np.float32)
