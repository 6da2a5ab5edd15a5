"""Iteration methods, smooth step counts, residuals and smooth / 16-bit colouring in the core."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import reference as ref
from conftest import FUSED, SUPPORTED, VARIANT_IDS, VARIANTS

from nbcli import Viewport, _core
from nbcli.poly import canonical_roots

CASES = {
    "z^6+1": [1, 0, 0, 0, 0, 0, 1],  # real and even: rows and columns mirror
    "z^3-2z+2": [1, 0, -2, 2],  # real: rows mirror
    "complex deg 4": [1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j],  # no mirrors
    "deg 12": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1],  # orbits through z ~ 0, where p' underflows
}
GRID = Viewport(-2, 2, -1.5, 1.5).grid(57, 43)
ITMAX, TOL = 30, 1e-6


@functools.cache
def _expected(name, method, relax, fused):
    c = np.array(CASES[name], complex)
    return ref.exact(
        *GRID, c, canonical_roots(c), ITMAX, TOL, fused=fused, method=method, relax=relax, full=True
    )


def _render(c, roots, xs=GRID[0], ys=GRID[1], itmax=ITMAX, tol=TOL, **kw):
    kw.setdefault("data", True)
    kw.setdefault("smooth", True)
    return _core.render(xs, ys, c, roots, itmax, tol, **kw)


def _assert_same(out, expected):
    for key in ("root", "iterations", "smooth", "residual"):
        assert out[key].dtype == expected[key].dtype, key
        # bit for bit, NaN residuals included
        np.testing.assert_array_equal(out[key].view(np.uint8), expected[key].view(np.uint8), err_msg=key)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("symmetry", [False, True])
def test_every_method_and_path_matches_reference(name, method, relax, kernel, threads, symmetry):
    c = np.array(CASES[name], complex)
    out, stats = _render(
        c, canonical_roots(c), kernel=kernel, threads=threads, symmetry=symmetry, method=method, relax=relax
    )
    _assert_same(out, _expected(name, method, complex(relax), FUSED[kernel]))
    assert stats["method"] == method
    assert stats["kernel"] == kernel
    total = GRID[0].size * GRID[1].size
    mirrored = symmetry and not np.any(np.imag(c)) and complex(relax).imag == 0
    if mirrored:
        assert stats["pixels_computed"] <= GRID[0].size * 22
    else:
        assert stats["pixels_computed"] == total  # a non-real relaxation factor switches the mirrors off
    assert stats["pixels"] == total


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_methods_follow_their_textbook_formulas(name, method, relax):
    """The op-by-op reference only mirrors the kernel; this checks the mathematics."""
    c = np.array(CASES[name], complex)
    roots = canonical_roots(c)
    out, _ = _render(c, roots, method=method, relax=relax)
    troot, tit = ref.textbook(*GRID, c, roots, ITMAX, TOL, method=method, relax=complex(relax))
    assert (out["root"] == troot).mean() > 0.99
    assert ((out["root"] == troot) & (out["iterations"] == tit)).mean() > 0.97


def test_relaxed_with_factor_one_is_newton():
    for coefs in CASES.values():
        c = np.array(coefs, complex)
        roots = canonical_roots(c)
        newton, _ = _render(c, roots, method="newton")
        relaxed, stats = _render(c, roots, method="relaxed", relax=1)
        np.testing.assert_array_equal(relaxed["root"], newton["root"])
        np.testing.assert_array_equal(relaxed["iterations"], newton["iterations"])
        np.testing.assert_array_equal(relaxed["smooth"], newton["smooth"])
        assert stats["method"] == "relaxed"


def test_relaxed_with_non_real_factor_breaks_the_mirror_image():
    """The picture really is asymmetric, so computing one half and mirroring it would be wrong."""
    c = np.array(CASES["z^6+1"], complex)
    xs, ys = GRID
    out, stats = _render(c, canonical_roots(c), method="relaxed", relax=0.7 + 0.4j, smooth=False)
    assert stats["pixels_computed"] == xs.size * ys.size
    it = out["iterations"]
    assert np.all(ys == -ys[::-1])  # rows are mirror pairs...
    assert (it != it[::-1]).mean() > 0.05  # ...but the picture is not symmetric


def test_schroder_converges_fast_at_a_double_root():
    c = np.array([1, -1, -1, 1], complex)  # (z - 1)^2 (z + 1)
    roots = np.array([1, -1], complex)
    xs, ys = Viewport(0.2, 3, -1.5, 1.5).grid(64, 64)  # mostly the double root's basin
    runs = {
        m: _render(c, roots, xs, ys, itmax=100, tol=1e-10, method=m, smooth=False)[0]
        for m in ("newton", "schroder")
    }
    at_double = (runs["newton"]["root"] == 0) & (runs["schroder"]["root"] == 0)
    assert at_double.mean() > 0.5
    newton = runs["newton"]["iterations"][at_double].mean()
    schroder = runs["schroder"]["iterations"][at_double].mean()
    # Newton is only linear at a double root (the error halves each step); Schroder stays quadratic
    # (here about 17 steps against 3)
    assert newton > 12
    assert schroder < newton / 4


@pytest.mark.parametrize("method", ["halley", "householder"])
def test_third_order_methods_take_fewer_steps_on_z3_minus_1(method):
    c = np.array([1, 0, 0, -1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(128, 128)
    newton, _ = _render(c, roots, xs, ys, method="newton", smooth=False)
    other, _ = _render(c, roots, xs, ys, method=method, smooth=False)
    both = (newton["root"] >= 0) & (other["root"] >= 0)
    assert both.mean() > 0.95
    assert other["iterations"][both].mean() < 0.9 * newton["iterations"][both].mean()


@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_smooth_count_lies_in_its_band(method, relax):
    c = np.array(CASES["z^3-2z+2"], complex)
    out, _ = _render(c, canonical_roots(c), method=method, relax=relax, data=True, smooth=True)
    conv = out["root"] >= 0
    k = out["iterations"]
    s = out["smooth"]
    assert s.dtype == np.float32
    assert np.all(s[~conv] == ITMAX)
    assert np.all(s[conv] <= k[conv])
    assert np.all(s[conv] >= np.maximum(k[conv] - 1, 0))
    assert np.all(s[conv & (k == 0)] == 0)
    assert np.any(s[conv] != np.rint(s[conv]))  # really fractional
    assert np.all(out["residual"][conv] <= np.float32(TOL))
    assert np.all(out["residual"][~conv & (k == ITMAX)] > 0)


@pytest.mark.parametrize("method", ["newton", "halley", "schroder", "householder", "relaxed"])
def test_smooth_count_is_continuous_across_bands(method):
    """Along a row in a basin, k jumps by 1 at each band edge; the smooth count does not jump.

    (tol 1e-4 keeps |p| at convergence well above the rounding noise of
    evaluating p, ~1e-16 here, which a third-order step from a small |p| would
    reach, making the last log|p| and so the fraction noisy.)
    """
    c = np.array([1, 0, 0, -1], complex)
    roots = canonical_roots(c)
    xs = np.linspace(1.2, 6.0, 4000)
    ys = np.array([0.15])
    out, _ = _render(c, roots, xs, ys, tol=1e-4, method=method, relax=0.8)
    k, s = out["iterations"][0], out["smooth"][0]
    assert np.all(out["root"][0] == 0)  # all in the basin of z = 1
    edges = np.flatnonzero(np.diff(k) != 0)
    assert len(edges) >= 2
    assert np.all(np.abs(np.diff(k)[edges]) == 1)
    assert np.abs(np.diff(s)).max() < 0.02  # everywhere, band edges included
    assert s[-1] - s[0] > len(edges) - 1  # and it does climb through the bands


def test_residual_of_stuck_and_overflowing_pixels():
    c = np.array([1, 0, 0, -1], complex)
    roots = canonical_roots(c)
    # z = 0: p' = 0, stuck before the first step (|p| = 1 there); z = 1e200: p overflows at the start
    out, _ = _render(c, roots, np.array([0.0, 1e200, 1.0]), np.array([0.0]))
    assert list(out["root"][0]) == [-1, -1, 0]
    assert list(out["iterations"][0]) == [ITMAX, ITMAX, 0]
    assert list(out["smooth"][0]) == [ITMAX, ITMAX, 0]
    assert out["residual"][0, 0] == 1.0
    assert not np.isfinite(out["residual"][0, 1])  # +inf or NaN, as p's parts overflowed
    assert out["residual"][0, 2] == 0.0  # the root itself


def test_smooth_values_agree_with_reference_helper():
    k = np.array([1, 1, 2, 5, 5, 0])
    before = np.array([1e-4, 1e-12 * 1.0000001, 0.5, 1e-6, 1e30, 1e-20])
    at = np.array([1e-20, 1e-13, 1e-40, 1e-40, 0.0, 1e-25])
    s = ref.smooth_iterations(k, before, at, 1e-6)
    assert s[0] == pytest.approx(0.5, abs=1e-6)  # log10: -4 -> -20 crosses -12 halfway
    assert s[1] == pytest.approx(0.0, abs=1e-5)  # previous |p| just above tol: almost k - 1
    assert 1 < s[2] < 2
    assert 4 < s[3] < 5
    assert s[4] == 4  # |p| = 0 exactly: the crossing is at the start of the step
    assert s[5] == 0


def test_argument_errors_are_clear():
    xs = ys = np.zeros(4)
    c, roots = np.array([1, 0, -1], complex), np.array([-1, 1], complex)
    with pytest.raises(ValueError, match="unknown method 'secant'"):
        _core.render(xs, ys, c, roots, 10, 1e-6, method="secant")
    for bad in (0, complex("nan"), complex("inf"), complex(1, float("inf"))):
        with pytest.raises(ValueError, match="relax must be a finite nonzero"):
            _core.render(xs, ys, c, roots, 10, 1e-6, method="relaxed", relax=bad, hsv=True)
    with pytest.raises(ValueError, match="no output requested"):
        _core.render(xs, ys, c, roots, 10, 1e-6)
    pal = _palette(2, 10)
    with pytest.raises(ValueError, match="depth must be 8 or 16"):
        _core.render(xs, ys, c, roots, 10, 1e-6, palette=_core.Palette(**pal, smooth=False, depth=12))
    with pytest.raises(ValueError, match="itmax \\+ 1"):
        _core.render(
            xs,
            ys,
            c,
            roots,
            10,
            1e-6,
            palette=_core.Palette(**{**pal, "shade": pal["shade"][:10]}, smooth=True, depth=8),
        )
    root, it = np.zeros((2, 2), np.int16), np.zeros((2, 2), np.int32)
    with pytest.raises(ValueError, match="smooth shading needs"):
        _core.colorize(root, it, _core.Palette(**pal, smooth=True, depth=8))
    with pytest.raises(ValueError, match="depth must be 8 or 16"):
        _core.colorize(root, it, _core.Palette(**pal, smooth=False, depth=32))
    with pytest.raises(ValueError, match="same shape"):
        _core.colorize(root, it, _core.Palette(**pal, smooth=True, depth=8), smooth=np.zeros(3, np.float32))


def test_only_the_requested_outputs_are_returned():
    c = np.array(CASES["z^6+1"], complex)
    roots = canonical_roots(c)
    pal = _core.Palette(**_palette(len(roots), ITMAX), smooth=False, depth=8)
    out, stats = _core.render(*GRID, c, roots, ITMAX, TOL, data=True, palette=pal)
    assert set(out) == {"root", "iterations", "rgb"}
    assert out["rgb"].dtype == np.uint8
    assert stats["method"] == "newton"
    hsv, _ = _core.render(*GRID, c, roots, ITMAX, TOL, hsv=True)
    assert set(hsv) == {"hsv"}


# ---- colouring ----------------------------------------------------------------------------


def _palette(nroots, itmax, smooth=False):
    rng = np.random.default_rng(nroots * 1000 + itmax)
    colors = rng.uniform(0, 255, (nroots, 3)).astype(np.float32)
    colors[0] = [255, 0, 127.5]
    shade = np.linspace(1, 0.2, itmax + 1, dtype=np.float32) ** 1.3
    return {"colors": colors, "shade": shade, "nonconverged": np.array([10, 20, 30.25], np.float32)}


def _colour_numpy(root, it, smooth, pal, smooth_shading, depth):
    """The documented colouring, written independently in float32 NumPy."""
    colors, shade, nc = (np.asarray(pal[k], np.float32) for k in ("colors", "shade", "nonconverged"))
    scale = np.float32(257 if depth == 16 else 1)
    half = np.float32(0.5)
    if smooth_shading:
        s = np.maximum(smooth, np.float32(0))
        fl = np.floor(s)
        k0 = np.minimum(fl, len(shade) - 1).astype(int)
        k1 = np.minimum(k0 + 1, len(shade) - 1)
        f = shade[k0] + (shade[k1] - shade[k0]) * (s - fl)
        f = np.clip(f, np.float32(0), np.float32(1))
    else:
        f = shade[np.clip(it, 0, len(shade) - 1)]
    conv = root >= 0
    col = colors[np.where(conv, root, 0)]
    v = np.where(conv[..., None], (col * scale) * f[..., None] + half, nc * scale + half)
    return np.floor(v).astype(np.uint16 if depth == 16 else np.uint8)


@pytest.mark.parametrize("depth", [8, 16])
@pytest.mark.parametrize("smooth", [False, True])
@pytest.mark.parametrize(("method", "relax"), [("newton", 1.0), ("halley", 1.0), ("relaxed", 0.9 - 0.3j)])
def test_colorize_of_saved_data_equals_render_rgb(depth, smooth, method, relax):
    c = np.array(CASES["z^6+1"], complex)
    roots = canonical_roots(c)
    pal = _palette(len(roots), ITMAX)
    palette = _core.Palette(**pal, smooth=smooth, depth=depth)
    out, stats = _core.render(
        *GRID, c, roots, ITMAX, TOL, method=method, relax=relax, data=True, smooth=True, palette=palette
    )
    if method != "relaxed":
        assert stats["pixels_computed"] == 29 * 22  # both mirrors were used
    rgb = out["rgb"]
    assert rgb.dtype == (np.uint16 if depth == 16 else np.uint8)
    assert rgb.shape == (GRID[1].size, GRID[0].size, 3)
    again = _core.colorize(out["root"], out["iterations"], palette, smooth=out["smooth"])
    assert again.dtype == rgb.dtype
    np.testing.assert_array_equal(again, rgb)
    np.testing.assert_array_equal(
        rgb[..., :3], _colour_numpy(out["root"], out["iterations"], out["smooth"], pal, smooth, depth)
    )
    # rgb alone (no other sink asking for smooth data) colours the same
    alone, _ = _core.render(*GRID, c, roots, ITMAX, TOL, method=method, relax=relax, palette=palette)
    np.testing.assert_array_equal(alone["rgb"], rgb)


def test_sixteen_bit_uses_the_full_range():
    root = np.array([[0, 0, -1]], np.int16)
    it = np.array([[0, 5, 30]], np.int32)
    pal = {
        "colors": np.array([[255, 0, 128]], np.float32),
        "shade": np.linspace(1, 0, 31, dtype=np.float32),
        "nonconverged": np.array([255, 1, 0], np.float32),
    }
    out16 = _core.colorize(root, it, _core.Palette(**pal, smooth=False, depth=16))
    out8 = _core.colorize(root, it, _core.Palette(**pal, smooth=False, depth=8))
    assert out16.dtype == np.uint16
    assert list(out16[0, 0]) == [65535, 0, 128 * 257]
    assert list(out16[0, 2]) == [65535, 257, 0]
    assert np.all(np.abs(out16.astype(int) - out8.astype(int) * 257) <= 128)  # same colour, finer steps


def test_smooth_shading_interpolates_between_bands():
    root = np.zeros((1, 4), np.int16)
    it = np.array([[2, 2, 2, 2]], np.int32)
    smooth = np.array([[1.0, 1.25, 1.5, 2.0]], np.float32)
    pal = {
        "colors": np.array([[200, 100, 0]], np.float32),
        "shade": np.array([1, 0.8, 0.4, 0.2], np.float32),
        "nonconverged": np.zeros(3, np.float32),
    }
    out = _core.colorize(root, it, _core.Palette(**pal, smooth=True, depth=8), smooth=smooth)
    assert list(out[0, :, 0]) == [160, 140, 120, 80]  # 200 * (0.8, 0.7, 0.6, 0.4)
    flat = _core.colorize(root, it, _core.Palette(**pal, smooth=False, depth=8))
    assert np.all(flat[0, :, 0] == 80)  # shade[k] for every pixel


@pytest.mark.skipif(len(SUPPORTED) < 2, reason="one kernel only")
def test_fused_kernels_agree_on_smooth_data():
    fused = [k for k in SUPPORTED if FUSED[k]]
    if len(fused) < 2:
        pytest.skip("fewer than two FMA kernels on this CPU")
    c = np.array([1, 0.3, -1, 2j, 0, 1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(150, 150)
    for method in ("halley", "schroder", "householder"):
        results = [_render(c, roots, xs, ys, kernel=k, method=method)[0] for k in fused]
        for r in results[1:]:
            for key in ("root", "iterations", "smooth", "residual"):
                np.testing.assert_array_equal(r[key], results[0][key])
