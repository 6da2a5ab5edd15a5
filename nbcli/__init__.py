"""nb-render: fast Newton-fractal rendering.

>>> import nbcli
>>> hsv = nbcli.compute(imw=64, imh=64, coefs=[1, 0, 0, 0, 0, 0, 1])   # nb_cpp-compatible
>>> img = nbcli.render(coefs=[1, 0, 0, -1], size=(320, 240))          # RGB + per-pixel data
>>> img.save("cubic.png")

The names below are imported lazily (from the modules named in ``_HOME``), so
``import nbcli`` and the command line's ``--help`` stay fast. The layers
behind them are described in docs/architecture.md.
"""

from __future__ import annotations

import importlib
import typing

from ._version import __version__

__all__ = [
    "Animation",
    "Keyframe",
    "MetadataWarning",
    "PrecisionWarning",
    "Render",
    "Scene",
    "Style",
    "Viewport",
    "__version__",
    "available_kernels",
    "compute",
    "default_threads",
    "precision_warnings",
    "render",
    "render_tile",
    "render_to_file",
    "render_to_png",
    "render_to_zarr",
    "selected_kernel",
    "single_precision_warnings",
    "to_dask",
]

# where each public name lives
_HOME = {
    "Animation": "animation",
    "Keyframe": "timeline",
    "MetadataWarning": "images",
    "PrecisionWarning": "precision",
    "Render": "api",
    "Scene": "scene",
    "Style": "style",
    "Viewport": "viewport",
    "available_kernels": "api",
    "compute": "compat",
    "default_threads": "_native",
    "precision_warnings": "api",
    "render": "api",
    "render_tile": "tiles",
    "render_to_file": "api",
    "render_to_png": "api",
    "render_to_zarr": "stores",
    "selected_kernel": "_native",
    "single_precision_warnings": "api",
    "to_dask": "scale",
}

if typing.TYPE_CHECKING:
    from ._native import default_threads, selected_kernel
    from .animation import Animation
    from .api import (
        Render,
        available_kernels,
        precision_warnings,
        render,
        render_to_file,
        render_to_png,
        single_precision_warnings,
    )
    from .compat import compute
    from .images import MetadataWarning
    from .precision import PrecisionWarning
    from .scale import to_dask
    from .scene import Scene
    from .stores import render_to_zarr
    from .style import Style
    from .tiles import render_tile
    from .timeline import Keyframe
    from .viewport import Viewport


def __getattr__(name: str) -> typing.Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'nbcli' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
