"""When single precision (float32) can render a scene, and when it cannot.

Two checks: ``check_single_range`` refuses inputs that float32 cannot hold
(raised while a Scene is built), and ``single_precision_warnings`` finds out,
by asking the kernel itself, whether the picture will suffer (a tolerance
float32 cannot reach near some root, or a view too narrow for its resolution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._native import Problem, iterate
from .errors import ParameterError

__all__ = ["PrecisionWarning", "Probe", "check_single_range", "single_precision_warnings"]

_FLT_MAX = float(np.finfo(np.float32).max)
_PROBE_ROOTS = 64  # at most this many roots are probed (evenly spread over the canonical order)


class PrecisionWarning(UserWarning):
    """A single-precision render that may not look like its double-precision one
    (see ``single_precision_warnings``)."""


def check_single_range(c: np.ndarray, bounds: dict[str, float], relax: complex = 1) -> None:
    """Single precision rounds the inputs to float32: refuse those it would change beyond rounding."""

    def check(v: float, what: str) -> None:
        f = float(np.float32(v)) if abs(v) <= _FLT_MAX else math.inf
        if not math.isfinite(f):
            raise ParameterError(
                f"{what} ({v:g}) is beyond single precision's range (about 3.4e38); use double precision"
            )
        if v != 0 and f == 0:
            raise ParameterError(
                f"{what} ({v:g}) is too small for single precision (it would round to 0); use double precision"
            )

    # the core scales p by the power of two that brings the largest coefficient part
    # into [1, 2) before rounding (which changes no result), so only the ratios matter
    e = math.frexp(float(np.max(np.abs(np.concatenate([c.real, c.imag])))))[1] - 1
    for i, z in enumerate(c):
        for part in (z.real, z.imag):
            if part != 0 and np.float32(math.ldexp(part, -e)) == 0:
                raise ParameterError(
                    f"coefficient {i + 1} ({part:g}) is too small next to the largest one for single "
                    "precision (it would round to 0); use double precision"
                )
    for name, v in bounds.items():
        check(v, name)
    check(relax.real, "relax")
    check(relax.imag, "relax")


@dataclass(frozen=True)
class Probe:
    """What the warnings need to know of a scene."""

    problem: Problem  # in single precision, with the scene's canonical roots
    bounds: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax of the view
    samples: tuple[int, int]  # (width, height) of the grid of start points


def single_precision_warnings(probe: Probe, kernel: str = "") -> list[str]:
    """Why a scene may not look right in single precision (empty when it is fine).

    * The tolerance: near a root, float32 cannot evaluate p(z) to better than its
      rounding noise, so a smaller ``tol`` is never reached there. This is found out
      by asking the kernel itself (``kernel``: the one the render will use): a few
      start points within a few float32 steps of each root in or near the view are
      iterated, and a root most of whose probes do not converge to it is reported.
    * The zoom: when pixels are closer together than float32's resolution at the
      view's coordinates, neighbouring pixels start at the same number and the
      picture turns blocky.
    """
    out = []
    missed, floor = _unreachable_roots(probe, kernel)
    roots = probe.problem.roots
    if missed:
        which = ", ".join(str(i + 1) for i in missed[:8]) + (", ..." if len(missed) > 8 else "")
        out.append(
            f"tol {probe.problem.tol:g} is out of single precision's reach near {len(missed)} of the "
            f"{len(roots)} roots (root {which} in canonical order: float32 evaluates |p| there only to about "
            f"{floor:.1g}), so their basins may stay non-converged; use double precision or a larger tol"
        )
    xmin, xmax, ymin, ymax = probe.bounds
    w, h = probe.samples
    step = min((xmax - xmin) / w, (ymax - ymin) / h)
    reach = max(abs(xmin), abs(xmax), abs(ymin), abs(ymax))
    if step < float(np.spacing(np.float32(reach))):
        out.append(
            "the view is too narrow for single precision: neighbouring pixels start at the same float32 "
            "number, so the picture turns blocky; use double precision"
        )
    return out


def _unreachable_roots(probe: Probe, kernel: str) -> tuple[list[int], float]:
    """Roots in or near the view most of whose nearby probes do not converge to them."""
    p = probe.problem
    roots = p.roots
    xmin, xmax, ymin, ymax = probe.bounds
    mx, my = (xmax - xmin) / 2, (ymax - ymin) / 2  # roots this far outside the view hardly show
    near = np.flatnonzero(
        (roots.real >= xmin - mx)
        & (roots.real <= xmax + mx)
        & (roots.imag >= ymin - my)
        & (roots.imag <= ymax + my)
    )
    idx = near[np.unique(np.linspace(0, len(near) - 1, min(len(near), _PROBE_ROOTS)).round().astype(int))]
    k = np.arange(-3.0, 4.0)
    short = Problem(p.coefs, roots, min(p.itmax, 10), p.tol, p.method, p.relax, "single")
    missed, floor = [], 0.0
    for i in idx:
        r = roots[i]
        d = float(np.spacing(np.float32(max(abs(r.real), abs(r.imag), 1e-30))))
        data, _ = iterate(
            short,
            r.real + d * k,
            r.imag - d * k,
            threads=1,
            kernel=kernel,
            symmetry=False,
            data=True,
            smooth=True,
        )
        if (data["root"] == i).mean() < 0.5:
            missed.append(int(i))
            floor = max(floor, float(np.median(data["residual"])))
    return missed, floor
