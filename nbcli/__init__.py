"""nb-render: fast Newton-fractal rendering.

>>> import nbcli
>>> hsv = nbcli.compute(imw=64, imh=64, coefs=[1, 0, 0, 0, 0, 0, 1])   # nb_cpp-compatible
>>> img = nbcli.render(coefs=[1, 0, 0, -1], size=(320, 240))          # RGB + per-pixel data
>>> img.save("cubic.png")

The names below are imported lazily, so ``import nbcli`` (and the command
line's ``--help``) stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = [
    "PrecisionWarning",
    "Render",
    "Scene",
    "Style",
    "Viewport",
    "__version__",
    "available_kernels",
    "compute",
    "default_threads",
    "render",
    "render_to_png",
    "selected_kernel",
    "single_precision_warnings",
]

_API = set(__all__) - {"Style", "__version__"}  # served lazily from nbcli.api

if TYPE_CHECKING:
    from .api import (
        PrecisionWarning,
        Render,
        Scene,
        Viewport,
        available_kernels,
        compute,
        default_threads,
        render,
        render_to_png,
        selected_kernel,
        single_precision_warnings,
    )
    from .colors import Style


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "Style":
        from .colors import Style

        return Style
    raise AttributeError(f"module 'nbcli' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
