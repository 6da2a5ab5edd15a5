"""What a new user tripped over, one test (or a few) per point: numbers with spaces, outputs that are the same
file, the memory limit, --help at 80 columns, no arguments, --from a missing file, temporary names in errors,
one case rule for names, --stretch and a polynomial without its option, the API's names, compute's empty
images, CSS colours, shell completion."""

from __future__ import annotations

import os
import re
import sys

import numpy as np
import pytest
from conftest import run_cli

import nbcli
from nbcli.colors import NAMED_COLORS, parse_color, root_colors, split_colors
from nbcli.params import read_parameters
from nbcli.poly import parse_complex, parse_complex_list


def _one_line_error(res, code=2) -> str:
    assert res.returncode == code, res.stderr
    err = res.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("nb-render: error: "), err
    return err


# 1. a space between two numbers is an error, not digits run together


@pytest.mark.parametrize(
    ("text", "expected"), [("1 + 2j", 1 + 2j), (" - 2 ", -2), ("3+ 4i", 3 + 4j), ("1 -2j", 1 - 2j)]
)
def test_spaces_around_the_sign_of_a_number_are_fine(text, expected):
    assert parse_complex(text) == expected


@pytest.mark.parametrize(("text", "commas"), [("1 0", "(1,0)"), ("1 5", "(1,5)"), ("1 0 1", "(1,0,1)")])
def test_spaces_between_numbers_say_to_use_commas(text, commas):
    with pytest.raises(ValueError, match=re.escape(f"separate numbers with commas {commas}")):
        parse_complex(text)
    with pytest.raises(ValueError, match=r"coefficient 1 .*separate numbers with commas"):
        parse_complex_list(text + ",1")


def test_a_space_inside_a_number_is_an_error():
    with pytest.raises(ValueError, match="a space inside a number"):
        parse_complex("1e -3")


def test_cli_refuses_numbers_run_together(tmp_path):
    for args in (["--coefs", "1 0,1"], ["--roots", "1 2,3"], ["-c", "1,0,-1", "--center", "1 5"]):
        err = _one_line_error(run_cli(*args, "-s", "8", str(tmp_path / "o.png")))
        assert "separate numbers with commas" in err
    assert not any(tmp_path.iterdir())


# 2. two outputs that are the same file


def test_same_output_twice_is_refused(tmp_path):
    img = tmp_path / "same.png"
    (tmp_path / "link.png").symlink_to(img)
    for data in ("same.png", "./same.png", "link.png", str(img)):
        err = _one_line_error(
            run_cli("-c", "1,0,-1", "-s", "8", "--save-data", data, "same.png", cwd=tmp_path)
        )
        assert "--save-data and the image are the same file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png"]
    with pytest.raises(ValueError, match="the image and the data would be the same file"):
        nbcli.render_to_file(img, coefs=[1, 0, -1], size=(8, 8), save_data=tmp_path / "." / "link.png")


# 3. the memory limit: bands shrink for a PNG; what must be held whole cannot


def test_memory_limit_shrinks_png_bands_and_stops_what_must_be_whole(tmp_path):
    res = run_cli("-c", "1,0,0,-1", "-s", "1024x1024", "--max-memory", "2M", str(tmp_path / "ok.png"))
    assert res.returncode == 0, res.stderr
    args = ("-c", "1,0,0,-1", "-s", "1024x1024", "--max-memory", "2M")
    err = _one_line_error(run_cli(*args, "--save-data", str(tmp_path / "d.npz"), str(tmp_path / "a.png")), 1)
    assert "--save-data keeps all the per-pixel data: leave it out" in err
    assert "is the limit given (--max-memory)" in err
    err = _one_line_error(run_cli(*args, str(tmp_path / "b.jpg")), 1)
    assert "JPEG needs the whole image in memory: write a PNG" in err
    err = _one_line_error(
        run_cli("-c", "1,0,-1", "-s", "64", "--max-memory", "1", str(tmp_path / "c.png")), 1
    )
    assert "but 1 byte is the limit given" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.png"]


# 4. --help reads well at 80 columns and wider; examples stay whole


