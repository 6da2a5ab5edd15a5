"""Double-double's shortcut for deep views (native/src/series.hpp), against the double-double kernel
run throughout, against the reference from where the series leaves each pixel, and against 60 digits."""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import pytest
import reference as ref
from conftest import FUSED, VARIANT_IDS, VARIANTS
from edges import boundary_point

from nbcli import Scene, _core
from nbcli.poly import canonical_roots

# points on the boundary between basins, to 40 digits (found by bisection at 60 digits)
Z3_EDGE = "-0.309729504061940918920755412529645838471586+0.13784438220371328383827924436258601705158j"
Z6_EDGE = "0.305681511067321630042589952944874783545918+0.533889251606546703047567711586710160808901j"
POLYS = {"z^3-1": ([1, 0, 0, -1], Z3_EDGE), "z^6+1": ([1, 0, 0, 0, 0, 0, 1], Z6_EDGE)}
ITMAX, TOL = 300, 1e-6


@functools.cache
def deep_view(poly: str, width: str, size: tuple[int, int], method: str = "newton", relax: complex = 1):
    """(scene, the core's arguments, its keywords, the series reference) of a view ``width`` wide on
    a boundary of ``poly`` (for Newton the one found at 60 digits, else ``boundary_point``'s)."""
    coefs, center = POLYS[poly]
    if method != "newton":
        center = boundary_point(tuple(coefs), method, relax, ITMAX, TOL)
    scene = Scene.create(
        coefs=coefs, size=size, center=center, width=width, itmax=ITMAX, tol=TOL, method=method, relax=relax
    )
    assert scene.precision_used == "double-double"
    xs, xs_lo, ys, ys_lo = scene.viewport.grid_dd(*scene.samples)
    series = scene.viewport.series(*scene.samples).as_tuple()
    c = np.array(scene.coefs, complex)
    kw = {"xs_lo": xs_lo, "ys_lo": ys_lo, "method": method, "relax": relax, "precision": "double-double"}
    return scene, (xs, ys, c, canonical_roots(c), ITMAX, TOL), kw, series


def render(poly, width, size, series=True, method="newton", relax=1, **kw):
    _, args, base, ref_point = deep_view(poly, width, size, method, relax)
    out, stats = _core.render(
        *args, **base, series=ref_point if series else None, data=True, smooth=True, **kw
    )
    return out, stats


def differing(a, b):
    return (a["root"] != b["root"]) | (a["iterations"] != b["iterations"])


@pytest.mark.parametrize("poly", list(POLYS))
@pytest.mark.parametrize("width", ["1e-15", "1e-20", "1e-25"])
def test_shortcut_agrees_with_double_double_throughout(poly, width):
    """The series takes most steps; the pixels then agree with the double-double kernel run
    throughout, but for the few whose long orbits pass within a rounding of a basin boundary:
    there, 60-digit arithmetic finds the shortcut right at least as often as double-double."""
    fast, st = render(poly, width, (64, 48))
    full, st_full = render(poly, width, (64, 48), series=False)
    assert st["series_steps"] > 20 and st_full["series_steps"] == 0
    assert st["iterations"] == pytest.approx(st_full["iterations"], rel=0.01)
    bad = np.argwhere(differing(fast, full))
    assert len(bad) <= 0.01 * fast["root"].size, f"{len(bad)} of {fast['root'].size} pixels differ"
    _, args, kw, _ = deep_view(poly, width, (64, 48))
    xs, ys, c, roots, itmax, tol = args
    mpmath.mp.dps = 60
    mc = [mpmath.mpf(float(v.real)) for v in c]
    mroots = [mpmath.mpc(complex(r)) for r in roots]
    wrong_fast = wrong_full = 0
    for i, j in bad:
        z0 = mpmath.mpc(
            mpmath.mpf(xs[j]) + mpmath.mpf(kw["xs_lo"][j]), mpmath.mpf(ys[i]) + mpmath.mpf(kw["ys_lo"][i])
        )
        want = _mp_orbit(z0, mc, mroots, itmax, mpmath.mpf(tol))
        wrong_fast += want != (int(fast["root"][i, j]), int(fast["iterations"][i, j]))
        wrong_full += want != (int(full["root"][i, j]), int(full["iterations"][i, j]))
    assert wrong_fast <= wrong_full + 1, (len(bad), wrong_fast, wrong_full)
    # smooth counts agree to far less than a shade, but for a few long orbits (near boundaries,
    # where at 1e-25 double-double's own rounding shows: 1.4 % of the pixels of z^6 + 1 by > 0.01)
    same = ~differing(fast, full)
    close = np.abs(fast["smooth"][same] - full["smooth"][same]) <= 1e-2
    assert close.mean() >= 0.98
    assert len(np.unique(fast["iterations"])) > 8  # the picture has structure


