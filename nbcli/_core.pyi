from collections.abc import Callable
from typing import Any

import numpy as np

def info() -> dict[str, Any]: ...

class Palette:
    def __init__(
        self,
        colors: np.ndarray,
        shade: np.ndarray,
        nonconverged: np.ndarray,
        *,
        smooth: bool,
        depth: int,
    ) -> None: ...
    @property
    def smooth(self) -> bool: ...
    @property
    def depth(self) -> int: ...

def render(
    xs: np.ndarray,
    ys: np.ndarray,
    coefs: np.ndarray,
    roots: np.ndarray,
    itmax: int,
    tol: float,
    *,
    threads: int = 0,
    kernel: str = "",
    symmetry: bool = True,
    method: str = "newton",
    relax: complex = complex(1, 0),
    precision: str = "double",
    hsv: bool = False,
    data: bool = False,
    smooth: bool = False,
    palette: Palette | None = None,
    progress: Callable[[int, int], None] | None = None,
    xs_lo: np.ndarray | None = None,
    ys_lo: np.ndarray | None = None,
    series: tuple[float, float, float, float, float, float] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]: ...
def colorize(
    root: np.ndarray,
    iterations: np.ndarray,
    palette: Palette,
    *,
    smooth: np.ndarray | None = None,
) -> np.ndarray: ...
def average(
    samples: np.ndarray, a: int, depth: int, *, threads: int = 0
) -> tuple[np.ndarray, dict[str, Any]]: ...
def _linear_light() -> np.ndarray: ...
def polish_roots(coefs: np.ndarray, roots: np.ndarray, mult: np.ndarray) -> np.ndarray: ...
def _srgb_thresholds(depth: int) -> np.ndarray: ...
def kernels() -> list[dict[str, Any]]: ...
def selected_kernel() -> str: ...
def select_kernel(name: str) -> None: ...
def _peak_fmadd(kernel: str, iterations: int, precision: str = "double") -> float: ...
def _series_starts(
    xs: np.ndarray,
    ys: np.ndarray,
    coefs: np.ndarray,
    itmax: int,
    tol: float,
    method: str,
    relax: complex,
    series: tuple[float, float, float, float, float, float],
    *,
    xs_lo: np.ndarray | None = None,
    ys_lo: np.ndarray | None = None,
) -> tuple[int, np.ndarray, np.ndarray]: ...
def _log(x: np.ndarray, kernel: str = "") -> np.ndarray: ...