@pytest.mark.parametrize("columns", [80, 120])
def test_help_fits_the_terminal_and_examples_copy_whole(columns):
    from nbcli.cli.app import EXAMPLES

    res = run_cli("--help", env={**os.environ, "COLUMNS": str(columns)})
    assert res.returncode == 0
    text = res.stdout.decode()
    assert "…" not in text  # nothing cut off
    assert max(len(line) for line in text.splitlines()) <= columns
    lines = [line.strip() for line in text.splitlines()]
    for cmd, _what in EXAMPLES:
        assert any(line.startswith(cmd) for line in lines), cmd
        assert len(cmd) + 2 < 80
    assert "'navy,gold,#1b9e77'" in text


# 5. no arguments: a short usage on stderr, nothing on stdout


def test_no_arguments_prints_a_short_usage_to_stderr():
    res = run_cli()
    assert res.returncode == 2
    assert res.stdout == b""
    err = res.stderr.decode()
    assert err.count("\n") == 2 and err.startswith("Usage: nb-render [OPTIONS] OUTPUT")
    assert "--help" in err


# 6. --from a missing file is bad input: exit 2


def test_from_a_missing_file_or_a_directory_exits_2(tmp_path):
    err = _one_line_error(run_cli("--from", str(tmp_path / "missing.png"), str(tmp_path / "o.png")))
    assert "missing.png: no such file" in err
    err = _one_line_error(run_cli("--from", str(tmp_path), str(tmp_path / "o.png")))
    assert "is not a regular file" in err


# 7. errors name the user's file, never the temporary one


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_errors_name_the_users_path_not_the_temporary_one():
    err = _one_line_error(run_cli("-c", "1,0,-1", "-s", "8", "/proc/out.png"), 1)
    assert "cannot write /proc/out.png" in err
    assert ".part" not in err


# 9. one case rule for every name; mistakes get the nearest real name


def test_names_are_read_in_any_case(tmp_path):
    pytest.importorskip("matplotlib")
    args = ["-c", "1,0,-1", "-s", "8", "--method", "Halley", "--palette", "Viridis", "--shading", "FLAT"]
    args += ["--precision", "Double", "--kernel", "AUTO", "--format", "PNG", "--boundary", "White"]
    res = run_cli(*args, str(tmp_path / "o.png"))
    assert res.returncode == 0, res.stderr
    assert read_parameters(tmp_path / "o.png")["method"] == "halley"
    np.testing.assert_array_equal(root_colors("Set2", 3), root_colors("set2", 3))


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["--method", "netwon"], "did you mean newton?"),
        (["--shading", "smoth"], "did you mean smooth?"),
        (["--palette", "okabe-it"], "did you mean okabe-ito?"),
        (["--kernel", "baselne"], "did you mean baseline?"),  # a kernel every build has
        (["--format", "jpgg"], "did you mean jpeg?"),
        (["--nonconverged-color", "whte"], "did you mean white?"),
        (["--palete", "x"], "--palette"),
    ],
)
def test_mistakes_suggest_the_nearest_name(tmp_path, args, suggestion):
    err = _one_line_error(run_cli("-c", "1,0,-1", "-s", "8", *args, str(tmp_path / "o.png")))
    assert suggestion in err


# 10. --stretch without the four bounds; a polynomial given without its option


def test_stretch_needs_all_four_bounds(tmp_path):
    err = _one_line_error(
        run_cli("-c", "1,0,-1", "--stretch", "--xmin", "-1", "--xmax", "1", str(tmp_path / "o.png"))
    )
    assert "give all of --xmin, --xmax, --ymin and --ymax" in err
    with pytest.raises(ValueError, match="give all of xmin, xmax, ymin and ymax"):
        nbcli.Scene.create([1, 0, -1], stretch=True, xmin=-1, xmax=1)


def test_a_polynomial_without_its_option_suggests_it(tmp_path):
    err = _one_line_error(run_cli("z^3-1", "out.png", cwd=tmp_path))
    assert "use -e: nb-render -e 'z^3-1' OUTPUT" in err
    err = _one_line_error(run_cli("1,0,0,-1", "out.png", cwd=tmp_path))
    assert "use -c: nb-render -c '1,0,0,-1' OUTPUT" in err
    assert not any(tmp_path.iterdir())


