"""nbcli.compute: the nb_cpp-compatible function."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import reference as ref

import nbcli
from nbcli.poly import canonical_roots


def test_defaults_shape_dtype_range():
    hsv = nbcli.compute()
    assert hsv.shape == (128, 128, 3)
    assert hsv.dtype == np.float64
    assert hsv.flags.c_contiguous
    assert hsv.min() >= 0.0
    assert hsv.max() <= 1.0
    # z^6+1 on [-5,5]^2: six hues, some black (non-converged near the centre)
    hues = np.unique(hsv[..., 0][hsv[..., 1] == 1])
    assert np.allclose(hues, np.arange(6) / 6)


def test_positional_signature_like_nb_cpp():
    a = nbcli.compute(64, 32, np.array([1.0, 0, 0, -1]), -2.0, 2.0, -1.0, 1.0, 20, 1e-6)
    b = nbcli.compute(
        imw=64, imh=32, coefs=[1, 0, 0, -1], crmin=-2, crmax=2, cimin=-1, cimax=1, itmax=20, tol=1e-6
    )
    assert a.shape == (32, 64, 3)
    np.testing.assert_array_equal(a, b)


def test_hand_checked_pixels_z2_minus_1():
    # xs = -2 + col, ys = 2 - row; roots in canonical order: 1 (index 0), -1 (index 1)
    hsv = nbcli.compute(
        imw=4, imh=4, coefs=[1, 0, -1], crmin=-2, crmax=2, cimin=-2, cimax=2, itmax=30, tol=1e-6
    )
    assert tuple(hsv[2, 3]) == (0.0, 1.0, 1.0)  # z0 = 1 is a root: converged after step 0
    assert tuple(hsv[2, 1]) == (0.5, 1.0, 1.0)  # z0 = -1
    assert tuple(hsv[2, 2]) == (0.0, 0.0, 0.0)  # z0 = 0: p'(0) = 0, Newton is stuck
    assert tuple(hsv[0, 2]) == (0.0, 0.0, 0.0)  # z0 = 2i: the orbit stays on the imaginary axis
    # z0 = -2: -1.25, -1.025, -1.000305, -1.00000005 -> |p| <= 1e-6 first after step k = 3
    assert tuple(hsv[2, 0]) == (0.5, 1.0, 1.0 - 3 / 30)


def test_degree_one_converges_everywhere_at_once():
    hsv = nbcli.compute(imw=16, imh=8, coefs=[2, -1 + 1j])
    np.testing.assert_array_equal(hsv, np.broadcast_to([0.0, 1.0, 1.0], (8, 16, 3)))


def test_hsv_to_rgb_just_works():
    colors = pytest.importorskip("matplotlib.colors")
    rgb = colors.hsv_to_rgb(nbcli.compute(imw=32, imh=32))
    assert rgb.shape == (32, 32, 3)
    assert rgb.min() >= 0 and rgb.max() <= 1


def _grid(imw, imh, crmin, crmax, cimin, cimax):
    xs = crmin + (crmax - crmin) / imw * np.arange(imw)
    ys = cimax - (cimax - cimin) / imh * np.arange(imh)
    return xs, ys


POLYS = {
    "deg1": [1, -0.5j],
    "deg2": [1, 0, -1],
    "deg3": [1, 0, 0, -1],
    "deg6": [1, 0, 0, 0, 0, 0, 1],
    "deg6-complex": [1, -2 + 7.5j, 0, 12j, 5.1233 + 0.1j, 0, 1 - 1j],
    "deg12": [1] + [0] * 11 + [-1],
    "deg30": list(
        np.poly(np.exp(2j * np.pi * (np.arange(30) + 0.3) / 30) * (1 + 0.1 * np.cos(np.arange(30))))
    ),
}


@pytest.mark.parametrize("name", list(POLYS))
def test_matches_independent_numpy_reference_bit_for_bit(name, kernel):
    from conftest import FUSED

    coefs = POLYS[name]
    imw, imh, view = 48, 40, (-1.7, 1.9, -1.6, 1.4)
    nbcli._native.select_kernel(kernel)  # conftest restores the previous selection
    hsv = nbcli.compute(imw, imh, coefs, *view, 25, 1e-6)
    c = np.asarray(coefs, complex)
    roots = canonical_roots(c)
    xs, ys = _grid(imw, imh, *view)
    root, it = ref.exact(xs, ys, c, roots, 25, 1e-6, fused=FUSED[kernel])
    np.testing.assert_array_equal(hsv, ref.hsv(root, it, len(roots), 25))
    assert (root >= 0).mean() > 0.5  # a meaningful picture, not all black


@pytest.mark.parametrize("name", list(POLYS))
def test_agrees_with_textbook_nb_cpp_loop(name):
    """The textbook complex-arithmetic loop differs only in last-bit rounding: at most a few boundary pixels."""
    coefs = POLYS[name]
    imw, imh, view = 64, 48, (-2.1, 1.9, -1.4, 1.6)
    hsv = nbcli.compute(imw, imh, coefs, *view, 30, 1e-6)
    c = np.asarray(coefs, complex)
    roots = canonical_roots(c)
    root, it = ref.textbook(*_grid(imw, imh, *view), c, roots, 30, 1e-6)
    same = np.all(hsv == ref.hsv(root, it, len(roots), 30), axis=-1)
    assert same.mean() >= 0.99, f"only {same.mean():.4f} of pixels agree"


def test_coefs_are_not_modified():
    c = np.array([1.0, 0, 0, -1.0])
    before = c.copy()
    nbcli.compute(8, 8, c)
    np.testing.assert_array_equal(c, before)
    lst = [1, 0, -1]
    nbcli.compute(8, 8, lst)
    assert lst == [1, 0, -1]


def test_leading_zeros_are_stripped():
    np.testing.assert_array_equal(nbcli.compute(16, 16, [0, 0, 1, 0, -1]), nbcli.compute(16, 16, [1, 0, -1]))


def test_threads_give_identical_results():
    a = nbcli.compute(200, 150, [1, 0, 0, 0, 0, 0, 1], threads=1)
    b = nbcli.compute(200, 150, [1, 0, 0, 0, 0, 0, 1], threads=2)
    c = nbcli.compute(200, 150, [1, 0, 0, 0, 0, 0, 1], threads=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_gil_is_released_during_compute():
    """Another Python thread keeps running while a render is in progress."""
    ticks = []
    done = threading.Event()

    def other():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=other)
    t.start()
    before = len(ticks)
    try:
        nbcli.compute(1500, 1500, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1], itmax=200, threads=1)
    finally:
        during = len(ticks) - before
        done.set()
        t.join()
    assert during > 5


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"imh": -3}, ValueError, "imh"),
        ({"imw": 2.5}, TypeError, "imw"),
        ({"imw": -1}, ValueError, "imw"),
        ({"itmax": -1}, ValueError, "itmax"),
        ({"coefs": [0, 0, 0]}, ValueError, "all coefficients are zero"),
        ({"coefs": [5]}, ValueError, "degree 0"),
        ({"coefs": []}, ValueError, "no coefficients"),
        ({"coefs": [1, float("nan")]}, ValueError, "finite"),
        ({"coefs": [1, float("inf")]}, ValueError, "finite"),
        ({"coefs": "1,2"}, TypeError, "string"),
        ({"coefs": ["a", "b"]}, TypeError, "numbers"),
        ({"coefs": [[1, 2], [3, 4]]}, ValueError, "flat"),
        ({"crmin": float("nan")}, ValueError, "finite"),
        ({"crmin": -1e308, "crmax": 1e308}, ValueError, "too large"),
        ({"tol": -1e-3}, ValueError, "tol"),
        ({"tol": float("inf")}, ValueError, "tol"),
        ({"threads": 0}, ValueError, "threads"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, exc, match):
    args = {"imw": 8, "imh": 8, **kwargs}
    with pytest.raises(exc, match=match):
        nbcli.compute(**args)


def test_nb_cpp_readme_grid_is_mirrored_and_exact(kernel):
    """nb_cpp's README example, shrunk: its grid is symmetric in binary, so both mirrors apply."""
    from conftest import FUSED

    nbcli._native.select_kernel(kernel)  # conftest restores the previous selection
    hsv = nbcli.compute(128, 64, [1, 0, 0, 0, 0, 0, 1], -10, 10, -5, 5, 30, 1e-6)
    c = np.array([1, 0, 0, 0, 0, 0, 1], complex)
    roots = canonical_roots(c)
    root, it = ref.exact(*_grid(128, 64, -10, 10, -5, 5), c, roots, 30, 1e-6, fused=FUSED[kernel])
    np.testing.assert_array_equal(hsv, ref.hsv(root, it, len(roots), 30))
