"""Double-double precision (precision="double-double"): every kernel path against the reference's
double-double arithmetic, bit for bit."""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import pytest
import reference as ref
from conftest import FUSED, SUPPORTED, VARIANT_IDS, VARIANTS
from edges import Z3_EDGE

from nbcli import Viewport, _core
from nbcli.poly import canonical_roots

CASES = {
    "z^6+1": [1, 0, 0, 0, 0, 0, 1],  # real and even: rows and columns mirror
    "z^3-2z+2": [1, 0, -2, 2],  # real: rows mirror
    "complex deg 4": [1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j],  # no mirrors
    "deg 12": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1],  # p' underflows near 0
}
GRID = Viewport(-2, 2, -1.5, 1.5).grid(41, 31)
SMALL = Viewport(-2, 2.3, -1.7, 1.5).grid(23, 17)
ITMAX, TOL = 30, 1e-6
Z3_EDGE_PARTS = tuple(Z3_EDGE[:-1].split("+"))  # (real, imaginary) as text


def dd_grid(center: tuple[str, str], width: str, size: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """(xs, xs_lo, ys, ys_lo) of a view given exactly: each start point rounded to double-double once."""
    cx, cy = (Fraction(v) for v in center)
    step = Fraction(width) / size[0]

    def axis(c: Fraction, n: int, sign: int) -> tuple[np.ndarray, np.ndarray]:
        exact = [c + sign * (i - Fraction(n - 1, 2)) * step for i in range(n)]
        hi = np.array([float(v) for v in exact])
        lo = np.array([float(v - Fraction(h)) for v, h in zip(exact, hi, strict=True)])
        return hi, lo

    return (*axis(cx, size[0], 1), *axis(cy, size[1], -1))


def _coefs(name):
    c = np.array(CASES[name], complex)
    return c, canonical_roots(c)


def _render(c, roots, xs, ys, itmax=ITMAX, tol=TOL, **kw):
    kw.setdefault("data", True)
    kw.setdefault("smooth", True)
    return _core.render(xs, ys, c, roots, itmax, tol, precision="double-double", **kw)


def _assert_same(out, expected):
    for key in ("root", "iterations", "smooth", "residual"):
        assert out[key].dtype == expected[key].dtype, key
        got, want = out[key], expected[key]
        if got.dtype.kind == "f":  # the sign of a NaN is the hardware's business
            got, want = (np.where(np.isnan(a), np.float32("nan"), a) for a in (got, want))
        np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8), err_msg=key)


@functools.cache
def _expected(name, grid, method, relax, fused):
    c, roots = _coefs(name)
    xs, ys = GRID if grid == "grid" else SMALL
    return ref.exact(
        xs, ys, c, roots, ITMAX, TOL, fused=fused, method=method, relax=relax, full=True, dd=True
    )


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("symmetry", [False, True])
def test_every_path_matches_reference(name, kernel, threads, symmetry):
    c, roots = _coefs(name)
    out, stats = _render(c, roots, *GRID, kernel=kernel, threads=threads, symmetry=symmetry)
    _assert_same(out, _expected(name, "grid", "newton", 1.0, FUSED[kernel]))
    assert stats["precision"] == "double-double"
    assert stats["kernel"] == kernel
    nx, ny = GRID[0].size, GRID[1].size
    assert stats["pixels"] == nx * ny
    if symmetry and not np.any(c.imag):
        assert stats["pixels_computed"] < nx * ny  # the mirrors work on double-double start points too
    else:
        assert stats["pixels_computed"] == nx * ny


@pytest.mark.parametrize("name", ["z^6+1", "z^3-2z+2", "complex deg 4"])
@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_every_method_matches_reference(name, method, relax, kernel):
    c, roots = _coefs(name)
    out, stats = _render(c, roots, *SMALL, kernel=kernel, method=method, relax=relax, threads=2)
    _assert_same(out, _expected(name, "small", method, complex(relax), FUSED[kernel]))
    assert stats["method"] == method
    plain, _ = _render(c, roots, *SMALL, kernel=kernel, method=method, relax=relax, symmetry=False)
    _assert_same(out, plain)


