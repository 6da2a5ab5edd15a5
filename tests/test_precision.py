"""Single precision through the Python API and the command line: nbcli.compute,
Scene/render, stored parameters, --precision, --from. (The compiled core's
single-precision paths are checked kernel by kernel in test_single.py.)"""

from __future__ import annotations

import json

import numpy as np
import pytest
import reference as ref
from conftest import FUSED, run_cli
from typer.testing import CliRunner

import nbcli
from nbcli import Scene, _core
from nbcli.api import MAX_ITMAX, Viewport
from nbcli.cli import app
from nbcli.png import read_png_text
from nbcli.poly import canonical_roots

README = ([1, 0, 0, 0, 0, 0, 1], -10.0, 10.0, -5.0, 5.0)


def _params(path) -> dict:
    return json.loads(read_png_text(path)["nb-render"])


def test_compute_single_is_the_float32_model_and_double_is_unchanged():
    c, x0, x1, y0, y1 = README
    w, h = 128, 64
    single = nbcli.compute(w, h, c, x0, x1, y0, y1, 30, 1e-6, precision="single")
    double = nbcli.compute(w, h, c, x0, x1, y0, y1, 30, 1e-6)
    assert single.shape == double.shape == (h, w, 3) and single.dtype == np.float64
    np.testing.assert_array_equal(
        nbcli.compute(w, h, c, x0, x1, y0, y1, 30, 1e-6, precision="double"), double
    )
    xs = x0 + (x1 - x0) / w * np.arange(w)
    ys = y1 - (y1 - y0) / h * np.arange(h)
    cc = np.asarray(c, complex)
    roots = canonical_roots(cc)
    fused = FUSED[_core.selected_kernel()]
    root, it = ref.exact(xs, ys, cc, roots, 30, 1e-6, fused=fused, single=True)
    np.testing.assert_array_equal(single, ref.hsv(root, it, len(roots), 30))
    root, it = ref.exact(xs, ys, cc, roots, 30, 1e-6, fused=fused)
    np.testing.assert_array_equal(double, ref.hsv(root, it, len(roots), 30))


def test_single_and_double_agree_on_the_readme_picture():
    c, x0, x1, y0, y1 = README
    a = nbcli.compute(1024, 512, c, x0, x1, y0, y1, 30, 1e-6, precision="single")
    b = nbcli.compute(1024, 512, c, x0, x1, y0, y1, 30, 1e-6)
    same_root = a[..., 0] == b[..., 0]
    assert same_root.mean() > 0.999  # measured: all but 53 of 524288 pixels
    assert np.all(a == b, axis=-1).mean() > 0.99  # the very same colour: 99.2%
    # elsewhere the step differs by one or two: near the tolerance the last bits of p decide
    steps = np.rint(np.abs(a[..., 2] - b[..., 2]) * 30)
    assert steps[same_root].max() <= 2


def test_single_precision_cannot_reach_a_tolerance_below_its_resolution():
    # documented in docs/usage.md: z^6 + 1 cannot be evaluated to better than ~1e-7 in float32
    c, x0, x1, y0, y1 = README
    a = nbcli.compute(256, 128, c, x0, x1, y0, y1, 60, 1e-7, precision="single")
    b = nbcli.compute(256, 128, c, x0, x1, y0, y1, 60, 1e-7)
    assert (a[..., 2] == 0).mean() > 0.5
    assert (b[..., 2] == 0).mean() < 0.05


@pytest.mark.parametrize("bad", ["half", "", "float", 32, None])
def test_unknown_precision_is_rejected(bad):
    with pytest.raises(ValueError, match="precision"):
        nbcli.compute(8, 8, precision=bad)
    with pytest.raises(ValueError, match="precision"):
        Scene(coefs=(1, 0, -1), precision=bad)


def test_the_api_itmax_limit_is_within_the_single_precision_kernels_counter():
    # the float32 step counter is exact below 2**24; the API never asks for more
    assert MAX_ITMAX < (1 << 24) - 1
    hsv = nbcli.compute(4, 4, itmax=MAX_ITMAX, precision="single")
    assert hsv.shape == (4, 4, 3)


def test_scene_records_precision_and_old_records_mean_double():
    s = Scene.create([1, 0, 0, -1], size=(40, 30), precision=" Single ")
    assert s.precision == "single"
    d = s.to_dict()
    assert d["precision"] == "single"
    assert Scene.from_dict(d) == s
    del d["precision"]  # a file written before single precision existed
    assert Scene.from_dict(d).precision == "double"
    d["precision"] = 1
    with pytest.raises(ValueError, match="precision"):
        Scene.from_dict(d)
    d["precision"] = "quad"
    with pytest.raises(ValueError, match="precision"):
        Scene.from_dict(d)


