"""Deep views: exact centres and widths, the automatic choice of precision, and their records."""

from __future__ import annotations

import json
import warnings
from fractions import Fraction

import numpy as np
import pytest
from conftest import run_cli
from edges import Z3_EDGE

import nbcli
from nbcli import Scene, Viewport
from nbcli.errors import ParameterError
from nbcli.params import load_npz, read_parameters
from nbcli.poly.exact import double_double, exact_text, parse_exact, parse_exact_complex


@pytest.mark.parametrize(
    ("text", "re", "im"),
    [
        ("0.3", "3/10", "0"),
        (
            "-0.5123456789012345678901234+0.123456789012345678901j",
            "-0.5123456789012345678901234",
            "0.123456789012345678901",
        ),
        ("2j", "0", "2"),
        ("-j", "0", "-1"),
        ("1+i", "1", "1"),
        ("1e-3-2e-5j", "1/1000", "-1/50000"),
        ("1E+5 - 3.25e-3i", "100000", "-13/4000"),
        ("(1+2j)", "1", "2"),
        ("+.5j", "0", "1/2"),
        ("1e5j", "0", "100000"),
        ("3e-25", "3e-25", "0"),
    ],
)
def test_numbers_are_read_exactly(text, re, im):
    assert parse_exact_complex(text) == (Fraction(re), Fraction(im))


def test_exact_numbers_are_refused_like_the_others():
    for bad in ("", "1 0", "nan", "1+2", "abc", "1e999"):
        with pytest.raises(ParameterError):
            parse_exact_complex(bad, "--center")
    with pytest.raises(ParameterError, match="real number"):
        parse_exact("1+2j", "--width")


def test_exact_text_reads_back_exactly():
    for x in (
        Fraction(1, 3),
        Fraction(0.1),
        Fraction(-1, 8),
        Fraction("3e-25"),
        Fraction(5 * 10**30),
        Fraction(0),
    ):
        t = exact_text(x)
        assert Fraction(t) == x
    assert exact_text(Fraction("3e-25")) == "3e-25"
    assert exact_text(Fraction("-0.5123456789012345678901234")) == "-0.5123456789012345678901234"


def test_double_double_grid_is_the_exact_grid_rounded_once():
    vp = Viewport.centered(parse_exact_complex(Z3_EDGE), "1e-24", "7.5e-25")
    xs, xs_lo, ys, ys_lo = vp.grid_dd(16, 12)
    e = vp.exact
    for i in range(16):
        exact = e.cx + (i - Fraction(15, 2)) * Fraction(float(e.width) / 16)
        assert (xs[i], xs_lo[i]) == double_double(exact)
    for j in range(12):
        exact = e.cy - (j - Fraction(11, 2)) * Fraction(float(e.height) / 12)
        assert (ys[j], ys_lo[j]) == double_double(exact)
        assert ys[j] + ys_lo[j] == ys[j]  # normalised: the low part below half a unit of the high part
    assert len(set(xs)) < 4  # the doubles alone cannot tell the columns apart


@pytest.mark.parametrize(
    ("width", "expected"),
    [("4", "double"), ("1e-9", "double"), ("1e-12", "double-double"), ("1e-25", "double-double")],
)
def test_auto_chooses_double_until_the_view_is_too_narrow_for_it(width, expected):
    s = Scene.create(coefs=[1, 0, 0, -1], size=(1024, 768), center="0.3+0.1j", width=width)
    assert (s.precision, s.precision_used) == ("auto", expected)
    assert s.to_dict()["precision"] == expected


def test_single_is_never_chosen_and_explicit_choices_are_kept():
    s = Scene.create(coefs=[1, 0, 0, -1], size=(64, 48), center="0.3", width="1e-14", precision="double")
    assert s.precision_used == "double"
    assert nbcli.precision_warnings(s) and "too narrow for double" in nbcli.precision_warnings(s)[0]
    s = Scene.create(coefs=[1, 0, 0, -1], size=(64, 48), precision="double-double")
    assert s.precision_used == "double-double"
    assert not nbcli.precision_warnings(s)


