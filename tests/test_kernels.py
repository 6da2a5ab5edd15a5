"""The compiled core: every kernel path, mirror symmetry, threads, dispatch."""

from __future__ import annotations

import os

import numpy as np
import pytest
import reference as ref
from conftest import ALL, FUSED, SUPPORTED, run_python

from nbcli import Viewport, _core
from nbcli.poly import canonical_roots

CASES = {
    "z^6+1": np.array([1, 0, 0, 0, 0, 0, 1], complex),
    "z^3-2z+2": np.array([1, 0, -2, 2], complex),
    "complex deg 4": np.array([1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j]),
    "deg 12": np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1], complex),
}


def _data(xs, ys, c, roots, **kw):
    out, stats = _core.render(xs, ys, c, roots, 30, 1e-6, data=True, **kw)
    return out["root"], out["iterations"], stats


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("symmetry", [False, True])
def test_every_path_matches_reference(name, kernel, threads, symmetry):
    c = CASES[name]
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -1.5, 1.5).grid(57, 43)
    root, it, stats = _data(xs, ys, c, roots, kernel=kernel, threads=threads, symmetry=symmetry)
    eroot, eit = ref.exact(xs, ys, c, roots, 30, 1e-6, fused=FUSED[kernel])
    np.testing.assert_array_equal(root, eroot)
    np.testing.assert_array_equal(it, eit)
    assert stats["kernel"] == kernel
    assert stats["pixels"] == 57 * 43
    real = not np.any(c.imag)
    if symmetry and real:
        # rows are mirror pairs around the real axis: only about half are iterated
        assert stats["pixels_computed"] <= 57 * 22
    else:
        assert stats["pixels_computed"] == 57 * 43


