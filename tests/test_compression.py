"""How PNGs are compressed (nbcli.compression): the choices, their checks, the default, the record every
PNG carries, and --from using the recorded compressor again.

The writer's own correctness (lossless, the same bytes whatever the threads and bands) is in
test_png.py, run there with every library and filter.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import zlib

import numpy as np
import pytest
from conftest import run_cli, run_python
from pngdecode import chunks, decode

import nbcli
from nbcli.api import png_deflate, render_to_file
from nbcli.compression import FILTERS, LIBRARIES, Deflate, default_deflate
from nbcli.params import png_compression, read_parameters
from nbcli.png import encode_png

SCENE = {"coefs": [1, 0, 0, 0, 0, 0, 1], "size": (96, 64)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("zstd", 1, "up"), "unknown PNG compressor 'zstd'; choose one of isal, zlib"),
        (("isal", 4, "up"), "isal compression level must be 0 to 3"),
        (("zlib", -1, "none"), "zlib compression level must be 0 to 9"),
        (("zlib", True, "none"), "level must be 0 to 9"),
        (("isal", 1, "paeth"), "unknown PNG filter 'paeth'; choose one of none, up"),
    ],
)
def test_bad_choices_are_refused_with_the_choices(fields, message) -> None:
    with pytest.raises(ValueError, match=message):
        Deflate(*fields)


def test_record_round_trip_and_untrusted_records() -> None:
    d = Deflate("zlib", 6, "none")
    rec = d.to_dict()
    assert rec == {"library": "zlib", "version": zlib.ZLIB_RUNTIME_VERSION, "level": 6, "filter": "none"}
    assert Deflate.from_dict(json.loads(json.dumps(rec))) == d
    for bad in (None, [], {"library": "zlib"}, {"library": 1, "level": 2, "filter": "up"}):
        with pytest.raises(ValueError, match="PNG compression"):
            Deflate.from_dict(bad)
    assert png_compression({"png": rec}) == d
    assert png_compression({}) is None
    assert png_compression({"png": {"library": "zstd", "level": 1, "filter": "up"}}) is None  # unknown here


def test_isal_records_the_architecture_its_bytes_depend_on() -> None:
    """ISA-L's deflate is written per architecture: version 2.32.1 compresses the same data to other
    bytes on aarch64 than on x86-64, so the record names the architecture (zlib's C code does not)."""
    isal = pytest.importorskip("isal")
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    assert Deflate("isal", 1).to_dict()["version"] == f"{isal.ISAL_VERSION} {arch}"
    assert Deflate("zlib", 6).to_dict()["version"] == zlib.ZLIB_RUNTIME_VERSION


def test_default_is_isal_filtered_up_except_for_bands_and_flat_areas() -> None:
    assert default_deflate() == Deflate("isal", 1, "up")
    assert default_deflate(banded=True) == Deflate("isal", 1, "none")
    assert png_deflate(nbcli.Style()) == Deflate("isal", 1, "up")
    assert png_deflate(nbcli.Style(shading="iterations")).filter == "none"
    assert png_deflate(nbcli.Style(shading="flat")).filter == "none"
    asked = Deflate("zlib", 9, "up")
    assert png_deflate(nbcli.Style(), asked) == asked


def test_without_isal_the_standard_zlib_compresses() -> None:
    code = """
import sys
sys.modules["isal"] = None  # as if not installed: importing it raises ImportError
import json, nbcli
from nbcli.api import render_to_file
from nbcli.params import read_parameters
render_to_file("no-isal.png", coefs=[1, 0, -1], size=(20, 10))
print(json.dumps(read_parameters("no-isal.png")["png"]))
"""
    with tempfile.TemporaryDirectory() as d:
        r = run_python(code, cwd=d)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert (rec["library"], rec["level"], rec["filter"]) == ("zlib", 2, "up")


@pytest.mark.parametrize(("library", "filt"), [(lib, f) for lib in LIBRARIES for f in FILTERS])
def test_every_choice_writes_the_same_pixels_and_uses_its_filter(library, filt) -> None:
    rgb = nbcli.render(**SCENE, keep_data=False).rgb
    data = encode_png(rgb, threads=2, deflate=Deflate(library, 1, filt))
    assert np.array_equal(decode(data), rgb)
    raw = zlib.decompress(b"".join(body for kind, body in chunks(data) if kind == b"IDAT"))
    row = 1 + rgb.shape[1] * 3
    assert set(raw[::row]) == {FILTERS[filt]}  # the filter type byte of every row


def test_up_filter_makes_smooth_pictures_smaller() -> None:
    rgb = nbcli.render(coefs=[1, 0, 0, 0, 0, 0, 1], size=(400, 300), keep_data=False).rgb
    sizes = {f: len(encode_png(rgb, deflate=Deflate("isal", 1, f))) for f in FILTERS}
    assert sizes["up"] < sizes["none"]


def test_every_png_records_its_compression_and_from_uses_it_again(tmp_path) -> None:
    chosen = Deflate("zlib", 6, "none")  # not the default: --from must take it from the file
    src = tmp_path / "src.png"
    render_to_file(src, compression=chosen, **SCENE)
    assert read_parameters(src)["png"] == chosen.to_dict()
    again = tmp_path / "again.png"
    r = run_cli("--from", str(src), str(again))
    assert r.returncode == 0, r.stderr
    assert again.read_bytes() == src.read_bytes()
    default = tmp_path / "default.png"
    render_to_file(default, **SCENE)
    assert read_parameters(default)["png"] == default_deflate().to_dict()
    assert np.array_equal(decode(default.read_bytes()), decode(src.read_bytes()))


def test_from_a_file_whose_compressor_is_missing_gives_the_same_pixels(tmp_path) -> None:
    from nbcli.png import write_png

    r = nbcli.render(**SCENE, keep_data=False)
    record = json.loads(r.metadata()["nb-render"])
    record["png"] = {"library": "zstd", "version": "9", "level": 3, "filter": "up"}  # from some other build
    src = tmp_path / "src.png"
    write_png(src, r.rgb, {"nb-render": json.dumps(record)})
    out = tmp_path / "out.png"
    res = run_cli("--from", str(src), str(out))
    assert res.returncode == 0, res.stderr
    assert b"PNG compressor recorded in the file (zstd) is not available here" in res.stderr
    assert res.stderr.count(b"\n") == 1
    assert np.array_equal(decode(out.read_bytes()), r.rgb)
    assert read_parameters(out)["png"] == default_deflate().to_dict()


def test_render_to_file_reports_the_time_of_each_stage(tmp_path) -> None:
    scene = nbcli.Scene.create(**SCENE, aa=2)
    info = render_to_file(tmp_path / "t.png", scene, nbcli.Style(boundary="white"))
    stages = info["stage_seconds"]
    assert set(stages) == {"kernel", "smooth", "colouring", "finishing", "compression", "writing"}
    assert all(v >= 0 for v in stages.values())
    if sys.platform != "win32":  # Windows counts CPU time in scheduler ticks: a small render may show 0
        assert stages["kernel"] > 0 and stages["compression"] > 0
    info = render_to_file(tmp_path / "t.jpg", scene, nbcli.Style())
    assert "encoding" in info["stage_seconds"] and "compression" not in info["stage_seconds"]
