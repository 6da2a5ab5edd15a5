"""Palettes: which colour each root's basin gets, and how it darkens with iterations."""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["PALETTES", "Style", "parse_color", "root_colors", "shade_curve"]

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
_NAMED = {"black": "#000000", "white": "#ffffff", "gray": "#808080", "grey": "#808080"}


def parse_color(text: str) -> tuple[int, int, int]:
    """'#1b9e77', '1b9e77', '#fff', 'black' or 'white' -> (r, g, b)."""
    t = _NAMED.get(text.strip().lower(), text.strip())
    m = _HEX.match(t)
    if not m:
        raise ValueError(f"cannot read colour {text!r}; use hex like #1b9e77 or #fff")
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


def root_colors(palette: str | Sequence[str], nroots: int) -> np.ndarray:
    """(nroots, 3) float32 colours in 0..255.

    A named palette, or a list of colours (repeated if there are more roots
    than colours). A named palette with fewer colours than roots switches to
    evenly spaced hues, so no two basins share a colour.
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
            raise ValueError(
                f"unknown palette {palette!r}; choose one of {', '.join(PALETTES)} or give colours like '#1b9e77,#d95f02'"
            )
    colors_list = [parse_color(c) for c in palette]
    if not colors_list:
        raise ValueError("the palette has no colours")
    rgb = [colors_list[i % len(colors_list)] for i in range(nroots)]
    return np.array(rgb, dtype=np.float32).reshape(nroots, 3)


def shade_curve(itmax: int, shading: str = "default") -> np.ndarray:
    """Brightness factor for convergence at iteration k = 0 .. itmax-1.

    'iterations' is nb_cpp's linear 1 - k/itmax; 'default' keeps basins bright
    and darkens towards the boundaries, the same for any itmax >= 60 (so that
    raising itmax only fills in black areas); 'flat' is constant.
    """
    k = np.arange(itmax, dtype=np.float64)
    if shading == "flat":
        s = np.ones(itmax)
    elif shading == "iterations":
        s = 1.0 - k / itmax
    elif shading == "default":
        s = 1.0 - 0.85 * np.minimum(1.0, k / min(itmax, 60)) ** 0.6
    else:
        raise ValueError(f"unknown shading {shading!r}; choose default, iterations or flat")
    return np.clip(s, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class Style:
    """How per-pixel results become colours."""

    palette: str | tuple[str, ...] = "default"
    shading: str = "default"
    nonconverged: str = "#000000"

    def validate(self) -> Style:
        root_colors(self.palette, 1)
        shade_curve(1, self.shading)
        parse_color(self.nonconverged)
        return self

    def arrays(self, nroots: int, itmax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            root_colors(self.palette, nroots),
            shade_curve(itmax, self.shading),
            np.array(parse_color(self.nonconverged), dtype=np.float32),
        )
