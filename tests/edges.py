"""Points on basin boundaries, for deep views that show structure (tests/test_series.py and
tools/neon_check.py)."""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from nbcli import _core
from nbcli.poly import canonical_roots
from nbcli.poly.exact import double_double, exact_text


@functools.cache
def boundary_point(
    coefs: tuple[complex, ...], method: str, relax: complex, itmax: int = 300, tol: float = 1e-6
) -> str:
    """A point on a basin boundary of ``method`` for the polynomial ``coefs``, to about 25
    digits, as text: found by bisection, in double-double, on the segment from 0.9 to 0.9
    times the second canonical root (points that reach different roots)."""
    c = np.array(coefs, complex)
    roots = canonical_roots(c)
    a, b = (Fraction(0.9), Fraction(0.0)), (Fraction(roots[1].real * 0.9), Fraction(roots[1].imag * 0.9))

    def root(t: Fraction) -> int:
        x, y = (double_double(u + t * (v - u)) for u, v in zip(a, b, strict=True))
        out, _ = _core.render(
            np.array([x[0]]),
            np.array([y[0]]),
            c,
            roots,
            itmax,
            tol,
            method=method,
            relax=relax,
            precision="double-double",
            xs_lo=np.array([x[1]]),
            ys_lo=np.array([y[1]]),
            data=True,
        )
        return int(out["root"][0, 0])

    lo, hi = Fraction(0), Fraction(1)
    r_lo = root(lo)
    assert root(hi) != r_lo, "both ends of the segment reach the same root"
    for _ in range(85):
        mid = (lo + hi) / 2
        if root(mid) == r_lo:
            lo = mid
        else:
            hi = mid
    x, y = (u + lo * (v - u) for u, v in zip(a, b, strict=True))
    return f"{exact_text(x)}{'+' if y >= 0 else '-'}{exact_text(abs(y))}j"
