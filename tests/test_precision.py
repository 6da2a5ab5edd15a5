"""Single precision through the Python API and the command line: nbcli.compute,
Scene/render, stored parameters, --precision, --from. (The compiled core's
single-precision paths are checked kernel by kernel in test_single.py.)"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import reference as ref
from conftest import FUSED, run_cli
from typer.testing import CliRunner

import nbcli
from nbcli import Scene, Viewport, _core
from nbcli._native import LIMITS
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


def test_single_and_double_agree_on_the_readme_picture(kernel):
    # documented in docs/usage.md; the core-level check is test_single.py's
    c, x0, x1, y0, y1 = README
    xs = x0 + (x1 - x0) / 1024 * np.arange(1024)
    ys = y1 - (y1 - y0) / 512 * np.arange(512)
    cc = np.asarray(c, complex)
    roots = canonical_roots(cc)
    out = {
        p: _core.render(xs, ys, cc, roots, 30, 1e-6, data=True, kernel=kernel, precision=p)[0]
        for p in ("single", "double")
    }
    a, b = out["single"], out["double"]
    differ = a["root"] != b["root"]
    assert differ.sum() < 100  # measured: 64 (fused kernels), every one converged in one precision only
    assert np.all((a["root"][differ] < 0) | (b["root"][differ] < 0))  # never another root
    same = (a["root"] == b["root"]) & (a["iterations"] == b["iterations"])
    assert same.mean() > 0.99  # the very same HSV: 99.2%
    both = (a["root"] >= 0) & (b["root"] >= 0)
    assert np.abs(a["iterations"][both] - b["iterations"][both]).max() <= 3


SCENES = {  # a scene, and whether single precision can reach its tol near the roots in view
    "z^6+1": {"coefs": [1, 0, 0, 0, 0, 0, 1], "tol": 1e-6},
    "z^6+1 at tol 1e-7": {"coefs": [1, 0, 0, 0, 0, 0, 1], "tol": 1e-7},
    "quartic": {"coefs": [1, -2 + 7.5j, 0, 12j, 5 + 0.1j]},
    "quartic, zoomed away from roots 3 and 4": {
        "coefs": [1, -2 + 7.5j, 0, 12j, 5 + 0.1j],
        "center": 0.2 + 0.5j,
        "span": 1.5,
    },
    "relaxed": {"coefs": [1, 0, -2, 2], "method": "relaxed", "relax": 0.8 + 0.4j},
    "schroder at a double root": {"roots": [1, 1, -1, 2j], "method": "schroder"},
    "z^12-1": {"coefs": [1] + [0] * 11 + [-1]},
}


@pytest.mark.parametrize("name", list(SCENES))
def test_the_tolerance_warning_predicts_black_basins(name, kernel):
    # The warning asks the kernel itself, so it holds for fused and unfused kernels alike
    # (they differ: unfused float32 arithmetic often evaluates p to exactly 0 at a root).
    # itmax 60: the steps both precisions need here; z^12 - 1's default (many more, for its centre) would
    # also count the start points that float32 loses by overflow, which the tolerance warning is not about
    scene = Scene.create(**SCENES[name], size=(160, 120), precision="single", itmax=60)
    warned = any("tol" in w for w in nbcli.single_precision_warnings(scene, kernel=kernel))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nbcli.PrecisionWarning)
        single = nbcli.render(scene, kernel=kernel)
    double = nbcli.render(scene.with_options(precision="double"), kernel=kernel)
    lost = (single.root < 0).mean() - (double.root < 0).mean()  # pixels single precision loses
    assert lost > 0.1 if warned else lost < 0.02, (warned, lost)


def test_tolerance_warning_names_the_roots():
    scene = Scene.create([1, -2 + 7.5j, 0, 12j, 5 + 0.1j], size=(64, 64), precision="single")
    (w,) = nbcli.single_precision_warnings(scene)
    assert w.startswith("tol 1e-06 is out of single precision's reach near 2 of the 4 roots (root 3, 4")
    assert "double precision or a larger tol" in w
    assert nbcli.single_precision_warnings(scene.with_options(tol=1e-3)) == []
    assert nbcli.single_precision_warnings(scene.with_options(precision="double")) == []


def test_zoom_warning():
    c = (1, 0, 0, 0, 0, 0, 1)
    assert (
        nbcli.single_precision_warnings(
            Scene.create(c, size=(64, 64), center=1, span=1e-4, precision="single")
        )
        == []
    )
    deep = Scene.create(c, size=(64, 64), center=1, span=1e-6, precision="single")
    (w,) = nbcli.single_precision_warnings(deep)
    assert "blocky" in w


def test_the_api_warns_once_per_call():
    kw = {"coefs": [1, 0, 0, 0, 0, 0, 1], "size": (32, 32), "tol": 1e-7, "precision": "single"}
    fused = FUSED[_core.selected_kernel()]
    for call in (
        lambda: nbcli.render(**kw),
        lambda: nbcli.compute(32, 32, kw["coefs"], tol=1e-7, precision="single"),
    ):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            call()
        got = [w for w in seen if issubclass(w.category, nbcli.PrecisionWarning)]
        assert len(got) == (1 if fused else 0), [str(w.message) for w in got]
    with warnings.catch_warnings():
        warnings.simplefilter("error", nbcli.PrecisionWarning)
        nbcli.render(**{**kw, "precision": "double"})
        nbcli.compute(32, 32, kw["coefs"], tol=1e-7)


@pytest.mark.parametrize("bad", ["half", "", "float", 32, None])
def test_unknown_precision_is_rejected(bad):
    wrong = ValueError if isinstance(bad, str) else TypeError  # a name nb-render lacks, or not a name
    with pytest.raises(wrong, match="precision"):
        nbcli.compute(8, 8, precision=bad)
    with pytest.raises(wrong, match="precision"):
        Scene(coefs=(1, 0, -1), precision=bad)


def test_the_api_itmax_limit_is_within_the_single_precision_kernels_counter():
    # the float32 step counter is exact below 2**24; the API never asks for more
    assert LIMITS.max_itmax < (1 << 24) - 1
    hsv = nbcli.compute(4, 4, itmax=LIMITS.max_itmax, precision="single")
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
        ({"coefs": (1, 1e-50j, 1)}, "coefficient 2 (1e-50) is too small next to the largest one"),
        ({"coefs": (1e30, 0, 1e-20)}, "coefficient 3 (1e-20) is too small next to the largest one"),
        ({"viewport": Viewport(-1, 1e39, -1, 1)}, "xmax"),
        ({"method": "relaxed", "relax": 1e-46}, "relax"),
    ],
)
def test_inputs_that_float32_would_change_are_refused_in_single_precision(kw, message):
    base = {"coefs": (1, 0, -1), "width": 8, "height": 8}
    Scene(**{**base, **kw})  # fine in double precision
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        Scene(**{**base, **kw}, precision="single")


def test_huge_and_tiny_coefficients_are_fine_in_single_precision():
    # the core scales p by a power of two first: only the coefficients' ratios matter
    a = nbcli.render(coefs=[1e39, 0, 0, -1e39], size=(48, 40), tol=1e33, precision="single")
    b = nbcli.render(coefs=[1e-39, 0, 0, -1e-39], size=(48, 40), tol=1e-45, precision="single")
    c = nbcli.render(coefs=[1, 0, 0, -1], size=(48, 40), precision="single")
    assert (c.root >= 0).all()
    np.testing.assert_array_equal(a.root, c.root)
    np.testing.assert_array_equal(b.root, c.root)


def test_compute_refuses_a_viewport_beyond_float32():
    nbcli.compute(4, 4, crmax=1e39)
    with pytest.raises(ValueError, match="crmax"):
        nbcli.compute(4, 4, crmax=1e39, precision="single")


def test_cli_warns_once_but_renders_and_recolouring_does_not_warn(tmp_path):
    out, data = tmp_path / "w.png", tmp_path / "w.npz"
    quartic = ("-c", "1,-2+7.5j,0,12j,5+0.1j", "-s", "32x32", "--precision", "single")
    res = run_cli(*quartic, "--save-data", str(data), str(out))
    err = res.stderr.decode()
    assert res.returncode == 0 and out.exists()
    assert (
        err.startswith("nb-render: warning: tol 1e-06 is out of single precision's reach")
        and err.count("\n") == 1
    )
    res = run_cli("--from", str(data), "--palette", "pastel", str(out))  # recolours: nothing computed
    assert res.returncode == 0 and res.stderr == b""
    res = run_cli("-c", "1,0,0,0,0,0,1", "-s", "32x32", "--precision", "single", str(out))
    assert res.returncode == 0 and res.stderr == b""


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "1,-2+7.5j,0,12j,5+0.1j", "--center", "0.2+0.5j", "--width", "1.5"),
        ("-c", "1,0,-2,2", "--method", "relaxed", "--relax", "0.8+0.4j"),
        ("-e", "(z-1)^2(z+1)(z-2j)", "--method", "schroder", "--aa", "2"),
        (
            "--roots",
            "1,-1,1j,-1j",
        ),
        ("-c", "1,0,0,0,0,0,1"),
    ],
)
def test_documented_examples_do_not_warn_in_single_precision(tmp_path, args):
    out = tmp_path / "x.png"
    res = run_cli(*args, "-s", "48x36", "--precision", "single", str(out))
    assert res.returncode == 0 and res.stderr == b"", res.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-c", "1,1e-50,1"], "coefficient 2 (1e-50) is too small next to the largest one"),
        (["-c", "1,0,-1", "--xmin", "-1", "--xmax", "1e39"], "beyond single precision's range"),
        (["-c", "1,0,-1", "--method", "relaxed", "--relax", "1e-46"], "relax"),
    ],
)
def test_cli_refuses_what_float32_cannot_hold(tmp_path, args, message):
    out = tmp_path / "bad.png"
    res = run_cli(*args, "--precision", "single", str(out))
    err = res.stderr.decode()
    assert res.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith("nb-render: error: ") and message in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_stats_line_names_single_precision(tmp_path):
    res = run_cli(
        "-c", "1,0,0,-1", "-s", "32x24", "--precision", "single", "--stats", str(tmp_path / "s.png")
    )
    assert res.returncode == 0
    assert res.stdout.decode().rstrip().endswith(", single precision")
    res = run_cli("-c", "1,0,0,-1", "-s", "32x24", "--stats", str(tmp_path / "d.png"))
    assert "precision" not in res.stdout.decode()
