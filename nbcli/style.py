"""The model of how a render is coloured: ``Style``. Changing it needs no new computation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._native import LIMITS
from .checks import MAX_PALETTE
from .colors import SHADINGS, parse_color, root_colors
from .errors import ParameterError, shown, unknown_name

__all__ = ["Style"]

MAX_COLORS = LIMITS.max_degree  # a polynomial has at most this many roots to colour


@dataclass(frozen=True)
class Style:
    """How per-pixel results become colours (changing it needs no new computation).

    ``palette``: see ``nbcli.colors.root_colors``. ``shading``: smooth, iterations
    or flat. ``nonconverged``: colour of pixels that did not converge.
    ``boundary``: a colour for the borders between basins, or None.
    ``mark_roots``: draw a small marker on each root. ``depth``: 8 or 16 bits
    per channel.

    ``color_index`` and ``ncolors`` keep colours put when roots move (an
    animation sets them): the palette is spread over ``ncolors`` entries and
    root i (in canonical order) gets entry ``color_index[i]``. By default root i
    gets entry i of as many entries as there are roots.
    """

    palette: str | tuple[str, ...] = "default"
    shading: str = "smooth"
    nonconverged: str = "#000000"
    boundary: str | None = None
    mark_roots: bool = False
    depth: int = 8
    color_index: tuple[int, ...] | None = None
    ncolors: int | None = None

    def __post_init__(self) -> None:
        given: Any = self.shading  # callers may pass anything: validate() says what is wrong
        sh = given.strip().lower() if isinstance(given, str) else given
        object.__setattr__(self, "shading", "smooth" if sh == "default" else sh)
        if not isinstance(self.palette, str):
            object.__setattr__(self, "palette", _sequence(self.palette, "palette", "a name, colours as text"))
        if self.color_index is not None:
            object.__setattr__(self, "color_index", _sequence(self.color_index, "color_index", "None"))

    def validate(self) -> Style:
        """This style, after checking every field (unknown names and unreadable colours raise)."""
        shading: Any = self.shading
        if not isinstance(shading, str):
            raise TypeError(f"shading must be a name, one of {', '.join(SHADINGS)} (got {shown(shading)})")
        if shading not in SHADINGS:
            raise unknown_name("shading", self.shading, SHADINGS)
        palette: Any = self.palette
        if not isinstance(palette, str) and not all(isinstance(c, str) for c in palette):
            raise TypeError(
                f"palette colours must be text such as '#1b9e77' or 'navy' (got {shown(palette)})"
            )
        root_colors(self.palette, 1)
        _colour(self.nonconverged, "nonconverged")
        if self.boundary is not None:
            _colour(self.boundary, "boundary")
        if not isinstance(self.mark_roots, bool):
            raise TypeError(f"mark_roots must be True or False (got {shown(self.mark_roots)})")
        if isinstance(self.depth, bool) or not isinstance(self.depth, int):
            raise TypeError(f"depth must be 8 or 16, an int (got {shown(self.depth)})")
        if self.depth not in (8, 16):
            raise ParameterError(f"depth must be 8 or 16 bits per channel (got {shown(self.depth)})")
        self._check_colour_order()
        return self

    def _check_colour_order(self) -> None:
        index: Any = self.color_index  # callers may pass anything: say what is wrong
        n: Any = self.ncolors
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COLORS):
            raise ParameterError(f"ncolors must be a whole number from 1 to {MAX_COLORS} (got {shown(n)})")
        if index is None:
            return
        top = n if n is not None else len(index)
        if len(index) > MAX_COLORS or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < top for i in index
        ):
            raise ParameterError(f"color_index must list palette entries from 0 to {top - 1}, one per root")

    def colors_for(self, nroots: int) -> tuple[tuple[int, ...] | None, int]:
        """(the palette entry of each of ``nroots`` roots or None for 0, 1, ...; entries in the palette)."""
        if self.color_index is None:
            return None, max(nroots, self.ncolors or 0)
        if len(self.color_index) != nroots:
            raise ParameterError(
                f"the style gives colours to {len(self.color_index)} roots (color_index) but the polynomial "
                f"has {nroots}"
            )
        return self.color_index, self.ncolors if self.ncolors is not None else nroots

    @property
    def smooth(self) -> bool:
        return self.shading == "smooth"

    def to_dict(self) -> dict[str, object]:
        """The style's fields as JSON-ready values (the colour order only when one is set)."""
        d: dict[str, object] = {
            "palette": self.palette if isinstance(self.palette, str) else list(self.palette),
            "shading": self.shading,
            "nonconverged": self.nonconverged,
            "boundary": self.boundary,
            "mark_roots": self.mark_roots,
            "depth": self.depth,
        }
        if self.color_index is not None:
            d["color_index"] = list(self.color_index)
        if self.ncolors is not None:
            d["ncolors"] = self.ncolors
        return d

    @classmethod
    def from_dict(cls, d: object) -> Style:
        """A Style from ``to_dict``'s output (untrusted: every field is type-checked)."""
        if not isinstance(d, dict):
            raise ParameterError("the style must be a JSON object")
        pal: Any = d.get("palette", "default")
        if isinstance(pal, list) and all(isinstance(c, str) for c in pal) and len(pal) <= MAX_PALETTE:
            pal = tuple(pal)
        elif not isinstance(pal, str):
            raise ParameterError("the style's palette must be a name or a list of colours")
        b = d.get("boundary")
        index = d.get("color_index")
        if index is not None and not (isinstance(index, list) and len(index) <= MAX_COLORS):
            raise ParameterError(f"the style's color_index must be a list of at most {MAX_COLORS} entries")
        checks = [
            isinstance(d.get("shading", "smooth"), str),
            isinstance(d.get("nonconverged", "#000000"), str),
            b is None or isinstance(b, str),
            isinstance(d.get("mark_roots", False), bool),
            isinstance(d.get("depth", 8), int),
            d.get("ncolors") is None or isinstance(d.get("ncolors"), int),
        ]
        if not all(checks):
            raise ParameterError("the style has a field of the wrong type")
        return cls(
            palette=pal,
            shading=d.get("shading", "smooth"),
            nonconverged=d.get("nonconverged", "#000000"),
            boundary=b,
            mark_roots=d.get("mark_roots", False),
            depth=d.get("depth", 8),
            color_index=None if index is None else tuple(index),
            ncolors=d.get("ncolors"),
        ).validate()


def _sequence(value: Any, name: str, instead: str) -> tuple[Any, ...]:
    """``value`` as a tuple; TypeError naming ``name`` if it is not a sequence (``instead``: what else it may be)."""
    if isinstance(value, (bytes, bytearray)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence or {instead} (got {shown(value)})")
    return tuple(value)


def _colour(value: Any, name: str) -> None:
    """A colour as text (see ``nbcli.colors.parse_color``), for the field ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a colour as text, such as 'white' or '#1b9e77' (got {shown(value)})")
    parse_color(value)