@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_deep_view_with_low_parts_matches_reference(method, relax, kernel):
    """A view 1e-24 wide on the boundary of z^3 - 1: the start points differ only in their low parts."""
    c = np.array([1, 0, 0, -1], complex)
    roots = canonical_roots(c)
    xs, xs_lo, ys, ys_lo = dd_grid(Z3_EDGE_PARTS, "1e-24", (12, 9))
    assert len(set(xs)) < 4 and len(set(xs_lo)) == 12  # the doubles cannot tell the columns apart
    out, _ = _render(
        c, roots, xs, ys, 140, kernel=kernel, method=method, relax=relax, xs_lo=xs_lo, ys_lo=ys_lo
    )
    want = ref.exact(
        xs,
        ys,
        c,
        roots,
        140,
        TOL,
        fused=FUSED[kernel],
        method=method,
        relax=relax,
        full=True,
        dd=True,
        xs_lo=xs_lo,
        ys_lo=ys_lo,
    )
    _assert_same(out, want)
    if method == "newton":
        assert len(np.unique(out["root"])) >= 2  # both sides of the boundary, where double sees one point


@pytest.mark.parametrize("size", [(1, 1), (5, 3), (17, 2), (3, 40)])
def test_narrow_and_tiny_images(size, kernel):
    """Rows shorter than the vectors in flight refill lane by lane, across rows."""
    c, roots = _coefs("complex deg 4")
    xs, ys = Viewport(-2, 2.3, -1.7, 1.5).grid(*size)
    out, stats = _render(c, roots, xs, ys, kernel=kernel, method="halley", threads=2)
    want = ref.exact(xs, ys, c, roots, ITMAX, TOL, fused=FUSED[kernel], method="halley", full=True, dd=True)
    _assert_same(out, want)
    assert stats["pixels"] == size[0] * size[1]


def test_fused_kernels_agree_with_each_other():
    fused = [k for k in SUPPORTED if FUSED[k]]
    if len(fused) < 2:
        pytest.skip("fewer than two FMA kernels on this CPU")
    c = np.array([1, 0.3, -1, 2j, 0, 1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(90, 70)
    results = [_render(c, roots, xs, ys, kernel=k, method="householder")[0] for k in fused]
    for r in results[1:]:
        _assert_same(r, results[0])


def test_mirrors_need_exact_negatives_in_both_parts():
    c, roots = _coefs("z^6+1")
    xs, xs_lo, ys, ys_lo = dd_grid(("0", "0"), "1e-3", (16, 12))
    full, st = _render(c, roots, xs, ys, xs_lo=xs_lo, ys_lo=ys_lo)
    plain, _ = _render(c, roots, xs, ys, xs_lo=xs_lo, ys_lo=ys_lo, symmetry=False)
    _assert_same(full, plain)
    assert st["pixels_computed"] == 8 * 6  # a quarter: both parts are exact negatives
    nudged = ys_lo.copy()
    assert ys_lo[0] != 0
    nudged[0] = np.nextafter(ys_lo[0], 1.0)
    _, st = _render(c, roots, xs, ys, xs_lo=xs_lo, ys_lo=nudged)
    assert st["pixels_computed"] == 8 * 7  # rows 0 and 11 are no longer mirror images: both computed


def test_low_parts_are_checked():
    xs = ys = np.zeros(4)
    c, roots = np.array([1, 0, -1], complex), np.array([-1, 1], complex)
    with pytest.raises(ValueError, match="xs_lo must be empty or have one value per start point"):
        _core.render(xs, ys, c, roots, 10, 1e-6, precision="double-double", hsv=True, xs_lo=np.zeros(3))
    with pytest.raises(ValueError, match="ys_lo must hold low parts"):
        _core.render(
            xs + 1, ys, c, roots, 10, 1e-6, precision="double-double", hsv=True, ys_lo=np.full(4, 0.5)
        )
    with pytest.raises(ValueError, match="xs_lo must hold low parts"):
        _core.render(xs, ys, c, roots, 10, 1e-6, hsv=True, xs_lo=np.full(4, np.nan))


def test_precision_names_and_bits():
    info = _core.info()
    assert info["precisions"] == ["double", "single", "double-double"]
    assert info["precision_bits"] == {"double": 53, "single": 24, "double-double": 106}
    assert 0 < info["limits"]["min_margin_bits"] < info["limits"]["auto_margin_bits"]
