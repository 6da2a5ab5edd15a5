"""The Python API against arguments of every wrong type and value, and files it writes read back.

Property-based (Hypothesis): every public function, given one argument of a wrong type or value
(the others right), raises TypeError or ValueError with a message naming the argument, and
nothing else; every file nb-render writes is accepted by --from with the same scene and style.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import nbcli
from nbcli import Scene, Style, Viewport
from nbcli.checks import MAX_PALETTE
from nbcli.errors import NotEnoughMemory, ParameterError
from nbcli.params import load_source

# Values of every kind a caller might pass by mistake.
JUNK = [
    None,
    True,
    False,
    0,
    -1,
    2**70,
    -(2**63),
    0.5,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    1j,
    "",
    "x",
    "1G",
    "\x1b[31m",
    "9" * 10_000,
    b"x.png",
    [],
    [1, 2],
    [None],
    ["#fff", None],
    {},
    {"root": 1},
    (1, 2, 3),
    object(),
    np.array([1.0, 2.0]),
    np.float64("nan"),
    lambda *a: None,
]

SMALL = {"expr": "z^3 - 1", "size": (6, 4), "itmax": 8}
RENDERED = nbcli.render(**SMALL, threads=1)


def _calls(tmp: str) -> dict[str, tuple]:
    """Each public function: (how to call it with keyword arguments, the right arguments)."""
    out = f"{tmp}/out.png"
    return {
        "compute": (nbcli.compute, {"imw": 6, "imh": 4, "coefs": [1, 0, -1], "itmax": 8, "threads": 1}),
        "render": (nbcli.render, {**SMALL, "threads": 1, "keep_data": True, "max_memory": None}),
        "render_to_file": (
            lambda **kw: nbcli.render_to_file(kw.pop("path"), **kw),
            {**SMALL, "path": out, "stats": False, "lossless": False, "band_rows": None, "source": None},
        ),
        "render_to_png": (lambda **kw: nbcli.render_to_png(kw.pop("path"), **kw), {**SMALL, "path": out}),
        "Scene.create": (
            Scene.create,
            {
                **SMALL,
                "center": 0.5,
                "width": 2.0,
                "method": "newton",
                "relax": 1,
                "aa": 1,
                "precision": "double",
            },
        ),
        "Style": (
            lambda **kw: Style(**kw).validate(),
            {
                "palette": "default",
                "shading": "smooth",
                "nonconverged": "black",
                "boundary": None,
                "depth": 8,
            },
        ),
        "Style.mark_roots": (lambda **kw: Style(**kw).validate(), {"mark_roots": False}),
        "Viewport": (Viewport, {"xmin": -1.0, "xmax": 1.0, "ymin": -1.0, "ymax": 1.0}),
        "render.style": (nbcli.render, {**SMALL, "style": Style()}),
        "render.progress": (nbcli.render, {**SMALL, "progress": None}),
        "render.kernel": (nbcli.render, {**SMALL, "kernel": None}),
        "single_precision_warnings": (nbcli.single_precision_warnings, {"scene": Scene.create(**SMALL)}),
        "precision_warnings": (nbcli.precision_warnings, {"scene": Scene.create(**SMALL)}),
        "Viewport.centered": (Viewport.centered, {"center": 0.5j, "width": 2.0, "height": 1.0}),
        "Render.save": (
            RENDERED.save,
            {"path": out, "format": None, "quality": None, "lossless": False, "threads": None},
        ),
        "Render.save_data": (RENDERED.save_data, {"path": f"{tmp}/out.npz"}),
        "render_tile": (
            nbcli.render_tile,
            {
                "scene": Scene.create(**SMALL),
                "rows": (0, 2),
                "cols": (1, 4),
                "threads": 1,
                "keep_data": True,
                "max_memory": None,
                "roots": None,
                "source": None,
            },
        ),
        "render_to_zarr": (
            lambda **kw: nbcli.render_to_zarr(kw.pop("path"), **kw),
            {
                **SMALL,
                "path": f"{tmp}/out.zarr",
                "fields": ("rgb",),
                "chunks": 4,
                "threads": 1,
                "stats": False,
                "max_memory": None,
                "progress": None,
                "source": None,
            },
        ),
        "to_dask": (
            nbcli.to_dask,
            {"scene": Scene.create(**SMALL), "chunks": 4, "fields": ("rgb", "root"), "threads": 1},
        ),
    }


CALLS = list(_calls("."))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("api"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(CALLS), data=st.data())
def test_wrong_arguments_raise_only_type_or_value_errors(folder, which, data):
    fn, right = _calls(folder)[which]
    name = data.draw(st.sampled_from(sorted(right)), label="argument")
    value = data.draw(st.sampled_from(JUNK), label="value")
    message = None
    try:
        with contextlib.chdir(folder):  # a wrong value that is a valid file name ('x') is written there
            fn(**{**right, name: value})
    except NotEnoughMemory:
        # not an argument error: a valid limit (max_memory=True is refused as a bool) too small
        assert name == "max_memory" and isinstance(value, int) and value > 0
    except (TypeError, ValueError) as e:  # anything else (AttributeError, KeyError, ...) fails the test
        message = str(e)
    if message is not None:  # one line that says what is wrong (a path may appear whole)
        assert message and "\n" not in message and len(message) < 400 + len(str(value)), message


@pytest.mark.parametrize(
    ("call", "kind", "words"),
    [
        (lambda: Style(nonconverged=5).validate(), TypeError, "nonconverged"),
        (lambda: Style(boundary=0xFFFFFF).validate(), TypeError, "boundary"),
        (lambda: Style(palette=[1, 2]).validate(), TypeError, "palette"),
        (lambda: Style(palette=("#fff", None)).validate(), TypeError, "palette"),
        (lambda: Style(palette=["#fff"] * (MAX_PALETTE + 1)).validate(), ValueError, "give 1 to 4096"),
        (lambda: Style(depth="8").validate(), TypeError, "depth"),
        (lambda: Style(shading=3).validate(), TypeError, "shading"),
        (lambda: nbcli.render(**SMALL, style="okabe-ito"), TypeError, "style must be a nbcli.Style"),
        (lambda: nbcli.render(**SMALL, max_memory="1G"), TypeError, "max_memory must be a number of bytes"),
        (
            lambda: nbcli.render(**SMALL, max_memory=-1),
            ValueError,
            "max_memory must be a number of bytes > 0",
        ),
        (lambda: nbcli.render_to_png(b"x.png", **SMALL), TypeError, "path must be a file name"),
        (lambda: nbcli.render_to_png("x.png", **SMALL, source={"root": 1}), ValueError, "source must hold"),
        (lambda: nbcli.render(**SMALL, progress=5), TypeError, "progress must be a function"),
        (lambda: nbcli.compute(8, 8, [1, 0, -1], precision=5), TypeError, "precision must be a name"),
        (lambda: Scene.create(**SMALL, center=[1]), TypeError, "center must be a number"),
        (lambda: Scene.create(**SMALL, fit="yes"), TypeError, "fit must be True or False"),
    ],
)
def test_reported_misuses_say_what_is_wrong(tmp_path, monkeypatch, call, kind, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(kind, match=words) as info:
        call()
    assert not isinstance(info.value, (AttributeError, KeyError))
    assert list(tmp_path.iterdir()) == []


# ---- every file nb-render writes is accepted by --from ----------------------------------------------

COLOURS = ["navy", "#1b9e77", "#fff", "rgb(10%, 60%, 50%)", "hsl(162, 71%, 36%)", " white ", "RebeccaPurple"]
numbers = st.complex_numbers(max_magnitude=4, allow_nan=False, allow_infinity=False).map(
    lambda z: complex(round(z.real, 3), round(z.imag, 3))
)


@st.composite
def scenes(draw) -> Scene:
    how = draw(st.sampled_from(["coefs", "roots", "expr"]))
    if how == "coefs":
        coefs = [complex(1, 0), *draw(st.lists(numbers, min_size=1, max_size=6))]
        poly = {"coefs": coefs}
    elif how == "roots":
        poly = {"roots": draw(st.lists(numbers, min_size=1, max_size=6))}
    else:
        a, b = draw(numbers), draw(numbers)
        poly = {"expr": f"(z - ({a}))^{draw(st.integers(1, 5))} (z - ({b}))^{draw(st.integers(0, 4))}"}
    method = draw(st.sampled_from(["newton", "relaxed", "halley", "schroder", "householder"]))
    try:
        return Scene.create(
            **poly,
            size=(draw(st.integers(1, 9)), draw(st.integers(1, 9))),
            itmax=draw(st.integers(1, 40)),
            tol=draw(st.sampled_from([1e-3, 1e-6, 1e-9])),
            method=method,
            relax=draw(st.sampled_from([0.8, 0.7 + 0.4j])) if method == "relaxed" else 1,
            aa=draw(st.integers(1, 2)),
            precision=draw(st.sampled_from(["double", "single"])),
        )
    except ParameterError:
        assume(False)  # e.g. coefficients single precision cannot hold
        raise


@st.composite
def styles(draw) -> Style:
    palette = draw(
        st.one_of(
            st.sampled_from(["default", "okabe-ito", "pastel", "hsv", "navy,gold", "#fff"]),
            st.lists(st.sampled_from(COLOURS), min_size=1, max_size=12).map(tuple),
        )
    )
    return Style(
        palette=palette,
        shading=draw(st.sampled_from(["smooth", "iterations", "flat"])),
        nonconverged=draw(st.sampled_from(COLOURS)),
        boundary=draw(st.one_of(st.none(), st.sampled_from(COLOURS))),
        mark_roots=draw(st.booleans()),
        depth=draw(st.sampled_from([8, 16])),
    )


@pytest.mark.filterwarnings("ignore::nbcli.precision.PrecisionWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scene=scenes(), style=styles(), ext=st.sampled_from([".png", ".jpg", ".tif"]))
def test_every_file_written_is_read_back(tmp_path_factory, scene, style, ext):
    folder = tmp_path_factory.mktemp("written")
    if ext != ".png":
        style = dataclasses.replace(style, depth=8)  # 16 bits are for PNG
    image, data = folder / f"out{ext}", folder / "out.npz"
    nbcli.render_to_file(str(image), scene, style, save_data=str(data), threads=1)
    for path in (image, data):
        source = load_source(str(path))
        assert source.scene == scene
        assert source.style == style


def test_the_largest_parameters_are_read_back(tmp_path):
    # every limit at once: degree 1000 by its roots, 4096 colours of 100 characters
    roots = np.exp(2j * np.pi * np.arange(1000) / 1000) * 0.999
    palette = tuple(" " * 93 + "#1b9e77" for _ in range(MAX_PALETTE))
    scene = Scene.create(roots=roots, size=(4, 4), itmax=4)
    out = tmp_path / "big.png"
    nbcli.render_to_png(str(out), scene, Style(palette=palette), threads=1)
    source = load_source(str(out))
    assert source.scene == scene and source.style.palette == palette


def test_parameters_too_long_to_read_back_are_refused_before_rendering(tmp_path):
    # a colour padded with characters JSON must escape: the record would outgrow what --from reads
    palette = tuple("\u3000" * 90 + "#fff" for _ in range(MAX_PALETTE))
    with pytest.raises(ValueError, match="more than --from reads back"):
        nbcli.render_to_png(str(tmp_path / "x.png"), expr="z^3 - 1", size=4, style=Style(palette=palette))
    assert list(tmp_path.iterdir()) == []
