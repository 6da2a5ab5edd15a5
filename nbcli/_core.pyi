from typing import Any, Callable, Optional

import numpy as np

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
    output: str = "hsv",
    colors: Optional[np.ndarray] = None,
    shade: Optional[np.ndarray] = None,
    nonconverged: Optional[np.ndarray] = None,
    smooth: bool = False,
    depth: int = 8,
    progress: Optional[Callable[[int, int], None]] = None,
    rgb_channels: int = 3,
    precision: str = "double",
) -> tuple[dict[str, np.ndarray], dict[str, Any]]: ...
def colorize(
    root: np.ndarray,
    iterations: np.ndarray,
    colors: np.ndarray,
    shade: np.ndarray,
    nonconverged: np.ndarray,
    *,
    smooth: Optional[np.ndarray] = None,
    smooth_shading: bool = False,
    depth: int = 8,
    channels: int = 3,
) -> np.ndarray: ...
def kernels() -> list[dict[str, Any]]: ...
def selected_kernel() -> str: ...
def select_kernel(name: str) -> None: ...
def hardware_threads() -> int: ...
def _peak_fmadd(kernel: str, iterations: int, precision: str = "double") -> float: ...
