"""Single precision (precision="single"): every kernel path against the float32 reference, bit for bit."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import reference as ref
from conftest import ALL, FUSED, SUPPORTED, VARIANT_IDS, VARIANTS

from nbcli import Viewport, _core
from nbcli.poly import canonical_roots

CASES = {
    "z^6+1": [1, 0, 0, 0, 0, 0, 1],  # real and even: rows and columns mirror
    "z^3-2z+2": [1, 0, -2, 2],  # real: rows mirror
    "z^5-z": [1, 0, 0, 0, -1, 0],  # real and odd
    "complex deg 4": [1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j],  # no mirrors
    "deg 12": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1],  # p' underflows near 0, p overflows float early
}
GRID = Viewport(-2, 2, -1.5, 1.5).grid(57, 43)
ITMAX, TOL = 30, 1e-6


def _coefs(name):
    c = np.array(CASES[name], complex)
    return c, canonical_roots(c)


@functools.cache
def _expected(name, method, relax, fused):
    c, roots = _coefs(name)
    return ref.exact(
        *GRID, c, roots, ITMAX, TOL, fused=fused, method=method, relax=relax, full=True, single=True
    )


def _render(c, roots, xs=GRID[0], ys=GRID[1], itmax=ITMAX, tol=TOL, **kw):
    kw.setdefault("data", True)
    kw.setdefault("smooth", True)
    return _core.render(xs, ys, c, roots, itmax, tol, precision="single", **kw)


def _bits(a):
    """The bits of a float32 array with every NaN made the same one (the sign of a
    NaN is the hardware's business: x86 and AArch64 differ)."""
    a = np.where(np.isnan(a), np.float32("nan"), a) if a.dtype.kind == "f" else a
    return a.view(np.uint8)


def _assert_same(out, expected, keys=("root", "iterations", "smooth", "residual")):
    for key in keys:
        assert out[key].dtype == expected[key].dtype, key
        np.testing.assert_array_equal(_bits(out[key]), _bits(expected[key]), err_msg=key)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("symmetry", [False, True])
def test_every_path_matches_reference(name, kernel, threads, symmetry):
    c, roots = _coefs(name)
    out, stats = _render(c, roots, kernel=kernel, threads=threads, symmetry=symmetry)
    _assert_same(out, _expected(name, "newton", 1.0, FUSED[kernel]))
    assert stats["precision"] == "single"
    assert stats["kernel"] == kernel
    nx, ny = GRID[0].size, GRID[1].size
    assert stats["pixels"] == nx * ny
    real = not np.any(c.imag)
    even_or_odd = name in ("z^6+1", "z^5-z", "deg 12")
    if symmetry and real and even_or_odd:
        assert stats["pixels_computed"] == 29 * 22  # a quarter (plus the middle row and column)
    elif symmetry and real:
        assert stats["pixels_computed"] == nx * 22  # rows mirror around the real axis
    else:
        assert stats["pixels_computed"] == nx * ny


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_every_method_matches_reference(name, method, relax, kernel):
    c, roots = _coefs(name)
    out, stats = _render(c, roots, kernel=kernel, method=method, relax=relax, threads=2)
    _assert_same(out, _expected(name, method, complex(relax), FUSED[kernel]))
    assert stats["method"] == method
    assert stats["precision"] == "single"
    # mirrored and computed pixels agree exactly
    plain, _ = _render(c, roots, kernel=kernel, method=method, relax=relax, threads=1, symmetry=False)
    _assert_same(out, plain)


@pytest.mark.parametrize("size", [(1, 1), (5, 3), (17, 2), (33, 9), (3, 200)])
def test_narrow_and_tiny_images(size, kernel):
    """Rows shorter than a vector of floats (16 lanes) refill lane by lane, across rows."""
    c, roots = _coefs("complex deg 4")
    xs, ys = Viewport(-2, 2.3, -1.7, 1.5).grid(*size)
    out, stats = _render(c, roots, xs, ys, kernel=kernel, method="halley", threads=2)
    expected = ref.exact(
        xs, ys, c, roots, ITMAX, TOL, fused=FUSED[kernel], method="halley", full=True, single=True
    )
    _assert_same(out, expected)
    assert stats["pixels"] == size[0] * size[1]


def test_fused_kernels_agree_with_each_other():
    fused = [k for k in SUPPORTED if FUSED[k]]
    if len(fused) < 2:
        pytest.skip("fewer than two FMA kernels on this CPU")
    c = np.array([1, 0.3, -1, 2j, 0, 1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(300, 200)
    results = [_render(c, roots, xs, ys, kernel=k, method="householder")[0] for k in fused]
    for r in results[1:]:
        _assert_same(r, results[0])


def test_outputs_hsv_and_rgb_follow_the_data():
    c, roots = _coefs("z^6+1")
    out, _ = _render(c, roots, data=True, smooth=True)
    hsv, stats = _render(c, roots, hsv=True, data=False, smooth=False)
    assert stats["precision"] == "single"
    np.testing.assert_array_equal(hsv["hsv"], ref.hsv(out["root"], out["iterations"], len(roots), ITMAX))
    colors = np.array([[230, 60, 60], [60, 200, 60], [60, 60, 230]] * 2, np.float32)
    pal = {
        "colors": colors,
        "shade": np.linspace(1, 0.2, ITMAX + 1, dtype=np.float32),
        "nonconverged": np.zeros(3, np.float32),
    }
    for smooth in (False, True):
        palette = _core.Palette(**pal, smooth=smooth, depth=16)
        rgb, _ = _render(c, roots, data=False, smooth=False, palette=palette)
        again = _core.colorize(out["root"], out["iterations"], palette, smooth=out["smooth"])
        np.testing.assert_array_equal(rgb["rgb"], again)


def test_single_reports_its_precision_and_mirrors_like_double():
    # (how closely the two pictures agree is test_precision.py's business)
    c = np.array([1, 0, 0, 0, 0, 0, 1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-10, 10, -5, 5).grid(256, 128)
    _, ds = _core.render(xs, ys, c, roots, 30, 1e-6, data=True)
    _, ss = _core.render(xs, ys, c, roots, 30, 1e-6, data=True, precision="single")
    assert ds["precision"] == "double"
    assert ss["precision"] == "single"
    assert ss["pixels_computed"] == ds["pixels_computed"] < 256 * 128 // 3  # the same two mirrors


def test_start_points_beyond_float_range_become_infinite():
    c, roots = _coefs("z^3-2z+2")
    xs = np.array([1e39, -1e39, 1e300, 3.4e38, -2.0])
    ys = np.array([0.0, 1e-50])
    out, _ = _render(c, roots, xs, ys)
    expected = ref.exact(
        xs, ys, c, roots, ITMAX, TOL, fused=FUSED[_core.selected_kernel()], full=True, single=True
    )
    _assert_same(out, expected)
    assert np.all(out["root"][:, :4] == -1)
    assert np.all(out["root"][:, 4] >= 0)


def test_smooth_counts_lie_in_their_bands():
    c, roots = _coefs("z^3-2z+2")
    out, _ = _render(c, roots, data=True, smooth=True)
    conv = out["root"] >= 0
    k, s = out["iterations"], out["smooth"]
    assert np.all(s[~conv] == ITMAX)
    assert np.all(s[conv] <= k[conv])
    assert np.all(s[conv] >= np.maximum(k[conv] - 1, 0))
    assert np.any(s[conv] != np.rint(s[conv]))
    assert np.all(out["residual"][conv] <= np.float32(TOL))
    assert np.all(out["residual"][~conv & (k == ITMAX)] > 0)


def test_kernels_report_single_lanes():
    for k in _core.kernels():
        # twice the lanes, except for the one-lane scalar fallback of other architectures
        assert k["lanes_single"] == (1 if k["lanes"] == 1 else 2 * k["lanes"])
    names = [k["name"] for k in _core.kernels()]
    assert names == ALL


def test_precision_is_checked():
    xs = ys = np.zeros(4)
    c, roots = np.array([1, 0, -1], complex), np.array([-1, 1], complex)
    for bad in ("x", "float", "Single", ""):
        with pytest.raises(
            ValueError, match=f"unknown precision '{bad}' \\(choose double, single or double-double\\)"
        ):
            _core.render(xs, ys, c, roots, 10, 1e-6, precision=bad)
    with pytest.raises(ValueError, match="unknown precision 'half'"):
        _core._peak_fmadd("baseline", 10, "half")
    _, stats = _core.render(xs, ys, c, roots, 10, 1e-6, hsv=True)
    assert stats["precision"] == "double"


def test_itmax_limit_in_single_precision():
    xs, ys = np.array([1.0, -1.0]), np.array([0.0])  # the roots themselves: converged at once
    c, roots = np.array([1, 0, -1], complex), np.array([-1, 1], complex)
    with pytest.raises(ValueError, match="16777216"):
        _core.render(xs, ys, c, roots, 2**24, 1e-6, precision="single", data=True)
    with pytest.raises(ValueError, match="single precision"):
        _core.render(xs, ys, c, roots, 2**30, 1e-6, precision="single", data=True)
    out, _ = _core.render(xs, ys, c, roots, 2**24 - 1, 1e-6, precision="single", data=True)
    assert list(out["root"][0]) == [1, 0]
    assert list(out["iterations"][0]) == [0, 0]
    out, _ = _core.render(xs, ys, c, roots, 2**24, 1e-6, data=True)  # double has no such limit
    assert list(out["root"][0]) == [1, 0]


def test_progress_and_cancellation():
    c, roots = _coefs("z^6+1")
    calls = []
    _render(c, roots, smooth=False, progress=lambda d, t: calls.append((d, t)))
    total = GRID[0].size * GRID[1].size
    assert calls[-1] == (total, total)

    def boom(done, total):
        raise RuntimeError("stop")

    c9 = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], complex)
    xs, ys = Viewport(-2, 2, -2, 2).grid(1200, 1200)
    with pytest.raises(RuntimeError, match="stop"):
        _core.render(
            xs,
            ys,
            c9,
            canonical_roots(c9),
            300,
            1e-6,
            precision="single",
            threads=1,
            data=True,
            progress=boom,
        )


@pytest.mark.parametrize("precision", ["double", "single"])
def test_peak_helper(precision):
    assert _core._peak_fmadd("baseline", 1000, precision) > 0


@pytest.mark.parametrize(("coefs", "size"), [([1, 0, 0, 0, -1], (64, 64)), ([1, 0, 0, 0, 1], (101, 77))])
def test_exact_ties_never_let_mirroring_change_a_pixel(coefs, size, kernel):
    """With a huge tol, converged points can sit exactly halfway between two roots."""
    c = np.array(coefs, complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(*size)
    a, _ = _render(c, roots, xs, ys, tol=1.5, smooth=False, symmetry=True, kernel=kernel)
    b, _ = _render(c, roots, xs, ys, tol=1.5, smooth=False, symmetry=False, kernel=kernel)
    np.testing.assert_array_equal(a["root"], b["root"])
    eroot, _ = ref.exact(xs, ys, c, roots, ITMAX, 1.5, fused=FUSED[kernel], single=True)
    np.testing.assert_array_equal(a["root"], eroot)


@pytest.mark.parametrize("k", [70, -70, 3])
def test_polynomials_scaled_by_a_power_of_two_give_the_same_picture(k, kernel):
    # The core scales p so that its largest coefficient part lies in [1, 2) before
    # rounding to float, so 2^k p with tol 2^k renders exactly like p with tol, even
    # where |2^k p|^2 would overflow or underflow float (k = +-70).
    c, roots = _coefs("z^3-2z+2")
    base = _render(c, roots, kernel=kernel, data=True, smooth=True)[0]
    scaled = _render(c * 2.0**k, roots, tol=TOL * 2.0**k, kernel=kernel, data=True, smooth=True)[0]
    for key in ("root", "iterations"):
        np.testing.assert_array_equal(scaled[key], base[key])
    # the same up to the rounding of log(2^-2e x) = log(x) - 2e log 2 in the smooth count
    np.testing.assert_allclose(scaled["smooth"], base["smooth"], rtol=1e-6)
    np.testing.assert_array_equal(scaled["residual"], np.ldexp(base["residual"], k))
    exp = ref.exact(
        *GRID, c * 2.0**k, roots, ITMAX, TOL * 2.0**k, fused=FUSED[kernel], single=True, full=True
    )
    _assert_same(scaled, exp)


def test_huge_coefficients_converge_in_single_precision():
    c = np.array([1e20, 0, 0, -1e20], complex)  # |p|^2 near the roots ~1e26: would overflow float unscaled
    roots = canonical_roots(c)
    out = _render(c, roots, tol=1e14, smooth=False)[0]
    assert (out["root"] >= 0).mean() > 0.99
