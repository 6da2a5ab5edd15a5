"""A small, independent PNG decoder for the tests (RGB, 8 or 16 bits, any filter).

Pillow reads 16-bit RGB only as 8-bit, so the writer's 16-bit output is
checked against this straightforward implementation of the specification.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        kind, body = data[i + 4 : i + 8], data[i + 8 : i + 8 + n]
        (crc,) = struct.unpack(">I", data[i + 8 + n : i + 12 + n])
        assert crc == zlib.crc32(kind + body), kind
        out.append((kind, body))
        i += 12 + n
    return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode(data: bytes) -> np.ndarray:
    cs = chunks(data)
    assert cs[0][0] == b"IHDR" and cs[-1][0] == b"IEND"
    w, h, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", cs[0][1])
    assert (ctype, comp, filt, interlace) == (2, 0, 0, 0) and depth in (8, 16)
    raw = zlib.decompress(b"".join(body for kind, body in cs if kind == b"IDAT"))  # checks the Adler-32
    bpp = 3 * depth // 8
    stride = w * bpp
    assert len(raw) == h * (stride + 1)
    rows = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int64)
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int64)
        cur = np.zeros(stride, np.int64)
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) & 255
        else:  # Sub, Average, Paeth: byte by byte
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                pred = {1: a, 3: (a + b) // 2, 4: _paeth(a, b, c)}[ftype]
                cur[x] = (line[x] + pred) & 255
        rows[y] = cur
        prev = cur
    if depth == 8:
        return rows.reshape(h, w, 3)
    return rows.view(">u2").astype(np.uint16).reshape(h, w, 3)
