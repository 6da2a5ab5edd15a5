"""How a PNG's image data is compressed: the library, its level and the PNG filter of the rows.

nb-render compresses with ISA-L (the ``isal`` package: several times faster than
zlib and, once the rows are filtered, about as small) unless told otherwise;
Python's own zlib is the other choice. The same image gives the same bytes with
the same library, version, level and filter (for ISA-L also on the same
architecture, and at level 3 on a CPU with the same vector extensions: its
code differs between them), so every PNG records them
(``Deflate.to_dict``) and ``--from`` uses them again where that library is
installed. The libraries are imported only when an image is compressed.
"""

from __future__ import annotations

import platform
import zlib
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError

__all__ = ["FILTERS", "LIBRARIES", "Deflate", "default_deflate"]

# The compression libraries: their levels and how to get their modules (imported only when used).
LIBRARIES: dict[str, range] = {"isal": range(4), "zlib": range(10)}
FILTERS = {"none": 0, "up": 2}  # the PNG filter types the writer applies to every row


def _architecture() -> str:
    """The machine's architecture, named the same way on every system."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def _module(library: str) -> Any:
    """The zlib-like module of a compression library (ImportError if it is not installed)."""
    if library == "isal":
        from isal import isal_zlib

        return isal_zlib
    return zlib


@dataclass(frozen=True)
class Deflate:
    """How the writer compresses a PNG's image data.

    ``library``: "isal" (ISA-L through the ``isal`` package, the default) or "zlib"
    (the standard library's: slower, a little smaller); ``level``: the library's
    compression level (isal 0-3, zlib 0-9); ``filter``: the PNG filter of every row,
    "up" (each row minus the one above: small numbers where shading changes
    smoothly, which compress well) or "none".
    """

    library: str = "isal"
    level: int = 1
    filter: str = "up"

    def __post_init__(self) -> None:
        levels = LIBRARIES.get(self.library)
        if levels is None:
            raise ParameterError(
                f"unknown PNG compressor {self.library!r}; choose one of {', '.join(LIBRARIES)}"
            )
        level: object = self.level  # callers may pass anything
        if isinstance(level, bool) or not isinstance(level, int) or level not in levels:
            raise ParameterError(
                f"the {self.library} compression level must be {levels[0]} to {levels[-1]} (got {self.level!r})"
            )
        if self.filter not in FILTERS:
            raise ParameterError(f"unknown PNG filter {self.filter!r}; choose one of {', '.join(FILTERS)}")

    def module(self) -> Any:
        """The library's zlib-like module (ImportError if it is not installed)."""
        return _module(self.library)

    def available(self) -> bool:
        """Whether the library is installed."""
        try:
            self.module()
        except ImportError:
            return False
        return True

    def version(self) -> str:
        """The version of the library that makes the bytes (ImportError if it is not installed).
        ISA-L's is followed by the machine's architecture: its deflate is written for each one, and
        the same version compresses differently on x86-64 and on aarch64."""
        if self.library == "isal":
            import isal

            return f"{isal.ISAL_VERSION} {_architecture()}"
        return zlib.ZLIB_RUNTIME_VERSION

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields, with the library's version (the same bytes need the same one)."""
        return {
            "library": self.library,
            "version": self.version(),
            "level": self.level,
            "filter": self.filter,
        }

    @classmethod
    def from_dict(cls, d: object) -> Deflate:
        """A Deflate from ``to_dict``'s output (untrusted; the version is not checked)."""
        if not isinstance(d, dict):
            raise ParameterError("the PNG compression must be a JSON object")
        library, level, filt = d.get("library"), d.get("level"), d.get("filter")
        if not (isinstance(library, str) and isinstance(level, int) and isinstance(filt, str)):
            raise ParameterError("the PNG compression has a field of the wrong type")
        return cls(library, level, filt)


def default_deflate(*, banded: bool = False) -> Deflate:
    """The compression nb-render uses unless told otherwise: ISA-L at level 1 with every row
    filtered "up" (smooth shading's gradients become runs of small numbers), unfiltered for
    ``banded`` pictures (bands and flat areas compress best as they are); the standard
    library's zlib at level 2 if isal is not installed."""
    fast = Deflate("isal", 1, "none" if banded else "up")
    return fast if fast.available() else Deflate("zlib", 2, fast.filter)