def test_a_view_too_narrow_for_double_double_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="too narrow even for double-double"):
        Scene.create(coefs=[1, 0, 0, -1], size=(1024, 1024), center="0.3", width="1e-29")
    Scene.create(coefs=[1, 0, 0, -1], size=(1024, 1024), center="0.3", width="1e-27")  # fine
    r = run_cli("-c", "1,0,0,-1", "--center", "0.3", "--width", "1e-30", str(tmp_path / "out.png"))
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2
    assert len(lines) == 1 and "too narrow even for double-double" in lines[0]


def test_deep_centre_and_width_are_recorded_exactly_and_reproduced(tmp_path):
    out, again = tmp_path / "deep.png", tmp_path / "again.png"
    args = ["-c", "1,0,0,-1", "--center", Z3_EDGE, "--width", "1e-20", "-n", "200", "-s", "48x36", "-q"]
    assert run_cli(*args, str(out)).returncode == 0
    params = read_parameters(out)
    assert params["precision"] == "double-double"
    vp = params["viewport"]
    re, im = Z3_EDGE[:-1].split("+")
    assert vp["center"] == [re, im]
    assert vp["width"] == "1e-20"
    assert Fraction(vp["height"]) == Fraction(float(Fraction("1e-20")) * 36 / 48)
    assert run_cli("--from", str(out), "-q", str(again)).returncode == 0
    assert out.read_bytes() == again.read_bytes()


def test_a_deep_view_shows_what_double_cannot(tmp_path):
    """Every pixel of a view 1e-20 wide starts at one of a few doubles: double draws blocks,
    double-double the boundary's structure."""
    kw = {"coefs": [1, 0, 0, -1], "size": (48, 36), "center": Z3_EDGE, "width": "1e-20", "itmax": 200}
    deep = nbcli.render(**kw)
    with pytest.warns(nbcli.PrecisionWarning, match="too narrow for double"):
        flat = nbcli.render(**kw, precision="double")
    assert deep.stats["precision"] == "double-double"
    assert len(np.unique(deep.iterations)) > 8
    assert len(np.unique(flat.iterations)) <= 2
    assert set(np.unique(deep.root)) == {0, 1, 2}


def test_from_a_double_render_zooms_in_with_auto(tmp_path):
    src, deep = tmp_path / "src.png", tmp_path / "deep.png"
    assert run_cli("-c", "1,0,0,-1", "-s", "32x24", "--precision", "double", "-q", str(src)).returncode == 0
    assert read_parameters(src)["precision"] == "double"
    r = run_cli("--from", str(src), "--center", Z3_EDGE, "--width", "1e-18", "-n", "150", "-q", str(deep))
    assert r.returncode == 0, r.stderr
    assert read_parameters(deep)["precision"] == "double-double"


def test_hostile_exact_view_fields_are_refused():
    s = Scene.create(coefs=[1, 0, 0, -1], size=(32, 24), center=Z3_EDGE, width="1e-20")
    good = json.loads(json.dumps(s.to_dict()))
    assert Scene.from_dict(good) == s
    for field, value in [
        ("center", ["1", "2", "3"]),
        ("center", [1.0, 2.0]),
        ("width", "x" * 500),
        ("width", "-1e-20"),
        ("height", "1/0"),
        ("width", None),
    ]:
        bad = json.loads(json.dumps(good))
        bad["viewport"][field] = value
        with pytest.raises(ParameterError):
            Scene.from_dict(bad)


def test_a_view_1e25_wide_on_a_boundary_shows_structure():
    """Into a boundary point of z^3 - 1 at 1e-25: all three basins and many distinct colours,
    where double has a single start point for every pixel."""
    kw = {"coefs": [1, 0, 0, -1], "size": (64, 48), "center": Z3_EDGE, "width": "1e-25"}
    style = nbcli.Style(shading="iterations")  # smooth shading is at its darkest after 60 steps
    deep = nbcli.render(**kw, style=style)
    assert deep.stats["precision"] == "double-double"
    assert set(np.unique(deep.root)) == {0, 1, 2}
    assert len(np.unique(deep.rgb.reshape(-1, 3), axis=0)) >= 40
    with pytest.warns(nbcli.PrecisionWarning):
        flat = nbcli.render(**kw, style=style, precision="double")
    assert len(np.unique(flat.rgb.reshape(-1, 3), axis=0)) == 1


