"""nbcli.render / Scene / Viewport: the renderer's API."""

from __future__ import annotations

import json

import numpy as np
import pytest
import reference as ref

import nbcli
from nbcli import Scene, Style, Viewport
from nbcli.colors import root_colors, shade_curve


def test_render_returns_image_and_data():
    r = nbcli.render(coefs=[1, 0, 0, -1], size=(120, 90))
    assert r.rgb.shape == (90, 120, 3)
    assert r.rgb.dtype == np.uint8
    assert r.root.shape == r.iterations.shape == (90, 120)
    assert r.root.dtype == np.int16
    assert r.iterations.dtype == np.int32
    assert set(np.unique(r.root)) <= {-1, 0, 1, 2}
    assert r.stats["pixels"] == 120 * 90
    np.testing.assert_allclose(r.roots, [1, np.exp(2j * np.pi / 3), np.exp(-2j * np.pi / 3)], atol=1e-15)


def test_render_data_matches_reference_on_pixel_centres():
    scene = Scene.create([1, 0, -2, 2], size=(70, 50), xmin=-2, xmax=2, ymin=-1.5, ymax=1.5, stretch=True)
    r = nbcli.render(scene)
    xs, ys = scene.viewport.grid(70, 50)
    # pixel centres: half a pixel in from the edges
    assert xs[0] == pytest.approx(-2 + 2 / 70) and xs[-1] == pytest.approx(2 - 2 / 70)
    assert ys[0] == pytest.approx(1.5 - 1.5 / 50) and ys[-1] == pytest.approx(-1.5 + 1.5 / 50)
    fused = next(k["fused"] for k in nbcli.available_kernels() if k["name"] == r.stats["kernel"])
    root, it = ref.exact(xs, ys, np.array(scene.coefs), r.roots, scene.itmax, scene.tol, fused=fused)
    np.testing.assert_array_equal(r.root, root)
    np.testing.assert_array_equal(r.iterations, it)


