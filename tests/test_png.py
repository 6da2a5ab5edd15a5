"""The PNG writer (streamed, multi-threaded) and the metadata reader (untrusted input)."""

from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pngdecode import chunks, decode

from nbcli.compression import FILTERS, LIBRARIES, Deflate
from nbcli.outfile import atomic_output
from nbcli.png import (
    SIGNATURE,
    PngWriter,
    adler32_combine,
    encode_png,
    read_png_text,
    write_png,
)


def _image(h: int, w: int, dtype: type, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, np.iinfo(dtype).max, size=(h, w, 3), dtype=dtype, endpoint=True)
    img[h // 2 :] = img[h // 2 : h // 2 + 1]  # some repetition for the compressor to find
    return img


@given(st.binary(max_size=3000), st.binary(max_size=70000))
@settings(max_examples=60)
def test_adler32_combine_matches_zlib(a: bytes, b: bytes) -> None:
    assert adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)


CHOICES = [Deflate(lib, 1, f) for lib in LIBRARIES for f in FILTERS]
CHOICE_IDS = [f"{d.library}-{d.filter}" for d in CHOICES]


@pytest.mark.parametrize("deflate", CHOICES, ids=CHOICE_IDS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (700, 1000), (2000, 301)])
def test_lossless_roundtrip(dtype: type, shape: tuple[int, int], deflate: Deflate) -> None:
    img = _image(*shape, dtype)
    data = encode_png(img, {"k": "v"}, threads=3, deflate=deflate)
    assert np.array_equal(decode(data), img)
    if dtype is np.uint8:
        from PIL import Image

        assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), img)


@pytest.mark.parametrize("deflate", CHOICES, ids=CHOICE_IDS)
def test_bytes_do_not_depend_on_threads_or_bands(deflate: Deflate) -> None:
    img = _image(1500, 777, np.uint8, 1)
    ref = encode_png(img, {"a": "b"}, threads=1, deflate=deflate)
    assert encode_png(img, {"a": "b"}, threads=4, deflate=deflate) == ref
    for band in (1, 7, 333, 1500):
        buf = io.BytesIO()
        w = PngWriter(buf, 777, 1500, text={"a": "b"}, threads=2, deflate=deflate)
        for r in range(0, 1500, band):
            w.write(img[r : r + band])
        w.close()
        assert buf.getvalue() == ref, band


def test_several_compressed_groups_form_one_stream() -> None:
    img = _image(3000, 600, np.uint16, 2)  # > 1 MiB of scanlines: many groups, many IDAT chunks
    data = encode_png(img, threads=2)
    assert sum(kind == b"IDAT" for kind, _ in chunks(data)) > 3
    assert np.array_equal(decode(data), img)


@pytest.mark.parametrize("deflate", CHOICES, ids=CHOICE_IDS)
def test_writer_copies_rows_it_keeps(deflate: Deflate) -> None:
    img = _image(50, 40, np.uint8, 3)
    buf = io.BytesIO()
    w = PngWriter(buf, 40, 50, threads=2, deflate=deflate)
    scratch = np.empty((5, 40, 3), np.uint8)
    for r in range(0, 50, 5):
        scratch[...] = img[r : r + 5]
        w.write(scratch)  # the caller reuses its buffer
    w.close()
    assert np.array_equal(decode(buf.getvalue()), img)


def test_writer_rejects_wrong_rows() -> None:
    w = PngWriter(io.BytesIO(), 4, 2)
    with pytest.raises(ValueError, match="expected"):
        w.write(np.zeros((1, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="expected"):
        w.write(np.zeros((1, 4, 3), np.uint16))
    w.write(np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="more rows"):
        w.write(np.zeros((1, 4, 3), np.uint8))
    w2 = PngWriter(io.BytesIO(), 4, 3)
    w2.write(np.zeros((2, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="needs 3 rows"):
        w2.close()
    with pytest.raises(ValueError, match="depth"):
        PngWriter(io.BytesIO(), 4, 3, depth=12)


def test_text_chunks_roundtrip_latin1_and_unicode(tmp_path) -> None:
    p = tmp_path / "t.png"
    text = {"Title": "Newton basins of z^3 - 1", "nb-render": '{"poly": "z⁶ + é"}'}
    write_png(p, np.zeros((2, 2, 3), np.uint8), text)
    assert read_png_text(p) == text
    kinds = [k for k, _ in chunks(p.read_bytes())]
    assert kinds.index(b"iTXt") < kinds.index(
        b"IDAT"
    )  # metadata comes first: readable without inflating pixels
    from PIL import Image

    assert Image.open(p).text == text


def test_reader_reads_pillow_compressed_text(tmp_path) -> None:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("z", "x" * 5000, zip=True)
    info.add_itxt("u", "ü" * 10, zip=True)
    Image.new("RGB", (3, 3)).save(tmp_path / "p.png", pnginfo=info)
    assert read_png_text(tmp_path / "p.png") == {"z": "x" * 5000, "u": "ü" * 10}


def _valid(tmp_path) -> bytes:
    p = tmp_path / "v.png"
    write_png(p, np.zeros((4, 4, 3), np.uint8), {"nb-render": "{}"})
    return p.read_bytes()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: b"GIF89a" + d[6:], "not a PNG"),
        (lambda d: d[:40], "truncated"),
        (lambda d: d[:8], "truncated"),
        (lambda d: d[:30] + bytes([d[30] ^ 1]) + d[31:], "CRC"),
        (lambda d: d[:8] + struct.pack(">I", 2**31 + 5) + d[12:], "corrupt"),
        (lambda d: SIGNATURE + d[33:], "IHDR"),
    ],
)
def test_reader_rejects_corrupt_files(tmp_path, mutate, message) -> None:
    p = tmp_path / "bad.png"
    p.write_bytes(mutate(_valid(tmp_path)))
    with pytest.raises(ValueError, match=message):
        read_png_text(p)


def test_reader_limits_text_and_decompression_bombs(tmp_path) -> None:
    ihdr = SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    big = ihdr + _chunk(b"tEXt", b"k\0" + b"x" * (2 << 20))
    (tmp_path / "big.png").write_bytes(big)
    with pytest.raises(ValueError, match="larger than"):
        read_png_text(tmp_path / "big.png")
    bomb = ihdr + _chunk(b"zTXt", b"k\0\0" + zlib.compress(b"\0" * (64 << 20)))
    (tmp_path / "bomb.png").write_bytes(bomb)
    with pytest.raises(ValueError, match="expands beyond"):
        read_png_text(tmp_path / "bomb.png")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@given(st.binary(max_size=400))
@settings(max_examples=150)
def test_reader_never_fails_uncleanly_on_garbage(tmp_path_factory, tail: bytes) -> None:
    p = tmp_path_factory.mktemp("g") / "g.png"
    p.write_bytes(SIGNATURE + tail)
    try:
        read_png_text(p)
    except ValueError as e:
        message = str(e)
    else:
        message = ""
    assert "\n" not in message


def test_atomic_output_leaves_old_file_on_error(tmp_path) -> None:
    p = tmp_path / "out.png"
    p.write_bytes(b"old")

    def fail_halfway() -> None:
        with atomic_output(p) as f:
            f.write(b"partial")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_halfway()
    assert p.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.png"]
