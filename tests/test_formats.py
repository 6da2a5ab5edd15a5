"""Image formats: the format follows the file name (or --format), every format that can hold text carries
the parameters and --from reads them back, limits fail up front, and Pillow is imported only when used."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from conftest import run_cli, run_python
from PIL import Image

import nbcli
from nbcli.api import png_deflate
from nbcli.images import FORMATS, JPEG_SEGMENT, MetadataWarning, output_format, sniff
from nbcli.params import read_parameters

SCENE = {"coefs": [1, 0, 0, -1], "size": (48, 32)}
MAGIC = {
    "png": b"\x89PNG",
    "jpeg": b"\xff\xd8\xff",
    "webp": b"RIFF",
    "tiff": b"II*\x00",
    "bmp": b"BM",
    "gif": b"GIF8",
    "avif": b"\x00\x00\x00",
}
PILLOW_NAME = {
    "png": "PNG",
    "jpeg": "JPEG",
    "webp": "WEBP",
    "tiff": "TIFF",
    "bmp": "BMP",
    "gif": "GIF",
    "avif": "AVIF",
}
LOSSLESS = ("png", "tiff", "bmp")


def _avif_ok() -> bool:
    try:
        output_format("x.avif")
    except ValueError:
        return False
    return True


def _exts():
    for fmt in FORMATS.values():
        for ext in fmt.extensions:
            marks = [pytest.mark.skipif(not _avif_ok(), reason="this Pillow cannot write AVIF")] * (
                fmt.name == "avif"
            )
            yield pytest.param(ext, fmt.name, id=ext, marks=marks)


@pytest.fixture(scope="module")
def render():
    return nbcli.render(**SCENE)


def _decoded(path) -> tuple[str, np.ndarray]:
    with Image.open(path) as im:
        return im.format, np.asarray(im.convert("RGB"))


@pytest.mark.parametrize(("ext", "name"), list(_exts()))
def test_every_extension_writes_its_format_and_keeps_the_parameters(tmp_path, render, ext, name):
    path = (
        tmp_path / f"out{ext.upper() if ext == '.jpg' else ext}"
    )  # the case of the extension does not matter
    if name == "bmp":
        with pytest.warns(MetadataWarning, match="BMP files cannot hold the parameters"):
            render.save(path)
    else:
        render.save(path)
    assert path.read_bytes().startswith(MAGIC[name])
    fmt, rgb = _decoded(path)
    assert fmt == PILLOW_NAME[name]
    assert rgb.shape == render.rgb.shape
    if name in LOSSLESS:
        np.testing.assert_array_equal(rgb, render.rgb)
    else:  # lossy (or 256 colours): close to the picture, not equal
        assert np.abs(rgb.astype(int) - render.rgb).mean() < 12  # small and edge-heavy: the worst case
    if name == "bmp":
        with pytest.raises(ValueError, match="BMP files cannot hold nb-render's parameters"):
            read_parameters(path)
    else:
        params = read_parameters(path)
        png = params.pop("png", None)  # a PNG also records how it was compressed
        assert (png is not None) == (name == "png")
        if png is not None:
            assert png == png_deflate(render.style).to_dict()
        assert params == json.loads(render.metadata()["nb-render"])


def test_lossless_webp_is_exact_and_lossy_is_not(tmp_path, render):
    render.save(tmp_path / "a.webp", lossless=True)
    render.save(tmp_path / "b.webp")
    np.testing.assert_array_equal(_decoded(tmp_path / "a.webp")[1], render.rgb)
    assert not np.array_equal(_decoded(tmp_path / "b.webp")[1], render.rgb)


def test_quality_changes_the_file(tmp_path):
    r = nbcli.render(coefs=[1, 0, 0, 0, 0, 0, 1], size=(200, 160))
    sizes = {}
    for q in (20, 95):
        r.save(tmp_path / f"q{q}.jpg", quality=q)
        sizes[q] = os.path.getsize(tmp_path / f"q{q}.jpg")
    assert sizes[20] < sizes[95] * 0.7
    errs = {q: np.abs(_decoded(tmp_path / f"q{q}.jpg")[1].astype(int) - r.rgb).mean() for q in sizes}
    assert errs[95] < errs[20]


def test_gif_has_at_most_256_colours(tmp_path):
    r = nbcli.render(coefs=[1, 0, 0, 0, 0, 0, 1], size=(120, 90))
    assert len(np.unique(r.rgb.reshape(-1, 3), axis=0)) > 256
    r.save(tmp_path / "o.gif")
    with Image.open(tmp_path / "o.gif") as im:
        assert im.mode == "P"
        assert len(np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)) <= 256


def test_where_each_format_keeps_the_parameters(tmp_path, render):
    record = render.metadata()["nb-render"]
    render.save(tmp_path / "o.jpg")
    with Image.open(tmp_path / "o.jpg") as im:
        assert im.info["comment"].decode() == record  # the JPEG comment, as exiftool and Pillow show it
    render.save(tmp_path / "o.tif")
    with Image.open(tmp_path / "o.tif") as im:
        assert im.tag_v2[270] == record  # ImageDescription
        assert im.tag_v2[305].startswith("nb-render ")  # Software
        assert im.info["compression"] == "tiff_adobe_deflate"
    render.save(tmp_path / "o.webp")
    with Image.open(tmp_path / "o.webp") as im:
        xmp = im.info["xmp"].decode()
    assert "<dc:title>" in xmp and "Newton basins of z^3 - 1" in xmp
    assert json.loads(xmp.split("<nbr:parameters>")[1].split("</nbr:parameters>")[0]) == json.loads(record)
    render.save(tmp_path / "o.gif")
    with Image.open(tmp_path / "o.gif") as im:
        assert im.info["comment"].decode() == record


def test_a_record_longer_than_one_jpeg_segment_is_split_and_read_back(tmp_path):
    palette = tuple(f"#{i:06x}" for i in range(0, 0xFFFFFF, 0xFFFFFF // 4000))  # a long list of colours
    roots = np.exp(2j * np.pi * np.arange(300) / 300) * 1.0000000001
    r = nbcli.render(nbcli.Scene.create(roots=roots, size=(16, 16), itmax=2), nbcli.Style(palette=palette))
    record = r.metadata()["nb-render"]
    assert len(record) > JPEG_SEGMENT
    r.save(tmp_path / "long.jpg")
    assert read_parameters(tmp_path / "long.jpg") == json.loads(record)


def test_format_overrides_the_name_and_names_are_checked(tmp_path, render):
    render.save(tmp_path / "o.png", format="JPG")
    assert (tmp_path / "o.png").read_bytes().startswith(MAGIC["jpeg"])
    for bad, match in [
        ("o", "has no extension"),
        ("o.xyz", "does not write .xyz files"),
        ("o.npz", "holds per-pixel data"),
    ]:
        with pytest.raises(ValueError, match=match) as e:
            render.save(tmp_path / bad)
        assert ".png, .jpg or .jpeg, .webp, .tif or .tiff, .bmp, .gif or .avif" in str(e.value)
        assert not (tmp_path / bad).exists()
    with pytest.raises(ValueError, match="did you mean webp"):
        render.save(tmp_path / "o.webp", format="wepb")


def test_options_that_do_not_apply_are_refused(tmp_path, render):
    for kw, match in [
        ({"quality": 80}, "--quality applies to lossy formats .*PNG is lossless"),
        ({"lossless": True}, "--lossless applies to webp; PNG is always lossless"),
        ({"quality": 0, "format": "jpeg"}, "from 1 to 100"),
        ({"quality": 101, "format": "webp"}, "from 1 to 100"),
        ({"quality": 80, "lossless": True, "format": "webp"}, "do not go together"),
    ]:
        with pytest.raises(ValueError, match=match):
            render.save(tmp_path / "o.png", **kw)
    deep = nbcli.render(coefs=[1, 0, -1], size=(8, 8), style=nbcli.Style(depth=16))
    with pytest.raises(ValueError, match="8 bits per channel; --depth 16 needs PNG"):
        deep.save(tmp_path / "o.jpg")
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "size", "limit"),
    [("webp", (16384, 8), "16383"), ("jpeg", (8, 65501), "65500"), ("gif", (65536, 8), "65535")],
)
def test_sizes_beyond_a_format_fail_up_front(tmp_path, name, size, limit):
    fmt = FORMATS[name]
    fmt.check_size(size[0] - (size[0] > 8), size[1] - (size[1] > 8))  # one pixel less is fine
    # rendering this would take a while: the error comes before any work (the test would time out)
    with pytest.raises(ValueError, match=f"at most {limit} pixels on a side"):
        nbcli.render_to_file(tmp_path / f"o.{name}", coefs=[1, 0, -1], size=size, max_memory=1 << 20)
    assert not any(tmp_path.iterdir())


def test_large_format_limits_in_all():
    with pytest.raises(ValueError, match="limited to 4 GiB"):
        FORMATS["tiff"].check_size(40000, 40000)
    with pytest.raises(ValueError, match="limited to 4 GiB"):
        FORMATS["bmp"].check_size(40000, 40000)
    with pytest.raises(ValueError, match="at most 268435456 pixels"):
        FORMATS["avif"].check_size(20000, 20000)
    FORMATS["png"].check_size(65536, 65536)


def test_render_to_file_streams_png_and_gives_pillow_the_whole_image(tmp_path):
    scene = nbcli.Scene.create(coefs=[1, 0, 0, -1], size=(40, 30))
    for name in ("png", "tiff"):
        info = nbcli.render_to_file(tmp_path / f"b.{name}", scene, band_rows=7, stats=True)
        assert info["pixels"] == 1200
        one = nbcli.render(scene)
        np.testing.assert_array_equal(_decoded(tmp_path / f"b.{name}")[1], one.rgb)
    # render_to_png writes PNG whatever the name
    nbcli.render_to_png(tmp_path / "c.data", scene)
    assert (tmp_path / "c.data").read_bytes().startswith(MAGIC["png"])


def test_memory_check_counts_the_whole_image_for_pillow_formats(tmp_path):
    scene = nbcli.Scene.create(coefs=[1, 0, 0, -1], size=(2000, 2000))
    nbcli.render_to_file(
        tmp_path / "ok.png", nbcli.Scene.create(coefs=[1, 0, -1], size=(64, 64)), max_memory=8 << 20
    )
    with pytest.raises(MemoryError, match="rendering 2000x2000 as JPEG needs about"):
        nbcli.render_to_file(tmp_path / "big.jpg", scene, max_memory=8 << 20)
    assert not (tmp_path / "big.jpg").exists()


def test_render_image_repr_and_jupyter(render):
    im = render.image
    assert isinstance(im, Image.Image)
    assert im.size == (48, 32) and im.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(im), render.rgb)
    assert im.info["Title"] == "Newton basins of z^3 - 1"
    png = render._repr_png_()
    with Image.open(io.BytesIO(png)) as shown:
        np.testing.assert_array_equal(np.asarray(shown), render.rgb)
    text = repr(render)
    assert text == "<Render 'z^3 - 1': 48x32, newton, 3 roots, palette='default'>"
    deep = nbcli.render(coefs=[1, 0, -1], size=(8, 8), style=nbcli.Style(depth=16), keep_data=False)
    assert deep.image.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(deep.image), np.rint(deep.rgb / 257).astype(np.uint8))
    assert repr(deep).endswith("no per-pixel data>")


def test_titles_name_the_method(render):
    from nbcli.params import title

    assert title(render.scene) == "Newton basins of z^3 - 1"
    s = render.scene
    assert title(s.with_options(method="halley")) == "Halley basins of z^3 - 1"
    assert title(s.with_options(method="schroder")) == "Schröder basins of z^3 - 1"
    assert title(s.with_options(method="householder")) == "Householder basins of z^3 - 1"
    assert (
        title(s.with_options(method="relaxed", relax=0.8 + 0.4j))
        == "Relaxed Newton (a = 0.8+0.4j) basins of z^3 - 1"
    )


def test_sniff_knows_the_formats():
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).name == "png"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ").name == "webp"
    assert sniff(b"\0\0\0\x1cftypavif\0\0").name == "avif"
    assert sniff(b"MM\x00*" + b"\0" * 12).name == "tiff"
    assert sniff(b"hello world, bye") is None


# ---- the command line ------------------------------------------------------------------------------------


def _one_line_error(res, code=2):
    assert res.returncode == code, res.stderr
    err = res.stderr.decode()
    assert err.count("\n") == 1 and err.startswith("nb-render: error: "), err
    return err


def test_cli_writes_formats_by_name_and_reads_them_back(tmp_path):
    src = tmp_path / "src.webp"
    res = run_cli("-r", "1,-1,1j", "-s", "40x30", "--method", "halley", "--quality", "70", str(src))
    assert res.returncode == 0, res.stderr
    assert res.stderr == b""
    res = run_cli("--from", str(src), "--format", "tiff", str(tmp_path / "again.png"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "again.png").read_bytes().startswith(MAGIC["tiff"])
    params = read_parameters(tmp_path / "again.png")
    assert params["method"] == "halley" and params["roots"] == [[1, 0], [-1, 0], [0, 1]]


def test_cli_standard_output_is_png_unless_format_says(tmp_path):
    res = run_cli("-c", "1,0,-1", "-s", "16", "-")
    assert res.returncode == 0 and res.stdout.startswith(MAGIC["png"])
    res = run_cli("-c", "1,0,-1", "-s", "16", "--format", "jpeg", "-")
    assert res.returncode == 0 and res.stdout.startswith(MAGIC["jpeg"])


def test_cli_unknown_extension_is_one_line_and_writes_nothing(tmp_path):
    keep = tmp_path / "out"
    keep.write_bytes(b"precious")
    res = run_cli("-c", "1,0,-1", "-s", "16", str(keep))
    err = _one_line_error(res)
    assert "no extension" in err and ".webp" in err and "--format" in err
    assert keep.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_size_limit_and_option_errors(tmp_path):
    err = _one_line_error(run_cli("-c", "1,0,-1", "-s", "20000x100", str(tmp_path / "w.webp")))
    assert "at most 16383 pixels on a side" in err
    err = _one_line_error(run_cli("-c", "1,0,-1", "-s", "16", "--quality", "50", str(tmp_path / "o.tif")))
    assert "TIFF is lossless" in err
    assert not any(tmp_path.iterdir())


def test_cli_bmp_says_once_that_it_cannot_hold_the_parameters(tmp_path):
    res = run_cli("-c", "1,0,-1", "-s", "16", str(tmp_path / "o.bmp"))
    assert res.returncode == 0
    assert (
        res.stderr.decode().count("\n") == 1
        and "note: BMP files cannot hold the parameters" in res.stderr.decode()
    )
    err = _one_line_error(run_cli("--from", str(tmp_path / "o.bmp"), str(tmp_path / "p.png")))
    assert "cannot hold nb-render's parameters" in err


def test_cli_from_a_16_bit_png_to_jpeg_writes_8_bits(tmp_path):
    assert run_cli("-c", "1,0,-1", "-s", "16", "--depth", "16", str(tmp_path / "d.png")).returncode == 0
    res = run_cli("--from", str(tmp_path / "d.png"), str(tmp_path / "d.jpg"))
    assert res.returncode == 0, res.stderr
    assert read_parameters(tmp_path / "d.jpg")["style"]["depth"] == 8
    err = _one_line_error(
        run_cli("--from", str(tmp_path / "d.png"), "--depth", "16", str(tmp_path / "e.jpg"))
    )
    assert "--depth 16 needs PNG" in err


def test_cli_from_a_corrupt_or_foreign_image_is_one_line(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    err = _one_line_error(run_cli("--from", str(bad), str(tmp_path / "o.png")))
    assert "bad.jpg" in err
    foreign = tmp_path / "foreign.jpg"
    Image.new("RGB", (8, 8)).save(foreign)
    err = _one_line_error(run_cli("--from", str(foreign), str(tmp_path / "o.png")))
    assert "has no nb-render parameters" in err


def test_pillow_is_imported_only_when_used(tmp_path):
    code = (
        "import sys\n"
        "from nbcli.cli import main\n"
        "for args in ({png!r}, {jpg!r}):\n"
        "    try:\n"
        "        main(list(args))\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "    print('PIL' in sys.modules)\n"
    ).format(
        png=("-q", "-c", "1,0,-1", "-s", "16", str(tmp_path / "a.png")),
        jpg=("-q", "-c", "1,0,-1", "-s", "16", str(tmp_path / "a.jpg")),
    )
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "True"]