def test_rgb_is_palette_times_shade():
    style = Style(palette="#ff0000,#00ff00,#0000ff", shading="iterations", nonconverged="#102030")
    r = nbcli.render(coefs=[1, 0, 0, -1], size=(64, 64), style=style, itmax=20)
    colors = root_colors(style.palette, 3)
    shade = shade_curve(20, "iterations")
    conv = r.root >= 0
    expect = np.floor(colors[r.root[conv]] * shade[r.iterations[conv]][:, None] + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(r.rgb[conv], expect)
    assert (~conv).any()
    assert np.all(r.rgb[~conv] == [0x10, 0x20, 0x30])


def test_keep_data_false_gives_same_image_without_data():
    a = nbcli.render(coefs=[1, 0, 0, 0, 1], size=(80, 60))
    b = nbcli.render(coefs=[1, 0, 0, 0, 1], size=(80, 60), keep_data=False)
    assert b.root is None and b.iterations is None
    np.testing.assert_array_equal(a.rgb, b.rgb)


def test_same_polynomial_same_colours_whatever_the_view():
    style = Style(shading="iterations")
    a = nbcli.render(coefs=[1, 0, 0, -1], size=(40, 40), style=style)
    b = nbcli.render(coefs=[1, 0, 0, -1], size=(40, 40), center=1 + 0j, span=0.2, style=style)
    np.testing.assert_array_equal(a.roots, b.roots)
    # around the root 1 the zoomed view is all basin 0, in root 0's colour as in the overview
    assert np.all(b.root[15:25, 15:25] == 0)
    base = root_colors("default", 3)
    shade = shade_curve(a.scene.itmax, "iterations")
    for r in (a, b):
        sel = r.root == 0
        expect = np.floor(base[0] * shade[r.iterations[sel]][:, None] + 0.5).astype(np.uint8)
        np.testing.assert_array_equal(r.rgb[sel], expect)


def test_default_viewport_frames_roots_with_square_pixels():
    s = Scene.create([1, 0, 0, 0, 0, 0, 1])
    assert (s.width, s.height) == (1024, 1024)
    assert s.viewport == Viewport(-2, 2, -2, 2)
    s = Scene.create(roots=[3, 5], size=(400, 200))
    assert s.viewport.center == 4
    assert s.viewport.width / 400 == pytest.approx(s.viewport.height / 200)
    assert s.viewport.xmin < 3 and s.viewport.xmax > 5


def test_bounds_give_size_from_aspect_and_stay_undistorted():
    s = Scene.create([1, 0, -1], xmin=-10, xmax=10, ymin=-5, ymax=5)
    assert (s.width, s.height) == (1024, 512)
    s = Scene.create([1, 0, -1], size=(100, 100), xmin=-2, xmax=2, ymin=-1, ymax=1)
    assert s.viewport == Viewport(-2, 2, -2, 2)  # widened to keep pixels square
    s = Scene.create([1, 0, -1], size=(100, 100), xmin=-2, xmax=2, ymin=-1, ymax=1, stretch=True)
    assert s.viewport == Viewport(-2, 2, -1, 1)


def test_center_and_width():
    s = Scene.create([1, 0, -1], size=(300, 200), center=0.5 + 0.25j, span=3)
    assert s.viewport.center == 0.5 + 0.25j
    assert s.viewport.width == 3 and s.viewport.height == 2


def test_mirror_symmetry_is_used_and_exact():
    scene = Scene.create([1, 0, 0, 0, 0, 0, 1], size=(101, 77))
    r = nbcli.render(scene)
    assert r.stats["pixels_computed"] < r.stats["pixels"]
    xs, ys = scene.viewport.grid(101, 77)
    np.testing.assert_array_equal(ys, -ys[::-1])
    fused = next(k["fused"] for k in nbcli.available_kernels() if k["name"] == r.stats["kernel"])
    root, it = ref.exact(xs, ys, np.array(scene.coefs), r.roots, scene.itmax, scene.tol, fused=fused)
    np.testing.assert_array_equal(r.root, root)
    np.testing.assert_array_equal(r.iterations, it)


def test_progress_callback_reports_up_to_total():
    calls = []
    nbcli.render(coefs=[1, 0, 0, 0, 0, 0, 1], size=(64, 64), progress=lambda d, t: calls.append((d, t)))
    assert calls
    assert calls[-1] == (64 * 64, 64 * 64)
    assert all(t == 64 * 64 and 0 <= d <= t for d, t in calls)


def test_progress_callback_exception_stops_render():
    def boom(done, total):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        nbcli.render(
            coefs=[1, 0, 0, 0, 0, 0, 0, 0, 0, 1], size=(1200, 1200), itmax=300, progress=boom, threads=1
        )


def test_scene_dict_round_trip():
    s = Scene.create(roots=[1, -1, 0.5j], size=(30, 20), itmax=44, tol=1e-8)
    d = json.loads(json.dumps(s.to_dict()))
    assert Scene.from_dict(d) == s
    # the record keeps the precision the render used (auto chose double for this view); scenes
    # that render alike are equal
    assert (s.precision, d["precision"]) == ("auto", "double")
    with pytest.raises(ValueError, match="scene"):
        Scene.from_dict({"coefs": [[1, 0]]})


def test_save_writes_png_with_metadata(tmp_path):
    from PIL import Image

    r = nbcli.render(coefs=[1, 0, 0, -1], size=(50, 40))
    path = tmp_path / "x.png"
    r.save(path)
    with Image.open(path) as im:
        assert im.size == (50, 40)
        assert im.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(im), r.rgb)
        meta = json.loads(im.text["nb-render"])
    assert meta["version"] == nbcli.__version__
    assert Scene.from_dict(meta) == r.scene
    assert meta["style"]["palette"] == "default"
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({}, ValueError, "exactly one of its coefficients"),
        ({"coefs": [1, 0, -1], "expr": "z^2 - 1"}, ValueError, "exactly one"),
        ({"coefs": [1, 0, -1], "roots": [1]}, ValueError, "1 given, but the polynomial has degree 2"),
        ({"coefs": [1, 0, -1], "size": (0, 10)}, ValueError, "image width"),
        ({"coefs": [1, 0, -1], "size": (10, 10**7)}, ValueError, "image height"),
        ({"coefs": [1, 0, -1], "xmin": 1}, ValueError, "both xmin and xmax"),
        ({"coefs": [1, 0, -1], "xmin": 1, "xmax": 1, "ymin": 0, "ymax": 1}, ValueError, "empty viewport"),
        ({"coefs": [1, 0, -1], "center": 0, "xmin": -1, "xmax": 1}, ValueError, "not both"),
        ({"coefs": [1, 0, -1], "span": -1}, ValueError, "width"),
        ({"coefs": [1, 0, -1], "itmax": 0}, ValueError, "itmax"),
        ({"coefs": [1, 0, -1], "tol": float("nan")}, ValueError, "tol"),
        ({"roots": []}, ValueError, "no roots"),
    ],
)
def test_scene_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Scene.create(**kwargs)


def test_style_errors():
    with pytest.raises(ValueError, match="unknown palette"):
        nbcli.render(coefs=[1, 0, -1], size=(8, 8), style=Style(palette="rainbowz"))
    with pytest.raises(ValueError, match="colour"):
        Style(nonconverged="#12345").validate()
    with pytest.raises(ValueError, match="shading"):
        Style(shading="glossy").validate()
