"""Pictures and reproducibility: shading, palettes, decorations, supersampling, 16-bit output,
methods on the command line, --expr, --fit, --from, --save-data/recolouring, --stats, and
streaming in bands with bounded memory."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from conftest import run_cli
from pngdecode import decode
from typer.testing import CliRunner

import nbcli
from nbcli import pipeline
from nbcli.api import job
from nbcli.cli import app
from nbcli.colors import Marks, linear_to_srgb, root_colors, srgb_to_linear
from nbcli.png import read_png_text
from nbcli.style import Style


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output


def params(path) -> dict:
    return json.loads(read_png_text(path)["nb-render"])


# ---- shading and palettes -------------------------------------------------------------------


def test_smooth_shading_has_no_bands_where_iterations_shading_does():
    kw = {"coefs": [1, 0, 0, 0, 0, -1], "size": (400, 400)}
    smooth = nbcli.render(style=Style(shading="smooth"), **kw)
    banded = nbcli.render(style=Style(shading="iterations"), **kw)
    flat = nbcli.render(style=Style(shading="flat"), **kw)
    # a segment inside one basin, from its root outwards, crossing several iteration counts
    seg = (200, slice(260, 400))
    assert len(np.unique(smooth.root[seg])) == 1 and len(np.unique(smooth.iterations[seg])) >= 5
    levels_smooth = len(np.unique(smooth.rgb[seg].astype(int).sum(axis=1)))
    levels_banded = len(np.unique(banded.rgb[seg].astype(int).sum(axis=1)))
    assert levels_banded <= len(np.unique(banded.iterations[seg]))  # one level per band
    assert levels_smooth > 4 * levels_banded  # a gradient instead
    # flat: one colour per root (and the non-converged colour), nothing else
    assert len({tuple(p) for p in flat.rgb.reshape(-1, 3)}) <= 6
    # the fractional count lies in [k - 1, k]
    conv = smooth.root >= 0
    k, s = smooth.iterations[conv], smooth.smooth[conv]
    assert np.all(s <= k + 1e-6) and np.all(s >= k - 1 - 1e-6)


def test_default_shading_is_smooth():
    assert Style().shading == "smooth"
    assert Style(shading="default").shading == "smooth"


def test_palette_list_and_matplotlib_colormap():
    c = root_colors("#ff0000,#00ff00", 3)
    assert c.tolist() == [[255, 0, 0], [0, 255, 0], [255, 0, 0]]
    pytest.importorskip("matplotlib")
    v = root_colors("viridis", 4)
    assert v.shape == (4, 3) and len({tuple(x) for x in v.tolist()}) == 4
    t = root_colors("tab10", 3)  # qualitative maps: their colours in order
    assert t[0].tolist() == [31, 119, 180]


def test_unknown_palette_says_what_is_possible(monkeypatch):
    with pytest.raises(ValueError, match="matplotlib colormap") as e:
        root_colors("nonesuch-palette", 3)
    assert "not installed" not in str(e.value)
    import importlib.util
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "matplotlib" else real(n, *a))
    with pytest.raises(ValueError, match=r"pip install 'nb-render\[colormaps\]'"):
        root_colors("viridis", 3)


def test_root_colours_are_stable_for_the_same_polynomial():
    a = nbcli.render(roots=[1, -1, 1j, -1j], size=(64, 64), style=Style(shading="flat"))
    b = nbcli.render(roots=[-1j, 1j, -1, 1], size=(64, 64), style=Style(shading="flat"))
    c = nbcli.render(coefs=[2, 0, 0, 0, -2], size=(64, 64), style=Style(shading="flat"))
    assert np.array_equal(a.rgb, b.rgb) and np.array_equal(a.rgb, c.rgb)


def test_nonconverged_colour():
    r = nbcli.render(
        coefs=[1, 0, -2, 2],
        size=(120, 120),
        xmin=-0.3,
        xmax=0.3,
        ymin=-0.3,
        ymax=0.3,
        style=Style(nonconverged="#123456"),
    )
    nc = r.root < 0
    assert nc.any()
    assert np.all(r.rgb[nc] == [0x12, 0x34, 0x56])


# ---- decorations -----------------------------------------------------------------------------


def test_boundary_marks_pixels_where_the_basin_changes():
    kw = {"coefs": [1, 0, 0, -1], "size": (160, 160), "style": Style(shading="flat", boundary="#ffffff")}
    r = nbcli.render(**kw)
    plain = nbcli.render(coefs=[1, 0, 0, -1], size=(160, 160), style=Style(shading="flat"))
    root = r.root
    edge = np.zeros(root.shape, bool)
    edge[:, 1:] = root[:, 1:] != root[:, :-1]
    edge[1:] |= root[1:] != root[:-1]
    assert edge.sum() > 100
    assert np.all(r.rgb[edge] == 255)
    assert np.array_equal(r.rgb[~edge], plain.rgb[~edge])


def test_mark_roots_draws_on_each_root_only():
    style = Style(shading="flat", palette="#202020,#404040,#606060", mark_roots=True)
    r = nbcli.render(coefs=[1, 0, 0, -1], size=(200, 200), style=style)
    plain = nbcli.render(
        coefs=[1, 0, 0, -1], size=(200, 200), style=Style(shading="flat", palette="#202020,#404040,#606060")
    )
    vp = r.scene.viewport
    xs, ys = vp.grid(200, 200)
    for z in r.roots:
        col, row = int(np.argmin(abs(xs - z.real))), int(np.argmin(abs(ys - z.imag)))
        assert r.rgb[row, col].min() > 200, z  # white centre
    changed = np.any(r.rgb != plain.rgb, axis=2)
    assert 3 * 20 < changed.sum() < 3 * 400  # three small markers


@pytest.mark.parametrize("maxval", [255, 65535])
def test_markers_are_drawn_in_exactly_defined_light(maxval: int) -> None:
    """A marker over a flat colour gives, at each pixel, the code nearest the sRGB encoding of the
    mixed light (rounded to float), computed here in double with Python's pow: the definition, not NumPy's float32 pow
    (which differs by platform in its last bit)."""
    marks = Marks([(10.3, 12.6)], 30, 24)
    dtype = np.uint8 if maxval == 255 else np.uint16
    codes = range(256) if maxval == 255 else range(0, 65536, 251)
    for k in codes:
        rgb = np.full((24, 30, 3), k, dtype)
        marks.draw(rgb, 0, maxval)
        v = k / maxval
        lin = float(np.float32(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4))
        yy, xx = np.mgrid[0:24, 0:30]
        d = np.sqrt((yy - 10.3) ** 2 + (xx - 12.6) ** 2)
        r_out = marks.radius + marks.rim
        c_all, c_in = np.clip(r_out + 0.5 - d, 0.0, 1.0), np.clip(marks.radius + 0.5 - d, 0.0, 1.0)
        x = (lin * (1 - c_all) + 0.02 * (c_all - c_in) + 1.0 * c_in).astype(np.float32).astype(np.float64)
        e = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(np.maximum(x, 0), 1 / 2.4) - 0.055)
        want = np.floor(np.clip(e, 0, 1) * maxval + 0.5)
        assert np.array_equal(rgb[..., 0], want), k
        assert np.array_equal(rgb[..., 0], rgb[..., 2])


def test_srgb_linear_roundtrip():
    v = np.linspace(0, 1, 1001, dtype=np.float32)
    assert np.allclose(linear_to_srgb(srgb_to_linear(v)), v, atol=2e-6)


# ---- supersampling and 16 bits ---------------------------------------------------------------


def test_supersampling_averages_the_finer_grid_in_linear_light():
    kw = {"coefs": [1, 0, 0, -1], "xmin": -1.5, "xmax": 1.5, "ymin": -1.5, "ymax": 1.5, "stretch": True}
    aa = nbcli.render(size=(50, 40), aa=3, **kw)
    fine = nbcli.render(size=(150, 120), style=Style(depth=16), **kw)
    assert aa.rgb.shape == (40, 50, 3)
    assert aa.root.shape == (120, 150) and np.array_equal(aa.root, fine.root)  # the same sample grid
    lin = srgb_to_linear(fine.rgb.astype(np.float32) / 65535).reshape(40, 3, 50, 3, 3).mean(axis=(1, 3))
    expect = np.rint(linear_to_srgb(lin) * 255)
    assert np.abs(aa.rgb.astype(int) - expect).max() <= 1


def test_depth_16_png(tmp_path):
    out8, out16 = tmp_path / "a.png", tmp_path / "b.png"
    assert cli("-c", "1,0,0,-1", "-s", "64x48", str(out8))[0] == 0
    assert cli("-c", "1,0,0,-1", "-s", "64x48", "--depth", "16", str(out16))[0] == 0
    a, b = decode(out8.read_bytes()), decode(out16.read_bytes())
    assert b.dtype == np.uint16 and b.shape == (48, 64, 3)
    assert np.abs((b.astype(int) + 128) // 257 - a.astype(int)).max() <= 1
    assert len(np.unique(b)) > len(np.unique(a))  # the extra bits carry information
    assert params(out16)["style"]["depth"] == 16


# ---- methods and inputs on the command line --------------------------------------------------


@pytest.mark.parametrize("method", ["newton", "relaxed", "halley", "schroder", "householder"])
def test_methods_from_the_command_line(tmp_path, method):
    out = tmp_path / f"{method}.png"
    relax = ["--relax", "0.9+0.1j"] if method == "relaxed" else []
    code, text = cli("-c", "1,0,-2,2", "-s", "60x60", "--method", method, *relax, "--stats-json", str(out))
    assert code == 0, text
    p = params(out)
    assert p["method"] == method and p["relax"] == ([0.9, 0.1] if relax else [1.0, 0.0])
    assert json.loads(text.splitlines()[0])["method"] == method


def test_methods_change_the_picture():
    pics = {
        m: nbcli.render(coefs=[1, 0, -2, 2], size=(80, 80), method=m, relax=0.8 + 0.4j).rgb
        for m in ("newton", "relaxed", "halley", "schroder", "householder")
    }
    names = list(pics)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not np.array_equal(pics[a], pics[b]), (a, b)


def test_schroder_is_fast_at_a_double_root():
    kw = {"roots": [1, 1, -1, 2j], "size": (120, 120)}
    newton = nbcli.render(**kw)
    schroder = nbcli.render(method="schroder", **kw)
    assert schroder.stats["mean_steps"] < 0.6 * newton.stats["mean_steps"]


def test_unknown_method_and_bad_relax_are_usage_errors(tmp_path):
    code, text = cli("-c", "1,0,-1", "--method", "secant", str(tmp_path / "x.png"))
    assert code == 2 and "unknown method 'secant'" in text
    code, text = cli("-c", "1,0,-1", "--method", "relaxed", "--relax", "0", str(tmp_path / "x.png"))
    assert code == 2 and "relax" in text
    assert not (tmp_path / "x.png").exists()


def test_expr_gives_the_same_png_as_coefs(tmp_path):
    a, b, f = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "f.png"
    assert cli("-e", "z^3 + z^2 - z - 1", "-s", "50x40", str(a))[0] == 0
    assert cli("-c", "1,1,-1,-1", "-s", "50x40", str(b))[0] == 0
    assert a.read_bytes() == b.read_bytes()
    # the same polynomial as a product: the same picture, and its roots recorded as the factors give them
    assert cli("-e", "(z-1)(z+1)^2", "-s", "50x40", str(f))[0] == 0
    assert np.array_equal(decode(f.read_bytes()), decode(b.read_bytes()))
    assert params(f)["coefs"] == params(b)["coefs"]
    assert params(f)["roots"] == [[1, 0], [-1, 0], [-1, 0]]


def test_malformed_expr_points_at_the_problem(tmp_path):
    r = run_cli("-e", "z^2 + 3*", str(tmp_path / "x.png"))
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.count("\n") == 1 and "character" in err and "Traceback" not in err


def test_fit_frames_all_roots(tmp_path):
    out, zoom = tmp_path / "f.png", tmp_path / "z.png"
    assert cli("-r", "3,-3,1j", "-s", "80x60", "--center", "5", "--width", "0.1", str(zoom))[0] == 0
    assert cli("--from", str(zoom), "--fit", str(out))[0] == 0
    vp = params(out)["viewport"]
    assert vp["xmin"] < -3 and vp["xmax"] > 3
    assert vp["ymin"] < 0 and vp["ymax"] > 1
    assert (vp["xmax"] - vp["xmin"]) / (vp["ymax"] - vp["ymin"]) == pytest.approx(80 / 60)
    code, text = cli("-c", "1,0,-1", "--fit", "--center", "0", str(out))
    assert code == 2 and "fit" in text


# ---- reproducibility: --from, --save-data, recolouring ---------------------------------------


def test_from_png_reproduces_the_same_bytes(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    args = [
        "-e",
        "z^5 - 3z^2 + (1+2j)",
        "-s",
        "90x70",
        "--method",
        "halley",
        "--aa",
        "2",
        "--palette",
        "okabe-ito",
        "--boundary",
        "#ffffff",
        "--mark-roots",
        "-n",
        "45",
        "--tol",
        "1e-8",
    ]
    assert cli(*args, str(a))[0] == 0
    assert cli("--from", str(a), str(b))[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_from_png_with_overrides(tmp_path):
    a, b, c = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    assert cli("-c", "1,0,0,-1", "-s", "80x60", "--center", "0.3", "--width", "2", str(a))[0] == 0
    assert cli("--from", str(a), "--palette", "pastel", "--size", "160x120", str(b))[0] == 0
    pa, pb = params(a), params(b)
    assert pb["style"]["palette"] == "pastel" and pb["size"] == [160, 120]
    assert pb["viewport"] == pa["viewport"]  # same view at a new resolution
    assert pb["coefs"] == pa["coefs"] and pb["itmax"] == pa["itmax"]
    assert cli("--from", str(a), "-c", "1,0,0,0,-1", str(c))[0] == 0  # a new polynomial in the same view
    assert params(c)["viewport"] == pa["viewport"] and params(c)["polynomial"] == "z^4 - 1"


def test_save_data_and_recolour_give_the_direct_render(tmp_path):
    png, data = tmp_path / "a.png", tmp_path / "a.npz"
    args = ["-c", "1,0,0,-1", "-s", "70x50", "--aa", "2", "--boundary", "#000000"]
    assert cli(*args, "--save-data", str(data), str(png))[0] == 0
    with np.load(data, allow_pickle=False) as z:
        assert z["root"].shape == (100, 140) and z["root"].dtype == np.int16
        assert z["smooth"].dtype == np.float32 and z["residual"].dtype == np.float32
        assert json.loads(str(z["parameters"]))["aa"] == 2
    again = tmp_path / "again.png"
    assert cli("--from", str(data), str(again))[0] == 0
    assert again.read_bytes() == png.read_bytes()
    recol, direct = tmp_path / "recol.png", tmp_path / "direct.png"
    assert (
        cli(
            "--from", str(data), "--palette", "pastel", "--shading", "iterations", "--depth", "16", str(recol)
        )[0]
        == 0
    )
    assert cli(*args, "--palette", "pastel", "--shading", "iterations", "--depth", "16", str(direct))[0] == 0
    assert recol.read_bytes() == direct.read_bytes()


def test_api_save_data_roundtrip(tmp_path):
    r = nbcli.render(coefs=[1, 0, 0, 0, -1], size=(40, 30))
    r.save_data(tmp_path / "d.npz")
    from nbcli.params import load_npz

    p, arrays = load_npz(tmp_path / "d.npz")
    for k in ("root", "iterations", "smooth", "residual"):
        assert np.array_equal(arrays[k], getattr(r, k), equal_nan=True)
    assert p["polynomial"] == "z^4 - 1"


def _corrupt_npz(tmp_path, kind: str):
    good = tmp_path / "good.npz"
    nbcli.render(coefs=[1, 0, -1], size=(20, 10)).save_data(good)
    bad = tmp_path / f"bad-{kind}.npz"
    with np.load(good, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if kind == "notzip":
        bad.write_bytes(b"hello")
        return bad
    if kind == "truncated":
        bad.write_bytes(good.read_bytes()[:300])
        return bad
    if kind == "missing":
        del arrays["smooth"]
    elif kind == "shape":
        arrays["root"] = arrays["root"][:5]
    elif kind == "range":
        arrays["root"] = np.full_like(arrays["root"], 7)
    elif kind == "pickle":
        arrays["root"] = np.array([{"a": 1}], dtype=object)
    elif kind == "json":
        arrays["parameters"] = np.array('{"coefs": NaN}')
    elif kind == "huge":
        p = json.loads(str(arrays["parameters"]))
        p["size"] = [65536, 65536]
        arrays["parameters"] = np.array(json.dumps(p))
    np.savez(bad, **arrays)
    return bad


@pytest.mark.parametrize(
    "kind", ["notzip", "truncated", "missing", "shape", "range", "pickle", "json", "huge"]
)
def test_corrupt_data_files_are_refused_cleanly(tmp_path, kind):
    bad = _corrupt_npz(tmp_path, kind)
    out = tmp_path / "out.png"
    r = run_cli("--from", str(bad), str(out))
    err = r.stderr.decode()
    assert r.returncode in (1, 2), err
    assert err.count("\n") == 1 and "Traceback" not in err and str(bad.name) in err, err
    assert not out.exists()


def test_hostile_png_parameters_are_refused(tmp_path):
    from nbcli.png import write_png

    for i, text in enumerate(
        [
            '{"coefs": [[1, 0]]}',
            "[1, 2]",
            '{"coefs": 1e999}',
            "{" * 5000,
            "not json",
            json.dumps(
                {
                    "coefs": [[1, 0], [0, 0], [-1, 0]],
                    "size": [10**9, 1],
                    "itmax": 5,
                    "tol": 1e-6,
                    "viewport": {"xmin": 0, "xmax": 1, "ymin": 0, "ymax": 1},
                }
            ),
        ]
    ):
        src = tmp_path / f"h{i}.png"
        write_png(src, np.zeros((2, 2, 3), np.uint8), {"nb-render": text})
        r = run_cli("--from", str(src), str(tmp_path / "o.png"))
        err = r.stderr.decode()
        assert r.returncode == 2, (text[:40], err)
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()
    plain = tmp_path / "plain.png"
    write_png(plain, np.zeros((2, 2, 3), np.uint8))
    r = run_cli("--from", str(plain), str(tmp_path / "o.png"))
    assert r.returncode == 2 and "no nb-render parameters" in r.stderr.decode()


# ---- statistics ------------------------------------------------------------------------------


def test_stats_line_and_json(tmp_path):
    out = tmp_path / "s.png"
    code, text = cli("-c", "1,0,0,-1", "-s", "99x99", "--stats", "--stats-json", str(out))
    assert code == 0
    js, line = text.splitlines()[:2]
    rec = json.loads(js)
    assert len(rec["root_share"]) == 3
    assert sum(rec["root_share"]) + rec["nonconverged_share"] == pytest.approx(1)
    assert rec["root_share"][1] == pytest.approx(rec["root_share"][2])  # the mirror-image basins
    assert rec["pixels"] == 99 * 99 and rec["mean_steps"] > 1
    assert line.startswith("z^3 - 1: 99x99, 3 roots, shares ") and "non-converged" in line


def test_stats_go_to_stderr_when_the_png_goes_to_stdout():
    r = run_cli("-c", "1,0,-1", "-s", "20x20", "--stats", "-")
    assert r.returncode == 0
    assert r.stdout.startswith(b"\x89PNG") and b"shares" in r.stderr


# ---- bounded memory --------------------------------------------------------------------------


def test_bands_give_the_same_bytes_as_one_piece(tmp_path):
    style = Style(boundary="#ffffff", mark_roots=True)
    scene = nbcli.Scene.create([1, 0, 0, 0, 0, 0, 1], size=(90, 77), aa=2)
    one, many = tmp_path / "one.png", tmp_path / "many.png"
    s1 = nbcli.render_to_png(one, scene, style, stats=True)
    s2 = nbcli.render_to_png(many, scene, style, stats=True, band_rows=5)
    assert one.read_bytes() == many.read_bytes()
    assert s1["root_share"] == s2["root_share"]
    direct = nbcli.render(scene, style)
    assert np.array_equal(decode(one.read_bytes()), direct.rgb)


def test_huge_images_are_split_into_bounded_bands():
    scene = nbcli.Scene.create([1, 0, 0, -1], size=(32768, 32768))
    style = Style()
    work = job(scene, style, scene.canonical_roots())
    rows = pipeline.band_rows(work, 0)
    assert rows < 32768
    assert rows * 32768 * pipeline.work_bytes_per_pixel(work, 0) <= pipeline.BAND_BYTES
    small = nbcli.Scene.create([1, 0, 0, -1], size=(1024, 1024))
    assert (
        pipeline.band_rows(job(small, style, small.canonical_roots()), 0) == 1024
    )  # whole: rows mirror across the real axis


def test_too_big_for_memory_fails_up_front(tmp_path):
    with pytest.raises(MemoryError, match=r"needs about .* GiB"):
        nbcli.render(coefs=[1, 0, -1], size=(65536, 65536))
    with pytest.raises(MemoryError, match="limit given"):
        nbcli.render(coefs=[1, 0, -1], size=(100, 100), max_memory=1000)
    out, data = tmp_path / "o.png", tmp_path / "d.npz"
    r = run_cli("-c", "1,0,-1", "-s", "65536x65536", "--aa", "1", "--save-data", str(data), str(out))
    err = r.stderr.decode()
    assert r.returncode == 1 and "needs about" in err and "--max-memory" in err and err.count("\n") == 1
    assert not out.exists() and not data.exists()
    r = run_cli("-c", "1,0,-1", "-s", "500x500", "--max-memory", "1K", str(out))
    assert r.returncode == 1 and "limit given" in r.stderr.decode()


def test_max_memory_is_parsed(tmp_path):
    code, text = cli("-c", "1,0,-1", "--max-memory", "lots", str(tmp_path / "x.png"))
    assert code == 2 and "--max-memory" in text
    code, _ = cli("-c", "1,0,-1", "-s", "10x10", "--max-memory", "2G", str(tmp_path / "x.png"))
    assert code == 0


def test_data_file_is_plain_npz(tmp_path):
    r = nbcli.render(coefs=[1, 0, -1], size=(8, 6))
    r.save_data(tmp_path / "d.npz")
    with zipfile.ZipFile(tmp_path / "d.npz") as z:
        assert sorted(z.namelist()) == [
            "iterations.npy",
            "parameters.npy",
            "residual.npy",
            "root.npy",
            "smooth.npy",
        ]


def test_a_memory_limit_streams_in_smaller_bands(tmp_path):
    out, ref = tmp_path / "o.png", tmp_path / "r.png"
    code, text = cli("-c", "1,0,0,-1", "-s", "600x600", "--max-memory", "2M", str(out))
    assert code == 0, text
    assert cli("-c", "1,0,0,-1", "-s", "600x600", str(ref))[0] == 0
    assert out.read_bytes() == ref.read_bytes()


def test_relax_without_the_relaxed_method_is_refused(tmp_path):
    code, text = cli("-c", "1,0,-1", "--relax", "0.5", str(tmp_path / "x.png"))
    assert code == 2 and "--relax only applies to --method relaxed" in text


def test_output_must_be_a_regular_file(tmp_path):
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = run_cli("-c", "1,0,-1", "-s", "8x8", str(fifo))
    assert r.returncode == 1 and "not a regular file" in r.stderr.decode()


def test_from_a_file_of_another_version_says_so(tmp_path):
    from nbcli.png import write_png

    a = tmp_path / "a.png"
    assert cli("-c", "1,0,-1", "-s", "8x8", str(a))[0] == 0
    p = params(a)
    p["version"] = "0.0.1"
    old = tmp_path / "old.png"
    write_png(old, np.zeros((8, 8, 3), np.uint8), {"nb-render": json.dumps(p)})
    r = run_cli("--from", str(old), str(tmp_path / "b.png"))
    assert r.returncode == 0 and "made by nb-render 0.0.1" in r.stderr.decode()


def test_basic_colour_names():
    from nbcli.colors import parse_color

    assert parse_color("Red") == (255, 0, 0)
    assert parse_color(" navy ") == (0, 0, 128)
    with pytest.raises(ValueError, match=r"CSS colour name \(white, navy"):
        parse_color("reddish")
