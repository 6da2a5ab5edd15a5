"""Exact tiles: ``nbcli.render_tile`` gives, for any rectangle of a scene's image, the same
pixels and per-sample data as the whole render, whatever the tiling, method, precision,
supersampling and decorations (borders need the neighbours; markers the whole geometry)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import VARIANT_IDS, VARIANTS

import nbcli
from nbcli import Scene, Style
from nbcli.params import parse_parameters, read_parameters

DATA = ("root", "iterations", "smooth", "residual")


def random_cuts(rng: np.random.Generator, n: int, pieces: int) -> list[int]:
    """Cut points 0 < ... < n into at most ``pieces`` parts, with 1-wide parts likely."""
    inner = set()
    for _ in range(pieces - 1):
        c = int(rng.integers(1, n)) if n > 1 else 0
        if c:
            inner.add(c)
            if rng.random() < 0.3 and c + 1 < n:
                inner.add(c + 1)  # a part one pixel wide
    return [0, *sorted(inner), n]


def assemble(scene: Scene, style: Style, rcuts: list[int], ccuts: list[int], **kw) -> dict[str, np.ndarray]:
    """The whole image and its data, put together from tiles on the given cuts."""
    a = scene.aa
    rgb = np.zeros((scene.height, scene.width, 3), np.uint16 if style.depth == 16 else np.uint8)
    data = dict.fromkeys(DATA)
    for r0, r1 in itertools.pairwise(rcuts):
        for c0, c1 in itertools.pairwise(ccuts):
            t = nbcli.render_tile(scene, style, rows=(r0, r1), cols=(c0, c1), **kw)
            assert (
                t.rows == (r0, r1)
                and t.cols == (c0, c1)
                and t.is_tile == ((r0, r1, c0, c1) != (0, scene.height, 0, scene.width))
            )
            assert t.rgb.shape == (r1 - r0, c1 - c0, 3)
            rgb[r0:r1, c0:c1] = t.rgb
            for k in DATA:
                v = getattr(t, k)
                assert v.shape == ((r1 - r0) * a, (c1 - c0) * a)
                if data[k] is None:
                    data[k] = np.zeros((scene.height * a, scene.width * a), v.dtype)
                data[k][r0 * a : r1 * a, c0 * a : c1 * a] = v
    return {"rgb": rgb, **data}


def assert_same(whole: nbcli.Render, parts: dict[str, np.ndarray]) -> None:
    bad = np.argwhere((whole.rgb != parts["rgb"]).any(axis=2))
    assert bad.size == 0, f"{len(bad)} pixels differ, first at (row, col) {tuple(bad[0])}"
    for k in DATA:
        assert np.array_equal(getattr(whole, k), parts[k]), k


SCENES = {
    # centred on the real axis (rows mirror) with an even polynomial (columns mirror too)
    "mirrored": (
        Scene.create([1, 0, 0, 0, 0, 0, 1], size=(53, 41)),
        Style(boundary="#ffffff", mark_roots=True),
    ),
    "aa3": (
        Scene.create(roots=[1, -1, 1j, -1j, 0.5 + 0.5j], size=(37, 29), aa=3),
        Style(palette="okabe-ito", boundary="white", mark_roots=True),
    ),
    "single16": (
        Scene.create([1, 0, 0, -1], size=(44, 31), precision="single"),
        Style(shading="iterations", boundary="#000000", mark_roots=True, depth=16),
    ),
    "flat-offaxis": (
        Scene.create([1, -2 + 7.5j, 0, 12j, 5 + 0.1j], size=(40, 40), center=0.2 + 0.5j, span=1.5, aa=2),
        Style(shading="flat", boundary="#ff0000"),
    ),
    "plain": (Scene.create([1, 0, -2, 2], size=(31, 23)), Style()),
}


@pytest.mark.parametrize("name", list(SCENES))
def test_random_tilings_give_the_whole_image(name):
    scene, style = SCENES[name]
    whole = nbcli.render(scene, style)
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for pieces in (2, 5, 9):
        rcuts = random_cuts(rng, scene.height, pieces)
        ccuts = random_cuts(rng, scene.width, pieces)
        assert_same(whole, assemble(scene, style, rcuts, ccuts, threads=int(rng.integers(1, 3))))


def test_one_pixel_tiles_everywhere():
    """Every pixel on its own (the strictest tiling: each tile needs both overlaps)."""
    scene = Scene.create(roots=[1, -1, 1j], size=(13, 11), aa=2)
    style = Style(boundary="#ffffff", mark_roots=True)
    whole = nbcli.render(scene, style)
    assert_same(whole, assemble(scene, style, list(range(12)), list(range(14)), threads=1))


def test_tiles_across_the_mirror_axes():
    """Tiles that straddle the real axis, lie on one side of it, or hold a row and its mirror image."""
    scene = Scene.create([1, 0, 0, 0, -1], size=(48, 48), aa=2)  # even: mirrors both ways
    style = Style(boundary="#ffffff", mark_roots=True)
    whole = nbcli.render(scene, style)
    for rcuts in ([0, 23, 25, 48], [0, 24, 48], [0, 1, 47, 48], [0, 10, 38, 48]):
        assert_same(whole, assemble(scene, style, rcuts, [0, 7, 24, 25, 41, 48]))


@pytest.mark.parametrize(("method", "relax"), VARIANTS, ids=VARIANT_IDS)
def test_every_method_tiles_exactly(method, relax):
    scene = Scene.create([1, 0, -2, 2], size=(29, 21), method=method, relax=relax, aa=2)
    style = Style(boundary="#ffffff")
    whole = nbcli.render(scene, style)
    assert_same(whole, assemble(scene, style, [0, 10, 11, 21], [0, 14, 15, 29]))


def test_recolouring_a_tile_from_saved_data():
    scene = Scene.create([1, 0, 0, -1], size=(30, 20), aa=2)
    data = nbcli.render(scene, Style())
    source = {k: getattr(data, k) for k in DATA}
    style = Style(palette="pastel", boundary="#000000", mark_roots=True)
    whole = nbcli.render(scene, style)
    t = nbcli.render_tile(scene, style, rows=(5, 12), cols=(9, 30), source=source)
    assert np.array_equal(t.rgb, whole.rgb[5:12, 9:30])
    assert np.array_equal(t.root, whole.root[10:24, 18:60])


def test_a_tile_knows_where_it_lies(tmp_path):
    scene, style = SCENES["plain"]
    t = nbcli.render_tile(scene, style, rows=(3, 9), cols=(0, 31), keep_data=False)
    assert t.root is None and t.rgb.shape == (6, 31, 3) and t.stats["pixels"] == 6 * 31
    t.save(tmp_path / "t.png")
    params = read_parameters(tmp_path / "t.png")
    assert params["tile"] == {"rows": [3, 9], "cols": [0, 31]}
    assert parse_parameters(params, "t.png")[0] == scene  # the whole scene it was cut from
    with pytest.raises(ValueError, match="tile's data"):
        nbcli.render_tile(scene, style, rows=(0, 1), cols=(0, 1)).save_data(tmp_path / "t.npz")
    whole = nbcli.render_tile(scene, style, rows=(0, scene.height), cols=(0, scene.width))
    assert not whole.is_tile and "tile" not in whole.metadata()["nb-render"]


@pytest.mark.parametrize(
    ("rows", "cols", "error", "match"),
    [
        ((0, 0), (0, 1), ValueError, r"rows\[1\] must be between 1 and 23"),
        ((5, 3), (0, 1), ValueError, r"rows\[1\] must be between 6 and 23"),
        ((0, 24), (0, 1), ValueError, r"rows\[1\] must be between 1 and 23"),
        ((-1, 2), (0, 1), ValueError, r"rows\[0\] must be between 0 and 22"),
        ((0, 1), (31, 32), ValueError, r"cols\[0\] must be between 0 and 30"),
        ((0, 1), 5, TypeError, "cols must be a pair"),
        ((0, 1.5), (0, 1), TypeError, "must be an integer"),
    ],
)
def test_bad_tiles_are_refused(rows, cols, error, match):
    scene, style = SCENES["plain"]
    with pytest.raises(error, match=match):
        nbcli.render_tile(scene, style, rows=rows, cols=cols)
