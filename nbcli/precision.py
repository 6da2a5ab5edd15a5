"""Which precision a view needs, and when single precision (float32) can render a scene.

``choose_precision`` picks double or double-double for ``auto`` from how finely a
view is sampled next to its coordinates (``Sampling``), and refuses a view too
narrow even for double-double; ``view_warnings`` says when an explicitly chosen
double is too coarse for the view. ``check_single_range`` refuses inputs that
float32 cannot hold (raised while a Scene is built), and
``single_precision_warnings`` finds out, by asking the kernel itself, whether the
picture will suffer (a tolerance float32 cannot reach near some root, or a view
too narrow for its resolution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._native import LIMITS, PRECISION_BITS, Problem, iterate
from .errors import ParameterError

__all__ = [
    "PrecisionWarning",
    "Probe",
    "Sampling",
    "check_single_range",
    "choose_precision",
    "single_precision_warnings",
    "view_warnings",
]

_FLT_MAX = float(np.finfo(np.float32).max)
_PROBE_ROOTS = 64  # at most this many roots are probed (evenly spread over the canonical order)


class PrecisionWarning(UserWarning):
    """A render whose precision may not suffice for it: single precision that may not look
    like double (see ``single_precision_warnings``), or double in a view too narrow for it
    (``view_warnings``)."""


@dataclass(frozen=True)
class Sampling:
    """How finely a view is sampled, per axis (real, imaginary): the distance between
    neighbouring samples, and the largest |coordinate| of the view."""

    spacing: tuple[float, float]
    reach: tuple[float, float]

    def margin_bits(self, precision: str) -> float:
        """log2 of the distance between neighbouring samples in units in the last place of
        ``precision`` at the view's coordinates, on the worse axis (inf: no axis limits it)."""
        bits = PRECISION_BITS[precision]
        # r in [2^(e-1), 2^e) has units of 2^(e - bits)
        return min(
            (
                math.log2(s) - (math.frexp(r)[1] - bits)
                for s, r in zip(self.spacing, self.reach, strict=True)
                if r > 0
            ),
            default=math.inf,
        )

    def relative(self) -> tuple[float, float]:
        """(spacing, reach) of the worse axis: the one whose spacing is the smaller part of its reach."""
        return min(
            zip(self.spacing, self.reach, strict=True), key=lambda a: a[0] / a[1] if a[1] > 0 else math.inf
        )


def choose_precision(requested: str, sampling: Sampling) -> str:
    """The precision to render with: ``requested``, or for ``auto`` double while neighbouring
    samples lie at least 2^auto_margin_bits of its units apart, else double-double. A view
    whose samples lie closer than 2^min_margin_bits of double-double's units is refused
    (ParameterError)."""
    chosen = requested
    if requested == "auto":
        chosen = "double" if sampling.margin_bits("double") >= LIMITS.auto_margin_bits else "double-double"
    if chosen == "double-double" and sampling.margin_bits(chosen) < LIMITS.min_margin_bits:
        spacing, reach = sampling.relative()
        least = 2.0 ** (1 + LIMITS.min_margin_bits - PRECISION_BITS[chosen])
        raise ParameterError(
            f"the view is too narrow even for double-double precision: neighbouring samples are {spacing:.2g} "
            f"apart at coordinates up to {reach:.2g} ({spacing / reach:.1g} of them); double-double needs them "
            f"at least about {least:.0e} of the coordinates apart (a view {least * 1024:.0e} of its "
            "coordinates wide at 1024 samples): zoom out, or use fewer pixels"
        )
    return chosen


def view_warnings(precision: str, sampling: Sampling) -> list[str]:
    """Why ``precision`` (chosen explicitly) is too coarse for the view (empty when it is fine)."""
    if precision == "double" and sampling.margin_bits(precision) < LIMITS.min_margin_bits:
        return [
            (
                "the view is too narrow for double precision: neighbouring pixels start at nearly the same "
                "double, so the picture turns blocky; use double-double precision (auto chooses it)"
            )
        ]
    return []


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
