"""Thread safety: renders started from many Python threads at once give exactly what the
same renders give one after another, through every layer (scene, colouring, the core,
the PNG writer), on every kernel; and on a free-threaded CPython, importing nb-render
leaves the GIL off (the extension declares itself GIL-free).

On a CPython with the GIL these tests check the GIL-released parts (the core, the PNG
writer's compressor threads) running side by side; on a free-threaded one (3.14t) the
Python layers run truly in parallel too (docs/platforms.md says how that was tested).
"""

from __future__ import annotations

import os
import sysconfig
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import run_python

import nbcli

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
THREADS = 8

# Different polynomials, methods, shadings, palettes and finishing, so that the threads
# share as little as possible by accident: (Scene.create's options, Style's).
JOBS = [
    ({"coefs": [1, 0, 0, -1], "size": (96, 64)}, {}),
    ({"coefs": [1, 0, 0, 0, 0, 0, 1], "size": (80, 80), "method": "halley", "aa": 2}, {}),
    ({"roots": [1, -1, 1j, -1j, 0.5 + 0.5j], "size": (64, 48)}, {"boundary": "white", "mark_roots": True}),
    ({"expr": "(z-1)^2 (z+1)", "size": (72, 40), "method": "schroder"}, {"shading": "iterations"}),
    ({"coefs": [1, 2j, -1, 0.5], "size": (50, 70)}, {"palette": "okabe-ito", "depth": 16}),
    ({"coefs": [1, 0, -2, 2], "size": (64, 64), "relax": 0.8 + 0.1j, "precision": "single"}, {}),
    (
        {
            "coefs": [1, 0, 0, 0, -1],
            "size": (40, 90),
            "method": "householder",
            "center": 0.3 + 0.2j,
            "width": 1.5,
        },
        {},
    ),
    ({"coefs": [1, 0, 0, -1], "size": (64, 48), "center": "-0.5", "width": "1e-18"}, {}),  # double-double
]


def _render(job: tuple[dict, dict], kernel: str = "", threads: int = 1) -> np.ndarray:
    scene, style = job
    return nbcli.render(nbcli.Scene.create(**scene), nbcli.Style(**style), kernel=kernel, threads=threads).rgb


def _all_at_once(fn, args: list) -> list:
    """fn(*a) for every a in args, each in a thread of its own, started together."""
    start = threading.Barrier(len(args))

    def run(a):
        start.wait()
        return fn(*a)

    with ThreadPoolExecutor(len(args)) as pool:
        return list(pool.map(run, args))


@pytest.mark.parametrize("kernel_threads", [1, 2])
def test_renders_from_many_threads_match_serial_ones(kernel_threads):
    serial = [_render(job, threads=kernel_threads) for job in JOBS]
    for _ in range(3):
        parallel = _all_at_once(lambda job: _render(job, threads=kernel_threads), [(j,) for j in JOBS])
        for job, a, b in zip(JOBS, serial, parallel, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=str(job))


def test_every_kernel_at_once_from_threads():
    kernels = [k["name"] for k in nbcli.available_kernels() if k["supported"]]
    job = JOBS[1]
    want = {k: _render(job, k) for k in kernels}  # the baseline does not fuse multiply-adds
    chosen = [kernels[i % len(kernels)] for i in range(THREADS)]
    got = _all_at_once(_render, [(job, k) for k in chosen])
    for k, g in zip(chosen, got, strict=True):
        np.testing.assert_array_equal(g, want[k], err_msg=k)


def test_files_written_from_many_threads_match_serial_ones(tmp_path):
    def write(i: int, where: str) -> bytes:
        path = tmp_path / where / f"{i}.png"
        path.parent.mkdir(exist_ok=True)
        scene, style = JOBS[i]
        nbcli.render_to_file(path, nbcli.Scene.create(**scene), nbcli.Style(**style), threads=2)
        return path.read_bytes()

    serial = [write(i, "serial") for i in range(len(JOBS))]
    parallel = _all_at_once(write, [(i, "parallel") for i in range(len(JOBS))])
    assert serial == parallel


def test_compute_from_many_threads_matches_serial():
    views = [(-2, 2, -2, 2), (-1.5, 1.7, -1, 1.3), (-3, 3, -3, 3), (-0.1, 0.2, -0.3, 0.4)] * 2
    serial = [nbcli.compute(48, 40, [1, 0, 0, -1], *v, 30, 1e-6) for v in views]
    parallel = _all_at_once(
        lambda v: nbcli.compute(48, 40, [1, 0, 0, -1], *v, 30, 1e-6), [(v,) for v in views]
    )
    for a, b in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not FREE_THREADED, reason="needs a free-threaded CPython (3.14t)")
def test_importing_nb_render_keeps_the_gil_off():
    # A child process, so that nothing imported before decides; PYTHON_GIL unset, so that
    # the interpreter re-enables the GIL if an extension module does not declare itself safe.
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}
    code = (
        "import sys, warnings; warnings.simplefilter('error')\n"
        "import nbcli, nbcli._native\n"
        "nbcli.render(coefs=[1, 0, 0, -1], size=(16, 16))\n"
        "print(sys._is_gil_enabled())"
    )
    r = run_python(code, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False", r.stderr
