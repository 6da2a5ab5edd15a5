"""Averaging supersamples (``--aa``) in the core, against its definition (native/include/nbr/average.hpp).

The reference below computes the same definition in NumPy float64, step by step: the decoding table
(float64 sRGB decoding rounded to float32), the thresholds (the smallest float32 whose float64 encoding
reaches k - 1/2), the exact sum of each block's linear values and the code whose threshold interval
holds the exact mean. The core must agree with it bit for bit, on every platform.
"""

from __future__ import annotations

import numpy as np
import pytest

import nbcli
from nbcli import _core, _native
from nbcli.errors import ParameterError

MAXVAL = {8: 255, 16: 65535}


# ---- the reference --------------------------------------------------------------------------------------


def srgb_decode(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)


def linear_light() -> np.ndarray:
    """Entry k: the float32 nearest to the float64 sRGB decoding of k / 65535."""
    return srgb_decode(np.arange(65536) / 65535.0).astype(np.float32)


def thresholds(depth: int) -> np.ndarray:
    """Entry k >= 1: the smallest float32 x with encode(x) * maxval >= k - 1/2 (in float64); entry 0 is 0."""
    m = MAXVAL[depth]
    k = np.arange(1, m + 1)
    target = k - 0.5
    lo = np.zeros(m, np.uint32)  # bisection over the bit patterns of non-negative floats (increasing)
    hi = np.full(m, np.float32(1.0).view(np.uint32), np.uint32)  # encode(1) * maxval = maxval reaches
    while np.any(lo < hi):
        mid = lo + (hi - lo) // 2
        reaches = srgb_encode(mid.view(np.float32)) * m >= target
        hi = np.where(reaches, mid, hi)
        lo = np.where(reaches, lo, mid + 1)
    return np.concatenate([np.zeros(1, np.float32), lo.view(np.float32)])


LIN = linear_light()
THRESHOLDS = {d: thresholds(d) for d in (8, 16)}


def average_reference(samples: np.ndarray, a: int, depth: int) -> np.ndarray:
    """The definition: the exact sum of each a x a block's linear values, the largest code k whose
    threshold times a * a is at most that sum."""
    rows, cols = samples.shape[0] // a, samples.shape[1] // a
    lin = LIN[samples].astype(np.float64).reshape(rows, a, cols, a, 3)
    sums = lin.sum(axis=(1, 3))
    # the sums are exact: the same as in integers, in units of 2^-43
    units = (LIN[samples].astype(np.float64) * 2.0**43).astype(np.int64).reshape(rows, a, cols, a, 3)
    assert np.array_equal(units.sum(axis=(1, 3)), (sums * 2.0**43).astype(np.int64))
    scaled = THRESHOLDS[depth][1:].astype(np.float64) * (a * a)  # exact: 24 bits times at most 256
    code = np.searchsorted(scaled, sums, side="right")
    return code.astype(np.uint8 if depth == 8 else np.uint16)


# ---- the tables ---------------------------------------------------------------------------------------------


def test_the_decoding_table_is_the_definitions():
    assert np.array_equal(_core._linear_light(), LIN)
    assert LIN[0] == 0 and LIN[65535] == 1 and LIN[1] >= 2.0**-20  # the sums' exactness rests on 2^-20


@pytest.mark.parametrize("depth", [8, 16])
def test_the_thresholds_are_the_definitions(depth):
    t = _core._srgb_thresholds(depth)
    assert t.dtype == np.float32 and t.shape == (MAXVAL[depth] + 1,)
    assert np.array_equal(t, THRESHOLDS[depth])
    assert np.all(np.diff(t) > 0)


def test_the_tables_do_not_depend_on_the_last_bits_of_pow():
    """The margins nbr/average.hpp states: a pow up to 150 units in the last place off makes the same
    tables (an error of 150 units in the last place of a power in [0, 1] is at most 150 * 2^-52)."""
    dec = srgb_decode(np.arange(1, 65536) / 65535.0)
    f = dec.astype(np.float32)
    up = np.nextafter(f, np.float32(2)).astype(np.float64)
    down = np.nextafter(f, np.float32(-1)).astype(np.float64)
    f = f.astype(np.float64)
    to_tie = np.minimum(np.abs(dec - (f + up) / 2), np.abs(dec - (f + down) / 2))
    assert (to_tie / np.spacing(dec)).min() >= 150
    for depth, m in MAXVAL.items():
        t = THRESHOLDS[depth][1:]
        target = np.arange(1, m + 1) - 0.5
        above = srgb_encode(t) * m - target
        below = target - srgb_encode(np.nextafter(t, np.float32(-1))) * m
        # encode(x) = 1.055 * pow - 0.055: a pow 150 units off moves encode(x) * m by 150 * 1.055 * m * 2^-52
        assert min(above.min(), below.min()) >= 150 * 1.055 * m * 2.0**-52


# ---- averaging --------------------------------------------------------------------------------------------


