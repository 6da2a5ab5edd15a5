"""The model of how a render is coloured: ``Style``. Changing it needs no new computation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .colors import SHADINGS, parse_color, root_colors
from .errors import ParameterError, unknown_name

__all__ = ["Style"]


@dataclass(frozen=True)
class Style:
    """How per-pixel results become colours (changing it needs no new computation).

    ``palette``: see ``nbcli.colors.root_colors``. ``shading``: smooth, iterations
    or flat. ``nonconverged``: colour of pixels that did not converge.
    ``boundary``: a colour for the borders between basins, or None.
    ``mark_roots``: draw a small marker on each root. ``depth``: 8 or 16 bits
    per channel.
    """

    palette: str | tuple[str, ...] = "default"
    shading: str = "smooth"
    nonconverged: str = "#000000"
    boundary: str | None = None
    mark_roots: bool = False
    depth: int = 8

    def __post_init__(self) -> None:
        given: Any = self.shading  # callers may pass anything: validate() says what is wrong
        sh = given.strip().lower() if isinstance(given, str) else given
        object.__setattr__(self, "shading", "smooth" if sh == "default" else sh)
        if not isinstance(self.palette, str):
            object.__setattr__(self, "palette", tuple(self.palette))

    def validate(self) -> Style:
        """This style, after checking every field (unknown names and unreadable colours raise)."""
        shading: Any = self.shading
        if not isinstance(shading, str) or shading not in SHADINGS:
            raise unknown_name("shading", self.shading, SHADINGS)
        root_colors(self.palette, 1)
        parse_color(self.nonconverged)
        if self.boundary is not None:
            parse_color(self.boundary)
        if not isinstance(self.mark_roots, bool):
            raise TypeError("mark_roots must be True or False")
        if isinstance(self.depth, bool) or self.depth not in (8, 16):
            raise ParameterError(f"depth must be 8 or 16 bits per channel (got {self.depth!r})")
        return self

    @property
    def smooth(self) -> bool:
        return self.shading == "smooth"

    def to_dict(self) -> dict[str, object]:
        """The style's fields as JSON-ready values."""
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
            raise ParameterError("the style must be a JSON object")
        pal: Any = d.get("palette", "default")
        if isinstance(pal, list) and all(isinstance(c, str) for c in pal) and len(pal) <= 4096:
            pal = tuple(pal)
        elif not isinstance(pal, str):
            raise ParameterError("the style's palette must be a name or a list of colours")
        b = d.get("boundary")
        checks = [
            isinstance(d.get("shading", "smooth"), str),
            isinstance(d.get("nonconverged", "#000000"), str),
            b is None or isinstance(b, str),
            isinstance(d.get("mark_roots", False), bool),
            isinstance(d.get("depth", 8), int),
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
        ).validate()