@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_every_method_takes_the_shortcut(method, relax):
    fast, st = render("z^3-1", "1e-18", (40, 30), method=method, relax=relax)
    full, _ = render("z^3-1", "1e-18", (40, 30), series=False, method=method, relax=relax)
    assert st["series_steps"] > 10
    assert differing(fast, full).sum() <= 2


@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_kernel_from_the_series_matches_reference(method, relax, kernel):
    """From where the series leaves them, every kernel takes the pixels' remaining steps in double
    exactly as the reference does (start points listed pixel by pixel, step counts going on)."""
    _scene, args, kw, ref_point = deep_view("z^6+1", "1e-17", (23, 17), method, relax)
    xs, ys, c, roots, itmax, tol = args
    steps, zr, zi = _core._series_starts(
        xs, ys, c, itmax, tol, method, relax, ref_point, xs_lo=kw["xs_lo"], ys_lo=kw["ys_lo"]
    )
    assert steps > 10 and zr.shape == (17, 23)
    out, st = _core.render(*args, **kw, series=ref_point, data=True, smooth=True, kernel=kernel, threads=2)
    assert st["series_steps"] == steps
    want = ref.exact(
        xs,
        ys,
        c,
        roots,
        itmax,
        tol,
        fused=FUSED[kernel],
        method=method,
        relax=relax,
        full=True,
        starts=(zr, zi),
        skip=steps,
    )
    for key in ("root", "iterations", "smooth", "residual"):
        np.testing.assert_array_equal(out[key], want[key], err_msg=key)


def test_series_leads_where_60_digits_lead():
    """Where the series leaves a pixel is its orbit's point after that many steps, at 60 digits,
    to far less than the distance between neighbouring pixels there (which double resolves with
    a wide margin): checked for the corners and the centre of a deep view."""
    _, args, kw, ref_point = deep_view("z^3-1", "1e-22", (9, 7))
    xs, ys, c, _roots, itmax, tol = args
    steps, zr, zi = _core._series_starts(
        xs, ys, c, itmax, tol, "newton", 1, ref_point, xs_lo=kw["xs_lo"], ys_lo=kw["ys_lo"]
    )
    assert steps > 40
    mpmath.mp.dps = 60
    p = [mpmath.mpf(float(v.real)) for v in c]
    dp = [p[i] * (len(p) - 1 - i) for i in range(len(p) - 1)]

    def orbit(z):
        for _ in range(steps):
            z = z - _horner(p, z) / _horner(dp, z)
        return z

    def start(r, col):
        x = mpmath.mpf(xs[col]) + mpmath.mpf(kw["xs_lo"][col])
        return mpmath.mpc(x, mpmath.mpf(ys[r]) + mpmath.mpf(kw["ys_lo"][r]))

    # neighbouring pixels' distance after `steps` steps (start points ref_point[5] apart)
    apart = float(abs(orbit(start(3, 5)) - orbit(start(3, 4))))
    assert apart >= 2**24 * np.spacing(abs(complex(orbit(start(3, 4)))))
    for r, col in [(0, 0), (0, 8), (6, 0), (6, 8), (3, 4)]:
        err = abs(complex(zr[r, col], zi[r, col]) - complex(orbit(start(r, col))))
        assert err <= 1e-6 * apart, (r, col, err / apart)