def _samples(rng: np.random.Generator, rows: int, cols: int, a: int) -> np.ndarray:
    """Random samples with the hard cases mixed in: extremes, equal blocks, blocks of 0 and 65535."""
    s = rng.integers(0, 65536, (rows * a, cols * a, 3), dtype=np.uint16)
    s[: 2 * a, : 2 * a] = 0
    s[: 2 * a, 2 * a : 4 * a] = 65535
    s[2 * a : 3 * a, : 2 * a] = np.where(rng.random((a, 2 * a, 3)) < 0.5, 0, 65535)
    s[3 * a : 4 * a, : cols * a] = np.repeat(np.repeat(s[3 * a : 4 * a : a, ::a], a, axis=0), a, axis=1)
    near = rng.integers(0, 65536, (a, cols * a, 3)) // 64 + 32000  # close values: rounding decides
    s[4 * a : 5 * a] = near.astype(np.uint16)
    return s


@pytest.mark.parametrize("depth", [8, 16])
@pytest.mark.parametrize("a", [2, 3, 4])
def test_averaging_is_the_definitions(a, depth):
    rng = np.random.default_rng(1000 * a + depth)
    s = _samples(rng, 37, 53, a)
    out, stats = _core.average(s, a, depth, threads=2)
    assert out.shape == (37, 53, 3) and out.dtype == (np.uint8 if depth == 8 else np.uint16)
    assert stats["cpu_seconds"] >= 0 and 1 <= stats["threads"] <= 2
    expect = average_reference(s, a, depth)
    assert np.array_equal(out, expect)
    assert np.all(out[:2, :2] == 0) and np.all(out[:2, 2:4] == MAXVAL[depth])


@pytest.mark.parametrize("a", [1, 2, 3, 4, 16])
def test_a_block_of_equal_samples_keeps_its_code(a):
    """Code k at 16 bits, round(k / 257) at 8 bits (so 257 k -> k), for every k and any a."""
    codes = np.arange(65536, dtype=np.uint16)
    for lo in range(0, 65536, 4096):  # in parts: a block of 16 x 16 samples per code is large
        part = codes[lo : lo + 4096].reshape(64, 64)
        s = np.repeat(np.repeat(np.repeat(part[:, :, None], 3, axis=2), a, axis=0), a, axis=1)
        sixteen, _ = _core.average(s, a, 16, threads=2)
        eight, _ = _core.average(s, a, 8, threads=2)
        assert np.array_equal(sixteen[..., 0], part), a
        assert np.array_equal(eight[..., 0], np.rint(part / 257).astype(np.uint8)), a
        assert np.array_equal(sixteen[..., 1], part) and np.array_equal(eight[..., 2], eight[..., 0])


def test_averaging_does_not_depend_on_the_thread_count():
    rng = np.random.default_rng(7)
    # smooth gradients with noise, like a render's: neighbouring blocks differ by little
    y, x = np.mgrid[0:600, 0:900]
    base = (30000 + 20000 * np.sin(x / 97.0) * np.cos(y / 61.0))[..., None] + np.array([0, 5000, -7000])
    s = np.clip(base + rng.normal(0, 800, base.shape), 0, 65535).astype(np.uint16)
    for depth in (8, 16):
        first, _ = _core.average(s, 3, depth, threads=1)
        for threads in (2, 3, 7, 0):
            again, stats = _core.average(s, 3, depth, threads=threads)
            assert np.array_equal(again, first), threads
            assert threads == 0 or stats["threads"] == threads
        assert np.array_equal(first, average_reference(s, 3, depth))


def test_renders_with_aa_do_not_depend_on_the_thread_count():
    style = nbcli.Style(boundary="white", mark_roots=True)
    one = nbcli.render(coefs=[1, 0, 0, 0, 0, -1], size=(160, 120), aa=3, style=style, threads=1)
    many = nbcli.render(coefs=[1, 0, 0, 0, 0, -1], size=(160, 120), aa=3, style=style, threads=5)
    assert np.array_equal(one.rgb, many.rgb)


def test_a_render_averages_its_samples_as_the_definition_says():
    kw = {"coefs": [1, 0, 0, -1], "xmin": -1.5, "xmax": 1.5, "ymin": -1.5, "ymax": 1.5, "stretch": True}
    for depth in (8, 16):
        aa = nbcli.render(size=(50, 40), aa=3, style=nbcli.Style(depth=depth), **kw)
        fine = nbcli.render(size=(150, 120), style=nbcli.Style(depth=16), **kw)
        assert np.array_equal(aa.rgb, average_reference(fine.rgb, 3, depth))


def test_bad_arguments_are_refused():
    s = np.zeros((6, 6, 3), np.uint16)
    with pytest.raises(ParameterError, match="multiples of a"):
        _native.average(s, 4, 8, threads=1)
    with pytest.raises(ParameterError, match="1 to 16"):
        _native.average(s, 0, 8, threads=1)
    with pytest.raises(ParameterError, match="depth"):
        _native.average(s, 2, 12, threads=1)
    with pytest.raises(ParameterError, match="shape"):
        _native.average(np.zeros((6, 6), np.uint16), 2, 8, threads=1)
    out, seconds = _native.average(np.zeros((0, 6, 3), np.uint16), 2, 16, threads=1)
    assert out.shape == (0, 3, 3) and seconds == 0
