"""Any input renders or fails cleanly; concurrent and repeated use is safe."""

from __future__ import annotations

import math
import os
import sys
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nbcli

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
anyfloat = st.floats(allow_nan=True, allow_infinity=True)
coef = st.one_of(finite, st.complex_numbers(max_magnitude=1e6, allow_nan=False, allow_infinity=False))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    coefs=st.lists(st.one_of(coef, anyfloat), min_size=0, max_size=9),
    imw=st.integers(-2, 12),
    imh=st.integers(-2, 12),
    view=st.tuples(anyfloat, anyfloat, anyfloat, anyfloat),
    itmax=st.integers(-1, 40),
    tol=st.one_of(anyfloat, st.floats(min_value=1e-12, max_value=1.0)),
)
def test_compute_renders_or_fails_cleanly(coefs, imw, imh, view, itmax, tol):
    try:
        hsv = nbcli.compute(imw, imh, coefs, *view, itmax, tol)
    except (ValueError, TypeError) as e:
        assert str(e)  # noqa: PT017 - any of many inputs may be invalid; the message must not be empty
        return
    assert hsv.shape == (imh, imw, 3)
    assert np.all(np.isfinite(hsv))
    assert hsv.size == 0 or (hsv.min() >= 0 and hsv.max() <= 1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    roots=st.lists(
        st.complex_numbers(max_magnitude=100, allow_nan=False, allow_infinity=False), min_size=1, max_size=7
    ),
    size=st.tuples(st.integers(1, 24), st.integers(1, 24)),
    itmax=st.integers(1, 50),
)
def test_render_from_roots_is_consistent(roots, size, itmax):
    r = nbcli.render(roots=roots, size=size, itmax=itmax)
    assert r.rgb.shape == (size[1], size[0], 3)
    assert r.root.min() >= -1 and r.root.max() < len(r.roots)
    conv = r.root >= 0
    assert np.all((r.iterations[conv] >= 0) & (r.iterations[conv] < itmax))
    assert np.all(r.iterations[~conv] == itmax)
    # every distinct root given is among the canonical roots (repeats merged)
    for z in set(roots):
        assert np.min(np.abs(r.roots - z)) <= 1e-6 * max(1.0, abs(z))


cli_text = st.text(alphabet="0123456789.,+-jeEinfax ()#", max_size=12)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    coefs=cli_text,
    size=st.one_of(st.none(), cli_text),
    center=st.one_of(st.none(), cli_text),
    width=st.one_of(st.none(), cli_text),
    itmax=st.one_of(st.none(), cli_text),
    tol=st.one_of(st.none(), cli_text),
)
def test_cli_arguments_render_or_fail_in_one_line(tmp_path, capsys, coefs, size, center, width, itmax, tol):
    from nbcli import cli

    out = tmp_path / "h.png"
    if out.exists():
        out.unlink()
    args = ["--coefs", coefs]
    for opt, val in (
        ("--size", size),
        ("--center", center),
        ("--width", width),
        ("--itmax", itmax),
        ("--tol", tol),
    ):
        if val is not None:
            args += [opt, val]
    # keep renders small: an explicit size is capped, the default is replaced
    if size is None:
        args += ["--size", "16x16"]
    args += ["--threads", "1", str(out)]
    with pytest.raises(SystemExit) as e:
        cli.main(args)
    captured = capsys.readouterr()
    code = e.value.code
    assert code in (0, 1, 2), captured.err
    assert "Traceback" not in captured.err
    if code == 0:
        assert out.exists()
    else:
        assert captured.err.startswith("nb-render: error: ") and captured.err.count("\n") == 1, captured.err
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] in ([], ["h.png"])


def test_concurrent_calls_from_python_threads_match_serial_ones():
    jobs = [
        ([1, 0, 0, -1], (-2, 2, -2, 2)),
        ([1, 0, 0, 0, 0, 0, 1], (-1.5, 1.7, -1, 1.3)),
        ([1, 2j, -1, 0.5], (-3, 3, -3, 3)),
        ([1, 0, -1], (-0.1, 0.2, -0.3, 0.4)),
    ] * 3
    serial = [nbcli.compute(96, 80, c, *v, 30, 1e-6) for c, v in jobs]
    results: list = [None] * len(jobs)

    def run(i):
        c, v = jobs[i]
        results[i] = nbcli.compute(96, 80, c, *v, 30, 1e-6, threads=2)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(serial, results, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
@pytest.mark.emulation_unsafe("measures RSS, which under qemu-user grows with the emulator's translated code")
def test_no_leak_over_many_small_renders():
    def rss_pages():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1])

    for _ in range(100):  # warm up allocators and caches
        nbcli.render(coefs=[1, 0, 0, -1], size=(32, 32)).rgb.sum()
    before = rss_pages()
    for _ in range(1000):
        nbcli.render(coefs=[1, 0, 0, -1], size=(32, 32)).rgb.sum()
        nbcli.compute(16, 16)
    grown_kib = (rss_pages() - before) * os.sysconf("SC_PAGE_SIZE") / 1024
    assert grown_kib < 4096, f"RSS grew by {grown_kib:.0f} KiB over 1000 renders"


@pytest.mark.parametrize(
    ("coefs", "what"),
    [
        (np.poly([1, 1, 1, -1]), "repeated roots"),
        (np.poly([1, 1 + 1e-12, -1]), "roots 1e-12 apart"),
        ([1e150, 0, -1e150], "huge coefficients"),
        ([1e-150, 0, -1e-150], "tiny coefficients"),
        ([1] + [0] * 59 + [-1], "degree 60"),
    ],
)
def test_numerically_hard_polynomials_give_defined_output(coefs, what):
    r = nbcli.render(coefs=coefs, size=(40, 30), itmax=40)
    assert r.rgb.shape == (30, 40, 3)
    assert np.all((r.root >= -1) & (r.root < len(r.roots)))
    assert len(r.roots) >= 1
    assert all(math.isfinite(abs(z)) for z in r.roots)


def test_tiny_viewport_and_critical_point_on_a_pixel():
    # 1e-13 wide around the root 1 of z^3 - 1: every pixel converges to it at once
    r = nbcli.render(coefs=[1, 0, 0, -1], size=(20, 20), center=1 + 0j, span=1e-13)
    assert np.all(r.root == 0)
    # z = 0 is a pixel centre (odd size, centred view) and p'(0) = 0 for z^3 - 1: that pixel is stuck
    r = nbcli.render(coefs=[1, 0, 0, -1], size=(21, 21), center=0j, span=2)
    assert r.root[10, 10] == -1 and r.iterations[10, 10] == r.scene.itmax


def test_start_points_at_overflow_distance():
    hsv = nbcli.compute(8, 8, [1, 0, 0, 0, 0, 0, 1], -1e300, 1e300, -1e300, 1e300)
    assert np.all(np.isfinite(hsv))
    assert hsv.min() >= 0 and hsv.max() <= 1