def test_views_inside_a_basin_run_double_double_throughout():
    """Orbits that converge before they part leave the series nothing to do."""
    scene = Scene.create(coefs=[1, 0, 0, -1], size=(32, 24), center="0.9+0.1j", width="1e-20")
    xs, xs_lo, ys, ys_lo = scene.viewport.grid_dd(*scene.samples)
    c = np.array(scene.coefs, complex)
    out, st = _core.render(
        xs,
        ys,
        c,
        canonical_roots(c),
        60,
        TOL,
        precision="double-double",
        xs_lo=xs_lo,
        ys_lo=ys_lo,
        series=scene.viewport.series(32, 24).as_tuple(),
        data=True,
    )
    assert st["series_steps"] == 0
    assert np.all(out["root"] == 0)


def test_series_reference_is_checked():
    xs = ys = np.zeros(2)
    c = np.array([1, 0, -1], complex)
    for bad in [(np.nan, 0, 0, 0, 1, 1), (0, 0, 0, 0, -1, 1), (0, 0, 0, 0, 1, 0), (0, 0, 0, 0, 1, np.inf)]:
        with pytest.raises(ValueError, match="series"):
            _core.render(
                xs,
                ys,
                c,
                np.array([-1, 1], complex),
                10,
                1e-6,
                precision="double-double",
                hsv=True,
                series=bad,
            )
    with pytest.raises(ValueError, match="series must be"):
        _core.render(xs, ys, c, np.array([-1, 1], complex), 10, 1e-6, hsv=True, series=(0, 0, 0))


def _horner(coefs, z):
    """The polynomial (highest degree first) at z, in mpmath."""
    v = mpmath.mpf(0)
    for c in coefs:
        v = v * z + c
    return v


def _mp_orbit(z, coefs, roots, itmax, tol):
    """(root index or -1, 0-based step of convergence or itmax) of Newton's method from z, at the
    current mpmath precision: the kernel's decisions (a step, then |p| <= tol) in exact-ish arithmetic."""
    dp = [coefs[i] * (len(coefs) - 1 - i) for i in range(len(coefs) - 1)]
    for k in range(itmax):
        d = _horner(dp, z)
        if d == 0:
            return -1, itmax
        z = z - _horner(coefs, z) / d
        if abs(_horner(coefs, z)) <= tol:
            return int(np.argmin([abs(z - r) for r in roots])), k
    return -1, itmax


@pytest.mark.parametrize("poly", list(POLYS))
def test_deep_views_agree_with_60_digits(poly):
    """A few hundred pixels of views 1e-15 to 1e-27 wide, as nb-render renders them (double-double
    with its shortcut), against Newton's method at 60 digits: the same root and step count, but
    for pixels within a rounding of a basin boundary (their 60-digit result changes when the start
    moves by 2^-20 of a pixel), which are counted."""
    import nbcli

    mpmath.mp.dps = 60
    coefs, center = POLYS[poly]
    mc = [mpmath.mpf(v) for v in coefs]
    tol = mpmath.mpf(TOL)
    wrong, boundary, total = 0, 0, 0
    for width in ("1e-15", "1e-19", "1e-23", "1e-27"):
        r = nbcli.render(coefs=coefs, size=(8, 6), center=center, width=width, itmax=ITMAX)
        assert r.stats["precision"] == "double-double"
        roots = [mpmath.mpc(complex(z)) for z in r.roots]
        xs, xs_lo, ys, ys_lo = r.scene.viewport.grid_dd(8, 6)
        h = mpmath.mpf(float(r.scene.viewport.width) / 8)
        for i in range(6):
            for j in range(8):
                z0 = mpmath.mpc(
                    mpmath.mpf(xs[j]) + mpmath.mpf(xs_lo[j]), mpmath.mpf(ys[i]) + mpmath.mpf(ys_lo[i])
                )
                want = _mp_orbit(z0, mc, roots, ITMAX, tol)
                total += 1
                if want == (int(r.root[i, j]), int(r.iterations[i, j])):
                    continue
                nudged = {_mp_orbit(z0 + h * 2**-20 * u, mc, roots, ITMAX, tol) for u in (1, 1j, -1, -1j)}
                if len(nudged | {want}) > 1:
                    boundary += 1
                else:
                    wrong += 1
    assert total == 4 * 48
    assert wrong == 0, f"{wrong} of {total} pixels differ from 60 digits away from any boundary"
    assert boundary <= total // 50, f"{boundary} of {total} pixels lie within a rounding of a boundary"