def test_fused_paths_agree_with_each_other_exactly():
    fused = [k for k in SUPPORTED if FUSED[k]]
    if len(fused) < 2:
        pytest.skip("fewer than two FMA kernels on this CPU")
    c = np.array([1, 0.3, -1, 2j, 0, 1], complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(200, 200)
    results = [_data(xs, ys, c, roots, kernel=k)[:2] for k in fused]
    for r in results[1:]:
        np.testing.assert_array_equal(r[0], results[0][0])
        np.testing.assert_array_equal(r[1], results[0][1])


def test_iteration_count_is_reported():
    c = CASES["z^3-2z+2"]
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(64, 64)
    root, it, stats = _data(xs, ys, c, roots, symmetry=False)
    # every converged pixel took k+1 steps; the others took at most itmax
    conv = root >= 0
    assert stats["iterations"] >= int((it[conv] + 1).sum())
    assert stats["iterations"] <= int((it[conv] + 1).sum()) + 30 * int((~conv).sum())


def test_z3_minus_2z_plus_2_has_attracting_cycle():
    """Newton for z^3-2z+2 has an attracting 2-cycle 0 <-> 1: those pixels never converge."""
    c = CASES["z^3-2z+2"]
    roots = canonical_roots(c)
    xs, ys = np.array([0.0, 1.0, 0.05]), np.array([0.0])
    root, it, _ = _data(xs, ys, c, roots)
    assert list(root[0]) == [-1, -1, -1]
    assert list(it[0]) == [30, 30, 30]


def test_kernels_listed_and_selectable():
    names = [k["name"] for k in _core.kernels()]
    assert names[0] == "baseline"
    assert _core.selected_kernel() in SUPPORTED
    for k in SUPPORTED:
        _core.select_kernel(k)
        assert _core.selected_kernel() == k
    _core.select_kernel("auto")
    assert _core.selected_kernel() == SUPPORTED[-1]  # (conftest restores the previous selection)
    with pytest.raises(ValueError, match="unknown kernel 'sse9'"):
        _core.select_kernel("sse9")
    for k in set(ALL) - set(SUPPORTED):
        with pytest.raises(ValueError, match="cannot run"):
            _core.select_kernel(k)


@pytest.mark.parametrize("name", SUPPORTED)
def test_environment_variable_forces_kernel(name):
    env = {**os.environ, "NB_RENDER_KERNEL": name}
    out = run_python(
        "import nbcli; r = nbcli.render(coefs=[1,0,-1], size=(8, 8)); print(nbcli.selected_kernel(), r.stats['kernel'])",
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [name, name]


def test_bad_environment_variable_is_a_clear_error():
    env = {**os.environ, "NB_RENDER_KERNEL": "turbo"}
    out = run_python("import nbcli; nbcli.compute(8, 8)", env=env)
    assert out.returncode != 0
    assert "NB_RENDER_KERNEL=unknown kernel 'turbo'" in out.stderr


def test_low_level_argument_checks():
    xs = ys = np.zeros(4)
    with pytest.raises(ValueError, match="leading coefficient"):
        _core.render(xs, ys, np.array([0, 1], complex), np.array([0j]), 10, 1e-6, hsv=True)
    with pytest.raises(ValueError, match="no output requested"):
        _core.render(xs, ys, np.array([1, 1], complex), np.array([-1 + 0j]), 10, 1e-6)
    with pytest.raises(ValueError, match="shade"):
        _core.render(
            xs,
            ys,
            np.array([1, 1], complex),
            np.array([-1 + 0j]),
            10,
            1e-6,
            palette=_core.Palette(
                np.zeros((1, 3), np.float32),
                np.ones(3, np.float32),
                np.zeros(3, np.float32),
                smooth=False,
                depth=8,
            ),
        )


@pytest.mark.parametrize(
    "coefs",
    [
        [1, 0, 0, 0, 0, 0, 1],
        [1, 0, 0, 0, -1, 0],
        [1, 0, -0.5, 0, 2],
        [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -3],
    ],
    ids=["z^6+1", "z^5-z", "z^4-0.5z^2+2", "2z^12-3"],
)
def test_even_and_odd_polynomials_mirror_both_ways(coefs, kernel):
    c = np.array(coefs, complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -1.5, 1.5).grid(57, 43)
    root, it, stats = _data(xs, ys, c, roots, kernel=kernel)
    eroot, eit = ref.exact(xs, ys, c, roots, 30, 1e-6, fused=FUSED[kernel])
    np.testing.assert_array_equal(root, eroot)
    np.testing.assert_array_equal(it, eit)
    assert stats["pixels_computed"] == 29 * 22  # a quarter (plus the middle row and column)
    assert stats["pixels"] == 57 * 43


def test_mirroring_needs_exactly_symmetric_coordinates():
    c = CASES["z^6+1"]
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2.1, -1.5, 1.5).grid(57, 43)  # not centred on the imaginary axis
    root, _it, stats = _data(xs, ys, c, roots)
    assert stats["pixels_computed"] == 57 * 22
    eroot, _ = ref.exact(xs, ys, c, roots, 30, 1e-6, fused=FUSED[_core.selected_kernel()])
    np.testing.assert_array_equal(root, eroot)


@pytest.mark.parametrize(("coefs", "size"), [([1, 0, 0, 0, -1], (64, 64)), ([1, 0, 0, 0, 1], (101, 77))])
def test_exact_ties_never_let_mirroring_change_a_pixel(coefs, size, kernel):
    """With a huge tol, converged points can sit exactly halfway between two roots."""
    c = np.array(coefs, complex)
    roots = canonical_roots(c)
    xs, ys = Viewport(-2, 2, -2, 2).grid(*size)
    a, _ = _core.render(xs, ys, c, roots, 30, 1.5, data=True, symmetry=True, kernel=kernel)
    b, _ = _core.render(xs, ys, c, roots, 30, 1.5, data=True, symmetry=False, kernel=kernel)
    np.testing.assert_array_equal(a["root"], b["root"])
    eroot, _ = ref.exact(xs, ys, c, roots, 30, 1.5, fused=FUSED[kernel])
    np.testing.assert_array_equal(a["root"], eroot)