# 11. the Python API uses the command line's names


def test_api_takes_the_command_lines_arguments():
    a = nbcli.render(expr="z^3 - 1", size=64, center="0.5+0.5j", width=1.0, keep_data=False)
    assert (a.scene.width, a.scene.height) == (64, 64)
    assert a.scene.viewport == nbcli.Viewport(0.0, 1.0, 0.0, 1.0)
    b = nbcli.render(coefs="1,0,0,-1", size="64x64", center=0.5 + 0.5j, span=1.0, keep_data=False)
    np.testing.assert_array_equal(a.rgb, b.rgb)
    assert nbcli.Scene.create(roots="1,-1,1j,-1j", size=(8, 8)).polynomial == "z^4 - 1"
    with pytest.raises(ValueError, match="exactly one"):
        nbcli.Scene.create([1, 0, -1], expr="z^2 - 1")
    with pytest.raises(ValueError, match="width once"):
        nbcli.Scene.create([1, 0, -1], width=1.0, span=1.0)


def test_the_package_lists_only_its_public_names():
    assert dir(nbcli) == sorted(nbcli.__all__)
    assert not {"Any", "TYPE_CHECKING", "annotations", "typing", "importlib"} & set(dir(nbcli))


# 12. compute accepts what nb_cpp accepts


def test_compute_accepts_empty_images_and_degenerate_arguments():
    assert nbcli.compute(imw=0, imh=0).shape == (0, 0, 3)
    assert nbcli.compute(imw=7, imh=0).shape == (0, 7, 3)
    assert nbcli.compute(imw=0, imh=5).dtype == np.float64
    np.testing.assert_array_equal(nbcli.compute(imw=4, imh=3, itmax=0), np.zeros((3, 4, 3)))
    # bounds in either order: the same start points, as nb_cpp's formula gives them
    flipped = nbcli.compute(imw=8, imh=8, coefs=[1, 0, -1], crmin=2, crmax=-2, cimin=2, cimax=-2)
    assert flipped.shape == (8, 8, 3)
    # tol 0: a pixel converges when p(z) is exactly 0 (z0 = 1, row 2, column 3, at once), so never sooner
    # than with a tolerance
    view = {"imw": 16, "imh": 16, "coefs": [1, 0, -1], "crmin": -2, "crmax": 2, "cimin": -2, "cimax": 2}
    exact, loose = nbcli.compute(**view, tol=0), nbcli.compute(**view, tol=1e-6)
    assert tuple(exact[8, 12]) == (0.0, 1.0, 1.0)
    assert (exact[..., 2] <= loose[..., 2]).all()
    assert (exact[..., 2] < loose[..., 2]).any()


# 13. colours: the 148 CSS names, rgb(), hsl(), hex with or without '#'


def test_css_colour_names_match_the_css_table():
    colors = pytest.importorskip("matplotlib.colors")
    assert len(NAMED_COLORS) == 148
    for name, hexa in colors.CSS4_COLORS.items():
        assert parse_color(name) == tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5)), name
    assert parse_color("RebeccaPurple") == (102, 51, 153)


@pytest.mark.parametrize(
    ("text", "rgb"),
    [
        ("rgb(27, 158, 119)", (27, 158, 119)),
        ("rgb(27 158 119)", (27, 158, 119)),
        ("RGB(100%, 50%, 0%)", (255, 128, 0)),
        ("hsl(120, 100%, 50%)", (0, 255, 0)),
        ("hsl(240deg 100% 25%)", (0, 0, 128)),
        ("hsl(0 0% 50%)", (128, 128, 128)),
        ("1b9e77", (27, 158, 119)),
        ("#1B9E77", (27, 158, 119)),
        ("fff", (255, 255, 255)),
    ],
)
def test_colour_forms(text, rgb):
    assert parse_color(text) == rgb


@pytest.mark.parametrize(
    ("text", "match"), [("rgba(1, 2, 3, 0.5)", "no transparency"), ("rgb(a, 2, 3)", "red 'a'")]
)
def test_bad_colour_functions(text, match):
    with pytest.raises(ValueError, match=match):
        parse_color(text)