def _near_a_boundary(root: np.ndarray) -> np.ndarray:
    """Pixels with a neighbour (of the eight) in another basin."""
    p = np.pad(root, 1, mode="edge")
    h, w = root.shape
    near = np.zeros(root.shape, bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            near |= p[dy : dy + h, dx : dx + w] != root
    return near


def test_a_zoom_crosses_into_double_double_without_a_seam():
    """The frames of a zoom on either side of auto's switch from double to double-double look
    the same in the other precision (both are valid there): any pixel that differs lies on a
    basin boundary, and they are few."""
    from nbcli.animation import Animation

    ends = [
        Scene.create(coefs=[1, 0, 0, -1], size=(64, 48), center=Z3_EDGE, width=w, itmax=300)
        for w in ("1e-11", "1e-15")
    ]
    anim = Animation.between(*ends, frames=9, fps=8, easing="linear")
    used = [anim.frame(k)[0].precision_used for k in range(len(anim))]
    switch = used.index("double-double")
    assert switch > 0 and set(used[:switch]) == {"double"} and set(used[switch:]) == {"double-double"}
    for k, other in ((switch - 1, "double-double"), (switch, "double")):
        scene, style = anim.frame(k)
        shown = anim.render(k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", nbcli.PrecisionWarning)  # double at its limit says so
            alt = nbcli.render(scene.with_options(precision=other), style)
        assert alt.stats["precision"] == other
        differ = (shown.rgb != alt.rgb).any(axis=-1)
        assert differ.mean() <= 0.01, f"frame {k}: {differ.mean():.2%} of the pixels differ in {other}"
        assert not (differ & ~_near_a_boundary(shown.root)).any(), f"frame {k}: a basin's inside differs"


def test_a_deep_view_renders_the_same_in_tiles():
    """Tiles take their start points (low parts included) from the whole image's grid and the
    series reference of the whole image: put together, they are the image."""
    from nbcli.tiles import render_tile

    scene = Scene.create(coefs=[1, 0, 0, -1], size=(40, 30), center=Z3_EDGE, width="1e-20", itmax=200)
    whole = nbcli.render(scene)
    assert whole.stats["precision"] == "double-double" and whole.stats["series_steps"] > 0
    for rows, cols in (((0, 13), (0, 40)), ((13, 30), (0, 17)), ((13, 30), (17, 40))):
        tile = render_tile(scene, rows=rows, cols=cols)
        np.testing.assert_array_equal(tile.rgb, whole.rgb[slice(*rows), slice(*cols)])


def test_deep_view_in_saved_data_is_exact_and_renders_again(tmp_path):
    """--save-data's .npz records the exact centre too: a scene read from it is the same scene,
    and --from it with another size renders the same view in double-double again."""
    png, npz, again = tmp_path / "deep.png", tmp_path / "deep.npz", tmp_path / "again.png"
    args = ["-c", "1,0,0,-1", "--center", Z3_EDGE, "--width", "3e-25", "-n", "200", "-s", "40x30", "-q"]
    assert run_cli(*args, "--save-data", str(npz), str(png)).returncode == 0
    params, arrays = load_npz(npz)
    assert params["viewport"]["width"] == "3e-25" and params["precision"] == "double-double"
    assert len(np.unique(arrays["iterations"])) > 8  # the saved data has the deep view's structure
    assert Scene.from_dict(params) == Scene.from_dict(read_parameters(png))
    assert run_cli("--from", str(npz), "-s", "48x36", "-q", str(again)).returncode == 0
    redone = read_parameters(again)
    assert (
        redone["precision"] == "double-double"
        and redone["viewport"]["center"] == params["viewport"]["center"]
    )