def test_render_in_single_precision_matches_the_model():
    scene = Scene(
        coefs=(1, -0.5j, 0, 2),
        width=61,
        height=47,
        viewport=Viewport(-2, 2, -1.5, 1.5),
        itmax=40,
        precision="single",
    )
    r = nbcli.render(scene)
    assert r.stats["precision"] == "single"
    xs, ys = scene.viewport.grid(61, 47)
    roots = scene.canonical_roots()
    full = ref.exact(
        xs,
        ys,
        np.asarray(scene.coefs),
        roots,
        40,
        1e-6,
        fused=FUSED[_core.selected_kernel()],
        single=True,
        full=True,
    )
    np.testing.assert_array_equal(r.root, full["root"])
    np.testing.assert_array_equal(r.iterations, full["iterations"])
    np.testing.assert_array_equal(r.smooth, full["smooth"])
    np.testing.assert_array_equal(r.residual, full["residual"])
    assert nbcli.render(scene.with_options(precision="double")).stats["precision"] == "double"


def test_cli_precision_option_is_recorded_and_reproduced(tmp_path):
    a, b, d = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "d.png"
    res = CliRunner().invoke(
        app, ["-c", "1,0,0,-1", "-s", "96x64", "--precision", "single", "--stats-json", str(a)]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.strip().splitlines()[-1])["precision"] == "single"
    assert _params(a)["precision"] == "single"
    # --from keeps the precision: the same bytes again
    assert CliRunner().invoke(app, ["--from", str(a), str(b)]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    # and an override switches it, giving the double-precision render of the same scene
    assert CliRunner().invoke(app, ["--from", str(a), "--precision", "double", str(d)]).exit_code == 0
    direct = tmp_path / "direct.png"
    assert CliRunner().invoke(app, ["-c", "1,0,0,-1", "-s", "96x64", str(direct)]).exit_code == 0
    assert d.read_bytes() == direct.read_bytes()


def test_cli_image_in_single_precision_equals_the_api_image(tmp_path):
    out = tmp_path / "s.png"
    assert (
        CliRunner()
        .invoke(app, ["-c", "1,0,0,0,0,0,1", "-s", "80x60", "--precision", "single", str(out)])
        .exit_code
        == 0
    )
    from PIL import Image

    api = nbcli.render(coefs=[1, 0, 0, 0, 0, 0, 1], size=(80, 60), precision="single")
    np.testing.assert_array_equal(np.asarray(Image.open(out).convert("RGB")), api.rgb)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--precision", "half"], "unknown precision"),
    ],
)
def test_cli_bad_precision_one_line_exit_2(tmp_path, args, message):
    out = tmp_path / "bad.png"
    res = run_cli("-c", "1,0,-1", *args, str(out))
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("nb-render: error: ") and message in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"coefs": (1e39, 0, 1)}, "coefficient 1 (1e+39) is beyond single precision's range"),
        ({"coefs": (1, 1e-50j, 1)}, "coefficient 2 (1e-50) is too small for single precision"),
        ({"viewport": Viewport(-1, 1e39, -1, 1)}, "xmax"),
        ({"method": "relaxed", "relax": 1e-46}, "relax"),
    ],
)
def test_inputs_that_float32_would_change_are_refused_in_single_precision(kw, message):
    base = {"coefs": (1, 0, -1), "width": 8, "height": 8}
    Scene(**{**base, **kw})  # fine in double precision
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        Scene(**{**base, **kw}, precision="single")


def test_compute_refuses_a_viewport_beyond_float32():
    nbcli.compute(4, 4, crmax=1e39)
    with pytest.raises(ValueError, match="crmax"):
        nbcli.compute(4, 4, crmax=1e39, precision="single")


def test_single_precision_warnings():
    c = (1, 0, 0, 0, 0, 0, 1)
    ok = Scene.create(c, size=(64, 64), precision="single")
    assert nbcli.single_precision_warnings(ok) == []
    low = ok.with_options(tol=1e-7)
    (w,) = nbcli.single_precision_warnings(low)
    assert "tol 1e-07" in w and "double precision" in w
    assert nbcli.single_precision_warnings(low.with_options(precision="double")) == []
    deep = Scene.create(c, size=(64, 64), center=1, span=1e-6, precision="single")
    (w,) = nbcli.single_precision_warnings(deep)
    assert "blocky" in w
    # large coefficients raise the floor: 1000 z^6 + 1000 cannot reach 1e-4 in float32
    big = Scene.create((1000, 0, 0, 0, 0, 0, 1000), size=(8, 8), tol=1e-4, precision="single")
    assert len(nbcli.single_precision_warnings(big)) == 1


def test_cli_warns_but_renders(tmp_path):
    out = tmp_path / "w.png"
    res = run_cli("-c", "1,0,0,0,0,0,1", "-s", "32x32", "--precision", "single", "--tol", "1e-7", str(out))
    err = res.stderr.decode()
    assert res.returncode == 0 and out.exists()
    assert err.startswith("nb-render: warning: tol 1e-07") and err.count("\n") == 1
    res = run_cli("-c", "1,0,0,0,0,0,1", "-s", "32x32", "--precision", "single", str(out))
    assert res.returncode == 0 and res.stderr == b""