def test_palettes_of_colour_functions_split_at_the_right_commas(tmp_path):
    assert split_colors("navy, rgb(1, 2, 3),#fff") == ["navy", "rgb(1, 2, 3)", "#fff"]
    np.testing.assert_array_equal(
        root_colors("navy,rgb(1, 2, 3),hsl(0, 100%, 50%)", 3), [[0, 0, 128], [1, 2, 3], [255, 0, 0]]
    )
    res = run_cli(
        "-c",
        "1,0,-1",
        "-s",
        "8",
        "-p",
        "gold,rgb(0, 0, 128)",
        "--boundary",
        "hsl(0,0%,100%)",
        str(tmp_path / "o.png"),
    )
    assert res.returncode == 0, res.stderr


# 14. shell completion


def test_shell_completion_is_available():
    res = run_cli("--show-completion", "bash", env={**os.environ, "SHELL": "/bin/bash"})
    assert res.returncode == 0 and b"_nb_render_completion" in res.stdout
    env = {
        **os.environ,
        "_NB_RENDER_COMPLETE": "complete_bash",
        "COMP_WORDS": "nb-render --pal",
        "COMP_CWORD": "1",
    }
    res = run_cli(env=env)
    assert res.returncode == 0 and res.stdout.split() == [b"--palette"]
    env.update(COMP_WORDS="nb-render --method h", COMP_CWORD="2")
    res = run_cli(env=env)
    assert res.returncode == 0 and sorted(res.stdout.split()) == [b"halley", b"householder"]


def test_usage_documents_completion():
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs" / "usage.md"
    if not docs.exists():
        pytest.skip("needs the source checkout")
    assert "--install-completion" in docs.read_text(encoding="utf-8")


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX paths and symbolic links")


# The default iteration limit follows the polynomial and the view


def test_default_itmax_fills_what_more_steps_would_fill():
    # Not a square view: its pixels would lie on the diagonals, lines through no root that
    # Newton's map keeps. A kernel without FMA keeps such an orbit exactly on its line, where
    # it never converges, and their neighbours take thousands of steps to leave it (with FMA
    # the real and imaginary parts round apart and the orbit leaves). Every kernel must pass.
    z12 = nbcli.Scene.create(coefs=[1] + [0] * 11 + [-1], size=(150, 110))
    assert z12.itmax > 60
    default = nbcli.render(z12)
    at_60 = nbcli.render(z12.with_options(itmax=60))
    more = nbcli.render(z12.with_options(itmax=4 * z12.itmax))
    assert at_60.stats["nonconverged_share"] > 0.1  # the black disc of the old default
    assert default.stats["nonconverged_share"] < 0.01
    np.testing.assert_array_equal(default.root, more.root)  # more steps fill nothing more


def test_default_itmax_keeps_true_non_convergence_and_stays_small_where_60_is_enough():
    cycle = nbcli.Scene.create(coefs=[1, 0, -2, 2], size=(120, 90))  # an attracting cycle near 0 and 1
    assert cycle.itmax == 60
    r = nbcli.render(cycle)
    assert r.stats["nonconverged_share"] > 0.001
    longer = nbcli.render(cycle.with_options(itmax=2000))
    assert longer.stats["nonconverged_share"] == pytest.approx(r.stats["nonconverged_share"], abs=1e-3)
    assert nbcli.Scene.create(coefs=[1, 0, 0, -1], size=(64, 64)).itmax == 60


def test_default_itmax_on_the_command_line(tmp_path):
    out = tmp_path / "z12.png"
    assert run_cli("-c", "1,0,0,0,0,0,0,0,0,0,0,0,-1", "-s", "96", str(out)).returncode == 0
    itmax = read_parameters(out)["itmax"]
    assert itmax > 60
    again = tmp_path / "again.png"
    assert run_cli("--from", str(out), "--width", "1", str(again)).returncode == 0  # --from keeps it
    assert read_parameters(again)["itmax"] == itmax
    assert run_cli("-c", "1,0,0,0,0,0,0,0,0,0,0,0,-1", "-s", "96", "-n", "70", str(out)).returncode == 0
    assert read_parameters(out)["itmax"] == 70
